"""Would CloudFront trust this certificate? Checked before anything is written to AWS.

CloudFront accepts only certificates that chain to a CA on the Mozilla Included
CA Certificate List (CloudFront Developer Guide, "Requirements for using
SSL/TLS certificates with CloudFront": "CloudFront supports the same CAs as
Mozilla"). A self-signed Secret or a cert-manager staging issuer is imported
by ACM without complaint and then refused by UpdateDistribution with
``InvalidViewerCertificate`` — a permanent error that would otherwise be
retried forever, after an ACM import that counts against the yearly quota.
So pre-flight verifies the chain with `cryptography`'s X.509 verifier against
`certifi` (the Mozilla bundle) plus optional extra anchors from the PEM file
named by ``FAILOVER_EXTRA_TRUST_ANCHORS`` (a private CA CloudFront was told
about, or a test bed's CA). Verdicts never quote certificate or key text.
"""

from __future__ import annotations

import functools
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import certifi
from cryptography import x509
from cryptography.x509.verification import Criticality, ExtensionPolicy, PolicyBuilder, Store, VerificationError

EXTRA_ANCHORS_VARIABLE = "FAILOVER_EXTRA_TRUST_ANCHORS"
# The question is "does it chain to a trusted root", not "does it pass a Web PKI lint": beyond what path
# building needs (CA basicConstraints, a leaf SAN), extensions are left to the CA and CloudFront.
_CA_POLICY = ExtensionPolicy.permit_all().require_present(x509.BasicConstraints, Criticality.AGNOSTIC, None)
_LEAF_POLICY = ExtensionPolicy.permit_all().require_present(x509.SubjectAlternativeName, Criticality.AGNOSTIC, None)


@dataclass(frozen=True)
class Untrusted:
    message: str


def check_trust(
    leaf: x509.Certificate, intermediates: Sequence[x509.Certificate], hostname: str, now: datetime
) -> Untrusted | None:
    """None when the chain reaches a trusted root for `hostname`; otherwise why not (no key material)."""
    builder = PolicyBuilder().store(trust_store()).time(now).extension_policies(ca_policy=_CA_POLICY, ee_policy=_LEAF_POLICY)
    verifier = builder.build_server_verifier(x509.DNSName(_concrete(hostname)))
    try:
        verifier.verify(leaf, list(intermediates))
    except VerificationError as error:
        return Untrusted(
            f"the certificate (issuer {leaf.issuer.rfc4514_string()}) does not chain to a CA CloudFront trusts "
            f"(Mozilla's CA list, plus {EXTRA_ANCHORS_VARIABLE} if set): {error}. Use a publicly trusted issuer "
            "(e.g. a production ACME issuer, not a staging or self-signed one) and include the intermediates in tls.crt"
        )
    return None


def _concrete(hostname: str) -> str:
    """A name the verifier can match: a wildcard hostname is checked through one name it stands for."""
    return "failover-trust-check" + hostname[1:] if hostname.startswith("*.") else hostname


def extra_anchors_problem() -> str | None:
    """Why the extra anchors file cannot be used (checked at start), or None."""
    path = os.environ.get(EXTRA_ANCHORS_VARIABLE, "")
    if not path:
        return None
    try:
        anchors = x509.load_pem_x509_certificates(Path(path).read_bytes())
    except (OSError, ValueError) as error:
        return f"{EXTRA_ANCHORS_VARIABLE}={path}: cannot read PEM certificates ({type(error).__name__})"
    return None if anchors else f"{EXTRA_ANCHORS_VARIABLE}={path} holds no certificate"


def trust_store() -> Store:
    """Mozilla's roots (certifi) plus the extra anchors file, reloaded when that file changes."""
    path = os.environ.get(EXTRA_ANCHORS_VARIABLE, "")
    stamp = Path(path).stat().st_mtime_ns if path and Path(path).exists() else 0
    return _store(certifi.where(), path, stamp)


@functools.lru_cache(maxsize=4)
def _store(bundle: str, extra: str, _stamp: int) -> Store:
    with warnings.catch_warnings():  # a few old roots in Mozilla's list have non-positive serials
        warnings.simplefilter("ignore")
        anchors = x509.load_pem_x509_certificates(Path(bundle).read_bytes())
    if extra:
        anchors += x509.load_pem_x509_certificates(Path(extra).read_bytes())
    return Store(anchors)
