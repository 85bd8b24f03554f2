"""kopf glue: turn events into reconcile passes and outcomes into status, Events and retries.

* One level-based handler for create, update and resume; a deletion handler
  behind the finalizer. Waiting for AWS (Deploying, PENDING) is a
  ``TemporaryError`` with a delay: no worker thread ever blocks on a waiter.
* Secrets are watched with an *event* handler only (never create/update
  handlers: kopf would store the whole Secret, ``tls.key`` included, in a
  diff-base annotation). When a TLS Secret's certificate really changes, each
  FailoverDomain that references it gets an annotation with the new digest,
  which kopf delivers as an update: Secret changes are serialised with every
  other handler of that FailoverDomain.
* An index of FailoverDomains gives each pass its peers (shared distributions,
  hostname ownership) without listing the cluster.
* A jittered timer runs the same pass periodically to find and repair drift
  (changes made in AWS behind our back). It never overlaps a change handler of
  the same object (a per-object lock; the timer skips instead of waiting), and
  when nothing differs it makes reads only and writes nothing. A repair that
  must wait for AWS hands over to the change handler through an annotation.
"""

from __future__ import annotations

import hashlib
import os
import random
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import kopf

from . import kube, metrics
from .aws.session import AwsClients
from .model.limits import DEFAULT_MAX_ALIASES
from .model.naming import Owner
from .model.spec import parse_spec
from .model.windows import schedule
from .reconcile import Inputs, Outcome, Timing, reconcile, release
from .reconcile.context import Peer, SecretView
from .reconcile.visibility import observe_health
from .status import now_rfc3339, status_patch

G, V, P = kube.GROUP, kube.VERSION, kube.PLURAL
PROGRESS_PREFIX = "kopf.failover.dev"  # main.PERSISTENCE_PREFIX (main imports this module)
_CLIENTS: dict[str, AwsClients] = {}
# Delays, not failures: kopf logs these retries as "failed temporarily" at ERROR (main.py makes them INFO).
WAITING_FOR_AWS = "waiting for AWS to converge"
RELEASING_IN_AWS = "AWS resources are still being released"


def clients() -> AwsClients:
    if "aws" not in _CLIENTS:
        _CLIENTS["aws"] = AwsClients.create()
        metrics.instrument(_CLIENTS["aws"])
    return _CLIENTS["aws"]


def _seconds(variable: str, default: float) -> float:
    return float(os.environ.get(variable, default))


_OBJECT_LOCKS: dict[str, threading.Lock] = {}
_OBJECT_LOCKS_GUARD = threading.Lock()


def object_lock(uid: str) -> threading.Lock:
    with _OBJECT_LOCKS_GUARD:
        return _OBJECT_LOCKS.setdefault(uid, threading.Lock())


def drift_interval() -> float:
    return float(os.environ.get("FAILOVER_DRIFT_SECONDS", "300"))


def max_aliases_per_distribution() -> int:
    """CloudFront's aliases-per-distribution quota: 100 by default, raisable per account on request."""
    return int(os.environ.get("FAILOVER_MAX_ALIASES_PER_DISTRIBUTION", str(DEFAULT_MAX_ALIASES)))


def timing() -> Timing:
    return Timing(
        distribution_poll=float(os.environ.get("FAILOVER_DISTRIBUTION_POLL_SECONDS", "10")),
        records_poll=float(os.environ.get("FAILOVER_RECORDS_POLL_SECONDS", "5")),
        error_retry=float(os.environ.get("FAILOVER_ERROR_RETRY_SECONDS", "30")),
    )


@kopf.index(G, V, P)
def failoverdomain_peers(
    namespace: str | None, name: str, spec: kopf.Spec, meta: kopf.Meta, **_: Any
) -> dict[str, dict[str, Any]]:
    certificate = spec.get("certificate", {})
    return {
        "all": {
            "key": f"{namespace}/{name}",
            "created": str(meta.get("creationTimestamp", "")),
            "distribution_id": spec.get("secondary", {}).get("distributionId", ""),
            "certificate_key": f"{namespace}/{certificate.get('secretName', '')}",
            "store": certificate.get("store", "ACM"),
            "hostnames": tuple(host.rstrip(".").lower() for host in spec.get("hostnames", [])),
            "zone": _zone_key(spec.get("hostedZone", {})),
            "deleting": bool(meta.get("deletionTimestamp")),
            "secret_digest": meta.get("annotations", {}).get(kube.SECRET_DIGEST_ANNOTATION, ""),
        }
    }


