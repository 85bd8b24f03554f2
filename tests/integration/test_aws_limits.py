"""What real AWS refuses although the spec is valid: refused in pre-flight, with a precise reason, changing nothing.

Each case builds a FailoverDomain that AWS would refuse at some step (a health
check on a private or documentation address, more aliases than a distribution
may hold, a change batch over Route53's quotas), waits for the expected
reason on the expected condition, and asserts the bed recorded no mutating
AWS call at all: the operator must not import a certificate or touch the
distribution before it knows the last step would fail. The bed enforces the
same limits (tests/testbed/fidelity/limits.py), so a missing check would show
up as an AwsError after changes, not as a pass.

Names the operator derives (SetIdentifiers, tags) must fit AWS's lengths by
construction: a FailoverDomain with the longest names Kubernetes allows must
become Ready. And a primary alias to CloudFront is refused by the API server.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client import ApiClient
from kubernetes.client.rest import ApiException
from testbed.controlplane import temporary_namespace
from testbed.world import G, P, V, World

HOSTS = ["www.example.com"]
PUBLIC_V4 = ["1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4", "9.9.9.9", "149.112.112.112", "208.67.222.222", "208.67.220.220"]
PUBLIC_V6 = [
    "2606:4700:4700::1111",
    "2606:4700:4700::1001",
    "2606:4700:4700::64",
    "2606:4700:4700::6400",
    "2001:4860:4860::8888",
    "2001:4860:4860::8844",
    "2620:fe::fe",
    "2620:fe::9",
]


@pytest.fixture
def namespace(kube: ApiClient, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh namespace per test; `indirect` parametrisation gives its name prefix (for the longest names)."""
    with temporary_namespace(kube, getattr(request, "param", "t-")) as name:
        yield name


def _assert_refused(world: World, name: str, condition: str, reason: str) -> dict[str, Any]:
    """`condition` is False with `reason`, Ready carries it, a Warning Event says it, and AWS was not changed."""
    world.wait_condition(name, condition, "False", reason)
    body = world.wait_condition(name, "Ready", "False", reason)
    changed = [c["type"] for c in body["status"]["conditions"] if c["type"] == "CertificateSynced" and c["status"] != "Unknown"]
    assert changed == [], "no step after a failed pre-flight check ran"
    assert any(kind == "Warning" and why == reason for kind, why, _ in world.events(name)), world.events(name)
    assert world.mutating_calls() == []
    return next(c for c in body["status"]["conditions"] if c["type"] == condition)


# ---- 1. primary addresses Route53 will not health-check ----------------------------------------
@pytest.mark.parametrize(
    ("addresses", "named"),
    [
        pytest.param({"ipv4": ["10.0.0.5"]}, "10.0.0.5 is 10.0.0.0/8 private", id="rfc1918"),
        pytest.param({"ipv4": ["192.0.2.10"]}, "192.0.2.10 is 192.0.2.0/24 documentation", id="documentation"),
        pytest.param({"ipv4": ["100.64.1.1"]}, "RFC 6598", id="cgnat"),
        pytest.param({"ipv4": ["1.1.1.1", "127.0.0.1"]}, "127.0.0.1 is 127.0.0.0/8 loopback", id="second-address-loopback"),
        pytest.param({"ipv6": ["2001:db8::10"]}, "2001:db8::10 is 2001:db8::/32 documentation", id="ipv6-documentation"),
    ],
)
def test_non_routable_primary_address_is_refused_without_touching_aws(
    world: World, addresses: dict[str, list[str]], named: str
) -> None:
    """Route 53 API Reference, HealthCheckConfig, IPAddress: no health checks on local, private, non-routable,
    multicast or documentation addresses (RFC 5735, 6598, 5156). HealthCheckReady=False, AddressNotRoutable."""
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS, primary={"addresses": addresses}))
    condition = _assert_refused(world, "site", "HealthCheckReady", "AddressNotRoutable")
    assert named in condition["message"]


def test_fixing_the_address_heals(world: World) -> None:
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS, primary={"addresses": {"ipv4": ["192.168.1.10"]}}))
    _assert_refused(world, "site", "HealthCheckReady", "AddressNotRoutable")
    world.patch_spec("site", {"primary": {"addresses": {"ipv4": ["1.1.1.1"]}}})
    world.wait_ready("site")
    assert world.health_checks()[0]["HealthCheckConfig"]["IPAddress"] == "1.1.1.1"


