"""Route 53 as the fidelity layer serves it, seen from a real boto3 client.

Why: the operator's failover logic is only tested if the bed refuses what AWS
refuses (stale versions, mismatched DELETEs, mixed routing), keeps changes
PENDING for a while, and routes DNS by health. Each test names the AWS
documentation it follows and fails when its rule is switched off with
FIDELITY_DISABLED_RULES=<rule>.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from testbed.awsbed import AwsBed

NO_RETRIES = {"total_max_attempts": 1}
CLOUDFRONT_ZONE = "Z2FDTNDATAQYW2"
ZONE = "example.com"
SITE = "www.example.com."


@pytest.fixture
def r53(aws: AwsBed) -> Any:
    """A Route 53 client without the 5 req/s quota (only test_quota_throttles is about it)."""
    aws.control.set_route53_quota(enabled=False)
    return aws.client("route53", retries=NO_RETRIES)


@pytest.fixture
def zone(r53: Any) -> str:
    return r53.create_hosted_zone(Name=ZONE, CallerReference="zone-1")["HostedZone"]["Id"]  # type: ignore[no-any-return]


# ---- helpers ------------------------------------------------------------------------------
def plain(name: str, values: list[str], type_: str = "A", ttl: int = 60, **extra: Any) -> dict[str, Any]:
    return {"Name": name, "Type": type_, "TTL": ttl, "ResourceRecords": [{"Value": value} for value in values], **extra}


def failover(name: str, role: str, type_: str = "A", **extra: Any) -> dict[str, Any]:
    ident: dict[str, Any] = {"SetIdentifier": role.lower(), "Failover": role}
    if "AliasTarget" in extra:
        return {"Name": name, "Type": type_, **ident, **extra}
    values = ["1.1.1.1"] if type_ == "A" else ["2606:4700:4700::1111"]
    return plain(name, values, type_, **ident, **extra)


def cloudfront_alias(type_: str) -> dict[str, Any]:
    alias = {"HostedZoneId": CLOUDFRONT_ZONE, "DNSName": "d111111abcdef8.cloudfront.net", "EvaluateTargetHealth": False}
    return failover(SITE, "SECONDARY", type_, AliasTarget=alias)


def change(r53: Any, zone: str, *changes: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    batch = {"Changes": [{"Action": action, "ResourceRecordSet": record} for action, record in changes]}
    return r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch=batch)["ChangeInfo"]  # type: ignore[no-any-return]


def records(r53: Any, zone: str) -> list[dict[str, Any]]:
    return [r for r in r53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"] if r["Type"] not in ("NS", "SOA")]


def refused(call: Callable[[], Any]) -> tuple[str, int, str]:
    """(error code, HTTP status, message) of a call that must fail."""
    with pytest.raises(ClientError) as failure:
        call()
    error = failure.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"], error["Error"].get("Message", "")


def health_check(r53: Any, reference: str = "hc-1", **config: Any) -> str:
    base = {"Type": "HTTPS", "FullyQualifiedDomainName": "origin.example.net", "ResourcePath": "/healthz", "Port": 443}
    return r53.create_health_check(CallerReference=reference, HealthCheckConfig={**base, **config})["HealthCheck"]["Id"]  # type: ignore[no-any-return]


def failover_pair(r53: Any, zone: str, health_check_id: str) -> None:
    change(r53, zone, ("CREATE", failover(SITE, "PRIMARY", HealthCheckId=health_check_id)), ("CREATE", cloudfront_alias("A")))


def wait_for(condition: Callable[[], Any], timeout: float = 5) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, f"condition not met within {timeout} s"
        time.sleep(0.05)
    return result


# ---- route53.quota ----------------------------------------------------------------------------
def test_quota_throttles(aws: AwsBed) -> None:
    """Route 53 Developer Guide, Quotas, "Number of API requests": 5 requests per second per account, then Throttling.

    The harness's own observation client is exempt (tests must not starve the operator they watch)."""
    r53 = aws.client("route53", principal="operator", retries=NO_RETRIES)
    code, status, _ = refused(lambda: [r53.list_hosted_zones() for _ in range(12)])
    assert (code, status) == ("Throttling", 400)
    harness = aws.client("route53", retries=NO_RETRIES)
    for _ in range(12):
        harness.list_hosted_zones()


