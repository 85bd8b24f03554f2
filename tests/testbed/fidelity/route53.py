"""Route 53 as AWS documents it, patched into moto's backend and response classes.

moto 5.2.5 is lenient exactly where our operator relies on AWS being strict
(see /work/shared/notes/moto.md): it duplicates health checks per
CallerReference, never versions them, reports every check healthy, applies
record changes without checking them, and says INSYNC with one fixed change id.
An operator tested against that would never meet a 409, a failed DELETE, or a
change still propagating. Each rule below restores one documented behaviour
and can be switched off by name (FIDELITY_DISABLED_RULES) to prove a test
depends on it. Record-set logic lives in route53_records, health and DNS
answers in route53_resolve.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from moto.core.responses import ActionResult
from moto.moto_api._internal import mock_random as random
from moto.route53.models import HealthCheck, Route53Backend
from moto.route53.responses import Route53

from . import route53_records as records
from .route53_records import aws_error
from .route53_resolve import effective_health
from .state import STATE, FidelityState, now

_CHANGE_ID_CHARS = string.ascii_uppercase + string.digits
_CHECKER_REGIONS = (
    "us-east-1",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "sa-east-1",
)
_CHANGE_INFO_ACTIONS = (
    "change_resource_record_sets",
    "create_hosted_zone",
    "delete_hosted_zone",
    "associate_vpc_with_hosted_zone",
    "disassociate_vpc_from_hosted_zone",
)


@dataclass
class _Reference:
    """A CallerReference that has been used: which check it made, with what config, and whether it is gone."""

    health_check_id: str
    config: dict[str, Any]
    deleted: bool = False


@dataclass
class _Change:
    submitted_at: datetime
    insync_at: float
    comment: str | None


class _Memory:
    """This module's state; cleared on every bed reset together with moto's backends."""

    def __init__(self) -> None:
        self.references: dict[tuple[str, str], _Reference] = {}
        self.changes: dict[str, _Change] = {}

    def clear(self) -> None:
        self.references.clear()
        self.changes.clear()


_MEMORY = _Memory()
_STATE = STATE


def install(state: FidelityState) -> None:
    """Patch moto's Route53 classes with every enabled rule (called once at server start)."""
    state.on_reset(_MEMORY.clear)
    if state.enabled("route53.caller_reference"):
        _patch(Route53Backend, "create_health_check", _create_health_check)
        _patch(Route53Backend, "delete_health_check", _delete_health_check)
    if state.enabled("route53.health_check_version"):
        _patch(Route53, "update_health_check", _update_health_check)
    if state.enabled("route53.change_batch") or state.enabled("route53.failover_exclusive"):
        _patch(Route53Backend, "change_resource_record_sets", _change_resource_record_sets)
    if state.enabled("route53.change_batch"):
        _patch(Route53, "list_resource_record_sets", _list_resource_record_sets)
    if state.enabled("route53.change_delay"):
        for action in _CHANGE_INFO_ACTIONS:
            _patch(Route53, action, _with_new_change)
        _patch(Route53, "get_change", _get_change)
    if state.enabled("route53.health_status"):
        _patch(Route53, "get_health_check_status", _get_health_check_status)
    if state.enabled("route53.default_regions"):
        moto_config: property = HealthCheck.health_check_config  # type: ignore[assignment]
        HealthCheck.health_check_config = property(_with_default_regions(moto_config.fget))  # type: ignore[method-assign, assignment, arg-type]


def _with_default_regions(original: Callable[[HealthCheck], dict[str, Any]]) -> Callable[[HealthCheck], dict[str, Any]]:
    """Rule route53.default_regions: a check created (or reset) without Regions reports all eight checker regions.

    Route 53 API Reference, HealthCheckConfig, Regions: "If you don't specify any
    regions, Route 53 performs checks from all of the regions that are listed under
    Valid Values" — and GetHealthCheck lists them (terraform-provider-aws#45824).
    """

    def config(self: HealthCheck) -> dict[str, Any]:
        result = original(self)
        if self.type_ != "CALCULATED" and not result.get("Regions"):
            result["Regions"] = list(_CHECKER_REGIONS)
        return result

    return config


def _patch(cls: type, name: str, replacement: Callable[..., Any]) -> None:
    """Replace cls.name; the replacement gets the original as its first argument."""
    original = getattr(cls, name)

    def patched(self: Any, *args: Any, **kwargs: Any) -> Any:
        return replacement(original, self, *args, **kwargs)

    patched.__name__ = name
    setattr(cls, name, patched)


