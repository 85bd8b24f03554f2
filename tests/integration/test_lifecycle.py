"""A FailoverDomain's life against the real test bed: create → Ready, edits, deletion.

Every assertion reads state back from AWS (the fidelity layer in front of
moto) and from the resource's status; the log is read only to check how waiting is reported.
"""

from __future__ import annotations

from typing import Any

import pytest
from kubernetes import client
from testbed.controlplane import ControlPlane
from testbed.world import ORIGIN_IP, G, P, V, World, eventually

HOSTS = ["www.example.com", "example.com"]


@pytest.mark.parametrize("store", ["ACM", "IAM"])
def test_create_becomes_ready_with_everything_in_aws(world: World, store: str) -> None:
    issued = world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS, certificate={"secretName": "site-tls", "store": store}))
    body = world.wait_ready("site")
    status = body["status"]
    # certificate
    assert status["certificate"]["store"] == store
    assert int(status["certificate"]["serialNumber"].replace(":", ""), 16) == issued.cert.serial_number
    viewer = world.distribution_config()["ViewerCertificate"]
    if store == "ACM":
        described = world.aws.client("acm").describe_certificate(CertificateArn=status["certificate"]["arn"])["Certificate"]
        assert viewer["ACMCertificateArn"] == status["certificate"]["arn"]
        assert described["InUseBy"], "the distribution uses the imported certificate"
    else:
        listed = world.aws.client("iam").list_server_certificates(PathPrefix="/cloudfront/")["ServerCertificateMetadataList"]
        assert [c["ServerCertificateId"] for c in listed] == [status["certificate"]["serverCertificateId"]]
        assert viewer["IAMCertificateId"] == status["certificate"]["serverCertificateId"]
    assert viewer["SSLSupportMethod"] == "sni-only"
    assert viewer["MinimumProtocolVersion"] == "TLSv1.2_2021"
    # aliases
    assert sorted(world.distribution_config()["Aliases"]["Items"]) == sorted(HOSTS)
    # health check
    checks = world.health_checks()
    assert [c["Id"] for c in checks] == [status["healthCheckId"]]
    config = checks[0]["HealthCheckConfig"]
    assert (config["Type"], config["IPAddress"], config["ResourcePath"], config["RequestInterval"]) == (
        "HTTPS",
        ORIGIN_IP,
        "/healthz",
        30,
    )
    # records: a PRIMARY and a SECONDARY A record per hostname, nothing else touched
    for host in HOSTS:
        records = {r["Failover"]: r for r in world.records_named(host) if r["Type"] == "A"}
        assert set(records) == {"PRIMARY", "SECONDARY"}
        assert records["PRIMARY"]["ResourceRecords"] == [{"Value": ORIGIN_IP}]
        assert records["PRIMARY"]["HealthCheckId"] == status["healthCheckId"]
        assert records["SECONDARY"]["AliasTarget"]["DNSName"] == world.distribution_domain + "."
        assert records["SECONDARY"]["AliasTarget"]["HostedZoneId"] == "Z2FDTNDATAQYW2"
    # Route53 answers with the origin while it is healthy
    assert world.aws.control.resolve(world.zone_id, "www.example.com", "A")["answer"] == "PRIMARY"
    conditions = {c["type"]: c["status"] for c in status["conditions"] if c["type"] != "PrimaryHealthy"}  # polled apart
    assert conditions == dict.fromkeys(
        ["CertificateValid", "CertificateSynced", "DistributionReady", "HealthCheckReady", "RecordsReady", "Ready"], "True"
    )


def test_waiting_for_aws_is_not_reported_as_an_error(world: World, operator_process: Any) -> None:
    """A create always waits (CloudFront deploying, Route53 PENDING): no Error Event, no ERROR log line for that."""
    world.aws.control.set_delays(cloudfront_deploy_seconds=2, route53_insync_seconds=1)
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS))
    world.wait_ready("site")
    # kopf posts one object's Events in order: once an Event from a later change shows, every earlier one has too
    world.patch_spec("site", {"mode": "Maintenance"})
    eventually(lambda: any(reason == "HealthCheckUpdated" for _, reason, _ in world.events("site")), 30, lambda: "no later Event")
    assert [event for event in world.events("site") if "failed temporarily" in event[2]] == []
    waits = [
        line for line in operator_process.log().splitlines() if f"[{world.namespace}/site]" in line and "temporarily" in line
    ]
    assert waits, "the create did wait for AWS (else this test proves nothing)"
    assert all("[INFO    ]" in line for line in waits), waits


def test_a_pass_with_nothing_to_do_reads_only_and_writes_no_status(world: World) -> None:
    """Level-based: a reconcile triggered without any change (here: a foreign annotation) makes reads only."""
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS))
    world.wait_ready("site")
    # the health poll writes PrimaryHealthy/activeTarget once; after that the status is at rest
    eventually(lambda: world.condition("site", "PrimaryHealthy").get("status") == "True", 30, lambda: "health not polled")
    before = world.wait_ready("site")
    world.aws.control.clear_calls()
    api = client.CustomObjectsApi(world.kube)
    api.patch_namespaced_custom_object(
        G, V, world.namespace, P, "site", {"metadata": {"annotations": {"example.com/touch": "1"}}}
    )

    def pass_finished() -> dict[str, object] | None:
        body = world.get("site") or {}
        handled = body["metadata"]["annotations"].get("kopf.failover.dev/last-handled-configuration", "")
        return body if "example.com/touch" in handled else None

    after = eventually(pass_finished, 30, lambda: "the pass for the annotation change did not finish")
    assert any(c["operation"] == "GetDistribution" for c in world.aws.control.calls()), "the pass read AWS"
    assert world.mutating_calls() == []
    assert after["status"] == before["status"]
    status_writes = [f for f in after["metadata"]["managedFields"] if f.get("subresource") == "status"]
    assert max(f["time"] for f in status_writes) == max(
        f["time"] for f in before["metadata"]["managedFields"] if f.get("subresource") == "status"
    )


def test_kubectl_wait_and_get_work(world: World, control_plane: ControlPlane) -> None:
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS))
    control_plane.kubectl_run("wait", "--for=condition=Ready", "--timeout=60s", "-n", world.namespace, "fd/site")
    table = control_plane.kubectl_run("get", "fd", "-n", world.namespace).stdout.splitlines()
    assert table[0].split()[:4] == ["NAME", "READY", "ACTIVE", "CERT-EXPIRY"]
    assert table[1].split()[:2] == ["site", "True"]
