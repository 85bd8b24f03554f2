"""What Route 53 would answer for a name right now, and how healthy a health check is.

moto stores records but never answers DNS queries, and reports every health
check healthy. Tests of our operator need to see the effect of what it wrote:
"after the primary's health check fails, does the name point at the
secondary?". `resolve` answers that from the zone's record sets and
`effective_health`, which both this module and GetHealthCheckStatus use, so the
API and the DNS answer can never disagree.

Semantics followed (Route 53 Developer Guide):
- "How health checks work"/"Disabled": a disabled check is considered healthy;
  "Inverted" flips the status (so Disabled+Inverted is unhealthy — the
  operator's maintenance mode).
- "Calculated health checks": healthy when at least HealthThreshold children are.
- "Active-passive failover": the primary while it is healthy, else the secondary
  if healthy; a record without a health check (or an alias with
  EvaluateTargetHealth=false) counts healthy; when both are unhealthy Route 53
  answers with the primary.
"""

from __future__ import annotations

from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.route53.exceptions import NoSuchHostedZone
from moto.route53.models import HealthCheck, Route53Backend, route53_backends

from .route53_records import Record, decode_name, encode_name, from_recordset
from .state import STATE

_MAX_DEPTH = 8  # alias chains / calculated checks deeper than this count healthy (Route 53 limits nesting too)


def backend() -> Route53Backend:
    return route53_backends[DEFAULT_ACCOUNT_ID]["aws"]


def effective_health(health_check: HealthCheck, depth: int = 0) -> bool:
    """Healthy as Route 53 would treat the check now: observed, then Disabled, then Inverted."""
    if health_check.disabled:
        healthy = True
    elif health_check.type_ == "CALCULATED":
        healthy = _children_healthy(health_check, depth)
    else:
        with STATE.lock:
            healthy = STATE.health.get(health_check.id, True)
    return not healthy if health_check.inverted else healthy


def health_of(health_check_id: str, depth: int = 0) -> bool:
    """Effective health by id. A deleted check counts unhealthy: the Developer Guide ("Deleting health checks")
    says its status can't be predicted then, and unhealthy makes a dangling HealthCheckId visible in tests."""
    health_check = backend().health_checks.get(health_check_id)
    return health_check is not None and effective_health(health_check, depth)


def _children_healthy(health_check: HealthCheck, depth: int) -> bool:
    if depth >= _MAX_DEPTH:
        return True
    children = health_check.children or []
    healthy = sum(1 for child in children if health_of(child, depth + 1))
    threshold = health_check.health_threshold if health_check.health_threshold is not None else len(children)
    return healthy >= int(threshold)


def record_healthy(zone_records: list[Record], record: Record, depth: int = 0) -> bool:
    """A record set's health for routing: its health check, and its alias target if EvaluateTargetHealth."""
    if record.get("HealthCheckId") and not health_of(record["HealthCheckId"], depth):
        return False
    alias = record.get("AliasTarget")
    if not alias or not alias["EvaluateTargetHealth"] or depth >= _MAX_DEPTH:
        return True
    target_name = encode_name(alias["DNSName"])
    targets = [other for other in zone_records if other["Name"] == target_name and other["Type"] == record["Type"]]
    if not targets:
        return True  # outside this zone (CloudFront, ELB ...): the bed has no health for it
    return any(record_healthy(zone_records, target, depth + 1) for target in targets)


def _answer(record: Record) -> dict[str, Any]:
    if "AliasTarget" in record:
        return {"alias": record["AliasTarget"]["DNSName"]}
    return {"values": list(record.get("ResourceRecords", []))}


def _failover(zone_records: list[Record], group: list[Record]) -> dict[str, Any]:
    by_role = {record.get("Failover"): record for record in group}
    primary, secondary = by_role.get("PRIMARY"), by_role.get("SECONDARY")
    chosen = primary or secondary
    if primary is not None and record_healthy(zone_records, primary):
        chosen = primary
    elif secondary is not None and record_healthy(zone_records, secondary):
        chosen = secondary
    assert chosen is not None  # the group has at least one failover record
    return {"answer": chosen["Failover"], "set_identifier": chosen["SetIdentifier"], **_answer(chosen)}


def _zone_records(zone_id: str) -> list[Record]:
    try:
        zone = backend().get_hosted_zone(zone_id)
    except NoSuchHostedZone as error:
        raise KeyError(f"no hosted zone {zone_id}") from error
    return [from_recordset(record_set) for record_set in zone.rrsets]


def resolve(zone_id: str, name: str, type_: str) -> dict[str, Any]:
    """Route 53's answer for (name, type) in the zone: simple, PRIMARY/SECONDARY, NODATA or NXDOMAIN."""
    with STATE.lock:
        records = _zone_records(zone_id)
        wanted = encode_name(name)
        result: dict[str, Any] = {"name": decode_name(name), "type": type_}
        at_name = [record for record in records if record["Name"] == wanted]
        group = [record for record in at_name if record["Type"] == type_]
        if not group:
            group = [record for record in at_name if record["Type"] == "CNAME"]
            result["type"] = "CNAME" if group else type_
        if not group:
            return {**result, "answer": "NODATA" if at_name else "NXDOMAIN"}
        if any(record.get("Failover") for record in group):
            return {**result, **_failover(records, group)}
        if len(group) > 1 or group[0].get("SetIdentifier"):
            routed = [{"set_identifier": record.get("SetIdentifier"), **_answer(record)} for record in group]
            return {**result, "answer": "routed", "records": routed}
        return {**result, "answer": "simple", **_answer(group[0])}
