"""Self-signed certificates and keys for tests, generated fresh with `cryptography`.

Why: the certificate rules (IAM/ACM validation, CloudFront coverage and key-type
checks) can only be exercised with real X.509 material of a chosen key type,
SAN list and validity; checked-in PEM files would expire and hide what each test
depends on.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

KeyKind = Literal["rsa1024", "rsa2048", "ec256", "ec384"]
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class Sample:
    """A certificate and its private key, PEM-encoded, plus the facts tests assert on."""

    cert_pem: str
    key_pem: str
    serial: int
    not_after: datetime.datetime


def private_key(kind: KeyKind = "rsa2048") -> PrivateKey:
    """A new private key of `kind`."""
    if kind == "rsa1024":
        return rsa.generate_private_key(public_exponent=65537, key_size=1024)
    if kind == "rsa2048":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if kind == "ec256":
        return ec.generate_private_key(ec.SECP256R1())
    return ec.generate_private_key(ec.SECP384R1())


def key_pem(key: PrivateKey) -> str:
    """The unencrypted PKCS#8 PEM of `key`."""
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()


def self_signed(
    sans: list[str],
    kind: KeyKind = "rsa2048",
    *,
    common_name: str | None = None,
    days: int = 365,
    not_before: datetime.datetime | None = None,
    key: PrivateKey | None = None,
    issuer: tuple[x509.Certificate, PrivateKey] | None = None,
) -> Sample:
    """A self-signed certificate for DNS names `sans` (no SAN extension when empty).

    The subject CN is `common_name`, else the first SAN, else "example.invalid".
    """
    key = key or private_key(kind)
    start = not_before or datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    end = start + datetime.timedelta(days=days)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name or (sans[0] if sans else "example.invalid"))])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer[0].subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
    )
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(san) for san in sans]), critical=False)
    cert = builder.sign(issuer[1] if issuer else key, hashes.SHA256())
    return Sample(
        cert_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        key_pem=key_pem(key),
        serial=cert.serial_number,
        not_after=cert.not_valid_after_utc,
    )
