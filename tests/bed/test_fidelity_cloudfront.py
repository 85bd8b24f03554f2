"""CloudFront behaves as AWS documents it: ETags, deploy status, CNAME conflicts, viewer certificates.

Each test depends on one fidelity rule (named in its docstring) and fails when
the bed is launched with ``FIDELITY_DISABLED_RULES=<rule>``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from bed.fidelity_helpers import (
    acm_viewer,
    create_distribution,
    error_of,
    iam_viewer,
    import_acm,
    trusted,
    update_distribution,
    upload_iam,
    wait_for_status,
)
from botocore.exceptions import ClientError
from testbed.awsbed import AwsBed


def _distribution_count(cloudfront: Any) -> int:
    return cloudfront.list_distributions()["DistributionList"]["Quantity"]  # type: ignore[no-any-return]


# ---- cloudfront.etag ---------------------------------------------------------------


def test_update_replaces_etag_and_refuses_stale_if_match(aws: AwsBed) -> None:
    """Rule cloudfront.etag. CloudFront API Reference, UpdateDistribution: IfMatch must be the ETag
    from GetDistributionConfig; Errors — PreconditionFailed (HTTP 412). The response ETag is the new version."""
    cloudfront = aws.client("cloudfront")
    dist_id, created_etag = create_distribution(cloudfront)

    new_etag = update_distribution(cloudfront, dist_id, if_match=created_etag, Comment="first")
    assert new_etag != created_etag
    assert cloudfront.get_distribution_config(Id=dist_id)["ETag"] == new_etag

    with pytest.raises(ClientError) as stale:
        update_distribution(cloudfront, dist_id, if_match=created_etag, Comment="stale writer")
    assert error_of(stale.value) == ("PreconditionFailed", 412)
    current = cloudfront.get_distribution_config(Id=dist_id)
    assert current["DistributionConfig"]["Comment"] == "first"
    assert current["ETag"] == new_etag


def test_delete_with_stale_if_match_is_refused(aws: AwsBed) -> None:
    """Rule cloudfront.etag. CloudFront API Reference, DeleteDistribution: Errors — PreconditionFailed
    when IfMatch is not the distribution's current ETag."""
    cloudfront = aws.client("cloudfront")
    dist_id, created_etag = create_distribution(cloudfront)
    update_distribution(cloudfront, dist_id, Enabled=False)

    with pytest.raises(ClientError) as stale:
        cloudfront.delete_distribution(Id=dist_id, IfMatch=created_etag)
    assert error_of(stale.value) == ("PreconditionFailed", 412)
    assert cloudfront.get_distribution(Id=dist_id)["Distribution"]["Id"] == dist_id


# ---- cloudfront.deploy_delay -------------------------------------------------------


def test_status_is_in_progress_until_deployed_after_create_and_update(aws: AwsBed) -> None:
    """Rule cloudfront.deploy_delay. CloudFront API Reference, Distribution data type: Status is
    InProgress until the configuration is propagated to all edge locations, then Deployed;
    CloudFront Developer Guide, Update a distribution: after a change the status is InProgress again."""
    aws.control.set_delays(cloudfront_deploy_seconds=1.0)
    cloudfront = aws.client("cloudfront")
    dist_id, _ = create_distribution(cloudfront)
    assert cloudfront.get_distribution(Id=dist_id)["Distribution"]["Status"] == "InProgress"
    wait_for_status(cloudfront, dist_id, "Deployed")

    update_distribution(cloudfront, dist_id, Comment="changed")
    assert cloudfront.get_distribution(Id=dist_id)["Distribution"]["Status"] == "InProgress"
    summary = cloudfront.list_distributions()["DistributionList"]["Items"][0]
    assert summary["Status"] == "InProgress"
    wait_for_status(cloudfront, dist_id, "Deployed")


# ---- cloudfront.cname_conflict -----------------------------------------------------


