"""Shared, lock-protected state of the fidelity layer.

Everything the control API can change (faults, delays, health, the Route53
quota) and everything the rules remember across calls (change ids, caller
references, deploy timers) lives here, outside moto's backends: moto's own
reset wipes its backends, ours clears this state, and both happen together on
``POST /_fidelity/reset``.

Rules are named (``RULES``) so that each can be switched off at launch
(``FIDELITY_DISABLED_RULES=a,b``) to prove a test depends on it.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

RULES: dict[str, str] = {
    "cloudfront.etag": "ETag changes on every update; a stale IfMatch answers PreconditionFailed",
    "cloudfront.deploy_delay": "a distribution is InProgress after create/update, Deployed after a delay",
    "cloudfront.cname_conflict": "an alias held by another distribution answers CNAMEAlreadyExists",
    "cloudfront.viewer_certificate": "unknown/uncovering/unsupported certificates answer InvalidViewerCertificate",
    "iam.unique_id": "every server certificate gets its own ServerCertificateId, real dates",
    "iam.duplicate_name": "uploading an existing name answers EntityAlreadyExists",
    "iam.path_prefix": "ListServerCertificates honours PathPrefix",
    "iam.validate": "malformed PEM answers MalformedCertificate, key/cert mismatch KeyPairMismatch",
    "iam.delete_conflict": "deleting a certificate a distribution uses answers DeleteConflict",
    "acm.in_use": "InUseBy lists distributions; deleting a used certificate answers ResourceInUseException",
    "acm.reimport": "re-import keeps tags, refuses tags and key-algorithm changes",
    "acm.validate": "key/cert mismatch answers ValidationException",
    "acm.serial": "Serial is colon-separated hex as AWS returns it",
    "acm.key_algorithm": "responses spell KeyAlgorithm with a hyphen (RSA-2048, EC-prime256v1), as real AWS does",
    "acm.list_key_types": "ListCertificates without Includes.keyTypes lists RSA_2048 certificates only",
    "acm.import_quota": "imports per year are capped; past the quota ImportCertificate answers LimitExceededException",
    "iam.certificate_quota": "20 server certificates per account; more answers LimitExceeded",
    "iam.list_pagination": "ListServerCertificates pages by MaxItems (default 100) with IsTruncated/Marker",
    "cloudfront.one_viewer_change": "a viewer-certificate change while the previous one deploys answers IllegalUpdate",
    "cloudfront.ipv6_default": "a distribution created without IsIPV6Enabled has IPv6 off (moto: on)",
    "cloudfront.trust": "a viewer certificate must chain to Mozilla's CAs (or the bed's anchors), else InvalidViewerCertificate",
    "route53.default_regions": "a health check without Regions reports the eight default checker regions",
    "route53.health_check_ip": "UpdateHealthCheck cannot add an IPAddress to a check created without one",
    "route53.caller_reference": "CreateHealthCheck is idempotent per CallerReference, refuses reuse",
    "route53.health_check_version": "HealthCheckVersion increments; a stale one answers HealthCheckVersionMismatch",
    "route53.change_batch": "CREATE/DELETE/UPSERT checked against exact current values, atomically",
    "route53.failover_exclusive": "simple and failover record sets of one name and type cannot coexist",
    "route53.change_delay": "changes are PENDING, then INSYNC after a delay",
    "route53.health_status": "GetHealthCheckStatus reports the health set by the test, after Disabled/Inverted",
    "route53.quota": "an account-wide 5 requests/s quota answers Throttling",
    "route53.public_ip": "a health check on a local, private, non-routable or documentation address answers InvalidInput",
    "route53.set_identifier_limit": "a SetIdentifier over 128 characters answers InvalidInput",
    "route53.tag_limit": "a tag key over 128 or value over 256 characters answers InvalidInput",
    "route53.batch_limit": "a batch over 1,000 records or 32,000 value characters (UPSERT twice) answers InvalidChangeBatch",
    "cloudfront.alias_quota": "a distribution with over 100 aliases answers TooManyDistributionCNAMEs",
}


@dataclass
class Fault:
    """One injected fault: applies to the next `count` matching calls (None = until cleared)."""

    kind: str  # throttle | prior_request | error5xx | access_denied | reset | lost_response | latency
    service: str | None = None
    operation: str | None = None
    count: int | None = 1
    latency_ms: int = 0

    def matches(self, service: str, operation: str) -> bool:
        return (self.service in (None, service)) and (self.operation in (None, operation))


@dataclass
class TokenBucket:
    """Route53's account-wide request quota (5/s by default)."""

    rate: float = 5.0
    enabled: bool = True
    tokens: float = 5.0
    stamp: float = field(default_factory=time.monotonic)

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if not self.enabled or self.tokens >= 1:
            self.tokens -= 1 if self.enabled else 0
            return True
        return False


class FidelityState:
    """All mutable fidelity-layer state; every access holds `lock`."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.disabled_rules = {name.strip() for name in os.environ.get("FIDELITY_DISABLED_RULES", "").split(",") if name.strip()}
        unknown = self.disabled_rules - RULES.keys()
        if unknown:
            raise SystemExit(f"FIDELITY_DISABLED_RULES names unknown rules: {sorted(unknown)}")
        self.default_delays = {
            "cloudfront_deploy_seconds": float(os.environ.get("FIDELITY_CLOUDFRONT_DEPLOY_SECONDS", "2")),
            "route53_insync_seconds": float(os.environ.get("FIDELITY_ROUTE53_INSYNC_SECONDS", "1")),
        }
        self._resetters: list[Callable[[], None]] = []
        self.reset()

    def enabled(self, rule: str) -> bool:
        assert rule in RULES, rule
        return rule not in self.disabled_rules

    def on_reset(self, resetter: Callable[[], None]) -> None:
        """Register a rule module's own state clearing, run on every reset."""
        self._resetters.append(resetter)

    def reset(self) -> None:
        with self.lock:
            self.calls: list[dict[str, Any]] = []
            self.faults: list[Fault] = []
            self.delays = dict(self.default_delays)
            self.route53_quota = TokenBucket()
            self.health: dict[str, bool] = {}
            self.quotas: dict[str, int] = {"acm_imports_per_year": 5000, "iam_server_certificates": 20, "iam_list_page_size": 100}
            for resetter in self._resetters:
                resetter()

    def take_fault(self, service: str, operation: str) -> Fault | None:
        """The first fault matching this call, consuming one of its uses."""
        with self.lock:
            for fault in self.faults:
                if fault.matches(service, operation):
                    if fault.count is not None:
                        fault.count -= 1
                        if fault.count <= 0:
                            self.faults.remove(fault)
                    return fault
        return None


STATE = FidelityState()


def now() -> float:
    """Monotonic seconds: what every delay in the fidelity layer is measured in."""
    return time.monotonic()