# ---- route53.caller_reference ---------------------------------------------------------------------
def test_same_reference_and_settings_returns_the_existing_check(r53: Any) -> None:
    """Route 53 API Reference, CreateHealthCheck, CallerReference: same reference and settings return the existing check."""
    first, again = health_check(r53), health_check(r53)
    assert again == first
    assert [check["Id"] for check in r53.list_health_checks()["HealthChecks"]] == [first]


def test_same_reference_other_settings_is_refused(r53: Any) -> None:
    """Route 53 API Reference, CreateHealthCheck: same CallerReference, different settings -> HealthCheckAlreadyExists."""
    health_check(r53)
    assert refused(lambda: health_check(r53, Port=8443))[:2] == ("HealthCheckAlreadyExists", 409)
    assert len(r53.list_health_checks()["HealthChecks"]) == 1


def test_reference_of_deleted_check_cannot_be_reused(r53: Any) -> None:
    """Route 53 API Reference, CreateHealthCheck: the CallerReference of a deleted check -> HealthCheckAlreadyExists."""
    r53.delete_health_check(HealthCheckId=health_check(r53))
    assert refused(lambda: health_check(r53))[:2] == ("HealthCheckAlreadyExists", 409)
    assert r53.list_health_checks()["HealthChecks"] == []


# ---- route53.health_check_version ------------------------------------------------------------------
def test_version_increments_and_stale_version_is_refused(r53: Any) -> None:
    """Route 53 API Reference, UpdateHealthCheck, HealthCheckVersion: starts at 1, +1 per update; a stale one -> 409."""
    check_id = health_check(r53)
    assert r53.get_health_check(HealthCheckId=check_id)["HealthCheck"]["HealthCheckVersion"] == 1
    r53.update_health_check(HealthCheckId=check_id, HealthCheckVersion=1, Disabled=True)
    r53.update_health_check(HealthCheckId=check_id, Inverted=True)
    assert r53.get_health_check(HealthCheckId=check_id)["HealthCheck"]["HealthCheckVersion"] == 3
    code, status, _ = refused(lambda: r53.update_health_check(HealthCheckId=check_id, HealthCheckVersion=2, Disabled=False))
    assert (code, status) == ("HealthCheckVersionMismatch", 409)
    assert r53.get_health_check(HealthCheckId=check_id)["HealthCheck"]["HealthCheckConfig"]["Disabled"] is True


def test_update_keeps_unsent_members_resets_elements_and_sets_false(r53: Any) -> None:
    """Route 53 API Reference, UpdateHealthCheck: only sent members change; ResetElements resets to null; false is a value."""
    regions = ["us-east-1", "us-west-1", "eu-west-1"]
    check_id = health_check(r53, Regions=regions, Inverted=True, Disabled=True)
    r53.update_health_check(HealthCheckId=check_id, Inverted=False, Disabled=False, ResetElements=["ResourcePath"])
    config = r53.get_health_check(HealthCheckId=check_id)["HealthCheck"]["HealthCheckConfig"]
    assert (config["Inverted"], config["Disabled"], config.get("ResourcePath")) == (False, False, None)
    assert config["Regions"] == regions
    r53.update_health_check(HealthCheckId=check_id, ResetElements=["Regions"])
    reset = r53.get_health_check(HealthCheckId=check_id)["HealthCheck"]["HealthCheckConfig"]["Regions"]
    assert len(reset) == 8, "reset to the default: every checker region (rule route53.default_regions)"


