"""The operator against AWS's own dialect and quotas, as the fidelity layer reproduces them.

Each test would fail against the operator as it was before it learnt the rule:
it compared ACM's KeyAlgorithm string (AWS writes ``RSA-2048``), tried to add an
IPAddress to a check in place, wedged on HealthCheckAlreadyExists, reported
IllegalUpdate as an error, retried a used-up import quota, and wrote AAAA
aliases to distributions without IPv6. The AWS pages each rule follows are
named in the rule's docstring (tests/testbed/fidelity) and below.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from failover_operator.model import naming
from failover_operator.model.healthcheck import desired_health_check, immutable_fingerprint
from failover_operator.model.spec import parse_spec
from testbed.controlplane import free_port
from testbed.world import GENERATED_KEYS, World, create_distribution, eventually

HOSTS = ["www.example.com"]


def _operator_calls(world: World, operation: str) -> list[dict[str, Any]]:
    return [c for c in world.aws.control.calls() if c["principal"] == "operator" and c["operation"] == operation]


def _bump(world: World, name: str, threshold: int) -> None:
    """A spec change that forces a full pass (and changes only the health check's FailureThreshold)."""
    world.patch_spec(name, {"healthCheck": {"path": "/healthz", "failureThreshold": threshold}})
    world.wait_ready(name)


@pytest.mark.parametrize("key", ["rsa2048", "ec256"])
def test_acm_certificate_is_imported_once_however_many_passes(world: World, key: str) -> None:
    """AWS CLI reference, acm describe-certificate: KeyAlgorithm reads "RSA-2048" / "EC-prime256v1".

    Comparing that string with the request enum's "RSA_2048" took the key-change
    path on every pass: a new import, a new ARN, a distribution switch.
    """
    world.tls_secret("site-tls", HOSTS, key=key)
    world.apply("site", world.spec(HOSTS))
    arn = world.wait_ready("site")["status"]["certificate"]["arn"]
    for threshold in (4, 5):
        _bump(world, "site", threshold)
    body = world.wait_ready("site")
    assert body["status"]["certificate"]["arn"] == arn
    assert len(_operator_calls(world, "ImportCertificate")) == 1
    assert world.distribution_config()["ViewerCertificate"]["ACMCertificateArn"] == arn
    assert not [e for e in world.events("site") if e[1] == "KeyTypeChanged"]


def test_records_pending_shows_unknown_pending(world: World) -> None:
    """Route 53 API Reference, GetChange: a change is PENDING until every name server has it (INSYNC)."""
    world.aws.control.set_delays(route53_insync_seconds=6)
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS))
    pending = world.wait_condition("site", "RecordsReady", "Unknown", "Pending", timeout=60)
    ready = next(c for c in pending["status"]["conditions"] if c["type"] == "Ready")
    assert (ready["status"], ready["reason"]) == ("False", "Pending")
    world.wait_ready("site", timeout=60)


def test_acm_import_quota_is_reported_at_once(world: World) -> None:
    """ACM User Guide, "Quotas": LimitExceededException on import is not transient; botocore must not repeat it."""
    world.aws.control.set_quotas(acm_imports_per_year=0)
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS))
    body = world.wait_condition("site", "CertificateSynced", "False", "QuotaExceeded")
    synced = next(c for c in body["status"]["conditions"] if c["type"] == "CertificateSynced")
    assert "LimitExceededException" in synced["message"]
    assert [c["error"] for c in _operator_calls(world, "ImportCertificate")] == ["LimitExceededException"]
    assert world.mutating_calls() == [("acm", "ImportCertificate")]


def test_iam_certificate_quota_is_reported_at_once(world: World) -> None:
    """IAM User Guide, "IAM and AWS STS quotas": 20 server certificates; past it LimitExceeded."""
    world.aws.control.set_quotas(iam_server_certificates=0)
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS, certificate={"secretName": "site-tls", "store": "IAM"}))
    world.wait_condition("site", "CertificateSynced", "False", "QuotaExceeded")
    assert [c["error"] for c in _operator_calls(world, "UploadServerCertificate")] == ["LimitExceeded"]


def test_certificate_must_cover_the_users_other_aliases(world: World) -> None:
    """CloudFront refuses a viewer certificate that leaves an alias uncovered: caught before any write."""
    cloudfront = world.aws.client("cloudfront")
    user = world.aws.issue(["shop.example.com"])
    GENERATED_KEYS.append(user.key_pem())
    arn = world.aws.client("acm").import_certificate(Certificate=user.cert_pem.encode(), PrivateKey=user.key_pem().encode())
    current = cloudfront.get_distribution_config(Id=world.distribution_id)
    config = current["DistributionConfig"]
    config["Aliases"] = {"Quantity": 1, "Items": ["shop.example.com"]}
    config["ViewerCertificate"] = {"ACMCertificateArn": arn["CertificateArn"], "SSLSupportMethod": "sni-only"}
    cloudfront.update_distribution(Id=world.distribution_id, DistributionConfig=config, IfMatch=current["ETag"])
    world.aws.control.clear_calls()
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS))
    body = world.wait_condition("site", "CertificateValid", "False", "HostnameNotCovered")
    assert "shop.example.com" in next(c for c in body["status"]["conditions"] if c["type"] == "CertificateValid")["message"]
    assert world.mutating_calls() == []


def test_ipv6_primary_needs_a_distribution_with_ipv6(world: World) -> None:
    """Route 53 Developer Guide, failover alias records: an AAAA alias to a distribution without IPv6 answers nothing."""
    no_ipv6 = create_distribution(world.aws, comment="IPv4 only", ipv6=False)
    world.aws.control.clear_calls()
    world.tls_secret("site-tls", HOSTS)
    spec = world.spec(HOSTS, secondary={"distributionId": no_ipv6["Id"]})
    spec["primary"] = {"addresses": {"ipv4": ["1.1.1.1"], "ipv6": ["2606:4700:4700::1111"]}}
    world.apply("site", spec)
    world.wait_condition("site", "DistributionReady", "False", "IPv6NotEnabled")
    assert world.mutating_calls() == []


