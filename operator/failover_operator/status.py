"""Conditions and reasons: the resource's status, written only when it differs.

Conventions (Kubernetes API conventions; cert-manager's conditions util):
``lastTransitionTime`` moves only when a condition's ``status`` flips, every
condition carries the ``observedGeneration`` it was computed for, and a failing
step marks every later step ``Unknown`` with a reason saying what it waits for.
Reasons are CamelCase constants documented here and in the README.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

CERTIFICATE_VALID = "CertificateValid"
CERTIFICATE_SYNCED = "CertificateSynced"
DISTRIBUTION_READY = "DistributionReady"
HEALTH_CHECK_READY = "HealthCheckReady"
RECORDS_READY = "RecordsReady"
PRIMARY_HEALTHY = "PrimaryHealthy"
READY = "Ready"
STEPS = (CERTIFICATE_VALID, CERTIFICATE_SYNCED, DISTRIBUTION_READY, HEALTH_CHECK_READY, RECORDS_READY)


class Reason:
    """Every reason the operator sets, as documented constants."""

    # CertificateValid (pre-flight checks; see model.certificates.Reason for the failure reasons)
    VALID = "Valid"
    CERTIFICATE_NOT_TRUSTED = "CertificateNotTrusted"  # False: the chain does not reach a CA CloudFront trusts
    EXPIRING_SOON = "ExpiringSoon"  # still valid, but expires within the warning window and was not renewed
    # CertificateSynced
    IMPORTED = "Imported"
    UPLOADED = "Uploaded"
    IN_SYNC = "InSync"
    # DistributionReady
    DEPLOYED = "Deployed"
    DEPLOYING = "Deploying"
    DISTRIBUTION_NOT_FOUND = "DistributionNotFound"
    ALIAS_CONFLICT = "AliasConflict"
    DISTRIBUTION_CONFLICT = "DistributionConflict"
    INVALID_VIEWER_CERTIFICATE = "InvalidViewerCertificate"
    TOO_MANY_ALIASES = "TooManyAliases"  # ours + the distribution's other aliases exceed CloudFront's quota
    HOSTNAME_NOT_COVERED = "HostnameNotCovered"  # False (CertificateValid): the distribution keeps an alias it does not cover
    CONCURRENT_UPDATE = "ConcurrentUpdate"  # Unknown: the distribution changed under each of our updates; retrying
    IPV6_NOT_ENABLED = "IPv6NotEnabled"  # False: AAAA failover to a distribution whose IsIPV6Enabled is false
    # HealthCheckReady
    ADDRESS_NOT_ROUTABLE = "AddressNotRoutable"  # a primary address Route53 cannot health-check (private, documentation...)
    # RecordsReady
    PENDING = "Pending"
    RECORD_CONFLICT = "RecordConflict"
    HOSTNAME_CONFLICT = "HostnameConflict"
    HOSTED_ZONE_NOT_FOUND = "HostedZoneNotFound"
    HOSTNAME_OUTSIDE_ZONE = "HostnameOutsideZone"
    CHANGE_BATCH_TOO_LARGE = "ChangeBatchTooLarge"  # one atomic Route53 batch would exceed its quotas
    # any step
    THROTTLED = "Throttled"
    ACCESS_DENIED = "AccessDenied"
    AWS_ERROR = "AwsError"
    QUOTA_EXCEEDED = "QuotaExceeded"  # False: an AWS account quota is used up (ACM imports, IAM certificates, ...)
    WAITING = "Waiting"  # Unknown: an earlier step has not succeeded yet
    # Ready
    READY = "Ready"


@dataclass(frozen=True)
class Condition:
    type: str
    status: str  # "True" | "False" | "Unknown"
    reason: str
    message: str


def now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def merge_conditions(
    previous: Sequence[Mapping[str, Any]], computed: Sequence[Condition], generation: int, now: str
) -> list[dict[str, Any]]:
    """New condition list; keeps lastTransitionTime of every condition whose status did not flip."""
    before = {condition["type"]: condition for condition in previous}
    merged = []
    for condition in computed:
        old = before.get(condition.type)
        flipped = old is None or old.get("status") != condition.status
        merged.append(
            {
                "type": condition.type,
                "status": condition.status,
                "reason": condition.reason,
                "message": condition.message,
                "lastTransitionTime": now if flipped else old.get("lastTransitionTime", now),  # type: ignore[union-attr]
                "observedGeneration": generation,
            }
        )
    computed_types = {condition.type for condition in computed}
    merged.extend(dict(condition) for condition in previous if condition["type"] not in computed_types)
    return sorted(merged, key=lambda condition: _order(condition["type"]))


def _order(condition_type: str) -> int:
    order = (*STEPS, PRIMARY_HEALTHY, READY)
    return order.index(condition_type) if condition_type in order else len(order)


def summary(conditions: Sequence[Condition]) -> Condition:
    """Ready is True only when every step is; otherwise it carries the first failure (or wait) and its reason."""
    by_type = {condition.type: condition for condition in conditions}
    steps = [by_type[step] for step in STEPS if step in by_type]
    blocking = next((c for c in steps if c.status == "False"), None) or next((c for c in steps if c.status != "True"), None)
    if blocking is not None:
        return Condition(READY, "False", blocking.reason, f"{blocking.type}: {blocking.message}")
    if len(steps) < len(STEPS):
        return Condition(READY, "False", Reason.WAITING, "not every step has been evaluated yet")
    return Condition(READY, "True", Reason.READY, "the failover to CloudFront is in place")


def waiting(step: str, blocker: str) -> Condition:
    return Condition(step, "Unknown", Reason.WAITING, f"waiting for {blocker}")


def status_patch(current: Mapping[str, Any], desired: Mapping[str, Any]) -> dict[str, Any]:
    """Only the top-level status fields whose value differs (empty dict: write nothing)."""
    return {key: value for key, value in desired.items() if current.get(key) != value}
