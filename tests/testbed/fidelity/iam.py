"""IAM server-certificate rules: real ids and dates, name clashes, PEM checks, delete conflicts.

Why: the operator uploads the site's certificate to IAM for CloudFront, finds
it again by ServerCertificateId/Path, and deletes the old one only when no
distribution serves it any more. moto gives every certificate the same id and
fixed dates, accepts duplicates and garbage, ignores PathPrefix, and deletes a
certificate a distribution still uses, so those paths would go untested.
"""

from __future__ import annotations

import datetime
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moto.core.responses import ActionResult
from moto.iam.models import Certificate, IAMBackend, iam_backends
from moto.iam.responses import IamResponse

from . import certs, cloudfront
from .errors import aws_error
from .state import STATE, FidelityState

# What moto answers for every certificate (used while iam.unique_id is off).
_MOTO_ID = "ASCACKCEVSQ6C2EXAMPLE"
_MOTO_UPLOAD_DATE = "2010-05-08T01:02:03.004Z"
_MOTO_EXPIRATION = "2012-05-08T01:02:03.004Z"
_ID_ALPHABET = string.ascii_uppercase + string.digits


@dataclass(frozen=True)
class _Facts:
    """What AWS records about an uploaded certificate and moto does not."""

    server_certificate_id: str
    upload_date: datetime.datetime
    expiration: datetime.datetime | None


def install(state: FidelityState) -> None:
    """Patch moto's IAM server-certificate backend methods and responses (called once at server start)."""
    IAMBackend.upload_server_certificate = _patched_upload(IAMBackend.upload_server_certificate)  # type: ignore[method-assign]
    IAMBackend.delete_server_certificate = _patched_delete(IAMBackend.delete_server_certificate)  # type: ignore[method-assign, assignment]
    IamResponse.upload_server_certificate = _upload_response  # type: ignore[method-assign]
    IamResponse.get_server_certificate = _get_response  # type: ignore[method-assign]
    IamResponse.list_server_certificates = _list_response  # type: ignore[method-assign]


# ---- shared with the CloudFront rules --------------------------------------------


def server_certificate_id(cert: Certificate) -> str:
    """The ServerCertificateId the API reports for `cert`."""
    facts: _Facts | None = getattr(cert, "fidelity_facts", None)
    if facts is None or not STATE.enabled("iam.unique_id"):
        return _MOTO_ID
    return facts.server_certificate_id


def server_certificate_by_id(account_id: str, cert_id: str) -> Certificate | None:
    """The account's server certificate reported with id `cert_id`, if any."""
    with STATE.lock:
        backend = iam_backends[account_id]["aws"]
        return next((cert for cert in backend.certificates.values() if server_certificate_id(cert) == cert_id), None)


# ---- patched backend methods -----------------------------------------------------

Upload = Callable[..., Certificate]
Delete = Callable[[IAMBackend, str], None]


def _patched_upload(original: Upload) -> Upload:
    def upload(
        self: IAMBackend, cert_name: str, cert_body: str, private_key: str, cert_chain: str | None = None, path: str | None = None
    ) -> Certificate:
        with STATE.lock:
            if STATE.enabled("iam.duplicate_name") and _by_name(self, cert_name) is not None:
                raise aws_error("EntityAlreadyExists", f"The Server Certificate with name {cert_name} already exists.")
            if STATE.enabled("iam.validate"):
                _validate(cert_body, private_key, cert_chain)
            _check_quota(self)
            cert = original(self, cert_name, cert_body, private_key, cert_chain=cert_chain, path=path)
            parsed = certs.try_certificate(cert_body)
            cert.fidelity_facts = _Facts(  # type: ignore[attr-defined]
                server_certificate_id="ASCA" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(17)),
                upload_date=datetime.datetime.now(datetime.UTC),
                expiration=certs.not_after(parsed) if parsed is not None else None,
            )
            return cert

    return upload


def _check_quota(backend: IAMBackend) -> None:
    """Rule iam.certificate_quota: 20 server certificates per account by default.

    IAM User Guide, "IAM and AWS STS quotas": "Server certificates stored in an AWS
    account: 20"; UploadServerCertificate then answers LimitExceeded (409).
    """
    held = len(list(backend.list_server_certificates()))
    if STATE.enabled("iam.certificate_quota") and held >= STATE.quotas["iam_server_certificates"]:
        limit = STATE.quotas["iam_server_certificates"]
        raise aws_error("LimitExceeded", f"Cannot exceed quota for ServerCertificatesPerAccount: {limit}")


