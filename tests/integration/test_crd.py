"""The FailoverDomain CRD, proven against a real kube-apiserver v1.34 (not a schema linter).

Why a real server: structural-schema rules, defaulting inside ``default: {}`` objects, CEL compilation and its
cost budget, ``format: date-time`` in CEL, list types, the status subresource and printer columns are all
implemented by the API server, and each has surprised someone who only validated YAML offline. The CRD is
applied once per module with the built kubectl, exactly as a user would; every test then talks to the server.

Rejections assert on the server's message text: users see that text in ``kubectl apply`` output, so a rule that
rejects for the wrong reason, or with an unreadable message, is a bug. Every rejection case has an accepted
near-twin (``ACCEPTED``) so that a rule cannot pass by being too strict.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client
from kubernetes.client import ApiClient
from kubernetes.client.rest import ApiException
from testbed.controlplane import ControlPlane

pytestmark = [
    pytest.mark.controlplane,
    # kubernetes-client's ApiException still calls urllib3's deprecated getheaders(); not ours to fix.
    pytest.mark.filterwarnings("ignore:HTTPResponse.getheaders:DeprecationWarning"),
]

CRD_PATH = Path(__file__).resolve().parents[2] / "crds" / "failoverdomain.yaml"
GROUP, VERSION, PLURAL = "failover.dev", "v1alpha1", "failoverdomains"
CRD_NAME = f"{PLURAL}.{GROUP}"
ZONE_ID = "Z0123456789ABCDEFGHIJ"

Spec = dict[str, Any]
Edit = Callable[[Spec], None]

MINIMAL_SPEC: Spec = {
    "hostedZone": {"id": ZONE_ID},
    "hostnames": ["miteru.example.com"],
    "certificate": {"secretName": "miteru-tls"},
    "primary": {"addresses": {"ipv4": ["1.1.1.1"]}},
    "secondary": {"distributionId": "E2EXAMPLE"},
}

# What the server must store for MINIMAL_SPEC: every default of the contract, nothing else.
DEFAULTED_MINIMAL_SPEC: Spec = {
    "hostedZone": {"id": ZONE_ID},
    "hostnames": ["miteru.example.com"],
    "certificate": {"secretName": "miteru-tls", "store": "ACM", "allowRSA1024": False},
    "primary": {"addresses": {"ipv4": ["1.1.1.1"]}, "ttl": 60},
    "healthCheck": {
        "type": "HTTPS",
        "port": 443,
        "path": "/",
        "requestInterval": 30,
        "failureThreshold": 3,
        "enableSNI": True,
    },
    "secondary": {"distributionId": "E2EXAMPLE", "minimumProtocolVersion": "TLSv1.2_2021"},
    "adoptExistingRecords": False,
    "mode": "Auto",
    "deletionPolicy": "Delete",
}

# Every spec field set to a non-default value (the one-of alternatives live in FULL_SPEC_ALIAS).
FULL_SPEC: Spec = {
    "hostedZone": {"name": "example.com."},
    "hostnames": ["miteru.example.com", "www.miteru.example.com", "*.static.example.com"],
    "certificate": {"secretName": "miteru-tls.v2", "store": "IAM", "allowRSA1024": True},
    "primary": {"addresses": {"ipv4": ["1.1.1.1", "8.8.8.8"], "ipv6": ["2606:4700:4700::1111"]}, "ttl": 300},
    "healthCheck": {
        "type": "HTTPS_STR_MATCH",
        "port": 8443,
        "path": "/healthz?deep=1",
        "searchString": "ok",
        "requestInterval": 10,
        "failureThreshold": 5,
        "regions": ["us-east-1", "eu-west-1", "ap-northeast-1"],
        "enableSNI": False,
        "fqdn": "origin.miteru.example.com",
    },
    "secondary": {"distributionId": "E2EXAMPLE", "minimumProtocolVersion": "TLSv1.3_2025"},
    "adoptExistingRecords": True,
    "mode": "Maintenance",
    "maintenanceWindows": [
        {"start": "2014-06-30T02:00:00+09:00", "end": "2014-06-30T05:00:00+09:00", "reason": "host maintenance"},
        {"start": "2014-07-01T00:00:00Z", "end": "2014-07-01T01:30:00Z"},
    ],
    "deletionPolicy": "Retain",
}

# FULL_SPEC's twin for the other halves of the two one-of rules: an alias primary and a zone given by id.
FULL_SPEC_ALIAS: Spec = {
    **FULL_SPEC,
    "hostedZone": {"id": ZONE_ID},
    "primary": {
        "alias": {
            "dnsName": "my-lb-123.us-east-1.elb.amazonaws.com",
            "hostedZoneId": "Z35SXDOTRQ7X7K",
            "evaluateTargetHealth": True,
        },
        "ttl": 60,
    },
}

FULL_STATUS: dict[str, Any] = {
    "observedGeneration": 1,
    "conditions": [
        {
            "type": "Ready",
            "status": "True",
            "reason": "Reconciled",
            "message": "failover records point at the origin and the distribution",
            "lastTransitionTime": "2025-01-02T03:04:05Z",
            "observedGeneration": 1,
        },
        {
            "type": "CertificateValid",
            "status": "True",
            "reason": "Valid",
            "message": "",
            "lastTransitionTime": "2025-01-02T03:04:05Z",
        },
    ],
    "certificate": {
        "store": "IAM",
        "arn": "arn:aws:iam::123456789012:server-certificate/cloudfront/failover/web-miteru-0a1b2c3d",
        "serverCertificateName": "web-miteru-0a1b2c3d",
        "serverCertificateId": "ASCAEXAMPLE123456",
        "serialNumber": "0a1b2c3d",
        "sha256Fingerprint": "0a1b2c3d" * 8,
        "notAfter": "2030-01-02T03:04:05Z",
    },
    "healthCheckId": "abcdef12-3456-7890-abcd-ef1234567890",
    "healthCheckGeneration": 2,
    "healthCheckTagged": "abcdef12-3456-7890-abcd-ef1234567890",
    "ownership": {"distributionId": "E2EXAMPLE", "addedAliases": ["miteru.example.com"]},
    "retiredHealthCheckIds": ["0bcdef12-3456-7890-abcd-ef1234567890"],
    "effectiveMode": "Maintenance",
    "recordsChangeId": "/change/C2682N5HXP0BZ4",
    "retiredCertificates": ["IAM web-miteru-00112233"],
    "distribution": {"id": "E2EXAMPLE", "domainName": "d111111abcdef8.cloudfront.net", "status": "Deployed"},
    "activeTarget": "Primary",
    "records": ["miteru.example.com. A fd-web-miteru-primary", "miteru.example.com. A fd-web-miteru-secondary"],
    "currentWindow": {"start": "2014-06-30T02:00:00+09:00", "end": "2014-06-30T05:00:00+09:00", "reason": "host maintenance"},
    "nextWindow": {"start": "2014-07-01T00:00:00Z", "end": "2014-07-01T01:30:00Z", "reason": ""},
}


# --- helpers -------------------------------------------------------------------------------------------------------


def setting(path: str, value: Any) -> Edit:
    """An edit that sets a dotted spec path (creating parents), so cases read as data, not code."""

    def edit(spec: Spec) -> None:
        *parents, leaf = path.split(".")
        node = spec
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = copy.deepcopy(value)

    return edit


def manifest(name: str, spec: Spec) -> dict[str, Any]:
    return {"apiVersion": f"{GROUP}/{VERSION}", "kind": "FailoverDomain", "metadata": {"name": name}, "spec": spec}


def create(custom: client.CustomObjectsApi, namespace: str, spec: Spec, name: str = "miteru") -> dict[str, Any]:
    """Create with Strict field validation: a field the schema does not declare fails instead of being pruned."""
    body = manifest(name, copy.deepcopy(spec))
    return dict(custom.create_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, body, field_validation="Strict"))


def rejection(custom: client.CustomObjectsApi, namespace: str, spec: Spec) -> str:
    """The API server's message for a spec it must refuse (fails the test if the spec is accepted)."""
    with pytest.raises(ApiException) as refused:
        create(custom, namespace, spec)
    assert refused.value.status == 422, refused.value.body
    return str(json.loads(refused.value.body)["message"])


