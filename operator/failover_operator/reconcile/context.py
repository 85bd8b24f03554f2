"""What one reconcile pass knows and produces.

`Inputs` is everything read from Kubernetes (spec, status, the Secret, the other
FailoverDomains); `Pass` accumulates what the pass learns and decides
(conditions, status fields, Events, when to look again). The kopf layer builds
the inputs and applies the outcome; nothing here imports kopf.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..aws.session import AwsClients
from ..model.certificates import CertificateBundle
from ..model.limits import DEFAULT_MAX_ALIASES
from ..model.naming import Owner
from ..model.records import Identity
from ..model.spec import FailoverSpec
from ..status import Condition


@dataclass(frozen=True)
class SecretView:
    """The referenced Secret: type and base64 data (held only for the pass, never logged)."""

    type: str | None
    data: Mapping[str, str] | None = field(repr=False)


@dataclass(frozen=True)
class Peer:
    """Another FailoverDomain, as the index sees it (for shared-distribution and hostname rules)."""

    key: str  # namespace/name
    created: str  # creationTimestamp: the older one wins a conflict
    distribution_id: str
    certificate_key: str  # namespace/secretName
    store: str
    hostnames: tuple[str, ...]
    zone: str  # hostedZone id or name, lowercased: hostnames conflict only within one zone
    deleting: bool


@dataclass(frozen=True)
class Inputs:
    owner: Owner
    generation: int
    created: str
    spec: FailoverSpec
    status: Mapping[str, Any]
    secret: SecretView | None
    peers: tuple[Peer, ...]
    now: datetime
    persist: Callable[[dict[str, Any]], None]  # write status fields immediately (ids AWS just gave us)
    trigger: str = "change"  # "change" (create/update/resume/Secret) or "drift" (the periodic check)
    expiry_warning_days: float = 14.0
    max_aliases_per_distribution: int = DEFAULT_MAX_ALIASES  # CloudFront quota (FAILOVER_MAX_ALIASES_PER_DISTRIBUTION)


@dataclass(frozen=True)
class Event:
    type: str  # Normal | Warning
    reason: str
    message: str


@dataclass
class Pass:
    """The state of one reconcile pass."""

    inputs: Inputs
    aws: AwsClients
    identity: Identity
    conditions: dict[str, Condition] = field(default_factory=dict)
    status: dict[str, Any] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    retry_after: float | None = None
    bundle: CertificateBundle | None = None
    zone_id: str = ""
    distribution: dict[str, Any] = field(default_factory=dict)
    current_records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # read once, in pre-flight
    certificate_ref: str = ""
    health_check_id: str = ""
    step: str = ""  # the condition the running step reports under: an AWS failure is filed there

    def at(self, step: str) -> Pass:
        self.step = step
        return self

    def set(self, condition: Condition) -> None:
        self.conditions[condition.type] = condition

    def event(self, reason: str, message: str, warning: bool = False) -> None:
        """Record an Event; a change made by the periodic check is reported as DriftRepaired."""
        if self.inputs.trigger == "drift" and not warning:
            message, reason = f"{reason}: {message}", "DriftRepaired"
        self.events.append(Event("Warning" if warning else "Normal", reason, message))

    def fail(self, condition: Condition) -> None:
        """Set a failed condition; warn with an Event only when it is news (not on every periodic check)."""
        self.set(condition)
        previous: Mapping[str, Any] = next(
            (c for c in self.previous.get("conditions") or [] if c.get("type") == condition.type), {}
        )
        if (previous.get("status"), previous.get("reason")) != (condition.status, condition.reason):
            self.events.append(Event("Warning", condition.reason, condition.message))

    def again_in(self, seconds: float) -> None:
        """Ask to be reconciled again in `seconds` (the soonest request wins)."""
        self.retry_after = seconds if self.retry_after is None else min(self.retry_after, seconds)

    @property
    def spec(self) -> FailoverSpec:
        return self.inputs.spec

    @property
    def previous(self) -> Mapping[str, Any]:
        return self.inputs.status
