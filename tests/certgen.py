"""Throw-away PEM material for tests (unit and integration), generated with `cryptography`.

Tests need real certificates in many shapes (chains, key formats, key types, validity windows,
SANs) and must never ship fixtures with private keys in the repository, so everything is made
on the fly. RSA keys are cached per size for the whole process because RSA 4096 generation takes
over a second: two certificates made with the same "rsaNNNN" name therefore SHARE a key. Pass a
key object (or `fresh_key=True`) when a test needs distinct keys, e.g. for key-mismatch cases.
EC/Ed25519/Ed448 keys are cheap and always fresh.
"""

from __future__ import annotations

import base64
import datetime
import functools
import ipaddress
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509.oid import NameOID

PrivateKey = (
    rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey | dsa.DSAPrivateKey
)
KeySpec = str | PrivateKey

PASSWORD = b"certgen-test-password"
_CURVES: dict[str, ec.EllipticCurve] = {"ec256": ec.SECP256R1(), "ec384": ec.SECP384R1(), "ec521": ec.SECP521R1()}
_KEY_FORMATS = {
    "pkcs8": serialization.PrivateFormat.PKCS8,
    "pkcs1": serialization.PrivateFormat.TraditionalOpenSSL,
    "sec1": serialization.PrivateFormat.TraditionalOpenSSL,
    "traditional": serialization.PrivateFormat.TraditionalOpenSSL,
}


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@functools.cache
def _cached_rsa(size: int) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=size)


@functools.cache
def _cached_dsa() -> dsa.DSAPrivateKey:
    return dsa.generate_private_key(key_size=2048)


def make_key(spec: KeySpec, fresh: bool = False) -> PrivateKey:
    """A private key from a name: rsaNNNN (any size), ec256/ec384/ec521, ed25519, ed448, dsa."""
    if not isinstance(spec, str):
        return spec
    if match := re.fullmatch(r"rsa(\d+)", spec):
        size = int(match.group(1))
        return rsa.generate_private_key(public_exponent=65537, key_size=size) if fresh else _cached_rsa(size)
    if spec in _CURVES:
        return ec.generate_private_key(_CURVES[spec])
    makers: dict[str, Callable[[], PrivateKey]] = {
        "ed25519": ed25519.Ed25519PrivateKey.generate,
        "ed448": ed448.Ed448PrivateKey.generate,
        "dsa": _cached_dsa,
    }
    if spec in makers:
        return makers[spec]()
    raise ValueError(f"unknown key spec {spec!r}")


@dataclass
class Issued:
    """A certificate with its private key, and the PEM renderings tests put into Secrets."""

    cert: x509.Certificate
    key: PrivateKey

    @property
    def cert_pem(self) -> str:
        return self.cert.public_bytes(serialization.Encoding.PEM).decode("ascii")

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    def key_pem(self, fmt: str = "pkcs8") -> str:
        """PEM of the key: pkcs8 | pkcs1 (RSA) | sec1 (EC) | traditional | encrypted (PKCS#8) | encrypted-traditional."""
        encryption: serialization.KeySerializationEncryption = serialization.NoEncryption()
        if fmt.startswith("encrypted"):
            encryption = serialization.BestAvailableEncryption(PASSWORD)
            fmt = "traditional" if fmt == "encrypted-traditional" else "pkcs8"
        if (fmt == "pkcs1" and not isinstance(self.key, rsa.RSAPrivateKey)) or (
            fmt == "sec1" and not isinstance(self.key, ec.EllipticCurvePrivateKey)
        ):
            raise ValueError(f"{fmt} does not apply to {type(self.key).__name__}")
        return self.key.private_bytes(serialization.Encoding.PEM, _KEY_FORMATS[fmt], encryption).decode("ascii")


def _name(common_name: str | None) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)] if common_name else [])


def _sign(issuer: Issued | None, key: PrivateKey) -> tuple[PrivateKey, hashes.HashAlgorithm | None]:
    signer = issuer.key if issuer else key
    algorithm = None if isinstance(signer, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey) else hashes.SHA256()
    return signer, algorithm


def _build(
    subject: x509.Name,
    issuer: Issued | None,
    key: PrivateKey,
    not_before: datetime.datetime,
    not_after: datetime.datetime,
    extensions: Sequence[tuple[x509.ExtensionType, bool]],
    serial: int | None = None,
) -> Issued:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number() if serial is None else serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    signer, algorithm = _sign(issuer, key)
    return Issued(builder.sign(signer, algorithm), key)  # type: ignore[arg-type]