def edited(*edits: Edit) -> Spec:
    spec = copy.deepcopy(MINIMAL_SPEC)
    for edit in edits:
        edit(spec)
    return spec


def schema_paths(schema: dict[str, Any], prefix: str = "") -> set[str]:
    """Dotted paths of every declared property (list items share the list's path)."""
    paths: set[str] = set()
    for key, sub in schema.get("properties", {}).items():
        path = f"{prefix}{key}"
        paths.add(path)
        paths |= schema_paths(sub.get("items", sub), f"{path}.")
    return paths


def value_paths(value: Any, prefix: str = "") -> set[str]:
    """Dotted paths present in a manifest fragment, in the shape schema_paths() uses."""
    if isinstance(value, list):
        return set().union(*(value_paths(item, prefix) for item in value)) if value else set()
    if not isinstance(value, dict):
        return set()
    paths: set[str] = set()
    for key, sub in value.items():
        paths.add(f"{prefix}{key}")
        paths |= value_paths(sub, f"{prefix}{key}.")
    return paths


def undocumented(schema: dict[str, Any], path: str) -> list[str]:
    """Schema nodes without a description; list items count, so `kubectl explain` is useful at every level."""
    missing = [] if schema.get("description", "").strip() else [path]
    for key, sub in schema.get("properties", {}).items():
        missing += undocumented(sub, f"{path}.{key}")
    if "items" in schema:
        missing += undocumented(schema["items"], f"{path}[]")
    return missing


