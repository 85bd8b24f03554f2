"""Failover record sets: what they should be, and the one atomic batch that gets them there.

For every hostname a PRIMARY (the origin, guarded by the health check) and a
SECONDARY (an alias to the CloudFront distribution) per record type — A, and
AAAA when IPv6 is in play — all in ONE change batch, so DNS never answers from
a half-applied state. Ownership is the SetIdentifier (model.naming): a record
set we do not own is never changed. A pre-existing simple record for a name
(the usual starting point) blocks with RecordConflict unless the user opted in
to adoption, in which case the same batch deletes it and creates the pair.
Deletion with ``deletionPolicy: Delete`` is the reverse, again in one batch.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .spec import FailoverSpec

CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"  # every CloudFront distribution's alias hosted zone
Record = dict[str, Any]


@dataclass(frozen=True)
class Identity:
    primary: str
    secondary: str

    def owns(self, record: Record) -> bool:
        return record.get("SetIdentifier") in (self.primary, self.secondary)


@dataclass
class RecordPlan:
    changes: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[tuple[str, str]] = field(default_factory=list)  # (reason, message)
    owned: list[str] = field(default_factory=list)  # "name type set-identifier" after the batch


def fqdn(host: str) -> str:
    return host.rstrip(".").lower() + "."


def record_types(spec: FailoverSpec) -> tuple[str, ...]:
    if spec.primary.alias is not None:
        return ("A", "AAAA")
    return tuple(kind for kind, present in (("A", spec.primary.ipv4), ("AAAA", spec.primary.ipv6)) if present)


def desired_pair(
    spec: FailoverSpec, host: str, kind: str, identity: Identity, health_check_id: str, cloudfront_domain: str
) -> list[Record]:
    primary: Record = {
        "Name": fqdn(host),
        "Type": kind,
        "SetIdentifier": identity.primary,
        "Failover": "PRIMARY",
        "HealthCheckId": health_check_id,
    }
    primary.update(primary_target(spec, kind))
    secondary: Record = {
        "Name": fqdn(host),
        "Type": kind,
        "SetIdentifier": identity.secondary,
        "Failover": "SECONDARY",
        "AliasTarget": {"HostedZoneId": CLOUDFRONT_ZONE_ID, "DNSName": fqdn(cloudfront_domain), "EvaluateTargetHealth": False},
    }
    return [primary, secondary]


def primary_target(spec: FailoverSpec, kind: str) -> Record:
    """TTL + values for address primaries, AliasTarget for alias primaries."""
    alias = spec.primary.alias
    if alias is not None:
        target = {
            "HostedZoneId": alias.hosted_zone_id,
            "DNSName": fqdn(alias.dns_name),
            "EvaluateTargetHealth": alias.evaluate_target_health,
        }
        return {"AliasTarget": target}
    addresses = spec.primary.ipv4 if kind == "A" else spec.primary.ipv6
    values = sorted(str(ipaddress.ip_address(address)) for address in addresses)
    return {"TTL": spec.primary.ttl, "ResourceRecords": [{"Value": value} for value in values]}


def same_record(current: Record, desired: Record) -> bool:
    return _comparable(current) == _comparable(desired)


def _comparable(record: Record) -> tuple[Any, ...]:
    alias = record.get("AliasTarget")
    alias_key = (alias["HostedZoneId"], fqdn(alias["DNSName"]), bool(alias.get("EvaluateTargetHealth"))) if alias else None
    values = sorted(item["Value"] for item in record.get("ResourceRecords") or [])
    return (
        fqdn(record["Name"].replace("\\052", "*")),
        record["Type"],
        record.get("SetIdentifier"),
        record.get("Failover"),
        record.get("TTL"),
        tuple(values),
        alias_key,
        record.get("HealthCheckId"),
    )


def plan_records(
    desired: Sequence[Record], current_by_name: dict[str, list[Record]], identity: Identity, adopt: bool
) -> RecordPlan:
    """The batch turning current record sets into `desired`; conflicts instead when foreign records block."""
    plan = RecordPlan()
    wanted = {(fqdn(record["Name"]), record["Type"], record["SetIdentifier"]): record for record in desired}
    wanted_names_types = {(name, kind) for name, kind, _ in wanted}
    for name, records in sorted(current_by_name.items()):
        for record in records:
            _plan_existing(plan, fqdn(name), record, wanted, wanted_names_types, identity, adopt)
    existing = {
        (fqdn(r["Name"].replace("\\052", "*")), r["Type"], r.get("SetIdentifier")) for rs in current_by_name.values() for r in rs
    }
    for key, record in wanted.items():
        if key not in existing:
            plan.changes.append({"Action": "CREATE", "ResourceRecordSet": record})
    plan.owned = sorted(" ".join(key) for key in wanted)
    return plan


def _plan_existing(
    plan: RecordPlan,
    name: str,
    record: Record,
    wanted: dict[tuple[str, str, str], Record],
    wanted_names_types: set[tuple[str, str]],
    identity: Identity,
    adopt: bool,
) -> None:
    kind = record["Type"]
    key = (name, kind, record.get("SetIdentifier") or "")
    if identity.owns(record):
        if key not in wanted:
            plan.changes.append({"Action": "DELETE", "ResourceRecordSet": record})
        elif not same_record(record, wanted[key]):
            plan.changes.append({"Action": "UPSERT", "ResourceRecordSet": wanted[key]})
        return
    blocks = (name, kind) in wanted_names_types or (kind == "CNAME" and any(n == name for n, _ in wanted_names_types))
    if not blocks:
        return  # e.g. an MX or TXT record at the same name: not ours, not in the way
    if record.get("SetIdentifier"):
        plan.conflicts.append(
            (
                "HostnameConflict",
                f"{name} {kind} already has routing records owned by someone else (SetIdentifier {record['SetIdentifier']!r})",
            )
        )
    elif adopt:
        plan.changes.insert(0, {"Action": "DELETE", "ResourceRecordSet": record})
    else:
        message = (
            f"{name} {kind} is an existing simple record; set spec.adoptExistingRecords: true "
            "to replace it with the failover pair in one atomic change"
        )
        plan.conflicts.append(("RecordConflict", message))


def plan_release(current_by_name: dict[str, list[Record]], identity: Identity, restore: Iterable[Record]) -> list[dict[str, Any]]:
    """Deletion: remove our pairs and, in the same batch, restore simple records so names keep resolving."""
    changes: list[dict[str, Any]] = []
    owned_keys = set()
    for records in current_by_name.values():
        for record in records:
            if identity.owns(record):
                changes.append({"Action": "DELETE", "ResourceRecordSet": record})
                owned_keys.add((fqdn(record["Name"].replace("\\052", "*")), record["Type"]))
    for record in restore:
        if (fqdn(record["Name"]), record["Type"]) in owned_keys:
            changes.append({"Action": "CREATE", "ResourceRecordSet": record})
    return changes


def simple_primary_record(spec: FailoverSpec, host: str, kind: str) -> Record:
    """The plain record that takes over when the failover pair is released."""
    return {"Name": fqdn(host), "Type": kind, **primary_target(spec, kind)}


def restore_removed_hostnames(changes: list[dict[str, Any]], spec: FailoverSpec) -> list[dict[str, Any]]:
    """A hostname dropped from the spec keeps an answer: the batch that deletes its pair also creates a
    simple record to the primary (as deletion does), after the DELETEs, so one atomic change does both."""
    wanted = {fqdn(host) for host in spec.hostnames}
    restored = []
    for change in changes:
        record = change["ResourceRecordSet"]
        name, kind = fqdn(record["Name"].replace("\\052", "*")), record["Type"]
        gone = change["Action"] == "DELETE" and record.get("Failover") == "PRIMARY" and name not in wanted
        if gone and kind in record_types(spec):
            restored.append({"Action": "CREATE", "ResourceRecordSet": simple_primary_record(spec, name.rstrip("."), kind)})
    return changes + restored
