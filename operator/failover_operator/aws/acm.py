"""ACM calls: import and re-import certificates for CloudFront (always us-east-1).

Re-importing into the same ARN keeps the distribution pointing at it, which is
why renewals never touch CloudFront in the ACM store. Imports are capped per
year by AWS, so callers re-import only when the certificate really changed.
"""

from __future__ import annotations

from typing import Any

from .errors import call, call_or_none

ALL_KEY_TYPES = ["RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"]


def import_certificate(
    acm: Any, leaf_pem: str, key_pem: str, chain_pem: str, arn: str | None, tags: dict[str, str] | None
) -> str:
    """Import (arn None, with tags) or re-import into `arn` (tags are refused on re-import)."""
    kwargs: dict[str, Any] = {"Certificate": leaf_pem.encode(), "PrivateKey": key_pem.encode()}
    if chain_pem:
        kwargs["CertificateChain"] = chain_pem.encode()
    if arn:
        kwargs["CertificateArn"] = arn
    elif tags:
        kwargs["Tags"] = [{"Key": key, "Value": value} for key, value in tags.items()]
    return str(call(acm.import_certificate, **kwargs)["CertificateArn"])


def get_certificate_pem(acm: Any, arn: str) -> str | None:
    """The leaf certificate ACM holds under `arn` (PEM), or None when there is no such certificate.

    The certificate itself, not DescribeCertificate's rendering of it: AWS spells
    KeyAlgorithm ``RSA-2048`` there while its API reference lists ``RSA_2048``, so
    identity (fingerprint, serial, key type) is always taken from the parsed PEM.
    """
    response = call_or_none(acm.get_certificate, missing=("ValidationException", "InvalidArnException"), CertificateArn=arn)
    return str(response["Certificate"]) if response else None


def delete_certificate(acm: Any, arn: str) -> None:
    """Idempotent delete; ResourceInUseException (still used by CloudFront) propagates."""
    call_or_none(acm.delete_certificate, CertificateArn=arn)


def find_certificates_tagged(acm: Any, key: str, value: str) -> list[str]:
    """ARNs of imported certificates carrying tag key=value (crash recovery: an import whose ARN was never recorded)."""
    arns: list[str] = []
    kwargs: dict[str, Any] = {"Includes": {"keyTypes": ALL_KEY_TYPES}}
    while True:
        page = call(acm.list_certificates, **kwargs)
        for summary in page.get("CertificateSummaryList", []):
            tags = call(acm.list_tags_for_certificate, CertificateArn=summary["CertificateArn"]).get("Tags", [])
            if any(tag["Key"] == key and tag.get("Value") == value for tag in tags):
                arns.append(summary["CertificateArn"])
        if not page.get("NextToken"):
            return arns
        kwargs["NextToken"] = page["NextToken"]
