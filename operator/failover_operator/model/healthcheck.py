"""Desired Route53 health check and the minimal update that reaches it.

Route53 lets most settings change in place (UpdateHealthCheck, guarded by
HealthCheckVersion) but never Type, RequestInterval or MeasureLatency: a change
of those means a new check (new CallerReference) and, once the records point
at it, deleting the old one.

Modes (DESIGN.md §3): Auto = probe normally; Maintenance = Disabled + Inverted
(Route53 treats the check as unhealthy, traffic goes to the secondary and the
origin receives no probes); Primary = Disabled (always healthy).
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from .spec import FailoverSpec

UPDATABLE = (
    "IPAddress",
    "Port",
    "ResourcePath",
    "FullyQualifiedDomainName",
    "SearchString",
    "FailureThreshold",
    "Inverted",
    "Disabled",
    "EnableSNI",
    "Regions",
)
RESETTABLE = {"ResourcePath", "FullyQualifiedDomainName", "Regions"}
# What GetHealthCheck reports for a check created without Regions (Route 53 API Reference, HealthCheckConfig,
# Regions: "If you don't specify any regions, Route 53 performs checks from all of the regions that are listed
# under Valid Values"; terraform-provider-aws#45824). Not a difference to reset.
DEFAULT_REGIONS = (
    "ap-northeast-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "eu-west-1",
    "sa-east-1",
    "us-east-1",
    "us-west-1",
    "us-west-2",
)
MODE_FLAGS = {"Auto": (False, False), "Maintenance": (True, True), "Primary": (True, False)}  # (Disabled, Inverted)


def desired_health_check(spec: FailoverSpec, mode: str) -> dict[str, Any]:
    """The HealthCheckConfig this spec asks for."""
    check = spec.health_check
    disabled, inverted = MODE_FLAGS[mode]
    config: dict[str, Any] = {
        "Type": check.type,
        "Port": check.port,
        "RequestInterval": check.request_interval,
        "FailureThreshold": check.failure_threshold,
        "Disabled": disabled,
        "Inverted": inverted,
    }
    config.update(_target(spec))
    if check.type != "TCP":
        config["ResourcePath"] = check.path
    if check.type.endswith("_STR_MATCH"):
        config["SearchString"] = check.search_string
    if check.type.startswith("HTTPS"):
        config["EnableSNI"] = check.enable_sni
    if check.regions:
        config["Regions"] = list(check.regions)
    return config


def _target(spec: FailoverSpec) -> dict[str, str]:
    """Probe the origin itself: by IP for address primaries (FQDN only as Host/SNI), by name for aliases.

    Never probe a hostname we fail over: during failover it resolves to CloudFront.
    """
    primary = spec.primary
    fqdn = spec.health_check.fqdn
    if primary.alias is not None:
        return {"FullyQualifiedDomainName": fqdn or primary.alias.dns_name}
    target = {"IPAddress": str(ipaddress.ip_address((primary.ipv4 or primary.ipv6)[0]))}  # as Route53 returns it
    host = fqdn or next((name for name in spec.hostnames if not name.startswith("*.")), None)
    if host:
        target["FullyQualifiedDomainName"] = host
    return target


def immutable_fingerprint(config: dict[str, Any]) -> str:
    """What forces a replacement when it changes."""
    return json.dumps({key: config.get(key) for key in ("Type", "RequestInterval", "MeasureLatency")}, sort_keys=True)


def needs_replacement(current: dict[str, Any], desired: dict[str, Any]) -> bool:
    """Type and RequestInterval are immutable, and whether an IPAddress is set cannot change in place.

    UpdateHealthCheck (API reference, IPAddress) changes an address but can
    neither add one to a check that probes by name nor remove one
    (ResetElements does not list it): either way is a new check.
    """
    current_config = current["HealthCheckConfig"]
    if any(current_config.get(key) != desired.get(key) for key in ("Type", "RequestInterval")):
        return True
    return bool(current_config.get("IPAddress")) != bool(desired.get("IPAddress"))


def update_for(current: dict[str, Any], desired: dict[str, Any]) -> dict[str, Any]:
    """UpdateHealthCheck arguments that turn `current` into `desired`; {} when nothing differs."""
    current_config = current["HealthCheckConfig"]
    changes: dict[str, Any] = {}
    reset: list[str] = []
    for key in UPDATABLE:
        want, have = desired.get(key), _normalised(key, current_config.get(key))
        if want is None:
            if key == "Regions" and have == sorted(DEFAULT_REGIONS):
                continue
            if have not in (None, "", [], False) and key in RESETTABLE:
                reset.append("ChildHealthChecks" if key == "Children" else key)
            continue
        if _normalised(key, want) != have:
            changes[key] = want
    if reset:
        changes["ResetElements"] = reset
    return changes


def _normalised(key: str, value: Any) -> Any:
    if key == "Regions":
        return sorted(value or [])
    if key in ("Inverted", "Disabled", "EnableSNI"):
        return bool(value)
    return value