def _ca_extensions() -> list[tuple[x509.ExtensionType, bool]]:
    return [
        (x509.BasicConstraints(ca=True, path_length=None), True),
        (x509.KeyUsage(False, False, False, False, False, True, True, False, False), True),
    ]


def make_ca(name: str = "Test Root CA", key: KeySpec = "ec256", days: int = 3650) -> Issued:
    """A self-signed root CA."""
    start = now() - datetime.timedelta(days=1)
    return _build(_name(name), None, make_key(key), start, start + datetime.timedelta(days=days), _ca_extensions())


def make_intermediate(ca: Issued, name: str = "Test Intermediate CA", key: KeySpec = "ec256", days: int = 1825) -> Issued:
    """An intermediate CA signed by `ca`."""
    start = now() - datetime.timedelta(days=1)
    return _build(_name(name), ca, make_key(key), start, start + datetime.timedelta(days=days), _ca_extensions())


def _leaf_extensions(dns_names: Sequence[str], ip_addresses: Sequence[str]) -> list[tuple[x509.ExtensionType, bool]]:
    extensions: list[tuple[x509.ExtensionType, bool]] = [(x509.BasicConstraints(ca=False, path_length=None), True)]
    names: list[x509.GeneralName] = [x509.DNSName(n) for n in dns_names]
    names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ip_addresses]
    if names:
        extensions.append((x509.SubjectAlternativeName(names), False))
    return extensions


def make_leaf(
    issuer: Issued | None,
    dns_names: Sequence[str],
    key: KeySpec = "rsa2048",
    not_before: datetime.datetime | None = None,
    not_after: datetime.datetime | None = None,
    cn: str | None = None,
    serial: int | None = None,
    fresh_key: bool = False,
    ip_addresses: Sequence[str] = (),
) -> Issued:
    """A server certificate for `dns_names` (+ IP SANs; no SAN when both empty) signed by `issuer` (None: self-signed)."""
    start = not_before or now() - datetime.timedelta(days=1)
    end = not_after or start + datetime.timedelta(days=90)
    common_name = cn if cn is not None else (dns_names[0] if dns_names else "no-san")
    return _build(
        _name(common_name), issuer, make_key(key, fresh_key), start, end, _leaf_extensions(dns_names, ip_addresses), serial
    )


def self_signed(dns_names: Sequence[str], key: KeySpec = "rsa2048", days: int = 90) -> Issued:
    """A self-signed server certificate (no CA)."""
    start = now() - datetime.timedelta(days=1)
    return make_leaf(None, dns_names, key=key, not_before=start, not_after=start + datetime.timedelta(days=days))


def issued_by(ca: Issued, dns_names: Sequence[str], key: KeySpec = "rsa2048", days: int = 90, **kwargs: object) -> Issued:
    """A server certificate signed directly by `ca` (the chain CloudFront needs is then empty)."""
    start = now() - datetime.timedelta(days=1)
    return make_leaf(ca, dns_names, key=key, not_before=start, not_after=start + datetime.timedelta(days=days), **kwargs)  # type: ignore[arg-type]


def save_ca(ca: Issued, cert_path: Path, key_path: Path) -> None:
    """Write a CA's certificate and (unencrypted, test-only) key, for another process to issue from."""
    cert_path.write_text(ca.cert_pem)
    key_path.write_text(ca.key_pem())
    key_path.chmod(0o600)


def load_ca(cert_path: Path, key_path: Path) -> Issued:
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    return Issued(cert, key)  # type: ignore[arg-type]


def b64(text: str | bytes) -> str:
    """Base64 as in a Secret's `.data`."""
    raw = text.encode() if isinstance(text, str) else text
    return base64.b64encode(raw).decode("ascii")


def tls_secret_data(
    leaf: Issued, chain: Sequence[Issued] = (), ca: Issued | None = None, key_fmt: str = "pkcs8"
) -> dict[str, str]:
    """A kubernetes.io/tls Secret's `.data`: tls.crt = leaf + chain, tls.key, optional ca.crt (base64)."""
    data = {
        "tls.crt": b64("".join(item.cert_pem for item in [leaf, *chain])),
        "tls.key": b64(leaf.key_pem(key_fmt)),
    }
    if ca is not None:
        data["ca.crt"] = b64(ca.cert_pem)
    return data
