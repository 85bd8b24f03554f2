"""Route53 record sets as AWS stores them, and ChangeResourceRecordSets applied as AWS does.

moto keeps record names as sent, tests zone membership with a bare suffix,
never value-checks DELETE, accepts duplicate CREATEs, deletes every record
with a SetIdentifier in the zone, and applies a batch change by change (so a
bad change leaves the earlier ones applied). Our operator's failover logic
depends on exactly those guarantees, so here a batch is applied to a copy of
the zone's record sets, checked as a whole, and committed only if valid
(Route 53 API Reference, ChangeResourceRecordSets: "Change batches are
considered transactional changes ... all or none").

Records are plain dicts keyed by the API's member names; the zone keeps moto
``RecordSet`` objects so moto's serialiser and other operations still work.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from moto.route53.exceptions import InvalidActionValue, NoSuchHealthCheck, Route53ClientError
from moto.route53.models import FakeZone, RecordSet, Route53Backend

Record = dict[str, Any]
Key = tuple[str, str, str | None]  # (name, type, SetIdentifier)
ROUTING_POLICIES = (
    "Weight",
    "Region",
    "Failover",
    "GeoLocation",
    "MultiValueAnswer",
    "GeoProximityLocation",
    "CidrRoutingConfig",
)
_PLAIN = set("abcdefghijklmnopqrstuvwxyz0123456789-_.")
_VALUE_CHOICES = "[AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId]"
_POLICY_CHOICES = "[Weight, Region, Failover, GeoLocation, MultiValueAnswer, GeoProximityLocation, or CidrRoutingConfig]"
_VALUE_FIELDS = ("TTL", "ResourceRecords", "AliasTarget", "HealthCheckId", *ROUTING_POLICIES)


def aws_error(code: str, message: str) -> Route53ClientError:
    """A Route 53 error moto serialises with the status from the route53 model (409, 404 ...).

    Not errors.aws_error: moto 5.2.5's get_error_model also looks up the service
    named after the exception's moto package, and for a moto.core exception that
    is "core", which botocore does not know, so the response becomes a 500.
    """
    return Route53ClientError(code, message)


# ---- names -----------------------------------------------------------------------
def decode_name(name: str) -> str:
    """Lowercase, trailing dot, ``\\ddd`` octal escapes turned back into characters."""
    text = re.sub(r"\\(\d{3})", lambda match: chr(int(match.group(1), 8)), name).lower()
    return text if text.endswith(".") else text + "."


def encode_name(name: str) -> str:
    """AWS's stored form: characters outside a-z 0-9 - _ as ``\\ddd`` (``*`` -> ``\\052``)."""
    return "".join(char if char in _PLAIN or ord(char) > 127 else f"\\{ord(char):03o}" for char in decode_name(name))


def in_zone(name: str, zone_name: str) -> bool:
    """The zone apex or a name below it (label boundary, not a bare suffix)."""
    name, zone_name = decode_name(name), decode_name(zone_name)
    return name == zone_name or name.endswith("." + zone_name)


def sort_key(record: Record) -> tuple[str, str, str]:
    """ListResourceRecordSets order: labels reversed with the trailing dot, then type (then SetIdentifier)."""
    return reversed_name(record["Name"]), record["Type"], record.get("SetIdentifier") or ""


def reversed_name(name: str) -> str:
    return ".".join(reversed(decode_name(name).rstrip(".").split("."))) + "."


# ---- conversion between moto objects, requests and our dicts ------------------------
def _value(item: Any) -> str:
    """A resource record value: moto stores strings, but dicts for the zone's own SOA."""
    return str(item["Value"]) if isinstance(item, dict) else str(item)


def _alias(alias: dict[str, Any] | None) -> dict[str, Any] | None:
    if not alias:
        return None
    dns_name = str(alias["DNSName"]).lower()
    return {
        "HostedZoneId": alias["HostedZoneId"],
        "DNSName": dns_name if dns_name.endswith(".") else dns_name + ".",
        "EvaluateTargetHealth": bool(alias.get("EvaluateTargetHealth", False)),
    }


def _clean(record: Record) -> Record:
    return {key: value for key, value in record.items() if value is not None and value != []}


def from_recordset(record_set: RecordSet) -> Record:
    return _clean(
        {
            "Name": encode_name(record_set.name),
            "Type": record_set.type,
            "SetIdentifier": record_set.set_identifier,
            "Weight": record_set.weight,
            "Region": record_set.region,
            "GeoLocation": record_set.geo_location,
            "Failover": record_set.failover,
            "MultiValueAnswer": record_set.multi_value_answer,
            "TTL": int(record_set.ttl) if record_set.ttl is not None else None,
            "ResourceRecords": [_value(item) for item in record_set.records or []],
            "AliasTarget": _alias(record_set.alias_target),
            "HealthCheckId": record_set.health_check_id,
        }
    )


