"""ACM rules: in-use tracking, re-import semantics, key checks, serial format.

Why: the operator renews the site's certificate by re-importing it into the
same ARN (keeping its tags and its CloudFront association), and deletes an
old certificate only once no distribution serves it. moto never reports
CloudFront in InUseBy, deletes certificates in use, wipes tags on re-import
and accepts tags or a different key type there, accepts a key that does not
match, and prints serials in decimal, so all of those paths would go untested.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.acm.models import AWSCertificateManagerBackend, CertBundle
from moto.acm.responses import AWSCertificateManagerResponse
from moto.core.responses import ActionResult

from . import certs, cloudfront
from .errors import aws_error
from .state import STATE, FidelityState

Import = Callable[[AWSCertificateManagerBackend, bytes, bytes, bytes | None, str | None, list[dict[str, str]]], str]
Delete = Callable[[AWSCertificateManagerBackend, str], None]
Describe = Callable[[CertBundle], dict[str, Any]]


def install(state: FidelityState) -> None:
    """Patch moto's ACM import/delete and CertBundle.describe (called once at server start)."""
    AWSCertificateManagerBackend.import_certificate = _patched_import(AWSCertificateManagerBackend.import_certificate)  # type: ignore[method-assign, assignment]
    AWSCertificateManagerBackend.delete_certificate = _patched_delete(AWSCertificateManagerBackend.delete_certificate)  # type: ignore[method-assign, assignment]
    CertBundle.describe = _patched_describe(CertBundle.describe)  # type: ignore[method-assign, assignment]
    responses = AWSCertificateManagerResponse
    responses.describe_certificate = _spelled_as_aws(responses.describe_certificate)  # type: ignore[method-assign, assignment]
    responses.list_certificates = _default_key_types(_spelled_as_aws(responses.list_certificates))  # type: ignore[method-assign, assignment]
    state.on_reset(_IMPORTS.clear)


_IMPORTS: list[str] = []  # ARNs of every import (new or re-import) since the last reset: the yearly quota


def _hyphenated(algorithm: str) -> str:
    """RSA_2048 -> RSA-2048, EC_prime256v1 -> EC-prime256v1: how AWS writes KeyAlgorithm in responses."""
    return algorithm.replace("_", "-", 1)


def _spelled_as_aws(original: Callable[[Any], ActionResult]) -> Callable[[Any], ActionResult]:
    """Rule acm.key_algorithm: responses spell KeyAlgorithm with a hyphen (``RSA-2048``, ``EC-prime256v1``).

    The API reference's enum lists ``RSA_2048``, but real responses use hyphens:
    AWS CLI Command Reference, acm describe-certificate, example output
    (``"KeyAlgorithm": "RSA-2048"``); aws-controllers-k8s/community#2394. Requests
    (ListCertificates Includes.keyTypes) keep the underscore spelling.
    """

    def respond(self: Any) -> ActionResult:
        result = original(self)
        if STATE.enabled("acm.key_algorithm"):
            body: Any = result.result
            for certificate in [body.get("Certificate"), *body.get("CertificateSummaryList", [])]:
                if certificate and "KeyAlgorithm" in certificate:
                    certificate["KeyAlgorithm"] = _hyphenated(str(certificate["KeyAlgorithm"]))
        return result

    return respond


def _default_key_types(original: Callable[[Any], ActionResult]) -> Callable[[Any], ActionResult]:
    """Rule acm.list_key_types: without Includes.keyTypes, ListCertificates lists RSA_2048 certificates only.

    ACM API Reference, ListCertificates, Includes: "By default, the API returns
    RSA_2048 certificates" (keyTypes default). moto lists every key type.
    """

    def respond(self: Any) -> ActionResult:
        result = original(self)
        includes = self._get_param("Includes") or {}
        if STATE.enabled("acm.list_key_types") and not includes.get("keyTypes"):
            body: Any = result.result
            body["CertificateSummaryList"] = [
                summary for summary in body["CertificateSummaryList"] if summary.get("KeyAlgorithm") in ("RSA_2048", "RSA-2048")
            ]
        return result

    return respond


def _account_of(arn: str) -> str:
    return arn.split(":")[4]


def _patched_import(original: Import) -> Import:
    def import_certificate(
        self: AWSCertificateManagerBackend,
        certificate: bytes,
        private_key: bytes,
        chain: bytes | None,
        arn: str | None,
        tags: list[dict[str, str]],
    ) -> str:
        with STATE.lock:
            _check_import_quota()
            if STATE.enabled("acm.validate"):
                _check_key_pair(certificate, private_key)
            existing = self._certificates.get(arn) if arn else None
            if existing is None or not STATE.enabled("acm.reimport"):
                imported = original(self, certificate, private_key, chain, arn, tags)
                _IMPORTS.append(imported)
                return imported
            if tags:
                raise aws_error("ValidationException", "Tagging is not permitted on re-import.")
            _check_same_key_type(existing, certificate)
            kept = dict(existing.tags)
            new_arn = original(self, certificate, private_key, chain, arn, tags)
            self._certificates[new_arn].tags.update(kept)
            _IMPORTS.append(new_arn)
            return new_arn

    return import_certificate


def _check_import_quota() -> None:
    """Rule acm.import_quota: imports (re-imports included) are capped per rolling 365 days.

    ACM User Guide, "Quotas": 5,000 imports per year by default (new accounts far
    fewer, terraform-provider-aws#14025); past it ImportCertificate answers
    LimitExceededException, which retrying cannot fix.
    """
    if STATE.enabled("acm.import_quota") and len(_IMPORTS) >= STATE.quotas["acm_imports_per_year"]:
        raise aws_error("LimitExceededException", "Error importing certificate. Import limit exceeded.")


def _check_key_pair(certificate: bytes, private_key: bytes) -> None:
    """Refuse a key that is not the certificate's; unparsable PEM is left to moto's own errors."""
    try:
        cert, key = certs.load_certificate(certificate), certs.load_private_key(private_key)
    except ValueError:
        return
    if not certs.key_matches(cert, key):
        raise aws_error("ValidationException", "The private key does not match the public key in the certificate.")


def _check_same_key_type(existing: CertBundle, certificate: bytes) -> None:
    try:
        new = certs.load_certificate(certificate)
    except ValueError:
        return  # moto answers the malformed certificate itself
    old_algorithm, new_algorithm = certs.key_algorithm(existing._cert), certs.key_algorithm(new)
    if old_algorithm != new_algorithm:
        raise aws_error(
            "ValidationException",
            f"The key type and size cannot be changed on re-import: the certificate has {old_algorithm}, "
            f"the new one {new_algorithm}.",
        )


def _patched_delete(original: Delete) -> Delete:
    def delete_certificate(self: AWSCertificateManagerBackend, arn: str) -> None:
        with STATE.lock:
            if STATE.enabled("acm.in_use") and arn in self._certificates:
                users = cloudfront.distributions_using(self.account_id, arn)
                if users:
                    raise aws_error("ResourceInUseException", f"Certificate {arn} in account {self.account_id} is in use.")
            original(self, arn)

    return delete_certificate


def _patched_describe(original: Describe) -> Describe:
    def describe(self: CertBundle) -> dict[str, Any]:
        result = original(self)
        body = result["Certificate"]
        if STATE.enabled("acm.serial"):
            body["Serial"] = certs.colon_serial(self._cert.serial_number)
        if STATE.enabled("acm.in_use"):
            users = cloudfront.distributions_using(_account_of(self.arn), self.arn)
            body["InUseBy"] = sorted({*self.in_use_by, *users})
        return result

    return describe
