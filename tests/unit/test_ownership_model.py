"""Pure rules of the ownership record: the original viewer certificate as a tag, viewer equality, removed hostnames."""

from __future__ import annotations

from typing import Any

import pytest
from failover_operator.model.distribution import (
    decode_viewer,
    default_viewer_certificate,
    desired_config,
    encode_viewer,
    is_default_viewer,
    same_viewer,
)
from failover_operator.model.records import Identity, desired_pair, plan_records, restore_removed_hostnames
from failover_operator.model.spec import parse_spec

ARN = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
VIEWERS: dict[str, dict[str, Any]] = {
    "acm": {
        "CloudFrontDefaultCertificate": False,
        "ACMCertificateArn": ARN,
        "SSLSupportMethod": "sni-only",
        "MinimumProtocolVersion": "TLSv1.2_2021",
        "Certificate": ARN,
        "CertificateSource": "acm",
    },
    "iam": {
        "CloudFrontDefaultCertificate": False,
        "IAMCertificateId": "ASCAEXAMPLE1234567890",
        "SSLSupportMethod": "vip",
        "MinimumProtocolVersion": "TLSv1.1_2016",
    },
    "default": {"CloudFrontDefaultCertificate": True, "MinimumProtocolVersion": "TLSv1", "CertificateSource": "cloudfront"},
}


@pytest.mark.parametrize("kind", sorted(VIEWERS))
def test_viewer_round_trips_through_a_tag_value(kind: str) -> None:
    """CloudFront tag values: at most 256 characters of letters, digits, spaces and _ . : / = + - @."""
    value = encode_viewer(VIEWERS[kind])
    assert len(value) <= 256
    assert all(c.isalnum() or c in " _.:/=+-@" for c in value)
    assert decode_viewer(value) == VIEWERS[kind]


def test_same_viewer_ignores_what_cloudfront_fills_in_and_stale_flags() -> None:
    stored = {**VIEWERS["acm"], "IAMCertificateId": "", "CloudFrontDefaultCertificate": True}  # moto's stale default flag
    assert same_viewer(stored, VIEWERS["acm"])
    assert same_viewer(stored, stored)
    assert not same_viewer(VIEWERS["acm"], {**VIEWERS["acm"], "MinimumProtocolVersion": "TLSv1"})
    assert same_viewer(VIEWERS["default"], default_viewer_certificate())
    assert not same_viewer(VIEWERS["default"], VIEWERS["iam"])


def test_default_viewer_is_recognised() -> None:
    assert is_default_viewer(VIEWERS["default"])
    assert not is_default_viewer({**VIEWERS["acm"], "CloudFrontDefaultCertificate": True})


def test_release_removes_only_our_aliases_and_restores_the_viewer() -> None:
    config = {"Aliases": {"Quantity": 2, "Items": ["shop.example.com", "www.example.com"]}, "ViewerCertificate": VIEWERS["iam"]}
    released = desired_config(config, [], {"www.example.com"}, VIEWERS["acm"])
    assert released is not None
    assert released["Aliases"] == {"Quantity": 1, "Items": ["shop.example.com"]}
    assert released["ViewerCertificate"] == VIEWERS["acm"]
    assert desired_config(config, [], set(), None) is None, "a distribution we never changed is not touched"


SPEC = parse_spec(
    {
        "hostedZone": {"id": "Z1"},
        "hostnames": ["www.example.com"],
        "certificate": {"secretName": "s"},
        "primary": {"addresses": {"ipv4": ["1.1.1.1"], "ipv6": ["2606:4700:4700::1111"]}},
        "secondary": {"distributionId": "E1"},
    }
)
ME = Identity("fo/ns/site/primary", "fo/ns/site/secondary")


def test_removed_hostname_gets_a_simple_record_in_the_same_batch() -> None:
    blog = [record for kind in ("A", "AAAA") for record in desired_pair(SPEC, "blog.example.com", kind, ME, "hc", "d.net")]
    www = [record for kind in ("A", "AAAA") for record in desired_pair(SPEC, "www.example.com", kind, ME, "hc", "d.net")]
    plan = plan_records(www, {"www.example.com.": www, "blog.example.com.": blog}, ME, adopt=False)
    changes = restore_removed_hostnames(plan.changes, SPEC)
    assert [(c["Action"], c["ResourceRecordSet"]["Type"]) for c in changes] == [
        ("DELETE", "A"),
        ("DELETE", "A"),
        ("DELETE", "AAAA"),
        ("DELETE", "AAAA"),
        ("CREATE", "A"),
        ("CREATE", "AAAA"),
    ]
    created = [c["ResourceRecordSet"] for c in changes if c["Action"] == "CREATE"]
    assert created[0] == {"Name": "blog.example.com.", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "1.1.1.1"}]}
    assert all("SetIdentifier" not in record for record in created)


def test_kept_hostname_is_not_restored() -> None:
    www = desired_pair(SPEC, "www.example.com", "A", ME, "hc", "d.net")
    changed = [{**record, "HealthCheckId": "old"} if record.get("Failover") == "PRIMARY" else record for record in www]
    plan = plan_records(www, {"www.example.com.": changed}, ME, adopt=False)
    assert restore_removed_hostnames(plan.changes, SPEC) == plan.changes