# ---- route53.caller_reference ---------------------------------------------------------------
def _create_health_check(
    original: Callable[..., HealthCheck], backend: Route53Backend, caller_reference: str, health_check_args: dict[str, Any]
) -> HealthCheck:
    """Route 53 API Reference, CreateHealthCheck, CallerReference: idempotent retry, never reused."""
    with _STATE.lock:
        key = (backend.account_id, caller_reference)
        used = _MEMORY.references.get(key)
        if used is None:
            health_check = original(backend, caller_reference, health_check_args)
            _MEMORY.references[key] = _Reference(health_check.id, dict(health_check_args))
            return health_check
        if not used.deleted and used.config == health_check_args:
            return backend.health_checks[used.health_check_id]
        state = "was deleted" if used.deleted else "has different settings"
        raise aws_error(
            "HealthCheckAlreadyExists",
            f"A health check with the CallerReference {caller_reference} already exists "
            f"(health check {used.health_check_id} {state}).",
        )


def _delete_health_check(original: Callable[..., None], backend: Route53Backend, health_check_id: str) -> None:
    with _STATE.lock:
        if health_check_id not in backend.health_checks:
            raise aws_error("NoSuchHealthCheck", f"A health check with id {health_check_id} does not exist.")
        original(backend, health_check_id)
        for reference in _MEMORY.references.values():
            if reference.health_check_id == health_check_id:
                reference.deleted = True


# ---- route53.health_check_version --------------------------------------------------------------
_UPDATABLE = {  # request member -> HealthCheck attribute
    "IPAddress": "ip_address",
    "Port": "port",
    "ResourcePath": "resource_path",
    "FullyQualifiedDomainName": "fqdn",
    "SearchString": "search_string",
    "FailureThreshold": "failure_threshold",
    "HealthThreshold": "health_threshold",
    "Inverted": "inverted",
    "Disabled": "disabled",
    "EnableSNI": "enable_sni",
    "ChildHealthChecks": "children",
    "Regions": "regions",
}
_RESETTABLE = {  # UpdateHealthCheck ResetElements: each resets to null (Regions: the default set)
    "ResourcePath": "resource_path",
    "FullyQualifiedDomainName": "fqdn",
    "ChildHealthChecks": "children",
    "Regions": "regions",
}


def _update_health_check(original: Callable[..., ActionResult], response: Route53) -> ActionResult:
    """Route 53 API Reference, UpdateHealthCheck: HealthCheckVersion, ResetElements, only the members sent."""
    with _STATE.lock:
        health_check = response.backend.get_health_check(response._get_param("HealthCheckId"))
        version = response._get_param("HealthCheckVersion")
        if version is not None and int(version) != health_check.health_check_version:
            raise aws_error(
                "HealthCheckVersionMismatch",
                "The value of HealthCheckVersion in the request doesn't match "
                "the value of HealthCheckVersion in the health check.",
            )
        _check_ip_presence(health_check, response._get_param("IPAddress"))
        for member, attribute in _UPDATABLE.items():
            value = response._get_param(member)
            if value is not None:  # False and 0 are values too: moto's `or` defaults would drop them
                setattr(health_check, attribute, (value or None) if isinstance(value, list) else value)
        for element in response._get_param("ResetElements") or []:
            if element not in _RESETTABLE:
                raise aws_error("InvalidInput", f"Invalid ResettableElementName: {element}")
            setattr(health_check, _RESETTABLE[element], None)
        health_check.health_check_version += 1
        return ActionResult({"HealthCheck": health_check})


def _check_ip_presence(health_check: Any, ip_address: str | None) -> None:
    """Rule route53.health_check_ip: an IPAddress can be changed, not added to a check that probes by name.

    Route 53 API Reference, UpdateHealthCheck, IPAddress: a check created with only
    FullyQualifiedDomainName resolves that name; it cannot be turned into an
    address check (and ResetElements cannot remove an IPAddress): create a new one.
    """
    if _STATE.enabled("route53.health_check_ip") and ip_address and not health_check.ip_address:
        raise aws_error(
            "InvalidInput", "IPAddress cannot be added to a health check that was created without one; create a new health check"
        )