def contains(stored: Any, given: Any) -> bool:
    """Everything the user gave is stored unchanged (defaults may add keys, never alter given ones)."""
    if isinstance(given, dict):
        return isinstance(stored, dict) and all(key in stored and contains(stored[key], value) for key, value in given.items())
    return bool(stored == given)


def squeeze(text: str) -> str:
    """kubectl wraps long descriptions; compare text with whitespace collapsed."""
    return " ".join(text.split())


# --- fixtures ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served_crd(control_plane: ControlPlane, kube: ApiClient) -> Iterator[dict[str, Any]]:
    """Apply crds/failoverdomain.yaml once with the real kubectl, wait for Established, yield the CRD as stored.

    Applying it is itself the first test: the server refuses non-structural schemas, CEL that does not compile,
    CEL whose estimated cost exceeds the budget, and defaults that fail their own schema or rules.
    """
    control_plane.apply_crd(CRD_PATH)
    stored = client.ApiextensionsV1Api(kube).read_custom_resource_definition(CRD_NAME)
    yield kube.sanitize_for_serialization(stored)


@pytest.fixture
def namespace(unmanaged_namespace: str) -> str:
    """These tests write status by hand: keep their objects away from the running operator."""
    return unmanaged_namespace


@pytest.fixture
def custom(kube: ApiClient, served_crd: dict[str, Any]) -> client.CustomObjectsApi:
    """A custom-objects client that is only handed out once the CRD is served."""
    return client.CustomObjectsApi(kube)


# --- the definition itself -----------------------------------------------------------------------------------------


def test_crd_identity_matches_the_contract(served_crd: dict[str, Any]) -> None:
    """Names, scope and version are what manifests and RBAC rules depend on; no `all` category (DESIGN §2)."""
    spec = served_crd["spec"]
    assert spec["group"] == GROUP
    assert spec["scope"] == "Namespaced"
    assert spec["names"]["kind"] == "FailoverDomain"
    assert spec["names"]["plural"] == PLURAL
    assert spec["names"]["singular"] == "failoverdomain"
    assert spec["names"]["shortNames"] == ["fd"]
    assert not spec["names"].get("categories")
    assert [(v["name"], v["served"], v["storage"]) for v in spec["versions"]] == [(VERSION, True, True)]
    assert spec["versions"][0]["subresources"] == {"status": {}}
    conditions = {c["type"]: c["status"] for c in served_crd["status"]["conditions"]}
    assert conditions["Established"] == "True"
    assert conditions["NamesAccepted"] == "True"


def test_every_field_is_documented_in_the_served_schema(served_crd: dict[str, Any]) -> None:
    """SREs meet this API through `kubectl explain`: every object, list item and leaf needs a description."""
    root = served_crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    missing = [path for path in undocumented(root, "") if path != ".metadata"]  # metadata is ObjectMeta's own
    assert missing == []


def test_status_fields_are_declared_not_preserved(served_crd: dict[str, Any]) -> None:
    """A status with x-kubernetes-preserve-unknown-fields would accept typos from the operator silently."""
    status = served_crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["status"]
    assert "x-kubernetes-preserve-unknown-fields" not in json.dumps(status)
    assert schema_paths(status) == value_paths(FULL_STATUS), "FULL_STATUS must exercise every declared status field"


# --- accepted manifests --------------------------------------------------------------------------------------------


def test_minimal_manifest_is_accepted_and_defaulted(custom: client.CustomObjectsApi, namespace: str) -> None:
    """Users write only the required fields; the operator reads defaults from the stored object, so they must be there.

    healthCheck is omitted entirely: its `default: {}` must materialise and then receive its nested defaults.
    """
    stored = create(custom, namespace, MINIMAL_SPEC)
    assert stored["spec"] == DEFAULTED_MINIMAL_SPEC


