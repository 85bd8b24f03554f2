"""Failover visibility: the effective mode, the maintenance windows, the primary's health, the active target.

Route53 decides where DNS points from the health check: in Auto it probes the
origin (PRIMARY while healthy); in Maintenance the check is Disabled+Inverted
(always SECONDARY) and in Primary it is Disabled (always PRIMARY) — in both
the origin is not probed at all. Route53 considers an endpoint healthy when
more than 18% of its checkers report it healthy (Route 53 Developer Guide, "How
Route 53 determines whether a health check is healthy"); the operator reads
the same observations and reports ``PrimaryHealthy`` and ``activeTarget``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..aws import route53
from ..aws.errors import AwsError
from ..aws.session import AwsClients
from ..model.windows import schedule
from ..status import PRIMARY_HEALTHY, Condition, merge_conditions, now_rfc3339
from .context import Event, Pass

HEALTHY_SHARE = 0.18


def apply_schedule(state: Pass) -> str:
    """The effective mode now; records the windows and (outside Auto) the fixed target in status."""
    plan = schedule(state.spec.mode, state.spec.maintenance_windows, state.inputs.now)
    state.status["effectiveMode"] = plan.mode
    state.status["currentWindow"] = plan.current.as_status() if plan.current else None
    state.status["nextWindow"] = plan.next.as_status() if plan.next else None
    if plan.mode != "Auto":
        state.status["activeTarget"] = "Secondary" if plan.mode == "Maintenance" else "Primary"
        state.set(Condition(PRIMARY_HEALTHY, "Unknown", "NotProbed", f"mode {plan.mode}: Route53 does not probe the origin"))
    return plan.mode


def primary_healthy(observations: Sequence[dict[str, Any]]) -> tuple[bool | None, str]:
    """Route53's verdict from its checkers' reports: healthy when more than 18% say so."""
    if not observations:
        return None, "no health checker has reported yet"
    good = sum(1 for item in observations if str(item.get("StatusReport", {}).get("Status", "")).startswith("Success"))
    return good / len(
        observations
    ) > HEALTHY_SHARE, f"{good} of {len(observations)} Route53 health checkers report the origin healthy"


def _observe(route53_client: Any, check_id: str) -> tuple[Condition, str, str]:
    """(PrimaryHealthy, activeTarget, message) from one GetHealthCheckStatus read; a failed read is Unknown."""
    try:
        healthy, message = primary_healthy(route53.get_health_check_status(route53_client, check_id))
    except AwsError as error:
        healthy, message = None, f"cannot read health check status: {error.code}"
    condition = Condition(
        PRIMARY_HEALTHY,
        {True: "True", False: "False", None: "Unknown"}[healthy],
        {True: "Healthy", False: "Unhealthy", None: "Unknown"}[healthy],
        message,
    )
    return condition, {True: "Primary", False: "Secondary", None: "Unknown"}[healthy], message


def observe_health(
    status: Mapping[str, Any], spec_mode: str, generation: int, aws: AwsClients
) -> tuple[dict[str, Any], list[Event]]:
    """The health poll: PrimaryHealthy and activeTarget from GetHealthCheckStatus (reads only)."""
    mode = status.get("effectiveMode") or spec_mode
    check_id = status.get("healthCheckId")
    if mode != "Auto" or not check_id:
        return {}, []
    condition, target, message = _observe(aws.route53, check_id)
    fields = {
        "activeTarget": target,
        "conditions": merge_conditions(status.get("conditions") or [], [condition], generation, now_rfc3339()),
    }
    return fields, _flip_events(status.get("activeTarget"), target, message)


def observe_when_auto_begins(state: Pass) -> None:
    """On the first Ready pass, and when Auto follows Maintenance/Primary: read Route53's view now.

    Otherwise `activeTarget` would stay empty (or still say what the previous
    mode forced) until the next health poll. Steady passes make no extra read.
    """
    if state.status.get("effectiveMode") != "Auto" or not state.health_check_id:
        return
    if state.previous.get("effectiveMode") == "Auto" and state.previous.get("activeTarget"):
        return
    condition, target, message = _observe(state.aws.route53, state.health_check_id)
    state.set(condition)
    state.status["activeTarget"] = target
    state.events.extend(_flip_events(state.previous.get("activeTarget"), target, message))  # never "DriftRepaired"


def _flip_events(before: str | None, after: str, message: str) -> list[Event]:
    if before == "Primary" and after == "Secondary":
        return [Event("Warning", "FailoverActivated", f"DNS now answers with the maintenance distribution: {message}")]
    if before == "Secondary" and after == "Primary":
        return [Event("Normal", "FailbackCompleted", f"DNS answers with the origin again: {message}")]
    return []