def from_request(record_set: dict[str, Any]) -> Record:
    record = {key: value for key, value in record_set.items() if key not in ("ResourceRecords", "AliasTarget", "TTL")}
    record["Name"] = encode_name(record_set["Name"])
    record["TTL"] = int(record_set["TTL"]) if record_set.get("TTL") is not None else None
    record["ResourceRecords"] = [_value(item) for item in record_set.get("ResourceRecords") or []]
    record["AliasTarget"] = _alias(record_set.get("AliasTarget"))
    return _clean(record)


def to_recordset(record: Record) -> RecordSet:
    return RecordSet(dict(record))  # type: ignore[abstract]


def key_of(record: Record) -> Key:
    return record["Name"], record["Type"], record.get("SetIdentifier")


def same_values(current: Record, given: Record) -> bool:
    """DELETE must repeat every value of the record set (resource records in any order)."""

    def values(record: Record) -> dict[str, Any]:
        picked = {field: record.get(field) for field in _VALUE_FIELDS}
        picked["ResourceRecords"] = sorted(record.get("ResourceRecords", []))
        return picked

    return values(current) == values(given)


def describe(key: Key) -> str:
    name, type_, set_identifier = key
    suffix = f", set-identifier='{set_identifier}'" if set_identifier else ""
    return f"[name='{name}', type='{type_}'{suffix}]"


# ---- syntax: InvalidInput, before anything is applied ----------------------------------
def check_syntax(change: dict[str, Any]) -> None:
    action, record_set = change["Action"], change["ResourceRecordSet"]
    if action not in ("CREATE", "DELETE", "UPSERT"):
        raise InvalidActionValue(action)
    where = (
        f"in Change with [Action={action}, Name={record_set['Name']}, Type={record_set['Type']}, "
        f"SetIdentifier={record_set.get('SetIdentifier', 'null')}]"
    )
    has_alias = bool(record_set.get("AliasTarget"))
    has_plain = record_set.get("TTL") is not None and bool(record_set.get("ResourceRecords"))
    if has_alias and (record_set.get("TTL") is not None or record_set.get("ResourceRecords")):
        raise _exactly_one(_VALUE_CHOICES, "more than one", where)
    if not has_alias and not has_plain:
        raise _exactly_one(_VALUE_CHOICES, "none", where)
    policies = [policy for policy in ROUTING_POLICIES if record_set.get(policy) is not None]
    if policies and not record_set.get("SetIdentifier"):
        raise aws_error("InvalidInput", f"Invalid request: Missing field 'SetIdentifier' {where}")
    if record_set.get("SetIdentifier") and len(policies) != 1:
        found = "none" if not policies else "more than one"
        raise _exactly_one(_POLICY_CHOICES, found, where)


def _exactly_one(choices: str, found: str, where: str) -> Exception:
    return aws_error("InvalidInput", f"Invalid request: Expected exactly one of {choices}, but found {found} {where}")


# ---- semantics: InvalidChangeBatch, collected over the whole batch ------------------------
def apply_change(backend: Route53Backend, zone_name: str, records: dict[Key, Record], change: dict[str, Any]) -> str | None:
    """Apply one change to the working copy; the InvalidChangeBatch message if it cannot be applied."""
    action, given = change["Action"], from_request(change["ResourceRecordSet"])
    if not in_zone(given["Name"], zone_name):
        return f"RRSet with DNS name {given['Name']} is not permitted in zone {zone_name}"
    key = key_of(given)
    current = records.get(key)
    if action != "DELETE" and given.get("HealthCheckId") and given["HealthCheckId"] not in backend.health_checks:
        raise NoSuchHealthCheck(given["HealthCheckId"])
    if action == "CREATE" and current is not None:
        return f"Tried to create resource record set {describe(key)} but it already exists"
    if action == "DELETE":
        if current is None:
            return f"Tried to delete resource record set {describe(key)} but it was not found"
        if not same_values(current, given):
            return f"Tried to delete resource record set {describe(key)} but the values provided do not match the current values"
        del records[key]
        return None
    records[key] = given
    return None


def failover_roles(records: Iterable[Record]) -> list[str]:
    """At most one PRIMARY and one SECONDARY failover record set per name and type."""
    seen: dict[tuple[str, str, str], str] = {}
    errors = []
    for record in sorted(records, key=sort_key):
        if record.get("Failover") not in ("PRIMARY", "SECONDARY"):
            continue
        role_key = (record["Name"], record["Type"], record["Failover"])
        if role_key in seen:
            errors.append(
                f"RRSet with DNS name {record['Name']}, type {record['Type']}, SetIdentifier {record['SetIdentifier']} "
                f"cannot be created because a {record['Failover']} failover rrset (SetIdentifier {seen[role_key]}) "
                "already exists with the same name and type."
            )
        else:
            seen[role_key] = record["SetIdentifier"]
    return errors