def test_full_manifest_is_stored_verbatim(custom: client.CustomObjectsApi, namespace: str, served_crd: dict[str, Any]) -> None:
    """Every declared field set to a non-default value survives (Strict validation: nothing undeclared, nothing pruned)."""
    spec_schema = served_crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    covered = value_paths(FULL_SPEC) | value_paths(FULL_SPEC_ALIAS)
    assert schema_paths(spec_schema) == covered, "FULL_SPEC + FULL_SPEC_ALIAS must exercise every declared spec field"
    assert create(custom, namespace, FULL_SPEC)["spec"] == FULL_SPEC
    assert create(custom, namespace, FULL_SPEC_ALIAS, name="miteru-alias")["spec"] == FULL_SPEC_ALIAS


ACCEPTED = [
    pytest.param(setting("hostedZone", {"name": "example.com"}), id="zone-by-name-without-dot"),
    pytest.param(
        setting("hostnames", ["*.miteru.example.com", "miteru.example.com", "xn--r8jz45g.example.com"]), id="wildcard-and-idn"
    ),
    pytest.param(setting("primary.addresses", {"ipv6": ["2606:4700:4700::1111"]}), id="ipv6-only"),
    pytest.param(setting("primary.addresses", {"ipv4": ["1.1.1.1"], "ipv6": []}), id="empty-ipv6-with-ipv4"),
    pytest.param(setting("primary", {"alias": {"dnsName": "lb.example.net", "hostedZoneId": "Z35SXDOTRQ7X7K"}}), id="alias"),
    pytest.param(setting("healthCheck", {"type": "HTTP_STR_MATCH", "searchString": "ok"}), id="str-match-with-string"),
    pytest.param(setting("healthCheck", {"type": "HTTPS", "searchString": ""}), id="empty-search-string-as-in-design"),
    pytest.param(setting("healthCheck", {"type": "TCP", "port": 22, "regions": []}), id="tcp-no-regions"),
    pytest.param(setting("healthCheck.regions", ["us-east-1", "us-west-2", "sa-east-1"]), id="three-regions"),
    # Instants, not strings: 18:00Z is 03:00+09:00, after 02:00+09:00, though it sorts first as text.
    pytest.param(
        setting("maintenanceWindows", [{"start": "2014-06-30T02:00:00+09:00", "end": "2014-06-29T18:00:00Z"}]),
        id="window-across-zones",
    ),
    pytest.param(setting("primary.ttl", 0), id="ttl-zero"),
]


@pytest.mark.parametrize("edit", ACCEPTED)
def test_valid_variants_are_accepted(custom: client.CustomObjectsApi, namespace: str, edit: Edit) -> None:
    """Near-twins of the rejected cases: each proves a rule is not stricter than the AWS behaviour it guards."""
    spec = edited(edit)
    assert contains(create(custom, namespace, spec)["spec"], spec)


def test_alias_primary_gets_its_default(custom: client.CustomObjectsApi, namespace: str) -> None:
    """evaluateTargetHealth defaults to false: an unhealthy load balancer alone must not flip DNS unless asked."""
    stored = create(custom, namespace, edited(setting("primary", {"alias": {"dnsName": "lb.example.net", "hostedZoneId": "Z1"}})))
    assert stored["spec"]["primary"]["alias"]["evaluateTargetHealth"] is False


# --- rejected manifests --------------------------------------------------------------------------------------------