# ---- 3. aliases per distribution ------------------------------------------------------------------
def _give_distribution(world: World, aliases: list[str], **settings: Any) -> None:
    """The user's own aliases (and settings) on the maintenance distribution, set before the operator comes."""
    cloudfront = world.aws.client("cloudfront")
    current = cloudfront.get_distribution_config(Id=world.distribution_id)
    config = current["DistributionConfig"]
    config["Aliases"] = {"Quantity": len(aliases), "Items": aliases} if aliases else {"Quantity": 0}
    config.update(settings)
    cloudfront.update_distribution(Id=world.distribution_id, DistributionConfig=config, IfMatch=current["ETag"])
    world.aws.control.clear_calls()


def test_too_many_aliases_for_the_distribution(world: World) -> None:
    """CloudFront Developer Guide, Quotas: 100 alternate domain names per distribution (TooManyDistributionCNAMEs).
    99 of the user's own + our 2 would be 101: DistributionReady=False, TooManyAliases, before any import."""
    hosts = ["www.example.com", "api.example.com"]
    _give_distribution(world, [f"site{index}.example.net" for index in range(99)])
    world.tls_secret("site-tls", [*hosts, "*.example.net"])  # covers the user's aliases too: only the quota is wrong
    world.apply("site", world.spec(hosts))
    condition = _assert_refused(world, "site", "DistributionReady", "TooManyAliases")
    assert "101 aliases" in condition["message"] and "FAILOVER_MAX_ALIASES_PER_DISTRIBUTION" in condition["message"]
    assert len(world.distribution_config()["Aliases"]["Items"]) == 99


# ---- 2. Route53 change batch quotas ------------------------------------------------------------------
MANY_HOSTS = [f"h{index}.example.com" for index in range(63)]  # 63 x 16 values = 1,008: the fewest over the quota


def _shrink_and_heal(world: World, name: str) -> None:
    """Fewer hostnames fit the batch: Ready. (Also keeps the clean-up's pass short: 63 names take 63 reads a pass.)"""
    world.patch_spec(name, {"hostnames": HOSTS})
    world.wait_ready(name, timeout=120)


def test_deletion_batch_over_1000_records_is_refused(world: World) -> None:
    """Route 53 Developer Guide, Quotas: 1,000 ResourceRecord elements per batch. 63 hostnames x 8 addresses is 504
    on creation, but releasing them (DELETE each PRIMARY + CREATE a simple record, one batch) needs 1,008."""
    world.tls_secret("site-tls", ["*.example.com"])
    world.apply("site", world.spec(MANY_HOSTS, primary={"addresses": {"ipv4": PUBLIC_V4}}))
    condition = _assert_refused(world, "site", "RecordsReady", "ChangeBatchTooLarge")
    assert "the deletion batch" in condition["message"] and "1008 ResourceRecord elements" in condition["message"]
    _shrink_and_heal(world, "site")


def test_change_batch_over_1000_records_is_refused(world: World) -> None:
    """The same quota on the batch that creates the records: 63 hostnames x (8 A + 8 AAAA values) = 1,008."""
    _give_distribution(world, [], IsIPV6Enabled=True)
    world.tls_secret("site-tls", ["*.example.com"])
    world.apply("site", world.spec(MANY_HOSTS, primary={"addresses": {"ipv4": PUBLIC_V4, "ipv6": PUBLIC_V6}}))
    condition = _assert_refused(world, "site", "RecordsReady", "ChangeBatchTooLarge")
    assert "the change batch" in condition["message"] and "1008 ResourceRecord elements" in condition["message"]
    assert world.records_named("h0.example.com") == []
    _shrink_and_heal(world, "site")


# ---- 2. names derived within Route53's lengths ----------------------------------------------------------------
LONG_NAME = "n" * 253  # the longest object name Kubernetes allows


