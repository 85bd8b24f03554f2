"""Behaviour the mutation check (tests/mutation) found no test for: each test here catches a named mutation.

* the Secret watch delivers a renewal (not only the periodic drift check): ``secret-watch-ignored``;
* Ready waits until Route53 reports the record change INSYNC: ``records-pending-as-insync``;
* a distribution edited between the operator's read and its write: the stale write is refused, the
  operator re-reads at once and keeps the user's edit: ``distribution-stale-etag-retry``,
  ``distribution-precondition-not-retried``;
* a crash right after CreateHealthCheck leaks no check, even if the spec changes meanwhile:
  ``health-check-id-not-persisted``;
* routing records with someone else's SetIdentifier block and are never touched: ``foreign-set-identifier-owned``.
* a certificate from a trusted CA that misses a hostname, or comes with another certificate's key, is refused
  by its own check (the bad-Secret cases use self-signed certificates, which a later check refuses anyway):
  ``hostnames-not-checked``, ``key-mismatch-undetected``.

Like every integration test, they read the outcome back from the AWS test bed and the FailoverDomain's status.
"""

from __future__ import annotations

import time
from typing import Any

import certgen
from testbed.world import GENERATED_KEYS, World, eventually

HOSTS = ["www.example.com"]
DIGEST_ANNOTATION = "failover.dev/secret-digest"


def _operator_calls(world: World, operation: str) -> list[dict[str, Any]]:
    return [c for c in world.aws.control.calls() if c["operation"] == operation and c["principal"] == "operator"]


def _annotation(world: World, name: str, key: str) -> str | None:
    return ((world.get(name) or {}).get("metadata", {}).get("annotations") or {}).get(key)


def test_a_renewed_secret_reaches_its_failover_domain_through_the_watch(world: World) -> None:
    """The drift check would find a renewal too, but only every few minutes in production: the watch must."""
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS))
    arn = world.wait_ready("site")["status"]["certificate"]["arn"]
    before = _annotation(world, "site", DIGEST_ANNOTATION)
    renewed = world.aws.issue(HOSTS)
    GENERATED_KEYS.append(renewed.key_pem())
    world.put_secret("site-tls", certgen.tls_secret_data(renewed))
    eventually(
        lambda: _annotation(world, "site", DIGEST_ANNOTATION) not in (None, before, "deleted"),
        30,
        lambda: f"the Secret change never reached the FailoverDomain (digest annotation still {before!r})",
    )
    world.wait_settled("site")  # the pass the annotation triggered has been handled
    serial = world.aws.client("acm").describe_certificate(CertificateArn=arn)["Certificate"]["Serial"]
    assert int(serial.replace(":", ""), 16) == renewed.cert.serial_number


def test_ready_waits_until_route53_reports_the_records_insync(world: World) -> None:
    """Route 53 API Reference, GetChange: PENDING until every authoritative server has the change."""
    world.aws.control.set_delays(cloudfront_deploy_seconds=0, route53_insync_seconds=6)
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS))
    pending_ids: set[str] = set()
    pending_seen: list[str] = []

    def ready() -> dict[str, Any] | None:
        body = world.get("site") or {}
        status = body.get("status", {})
        if status.get("recordsChangeId"):
            pending_ids.add(status["recordsChangeId"])
        conditions = {c["type"]: c for c in status.get("conditions", [])}
        if conditions.get("RecordsReady", {}).get("reason") == "Pending":
            pending_seen.append(conditions["RecordsReady"]["status"])
        return body if conditions.get("Ready", {}).get("status") == "True" else None

    body = eventually(ready, 60, lambda: f"not Ready: {world.condition('site', 'Ready')}")
    ready_at = time.time()
    submitted = _operator_calls(world, "ChangeResourceRecordSets")
    assert len(submitted) == 1
    assert ready_at - submitted[0]["time"] >= 5, "Ready while the record change was still PENDING"
    assert pending_ids and set(pending_seen) == {"Unknown"}, "RecordsReady showed the PENDING change while it waited"
    route53 = world.aws.client("route53")
    assert [route53.get_change(Id=change)["ChangeInfo"]["Status"] for change in pending_ids] == ["INSYNC"]
    assert body["status"].get("recordsChangeId") is None


def test_a_distribution_edited_between_read_and_write_is_reread_not_overwritten(world: World) -> None:
    """CloudFront API Reference, UpdateDistribution: IfMatch is the ETag of the config read; a stale one is
    PreconditionFailed. The operator read the distribution in pre-flight; while it imports the certificate
    (slowed down here), the user edits the distribution, so the operator's ETag is stale."""
    world.aws.control.set_delays(cloudfront_deploy_seconds=0)
    world.aws.control.inject("latency", service="acm", operation="ImportCertificate", latency_ms=4000)
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS))
    eventually(lambda: _operator_calls(world, "GetDistribution"), 30, lambda: "the operator never read the distribution")
    cloudfront = world.aws.client("cloudfront")
    response = cloudfront.get_distribution_config(Id=world.distribution_id)
    edited = response["DistributionConfig"]
    edited["Comment"] = "edited by the user"
    cloudfront.update_distribution(Id=world.distribution_id, DistributionConfig=edited, IfMatch=response["ETag"])
    world.wait_ready("site")
    config = world.distribution_config()
    assert config["Comment"] == "edited by the user", "the user's edit is kept: the retry started from a fresh read"
    assert config["Aliases"].get("Items") == HOSTS
    updates = [c["error"] for c in _operator_calls(world, "UpdateDistribution")]
    assert updates == ["PreconditionFailed", None], "one stale write refused, then one write with the fresh ETag"
    assert [e for e in world.events("site") if e[0] == "Warning"] == [], "a lost ETag race is retried at once, not an error"
    assert not any(reason == "DriftRepaired" for _, reason, _ in world.events("site")), "the pass itself finished the job"


