"""IAM server-certificate calls, for CloudFront's IAM certificate store.

IAM certificate bodies are immutable, so a renewal is a new upload under a new
deterministic name; CloudFront only accepts IAM certificates whose path starts
with ``/cloudfront/``.
"""

from __future__ import annotations

from typing import Any

from .errors import call, call_or_none


def upload_server_certificate(iam: Any, name: str, path: str, leaf_pem: str, key_pem: str, chain_pem: str) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"ServerCertificateName": name, "Path": path, "CertificateBody": leaf_pem, "PrivateKey": key_pem}
    if chain_pem:
        kwargs["CertificateChain"] = chain_pem
    return dict(call(iam.upload_server_certificate, **kwargs)["ServerCertificateMetadata"])


def get_server_certificate(iam: Any, name: str) -> dict[str, Any] | None:
    """Metadata (ServerCertificateId, Arn, Path, Expiration) and body, or None."""
    response = call_or_none(iam.get_server_certificate, ServerCertificateName=name)
    if response is None:
        return None
    certificate = response["ServerCertificate"]
    return {**certificate["ServerCertificateMetadata"], "CertificateBody": certificate["CertificateBody"]}


def list_server_certificates(iam: Any, path_prefix: str) -> list[dict[str, Any]]:
    certificates: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"PathPrefix": path_prefix}
    while True:
        page = call(iam.list_server_certificates, **kwargs)
        certificates.extend(page.get("ServerCertificateMetadataList", []))
        if not page.get("IsTruncated"):
            return certificates
        kwargs["Marker"] = page["Marker"]


def delete_server_certificate(iam: Any, name: str) -> None:
    """Idempotent delete; DeleteConflict (still used by CloudFront) propagates."""
    call_or_none(iam.delete_server_certificate, ServerCertificateName=name)


def server_certificate_id_exists(iam: Any, certificate_id: str) -> bool:
    """Whether any server certificate (any path) has this ServerCertificateId (CloudFront refers to them by id)."""
    return any(metadata.get("ServerCertificateId") == certificate_id for metadata in list_server_certificates(iam, "/"))