# ---- route53.change_batch ----------------------------------------------------------------------------
def test_failover_pair_with_cloudfront_alias_in_one_batch(r53: Any, zone: str) -> None:
    """Route 53 API Reference, ChangeResourceRecordSets (failover alias syntax); ListResourceRecordSets returns the
    alias DNSName with its trailing dot and the records in AWS order (name, then type, then set)."""
    check_id = health_check(r53)
    change(
        r53,
        zone,
        ("CREATE", failover(SITE, "PRIMARY", "A", HealthCheckId=check_id)),
        ("CREATE", cloudfront_alias("A")),
        ("CREATE", failover(SITE, "PRIMARY", "AAAA", HealthCheckId=check_id)),
        ("CREATE", cloudfront_alias("AAAA")),
    )
    listed = records(r53, zone)
    sets = [(r["Type"], r["SetIdentifier"]) for r in listed]
    assert sets == [("A", "primary"), ("A", "secondary"), ("AAAA", "primary"), ("AAAA", "secondary")]
    expected_alias = {"HostedZoneId": CLOUDFRONT_ZONE, "DNSName": "d111111abcdef8.cloudfront.net.", "EvaluateTargetHealth": False}
    assert [r["AliasTarget"] for r in listed if "AliasTarget" in r] == [expected_alias] * 2


def test_create_of_existing_set_is_refused(r53: Any, zone: str) -> None:
    """Route 53 API Reference, ChangeResourceRecordSets, CREATE: fails if the record set already exists."""
    change(r53, zone, ("CREATE", plain("x.example.com", ["1.1.1.1"])))
    code, _, message = refused(lambda: change(r53, zone, ("CREATE", plain("X.example.com.", ["1.1.1.1"]))))
    assert code == "InvalidChangeBatch"
    assert "Tried to create resource record set [name='x.example.com.', type='A'] but it already exists" in message


def test_delete_must_match_exactly_and_exist(r53: Any, zone: str) -> None:
    """Route 53 API Reference, ChangeResourceRecordSets: "To delete a resource record set, you must specify all the same
    values that you specified when you created it"; deleting a missing one is an InvalidChangeBatch."""
    change(r53, zone, ("CREATE", plain("x.example.com", ["1.1.1.1", "1.0.0.1"])))
    _, _, message = refused(lambda: change(r53, zone, ("DELETE", plain("x.example.com", ["1.1.1.1", "1.0.0.1"], ttl=300))))
    assert "but the values provided do not match the current values" in message
    assert len(records(r53, zone)) == 1
    _, _, message = refused(lambda: change(r53, zone, ("DELETE", plain("y.example.com", ["1.1.1.1"]))))
    assert "Tried to delete resource record set [name='y.example.com.', type='A'] but it was not found" in message
    change(r53, zone, ("DELETE", plain("x.example.com", ["1.0.0.1", "1.1.1.1"])))
    assert records(r53, zone) == []


def test_delete_removes_only_that_set(r53: Any, zone: str) -> None:
    """Route 53 API Reference, ChangeResourceRecordSets: a record set is its name, type and SetIdentifier; DELETE
    removes that one, not every set sharing the SetIdentifier."""
    change(r53, zone, ("CREATE", failover(SITE, "PRIMARY", "A")), ("CREATE", failover(SITE, "PRIMARY", "AAAA")))
    change(r53, zone, ("DELETE", failover(SITE, "PRIMARY", "A")))
    assert [(r["Type"], r["SetIdentifier"]) for r in records(r53, zone)] == [("AAAA", "primary")]


def test_upsert_replaces_and_creates(r53: Any, zone: str) -> None:
    """Route 53 API Reference, ChangeResourceRecordSets, UPSERT: creates the set if missing, else replaces its values."""
    change(r53, zone, ("UPSERT", plain("x.example.com", ["1.1.1.1"])))
    change(r53, zone, ("UPSERT", plain("X.EXAMPLE.COM", ["9.9.9.9"], ttl=30)))
    assert records(r53, zone) == [plain("x.example.com.", ["9.9.9.9"], ttl=30)]


def test_batch_is_atomic(r53: Any, zone: str) -> None:
    """Route 53 API Reference, ChangeResourceRecordSets: "Route 53 validates the changes ... then either makes all or
    none of the changes"; a name outside the zone (label boundary, not a suffix) invalidates the batch."""
    bad = plain("notexample.com", ["1.0.0.1"])
    code, _, message = refused(lambda: change(r53, zone, ("CREATE", plain("good.example.com", ["1.1.1.1"])), ("CREATE", bad)))
    assert code == "InvalidChangeBatch"
    assert "RRSet with DNS name notexample.com. is not permitted in zone example.com." in message
    assert records(r53, zone) == []


