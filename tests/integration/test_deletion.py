"""Deletion honours deletionPolicy.

Delete hands the names back to the primary and removes what we made; Retain leaves AWS alone.
"""

from __future__ import annotations

import pytest
from testbed.world import ORIGIN_IP, World, eventually

HOSTS = ["www.example.com"]


@pytest.mark.parametrize("store", ["ACM", "IAM"])
def test_delete_restores_simple_records_and_removes_everything(world: World, store: str) -> None:
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS, certificate={"secretName": "site-tls", "store": store}))
    world.wait_ready("site")
    world.aws.control.clear_calls()
    world.delete("site")
    world.wait_gone("site")
    records = [r for r in world.records_named("www.example.com")]
    assert records == [{"Name": "www.example.com.", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": ORIGIN_IP}]}]
    assert world.health_checks() == []
    config = world.distribution_config()
    assert config["Aliases"]["Quantity"] == 0
    assert config["ViewerCertificate"].get("CloudFrontDefaultCertificate") is True
    if store == "ACM":
        assert world.aws.client("acm").list_certificates(Includes={"keyTypes": ["RSA_2048"]})["CertificateSummaryList"] == []
    else:
        assert world.aws.client("iam").list_server_certificates()["ServerCertificateMetadataList"] == []
    batches = [operation for _, operation in world.mutating_calls() if operation == "ChangeResourceRecordSets"]
    assert batches == ["ChangeResourceRecordSets"], "the pair is swapped for a simple record in ONE batch"


def test_retain_leaves_aws_as_it_is(world: World) -> None:
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS, deletionPolicy="Retain"))
    world.wait_ready("site")
    before = (world.records(), world.health_checks(), world.distribution_config()["ViewerCertificate"])
    world.aws.control.clear_calls()
    world.delete("site")
    world.wait_gone("site")
    assert world.mutating_calls() == []
    assert (world.records(), world.health_checks(), world.distribution_config()["ViewerCertificate"]) == before


def test_delete_retries_through_throttling_without_leaking(world: World) -> None:
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS))
    world.wait_ready("site")
    world.aws.control.inject("throttle", service="route53", operation="DeleteHealthCheck", count=12)
    world.delete("site")
    world.wait_gone("site", timeout=120)
    assert world.health_checks() == []
    acm = world.aws.client("acm")
    eventually(
        lambda: acm.list_certificates(Includes={"keyTypes": ["RSA_2048"]})["CertificateSummaryList"] == [],
        30,
        lambda: "ACM certificate leaked",
    )
