"""Desired record sets for this pass, and reading the ones that exist now."""

from __future__ import annotations

from typing import Any

from ..aws import route53
from ..model.records import Record, desired_pair, fqdn, record_types
from .context import Pass


def desired_records(state: Pass, health_check_id: str, cloudfront_domain: str) -> list[Record]:
    records: list[Record] = []
    for host in state.spec.hostnames:
        for kind in record_types(state.spec):
            records.extend(desired_pair(state.spec, host, kind, state.identity, health_check_id, cloudfront_domain))
    return records


def previously_owned_names(state: Pass) -> set[str]:
    """Names from status.records: hostnames we managed before (maybe removed from the spec since)."""
    return {entry.split(" ", 1)[0] for entry in state.previous.get("records") or []}


def names_to_read(state: Pass) -> list[str]:
    return sorted({fqdn(host) for host in state.spec.hostnames} | previously_owned_names(state))


def find_zone(state: Pass) -> dict[str, Any] | None:
    """The hosted zone the spec names, by id or by name."""
    ref = state.spec.hosted_zone
    if ref.id:
        return route53.find_zone_by_id(state.aws.route53, ref.id)
    return route53.find_zone_by_name(state.aws.route53, ref.name or "")


def read_current_records(state: Pass, names: list[str]) -> dict[str, list[Record]]:
    return {name: route53.list_record_sets(state.aws.route53, state.zone_id, name) for name in names}