PATTERN = "should match"
REJECTED = [
    pytest.param(
        setting("hostedZone", {"id": ZONE_ID, "name": "example.com"}),
        ["spec.hostedZone", "exactly one of hostedZone.id and hostedZone.name must be set"],
        id="zone-both",
    ),
    pytest.param(
        setting("hostedZone", {}),
        ["spec.hostedZone", "exactly one of hostedZone.id and hostedZone.name must be set"],
        id="zone-neither",
    ),
    pytest.param(setting("hostedZone.id", "/hostedzone/Z123"), ["spec.hostedZone.id", PATTERN], id="zone-id-with-prefix"),
    pytest.param(setting("hostedZone", {"name": "Example.com"}), ["spec.hostedZone.name", PATTERN], id="zone-name-uppercase"),
    pytest.param(
        setting("primary.alias", {"dnsName": "lb.example.net", "hostedZoneId": "Z35SXDOTRQ7X7K"}),
        ["spec.primary", "exactly one of primary.addresses and primary.alias must be set"],
        id="primary-both",
    ),
    pytest.param(
        setting("primary", {"ttl": 60}),
        ["spec.primary", "exactly one of primary.addresses and primary.alias must be set"],
        id="primary-neither",
    ),
    pytest.param(
        setting("primary.addresses", {}),
        ["spec.primary.addresses", "primary.addresses must list at least one ipv4 or ipv6 address"],
        id="addresses-empty",
    ),
    pytest.param(
        setting("primary.addresses", {"ipv4": [], "ipv6": []}),
        ["spec.primary.addresses", "primary.addresses must list at least one ipv4 or ipv6 address"],
        id="addresses-empty-lists",
    ),
    pytest.param(
        setting("primary", {"alias": {"dnsName": "lb.example.net"}}),
        ["spec.primary.alias.hostedZoneId", "Required value"],
        id="alias-without-zone",
    ),
    pytest.param(
        setting("primary.addresses.ipv4", ["1.1.1.256"]),
        ["spec.primary.addresses.ipv4[0]", "must be an IPv4 address"],
        id="ipv4-invalid",
    ),
    pytest.param(
        setting("primary.addresses.ipv4", ["1.1.1.010"]),
        ["spec.primary.addresses.ipv4[0]", "must be an IPv4 address"],
        id="ipv4-leading-zero",
    ),
    pytest.param(
        setting("primary.addresses.ipv4", ["2620:fe::fe"]),
        ["spec.primary.addresses.ipv4[0]", "must be an IPv4 address"],
        id="ipv6-in-ipv4",
    ),
    pytest.param(
        setting("primary.addresses.ipv6", ["1.1.1.1"]),
        ["spec.primary.addresses.ipv6[0]", "must be an IPv6 address"],
        id="ipv4-in-ipv6",
    ),
    pytest.param(
        setting("primary.addresses.ipv4", ["1.1.1.1", "1.1.1.1"]),
        ["spec.primary.addresses.ipv4[1]", "Duplicate value"],
        id="ipv4-duplicate",
    ),
    pytest.param(
        setting("primary.ttl", 172801), ["spec.primary.ttl", "should be less than or equal to 172800"], id="ttl-too-long"
    ),
    pytest.param(setting("hostnames", ["Miteru.example.com"]), ["spec.hostnames[0]", PATTERN], id="hostname-uppercase"),
    pytest.param(setting("hostnames", ["mi_teru.example.com"]), ["spec.hostnames[0]", PATTERN], id="hostname-underscore"),
    pytest.param(
        setting("hostnames", ["miteru.example.com/maintenance"]), ["spec.hostnames[0]", PATTERN], id="hostname-trailing-path"
    ),
    pytest.param(setting("hostnames", ["miteru.example.com-"]), ["spec.hostnames[0]", PATTERN], id="hostname-trailing-dash"),
    pytest.param(setting("hostnames", ["miteru.example.com."]), ["spec.hostnames[0]", PATTERN], id="hostname-trailing-dot"),
    pytest.param(setting("hostnames", ["www.*.example.com"]), ["spec.hostnames[0]", PATTERN], id="wildcard-not-leading"),
    pytest.param(setting("hostnames", []), ["spec.hostnames", "should have at least 1 items"], id="hostnames-empty"),
    pytest.param(
        setting("hostnames", [f"h{i}.example.com" for i in range(101)]),
        ["spec.hostnames", "must have at most 100 items"],
        id="hostnames-over-cloudfront-quota",
    ),
    pytest.param(
        setting("hostnames", ["miteru.example.com", "miteru.example.com"]),
        ["spec.hostnames[1]", "Duplicate value"],
        id="hostname-duplicate",
    ),
    pytest.param(
        setting("certificate.store", "KMS"), ['spec.certificate.store: Unsupported value: "KMS"', '"ACM", "IAM"'], id="store-enum"
    ),
    pytest.param(setting("certificate.secretName", "Miteru_TLS"), ["spec.certificate.secretName", PATTERN], id="secret-name"),
    pytest.param(
        setting("mode", "Off"), ['spec.mode: Unsupported value: "Off"', '"Auto", "Maintenance", "Primary"'], id="mode-enum"
    ),
    pytest.param(
        setting("deletionPolicy", "Orphan"),
        ['spec.deletionPolicy: Unsupported value: "Orphan"', '"Delete", "Retain"'],
        id="deletion-policy-enum",
    ),
    pytest.param(
        setting("healthCheck.type", "ICMP"),
        ['spec.healthCheck.type: Unsupported value: "ICMP"', '"HTTPS_STR_MATCH", "TCP"'],
        id="check-type-enum",
    ),
    pytest.param(
        setting("healthCheck.requestInterval", 20),
        ["spec.healthCheck.requestInterval: Unsupported value: 20", '"10", "30"'],
        id="request-interval-20",
    ),
    pytest.param(
        setting("healthCheck.port", 0), ["spec.healthCheck.port", "should be greater than or equal to 1"], id="port-zero"
    ),
    pytest.param(
        setting("healthCheck.failureThreshold", 11),
        ["spec.healthCheck.failureThreshold", "less than or equal to 10"],
        id="threshold-11",
    ),
    pytest.param(setting("healthCheck.path", "healthz"), ["spec.healthCheck.path", PATTERN], id="path-not-absolute"),
    pytest.param(
        setting("healthCheck", {"type": "HTTP_STR_MATCH"}),
        [
            "spec.healthCheck.searchString: Required value",
            "healthCheck.searchString must be set when healthCheck.type is HTTP_STR_MATCH",
        ],
        id="str-match-without-string",
    ),
    pytest.param(
        setting("healthCheck", {"type": "HTTPS_STR_MATCH", "searchString": ""}),
        [
            "spec.healthCheck.searchString: Required value",
            "must be set when healthCheck.type is HTTP_STR_MATCH or HTTPS_STR_MATCH",
        ],
        id="str-match-with-empty-string",
    ),
    pytest.param(
        setting("healthCheck", {"type": "TCP", "searchString": "ok"}),
        ["spec.healthCheck.searchString: Forbidden", "only used by HTTP_STR_MATCH and HTTPS_STR_MATCH, not by TCP"],
        id="search-string-without-str-match",
    ),
    pytest.param(
        setting("healthCheck.regions", ["us-east-1", "eu-west-1"]),
        ["spec.healthCheck.regions", "healthCheck.regions must be empty (all regions) or list at least 3 regions"],
        id="regions-two",
    ),
    pytest.param(
        setting("healthCheck.regions", ["us-east-1", "eu-west-1", "eu-central-1"]),
        ['spec.healthCheck.regions[2]: Unsupported value: "eu-central-1"'],
        id="region-not-a-checker-region",
    ),
    pytest.param(
        setting("healthCheck.fqdn", "https://origin.example.com"), ["spec.healthCheck.fqdn", PATTERN], id="fqdn-is-a-url"
    ),
    pytest.param(
        setting("secondary.distributionId", "e2example"),
        ["spec.secondary.distributionId", PATTERN],
        id="distribution-id-lowercase",
    ),
    pytest.param(
        setting("secondary.minimumProtocolVersion", "SSLv3"),
        ['spec.secondary.minimumProtocolVersion: Unsupported value: "SSLv3"'],
        id="protocol-enum",
    ),
    pytest.param(
        setting("maintenanceWindows", [{"start": "2014-06-30T05:00:00+09:00", "end": "2014-06-30T02:00:00+09:00"}]),
        ["spec.maintenanceWindows[0].end", "a maintenance window's end must be after its start"],
        id="window-end-before-start",
    ),
    pytest.param(
        setting("maintenanceWindows", [{"start": "2014-06-30T02:00:00+09:00", "end": "2014-06-30T02:00:00+09:00"}]),
        ["spec.maintenanceWindows[0].end", "end must be after its start"],
        id="window-empty",
    ),
    # Sorts after the start as text, but 02:00+09:00 is 17:00Z, before 18:00Z.
    pytest.param(
        setting("maintenanceWindows", [{"start": "2014-06-29T18:00:00Z", "end": "2014-06-30T02:00:00+09:00"}]),
        ["spec.maintenanceWindows[0].end", "end must be after its start"],
        id="window-end-before-start-across-zones",
    ),
    pytest.param(
        setting("maintenanceWindows", [{"start": "tomorrow", "end": "2014-06-30T02:00:00+09:00"}]),
        ["spec.maintenanceWindows[0].start", "must be of type date-time"],
        id="window-not-a-timestamp",
    ),
    pytest.param(
        setting("maintenanceWindows", [{"start": "2014-06-30T02:00:00+09:00"}]),
        ["spec.maintenanceWindows[0].end: Required value"],
        id="window-open-ended",
    ),
]