def _zone_key(zone: Any) -> str:
    return str(zone.get("id") or zone.get("name") or "").rstrip(".").lower()


def _peers(index: kopf.Index[str, dict[str, Any]], me: str) -> tuple[Peer, ...]:
    fields = Peer.__dataclass_fields__
    return tuple(Peer(**{k: v for k, v in entry.items() if k in fields}) for entry in index.get("all", []) if entry["key"] != me)


def _live_status(body: kopf.Body) -> dict[str, Any]:
    """The status as stored now (read under the object's lock), not as kopf last saw it."""
    live = kube.read_status(body.metadata.namespace or "", body.metadata.name or "")
    return dict(body.status) if live is None else live


def _inputs(body: kopf.Body, peers: kopf.Index[str, dict[str, Any]], trigger: str = "change") -> Inputs:
    """What a pass needs; the status is the live one (call under the object's lock)."""
    meta, namespace, name = body.meta, body.metadata.namespace or "", body.metadata.name or ""
    spec = parse_spec(body.spec)
    secret = kube.read_secret(namespace, spec.secret_name)
    return Inputs(
        owner=Owner(namespace, name, str(meta.uid)),
        generation=int(meta.get("generation") or 0),
        created=str(meta.get("creationTimestamp", "")),
        spec=spec,
        status=_live_status(body),
        secret=SecretView(*secret) if secret else None,
        peers=_peers(peers, f"{namespace}/{name}"),
        now=datetime.now(UTC),
        persist=lambda fields: kube.patch_status(namespace, name, fields),
        trigger=trigger,
        expiry_warning_days=float(os.environ.get("FAILOVER_EXPIRY_WARNING_DAYS", "14")),
        max_aliases_per_distribution=max_aliases_per_distribution(),
    )


def _apply(outcome: Outcome, body: kopf.Body, status: Mapping[str, Any]) -> None:
    """Events, then the status fields that differ from `status` — written now, while the caller holds the lock.

    Writing through kopf's patch would apply it only after the handler returns,
    outside the lock: a timer could then read the older status, and its write
    (conditions are one list) would undo this one.
    """
    namespace, name = body.metadata.namespace or "", body.metadata.name or ""
    for event in outcome.events:
        kopf.event(body, type=event.type, reason=event.reason, message=event.message)
    changed = status_patch(status, outcome.status)
    if changed:
        kube.patch_status(namespace, name, changed)
    metrics.observe_resource(namespace, name, {**status, **outcome.status})


def _timed(trigger: str, run: Callable[[], Outcome]) -> Outcome:
    started = time.monotonic()
    try:
        outcome = run()
    except Exception:
        metrics.observe_pass(trigger, time.monotonic() - started, "error")
        raise
    ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in outcome.status.get("conditions") or [])
    verdict = "converged" if ready else ("waiting" if outcome.retry_after is not None else "failed")
    metrics.observe_pass(trigger, time.monotonic() - started, verdict)
    return outcome


@kopf.on.resume(G, V, P)
@kopf.on.create(G, V, P)
@kopf.on.update(G, V, P)
def reconcile_failoverdomain(body: kopf.Body, **kwargs: Any) -> None:
    with object_lock(str(body.meta.uid)):
        inputs = _inputs(body, kwargs["failoverdomain_peers"])
        outcome = _timed("change", lambda: reconcile(inputs, clients(), timing()))
        _apply(outcome, body, inputs.status)
    if outcome.retry_after is not None:
        raise kopf.TemporaryError(WAITING_FOR_AWS, delay=outcome.retry_after)


def _change_in_progress(annotations: Mapping[str, str]) -> bool:
    """kopf keeps a progress annotation while a change handler is being retried (waiting for AWS)."""
    return any(key.startswith(f"{PROGRESS_PREFIX}/") and "failoverdomain" in key for key in annotations)


