"""The fidelity layer's fault injection and call record, seen from a real boto3 client.

The operator's retry and error classification are only as good as the faults
we can throw at them; these tests prove each fault kind reaches the client the
way AWS failures do, and that the call record counts what happened.
"""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError
from testbed.awsbed import AwsBed

NO_RETRIES = {"total_max_attempts": 1}


def test_call_record_names_service_operation_and_outcome(aws: AwsBed) -> None:
    aws.client("route53").create_hosted_zone(Name="example.com", CallerReference="zone-1")
    aws.client("acm").list_certificates()
    calls = [(call["service"], call["operation"], call["status"], call["mutating"]) for call in aws.control.calls()]
    assert calls == [("route53", "CreateHostedZone", 201, True), ("acm", "ListCertificates", 200, False)]


def test_error_code_is_recorded(aws: AwsBed) -> None:
    with pytest.raises(ClientError):
        aws.client("route53", retries=NO_RETRIES).get_hosted_zone(Id="ZNOTTHERE")
    assert [(call["operation"], call["error"]) for call in aws.control.calls()] == [("GetHostedZone", "NoSuchHostedZone")]


@pytest.mark.parametrize(
    ("service", "expected_code"),
    [("route53", "Throttling"), ("cloudfront", "Throttling"), ("iam", "Throttling"), ("acm", "ThrottlingException")],
)
def test_throttling_fault_uses_each_protocols_error_shape(aws: AwsBed, service: str, expected_code: str) -> None:
    """AWS General Reference, API retries: throttling errors are retryable client errors (HTTP 400)."""
    aws.control.inject("throttle", service=service)
    client = aws.client(service, retries=NO_RETRIES)
    operation = {
        "route53": "list_hosted_zones",
        "cloudfront": "list_distributions",
        "iam": "list_server_certificates",
        "acm": "list_certificates",
    }[service]
    call = getattr(client, operation)
    with pytest.raises(ClientError) as throttled:
        call()
    assert throttled.value.response["Error"]["Code"] == expected_code
    assert throttled.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    call()  # count=1: the next call goes through


def test_fault_targets_one_operation_only(aws: AwsBed) -> None:
    aws.control.inject("prior_request", service="route53", operation="ChangeResourceRecordSets", count=None)
    route53 = aws.client("route53", retries=NO_RETRIES)
    zone = route53.create_hosted_zone(Name="example.com", CallerReference="zone-1")["HostedZone"]["Id"]
    batch = {
        "Changes": [
            {
                "Action": "CREATE",
                "ResourceRecordSet": {
                    "Name": "a.example.com",
                    "Type": "A",
                    "TTL": 60,
                    "ResourceRecords": [{"Value": "1.1.1.1"}],
                },
            }
        ]
    }
    for _ in range(2):  # count=None: persists until cleared
        with pytest.raises(ClientError) as refused:
            route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch=batch)
        assert refused.value.response["Error"]["Code"] == "PriorRequestNotComplete"
    aws.control.clear_faults()
    route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch=batch)


def test_server_error_and_standard_retries_recover(aws: AwsBed) -> None:
    aws.control.inject("error5xx", service="acm", count=2)
    with pytest.raises(ClientError) as failed:
        aws.client("acm", retries=NO_RETRIES).list_certificates()
    assert failed.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    aws.client("acm").list_certificates()  # standard mode retries past the second 503
    outcomes = [call["status"] for call in aws.control.calls()]
    assert outcomes == [503, 503, 200]


def test_connection_reset_drops_the_connection(aws: AwsBed) -> None:
    aws.control.inject("reset", service="iam")
    with pytest.raises(ConnectionClosedError):
        aws.client("iam", retries=NO_RETRIES).list_server_certificates()
    assert aws.control.calls()[-1]["error"] == "ConnectionReset"


def test_latency_delays_but_serves(aws: AwsBed) -> None:
    aws.control.inject("latency", service="acm", latency_ms=400)
    started = time.monotonic()
    aws.client("acm", retries=NO_RETRIES).list_certificates()
    assert time.monotonic() - started >= 0.4
    assert aws.control.calls()[-1]["status"] == 200


def test_reset_empties_backends_and_the_record(aws: AwsBed) -> None:
    route53 = aws.client("route53")
    route53.create_hosted_zone(Name="example.com", CallerReference="zone-1")
    aws.control.inject("throttle", service="acm", count=None)
    aws.control.reset()
    assert route53.list_hosted_zones()["HostedZones"] == []
    aws.client("acm", retries=NO_RETRIES).list_certificates()  # fault cleared
    assert [call["operation"] for call in aws.control.calls()] == ["ListHostedZones", "ListCertificates"]


def test_lost_response_carries_out_the_call_but_drops_the_answer(aws: AwsBed) -> None:
    """The failure idempotency exists for: AWS did the work, the client saw a dropped connection."""
    aws.control.inject("lost_response", service="route53", operation="CreateHostedZone")
    route53 = aws.client("route53", retries=NO_RETRIES)
    with pytest.raises(ConnectionClosedError):
        route53.create_hosted_zone(Name="example.com", CallerReference="zone-1")
    assert [zone["Name"] for zone in route53.list_hosted_zones()["HostedZones"]] == ["example.com."]
    assert [call["error"] for call in aws.control.calls()][:2] == [None, "LostResponse"]
