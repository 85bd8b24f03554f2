"""Route53 calls: hosted zones, record sets, change status, health checks.

Thin verb_noun wrappers that take and return plain dicts in the API's own
shapes; planning what to change is the model's job (operations as data), so a
later version can batch record changes for one zone across FailoverDomains.
"""

from __future__ import annotations

from typing import Any

from .errors import call, call_or_none

Record = dict[str, Any]


def find_zone_by_id(route53: Any, zone_id: str) -> dict[str, Any] | None:
    response = call_or_none(route53.get_hosted_zone, missing=("InvalidInput",), Id=zone_id)
    return dict(response["HostedZone"]) if response else None


def find_zone_by_name(route53: Any, zone_name: str) -> dict[str, Any] | None:
    """The public zone named exactly `zone_name` (first listed wins if several exist)."""
    wanted = zone_name.rstrip(".").lower() + "."
    response = call(route53.list_hosted_zones_by_name, DNSName=wanted, MaxItems="10")
    for zone in response["HostedZones"]:
        if zone["Name"].lower() == wanted and not zone.get("Config", {}).get("PrivateZone", False):
            return dict(zone)
    return None


def list_record_sets(route53: Any, zone_id: str, name: str) -> list[Record]:
    """Every record set named exactly `name` (any type, any SetIdentifier)."""
    wanted = name.lower()
    records: list[Record] = []
    start: dict[str, str] = {"StartRecordName": name}
    while True:
        page = call(route53.list_resource_record_sets, HostedZoneId=zone_id, MaxItems="300", **start)
        for record in page["ResourceRecordSets"]:
            if decode_name(record["Name"]) != wanted:
                return records
            records.append(record)
        if not page.get("IsTruncated"):
            return records
        start = {"StartRecordName": page["NextRecordName"], "StartRecordType": page["NextRecordType"]}
        if page.get("NextRecordIdentifier"):
            start["StartRecordIdentifier"] = page["NextRecordIdentifier"]


def decode_name(name: str) -> str:
    """Route53 returns names lowercase with a trailing dot and '*' as '\\052'."""
    return name.replace("\\052", "*").lower()


def change_record_sets(route53: Any, zone_id: str, changes: list[dict[str, Any]], comment: str) -> str:
    """Apply one atomic change batch; return the change id to poll."""
    response = call(
        route53.change_resource_record_sets, HostedZoneId=zone_id, ChangeBatch={"Comment": comment, "Changes": changes}
    )
    return str(response["ChangeInfo"]["Id"])


def get_change_status(route53: Any, change_id: str) -> str:
    """PENDING or INSYNC; an unknown (expired) change id counts as INSYNC."""
    response = call_or_none(route53.get_change, Id=change_id)
    return str(response["ChangeInfo"]["Status"]) if response else "INSYNC"


def get_health_check(route53: Any, health_check_id: str) -> dict[str, Any] | None:
    response = call_or_none(route53.get_health_check, HealthCheckId=health_check_id)
    return dict(response["HealthCheck"]) if response else None


def create_health_check(route53: Any, caller_reference: str, config: dict[str, Any]) -> dict[str, Any]:
    response = call(route53.create_health_check, CallerReference=caller_reference, HealthCheckConfig=config)
    return dict(response["HealthCheck"])


def find_health_check_by_reference(route53: Any, caller_reference: str) -> dict[str, Any] | None:
    """The check created with `caller_reference`, if it still exists (ListHealthChecks, every page)."""
    kwargs: dict[str, str] = {"MaxItems": "1000"}
    while True:
        page = call(route53.list_health_checks, **kwargs)
        for check in page.get("HealthChecks", []):
            if check.get("CallerReference") == caller_reference:
                return dict(check)
        if not page.get("IsTruncated"):
            return None
        kwargs["Marker"] = page["NextMarker"]


def update_health_check(route53: Any, health_check_id: str, version: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Update in place; `version` guards against concurrent edits (HealthCheckVersionMismatch)."""
    response = call(route53.update_health_check, HealthCheckId=health_check_id, HealthCheckVersion=version, **changes)
    return dict(response["HealthCheck"])


def delete_health_check(route53: Any, health_check_id: str) -> None:
    """Idempotent: an already deleted check is fine."""
    call_or_none(route53.delete_health_check, HealthCheckId=health_check_id)


def tag_health_check(route53: Any, health_check_id: str, tags: dict[str, str]) -> None:
    call(
        route53.change_tags_for_resource,
        ResourceType="healthcheck",
        ResourceId=health_check_id,
        AddTags=[{"Key": key, "Value": value} for key, value in tags.items()],
    )


def get_health_check_status(route53: Any, health_check_id: str) -> list[dict[str, Any]]:
    """Checker observations (issue: failover visibility)."""
    return list(call(route53.get_health_check_status, HealthCheckId=health_check_id)["HealthCheckObservations"])