def _patched_delete(original: Delete) -> Delete:
    def delete(self: IAMBackend, name: str) -> None:
        with STATE.lock:
            cert = _by_name(self, name)
            if cert is not None and STATE.enabled("iam.delete_conflict"):
                cert_id = server_certificate_id(cert)
                users = cloudfront.distributions_using(self.account_id, cert_id)
                if users:
                    raise aws_error(
                        "DeleteConflict",
                        f"Certificate: {cert_id} is currently in use by {users[0]}. "
                        "Please remove it first before deleting it from IAM.",
                    )
            original(self, name)

    return delete


def _by_name(backend: IAMBackend, name: str) -> Certificate | None:
    return next((cert for cert in backend.certificates.values() if cert.cert_name == name), None)


def _malformed(what: str) -> Exception:
    return aws_error("MalformedCertificate", f"Unable to parse {what}. Please ensure it is PEM-encoded and unencrypted.")


def _validate(cert_body: str, private_key: str, cert_chain: str | None) -> None:
    try:
        cert = certs.load_certificate(cert_body or "")
    except ValueError as error:
        raise _malformed("certificate") from error
    if cert_chain:
        try:
            certs.load_chain(cert_chain)
        except ValueError as error:
            raise _malformed("certificate chain") from error
    try:
        key = certs.load_private_key(private_key or "")
    except ValueError as error:
        raise _malformed("private key") from error
    if not certs.key_matches(cert, key):
        raise aws_error("KeyPairMismatch", "Public key certificate and private key doesn't match.")


# ---- patched responses: real ids, dates and PathPrefix ---------------------------


def _metadata(cert: Certificate) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "ServerCertificateName": cert.cert_name,
        "Path": cert.path,
        "Arn": cert.arn,
        "UploadDate": _MOTO_UPLOAD_DATE,
        "ServerCertificateId": _MOTO_ID,
        "Expiration": _MOTO_EXPIRATION,
    }
    facts: _Facts | None = getattr(cert, "fidelity_facts", None)
    if facts is not None and STATE.enabled("iam.unique_id"):
        metadata.update(ServerCertificateId=facts.server_certificate_id, UploadDate=facts.upload_date)
        metadata.pop("Expiration")
        if facts.expiration is not None:
            metadata["Expiration"] = facts.expiration
    return metadata


def _upload_response(self: IamResponse) -> ActionResult:
    cert = self.backend.upload_server_certificate(
        self._get_param("ServerCertificateName"),
        self._get_param("CertificateBody"),
        self._get_param("PrivateKey"),
        cert_chain=self._get_param("CertificateChain"),
        path=self._get_param("Path"),
    )
    return ActionResult({"ServerCertificateMetadata": _metadata(cert)})


def _get_response(self: IamResponse) -> ActionResult:
    cert = self.backend.get_server_certificate(self._get_param("ServerCertificateName"))
    server_cert: dict[str, Any] = {"ServerCertificateMetadata": _metadata(cert), "CertificateBody": cert.cert_body}
    if cert.cert_chain:
        server_cert["CertificateChain"] = cert.cert_chain
    return ActionResult({"ServerCertificate": server_cert})


def _list_response(self: IamResponse) -> ActionResult:
    """Rule iam.list_pagination: pages of MaxItems (default 100) with IsTruncated and Marker.

    IAM API Reference, ListServerCertificates: MaxItems defaults to 100; when
    IsTruncated is true, pass Marker to get the next page. moto returns everything.
    """
    prefix = self._get_param("PathPrefix") or "/"
    certificates = sorted(self.backend.list_server_certificates(), key=lambda cert: cert.cert_name)
    if STATE.enabled("iam.path_prefix"):
        certificates = [cert for cert in certificates if cert.path.startswith(prefix)]
    if not STATE.enabled("iam.list_pagination"):
        return ActionResult({"ServerCertificateMetadataList": [_metadata(cert) for cert in certificates], "IsTruncated": False})
    size = int(self._get_param("MaxItems") or STATE.quotas.get("iam_list_page_size", 100))
    marker = self._get_param("Marker")
    start = int(marker) if marker else 0
    page = certificates[start : start + size]
    result: dict[str, Any] = {"ServerCertificateMetadataList": [_metadata(cert) for cert in page], "IsTruncated": False}
    if start + size < len(certificates):
        result.update({"IsTruncated": True, "Marker": str(start + size)})
    return ActionResult(result)
