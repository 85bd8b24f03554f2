"""The operator owns exactly what it added: deletion and edits hand back exactly that, and nothing else.

The seed's user already has a hand-made failover: a distribution with their own
alias and the certificate they uploaded by hand. Trying the operator on it and
then deleting the FailoverDomain — Ready or not — must leave that distribution
byte-for-byte as it was. FailoverDomains sharing a Secret converge on one AWS
certificate through renewal and key-type changes, and a removed hostname keeps
an answer. AWS errors are reported under the step that made the call.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from kubernetes.client.rest import ApiException
from testbed.world import GENERATED_KEYS, ORIGIN_IP, World, create_distribution, eventually

HOSTS = ["www.example.com"]


def _distribution(world: World, distribution_id: str | None = None) -> dict[str, Any]:
    config = world.aws.client("cloudfront").get_distribution_config(Id=distribution_id or world.distribution_id)
    return config["DistributionConfig"]  # type: ignore[no-any-return]


def _users_own_failover(world: World, sans: list[str], store: str = "IAM") -> dict[str, Any]:
    """The manual recipe: the user's alias on the distribution, with the certificate they uploaded by hand."""
    issued = world.aws.issue(sans)
    GENERATED_KEYS.append(issued.key_pem())
    if store == "IAM":
        metadata = world.aws.client("iam").upload_server_certificate(
            ServerCertificateName="users-own", CertificateBody=issued.cert_pem, PrivateKey=issued.key_pem(), Path="/cloudfront/"
        )["ServerCertificateMetadata"]
        viewer = {"IAMCertificateId": metadata["ServerCertificateId"]}
    else:
        acm = world.aws.client("acm")
        imported = acm.import_certificate(Certificate=issued.cert_pem.encode(), PrivateKey=issued.key_pem().encode())
        viewer = {"ACMCertificateArn": imported["CertificateArn"]}
    cloudfront = world.aws.client("cloudfront")
    current = cloudfront.get_distribution_config(Id=world.distribution_id)
    config = current["DistributionConfig"]
    config["Aliases"] = {"Quantity": 1, "Items": ["shop.example.com"]}
    config["ViewerCertificate"] = {
        **viewer, "CloudFrontDefaultCertificate": False, "SSLSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"
    }
    cloudfront.update_distribution(Id=world.distribution_id, DistributionConfig=config, IfMatch=current["ETag"])
    return _distribution(world)


def _assert_same(before: dict[str, Any], after: dict[str, Any]) -> None:
    """Field by field, so a failure names what changed."""
    keys = before.keys() | after.keys()
    changed = {key: (before.get(key), after.get(key)) for key in keys if before.get(key) != after.get(key)}
    assert changed == {}, f"the user's distribution changed: {changed}"


@pytest.mark.parametrize("store", ["IAM", "ACM"])
def test_users_distribution_is_unchanged_after_a_ready_failover_domain_is_deleted(world: World, store: str) -> None:
    before = _users_own_failover(world, ["shop.example.com"], store)
    world.tls_secret("site-tls", ["www.example.com", "shop.example.com"])  # covers the user's alias too
    world.apply("site", world.spec(HOSTS, certificate={"secretName": "site-tls", "store": store}))
    world.wait_ready("site")
    during = _distribution(world)
    assert sorted(during["Aliases"]["Items"]) == ["shop.example.com", "www.example.com"]
    world.delete("site")
    world.wait_gone("site")
    _assert_same(before, _distribution(world))


def test_users_distribution_is_untouched_by_a_failover_domain_that_never_got_ready(world: World) -> None:
    before = _users_own_failover(world, ["shop.example.com"])
    world.aws.control.clear_calls()
    world.tls_secret("site-tls", HOSTS)  # does not cover the user's shop.example.com
    world.apply("site", world.spec(HOSTS))
    world.wait_condition("site", "CertificateValid", "False", "HostnameNotCovered")
    world.delete("site")
    world.wait_gone("site")
    _assert_same(before, _distribution(world))
    assert world.mutating_calls() == []