@pytest.mark.parametrize(("edit", "expected"), REJECTED)
def test_invalid_spec_is_rejected_with_a_readable_message(
    custom: client.CustomObjectsApi, namespace: str, edit: Edit, expected: list[str]
) -> None:
    """Admission refuses what AWS would refuse (or silently misbehave on) later, and says which field and why."""
    message = rejection(custom, namespace, edited(edit))
    for fragment in expected:
        assert fragment in message


def test_missing_required_fields_are_named(custom: client.CustomObjectsApi, namespace: str) -> None:
    """An empty spec lists every required field at once, so a user fixes the manifest in one round."""
    message = rejection(custom, namespace, {})
    for field in ("hostedZone", "hostnames", "certificate", "primary", "secondary"):
        assert f"spec.{field}: Required value" in message


def test_kubectl_apply_shows_the_cel_message(control_plane: ControlPlane, namespace: str, served_crd: dict[str, Any]) -> None:
    """The message text reaches users through kubectl's stderr, not only through API clients."""
    bad = manifest("miteru", edited(setting("hostedZone.name", "example.com")))
    result = control_plane.kubectl_run("apply", "-n", namespace, "-f", "-", stdin=yaml.safe_dump(bad), check=False)
    assert result.returncode != 0
    assert "exactly one of hostedZone.id and hostedZone.name must be set" in result.stderr
    assert control_plane.kubectl_run("get", "fd", "-n", namespace, "-o", "name").stdout == ""


