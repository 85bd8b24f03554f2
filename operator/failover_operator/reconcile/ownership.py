"""What the operator changed on a distribution it does not own, recorded before the change.

The user's distribution is theirs: the operator may add aliases and replace the
viewer certificate, and must be able to hand back exactly that. Two records,
each written *before* the UpdateDistribution it describes (a crash in between
leaves a record of a change not made, which releases as a no-op; never a
change without a record):

* ``status.ownership`` of each FailoverDomain: the distribution and the aliases
  *it* added (an alias that was already there is the user's and stays);
* a tag on the distribution, ``failover.dev/original-viewer-certificate``: the
  viewer certificate it had before any FailoverDomain replaced it. It lives on
  the distribution because FailoverDomains sharing it come and go in any order,
  and whichever leaves last puts it back.

Per-distribution locks serialise this process's writers to one distribution
(peers sharing it would otherwise race each other's ETags).
"""

from __future__ import annotations

import threading
from typing import Any

from ..aws import cloudfront
from ..model.distribution import TAG_ORIGINAL_VIEWER, aliases_of, encode_viewer, same_viewer
from .context import Pass

_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def distribution_lock(distribution_id: str) -> threading.Lock:
    """One writer per distribution at a time in this process."""
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(distribution_id, threading.Lock())


def added_aliases(state: Pass, distribution_id: str) -> set[str]:
    """Aliases this FailoverDomain added to `distribution_id` (empty if it never changed that distribution)."""
    record = state.status.get("ownership", state.previous.get("ownership")) or {}
    if record.get("distributionId") != distribution_id:
        return set()
    return {str(alias) for alias in record.get("addedAliases") or []}


def aliases_leaving(state: Pass) -> set[str]:
    """Aliases this FailoverDomain added that its spec no longer names: ours to remove (the user's always stay)."""
    return added_aliases(state, state.spec.distribution_id) - set(state.spec.hostnames)


def record_before_update(
    state: Pass, distribution: dict[str, Any], old: dict[str, Any], new: dict[str, Any], removed: set[str]
) -> None:
    """Write down what `new` changes relative to `old` before it is sent."""
    distribution_id = str(distribution["Id"])
    added = (added_aliases(state, distribution_id) | (set(aliases_of(new)) - set(aliases_of(old)))) - removed
    record = {"distributionId": distribution_id, "addedAliases": sorted(added)}
    if record != (state.status.get("ownership", state.previous.get("ownership")) or None):
        state.inputs.persist({"ownership": record})
        state.status["ownership"] = record
    if not same_viewer(old.get("ViewerCertificate") or {}, new.get("ViewerCertificate") or {}):
        _remember_original_viewer(state, str(distribution["ARN"]), old.get("ViewerCertificate") or {})


def _remember_original_viewer(state: Pass, distribution_arn: str, viewer: dict[str, Any]) -> None:
    """The first replacement records what was there; later ones (renewals, peers) find the record in place."""
    if cloudfront.get_tag(state.aws.cloudfront, distribution_arn, TAG_ORIGINAL_VIEWER) is None:
        cloudfront.set_tag(state.aws.cloudfront, distribution_arn, TAG_ORIGINAL_VIEWER, encode_viewer(viewer))