def test_default_certificate_distribution_is_handed_back_as_it_was(world: World) -> None:
    before = _distribution(world)
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS))
    world.wait_ready("site")
    world.delete("site")
    world.wait_gone("site")
    _assert_same(before, _distribution(world))


def test_users_alias_for_our_hostname_is_kept(world: World) -> None:
    """The user's distribution already had www as an alias: it is theirs, and stays after deletion."""
    _users_own_failover(world, ["shop.example.com", "www.example.com"])
    cloudfront = world.aws.client("cloudfront")
    current = cloudfront.get_distribution_config(Id=world.distribution_id)
    config = current["DistributionConfig"]
    config["Aliases"] = {"Quantity": 2, "Items": ["shop.example.com", "www.example.com"]}
    cloudfront.update_distribution(Id=world.distribution_id, DistributionConfig=config, IfMatch=current["ETag"])
    before = _distribution(world)
    world.tls_secret("site-tls", ["shop.example.com", "www.example.com"])
    world.apply("site", world.spec(HOSTS, certificate={"secretName": "site-tls", "store": "IAM"}))
    world.wait_ready("site")
    world.delete("site")
    world.wait_gone("site")
    _assert_same(before, _distribution(world))


def test_removed_hostname_keeps_resolving_to_the_primary(world: World) -> None:
    world.tls_secret("site-tls", ["www.example.com", "blog.example.com"])
    world.apply("site", world.spec(["www.example.com", "blog.example.com"]))
    world.wait_ready("site")
    world.patch_spec("site", {"hostnames": ["www.example.com"]})
    world.wait_ready("site")
    blog = world.records_named("blog.example.com")
    assert [(r["Type"], r.get("SetIdentifier"), [v["Value"] for v in r.get("ResourceRecords", [])]) for r in blog] == [
        ("A", None, [ORIGIN_IP])
    ]
    answer = world.aws.control.resolve(world.zone_id, "blog.example.com")
    assert ORIGIN_IP in str(answer), answer
    assert _distribution(world)["Aliases"]["Items"] == ["www.example.com"]


def test_hosted_zone_is_immutable(world: World) -> None:
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS))
    with pytest.raises(ApiException) as refused:
        world.patch_spec("site", {"hostedZone": {"id": "Z0000000000000000000"}})
    assert refused.value.status == 422
    assert "hostedZone is immutable" in str(refused.value.body)


# ---- one AWS certificate per (Secret, store), whatever the number of FailoverDomains ------------------


def _three_on_one_secret(world: World, store: str, hosts: list[str], separate_distributions: bool) -> tuple[list[str], Any]:
    issued = world.tls_secret("shared-tls", ["*.example.com"])
    names = []
    for index, host in enumerate(hosts):
        name = host.split(".")[0]
        distribution = create_distribution(world.aws, comment=name)["Id"] if separate_distributions and index else None
        spec = world.spec([host], secret="shared-tls", certificate={"secretName": "shared-tls", "store": store})
        if distribution:
            spec["secondary"] = {"distributionId": distribution}
        world.apply(name, spec)
        names.append(name)
    for name in names:
        world.wait_ready(name)
    return names, issued


def _aws_certificates(world: World, store: str) -> list[str]:
    if store == "IAM":
        listed = world.aws.client("iam").list_server_certificates(PathPrefix="/cloudfront/failover-operator/")
        return [m["ServerCertificateId"] for m in listed["ServerCertificateMetadataList"]]
    summaries = world.aws.client("acm").list_certificates(Includes={"keyTypes": ["RSA_2048", "EC_prime256v1"]})
    return [s["CertificateArn"] for s in summaries["CertificateSummaryList"]]