def invalid_batch(messages: list[str]) -> Exception:
    """InvalidChangeBatch lists every problem of the batch, as AWS does: ``[first, second]``."""
    return aws_error("InvalidChangeBatch", "[" + ", ".join(messages) + "]")


def zone_records(zone: FakeZone) -> dict[Key, Record]:
    records = [from_recordset(record_set) for record_set in zone.rrsets]
    return {key_of(record): record for record in records}


def commit(zone: FakeZone, records: dict[Key, Record]) -> None:
    zone.rrsets = [to_recordset(record) for record in sorted(records.values(), key=sort_key)]


def apply_batch(backend: Route53Backend, zone: FakeZone, changes: list[dict[str, Any]]) -> dict[Key, Record]:
    """The zone's record sets after the whole batch, or the batch's error; the zone itself is untouched."""
    for change in changes:
        check_syntax(change)
    records = zone_records(zone)
    zone_name = encode_name(zone.name)
    messages = [message for change in changes if (message := apply_change(backend, zone_name, records, change))]
    messages += failover_roles(records.values())
    if messages:
        raise invalid_batch(messages)
    return records


# ---- ListResourceRecordSets ----------------------------------------------------------------
def list_page(
    zone: FakeZone, start_name: str | None, start_type: str | None, start_identifier: str | None, max_items: int
) -> dict[str, Any]:
    """One page in AWS order, starting at (name, type, identifier) and naming the next one."""
    records = sorted((from_recordset(record_set) for record_set in zone.rrsets), key=sort_key)
    if start_name:
        start = (reversed_name(start_name), start_type or "", start_identifier or "")
        records = [record for record in records if sort_key(record) >= start]
    page, rest = records[:max_items], records[max_items:]
    result: dict[str, Any] = {
        "ResourceRecordSets": [to_recordset(record) for record in page],
        "IsTruncated": bool(rest),
        "MaxItems": max_items,
    }
    if rest:
        result["NextRecordName"] = rest[0]["Name"]
        result["NextRecordType"] = rest[0]["Type"]
        result["NextRecordIdentifier"] = rest[0].get("SetIdentifier")
    return result


# ---- coexistence (route53.failover_exclusive) ---------------------------------------------
def exclusive_errors(before: dict[Key, Record], after: dict[Key, Record], zone_name: str) -> list[str]:
    """Simple vs. routed record sets of one name and type, and CNAME beside other types, after the batch."""
    errors: list[str] = []
    by_name_type: dict[tuple[str, str], list[Record]] = {}
    by_name: dict[str, set[str]] = {}
    for record in after.values():
        by_name_type.setdefault((record["Name"], record["Type"]), []).append(record)
        by_name.setdefault(record["Name"], set()).add(record["Type"])
    for (name, type_), group in sorted(by_name_type.items()):
        errors += _mixed_routing(name, type_, group, before)
    for name, types in sorted(by_name.items()):
        if "CNAME" in types and len(types) > 1:
            errors += _cname_conflicts(name, types, before, zone_name)
    return errors


def _mixed_routing(name: str, type_: str, group: list[Record], before: dict[Key, Record]) -> list[str]:
    simple = [record for record in group if not record.get("SetIdentifier")]
    routed = [record for record in group if record.get("SetIdentifier")]
    if not simple or not routed:
        return []
    if (name, type_, None) in before:  # the simple one was there: the routed ones are the new ones
        new_routed = [record for record in routed if key_of(record) not in before] or routed
        return [
            f"RRSet with DNS name {name}, type {type_}, SetIdentifier {record['SetIdentifier']} cannot be created "
            "because a non multivalue answer rrset exists with the same name and type."
            for record in new_routed
        ]
    return [
        f"RRSet with DNS name {name}, type {type_} cannot be created "
        "because a multivalue answer rrset exists with the same name and type."
    ]


def _cname_conflicts(name: str, types: set[str], before: dict[Key, Record], zone_name: str) -> list[str]:
    had_cname = any(key[0] == name and key[1] == "CNAME" for key in before)
    if not had_cname:
        return [
            f"RRSet of type CNAME with DNS name {name} is not permitted as it conflicts with other records "
            f"with the same DNS name in zone {zone_name}"
        ]
    return [
        f"RRSet of type {type_} with DNS name {name} is not permitted because a conflicting RRSet of type CNAME "
        f"with the same DNS name already exists in zone {zone_name}"
        for type_ in sorted(types - {"CNAME"})
    ]
