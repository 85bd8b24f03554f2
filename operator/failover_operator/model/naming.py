"""Deterministic names for everything the operator creates in AWS.

A crash between "create in AWS" and "record it in status" must never leak a
duplicate, so every identifier is derived from stable inputs and found again
on the next reconcile:

* record sets: SetIdentifiers derived from namespace/name mark ownership;
* health checks: a CallerReference from the uid, the immutable settings and a
  counter kept in status (AWS refuses a deleted check's reference forever, so a
  re-created check needs a new counter);
* certificates: one per (namespace, Secret, store), shared by FailoverDomains
  that use the same Secret (a distribution holds one certificate). IAM names
  embed the fingerprint (bodies are immutable: a renewal is a new name); ACM
  certificates carry tags naming their Secret.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from .limits import SET_IDENTIFIER_MAX, TAG_VALUE_MAX

MANAGED_BY = "failover-operator"
TAG_MANAGED_BY = "failover.dev/managed-by"
TAG_OWNER = "failover.dev/owner"
TAG_UID = "failover.dev/uid"
TAG_CERTIFICATE = "failover.dev/certificate"
IAM_PATH_ROOT = "/cloudfront/failover-operator/"


@dataclass(frozen=True)
class Owner:
    """The FailoverDomain a resource belongs to."""

    namespace: str
    name: str
    uid: str

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


def _short_hash(*parts: str, length: int = 8) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:length]


def set_identifier(owner: Owner, role: str) -> str:
    """`fo/<namespace>/<name>/<role>`, always ≤ 128 characters (Route53's SetIdentifier limit).

    Ownership of existing records is this exact string, so every identifier that
    already fits keeps its historical form (names over 60 characters were always
    shortened to 50 + a hash). Only one that would exceed 128 — a long namespace
    with a long name — shortens the name further, to whatever room is left, and
    hashes namespace and name together: still deterministic, and distinct per
    FailoverDomain.
    """
    name = owner.name if len(owner.name) <= 60 else f"{owner.name[:50]}-{_short_hash(owner.name)}"
    identifier = f"fo/{owner.namespace}/{name}/{role}"
    if len(identifier) <= SET_IDENTIFIER_MAX:
        return identifier
    digest = _short_hash(owner.namespace, owner.name, length=16)
    room = max(0, SET_IDENTIFIER_MAX - len(f"fo/{owner.namespace}//{role}") - len(digest) - 1)
    return f"fo/{owner.namespace}/{owner.name[:room]}-{digest}/{role}"[-SET_IDENTIFIER_MAX:]


def health_check_caller_reference(owner: Owner, immutable: str, generation: int) -> str:
    """≤64 chars: uid + hash of immutable settings + re-creation counter."""
    return f"{owner.uid}-{_short_hash(immutable)}-{generation}"


def tag_value(value: str) -> str:
    """`value` itself when it fits a tag value (≤ 256 characters, Route53 and ACM), else a prefix + its hash."""
    if len(value) <= TAG_VALUE_MAX:
        return value
    return f"{value[: TAG_VALUE_MAX - 17]}-{_short_hash(value, length=16)}"


def health_check_tags(owner: Owner) -> dict[str, str]:
    key = tag_value(owner.key)
    return {"Name": key, TAG_OWNER: key, TAG_UID: owner.uid, TAG_MANAGED_BY: MANAGED_BY}


def certificate_key(namespace: str, secret_name: str) -> str:
    """The identity of the AWS certificate made from one Secret."""
    return f"{namespace}/{secret_name}"


def certificate_tag(namespace: str, secret_name: str) -> str:
    """The TAG_CERTIFICATE value that finds the ACM certificate of one Secret (certificate_key, hashed if > 256)."""
    return tag_value(certificate_key(namespace, secret_name))


def acm_tags(namespace: str, secret_name: str) -> dict[str, str]:
    return {TAG_CERTIFICATE: certificate_tag(namespace, secret_name), TAG_MANAGED_BY: MANAGED_BY}


def iam_path(namespace: str, secret_name: str) -> str:
    return f"{IAM_PATH_ROOT}{namespace}/{secret_name}/"


def iam_certificate_name(namespace: str, secret_name: str, sha256_fingerprint: str) -> str:
    """`fo-<namespace>-<secret>-<fingerprint[:16]>`, ≤128 chars of IAM's allowed set."""
    base = f"fo-{namespace}-{secret_name}"
    if len(base) > 100:
        base = f"{base[:90]}-{_short_hash(base)}"
    return f"{base}-{sha256_fingerprint[:16]}"