# ---- route53.change_batch / route53.failover_exclusive -------------------------------------------
def _change_resource_record_sets(
    original: Callable[..., None], backend: Route53Backend, zoneid: str, change_list: list[dict[str, Any]]
) -> None:
    """Route 53 API Reference, ChangeResourceRecordSets: validate the whole batch, then all or nothing."""
    with _STATE.lock:
        zone = backend.get_hosted_zone(zoneid)
        before = records.zone_records(zone)
        if not _STATE.enabled("route53.change_batch"):  # moto applies it; we only check coexistence afterwards
            saved = list(zone.rrsets)
            original(backend, zoneid, change_list)
            _check_exclusive(before, records.zone_records(zone), zone.name, undo=lambda: setattr(zone, "rrsets", saved))
            return
        after = records.apply_batch(backend, zone, change_list)
        _check_exclusive(before, after, zone.name, undo=lambda: None)
        records.commit(zone, after)


def _check_exclusive(
    before: dict[records.Key, records.Record], after: dict[records.Key, records.Record], zone_name: str, undo: Callable[[], None]
) -> None:
    """route53.failover_exclusive, on the zone as the batch would leave it."""
    if not _STATE.enabled("route53.failover_exclusive"):
        return
    problems = records.exclusive_errors(before, after, records.encode_name(zone_name))
    if problems:
        undo()
        raise records.invalid_batch(problems)


def _list_resource_record_sets(original: Callable[..., ActionResult], response: Route53) -> ActionResult:
    """Route 53 API Reference, ListResourceRecordSets: AWS sort order and StartRecordIdentifier paging."""
    start_name, start_type = response._get_param("StartRecordName"), response._get_param("StartRecordType")
    if start_type and not start_name:
        raise aws_error("InvalidInput", "The input is not valid")
    with _STATE.lock:
        zone = response.backend.get_hosted_zone(response._get_param("HostedZoneId"))
        page = records.list_page(
            zone, start_name, start_type, response._get_param("StartRecordIdentifier"), response._get_int_param("MaxItems", 300)
        )
    return ActionResult(page)


# ---- route53.change_delay ---------------------------------------------------------------------
def _new_change(comment: str | None) -> dict[str, Any]:
    """A fresh change, PENDING for the delay configured now (Route 53 API Reference, GetChange)."""
    with _STATE.lock:
        change_id = "C" + "".join(random.choice(_CHANGE_ID_CHARS) for _ in range(20))
        delay = _STATE.delays["route53_insync_seconds"]
        change = _Change(datetime.now(UTC), now() + delay, comment)
        _MEMORY.changes[change_id] = change
        return _change_info(change_id, change)


def _change_info(change_id: str, change: _Change) -> dict[str, Any]:
    info: dict[str, Any] = {
        "Id": f"/change/{change_id}",
        "Status": "INSYNC" if now() >= change.insync_at else "PENDING",
        "SubmittedAt": change.submitted_at,
    }
    if change.comment is not None:
        info["Comment"] = change.comment
    return info


def _with_new_change(original: Callable[..., ActionResult], response: Route53) -> ActionResult:
    result = original(response)
    body = result.result
    if isinstance(body, dict) and "ChangeInfo" in body:
        comment = response._get_param("ChangeBatch.Comment") or response._get_param("Comment")
        body["ChangeInfo"] = _new_change(comment if isinstance(comment, str) else None)
    return result


def _get_change(original: Callable[..., ActionResult], response: Route53) -> ActionResult:
    change_id = str(response._get_param("Id")).removeprefix("/change/")
    with _STATE.lock:
        change = _MEMORY.changes.get(change_id)
        if change is None:
            raise aws_error("NoSuchChange", f"A change with the specified change ID does not exist: {change_id}")
        return ActionResult({"ChangeInfo": _change_info(change_id, change)})


# ---- route53.health_status ------------------------------------------------------------------------
def _get_health_check_status(original: Callable[..., ActionResult], response: Route53) -> ActionResult:
    """Route 53 API Reference, GetHealthCheckStatus: one observation per checker region, as the test set it."""
    with _STATE.lock:
        health_check = response.backend.get_health_check(response._get_param("HealthCheckId"))
        healthy = effective_health(health_check)
    status = "Success: HTTP Status Code 200, OK" if healthy else "Failure: HTTP Status Code 503, Service Unavailable"
    checked = datetime.now(UTC)
    observations = [
        {"Region": region, "IPAddress": f"15.177.{index}.10", "StatusReport": {"Status": status, "CheckedTime": checked}}
        for index, region in enumerate(health_check.regions or _CHECKER_REGIONS)
    ]
    return ActionResult({"HealthCheckObservations": observations})