def test_operator_killed_right_after_creating_the_health_check_leaves_no_orphan(world: World, operator_process: Any) -> None:
    """The new check's id must be in status before anything else happens: after a crash, and a spec change
    that needs a new check (RequestInterval is immutable), the next pass replaces the check instead of
    forgetting it (an orphan probing the origin, billed forever)."""
    world.aws.control.set_delays(cloudfront_deploy_seconds=0)
    world.aws.control.inject("latency", service="route53", operation="ChangeTagsForResource", latency_ms=6000)
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS))
    eventually(lambda: _operator_calls(world, "CreateHealthCheck"), 60, lambda: "no health check created")
    time.sleep(1.5)  # the operator is now waiting for ChangeTagsForResource (6 s)
    operator_process.kill()
    world.patch_spec("site", {"healthCheck": {"path": "/healthz", "requestInterval": 10}})
    operator_process.start()
    body = world.wait_ready("site", timeout=120)
    checks = world.health_checks()
    assert [c["Id"] for c in checks] == [body["status"]["healthCheckId"]], "the check created before the crash leaked"
    assert checks[0]["HealthCheckConfig"]["RequestInterval"] == 10
    primary = next(r for r in world.records_named("www.example.com") if r.get("Failover") == "PRIMARY")
    assert primary["HealthCheckId"] == checks[0]["Id"]


def test_routing_records_owned_by_someone_else_block_and_are_left_alone(world: World) -> None:
    """Ownership is our SetIdentifier, not any SetIdentifier: a weighted record someone else made is theirs."""
    weighted = {
        "Name": "www.example.com.",
        "Type": "A",
        "SetIdentifier": "blue",
        "Weight": 100,
        "TTL": 60,
        "ResourceRecords": [{"Value": "9.9.9.9"}],
    }
    world.aws.client("route53").change_resource_record_sets(
        HostedZoneId=world.zone_id, ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": weighted}]}
    )
    world.aws.control.clear_calls()
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS, adoptExistingRecords=True))  # adoption covers simple records only
    body = world.wait_condition("site", "RecordsReady", "False", "HostnameConflict")
    message = next(c for c in body["status"]["conditions"] if c["type"] == "RecordsReady")["message"]
    assert "'blue'" in message
    assert world.mutating_calls() == []
    records = world.records_named("www.example.com")
    assert [(r.get("SetIdentifier"), r.get("Weight"), r.get("ResourceRecords")) for r in records] == [
        ("blue", 100, [{"Value": "9.9.9.9"}])
    ]


def _certificate_verdict(world: World) -> dict[str, Any]:
    """CertificateValid once pre-flight has judged the Secret (whatever the verdict)."""

    def judged() -> dict[str, Any] | None:
        condition = world.condition("site", "CertificateValid")
        return condition if condition.get("observedGeneration") == 1 and condition.get("status") != "Unknown" else None

    verdict: dict[str, Any] = eventually(judged, 30, lambda: f"CertificateValid never judged: {world.condition('site', 'Ready')}")
    return verdict


def test_a_trusted_certificate_that_does_not_cover_a_hostname_is_rejected(world: World) -> None:
    """Valid and from a trusted CA, but for other names: only the hostname check stands between it and CloudFront."""
    issued = world.aws.issue(["other.example.com"])
    GENERATED_KEYS.append(issued.key_pem())
    world.put_secret("site-tls", certgen.tls_secret_data(issued))
    world.apply("site", world.spec(HOSTS))
    verdict = _certificate_verdict(world)
    assert (verdict["status"], verdict["reason"]) == ("False", "HostnameNotCovered"), verdict
    assert "www.example.com" in verdict["message"]
    assert world.mutating_calls() == []


def test_a_trusted_certificate_with_another_certificates_key_is_rejected(world: World) -> None:
    """Both certificates are valid and trusted; tls.key belongs to neither one in tls.crt: KeyMismatch, no AWS call."""
    one, other = world.aws.issue(HOSTS, key="ec256"), world.aws.issue(HOSTS, key="ec256")
    GENERATED_KEYS.extend([one.key_pem(), other.key_pem()])
    world.put_secret("site-tls", {"tls.crt": certgen.b64(one.cert_pem), "tls.key": certgen.b64(other.key_pem())})
    world.apply("site", world.spec(HOSTS))
    verdict = _certificate_verdict(world)
    assert (verdict["status"], verdict["reason"]) == ("False", "KeyMismatch"), verdict
    assert world.mutating_calls() == []


def test_a_lost_import_answer_costs_no_second_import(world: World) -> None:
    """ImportCertificate is not idempotent and ACM caps imports per year (re-imports included): when AWS imported
    but the answer was lost, the certificate is found again by its tag, never imported a second time."""
    world.aws.control.inject("lost_response", service="acm", operation="ImportCertificate")
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS))
    body = world.wait_ready("site")
    calls = _operator_calls(world, "ImportCertificate")
    assert "LostResponse" in [c["error"] for c in calls], "the fault fired"
    assert len([c for c in calls if c["error"] != "LostResponse"]) == 1, "one import reached ACM, and only one"
    listed = world.aws.client("acm").list_certificates(Includes={"keyTypes": ["RSA_2048"]})["CertificateSummaryList"]
    assert [c["CertificateArn"] for c in listed] == [body["status"]["certificate"]["arn"]]
