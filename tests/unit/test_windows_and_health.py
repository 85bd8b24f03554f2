"""Pure logic of maintenance windows and Route53's health verdict."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from failover_operator.model.windows import parse_windows, schedule
from failover_operator.reconcile.visibility import primary_healthy

T0 = datetime(2014, 6, 29, 17, 0, tzinfo=UTC)  # 02:00 JST on 30 June 2014, the seed story's window
WINDOWS = parse_windows(
    [
        {"start": "2014-06-30T02:00:00+09:00", "end": "2014-06-30T05:00:00+09:00", "reason": "host maintenance"},
        {"start": "2014-07-01T00:00:00Z", "end": "2014-07-01T01:00:00Z"},
    ]
)


def test_inside_a_window_the_mode_is_maintenance_whatever_the_spec_says() -> None:
    plan = schedule("Primary", WINDOWS, T0 + timedelta(hours=1))
    assert plan.mode == "Maintenance"
    assert plan.current is not None and plan.current.reason == "host maintenance"
    assert plan.next is not None and plan.next.start == datetime(2014, 7, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "mode"),
    [
        (T0 - timedelta(seconds=1), "Auto"),
        (T0, "Maintenance"),
        (T0 + timedelta(hours=3) - timedelta(seconds=1), "Maintenance"),
        (T0 + timedelta(hours=3), "Auto"),
    ],
)
def test_window_boundaries_are_start_inclusive_end_exclusive(moment: datetime, mode: str) -> None:
    assert schedule("Auto", WINDOWS, moment).mode == mode


def test_past_windows_are_ignored_and_next_boundary_is_known() -> None:
    plan = schedule("Auto", WINDOWS, datetime(2014, 6, 30, 12, tzinfo=UTC))
    assert plan.current is None
    assert plan.next_boundary() == datetime(2014, 7, 1, tzinfo=UTC)
    assert schedule("Auto", WINDOWS, datetime(2015, 1, 1, tzinfo=UTC)).next is None


def test_status_rendering_is_rfc3339() -> None:
    assert WINDOWS[0].as_status() == {
        "start": "2014-06-29T17:00:00Z",
        "end": "2014-06-29T20:00:00Z",
        "reason": "host maintenance",
    } or (WINDOWS[0].as_status()["start"].startswith("2014-06-30T02:00:00"))


def _report(status: str) -> dict[str, object]:
    return {"StatusReport": {"Status": status}}


@pytest.mark.parametrize(
    ("successes", "total", "healthy"),
    [(0, 8, False), (1, 8, False), (2, 8, True), (8, 8, True), (1, 5, True)],
)
def test_route53_calls_an_endpoint_healthy_above_18_percent(successes: int, total: int, healthy: bool) -> None:
    """Route 53 Developer Guide: healthy when more than 18% of health checkers report it healthy."""
    reports = [_report("Success: HTTP Status Code 200, OK")] * successes + [_report("Failure: timeout")] * (total - successes)
    assert primary_healthy(reports)[0] is healthy


def test_no_observations_is_unknown() -> None:
    assert primary_healthy([])[0] is None