@kopf.timer(
    G,
    V,
    P,
    interval=drift_interval(),
    initial_delay=lambda **_: random.uniform(0.5, 1.0) * drift_interval(),
    when=lambda meta, annotations, **_: not meta.get("deletionTimestamp") and not _change_in_progress(annotations),
)
def check_drift(body: kopf.Body, **kwargs: Any) -> None:
    """Periodic level check: repair what changed in AWS; reads only when nothing did."""
    lock = object_lock(str(body.meta.uid))
    if not lock.acquire(blocking=False):
        return  # a change handler is on it right now
    try:
        inputs = _inputs(body, kwargs["failoverdomain_peers"], trigger="drift")
        outcome = _timed("drift", lambda: reconcile(inputs, clients(), timing()))
        _apply(outcome, body, inputs.status)
    finally:
        lock.release()
    if outcome.retry_after is not None:  # e.g. a repaired distribution is deploying: let the change handler follow it
        kube.annotate(body.metadata.namespace or "", body.metadata.name or "", {kube.DRIFT_ANNOTATION: now_rfc3339()})


@kopf.on.delete(G, V, P)
def release_failoverdomain(body: kopf.Body, **kwargs: Any) -> None:
    with object_lock(str(body.meta.uid)):
        inputs = _inputs(body, kwargs["failoverdomain_peers"])
        done, outcome = release(inputs, clients(), timing())
        _apply(outcome, body, inputs.status)
    if done:
        metrics.forget(body.metadata.namespace or "", body.metadata.name or "")
    else:
        raise kopf.TemporaryError(RELEASING_IN_AWS, delay=outcome.retry_after or 5)


@kopf.timer(
    G,
    V,
    P,
    interval=_seconds("FAILOVER_WINDOW_CHECK_SECONDS", 5),
    when=lambda spec, meta, **_: bool(spec.get("maintenanceWindows")) and not meta.get("deletionTimestamp"),
)
def follow_maintenance_windows(body: kopf.Body, **_: Any) -> None:
    """At a window's start or end, hand over to the change handler (no AWS call here)."""
    spec = parse_spec(body.spec)
    plan = schedule(spec.mode, spec.maintenance_windows, datetime.now(UTC))
    if plan.mode != body.status.get("effectiveMode"):
        kube.annotate(body.metadata.namespace or "", body.metadata.name or "", {kube.WINDOW_ANNOTATION: now_rfc3339()})


@kopf.timer(
    G,
    V,
    P,
    interval=_seconds("FAILOVER_HEALTH_POLL_SECONDS", 30),
    initial_delay=lambda **_: random.uniform(0.2, 1.0) * _seconds("FAILOVER_HEALTH_POLL_SECONDS", 30),
    when=lambda status, meta, **_: bool(status.get("healthCheckId")) and not meta.get("deletionTimestamp"),
)
def poll_primary_health(body: kopf.Body, **kwargs: Any) -> None:
    """PrimaryHealthy and activeTarget from Route53's checkers (reads only; writes status only on change)."""
    lock = object_lock(str(body.meta.uid))
    if not lock.acquire(blocking=False):
        return
    try:
        status = _live_status(body)  # no Secret, no peers: the poll needs the status, the mode and the generation
        generation = int(body.meta.get("generation") or 0)
        fields, events = observe_health(status, parse_spec(body.spec).mode, generation, clients())
        _apply(Outcome(status=fields, events=events), body, status)
    finally:
        lock.release()


def secret_digest(data: dict[str, str] | None) -> str:
    """A digest of the certificate material only: metadata-only updates and resyncs do not change it."""
    material = "\x00".join((data or {}).get(key, "") for key in ("tls.crt", "tls.key", "ca.crt"))
    return hashlib.sha256(material.encode()).hexdigest()[:32]


@kopf.on.event("v1", "secrets", field="type", value="kubernetes.io/tls")
def tls_secret_changed(type: str, namespace: str | None, name: str, body: kopf.Body, **kwargs: Any) -> None:
    digest = "deleted" if type == "DELETED" else secret_digest(dict(body.get("data") or {}))
    for entry in kwargs["failoverdomain_peers"].get("all", []):
        if entry["certificate_key"] == f"{namespace}/{name}" and not entry["deleting"] and entry["secret_digest"] != digest:
            owner_namespace, owner_name = entry["key"].split("/", 1)
            kube.annotate(owner_namespace, owner_name, {kube.SECRET_DIGEST_ANNOTATION: digest})