def test_unknown_health_check_is_refused(r53: Any, zone: str) -> None:
    """Route 53 API Reference, ChangeResourceRecordSets, Errors: NoSuchHealthCheck for a HealthCheckId that does not exist."""
    missing = "11111111-2222-3333-4444-555555555555"
    create = ("CREATE", failover(SITE, "PRIMARY", HealthCheckId=missing))
    assert refused(lambda: change(r53, zone, create))[:2] == ("NoSuchHealthCheck", 404)
    assert records(r53, zone) == []


def test_ttl_with_alias_or_neither_is_invalid_input(r53: Any, zone: str) -> None:
    """Route 53 API Reference, ResourceRecordSet, TTL/AliasTarget: an alias has no TTL; a non-alias needs TTL and records."""
    with_ttl = {**cloudfront_alias("A"), "TTL": 60}
    bare = {"Name": SITE, "Type": "A"}
    assert refused(lambda: change(r53, zone, ("CREATE", with_ttl)))[:2] == ("InvalidInput", 400)
    assert refused(lambda: change(r53, zone, ("CREATE", bare)))[:2] == ("InvalidInput", 400)
    assert records(r53, zone) == []


def test_one_primary_per_name_and_type(r53: Any, zone: str) -> None:
    """Route 53 Developer Guide, Failover routing: one primary and one secondary record per name and type."""
    second_primary = {**failover(SITE, "PRIMARY"), "SetIdentifier": "primary-2"}
    code, _, _ = refused(lambda: change(r53, zone, ("CREATE", failover(SITE, "PRIMARY")), ("CREATE", second_primary)))
    assert code == "InvalidChangeBatch"
    assert records(r53, zone) == []


def test_names_are_stored_lowercase_escaped_and_listed_in_aws_order(r53: Any, zone: str) -> None:
    """Route 53 Developer Guide, DNS domain name format (lowercase, ``*`` returned as ``\\052``); API Reference,
    ListResourceRecordSets, sort order: labels reversed with the trailing dot, so ``a-b`` sorts before ``a``."""
    names = ["B.example.com", "a.example.com", "*.example.com", "a-b.example.com"]
    change(r53, zone, *[("CREATE", plain(name, ["1.1.1.1"])) for name in names])
    listed = [r["Name"] for r in records(r53, zone)]
    assert listed == ["\\052.example.com.", "a-b.example.com.", "a.example.com.", "b.example.com."]
    page = r53.list_resource_record_sets(HostedZoneId=zone, StartRecordName="a.example.com", MaxItems="1")
    assert ([r["Name"] for r in page["ResourceRecordSets"]], page["NextRecordName"]) == (["a.example.com."], "b.example.com.")


# ---- route53.failover_exclusive ------------------------------------------------------------------------
def test_simple_and_failover_sets_cannot_coexist(r53: Any, zone: str) -> None:
    """Route 53 Developer Guide, Choosing a routing policy: records with the same name and type must all use the same
    routing policy, so a simple record excludes failover records (and vice versa)."""
    change(r53, zone, ("CREATE", plain(SITE, ["1.1.1.1"])))
    code, _, message = refused(lambda: change(r53, zone, ("CREATE", failover(SITE, "PRIMARY"))))
    assert code == "InvalidChangeBatch"
    assert "SetIdentifier primary cannot be created because a non multivalue answer rrset exists" in message
    assert [r.get("SetIdentifier") for r in records(r53, zone)] == [None]


def test_cname_cannot_coexist_with_other_types(r53: Any, zone: str) -> None:
    """RFC 1034 section 3.6.2 as Route 53 enforces it (Developer Guide, Supported DNS record types, CNAME)."""
    change(r53, zone, ("CREATE", plain(SITE, ["1.1.1.1"])))
    code, _, message = refused(lambda: change(r53, zone, ("CREATE", plain(SITE, ["origin.example.net"], "CNAME"))))
    assert code == "InvalidChangeBatch"
    assert "RRSet of type CNAME with DNS name www.example.com. is not permitted" in message
    assert [r["Type"] for r in records(r53, zone)] == ["A"]


