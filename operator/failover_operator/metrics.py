"""Prometheus metrics: what an on-call SRE graphs and alerts on.

Series (all prefixed ``failover_``):

* ``reconcile_duration_seconds{trigger,outcome}`` — histogram of passes (trigger: change, drift, delete;
  outcome: converged, waiting, failed).
* ``aws_calls_total{service,operation,outcome}`` — every AWS API call the operator makes (outcome: ok,
  throttled, or the AWS error code), counted from botocore's own events so retries count too.
* ``certificate_expiry_timestamp_seconds{namespace,name}`` — notAfter of the certificate in use.
* ``ready{namespace,name}`` — 1 when the Ready condition is True.
* ``active_target{namespace,name,target}`` — 1 for the side DNS serves now (Primary, Secondary, Unknown).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from prometheus_client import Counter, Gauge, Histogram, start_http_server

from .aws.errors import Kind, kind_of
from .aws.session import AwsClients

RECONCILE_SECONDS = Histogram(
    "failover_reconcile_duration_seconds",
    "Duration of one reconcile pass",
    ["trigger", "outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
AWS_CALLS = Counter("failover_aws_calls", "AWS API calls made by the operator", ["service", "operation", "outcome"])
CERTIFICATE_EXPIRY = Gauge(
    "failover_certificate_expiry_timestamp_seconds", "notAfter of the certificate in use (Unix time)", ["namespace", "name"]
)
READY = Gauge("failover_ready", "1 when the FailoverDomain is Ready", ["namespace", "name"])
ACTIVE_TARGET = Gauge("failover_active_target", "1 for the target DNS serves now", ["namespace", "name", "target"])
TARGETS = ("Primary", "Secondary", "Unknown")


def serve(port: int) -> None:
    start_http_server(port)


def instrument(clients: AwsClients) -> None:
    """Count every AWS call (each attempt) through botocore's after-call events."""
    for client in (clients.route53, clients.cloudfront, clients.acm, clients.acm_import, clients.iam):
        client.meta.events.register("after-call", _count_call)
        client.meta.events.register("after-call-error", _count_failed_call)


def _count_call(http_response: Any, parsed: Mapping[str, Any], model: Any, **_: Any) -> None:
    code = (parsed.get("Error") or {}).get("Code")
    outcome = "ok" if not code else ("throttled" if kind_of(code, 400) is Kind.THROTTLED else str(code))
    AWS_CALLS.labels(model.service_model.endpoint_prefix, model.name, outcome).inc()


def _count_failed_call(exception: Exception, model: Any = None, **_: Any) -> None:
    if model is not None:
        AWS_CALLS.labels(model.service_model.endpoint_prefix, model.name, type(exception).__name__).inc()


def observe_pass(trigger: str, seconds: float, outcome: str) -> None:
    RECONCILE_SECONDS.labels(trigger, outcome).observe(seconds)


def observe_resource(namespace: str, name: str, status: Mapping[str, Any]) -> None:
    """Per-FailoverDomain gauges from its (new) status."""
    ready: Mapping[str, Any] = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), {})
    READY.labels(namespace, name).set(1 if ready.get("status") == "True" else 0)
    not_after = (status.get("certificate") or {}).get("notAfter")
    if not_after:
        CERTIFICATE_EXPIRY.labels(namespace, name).set(datetime.fromisoformat(not_after.replace("Z", "+00:00")).timestamp())
    target = status.get("activeTarget") or "Unknown"
    for candidate in TARGETS:
        ACTIVE_TARGET.labels(namespace, name, candidate).set(1 if candidate == target else 0)


def forget(namespace: str, name: str) -> None:
    """A deleted FailoverDomain leaves no stale series behind."""
    for gauge in (READY, CERTIFICATE_EXPIRY):
        with contextlib.suppress(KeyError):
            gauge.remove(namespace, name)
    for candidate in TARGETS:
        with contextlib.suppress(KeyError):
            ACTIVE_TARGET.remove(namespace, name, candidate)
