"""The FailoverDomain spec as typed, immutable values.

The CRD schema (crds/failoverdomain.yaml) already enforces shapes, enums and
cross-field rules and fills defaults, so parsing here is a faithful copy with
the defaults repeated for objects created before a default existed. Checks the
API server cannot make (zone membership, certificate coverage) live in the
reconcile, where they become conditions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .windows import Window, parse_windows


@dataclass(frozen=True)
class HostedZoneRef:
    id: str | None
    name: str | None


@dataclass(frozen=True)
class AliasTarget:
    dns_name: str
    hosted_zone_id: str
    evaluate_target_health: bool


@dataclass(frozen=True)
class Primary:
    ipv4: tuple[str, ...]
    ipv6: tuple[str, ...]
    alias: AliasTarget | None
    ttl: int


@dataclass(frozen=True)
class HealthCheckSpec:
    type: str
    port: int
    path: str
    search_string: str
    request_interval: int
    failure_threshold: int
    regions: tuple[str, ...]
    enable_sni: bool
    fqdn: str | None


@dataclass(frozen=True)
class FailoverSpec:
    hosted_zone: HostedZoneRef
    hostnames: tuple[str, ...]
    secret_name: str
    store: str
    allow_rsa_1024: bool
    primary: Primary
    health_check: HealthCheckSpec
    distribution_id: str
    minimum_protocol_version: str
    adopt_existing_records: bool
    mode: str
    deletion_policy: str
    maintenance_windows: tuple[Window, ...] = ()


def parse_spec(spec: Mapping[str, Any]) -> FailoverSpec:
    """Copy a (schema-validated) spec into typed values."""
    certificate = spec.get("certificate", {})
    secondary = spec.get("secondary", {})
    return FailoverSpec(
        hosted_zone=HostedZoneRef(spec["hostedZone"].get("id"), spec["hostedZone"].get("name")),
        hostnames=tuple(_normalise_host(host) for host in spec["hostnames"]),
        secret_name=certificate["secretName"],
        store=certificate.get("store", "ACM"),
        allow_rsa_1024=bool(certificate.get("allowRSA1024", False)),
        primary=_parse_primary(spec["primary"]),
        health_check=_parse_health_check(spec.get("healthCheck") or {}),
        distribution_id=secondary["distributionId"],
        minimum_protocol_version=secondary.get("minimumProtocolVersion", "TLSv1.2_2021"),
        adopt_existing_records=bool(spec.get("adoptExistingRecords", False)),
        mode=spec.get("mode", "Auto"),
        deletion_policy=spec.get("deletionPolicy", "Delete"),
        maintenance_windows=tuple(parse_windows(spec.get("maintenanceWindows") or [])),
    )


def _normalise_host(host: str) -> str:
    return host.rstrip(".").lower()


def _parse_primary(primary: Mapping[str, Any]) -> Primary:
    alias = primary.get("alias")
    addresses = primary.get("addresses") or {}
    return Primary(
        ipv4=tuple(addresses.get("ipv4") or ()),
        ipv6=tuple(addresses.get("ipv6") or ()),
        alias=AliasTarget(
            dns_name=_normalise_host(alias["dnsName"]),
            hosted_zone_id=alias["hostedZoneId"],
            evaluate_target_health=bool(alias.get("evaluateTargetHealth", False)),
        )
        if alias
        else None,
        ttl=int(primary.get("ttl", 60)),
    )


def _parse_health_check(check: Mapping[str, Any]) -> HealthCheckSpec:
    return HealthCheckSpec(
        type=check.get("type", "HTTPS"),
        port=int(check.get("port", 443)),
        path=check.get("path", "/"),
        search_string=check.get("searchString", ""),
        request_interval=int(check.get("requestInterval", 30)),
        failure_threshold=int(check.get("failureThreshold", 3)),
        regions=tuple(sorted(check.get("regions") or ())),
        enable_sni=bool(check.get("enableSNI", True)),
        fqdn=_normalise_host(check["fqdn"]) if check.get("fqdn") else None,
    )