def test_alias_held_by_another_distribution_conflicts(aws: AwsBed) -> None:
    """Rule cloudfront.cname_conflict. CloudFront API Reference, CreateDistribution and UpdateDistribution:
    Errors — CNAMEAlreadyExists (HTTP 409): the alternate domain name is already associated with another distribution."""
    cloudfront = aws.client("cloudfront")
    arn = import_acm(aws.client("acm"), trusted(aws, ["*.example.com"]))
    create_distribution(cloudfront, ["www.example.com"], acm_viewer(arn))

    with pytest.raises(ClientError) as on_create:
        create_distribution(cloudfront, ["WWW.example.com"], acm_viewer(arn))
    assert error_of(on_create.value) == ("CNAMEAlreadyExists", 409)
    assert _distribution_count(cloudfront) == 1

    other_id, _ = create_distribution(cloudfront, ["shop.example.com"], acm_viewer(arn))
    with pytest.raises(ClientError) as on_update:
        update_distribution(cloudfront, other_id, aliases=["shop.example.com", "www.example.com"])
    assert error_of(on_update.value) == ("CNAMEAlreadyExists", 409)
    assert cloudfront.get_distribution_config(Id=other_id)["DistributionConfig"]["Aliases"]["Items"] == ["shop.example.com"]


def test_wildcard_alias_conflicts_only_with_the_same_wildcard(aws: AwsBed) -> None:
    """Rule cloudfront.cname_conflict. CloudFront Developer Guide, Use custom URLs by adding alternate domain names:
    a wildcard and a more specific name may sit on different distributions; the same name may not."""
    cloudfront = aws.client("cloudfront")
    arn = import_acm(aws.client("acm"), trusted(aws, ["*.example.com"]))
    create_distribution(cloudfront, ["*.example.com"], acm_viewer(arn))
    create_distribution(cloudfront, ["www.example.com"], acm_viewer(arn))

    with pytest.raises(ClientError) as same:
        create_distribution(cloudfront, ["*.example.com"], acm_viewer(arn))
    assert error_of(same.value) == ("CNAMEAlreadyExists", 409)
    assert _distribution_count(cloudfront) == 2


def test_distribution_keeps_its_own_alias_on_update(aws: AwsBed) -> None:
    """CloudFront API Reference, UpdateDistribution: resubmitting a distribution's own aliases is not a conflict."""
    cloudfront = aws.client("cloudfront")
    arn = import_acm(aws.client("acm"), trusted(aws, ["www.example.com"]))
    dist_id, _ = create_distribution(cloudfront, ["www.example.com"], acm_viewer(arn))
    update_distribution(cloudfront, dist_id, Comment="same alias")
    assert cloudfront.get_distribution_config(Id=dist_id)["DistributionConfig"]["Comment"] == "same alias"


# ---- cloudfront.viewer_certificate -------------------------------------------------

Setup = Callable[[AwsBed], tuple[list[str], dict[str, Any]]]


def _iam_cert(sans: list[str], path: str = "/cloudfront/", **kwargs: Any) -> Setup:
    def setup(aws: AwsBed) -> tuple[list[str], dict[str, Any]]:
        metadata = upload_iam(aws.client("iam"), "site", trusted(aws, sans, **kwargs), path=path)
        return ["www.example.com"], iam_viewer(metadata["ServerCertificateId"])

    return setup


def _acm_cert(sans: list[str], aliases: list[str] | None = None, **kwargs: Any) -> Setup:
    def setup(aws: AwsBed) -> tuple[list[str], dict[str, Any]]:
        return aliases or ["www.example.com"], acm_viewer(import_acm(aws.client("acm"), trusted(aws, sans, **kwargs)))

    return setup


