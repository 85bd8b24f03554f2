"""Pre-flight checks for what real AWS refuses although the spec is valid (model.limits has the rules).

Each check reads only what pre-flight already gathered and, on failure, sets
a False condition with a precise reason: the pass then stops before any AWS
change, instead of meeting the same refusal as an ``AwsError`` on every
retry. Called from ``preflight.run`` where its data is available.
"""

from __future__ import annotations

from ..model import limits
from ..model.distribution import aliases_of, desired_config
from ..model.records import plan_records
from ..status import DISTRIBUTION_READY, HEALTH_CHECK_READY, RECORDS_READY, Condition, Reason
from .context import Pass
from .desired import desired_records
from .ownership import aliases_leaving

_PLACEHOLDER_HEALTH_CHECK = "00000000-0000-0000-0000-000000000000"  # ids and domains do not change the batch's size


def check_addresses(state: Pass) -> bool:
    """Route53 refuses to health-check non-public addresses; every primary address is served to the internet."""
    primary = state.spec.primary
    refused = limits.unroutable_addresses((*primary.ipv4, *primary.ipv6))
    if not refused:
        return True
    listed = "; ".join(f"{address} is {why}" for address, why in refused)
    message = (
        f"primary address not routable on the internet: {listed}. Route53 health checks refuse local, private, "
        "non-routable, multicast and documentation addresses (CreateHealthCheck, IPAddress), and visitors could not "
        "reach them: give the origin's public address"
    )
    return _fail(state, Condition(HEALTH_CHECK_READY, "False", Reason.ADDRESS_NOT_ROUTABLE, message))


def check_alias_quota(state: Pass) -> bool:
    """Our hostnames plus the aliases the distribution keeps must fit CloudFront's aliases-per-distribution quota."""
    config = state.distribution["DistributionConfig"]
    leaving = aliases_leaving(state)
    current = aliases_of(config)
    resulting = aliases_of(desired_config(config, state.spec.hostnames, leaving, None) or config)
    limit = state.inputs.max_aliases_per_distribution
    if not limits.aliases_over_quota(current, resulting, limit):
        return True
    message = (
        f"distribution {state.spec.distribution_id} would hold {len(set(resulting))} aliases ({len(current)} now, "
        f"{len(state.spec.hostnames)} of them ours), over the {limit} CloudFront allows per distribution "
        "(TooManyDistributionCNAMEs); use another distribution or fewer hostnames, or, if the account's quota was "
        "raised, set FAILOVER_MAX_ALIASES_PER_DISTRIBUTION"
    )
    return _fail(state, Condition(DISTRIBUTION_READY, "False", Reason.TOO_MANY_ALIASES, message))


def check_change_batch(state: Pass) -> bool:
    """The records go in ONE atomic batch (and come out in one on deletion): both must fit Route53's batch quotas."""
    domain = state.distribution.get("DomainName", "placeholder.cloudfront.net")
    desired = desired_records(state, _PLACEHOLDER_HEALTH_CHECK, domain)
    plan = plan_records(desired, state.current_records, state.identity, state.spec.adopt_existing_records)
    batches = (("the change batch", limits.batch_size(plan.changes)), ("the deletion batch", limits.release_batch_size(desired)))
    for batch, size in batches:
        problems = size.problems()
        if problems:
            message = (
                f"{batch} for these records would hold {' and '.join(problems)}; Route53 refuses it "
                "(InvalidChangeBatch; UPSERT counts twice) and the operator never splits a batch, so DNS is never "
                "half-changed: use fewer hostnames or addresses per FailoverDomain"
            )
            return _fail(state, Condition(RECORDS_READY, "False", Reason.CHANGE_BATCH_TOO_LARGE, message))
    return True


def _fail(state: Pass, condition: Condition) -> bool:
    state.fail(condition)
    return False