def _settled_on_one(world: World, names: list[str], store: str, issued: Any) -> str:
    """Every sharer Ready on `issued` (the Secret's current certificate), and exactly one certificate in the store."""
    fingerprint = hashlib.sha256(issued.der).hexdigest()

    def one() -> str | None:
        certificates = [world.wait_ready(name)["status"]["certificate"] for name in names]
        if any(certificate["sha256Fingerprint"] != fingerprint for certificate in certificates):
            return None
        refs, left = {_reference(certificate, store) for certificate in certificates}, _aws_certificates(world, store)
        return left[0] if len(refs) == 1 and len(left) == 1 and refs == set(left) else None

    result: str = eventually(one, 90, lambda: f"certificates {_aws_certificates(world, store)}")
    return result


def _reference(certificate: dict[str, Any], store: str) -> str:
    return str(certificate["serverCertificateId"] if store == "IAM" else certificate["arn"])


@pytest.mark.parametrize("store", ["IAM", "ACM"])
@pytest.mark.parametrize("separate", [False, True], ids=["one-distribution", "own-distributions"])
def test_sharers_of_a_secret_converge_on_one_certificate_through_renewal_and_key_change(
    world: World, store: str, separate: bool
) -> None:
    names, issued = _three_on_one_secret(world, store, ["blog.example.com", "shop.example.com", "news.example.com"], separate)
    first = _settled_on_one(world, names, store, issued)
    issued = world.tls_secret("shared-tls", ["*.example.com"])  # renewal
    renewed = _settled_on_one(world, names, store, issued)
    assert (renewed == first) == (store == "ACM"), "ACM re-imports into the same ARN; IAM uploads a new certificate"
    issued = world.tls_secret("shared-tls", ["*.example.com"], key="ec256")  # key-type change
    changed = _settled_on_one(world, names, store, issued)
    assert changed != renewed
    stable = [_reference(world.wait_ready(name)["status"]["certificate"], store) for name in names for _ in range(3)]
    assert set(stable) == {changed}, "no flip-flop between certificates"
    world.delete(names[0])
    world.wait_gone(names[0])
    assert _settled_on_one(world, names[1:], store, issued) == changed


# ---- each step owns its condition -------------------------------------------------------------------

ACCESS_CASES = {
    "GetHostedZone": ("route53", "RecordsReady", "ACM"),
    "GetDistribution": ("cloudfront", "DistributionReady", "ACM"),
    "ImportCertificate": ("acm", "CertificateSynced", "ACM"),
    "UploadServerCertificate": ("iam", "CertificateSynced", "IAM"),
    "CreateHealthCheck": ("route53", "HealthCheckReady", "ACM"),
    "ChangeResourceRecordSets": ("route53", "RecordsReady", "ACM"),
}


@pytest.mark.parametrize("operation", sorted(ACCESS_CASES))
def test_access_denied_is_reported_by_the_step_that_made_the_call(world: World, operation: str) -> None:
    service, condition, store = ACCESS_CASES[operation]
    world.aws.control.inject("access_denied", service=service, operation=operation, count=None)
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS, certificate={"secretName": "site-tls", "store": store}))
    body = world.wait_condition("site", condition, "False", "AccessDenied")
    others = [(c["type"], c["reason"]) for c in body["status"]["conditions"] if c["type"] not in (condition, "Ready")]
    assert not [c for c in others if c[1] == "AccessDenied"], f"filed under another step too: {others}"
    world.aws.control.clear_faults()
    world.wait_ready("site")


def test_deleting_a_conflict_loser_leaves_the_winners_distribution_alone(world: World) -> None:
    """The loser of DistributionConflict never changed the distribution: its deletion (policy Delete) changes nothing."""
    world.tls_secret("blog-tls", ["blog.example.com"])
    world.tls_secret("shop-tls", ["shop.example.com"])
    world.apply("blog", world.spec(["blog.example.com"], secret="blog-tls"))
    world.wait_ready("blog")
    before = _distribution(world)
    world.aws.control.clear_calls()
    world.apply("shop", world.spec(["shop.example.com"], secret="shop-tls"))
    world.wait_condition("shop", "DistributionReady", "False", "DistributionConflict")
    world.delete("shop")
    world.wait_gone("shop")
    _assert_same(before, _distribution(world))
    assert world.mutating_calls() == []
    world.wait_ready("blog")
