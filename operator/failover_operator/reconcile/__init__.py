"""Orchestration: one level-based pass for create, update, resume and Secret changes.

A pass gathers (Secret, peers, AWS state with reads only), checks everything
bad input could break (preflight), and only then converges AWS step by step:
certificate → distribution → health check → records → clean-up. Each step
reads before it writes and writes only what differs, so an interrupted pass is
simply finished by the next one. The result is plain data: the status fields
to write, the Events to post, and when to look again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..aws.errors import AwsError, Kind
from ..aws.session import AwsClients
from ..model.naming import set_identifier
from ..model.records import Identity
from ..status import (
    CERTIFICATE_SYNCED,
    CERTIFICATE_VALID,
    DISTRIBUTION_READY,
    HEALTH_CHECK_READY,
    RECORDS_READY,
    STEPS,
    Condition,
    Reason,
    merge_conditions,
    now_rfc3339,
    summary,
    waiting,
)
from . import certificate, distribution, healthcheck, preflight, records, visibility
from .context import Event, Inputs, Pass
from .release import release_resources


@dataclass
class Outcome:
    status: dict[str, Any]
    events: list[Event] = field(default_factory=list)
    retry_after: float | None = None


@dataclass(frozen=True)
class Timing:
    """How soon to look again while AWS is still converging (shorter in tests)."""

    distribution_poll: float = 10.0
    records_poll: float = 5.0
    error_retry: float = 30.0


def identity_of(inputs: Inputs) -> Identity:
    return Identity(set_identifier(inputs.owner, "primary"), set_identifier(inputs.owner, "secondary"))


def reconcile(inputs: Inputs, aws: AwsClients, timing: Timing = Timing()) -> Outcome:
    state = Pass(inputs=inputs, aws=aws, identity=identity_of(inputs))
    try:
        if preflight.run(state):
            _converge(state, timing)
    except AwsError as error:
        _aws_failure(state, error, timing)
    return _outcome(state)


def _converge(state: Pass, timing: Timing) -> None:
    certificate.sync_certificate(state.at(CERTIFICATE_SYNCED))
    if not distribution.sync_distribution(state.at(DISTRIBUTION_READY), timing.distribution_poll):
        return
    healthcheck.sync_health_check(state.at(HEALTH_CHECK_READY), visibility.apply_schedule(state))
    if records.sync_records(state.at(RECORDS_READY), timing.records_poll):
        _clean_up(state, timing)


def _clean_up(state: Pass, timing: Timing) -> None:
    """After the records are INSYNC: what is no longer needed goes. A failure here is a Warning and a retry,
    never a flip of the conditions the steps above just earned."""
    try:
        visibility.observe_when_auto_begins(state)
        healthcheck.delete_retired(state)
        certificate.cleanup_retired(state)
    except AwsError as error:
        state.event(_REASONS.get(error.kind, Reason.AWS_ERROR), f"clean-up: {error}; retrying", warning=True)
        state.again_in(timing.error_retry if not error.retryable else timing.records_poll)


_REASONS = {Kind.THROTTLED: Reason.THROTTLED, Kind.ACCESS_DENIED: Reason.ACCESS_DENIED, Kind.QUOTA: Reason.QUOTA_EXCEEDED}


def _aws_failure(state: Pass, error: AwsError, timing: Timing) -> None:
    step = state.step or next((step for step in STEPS if step not in state.conditions), RECORDS_READY)
    reason = _REASONS.get(error.kind, Reason.AWS_ERROR)
    status = "Unknown" if error.retryable else "False"
    state.fail(Condition(step, status, reason, f"{error.operation or 'AWS'}: {error.code}: {error.message}"))
    state.again_in(timing.error_retry if not error.retryable else timing.records_poll)


def _outcome(state: Pass) -> Outcome:
    computed = _with_waiting(state.conditions)
    computed.append(summary(computed))
    inputs = state.inputs
    status = dict(state.status)
    status["conditions"] = merge_conditions(inputs.status.get("conditions") or [], computed, inputs.generation, now_rfc3339())
    status["observedGeneration"] = inputs.generation
    return Outcome(status=status, events=state.events, retry_after=state.retry_after)


def _with_waiting(conditions: dict[str, Condition]) -> list[Condition]:
    """Steps not evaluated in this pass are Unknown, waiting for what blocked them; other conditions pass through.

    A definitive failure (status False, e.g. a pre-flight check) blocks every
    step that was not reached; otherwise the first step that is not True does.
    """
    failed = next((conditions[step] for step in STEPS if step in conditions and conditions[step].status == "False"), None)
    result: list[Condition] = []
    blocker = f"{failed.type} ({failed.reason})" if failed else None
    for step in STEPS:
        condition = conditions.get(step)
        if condition is None:
            condition = waiting(step, blocker or "an earlier step")
        elif blocker is None and condition.status != "True":
            blocker = f"{step} ({condition.reason})"
        result.append(condition)
    result.extend(condition for kind, condition in conditions.items() if kind not in STEPS)  # PrimaryHealthy
    return result


__all__ = [
    "CERTIFICATE_SYNCED",
    "CERTIFICATE_VALID",
    "DISTRIBUTION_READY",
    "HEALTH_CHECK_READY",
    "Inputs",
    "Outcome",
    "Timing",
    "identity_of",
    "reconcile",
    "release",
]


def release(inputs: Inputs, aws: AwsClients, timing: Timing = Timing()) -> tuple[bool, Outcome]:
    """Deletion pass: (done, outcome). Not done means: keep the finalizer, look again later."""
    state = Pass(inputs=inputs, aws=aws, identity=identity_of(inputs))
    if inputs.spec.deletion_policy == "Retain":
        state.event("Retained", "deletionPolicy is Retain: AWS resources are left as they are")
        return True, Outcome(status={}, events=state.events)
    try:
        done = release_resources(state, timing.distribution_poll)
    except AwsError as error:
        state.event(
            Reason.AWS_ERROR if error.kind is not Kind.THROTTLED else Reason.THROTTLED, f"deletion: {error}", warning=True
        )
        state.again_in(timing.records_poll if error.retryable else timing.error_retry)
        done = False
    if not done and state.retry_after is None:
        state.again_in(timing.records_poll)
    return done, Outcome(status=state.status, events=state.events, retry_after=None if done else state.retry_after)