def test_second_certificate_switch_waits_for_the_first(world: World) -> None:
    """UpdateDistribution: IllegalUpdate "Only one viewer certificate change may be in progress at a time" is temporary."""
    world.aws.control.set_delays(cloudfront_deploy_seconds=4)
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS, certificate={"secretName": "site-tls", "store": "IAM"}))
    first = world.wait_ready("site", timeout=90)["status"]["certificate"]["serverCertificateId"]
    world.tls_secret("site-tls", HOSTS)  # renewal 1: a new IAM certificate, a switch that deploys for 4 s
    eventually(
        lambda: world.distribution_config()["ViewerCertificate"].get("IAMCertificateId") != first,
        30,
        lambda: "the first renewal was not switched in",
    )
    renewed = world.tls_secret("site-tls", HOSTS)  # renewal 2, while switch 1 is still deploying
    body = eventually(
        lambda: (b := world.wait_ready("site", timeout=90))["status"]["certificate"]["sha256Fingerprint"]
        == _fingerprint(renewed)
        and b,
        90,
        lambda: "renewal 2 did not converge",
    )
    served = world.distribution_config()["ViewerCertificate"]["IAMCertificateId"]
    assert served == body["status"]["certificate"]["serverCertificateId"]
    assert any(c["error"] == "IllegalUpdate" for c in _operator_calls(world, "UpdateDistribution")), "the race was not run"
    warnings = [e for e in world.events("site") if e[0] == "Warning"]
    assert warnings == [], f"waiting for a deployment is not an error: {warnings}"


def _fingerprint(issued: Any) -> str:
    return hashlib.sha256(issued.der).hexdigest()


def test_crash_between_create_and_status_write_adopts_the_check(world: World) -> None:
    """Route 53 API Reference, CreateHealthCheck: the same CallerReference with other settings answers
    HealthCheckAlreadyExists. After a crash before the new id reached status, and then a spec change, the
    operator finds its check by CallerReference (ListHealthChecks), adopts it and updates it: never a second one.
    """
    spec = world.spec(HOSTS)
    world.apply("site", spec)  # no Secret yet: pre-flight stops, nothing is created
    world.wait_condition("site", "CertificateValid", "False", "SecretNotFound")
    uid = (world.get("site") or {})["metadata"]["uid"]
    desired = desired_health_check(parse_spec(spec), "Auto")
    owner = naming.Owner(world.namespace, "site", uid)
    reference = naming.health_check_caller_reference(owner, immutable_fingerprint(desired), 1)
    crashed = {**desired, "Port": 8443}  # what the interrupted pass created, before spec.healthCheck.port changed
    orphan = world.aws.client("route53").create_health_check(CallerReference=reference, HealthCheckConfig=crashed)["HealthCheck"]
    world.tls_secret("site-tls", HOSTS)
    body = world.wait_ready("site")
    assert body["status"]["healthCheckId"] == orphan["Id"]
    checks = world.health_checks()
    assert [check["Id"] for check in checks] == [orphan["Id"]]
    assert checks[0]["HealthCheckConfig"]["Port"] == 443
    tags = world.aws.client("route53").list_tags_for_resource(ResourceType="healthcheck", ResourceId=orphan["Id"])
    assert {"Key": naming.TAG_OWNER, "Value": f"{world.namespace}/site"} in tags["ResourceTagSet"]["Tags"]


def test_adding_an_ip_address_replaces_the_check(world: World) -> None:
    """Route 53 API Reference, UpdateHealthCheck, IPAddress: a check by name cannot become a check by address."""
    world.tls_secret("site-tls", HOSTS)
    alias = {"alias": {"dnsName": "origin-lb.example.net", "hostedZoneId": "Z35SXDOTRQ7X7K"}}
    world.apply("site", world.spec(HOSTS, primary=alias))
    before = world.wait_ready("site")["status"]["healthCheckId"]
    world.patch_spec("site", {"primary": {"alias": None, "addresses": {"ipv4": ["1.1.1.1"]}}})
    after = eventually(
        lambda: (b := world.wait_ready("site"))["status"]["healthCheckId"] != before and b, 60, lambda: "not replaced"
    )
    checks = {check["Id"]: check for check in world.health_checks()}
    assert list(checks) == [after["status"]["healthCheckId"]], "the old check is deleted once nothing points at it"
    assert checks[after["status"]["healthCheckId"]]["HealthCheckConfig"]["IPAddress"] == "1.1.1.1"


def test_operator_refuses_to_start_outside_the_aws_partition(operator_process: Any, tmp_path: Path) -> None:
    """CloudFront with ACM certificates and the alias zone Z2FDTNDATAQYW2 exist only in the aws partition."""
    env = {**operator_process.env, "AWS_REGION": "cn-north-1", "AWS_DEFAULT_REGION": "cn-north-1"}
    env.update({"FAILOVER_METRICS_PORT": "0", "TEST_LIVENESS_PORT": str(free_port())})
    refused = type(operator_process)(env, tmp_path / "cn.log", namespaces="nothing-here")  # the operator, as it runs
    refused.start()
    try:
        assert refused.process is not None
        eventually(lambda: refused.process.poll() is not None, 60, lambda: f"still running: {refused.log()[-500:]}")
    finally:
        refused.stop()
    assert refused.process.returncode != 0
    assert "cn-north-1 is in the aws-cn partition" in refused.log()
