"""Status writes from timers must start from the stored status, not from kopf's last-seen body.

Found by `make demo`: a FailoverDomain turned Ready, and a moment later showed
`Ready False Pending` again until the next drift check. The health timer had
computed its PrimaryHealthy update from kopf's body, which still held the
conditions from before the reconcile's last write; conditions are one list, so
its merge patch put the old Ready back. The glue now reads the live status
under the object's lock and writes before releasing it. The Kubernetes side is
replaced here by recording fakes: the race cannot be timed reliably against a
real API server, the rule can be checked exactly.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import kopf
import pytest
from failover_operator import handlers, kube
from failover_operator.aws import route53

STALE = [
    {"type": "RecordsReady", "status": "Unknown", "reason": "Pending"},
    {"type": "Ready", "status": "False", "reason": "Pending"},
]
LIVE = [{"type": "RecordsReady", "status": "True", "reason": "InSync"}, {"type": "Ready", "status": "True", "reason": "Ready"}]


def _condition(conditions: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return next(condition for condition in conditions if condition["type"] == kind)


def _secret_must_not_be_read(namespace: str, name: str) -> None:
    raise AssertionError("the health poll read the Secret: it needs only the status, the mode and the generation")


def test_health_poll_builds_on_the_live_status(monkeypatch: pytest.MonkeyPatch) -> None:
    written: list[dict[str, Any]] = []
    live = {"healthCheckId": "hc-1", "effectiveMode": "Auto", "conditions": LIVE}
    monkeypatch.setattr(kube, "read_status", lambda namespace, name: live)
    monkeypatch.setattr(kube, "read_secret", _secret_must_not_be_read)
    monkeypatch.setattr(kube, "patch_status", lambda namespace, name, fields: written.append(fields))
    monkeypatch.setattr(handlers, "clients", lambda: SimpleNamespace(route53=None))
    report = {"StatusReport": {"Status": "Success: HTTP 200 OK"}}
    monkeypatch.setattr(route53, "get_health_check_status", lambda client, check_id: [report] * 8)
    body = kopf.Body(
        {
            "metadata": {"namespace": "ns", "name": "site", "uid": "u-1", "generation": 1},
            "spec": {
                "hostedZone": {"id": "Z1"},
                "hostnames": ["www.example.com"],
                "certificate": {"secretName": "tls"},
                "primary": {"addresses": {"ipv4": ["1.1.1.1"]}},
                "secondary": {"distributionId": "E1"},
            },
            "status": {"healthCheckId": "hc-1", "effectiveMode": "Auto", "conditions": STALE},  # kopf's older view
        }
    )
    handlers.poll_primary_health(body=body, failoverdomain_peers={})
    assert len(written) == 1
    conditions = written[0]["conditions"]
    assert _condition(conditions, "PrimaryHealthy")["status"] == "True"
    assert _condition(conditions, "Ready")["status"] == "True", "the older Ready from kopf's body was written back"
    assert _condition(conditions, "RecordsReady")["reason"] == "InSync"