# --- status subresource --------------------------------------------------------------------------------------------


def patch_status(custom: client.CustomObjectsApi, namespace: str, status: dict[str, Any], name: str = "miteru") -> dict[str, Any]:
    body = {"status": status}
    return dict(
        custom.patch_namespaced_custom_object_status(GROUP, VERSION, namespace, PLURAL, name, body, field_validation="Strict")
    )


def test_status_patch_stores_every_field_and_leaves_spec_alone(custom: client.CustomObjectsApi, namespace: str) -> None:
    """The operator writes status through /status: it must not bump generation or touch spec, and nothing is pruned."""
    created = create(custom, namespace, MINIMAL_SPEC)
    patched = patch_status(custom, namespace, FULL_STATUS)
    assert patched["status"] == FULL_STATUS
    assert patched["spec"] == created["spec"]
    assert patched["metadata"]["generation"] == created["metadata"]["generation"]


def test_spec_update_ignores_status_and_bumps_generation(custom: client.CustomObjectsApi, namespace: str) -> None:
    """Users cannot forge status through the main resource; a spec change is visible as a new generation."""
    created = create(custom, namespace, MINIMAL_SPEC)
    patch_status(custom, namespace, {"activeTarget": "Primary"})
    body = {"spec": {"mode": "Maintenance"}, "status": {"activeTarget": "Secondary"}}
    patched = custom.patch_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, "miteru", body)
    assert patched["spec"]["mode"] == "Maintenance"
    assert patched["status"] == {"activeTarget": "Primary"}
    assert patched["metadata"]["generation"] == created["metadata"]["generation"] + 1


INVALID_STATUS = [
    pytest.param({"activeTarget": "Both"}, 'status.activeTarget: Unsupported value: "Both"', id="active-target"),
    pytest.param(
        {"conditions": [{"type": "Ready", "status": "Maybe"}]},
        'status.conditions[0].status: Unsupported value: "Maybe"',
        id="condition-status",
    ),
    pytest.param(
        {"conditions": [{"type": "Ready", "status": "True"}, {"type": "Ready", "status": "False"}]},
        "status.conditions[1]: Duplicate value",
        id="condition-type-twice",
    ),
    pytest.param(
        {"conditions": [{"type": "Ready", "status": "True", "reason": "not camel"}]},
        "status.conditions[0].reason",
        id="reason-format",
    ),
    pytest.param({"certificate": {"notAfter": "next year"}}, "status.certificate.notAfter", id="not-after-format"),
    pytest.param({"phase": "Ready"}, 'unknown field "status.phase"', id="undeclared-field"),
]


@pytest.mark.parametrize(("status", "expected"), INVALID_STATUS)
def test_invalid_status_is_rejected(
    custom: client.CustomObjectsApi, namespace: str, status: dict[str, Any], expected: str
) -> None:
    """Status has a real schema: an operator bug shows up as a failed write, not as garbage users then rely on."""
    create(custom, namespace, MINIMAL_SPEC)
    with pytest.raises(ApiException) as refused:
        patch_status(custom, namespace, status)
    assert refused.value.status == 422, refused.value.body
    assert expected in json.loads(refused.value.body)["message"]


def test_undeclared_status_fields_are_pruned_without_strict_validation(custom: client.CustomObjectsApi, namespace: str) -> None:
    """Without Strict the server drops what the schema does not declare: operator code must stick to declared fields."""
    create(custom, namespace, MINIMAL_SPEC)
    body = {"status": {"phase": "Ready", "activeTarget": "Unknown"}}
    patched = custom.patch_namespaced_custom_object_status(GROUP, VERSION, namespace, PLURAL, "miteru", body)
    assert patched["status"] == {"activeTarget": "Unknown"}