@pytest.mark.parametrize("namespace", ["t-" + "l" * 51], indirect=True)  # 63 characters with the random suffix
def test_longest_names_fit_set_identifier_and_tag_limits(world: World) -> None:
    """Route 53 API Reference: SetIdentifier 1-128 characters, tag values ≤ 256; ACM tag values ≤ 256.
    `fo/<63>/<name>/secondary` would be 136 characters: the operator shortens it with a hash, and the bed
    (route53.set_identifier_limit, route53.tag_limit) would refuse anything longer."""
    assert len(world.namespace) == 63
    world.tls_secret(LONG_NAME, HOSTS)
    world.apply(LONG_NAME, world.spec(HOSTS, secret=LONG_NAME))
    world.wait_ready(LONG_NAME, timeout=120)
    identifiers = {r["SetIdentifier"] for r in world.records_named("www.example.com")}
    assert len(identifiers) == 2 and all(len(i) <= 128 and i.startswith(f"fo/{world.namespace}/") for i in identifiers)
    route53 = world.aws.client("route53")
    check_id = world.health_checks()[0]["Id"]
    tags = route53.list_tags_for_resource(ResourceType="healthcheck", ResourceId=check_id)["ResourceTagSet"]["Tags"]
    assert tags and all(len(tag["Value"]) <= 256 for tag in tags)
    acm = world.aws.client("acm")
    arns = [summary["CertificateArn"] for summary in acm.list_certificates()["CertificateSummaryList"]]
    certificate_tags = [tag for arn in arns for tag in acm.list_tags_for_certificate(CertificateArn=arn)["Tags"]]
    assert certificate_tags and all(len(tag.get("Value", "")) <= 256 for tag in certificate_tags)


# ---- 4. a primary alias to CloudFront ---------------------------------------------------------------------------
def _rejection(kube: ApiClient, namespace: str, spec: dict[str, Any]) -> str:
    body = {"apiVersion": f"{G}/{V}", "kind": "FailoverDomain", "metadata": {"name": "cf-primary"}, "spec": copy.deepcopy(spec)}
    with pytest.raises(ApiException) as refused:
        client.CustomObjectsApi(kube).create_namespaced_custom_object(G, V, namespace, P, body)
    assert refused.value.status == 422, refused.value.body
    return str(json.loads(refused.value.body)["message"])


CLOUDFRONT_ZONE, ELB_ZONE = "Z2FDTNDATAQYW2", "Z35SXDOTRQ7X7K"
CLOUDFRONT_PRIMARY = "primary.alias cannot point at CloudFront"
CLOUDFRONT_HEALTH = "primary.alias.evaluateTargetHealth cannot be true for a CloudFront target"


@pytest.mark.parametrize(
    ("alias", "messages"),
    [
        pytest.param({"dnsName": "d1.cloudfront.net", "hostedZoneId": CLOUDFRONT_ZONE}, [CLOUDFRONT_PRIMARY], id="zone"),
        pytest.param({"dnsName": "d111111abcdef8.cloudfront.net.", "hostedZoneId": ELB_ZONE}, [CLOUDFRONT_PRIMARY], id="name"),
        pytest.param(
            {"dnsName": "lb.example.net", "hostedZoneId": CLOUDFRONT_ZONE, "evaluateTargetHealth": True},
            [CLOUDFRONT_PRIMARY, CLOUDFRONT_HEALTH],
            id="evaluate-target-health",
        ),
    ],
)
def test_primary_alias_to_cloudfront_is_refused_by_the_api_server(
    kube: ApiClient, crd: None, unmanaged_namespace: str, alias: dict[str, Any], messages: list[str]
) -> None:
    """Route 53 Developer Guide, "Values specific for failover alias records": EvaluateTargetHealth must be false
    for CloudFront; and the hostnames are aliases of the maintenance distribution, which CloudFront keeps unique."""
    spec = {
        "hostedZone": {"id": "Z0123456789ABCDEFGHIJ"},
        "hostnames": ["miteru.example.com"],
        "certificate": {"secretName": "miteru-tls"},
        "primary": {"alias": alias},
        "secondary": {"distributionId": "E2EXAMPLE"},
    }
    message = _rejection(kube, unmanaged_namespace, spec)
    assert "spec.primary.alias" in message
    assert all(text in message for text in messages), message
    spec["primary"] = {"alias": {"dnsName": "my-lb-123.us-east-1.elb.amazonaws.com", "hostedZoneId": ELB_ZONE}}
    spec["primary"]["alias"]["evaluateTargetHealth"] = True  # the near-twin: a load balancer may ask for it
    body = {"apiVersion": f"{G}/{V}", "kind": "FailoverDomain", "metadata": {"name": "lb-primary"}, "spec": spec}
    client.CustomObjectsApi(kube).create_namespaced_custom_object(G, V, unmanaged_namespace, P, body)
