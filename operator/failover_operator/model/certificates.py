"""Pre-flight checks of a `kubernetes.io/tls` Secret, before anything is sent to AWS.

Why: the maintenance page is only useful if CloudFront serves the site's *current*, *valid* certificate.
A bad Secret must therefore stop the reconcile with `CertificateValid=False` and a precise reason
*before* any AWS mutation (ACM caps imports per year; IAM bodies are immutable). The checks are pure
(Secret data + clock in, verdict out) so they are cheap to test exhaustively.

Why so careful with text: the Secret holds a private key. `check_tls_secret` never raises for bad input,
and no message it builds ever quotes PEM, base64 or exception text from the key parser, so a verdict can
go to logs, Events and status as is. The bundle's `repr` omits the key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

TLS_SECRET_TYPE = "kubernetes.io/tls"
_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.DOTALL)
_ACCEPTED_RSA_SIZES = (2048, 3072, 4096)
_KEY_FIX = "use RSA 2048, 3072 or 4096, or ECDSA P-256 (prime256v1)"
_MAX_LISTED = 20


class Reason:
    """Condition reasons for `CertificateValid` (CamelCase, part of the API contract)."""

    SECRET_NOT_FOUND = "SecretNotFound"  # the referenced Secret does not exist (reported by the caller)
    SECRET_INVALID = "SecretInvalid"  # wrong type, missing keys, bad base64/PEM, encrypted key
    KEY_MISMATCH = "KeyMismatch"  # tls.key belongs to none of the certificates in tls.crt
    CERTIFICATE_EXPIRED = "CertificateExpired"
    CERTIFICATE_NOT_YET_VALID = "CertificateNotYetValid"
    HOSTNAME_NOT_COVERED = "HostnameNotCovered"  # a spec hostname is not in the leaf's SAN DNS names
    UNSUPPORTED_KEY_TYPE = "UnsupportedKeyType"  # a key type CloudFront refuses, or weak RSA 1024


@dataclass(frozen=True)
class CertificateRejected:
    """A failed pre-flight check. Never contains key material: safe for logs, Events and status."""

    reason: str
    message: str


@dataclass(frozen=True)
class CertificateBundle:
    """What the ACM/IAM layer uploads, plus the identity used to decide whether a re-import is needed."""

    leaf_pem: str
    chain_pem: str  # intermediates only, leaf-issuer first, no self-signed root; "" if none
    private_key_pem: str = field(repr=False)  # traditional OpenSSL PEM (PKCS#1 / SEC1), unencrypted
    serial_hex: str  # as ACM shows it: "0a:1b:..."
    sha256_fingerprint: str  # lowercase hex of the leaf DER
    not_before: datetime
    not_after: datetime
    key_algorithm: str  # for messages only (RSA_2048, EC_prime256v1): AWS spells it differently per API, never compare it
    dns_names: tuple[str, ...]
    key_type: str = ""  # "RSA 2048" / "EC secp256r1", from the parsed key: what comparisons use
    chain: tuple[x509.Certificate, ...] = field(default=(), repr=False)  # parsed leaf-issuer-first chain (trust check)
    leaf: x509.Certificate | None = field(default=None, repr=False)


@dataclass(frozen=True)
class HeldCertificate:
    """What a store holds now, read from the certificate itself (never from a store's own spelling of it)."""

    sha256_fingerprint: str
    serial: int
    key_type: str


def key_type_of(public_key: object) -> str:
    """A comparable key type from a parsed public key: "RSA 2048", "EC secp256r1", or the class name."""
    if isinstance(public_key, rsa.RSAPublicKey):
        return f"RSA {public_key.key_size}"
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return f"EC {public_key.curve.name}"
    return type(public_key).__name__


def held_certificate(pem: str) -> HeldCertificate | None:
    """Identity of a PEM certificate as a store returns it (GetCertificate); None if it cannot be parsed."""
    try:
        cert = x509.load_pem_x509_certificate(pem.encode())
    except ValueError:
        return None
    return HeldCertificate(
        sha256_fingerprint=hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest(),
        serial=cert.serial_number,
        key_type=key_type_of(cert.public_key()),
    )


class _Rejection(Exception):
    """Internal control flow: a check failed. Caught in `check_tls_secret`, never escapes the module."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(reason)
        self.result = CertificateRejected(reason, message)


def secret_not_found(namespace: str, name: str) -> CertificateRejected:
    """The verdict when the referenced Secret does not exist (the caller looks it up, not this module)."""
    return CertificateRejected(
        Reason.SECRET_NOT_FOUND,
        f"Secret {namespace}/{name} not found; create a {TLS_SECRET_TYPE} Secret with that name in the "
        "FailoverDomain's namespace or fix spec.certificate.secretName",
    )


def check_tls_secret(
    secret_type: str | None,
    data: Mapping[str, str] | None,
    hostnames: Sequence[str],
    now: datetime,
    allow_rsa_1024: bool = False,
) -> CertificateBundle | CertificateRejected:
    """Validate a TLS Secret's `.data` (base64 values) for CloudFront; the first failing check wins.

    Order: Secret shape, PEM parsing, key/cert match, key type, validity window, hostname coverage; then
    the chain is split off. `now` is passed in (not read) so the verdict is deterministic and testable.
    """
    try:
        crt, key_bytes = _decode_secret(secret_type, data)
        certs = _parse_certificates(crt)
        key = _parse_private_key(key_bytes)
        leaf = _find_leaf(certs, key)
        key_algorithm = _key_algorithm(key, allow_rsa_1024)
        _check_validity(leaf, now if now.tzinfo else now.replace(tzinfo=UTC))
        dns_names = _san_dns_names(leaf)
        _check_hostnames(hostnames, dns_names)
    except _Rejection as rejection:
        return rejection.result
    return _bundle(leaf, _build_chain(leaf, certs), key, key_algorithm, dns_names)


def _decode_secret(secret_type: str | None, data: Mapping[str, str] | None) -> tuple[bytes, bytes]:
    """Check the Secret's type and return decoded (tls.crt, tls.key); `ca.crt` is deliberately unused."""
    if secret_type != TLS_SECRET_TYPE:
        raise _Rejection(
            Reason.SECRET_INVALID,
            f"Secret type is {secret_type or 'unset'}; expected {TLS_SECRET_TYPE} "
            "(create it with `kubectl create secret tls` or let cert-manager manage it)",
        )
    return _decode_entry(data, "tls.crt"), _decode_entry(data, "tls.key")


def _decode_entry(data: Mapping[str, str] | None, name: str) -> bytes:
    """One base64 value of the Secret. Error messages name the entry, never echo its content."""
    value = (data or {}).get(name)
    if not value:
        raise _Rejection(Reason.SECRET_INVALID, f"Secret has no {name} or it is empty; a TLS Secret needs tls.crt and tls.key")
    try:
        decoded = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise _Rejection(Reason.SECRET_INVALID, f"{name} is not valid base64 in the Secret's data") from None
    if not decoded.strip():
        raise _Rejection(Reason.SECRET_INVALID, f"{name} is empty; put the PEM-encoded content in it")
    return decoded


def _parse_certificates(crt: bytes) -> list[x509.Certificate]:
    """All PEM certificates of tls.crt, in file order; any malformed block rejects the Secret."""
    blocks = [m.group(0) for m in _PEM_BLOCK.finditer(crt) if m.group(1) == b"CERTIFICATE"]
    if not blocks:
        raise _Rejection(Reason.SECRET_INVALID, "tls.crt: no PEM certificate found; put the certificate and chain in PEM")
    if crt.count(b"-----BEGIN CERTIFICATE-----") != len(blocks):
        raise _Rejection(Reason.SECRET_INVALID, "tls.crt: a PEM certificate is truncated (BEGIN without matching END)")
    certs = []
    for index, block in enumerate(blocks, start=1):
        try:
            certs.append(x509.load_pem_x509_certificate(block))
        except ValueError:
            raise _Rejection(
                Reason.SECRET_INVALID,
                f"tls.crt: certificate {index} of {len(blocks)} is not a valid X.509 certificate (bad base64 or DER)",
            ) from None
    return certs


def _parse_private_key(key_bytes: bytes) -> PrivateKeyTypes:
    """Exactly one unencrypted PEM private key (PKCS#1, PKCS#8 or SEC1; an EC PARAMETERS block is ignored)."""
    blocks = [m for m in _PEM_BLOCK.finditer(key_bytes) if m.group(1).endswith(b"PRIVATE KEY")]
    if len(blocks) != 1:
        found = "no PEM private key" if not blocks else f"{len(blocks)} private keys"
        raise _Rejection(Reason.SECRET_INVALID, f"tls.key: found {found}; expected exactly one PKCS#1, PKCS#8 or SEC1 PEM key")
    encrypted = _Rejection(
        Reason.SECRET_INVALID,
        "tls.key: encrypted private keys are not supported; store it unencrypted (e.g. `openssl pkey -in enc.key -out tls.key`)",
    )
    try:
        return serialization.load_pem_private_key(blocks[0].group(0), password=None)  # TypeError: encrypted
    except TypeError:
        raise encrypted from None
    except UnsupportedAlgorithm:
        raise _Rejection(Reason.UNSUPPORTED_KEY_TYPE, f"tls.key: the key's algorithm is not supported; {_KEY_FIX}") from None
    except ValueError:
        raise _Rejection(
            Reason.SECRET_INVALID,
            "tls.key: the private key is malformed or not in PKCS#1, PKCS#8 or SEC1 PEM format (OpenSSH keys are not accepted)",
        ) from None


def _spki(key: x509.Certificate | PrivateKeyTypes) -> bytes | None:
    """DER SubjectPublicKeyInfo: comparing it matches keys of any type without per-type code."""
    try:
        public = key.public_key()
        return public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return None


def _find_leaf(certs: Sequence[x509.Certificate], key: PrivateKeyTypes) -> x509.Certificate:
    """The first certificate whose public key is the key's: the leaf is not always first in tls.crt."""
    wanted = _spki(key)
    for cert in certs:
        if wanted is not None and _spki(cert) == wanted:
            return cert
    raise _Rejection(
        Reason.KEY_MISMATCH,
        "tls.key does not match any certificate in tls.crt; put the certificate issued for this key "
        "(and its chain) in tls.crt, or the key of that certificate in tls.key",
    )


def _key_algorithm(key: PrivateKeyTypes, allow_rsa_1024: bool) -> str:
    """ACM's KeyAlgorithm name, if CloudFront can serve this key type (RSA 2048-4096, P-256)."""
    if isinstance(key, rsa.RSAPrivateKey):
        size = key.key_size
        if size in _ACCEPTED_RSA_SIZES or (size == 1024 and allow_rsa_1024):
            return f"RSA_{size}"
        if size == 1024:
            raise _Rejection(
                Reason.UNSUPPORTED_KEY_TYPE,
                f"the key is RSA 1024-bit, which is weak (AWS accepts it, browsers and auditors should not); "
                f"{_KEY_FIX}, or explicitly allow RSA 1024 in the operator's configuration",
            )
        raise _Rejection(Reason.UNSUPPORTED_KEY_TYPE, f"the key is RSA {size}-bit, which CloudFront does not accept; {_KEY_FIX}")
    if isinstance(key, ec.EllipticCurvePrivateKey):
        if isinstance(key.curve, ec.SECP256R1):
            return "EC_prime256v1"
        raise _Rejection(
            Reason.UNSUPPORTED_KEY_TYPE, f"the key is ECDSA {key.curve.name}: ACM imports it, CloudFront refuses it; {_KEY_FIX}"
        )
    raise _Rejection(Reason.UNSUPPORTED_KEY_TYPE, f"the key is {_key_kind(key)}, which CloudFront does not accept; {_KEY_FIX}")


def _key_kind(key: PrivateKeyTypes) -> str:
    """A human name for an unsupported key type (never its content)."""
    kinds: dict[type, str] = {ed25519.Ed25519PrivateKey: "Ed25519", ed448.Ed448PrivateKey: "Ed448", dsa.DSAPrivateKey: "DSA"}
    return next((name for cls, name in kinds.items() if isinstance(key, cls)), type(key).__name__)


def _check_validity(leaf: x509.Certificate, now: datetime) -> None:
    """Reject a certificate outside its validity window: CloudFront would serve a browser error."""
    if now < leaf.not_valid_before_utc:
        raise _Rejection(
            Reason.CERTIFICATE_NOT_YET_VALID,
            f"the certificate is not valid before {_iso(leaf.not_valid_before_utc)} (now {_iso(now)}); "
            "wait until then or check the issuer's clock",
        )
    if now >= leaf.not_valid_after_utc:
        raise _Rejection(
            Reason.CERTIFICATE_EXPIRED,
            f"the certificate expired at {_iso(leaf.not_valid_after_utc)}; renew it and update the Secret "
            "(with cert-manager: check the Certificate resource's status)",
        )


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _san_dns_names(leaf: x509.Certificate) -> tuple[str, ...]:
    """SAN DNS names of the leaf; the CN is ignored, as browsers ignore it."""
    try:
        san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return ()
    except (ValueError, x509.DuplicateExtension, x509.UnsupportedGeneralNameType):
        raise _Rejection(Reason.SECRET_INVALID, "tls.crt: the certificate's extensions are malformed; reissue it") from None
    return tuple(san.value.get_values_for_type(x509.DNSName))


def _normalize(name: str) -> str:
    return name.strip().lower().rstrip(".")


def _covers(san: str, hostname: str) -> bool:
    """Exact, or a wildcard for exactly one leftmost label (not the apex, not deeper, not a TLD wildcard).

    A hostname that is itself a wildcard ("*.example.com") is thus covered only by the identical wildcard SAN:
    "*" is never a label a wildcard SAN can stand for, because the rest would have to equal the SAN's base.
    """
    if san == hostname:
        return True
    if not san.startswith("*."):
        return False
    label, _, rest = hostname.partition(".")
    base = san[2:]
    return bool(label) and "." in base and rest == base


def uncovered_names(hostnames: Sequence[str], dns_names: Sequence[str]) -> list[str]:
    """The hostnames that none of the SAN DNS names covers (exact, or a one-label wildcard)."""
    sans = [_normalize(name) for name in dns_names]
    return [host for host in hostnames if not any(_covers(san, _normalize(host)) for san in sans)]


def _check_hostnames(hostnames: Sequence[str], dns_names: Sequence[str]) -> None:
    """Every spec hostname must be served without a browser warning by this certificate."""
    uncovered = uncovered_names(hostnames, dns_names)
    if not uncovered:
        return
    covered = f"it covers: {_listing(dns_names)}" if dns_names else "it has no SAN DNS names (the CN is ignored, as browsers do)"
    raise _Rejection(
        Reason.HOSTNAME_NOT_COVERED,
        f"the certificate does not cover {_listing(uncovered)}; {covered}. "
        "Reissue the certificate with these names or remove them from spec.hostnames",
    )


def _listing(names: Sequence[str]) -> str:
    shown = ", ".join(names[:_MAX_LISTED])
    return shown if len(names) <= _MAX_LISTED else f"{shown} and {len(names) - _MAX_LISTED} more"


def _signature_ok(child: x509.Certificate, parent: x509.Certificate) -> bool | None:
    """Whether `parent` signed `child`: None when cryptography cannot check this algorithm."""
    try:
        child.verify_directly_issued_by(parent)
    except InvalidSignature:
        return False
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return None
    return True


def _is_self_signed(cert: x509.Certificate) -> bool:
    """A root: never sent to AWS (clients have it; ACM/IAM chains must stop below it)."""
    return cert.subject == cert.issuer and _signature_ok(cert, cert) is True


def _build_chain(leaf: x509.Certificate, certs: Sequence[x509.Certificate]) -> list[x509.Certificate]:
    """Other tls.crt certificates minus roots and duplicates, ordered from the leaf's issuer upwards.

    Certificates that do not fit the path are kept, after it, in file order: dropping them silently could
    hide a misconfigured Secret; AWS reports a broken chain on import.
    """
    seen = {leaf.fingerprint(hashes.SHA256())}
    others: list[x509.Certificate] = []
    for cert in certs:
        fingerprint = cert.fingerprint(hashes.SHA256())
        if fingerprint not in seen and not _is_self_signed(cert):
            seen.add(fingerprint)
            others.append(cert)
    chain: list[x509.Certificate] = []
    current = leaf
    while parent := next((c for c in others if c.subject == current.issuer and _signature_ok(current, c) is not False), None):
        chain.append(parent)
        others.remove(parent)
        current = parent
    return chain + others


def serial_hex_of(serial: int) -> str:
    """ACM's rendering of a serial: lowercase hex pairs joined by colons, zero-padded to whole bytes."""
    if serial < 0:  # invalid per RFC 5280 but seen in the wild: show the DER two's complement bytes
        return ":".join(f"{b:02x}" for b in serial.to_bytes((serial.bit_length() + 8) // 8, "big", signed=True))
    digits = format(serial, "x")
    digits = "0" * (len(digits) % 2) + digits
    return ":".join(digits[i : i + 2] for i in range(0, len(digits), 2))


def _bundle(
    leaf: x509.Certificate,
    chain: Sequence[x509.Certificate],
    key: PrivateKeyTypes,
    key_algorithm: str,
    dns_names: tuple[str, ...],
) -> CertificateBundle:
    """Re-serialize everything: nothing of the Secret's original text (e.g. a stray key in tls.crt) is passed on."""
    pem = serialization.Encoding.PEM
    private_key_pem = key.private_bytes(pem, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption())
    return CertificateBundle(
        leaf_pem=leaf.public_bytes(pem).decode("ascii"),
        chain_pem="".join(cert.public_bytes(pem).decode("ascii") for cert in chain),
        private_key_pem=private_key_pem.decode("ascii"),
        serial_hex=serial_hex_of(leaf.serial_number),
        sha256_fingerprint=hashlib.sha256(leaf.public_bytes(serialization.Encoding.DER)).hexdigest(),
        not_before=leaf.not_valid_before_utc,
        not_after=leaf.not_valid_after_utc,
        key_algorithm=key_algorithm,
        dns_names=dns_names,
        key_type=key_type_of(leaf.public_key()),
        chain=tuple(chain),
        leaf=leaf,
    )
