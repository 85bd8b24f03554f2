"""Certificate facts the IAM, ACM and CloudFront rules share: parsing, key pairs, name coverage.

Why one module: AWS applies the same X.509 reasoning in three services (IAM and
ACM refuse unparsable PEM and mismatched keys, ACM names key algorithms and
prints serials, CloudFront checks that a certificate covers every alias and has
a key type it can serve). Keeping it here means the three rule modules agree.
"""

from __future__ import annotations

import datetime
import functools
import os
import warnings
from pathlib import Path

import certifi
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes, PrivateKeyTypes
from cryptography.x509.oid import NameOID
from cryptography.x509.verification import Criticality, ExtensionPolicy, PolicyBuilder, Store, VerificationError

# ACM's names for EC curves (DescribeCertificate KeyAlgorithm).
_ACM_CURVES = {"secp256r1": "prime256v1", "secp384r1": "secp384r1", "secp521r1": "secp521r1"}


def _as_bytes(pem: str | bytes) -> bytes:
    return pem.encode() if isinstance(pem, str) else pem


def load_certificate(pem: str | bytes) -> x509.Certificate:
    """The first certificate in `pem`; ValueError if there is none or it does not parse."""
    return x509.load_pem_x509_certificate(_as_bytes(pem).strip())


def load_chain(pem: str | bytes) -> list[x509.Certificate]:
    """Every certificate in a PEM chain; ValueError if any does not parse."""
    return x509.load_pem_x509_certificates(_as_bytes(pem).strip())


def load_private_key(pem: str | bytes) -> PrivateKeyTypes:
    """An unencrypted PEM private key; ValueError if it does not parse or is encrypted."""
    try:
        return serialization.load_pem_private_key(_as_bytes(pem).strip(), password=None)
    except TypeError as error:  # encrypted key, no password given
        raise ValueError(str(error)) from error


def try_certificate(pem: str | bytes | None) -> x509.Certificate | None:
    """The certificate in `pem`, or None when there is none or it does not parse."""
    if not pem:
        return None
    try:
        return load_certificate(pem)
    except ValueError:
        return None


def _spki(public_key: CertificatePublicKeyTypes) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_matches(cert: x509.Certificate, key: PrivateKeyTypes) -> bool:
    """Whether `key` is the private half of the certificate's public key."""
    return _spki(cert.public_key()) == _spki(key.public_key())  # type: ignore[arg-type]


def key_algorithm(cert: x509.Certificate) -> str:
    """ACM's KeyAlgorithm name for the certificate's key: RSA_2048, EC_prime256v1, ..."""
    public_key = cert.public_key()
    if isinstance(public_key, rsa.RSAPublicKey):
        return f"RSA_{public_key.key_size}"
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return f"EC_{_ACM_CURVES.get(public_key.curve.name, public_key.curve.name)}"
    return type(public_key).__name__


def cloudfront_key_problem(cert: x509.Certificate) -> str | None:
    """Why CloudFront cannot serve this certificate's key, or None (RSA of any size, EC P-256)."""
    public_key = cert.public_key()
    if isinstance(public_key, rsa.RSAPublicKey):
        return None
    if isinstance(public_key, ec.EllipticCurvePublicKey) and public_key.curve.name == "secp256r1":
        return None
    return f"CloudFront does not support {key_algorithm(cert)} keys (RSA or EC prime256v1 only)"


def dns_names(cert: x509.Certificate) -> list[str]:
    """The names a certificate is valid for: its SAN DNS names, or its CN when it has none."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = san.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        names = []
    if names:
        return [name.lower().rstrip(".") for name in names]
    return [str(attr.value).lower().rstrip(".") for attr in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]


def name_covers(cert_name: str, alias: str) -> bool:
    """Exact match, or a one-level wildcard: ``*.example.com`` covers ``a.example.com`` only."""
    cert_name, alias = cert_name.lower().rstrip("."), alias.lower().rstrip(".")
    if cert_name == alias:
        return True
    if not cert_name.startswith("*."):
        return False
    label, _, parent = alias.partition(".")
    return bool(label) and label != "*" and parent == cert_name[2:]


def uncovered(cert: x509.Certificate, aliases: list[str]) -> list[str]:
    """The aliases none of the certificate's names covers."""
    names = dns_names(cert)
    return [alias for alias in aliases if not any(name_covers(name, alias) for name in names)]


def colon_serial(serial: int) -> str:
    """A serial number as AWS prints it: lowercase hex byte pairs joined by colons."""
    digits = f"{serial:x}"
    digits = digits.zfill(len(digits) + len(digits) % 2)
    return ":".join(digits[i : i + 2] for i in range(0, len(digits), 2))


def not_after(cert: x509.Certificate) -> datetime.datetime:
    """The certificate's expiry, timezone-aware UTC."""
    return cert.not_valid_after_utc


def untrusted(cert: x509.Certificate, chain_pem: str | bytes | None) -> str | None:
    """Why CloudFront would not trust `cert` with this chain, or None (rule cloudfront.trust).

    CloudFront Developer Guide, "Requirements for using SSL/TLS certificates with
    CloudFront": the certificate must be issued by a CA on the Mozilla Included CA
    Certificate List. The bed trusts certifi's copy of that list plus the PEM file
    named by FIDELITY_TRUST_ANCHORS (the bed's own CA, standing in for a public one).
    """
    ca_policy = ExtensionPolicy.permit_all().require_present(x509.BasicConstraints, Criticality.AGNOSTIC, None)
    leaf_policy = ExtensionPolicy.permit_all()
    builder = PolicyBuilder().store(_trust_store()).extension_policies(ca_policy=ca_policy, ee_policy=leaf_policy)
    verifier = builder.build_client_verifier()  # the path only: names are the coverage rule's business (CN-only is fine)
    intermediates = load_chain(chain_pem) if chain_pem else []
    try:
        verifier.verify(cert, intermediates)
    except VerificationError as error:
        return f"the certificate is not issued by a trusted certificate authority ({error})"
    return None


@functools.cache
def _trust_store() -> Store:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        anchors = x509.load_pem_x509_certificates(Path(certifi.where()).read_bytes())
    extra = os.environ.get("FIDELITY_TRUST_ANCHORS", "")
    if extra:
        anchors += x509.load_pem_x509_certificates(Path(extra).read_bytes())
    return Store(anchors)
