"""Crash safety: lost responses and a killed operator converge with no duplicate or leaked AWS resource.

A *lost response* is the failure idempotency exists for: AWS carried out the
call, but the connection dropped before the answer arrived, so the client (and
botocore's retry) cannot know. The fidelity layer's ``lost_response`` fault
does exactly that. Each test ends Ready with exactly one of each resource.
"""

from __future__ import annotations

import pytest
from testbed.world import World

HOSTS = ["www.example.com"]


def _acm_certificates(world: World) -> list[str]:
    listed = world.aws.client("acm").list_certificates(Includes={"keyTypes": ["RSA_2048"]})["CertificateSummaryList"]
    return [c["CertificateArn"] for c in listed]


def _assert_exactly_one_of_each(world: World, body: dict[str, object], store: str) -> None:
    status = body["status"]
    assert [c["Id"] for c in world.health_checks()] == [status["healthCheckId"]]  # type: ignore[index]
    if store == "ACM":
        assert _acm_certificates(world) == [status["certificate"]["arn"]]  # type: ignore[index]
    else:
        listed = world.aws.client("iam").list_server_certificates()["ServerCertificateMetadataList"]
        assert [c["ServerCertificateId"] for c in listed] == [status["certificate"]["serverCertificateId"]]  # type: ignore[index]
    assert sorted(r["Failover"] for r in world.records_named("www.example.com") if r["Type"] == "A") == ["PRIMARY", "SECONDARY"]


@pytest.mark.parametrize(
    ("service", "operation", "store"),
    [
        ("acm", "ImportCertificate", "ACM"),
        ("iam", "UploadServerCertificate", "IAM"),
        ("route53", "CreateHealthCheck", "ACM"),
        ("route53", "ChangeResourceRecordSets", "ACM"),
        ("cloudfront", "UpdateDistribution", "ACM"),
    ],
)
def test_lost_response_converges_without_duplicates(world: World, service: str, operation: str, store: str) -> None:
    """CreateHealthCheck: same CallerReference + same settings returns the existing check (Route 53 API Reference).
    ImportCertificate is not idempotent: the operator finds the twin by its tag and deletes it."""
    world.aws.control.inject("lost_response", service=service, operation=operation)
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS, certificate={"secretName": "site-tls", "store": store}))
    body = world.wait_ready("site")
    assert "LostResponse" in [call["error"] for call in world.aws.control.calls()], "the fault fired"
    _assert_exactly_one_of_each(world, body, store)


def test_operator_killed_while_deploying_resumes_and_converges(world: World, operator_process: object) -> None:
    world.aws.control.set_delays(cloudfront_deploy_seconds=4)
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS))
    world.wait_condition("site", "DistributionReady", "Unknown", "Deploying")
    operator_process.kill()  # type: ignore[attr-defined]
    world.patch_spec("site", {"healthCheck": {"path": "/ready"}})  # a change made while the operator is down
    operator_process.start()  # type: ignore[attr-defined]
    body = world.wait_ready("site", timeout=120)
    _assert_exactly_one_of_each(world, body, "ACM")
    assert world.health_checks()[0]["HealthCheckConfig"]["ResourcePath"] == "/ready"
