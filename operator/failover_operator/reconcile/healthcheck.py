"""Health check step: one Route53 health check per FailoverDomain, updated in place when possible.

The CallerReference is derived from the uid, the immutable settings and a
counter in status (model.naming), so a crash right after CreateHealthCheck
finds the same check again instead of creating a second one; the new id is
written to status at once, before any record points at it. A check deleted
behind our back, or one whose immutable settings changed, is re-created under
the next counter (AWS never accepts a deleted check's reference again); a
replaced check is deleted only after the records point at its successor.
"""

from __future__ import annotations

from typing import Any

from ..aws import route53
from ..aws.errors import AwsError
from ..model import naming
from ..model.healthcheck import desired_health_check, immutable_fingerprint, needs_replacement, update_for
from ..status import HEALTH_CHECK_READY, Condition, Reason
from .context import Pass


def sync_health_check(state: Pass, mode: str) -> None:
    desired = desired_health_check(state.spec, mode)
    check_id = state.previous.get("healthCheckId")
    generation = int(state.previous.get("healthCheckGeneration") or 0)
    current = route53.get_health_check(state.aws.route53, check_id) if check_id else None
    if check_id and current is None:
        state.event(
            "HealthCheckRecreated", f"health check {check_id} no longer exists in Route53; creating a new one", warning=True
        )
        check_id = None
    if current is not None and needs_replacement(current, desired):
        _retire(state, current["Id"])
        current = None
    current = _create(state, desired, generation + 1) if current is None else _update(state, current, desired)
    _ensure_tagged(state, current["Id"])
    state.health_check_id = current["Id"]
    state.status["healthCheckId"] = current["Id"]
    state.set(Condition(HEALTH_CHECK_READY, "True", Reason.IN_SYNC, f"health check {current['Id']} ({desired['Type']}) in place"))


def _create(state: Pass, desired: dict[str, Any], generation: int) -> dict[str, Any]:
    """Create the check, or adopt the one an interrupted pass created under the same reference."""
    owner = state.inputs.owner
    reference = naming.health_check_caller_reference(owner, immutable_fingerprint(desired), generation)
    try:
        check = route53.create_health_check(state.aws.route53, reference, desired)
        state.event("HealthCheckCreated", f"created health check {check['Id']}")
    except AwsError as error:
        if error.code != "HealthCheckAlreadyExists":
            raise
        check = _adopt_or_move_on(state, reference, desired, generation)
    _remember(state, {"healthCheckId": check["Id"], "healthCheckGeneration": generation, "healthCheckTagged": None})
    return _update(state, check, desired)


def _adopt_or_move_on(state: Pass, reference: str, desired: dict[str, Any], generation: int) -> dict[str, Any]:
    """HealthCheckAlreadyExists: our reference was used with other settings (a crash before the id reached
    status, then a spec change) — adopt that check; or it belonged to a deleted check, which AWS never
    accepts again — create under the next counter."""
    found = route53.find_health_check_by_reference(state.aws.route53, reference)
    if found is None:
        state.event("HealthCheckReferenceUsed", f"CallerReference {reference} belonged to a deleted check; using the next one")
        return _create(state, desired, generation + 1)
    state.event("HealthCheckAdopted", f"found health check {found['Id']} created by an interrupted pass; adopting it")
    return found


def _remember(state: Pass, fields: dict[str, Any]) -> None:
    """Ids AWS just gave us go to status at once, before anything points at them."""
    state.inputs.persist(fields)
    state.status.update(fields)


def _ensure_tagged(state: Pass, check_id: str) -> None:
    """Tags are applied by whichever pass finds them missing (a crash may fall between create and tag)."""
    tagged = state.status.get("healthCheckTagged", state.previous.get("healthCheckTagged"))
    if tagged == check_id:
        return
    route53.tag_health_check(state.aws.route53, check_id, naming.health_check_tags(state.inputs.owner))
    state.status["healthCheckTagged"] = check_id


def _update(state: Pass, current: dict[str, Any], desired: dict[str, Any]) -> dict[str, Any]:
    changes = update_for(current, desired)
    if not changes:
        return current
    try:
        updated = route53.update_health_check(state.aws.route53, current["Id"], int(current["HealthCheckVersion"]), changes)
    except AwsError as error:
        if error.code != "HealthCheckVersionMismatch":
            raise
        fresh = route53.get_health_check(state.aws.route53, current["Id"]) or current
        updated = route53.update_health_check(
            state.aws.route53, fresh["Id"], int(fresh["HealthCheckVersion"]), update_for(fresh, desired)
        )
    found = current["HealthCheckConfig"]
    detail = ", ".join(f"{key} {found.get(key)!r} -> {value!r}" for key, value in sorted(changes.items()))
    state.event("HealthCheckUpdated", f"health check {current['Id']}: {detail}")
    return updated


def _retire(state: Pass, check_id: str) -> None:
    retired = list(state.previous.get("retiredHealthCheckIds") or [])
    if check_id not in retired:
        retired.append(check_id)
    state.inputs.persist({"retiredHealthCheckIds": retired})
    state.status["retiredHealthCheckIds"] = retired
    state.event("HealthCheckReplaced", f"health check {check_id} has settings AWS cannot change in place; replacing it")


def delete_retired(state: Pass) -> None:
    """Delete replaced checks; called once the records no longer reference them (INSYNC)."""
    for check_id in state.status.get("retiredHealthCheckIds", state.previous.get("retiredHealthCheckIds") or []):
        route53.delete_health_check(state.aws.route53, check_id)
        state.event("HealthCheckDeleted", f"deleted replaced health check {check_id}")
    state.status["retiredHealthCheckIds"] = None
