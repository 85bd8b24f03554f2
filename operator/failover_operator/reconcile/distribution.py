"""Distribution step: our aliases and the viewer certificate on the maintenance distribution.

Updates carry the ETag they were read with (IfMatch); PreconditionFailed means
someone else changed the distribution in between, so re-read and try again.
A fresh certificate can take a moment to become usable by CloudFront
(InvalidViewerCertificate): that is retried shortly, not treated as final.
Deployment takes minutes on AWS; the pass never waits for it — it reports
``Deploying`` and asks to be looked at again. What it adds or replaces is
recorded first (reconcile.ownership), so that release hands back exactly that.
"""

from __future__ import annotations

from typing import Any

from ..aws import cloudfront
from ..aws.errors import AwsError, Kind
from ..model.distribution import aliases_of, current_certificate_ref, desired_config, viewer_certificate
from ..status import DISTRIBUTION_READY, Condition, Reason
from .context import Pass
from .ownership import aliases_leaving, distribution_lock, record_before_update

MAX_ETAG_RACES = 3
POLL_SECONDS = 10.0


def sync_distribution(state: Pass, poll_seconds: float = POLL_SECONDS) -> bool:
    """True when the distribution is Deployed with our aliases and certificate."""
    with distribution_lock(state.spec.distribution_id):
        return _sync(state, poll_seconds)


def _sync(state: Pass, poll_seconds: float) -> bool:
    viewer = viewer_certificate(state.spec.store, state.certificate_ref, state.spec.minimum_protocol_version)
    removed = aliases_leaving(state)
    distribution = state.distribution
    for _ in range(MAX_ETAG_RACES):
        previous_config = distribution["DistributionConfig"]
        config = desired_config(previous_config, state.spec.hostnames, removed, viewer)
        if config is None:
            break
        record_before_update(state, distribution, previous_config, config, removed)
        try:
            distribution = cloudfront.update_distribution(state.aws.cloudfront, distribution["Id"], config, distribution["ETag"])
        except AwsError as error:
            if error.kind is Kind.PRECONDITION_FAILED:
                distribution = _reread(state)
                continue
            return _update_failed(state, error, distribution, poll_seconds)
        state.event("DistributionUpdated", _describe_change(distribution["Id"], config, previous_config))
        break
    else:
        return _still_contended(state, distribution)
    state.distribution = distribution
    return report(state, poll_seconds)


def _still_contended(state: Pass, distribution: dict[str, Any]) -> bool:
    """Someone else kept changing the distribution between our read and our write: not yet, never Ready."""
    state.distribution = distribution
    message = f"distribution {distribution['Id']} changed under every one of {MAX_ETAG_RACES} updates (ETag); retrying"
    state.set(Condition(DISTRIBUTION_READY, "Unknown", Reason.CONCURRENT_UPDATE, message))
    state.again_in(1)
    return False


def _describe_change(distribution_id: str, new: dict[str, Any], old: dict[str, Any]) -> str:
    """What was found and what it became, for the Event."""
    parts = []
    added, dropped = set(aliases_of(new)) - set(aliases_of(old)), set(aliases_of(old)) - set(aliases_of(new))
    if added or dropped:
        parts.append(f"aliases +{sorted(added)} -{sorted(dropped)}")
    before, after = current_certificate_ref(old), current_certificate_ref(new)
    if before != after or old.get("ViewerCertificate") != new.get("ViewerCertificate"):
        parts.append(f"viewer certificate {before or 'CloudFront default'} -> {after}")
    return f"distribution {distribution_id}: " + ("; ".join(parts) or "settings restored")


def _reread(state: Pass) -> dict[str, object]:
    fresh = cloudfront.get_distribution(state.aws.cloudfront, state.spec.distribution_id)
    if fresh is None:
        raise AwsError(Kind.NOT_FOUND, "NoSuchDistribution", f"distribution {state.spec.distribution_id} disappeared")
    return fresh


def _update_failed(state: Pass, error: AwsError, distribution: dict[str, object], poll_seconds: float) -> bool:
    if error.code == "IllegalUpdate" and _reread(state).get("Status") != "Deployed":
        # "Only one viewer certificate change may be in progress at a time": the change before ours is still
        # deploying (hashicorp/terraform#13495). Not an error: look again once it may be done.
        message = f"distribution {distribution['Id']} is still deploying an earlier change; waiting to apply ours"
        state.set(Condition(DISTRIBUTION_READY, "Unknown", Reason.DEPLOYING, message))
        state.again_in(poll_seconds)
        return False
    if error.code == "CNAMEAlreadyExists":
        state.fail(Condition(DISTRIBUTION_READY, "False", Reason.ALIAS_CONFLICT, error.message))
        return False
    if error.code == "InvalidViewerCertificate":
        state.set(Condition(DISTRIBUTION_READY, "False", Reason.INVALID_VIEWER_CERTIFICATE, error.message))
        state.again_in(15)
        return False
    raise error


def report(state: Pass, poll_seconds: float) -> bool:
    distribution = state.distribution
    state.status["distribution"] = {
        "id": distribution["Id"],
        "domainName": distribution["DomainName"],
        "status": distribution["Status"],
    }
    if distribution["Status"] != "Deployed":
        state.set(
            Condition(
                DISTRIBUTION_READY, "Unknown", Reason.DEPLOYING, f"distribution {distribution['Id']} is {distribution['Status']}"
            )
        )
        state.again_in(poll_seconds)
        return False
    state.set(Condition(DISTRIBUTION_READY, "True", Reason.DEPLOYED, f"distribution {distribution['Id']} is Deployed"))
    return True
