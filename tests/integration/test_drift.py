"""Drift: what someone changes in AWS behind the operator's back is found and repaired within one interval.

The drift operator (its own process, watching only these tests' namespaces) checks
every DRIFT_SECONDS (jittered); every other test runs with the timer off. Each test makes
one out-of-band change with the AWS API, waits for the repair (deadline: two
intervals plus the time AWS needs), asserts AWS is back to the desired state,
and that a DriftRepaired Event says what was found and fixed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from kubernetes.client import ApiClient
from testbed.controlplane import temporary_namespace
from testbed.world import DRIFT_PREFIX, DRIFT_SECONDS, GENERATED_KEYS, ORIGIN_IP, World, eventually

HOSTS = ["www.example.com"]
DEADLINE = 2 * DRIFT_SECONDS + 10


@pytest.fixture
def operator_process(drift_operator: Any) -> Any:
    """Only here is the drift timer on: everywhere else a missed event must fail its own test."""
    return drift_operator


@pytest.fixture
def namespace(kube: ApiClient) -> Iterator[str]:
    with temporary_namespace(kube, DRIFT_PREFIX) as name:
        yield name


def _ready(world: World, store: str = "ACM") -> dict[str, Any]:
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS, certificate={"secretName": "site-tls", "store": store}))
    return world.wait_ready("site")


def _update_distribution(world: World, change: Callable[[dict[str, Any]], None]) -> None:
    cloudfront = world.aws.client("cloudfront")
    response = cloudfront.get_distribution_config(Id=world.distribution_id)
    config = response["DistributionConfig"]
    change(config)
    cloudfront.update_distribution(Id=world.distribution_id, DistributionConfig=config, IfMatch=response["ETag"])


def _primary(world: World) -> dict[str, Any]:
    return next(r for r in world.records_named("www.example.com") if r.get("Failover") == "PRIMARY" and r["Type"] == "A")


def _repaired(world: World, probe: Callable[[], Any], what: str) -> Any:
    result = eventually(probe, DEADLINE, lambda: f"{what} not repaired")
    eventually(
        lambda: any(reason == "DriftRepaired" for _, reason, _ in world.events("site")),
        DEADLINE,
        lambda: f"no DriftRepaired event: {world.events('site')}",
    )
    return result


def test_viewer_certificate_and_aliases_changed(world: World) -> None:
    body = _ready(world)

    def tamper(config: dict[str, Any]) -> None:
        config["ViewerCertificate"]["MinimumProtocolVersion"] = "TLSv1"
        config["Aliases"] = {"Quantity": 0}

    _update_distribution(world, tamper)

    def restored() -> bool:
        config = world.distribution_config()
        return config["Aliases"].get("Items") == HOSTS and config["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"

    _repaired(world, restored, "distribution")
    assert world.distribution_config()["ViewerCertificate"]["ACMCertificateArn"] == body["status"]["certificate"]["arn"]


def test_health_check_deleted_is_recreated_and_records_repointed(world: World) -> None:
    old = _ready(world)["status"]["healthCheckId"]
    world.aws.client("route53").delete_health_check(HealthCheckId=old)

    def recreated() -> str | None:
        checks = world.health_checks()
        return checks[0]["Id"] if len(checks) == 1 and _primary(world)["HealthCheckId"] == checks[0]["Id"] else None

    new = _repaired(world, recreated, "health check")
    assert new != old
    assert (world.get("site") or {})["status"]["healthCheckGeneration"] == 2


def test_health_check_edited_is_restored(world: World) -> None:
    check_id = _ready(world)["status"]["healthCheckId"]
    route53 = world.aws.client("route53")
    version = route53.get_health_check(HealthCheckId=check_id)["HealthCheck"]["HealthCheckVersion"]
    route53.update_health_check(HealthCheckId=check_id, HealthCheckVersion=version, ResourcePath="/tampered", FailureThreshold=9)
    config = lambda: route53.get_health_check(HealthCheckId=check_id)["HealthCheck"]["HealthCheckConfig"]  # noqa: E731
    _repaired(world, lambda: config()["ResourcePath"] == "/healthz" and config()["FailureThreshold"] == 3, "health check")


def test_records_edited_and_deleted_are_restored(world: World) -> None:
    _ready(world)
    route53 = world.aws.client("route53")
    primary = _primary(world)
    tampered = {**primary, "ResourceRecords": [{"Value": "208.67.220.220"}]}
    secondary = next(r for r in world.records_named("www.example.com") if r.get("Failover") == "SECONDARY")
    route53.change_resource_record_sets(
        HostedZoneId=world.zone_id,
        ChangeBatch={
            "Changes": [{"Action": "UPSERT", "ResourceRecordSet": tampered}, {"Action": "DELETE", "ResourceRecordSet": secondary}]
        },
    )

    def restored() -> bool:
        records = {r.get("Failover"): r for r in world.records_named("www.example.com") if r["Type"] == "A"}
        return records.get("PRIMARY", {}).get("ResourceRecords") == [{"Value": ORIGIN_IP}] and "SECONDARY" in records

    _repaired(world, restored, "records")


def test_acm_certificate_reimported_with_something_else_is_reimported(world: World) -> None:
    body = _ready(world)
    arn = body["status"]["certificate"]["arn"]
    impostor = world.aws.issue(HOSTS)
    GENERATED_KEYS.append(impostor.key_pem())
    acm = world.aws.client("acm")
    acm.import_certificate(CertificateArn=arn, Certificate=impostor.cert_pem.encode(), PrivateKey=impostor.key_pem().encode())
    ours = int(body["status"]["certificate"]["serialNumber"].replace(":", ""), 16)
    serial = lambda: int(acm.describe_certificate(CertificateArn=arn)["Certificate"]["Serial"].replace(":", ""), 16)  # noqa: E731
    _repaired(world, lambda: serial() == ours, "ACM certificate")


def _detach_certificate(world: World) -> None:
    """Certificates in use cannot be deleted (AWS refuses): someone first moves the distribution off it."""

    def detach(config: dict[str, Any]) -> None:
        config["Aliases"] = {"Quantity": 0}
        config["ViewerCertificate"] = {"CloudFrontDefaultCertificate": True, "MinimumProtocolVersion": "TLSv1"}

    _update_distribution(world, detach)
    world.aws.control.set_delays(cloudfront_deploy_seconds=0)


def test_acm_certificate_deleted_is_imported_and_attached_again(world: World) -> None:
    world.aws.control.set_delays(cloudfront_deploy_seconds=0)
    arn = _ready(world)["status"]["certificate"]["arn"]
    _detach_certificate(world)
    world.aws.client("acm").delete_certificate(CertificateArn=arn)  # raises if ACM still considers it in use

    def reattached() -> str | None:
        current = world.distribution_config()["ViewerCertificate"].get("ACMCertificateArn")
        return current if current and current != arn else None

    new_arn = _repaired(world, reattached, "ACM certificate")
    assert world.aws.client("acm").describe_certificate(CertificateArn=new_arn)["Certificate"]["Status"] == "ISSUED"


def test_iam_certificate_deleted_is_uploaded_and_attached_again(world: World) -> None:
    world.aws.control.set_delays(cloudfront_deploy_seconds=0)
    name = _ready(world, store="IAM")["status"]["certificate"]["serverCertificateName"]
    _detach_certificate(world)
    world.aws.client("iam").delete_server_certificate(ServerCertificateName=name)

    def reattached() -> bool:
        listed = world.aws.client("iam").list_server_certificates()["ServerCertificateMetadataList"]
        viewer = world.distribution_config()["ViewerCertificate"]
        return len(listed) == 1 and viewer.get("IAMCertificateId") == listed[0]["ServerCertificateId"]

    _repaired(world, reattached, "IAM certificate")


def test_idle_drift_check_reads_only_and_writes_no_status(world: World) -> None:
    _ready(world)
    # the health poll writes PrimaryHealthy/activeTarget once; from then on the status is at rest
    eventually(lambda: world.condition("site", "PrimaryHealthy").get("status") == "True", 30, lambda: "health not polled")
    before = world.wait_ready("site")
    world.aws.control.clear_calls()
    eventually(
        lambda: sum(c["operation"] == "GetDistribution" for c in world.aws.control.calls()) >= 2,
        DEADLINE + DRIFT_SECONDS,
        lambda: "no drift check ran",
    )
    assert world.mutating_calls() == []
    after = world.get("site") or {}
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"], "no status write, no annotation"