def test_conditions_are_a_map_merged_per_type(
    control_plane: ControlPlane, custom: client.CustomObjectsApi, namespace: str
) -> None:
    """listType=map keyed by type: two server-side-apply managers each own their condition instead of conflicting."""
    create(custom, namespace, MINIMAL_SPEC)
    for manager, kind in (("summary", "Ready"), ("preflight", "CertificateValid")):
        condition = {
            "type": kind,
            "status": "True",
            "reason": "Checked",
            "message": "",
            "lastTransitionTime": "2025-01-02T03:04:05Z",
        }
        body = {"apiVersion": f"{GROUP}/{VERSION}", "kind": "FailoverDomain", "metadata": {"name": "miteru"}}
        body["status"] = {"conditions": [condition]}
        control_plane.kubectl_run(
            "apply",
            "--server-side",
            "--subresource=status",
            f"--field-manager={manager}",
            "-n",
            namespace,
            "-f",
            "-",
            stdin=yaml.safe_dump(body),
        )
    stored = custom.get_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, "miteru")
    assert [c["type"] for c in stored["status"]["conditions"]] == ["Ready", "CertificateValid"]


# --- kubectl: short name, printer columns, explain -----------------------------------------------------------------


def table(output: str) -> tuple[list[str], list[list[str]]]:
    header, *rows = output.strip().splitlines()
    return header.split(), [row.split() for row in rows]


def test_kubectl_get_fd_prints_the_columns(control_plane: ControlPlane, custom: client.CustomObjectsApi, namespace: str) -> None:
    """`kubectl get fd` is the SRE's dashboard: readiness, which side serves traffic, and when the certificate expires.

    Cert-Expiry is a string column on purpose: a date column prints an age and shows <invalid> for future times.
    """
    create(custom, namespace, MINIMAL_SPEC)
    patch_status(custom, namespace, FULL_STATUS)
    header, rows = table(control_plane.kubectl_run("get", "fd", "-n", namespace).stdout)
    assert header == ["NAME", "READY", "ACTIVE", "CERT-EXPIRY", "AGE"]
    assert rows[0][:4] == ["miteru", "True", "Primary", "2030-01-02T03:04:05Z"]
    header, rows = table(control_plane.kubectl_run("get", "fd", "-n", namespace, "-o", "wide").stdout)
    assert header == ["NAME", "READY", "REASON", "ACTIVE", "STORE", "CERT-EXPIRY", "AGE"]
    assert rows[0][:6] == ["miteru", "True", "Reconciled", "Primary", "ACM", "2030-01-02T03:04:05Z"]


def test_fd_is_not_in_the_all_category(control_plane: ControlPlane, custom: client.CustomObjectsApi, namespace: str) -> None:
    """`kubectl get all` should keep meaning workloads; DESIGN §2 rules the `all` category out explicitly."""
    create(custom, namespace, MINIMAL_SPEC)
    assert (
        control_plane.kubectl_run("get", "fd", "-n", namespace, "-o", "name").stdout.strip()
        == "failoverdomain.failover.dev/miteru"
    )
    result = control_plane.kubectl_run("get", "all", "-n", namespace, "-o", "name")
    assert "failoverdomain" not in result.stdout + result.stderr


def test_kubectl_explain_prints_the_field_description(control_plane: ControlPlane, served_crd: dict[str, Any]) -> None:
    """The description is the documentation users reach first; it must carry the AWS immutability caveat."""
    output = squeeze(control_plane.kubectl_run("explain", "fd.spec.healthCheck.requestInterval").stdout)
    assert "FIELD: requestInterval <integer>" in output
    assert "ENUM: 10 30" in output
    assert "Default 30. Immutable in AWS: changing it makes the operator create a new health check" in output


def test_kubectl_explain_recursive_lists_the_contract(control_plane: ControlPlane, served_crd: dict[str, Any]) -> None:
    """`kubectl explain fd.spec --recursive` shows the whole contract, required fields marked."""
    output = control_plane.kubectl_run("explain", "fd.spec", "--recursive").stdout
    fields = {line.split()[0]: line for line in output.splitlines() if line.startswith(" ") and line.split()}
    for name in ("hostedZone", "hostnames", "certificate", "primary", "secondary"):
        assert "-required-" in fields[name]
    for name in (
        "healthCheck",
        "adoptExistingRecords",
        "mode",
        "maintenanceWindows",
        "deletionPolicy",
        "requestInterval",
        "evaluateTargetHealth",
    ):
        assert name in fields
