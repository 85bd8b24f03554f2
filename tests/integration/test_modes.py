"""Planned maintenance and failover visibility: modes, windows, PrimaryHealthy, activeTarget, Events, metrics.

What Route53 would answer is read from the fidelity layer, which evaluates the
failover records from the health check's status the way Route53 documents it
(Disabled = healthy; Inverted flips; PRIMARY while healthy, else SECONDARY).
"""

from __future__ import annotations

import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client.parser import text_string_to_metric_families
from testbed.world import World, eventually

HOSTS = ["www.example.com"]


def _ready(world: World, **overrides: Any) -> dict[str, Any]:
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS, **overrides))
    return world.wait_ready("site")


def _flags(world: World) -> tuple[bool, bool]:
    config = world.health_checks()[0]["HealthCheckConfig"]
    return bool(config.get("Disabled")), bool(config.get("Inverted"))


def _answer(world: World) -> str:
    return str(world.aws.control.resolve(world.zone_id, "www.example.com", "A")["answer"])


def _status(world: World, key: str) -> Any:
    return (world.get("site") or {}).get("status", {}).get(key)


def test_modes_drive_the_health_check_and_dns(world: World) -> None:
    check_id = _ready(world)["status"]["healthCheckId"]
    assert _flags(world) == (False, False) and _answer(world) == "PRIMARY"
    world.patch_spec("site", {"mode": "Maintenance"})
    world.wait_ready("site")
    assert _flags(world) == (True, True), "Maintenance: Disabled + Inverted"
    assert _answer(world) == "SECONDARY"
    assert _status(world, "activeTarget") == "Secondary"
    assert world.condition("site", "PrimaryHealthy")["reason"] == "NotProbed", "Route53 does not probe in Maintenance"
    world.aws.control.set_health(check_id, False)
    world.patch_spec("site", {"mode": "Primary"})
    world.wait_ready("site")
    assert _flags(world) == (True, False), "Primary: Disabled only"
    assert _answer(world) == "PRIMARY", "pinned to the origin even though its checks fail"
    assert world.condition("site", "PrimaryHealthy")["reason"] == "NotProbed"
    world.patch_spec("site", {"mode": "Auto"})
    body = world.wait_ready("site")
    assert _flags(world) == (False, False)
    assert _answer(world) == "SECONDARY", "Auto again: the failing origin fails over"
    assert body["status"]["activeTarget"] == "Secondary", "Auto again: activeTarget follows what Route53 sees"


def test_health_flips_show_in_status_and_events(world: World) -> None:
    check_id = _ready(world)["status"]["healthCheckId"]
    eventually(lambda: _status(world, "activeTarget") == "Primary", 30, lambda: f"activeTarget {_status(world, 'activeTarget')}")
    assert world.condition("site", "PrimaryHealthy")["status"] == "True"
    world.aws.control.set_health(check_id, False)
    eventually(lambda: _status(world, "activeTarget") == "Secondary", 30, lambda: "no failover seen")
    assert world.condition("site", "PrimaryHealthy")["reason"] == "Unhealthy"
    assert _answer(world) == "SECONDARY"
    world.aws.control.set_health(check_id, True)
    eventually(lambda: _status(world, "activeTarget") == "Primary", 30, lambda: "no failback seen")
    eventually(
        lambda: {"FailoverActivated", "FailbackCompleted"} <= {r for _, r, _ in world.events("site")},
        30,
        lambda: f"events: {[reason for _, reason, _ in world.events('site')]}",
    )


def _window(start: timedelta, end: timedelta) -> dict[str, str]:
    now = datetime.now(UTC)
    return {"start": (now + start).isoformat(), "end": (now + end).isoformat(), "reason": "host maintenance"}


def test_a_window_switches_to_maintenance_and_back(world: World) -> None:
    _ready(world, maintenanceWindows=[_window(timedelta(seconds=12), timedelta(seconds=24))])
    assert _status(world, "nextWindow")["reason"] == "host maintenance"
    assert _flags(world) == (False, False)
    eventually(
        lambda: _status(world, "effectiveMode") == "Maintenance" and _flags(world) == (True, True),
        30,
        lambda: "window start not applied",
    )
    assert _status(world, "currentWindow")["reason"] == "host maintenance"
    assert _answer(world) == "SECONDARY"
    eventually(
        lambda: _status(world, "effectiveMode") == "Auto" and _flags(world) == (False, False),
        30,
        lambda: "window end not applied",
    )
    assert _answer(world) == "PRIMARY"
    assert _status(world, "currentWindow") is None and _status(world, "nextWindow") is None


def test_a_restart_in_the_middle_of_a_window_keeps_maintenance(world: World, operator_process: Any) -> None:
    _ready(world, maintenanceWindows=[_window(timedelta(seconds=-60), timedelta(minutes=10))])
    assert _flags(world) == (True, True)
    operator_process.kill()
    world.aws.control.clear_calls()
    operator_process.start()
    eventually(
        lambda: any(c["operation"] == "GetHealthCheck" for c in world.aws.control.calls()), 60, lambda: "no pass after restart"
    )
    world.wait_ready("site")
    assert _flags(world) == (True, True)
    assert _status(world, "effectiveMode") == "Maintenance"
    assert world.mutating_calls() == [], "the restart found everything in place"


def _samples(url: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    with urllib.request.urlopen(url, timeout=5) as response:
        text = response.read().decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metrics_endpoint_exposes_the_documented_series(world: World, operator_process: Any) -> None:
    body = _ready(world)
    not_after = datetime.fromisoformat(body["status"]["certificate"]["notAfter"].replace("Z", "+00:00")).timestamp()
    me = {("namespace", world.namespace), ("name", "site")}
    wanted = {
        ("failover_ready", frozenset(me)): 1.0,
        ("failover_active_target", frozenset(me | {("target", "Primary")})): 1.0,
        ("failover_active_target", frozenset(me | {("target", "Secondary")})): 0.0,
        ("failover_certificate_expiry_timestamp_seconds", frozenset(me)): not_after,
    }

    def has_everything() -> dict[tuple[str, frozenset[tuple[str, str]]], float] | None:
        samples = _samples(operator_process.metrics_url)
        return samples if all(samples.get(key) == value for key, value in wanted.items()) else None

    samples = eventually(has_everything, 30, lambda: f"series missing or wrong: {wanted}")
    import_calls = (
        "failover_aws_calls_total",
        frozenset({("service", "acm"), ("operation", "ImportCertificate"), ("outcome", "ok")}),
    )
    assert samples[import_calls] >= 1
    converged = ("failover_reconcile_duration_seconds_count", frozenset({("trigger", "change"), ("outcome", "converged")}))
    assert samples[converged] >= 1
    world.delete("site")
    world.wait_gone("site")
    eventually(
        lambda: ("failover_ready", frozenset(me)) not in _samples(operator_process.metrics_url),
        30,
        lambda: "series of a deleted FailoverDomain remain",
    )


def test_liveness_endpoint_answers(world: World, operator_process: Any) -> None:
    """kopf's liveness probe, as the Deployment's livenessProbe uses it."""
    _ready(world)
    with urllib.request.urlopen(operator_process.liveness_url, timeout=5) as response:
        assert response.status == 200