def _acm_in_region(region: str) -> Setup:
    def setup(aws: AwsBed) -> tuple[list[str], dict[str, Any]]:
        acm = boto3.client(
            "acm", endpoint_url=aws.endpoint, region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        return ["www.example.com"], acm_viewer(import_acm(acm, trusted(aws, ["www.example.com"])))

    return setup


def _without_sni(aws: AwsBed) -> tuple[list[str], dict[str, Any]]:
    aliases, viewer = _acm_cert(["www.example.com"])(aws)
    viewer.pop("SSLSupportMethod")
    return aliases, viewer


REFUSED: dict[str, Setup] = {
    "unknown-iam-id": lambda aws: (["www.example.com"], iam_viewer("ASCA00000000000000000")),
    "iam-path-not-cloudfront": _iam_cert(["www.example.com"], path="/"),
    "unknown-acm-arn": lambda aws: (
        ["www.example.com"],
        acm_viewer("arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"),
    ),
    "acm-outside-us-east-1": _acm_in_region("us-west-2"),
    "wildcard-is-one-level": _acm_cert(["*.example.com"], aliases=["a.b.example.com"]),
    "wildcard-not-apex": _acm_cert(["*.example.com"], aliases=["example.com"]),
    "cn-ignored-with-san": _acm_cert(["other.example.com"], common_name="www.example.com"),
    "second-alias-uncovered": _acm_cert(["www.example.com"], aliases=["www.example.com", "api.example.com"]),
    "ec-p384": _acm_cert(["www.example.com"], kind="ec384"),
    "iam-ec-p384": _iam_cert(["www.example.com"], kind="ec384"),
    "no-ssl-support-method": _without_sni,
}

ACCEPTED: dict[str, Setup] = {
    "iam-cloudfront-path": _iam_cert(["www.example.com"], path="/cloudfront/site/"),
    "acm-rsa-2048": _acm_cert(["www.example.com"]),
    "acm-rsa-1024": _acm_cert(["www.example.com"], kind="rsa1024"),
    "acm-ec-p256": _acm_cert(["www.example.com"], kind="ec256"),
    "wildcard-one-level": _acm_cert(["*.example.com", "example.com"], aliases=["www.example.com", "example.com"]),
    "cn-only-certificate": _acm_cert([], common_name="www.example.com"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_unusable_viewer_certificate_is_refused(aws: AwsBed, case: str) -> None:
    """Rule cloudfront.viewer_certificate. CloudFront API Reference, CreateDistribution: Errors —
    InvalidViewerCertificate; CloudFront Developer Guide, Requirements for using SSL/TLS certificates with
    CloudFront: ACM certificates in us-east-1, IAM certificates under path /cloudfront/, RSA or ECDSA P-256 keys,
    every alternate domain name covered by a SAN (CN only without SANs; a wildcard covers one label);
    ViewerCertificate data type: SSLSupportMethod is required with ACMCertificateArn or IAMCertificateId."""
    aliases, viewer = REFUSED[case](aws)
    cloudfront = aws.client("cloudfront")
    with pytest.raises(ClientError) as refused:
        create_distribution(cloudfront, aliases, viewer)
    assert error_of(refused.value) == ("InvalidViewerCertificate", 400)
    assert _distribution_count(cloudfront) == 0


@pytest.mark.parametrize("case", ACCEPTED)
def test_usable_viewer_certificate_is_accepted(aws: AwsBed, case: str) -> None:
    """CloudFront Developer Guide, Requirements for using SSL/TLS certificates with CloudFront: RSA 1024/2048 and
    ECDSA P-256 keys, one-level wildcards and CN-only certificates are all accepted (the rule is not over-strict)."""
    aliases, viewer = ACCEPTED[case](aws)
    cloudfront = aws.client("cloudfront")
    dist_id, _ = create_distribution(cloudfront, aliases, viewer)
    assert cloudfront.get_distribution_config(Id=dist_id)["DistributionConfig"]["Aliases"]["Items"] == aliases


def test_update_to_certificate_not_covering_aliases_is_refused(aws: AwsBed) -> None:
    """Rule cloudfront.viewer_certificate. CloudFront API Reference, UpdateDistribution: Errors —
    InvalidViewerCertificate; the stored configuration is left unchanged."""
    acm, cloudfront = aws.client("acm"), aws.client("cloudfront")
    good = import_acm(acm, trusted(aws, ["www.example.com"]))
    other = import_acm(acm, trusted(aws, ["shop.example.com"]))
    dist_id, _ = create_distribution(cloudfront, ["www.example.com"], acm_viewer(good))

    with pytest.raises(ClientError) as refused:
        update_distribution(cloudfront, dist_id, viewer=acm_viewer(other))
    assert error_of(refused.value) == ("InvalidViewerCertificate", 400)
    viewer = cloudfront.get_distribution_config(Id=dist_id)["DistributionConfig"]["ViewerCertificate"]
    assert viewer["ACMCertificateArn"] == good
