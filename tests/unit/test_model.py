"""Pure model logic: record planning, health check updates, conditions."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ParamValidationError
from failover_operator.aws.errors import classify
from failover_operator.model.healthcheck import desired_health_check, needs_replacement, update_for
from failover_operator.model.records import Identity, desired_pair, plan_records, plan_release, simple_primary_record
from failover_operator.model.spec import parse_spec
from failover_operator.status import Condition, merge_conditions, summary

SPEC = parse_spec(
    {
        "hostedZone": {"id": "Z1"},
        "hostnames": ["www.example.com"],
        "certificate": {"secretName": "s"},
        "primary": {"addresses": {"ipv4": ["1.1.1.1"]}},
        "secondary": {"distributionId": "E1"},
    }
)
ME = Identity("fo/ns/site/primary", "fo/ns/site/secondary")


def _desired() -> list[dict[str, Any]]:
    return desired_pair(SPEC, "www.example.com", "A", ME, "hc-1", "d1.cloudfront.net")


def test_empty_zone_creates_the_pair() -> None:
    plan = plan_records(_desired(), {"www.example.com.": []}, ME, adopt=False)
    assert [c["Action"] for c in plan.changes] == ["CREATE", "CREATE"]
    assert plan.conflicts == []


def test_matching_pair_changes_nothing() -> None:
    plan = plan_records(_desired(), {"www.example.com.": _desired()}, ME, adopt=False)
    assert plan.changes == [] and plan.conflicts == []


def test_simple_record_conflicts_unless_adopted() -> None:
    simple = {"Name": "www.example.com.", "Type": "A", "TTL": 300, "ResourceRecords": [{"Value": "8.8.8.8"}]}
    blocked = plan_records(_desired(), {"www.example.com.": [simple]}, ME, adopt=False)
    assert [reason for reason, _ in blocked.conflicts] == ["RecordConflict"]
    adopted = plan_records(_desired(), {"www.example.com.": [simple]}, ME, adopt=True)
    assert [c["Action"] for c in adopted.changes] == ["DELETE", "CREATE", "CREATE"]
    assert adopted.changes[0]["ResourceRecordSet"] == simple


def test_foreign_routing_records_are_a_hostname_conflict_and_other_types_are_ignored() -> None:
    foreign = {**_desired()[0], "SetIdentifier": "someone-else"}
    txt = {"Name": "www.example.com.", "Type": "TXT", "TTL": 300, "ResourceRecords": [{"Value": '"x"'}]}
    plan = plan_records(_desired(), {"www.example.com.": [foreign, txt]}, ME, adopt=True)
    assert [reason for reason, _ in plan.conflicts] == ["HostnameConflict"]
    assert all(change["ResourceRecordSet"] is not txt for change in plan.changes)


def test_changed_value_is_an_upsert_and_removed_name_a_delete() -> None:
    old = [{**record, "HealthCheckId": "hc-0"} if record["Failover"] == "PRIMARY" else record for record in _desired()]
    stale = desired_pair(SPEC, "old.example.com", "A", ME, "hc-1", "d1.cloudfront.net")
    plan = plan_records(_desired(), {"www.example.com.": old, "old.example.com.": stale}, ME, adopt=False)
    assert sorted((c["Action"], c["ResourceRecordSet"]["Name"]) for c in plan.changes) == [
        ("DELETE", "old.example.com."),
        ("DELETE", "old.example.com."),
        ("UPSERT", "www.example.com."),
    ]


def test_release_restores_a_simple_record_in_the_same_batch() -> None:
    changes = plan_release({"www.example.com.": _desired()}, ME, [simple_primary_record(SPEC, "www.example.com", "A")])
    assert [c["Action"] for c in changes] == ["DELETE", "DELETE", "CREATE"]
    assert changes[-1]["ResourceRecordSet"] == {
        "Name": "www.example.com.",
        "Type": "A",
        "TTL": 60,
        "ResourceRecords": [{"Value": "1.1.1.1"}],
    }


def _current(config: dict[str, Any]) -> dict[str, Any]:
    return {"Id": "hc-1", "HealthCheckVersion": 1, "HealthCheckConfig": config}


def test_mode_flags_and_minimal_update() -> None:
    auto = desired_health_check(SPEC, "Auto")
    assert (auto["Disabled"], auto["Inverted"]) == (False, False)
    maintenance = desired_health_check(SPEC, "Maintenance")
    assert update_for(_current(auto), maintenance) == {"Disabled": True, "Inverted": True}
    assert update_for(_current(auto), auto) == {}


def test_immutable_settings_force_a_replacement() -> None:
    auto = desired_health_check(SPEC, "Auto")
    assert needs_replacement(_current({**auto, "RequestInterval": 10}), auto)
    assert needs_replacement(_current({**auto, "Type": "HTTP"}), auto)
    assert not needs_replacement(_current({**auto, "ResourcePath": "/x"}), auto)


def test_last_transition_time_moves_only_when_status_flips() -> None:
    first = merge_conditions([], [Condition("Ready", "False", "Pending", "a")], 1, "T1")
    same = merge_conditions(first, [Condition("Ready", "False", "Deploying", "b")], 2, "T2")
    flipped = merge_conditions(same, [Condition("Ready", "True", "Ready", "c")], 2, "T3")
    assert [c["lastTransitionTime"] for c in (first[0], same[0], flipped[0])] == ["T1", "T1", "T3"]
    assert same[0]["observedGeneration"] == 2 and same[0]["reason"] == "Deploying"


def test_ready_summary_names_the_first_failure() -> None:
    steps = [Condition("CertificateValid", "True", "Valid", ""), Condition("CertificateSynced", "False", "AwsError", "boom")]
    ready = summary(steps)
    assert (ready.status, ready.reason) == ("False", "AwsError")


def test_botocore_validation_errors_never_carry_parameter_values() -> None:
    """botocore's ParamValidationError quotes the value; for ImportCertificate that could be the private key."""

    secret = "-----BEGIN PRIVATE KEY-----MIIEvQIBADANBg"
    error = classify(ParamValidationError(report=f"Invalid type for parameter PrivateKey, value: {secret}"))
    assert secret not in str(error) and "MIIEvQ" not in error.message
