"""Fidelity rules for AWS's own dialect and account quotas (issue: speak real AWS).

Each test fails with its rule switched off (`make fidelity-check`): moto answers
in its own spelling, never runs out of quota and never refuses a second viewer
certificate change, so the operator paths for those would go untested.
"""

from __future__ import annotations

import pytest
from bed.fidelity_helpers import (
    acm_viewer,
    create_distribution,
    error_of,
    import_acm,
    trusted,
    update_distribution,
    upload_iam,
    wait_for_status,
)
from botocore.exceptions import ClientError
from testbed.awsbed import AwsBed
from testbed.pki_samples import self_signed

HOST = "www.example.com"


# ---- acm.key_algorithm / acm.list_key_types --------------------------------------------


@pytest.mark.parametrize(("kind", "spelled"), [("rsa2048", "RSA-2048"), ("ec256", "EC-prime256v1")])
def test_key_algorithm_is_spelled_with_a_hyphen(aws: AwsBed, kind: str, spelled: str) -> None:
    """AWS CLI Command Reference, acm describe-certificate, example output: "KeyAlgorithm": "RSA-2048"."""
    acm = aws.client("acm")
    arn = import_acm(acm, trusted(aws, [HOST], kind))  # type: ignore[arg-type]
    assert acm.describe_certificate(CertificateArn=arn)["Certificate"]["KeyAlgorithm"] == spelled
    listed = acm.list_certificates(Includes={"keyTypes": ["RSA_2048", "EC_prime256v1"]})["CertificateSummaryList"]
    assert [summary["KeyAlgorithm"] for summary in listed if summary["CertificateArn"] == arn] == [spelled]


def test_list_without_key_types_shows_rsa_2048_only(aws: AwsBed) -> None:
    """ACM API Reference, ListCertificates, Includes: by default only RSA_2048 certificates are returned."""
    acm = aws.client("acm")
    rsa, ec = import_acm(acm, trusted(aws, [HOST])), import_acm(acm, trusted(aws, [HOST], "ec256"))
    default = {summary["CertificateArn"] for summary in acm.list_certificates()["CertificateSummaryList"]}
    assert rsa in default
    assert ec not in default


# ---- acm.import_quota / iam.certificate_quota / iam.list_pagination ------------------------


def test_import_past_the_quota_is_limit_exceeded(aws: AwsBed) -> None:
    """ACM User Guide, "Quotas": imports per 365 days are capped; past it LimitExceededException."""
    acm = aws.client("acm", retries={"total_max_attempts": 1})
    aws.control.set_quotas(acm_imports_per_year=1)
    arn = import_acm(acm, trusted(aws, [HOST]))
    with pytest.raises(ClientError) as raised:
        import_acm(acm, trusted(aws, [HOST]), CertificateArn=arn)  # a re-import counts too
    assert error_of(raised.value)[0] == "LimitExceededException"


def test_twenty_first_server_certificate_is_limit_exceeded(aws: AwsBed) -> None:
    """IAM User Guide, "IAM and AWS STS quotas": 20 server certificates per account."""
    iam = aws.client("iam", retries={"total_max_attempts": 1})
    aws.control.set_quotas(iam_server_certificates=2)
    sample = trusted(aws, [HOST])
    upload_iam(iam, "one", sample)
    upload_iam(iam, "two", sample)
    with pytest.raises(ClientError) as raised:
        upload_iam(iam, "three", sample)
    assert error_of(raised.value) == ("LimitExceeded", 409)


def test_list_server_certificates_pages_with_marker(aws: AwsBed) -> None:
    """IAM API Reference, ListServerCertificates: MaxItems (default 100), IsTruncated, Marker."""
    iam = aws.client("iam")
    sample = trusted(aws, [HOST])
    for name in ("a", "b", "c"):
        upload_iam(iam, name, sample)
    first = iam.list_server_certificates(MaxItems=2)
    assert first["IsTruncated"] is True
    assert len(first["ServerCertificateMetadataList"]) == 2
    rest = iam.list_server_certificates(MaxItems=2, Marker=first["Marker"])
    names = [m["ServerCertificateName"] for m in first["ServerCertificateMetadataList"] + rest["ServerCertificateMetadataList"]]
    assert sorted(names) == ["a", "b", "c"]
    assert rest["IsTruncated"] is False


# ---- cloudfront.trust / cloudfront.one_viewer_change ---------------------------------------


def test_self_signed_viewer_certificate_is_refused(aws: AwsBed) -> None:
    """CloudFront Developer Guide, "Requirements for using SSL/TLS certificates with CloudFront": Mozilla's CAs."""
    arn = import_acm(aws.client("acm"), self_signed([HOST]))
    with pytest.raises(ClientError) as raised:
        create_distribution(aws.client("cloudfront"), [HOST], acm_viewer(arn))
    assert error_of(raised.value)[0] == "InvalidViewerCertificate"
    assert "trusted" in raised.value.response["Error"]["Message"]


def test_second_viewer_certificate_change_while_deploying_is_illegal(aws: AwsBed) -> None:
    """UpdateDistribution: "Only one viewer certificate change may be in progress at a time" (IllegalUpdate)."""
    aws.control.set_delays(cloudfront_deploy_seconds=1.5)
    acm, cloudfront = aws.client("acm"), aws.client("cloudfront")
    first, second, third = (import_acm(acm, trusted(aws, [HOST])) for _ in range(3))
    dist_id, _ = create_distribution(cloudfront, [HOST], acm_viewer(first))
    wait_for_status(cloudfront, dist_id, "Deployed")
    update_distribution(cloudfront, dist_id, viewer=acm_viewer(second))
    with pytest.raises(ClientError) as raised:
        update_distribution(cloudfront, dist_id, viewer=acm_viewer(third))
    assert error_of(raised.value)[0] == "IllegalUpdate"
    update_distribution(cloudfront, dist_id, Comment="not a certificate change")  # other changes still go through
    wait_for_status(cloudfront, dist_id, "Deployed")
    update_distribution(cloudfront, dist_id, viewer=acm_viewer(third))


# ---- route53.health_check_ip ------------------------------------------------------------


def test_ip_address_cannot_be_added_to_a_check_by_name(aws: AwsBed) -> None:
    """Route 53 API Reference, UpdateHealthCheck, IPAddress: a check by name cannot become a check by address."""
    r53 = aws.client("route53")
    config = {"Type": "HTTPS", "FullyQualifiedDomainName": "origin.example.org", "Port": 443, "ResourcePath": "/"}
    check = r53.create_health_check(CallerReference="by-name", HealthCheckConfig=config)["HealthCheck"]
    with pytest.raises(ClientError) as raised:
        r53.update_health_check(HealthCheckId=check["Id"], HealthCheckVersion=1, IPAddress="1.1.1.1")
    assert error_of(raised.value)[0] == "InvalidInput"


def test_check_without_regions_reports_the_default_regions(aws: AwsBed) -> None:
    """Route 53 API Reference, HealthCheckConfig, Regions: omitted means all eight checker regions, and they are listed."""
    r53 = aws.client("route53")
    config = {"Type": "TCP", "IPAddress": "1.1.1.1", "Port": 443}
    check_id = r53.create_health_check(CallerReference="no-regions", HealthCheckConfig=config)["HealthCheck"]["Id"]
    regions = r53.get_health_check(HealthCheckId=check_id)["HealthCheck"]["HealthCheckConfig"].get("Regions")
    assert sorted(regions or []) == sorted(
        ["us-east-1", "us-west-1", "us-west-2", "eu-west-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1"]
    )
