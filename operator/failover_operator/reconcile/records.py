"""Records step: the failover pairs in one atomic batch, then wait for INSYNC.

A hostname removed from the spec is not left without an answer: the same batch
that deletes its pair creates a simple record to the primary, as deletion does.
"""

from __future__ import annotations

from ..aws import route53
from ..model.records import plan_records, restore_removed_hostnames
from ..status import RECORDS_READY, Condition, Reason
from .context import Pass
from .desired import desired_records

POLL_SECONDS = 5.0


def sync_records(state: Pass, poll_seconds: float = POLL_SECONDS) -> bool:
    """True when Route53 serves exactly our pairs (INSYNC)."""
    current = state.current_records  # read in pre-flight; nothing in this pass has changed records since
    desired = desired_records(state, state.health_check_id, state.distribution["DomainName"])
    plan = plan_records(desired, current, state.identity, state.spec.adopt_existing_records)
    if plan.conflicts:
        reason, _ = plan.conflicts[0]
        message = "; ".join(text for _, text in plan.conflicts)
        state.fail(Condition(RECORDS_READY, "False", reason, message))
        return False
    change_id = state.previous.get("recordsChangeId")
    changes = restore_removed_hostnames(plan.changes, state.spec)
    if changes:
        comment = f"failover-operator {state.inputs.owner.key}"
        change_id = route53.change_record_sets(state.aws.route53, state.zone_id, changes, comment)
        summary = ", ".join(f"{c['Action']} {c['ResourceRecordSet']['Name']} {c['ResourceRecordSet']['Type']}" for c in changes)
        state.event("RecordsUpdated", f"submitted {len(changes)} record changes in one batch ({summary})")
    state.status["records"] = plan.owned
    if change_id and route53.get_change_status(state.aws.route53, change_id) != "INSYNC":
        state.status["recordsChangeId"] = change_id
        state.set(Condition(RECORDS_READY, "Unknown", Reason.PENDING, f"Route53 change {change_id} is PENDING"))
        state.again_in(poll_seconds)
        return False
    state.status["recordsChangeId"] = None
    state.set(Condition(RECORDS_READY, "True", Reason.IN_SYNC, f"{len(plan.owned)} failover record sets are INSYNC"))
    return True