# ---- route53.change_delay -----------------------------------------------------------------------------
def test_change_is_pending_then_insync(aws: AwsBed, r53: Any, zone: str) -> None:
    """Route 53 API Reference, GetChange: PENDING until the change reached all Route 53 DNS servers, then INSYNC;
    ChangeInfo.Id identifies that change (NoSuchChange for an unknown one)."""
    aws.control.set_delays(route53_insync_seconds=0.5)
    first = change(r53, zone, ("CREATE", plain("a.example.com", ["1.1.1.1"])))
    second = change(r53, zone, ("CREATE", plain("b.example.com", ["1.1.1.1"])))
    assert (first["Status"], second["Status"]) == ("PENDING", "PENDING")
    assert first["Id"] != second["Id"] and first["Id"].startswith("/change/C") and len(first["Id"]) >= len("/change/C") + 13
    wait_for(lambda: r53.get_change(Id=first["Id"])["ChangeInfo"]["Status"] == "INSYNC")
    assert refused(lambda: r53.get_change(Id="CNOSUCHCHANGE0000"))[:2] == ("NoSuchChange", 404)


# ---- route53.health_status ------------------------------------------------------------------------------
def status_of(r53: Any, check_id: str) -> str:
    observations = r53.get_health_check_status(HealthCheckId=check_id)["HealthCheckObservations"]
    statuses = {observation["StatusReport"]["Status"].split(":")[0] for observation in observations}
    assert len(statuses) == 1, statuses
    return statuses.pop()  # type: ignore[no-any-return]


def test_health_status_follows_endpoint_disabled_and_inverted(aws: AwsBed, r53: Any) -> None:
    """Route 53 Developer Guide, How Route 53 determines whether a health check is healthy / Disabled / Inverted:
    a disabled check is healthy; Inverted flips the status (Disabled+Inverted = unhealthy)."""
    check_id = health_check(r53)
    assert status_of(r53, check_id) == "Success"
    aws.control.set_health(check_id, False)
    assert status_of(r53, check_id) == "Failure"
    r53.update_health_check(HealthCheckId=check_id, Disabled=True)
    assert status_of(r53, check_id) == "Success"
    r53.update_health_check(HealthCheckId=check_id, Inverted=True)
    assert status_of(r53, check_id) == "Failure"


# ---- resolve (control API) ---------------------------------------------------------------------------------
def test_resolve_fails_over_to_secondary_when_primary_unhealthy(aws: AwsBed, r53: Any, zone: str) -> None:
    """Route 53 Developer Guide, Active-passive failover: the primary while healthy, else a healthy secondary."""
    check_id = health_check(r53)
    failover_pair(r53, zone, check_id)
    assert aws.control.resolve(zone, SITE)["answer"] == "PRIMARY"
    aws.control.set_health(check_id, False)
    answer = aws.control.resolve(zone, SITE)
    assert (answer["answer"], answer["set_identifier"]) == ("SECONDARY", "secondary")
    assert answer["alias"] == "d111111abcdef8.cloudfront.net."


def test_resolve_maintenance_mode_and_disabled_check(aws: AwsBed, r53: Any, zone: str) -> None:
    """Route 53 Developer Guide, Health check settings, Disabled and Inverted: Disabled alone keeps the primary
    (a disabled check is healthy); Disabled+Inverted makes it unhealthy, so DNS answers the secondary."""
    check_id = health_check(r53)
    failover_pair(r53, zone, check_id)
    aws.control.set_health(check_id, False)
    r53.update_health_check(HealthCheckId=check_id, Disabled=True)
    assert aws.control.resolve(zone, SITE)["answer"] == "PRIMARY"
    r53.update_health_check(HealthCheckId=check_id, Inverted=True)
    assert aws.control.resolve(zone, SITE)["answer"] == "SECONDARY"


def test_resolve_simple_nodata_nxdomain(aws: AwsBed, r53: Any, zone: str) -> None:
    """RFC 2308 negative answers: NODATA when the name has other types, NXDOMAIN when it has none."""
    change(r53, zone, ("CREATE", plain(SITE, ["1.1.1.1"])))
    assert aws.control.resolve(zone, "WWW.example.com")["values"] == ["1.1.1.1"]
    assert aws.control.resolve(zone, SITE, "AAAA")["answer"] == "NODATA"
    assert aws.control.resolve(zone, "nope.example.com", "A")["answer"] == "NXDOMAIN"
