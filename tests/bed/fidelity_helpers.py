"""Helpers for the CloudFront, IAM and ACM fidelity tests.

Why: those tests all need the same few moves (a minimal valid distribution
with a custom origin, a certificate in IAM or ACM, an update that keeps the
rest of the config, waiting for a status with a deadline) and should read as
the behaviour they check, not as request plumbing.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from botocore.exceptions import ClientError
from testbed.pki_samples import KeyKind, Sample, self_signed

TLS_POLICY = "TLSv1.2_2021"


def distribution_config(
    aliases: list[str] | None = None, viewer: dict[str, Any] | None = None, comment: str = ""
) -> dict[str, Any]:
    """A minimal valid DistributionConfig: one custom origin, a default cache behaviour."""
    return {
        "CallerReference": str(uuid.uuid4()),
        "Comment": comment,
        "Enabled": True,
        "Aliases": {"Quantity": len(aliases or []), "Items": list(aliases or [])},
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": "site",
                    "DomainName": "origin.example.com",
                    "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"},
                }
            ],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": "site",
            "ViewerProtocolPolicy": "redirect-to-https",
            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",  # AWS managed CachingOptimized
        },
        "ViewerCertificate": viewer or {"CloudFrontDefaultCertificate": True},
    }


def acm_viewer(arn: str) -> dict[str, Any]:
    return {"ACMCertificateArn": arn, "SSLSupportMethod": "sni-only", "MinimumProtocolVersion": TLS_POLICY}


def iam_viewer(cert_id: str) -> dict[str, Any]:
    return {"IAMCertificateId": cert_id, "SSLSupportMethod": "sni-only", "MinimumProtocolVersion": TLS_POLICY}


def create_distribution(
    cloudfront: Any, aliases: list[str] | None = None, viewer: dict[str, Any] | None = None
) -> tuple[str, str]:
    """Create a distribution; returns (id, ETag)."""
    response = cloudfront.create_distribution(DistributionConfig=distribution_config(aliases, viewer))
    return response["Distribution"]["Id"], response["ETag"]


def update_distribution(cloudfront: Any, dist_id: str, if_match: str | None = None, **changes: Any) -> str:
    """Read the config, apply `changes` (top-level DistributionConfig keys), write it back; returns the new ETag.

    `aliases=[...]` and `viewer={...}` are shorthands for Aliases and ViewerCertificate.
    """
    current = cloudfront.get_distribution_config(Id=dist_id)
    config = current["DistributionConfig"]
    if "aliases" in changes:
        aliases = changes.pop("aliases")
        config["Aliases"] = {"Quantity": len(aliases), "Items": aliases}
    if "viewer" in changes:
        config["ViewerCertificate"] = changes.pop("viewer")
    config.update(changes)
    response = cloudfront.update_distribution(Id=dist_id, DistributionConfig=config, IfMatch=if_match or current["ETag"])
    return response["ETag"]  # type: ignore[no-any-return]


def wait_for_status(cloudfront: Any, dist_id: str, status: str, timeout: float = 10) -> dict[str, Any]:
    """Poll GetDistribution until Status is `status`; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        distribution = cloudfront.get_distribution(Id=dist_id)["Distribution"]
        if distribution["Status"] == status:
            return distribution  # type: ignore[no-any-return]
        if time.monotonic() > deadline:
            raise AssertionError(f"distribution {dist_id} still {distribution['Status']} after {timeout} s, wanted {status}")
        time.sleep(0.05)


def upload_iam(iam: Any, name: str, sample: Sample, path: str = "/cloudfront/") -> dict[str, Any]:
    """Upload `sample` as an IAM server certificate; returns its ServerCertificateMetadata."""
    response = iam.upload_server_certificate(
        ServerCertificateName=name, CertificateBody=sample.cert_pem, PrivateKey=sample.key_pem, Path=path
    )
    return response["ServerCertificateMetadata"]  # type: ignore[no-any-return]


def import_acm(acm: Any, sample: Sample, **kwargs: Any) -> str:
    """Import `sample` into ACM (kwargs: CertificateArn, Tags); returns the ARN."""
    response = acm.import_certificate(Certificate=sample.cert_pem.encode(), PrivateKey=sample.key_pem.encode(), **kwargs)
    return response["CertificateArn"]  # type: ignore[no-any-return]


def error_of(error: ClientError) -> tuple[str, int]:
    """(error code, HTTP status) of a botocore ClientError."""
    return error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]


def trusted(aws: Any, sans: list[str], kind: KeyKind = "rsa2048", **kwargs: Any) -> Sample:
    """Like `self_signed`, but issued by the bed's CA, which the bed's CloudFront trusts (rule cloudfront.trust)."""
    ca = aws.ca()
    return self_signed(sans, kind, issuer=(ca.cert, ca.key), **kwargs)
