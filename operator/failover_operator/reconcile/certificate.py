"""Certificate step: the Secret's certificate in ACM or IAM, exactly once per content.

ACM: one certificate per (namespace, Secret), found again by its tag after a
crash; re-imported into the same ARN only when the serial differs (AWS caps
imports per year); a key-algorithm change needs a new ARN (ACM refuses it on
re-import) and retires the old one. IAM: bodies are immutable, so the name
embeds the fingerprint — a renewal is a new name, the old ones are retired.
Retired certificates are deleted once the distribution is Deployed without
them (see `cleanup_retired`).
"""

from __future__ import annotations

import threading
from typing import Any

from ..aws import acm, iam
from ..aws.errors import AwsError, Kind
from ..model import naming
from ..model.certificates import CertificateBundle, HeldCertificate, held_certificate, serial_hex_of
from ..status import CERTIFICATE_SYNCED, Condition, Reason
from .context import Pass

_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _lock_for(key: str) -> threading.Lock:
    """FailoverDomains sharing a Secret share its AWS certificate: sync it one at a time."""
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.Lock())


def sync_certificate(state: Pass) -> None:
    bundle = state.bundle
    assert bundle is not None
    key = f"{state.spec.store} {naming.certificate_key(state.inputs.owner.namespace, state.spec.secret_name)}"
    with _lock_for(key):
        record = _sync_acm(state, bundle) if state.spec.store == "ACM" else _sync_iam(state, bundle)
    record.update(
        {
            "store": state.spec.store,
            "serialNumber": bundle.serial_hex,
            "sha256Fingerprint": bundle.sha256_fingerprint,
            "notAfter": bundle.not_after.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    )
    previous = dict(state.previous.get("certificate") or {})
    if previous and _reference(previous) not in (None, _reference(record)):
        _retire(state, f"{previous['store']} {_reference(previous)}")
    state.status["certificate"] = record
    state.certificate_ref = record.get("arn") or record["serverCertificateId"]


def _reference(record: dict[str, Any]) -> str | None:
    return record.get("arn") or record.get("serverCertificateName")


def _retire(state: Pass, entry: str) -> None:
    retired = list(state.status.get("retiredCertificates", state.previous.get("retiredCertificates") or []))
    if entry not in retired:
        retired.append(entry)
    state.status["retiredCertificates"] = retired


def _sync_acm(state: Pass, bundle: CertificateBundle) -> dict[str, Any]:
    arn, current = _held_by_status(state)
    if current is not None and current.key_type != bundle.key_type:
        state.event("KeyTypeChanged", f"key type changed {current.key_type} -> {bundle.key_type}: another ACM certificate")
        _retire(state, f"ACM {arn}")
        arn, current = None, None
    tagged: list[str] = []
    if current is None:  # none yet, gone, or a new key type: a sharer of this Secret may have imported it already
        tagged = _tagged_arns(state)
        arn, current = _tagged_for(state, bundle, tagged)
    if arn is None or current is None:
        arn = _import(state, bundle, None, naming.acm_tags(state.inputs.owner.namespace, state.spec.secret_name))
        state.inputs.persist({"certificate": {"store": "ACM", "arn": arn}})
        _synced(state, Reason.IMPORTED, f"imported certificate {bundle.serial_hex} into ACM as {arn}")
        _delete_orphans(state, arn, tagged)
    elif current.sha256_fingerprint != bundle.sha256_fingerprint:
        _import(state, bundle, arn, None)
        found = serial_hex_of(current.serial)
        _synced(state, Reason.IMPORTED, f"ACM certificate {arn} held serial {found}; re-imported {bundle.serial_hex} into it")
    else:
        state.set(
            Condition(CERTIFICATE_SYNCED, "True", Reason.IN_SYNC, f"ACM certificate {arn} holds serial {bundle.serial_hex}")
        )
    return {"arn": arn}


def _held_by_status(state: Pass) -> tuple[str | None, HeldCertificate | None]:
    """The certificate status names and what ACM holds under it (None when it is gone)."""
    previous = state.previous.get("certificate") or {}
    if previous.get("store") != "ACM" or not previous.get("arn"):
        return None, None
    arn = str(previous["arn"])
    pem = acm.get_certificate_pem(state.aws.acm, arn)
    if pem is None:
        state.event("CertificateMissing", f"ACM certificate {arn} no longer exists; looking for this Secret's certificate")
        return None, None
    return arn, held_certificate(pem)


def _tagged_arns(state: Pass) -> list[str]:
    """Every ACM certificate tagged for this Secret (one listing per pass that needs it)."""
    key = naming.certificate_tag(state.inputs.owner.namespace, state.spec.secret_name)
    return acm.find_certificates_tagged(state.aws.acm, naming.TAG_CERTIFICATE, key)


def _tagged_for(state: Pass, bundle: CertificateBundle, tagged: list[str]) -> tuple[str | None, HeldCertificate | None]:
    """This Secret's ACM certificate of the bundle's key type, found by its owner tag, not by anyone's status.

    FailoverDomains sharing a Secret converge on it: after a key-type change the
    first to pass imports, the others find that import here. Preference: the
    same certificate, then the one the distribution serves, then any of the type
    (it is re-imported in place). Also how a crash before the ARN reached status heals.
    """
    serving = state.distribution.get("DistributionConfig", {}).get("ViewerCertificate", {}).get("ACMCertificateArn")
    candidates: list[tuple[int, str, HeldCertificate]] = []
    for arn in tagged:
        pem = acm.get_certificate_pem(state.aws.acm, arn)
        held = held_certificate(pem) if pem else None
        if held is not None and held.key_type == bundle.key_type:
            rank = 0 if held.sha256_fingerprint == bundle.sha256_fingerprint else (1 if arn == serving else 2)
            candidates.append((rank, arn, held))
    if not candidates:
        return None, None
    _, arn, held = min(candidates, key=lambda candidate: (candidate[0], candidate[1]))
    return arn, held


def _import(state: Pass, bundle: CertificateBundle, arn: str | None, tags: dict[str, str] | None) -> str:
    return acm.import_certificate(state.aws.acm_import, bundle.leaf_pem, bundle.private_key_pem, bundle.chain_pem, arn, tags)


def _delete_orphans(state: Pass, keep: str, tagged: list[str]) -> None:
    """After an import, delete every other certificate tagged for this Secret (listed before it) that nothing
    uses: leftovers of another key type, or of an import whose answer was lost. In use means kept."""
    for arn in tagged:
        if arn == keep:
            continue
        try:
            acm.delete_certificate(state.aws.acm, arn)
        except AwsError as error:
            if error.kind is not Kind.CONFLICT:  # in use (e.g. retired, still on a distribution): keep it
                raise
            continue
        state.event("CertificateDeleted", f"deleted orphaned ACM certificate {arn} (an earlier import whose answer was lost)")


def _sync_iam(state: Pass, bundle: CertificateBundle) -> dict[str, Any]:
    namespace, secret = state.inputs.owner.namespace, state.spec.secret_name
    name = naming.iam_certificate_name(namespace, secret, bundle.sha256_fingerprint)
    metadata = iam.get_server_certificate(state.aws.iam, name)
    if metadata is None:
        if (state.previous.get("certificate") or {}).get("serverCertificateName") == name:
            state.event("CertificateMissing", f"IAM certificate {name} no longer exists; uploading it again")
        try:
            metadata = iam.upload_server_certificate(
                state.aws.iam, name, naming.iam_path(namespace, secret), bundle.leaf_pem, bundle.private_key_pem, bundle.chain_pem
            )
        except AwsError as error:
            if error.code != "EntityAlreadyExists":  # a peer using the same Secret uploaded it first
                raise
            metadata = iam.get_server_certificate(state.aws.iam, name)
            if metadata is None:
                raise
        _synced(state, Reason.UPLOADED, f"uploaded certificate {bundle.serial_hex} to IAM as {name}")
    else:
        state.set(
            Condition(CERTIFICATE_SYNCED, "True", Reason.IN_SYNC, f"IAM certificate {name} holds serial {bundle.serial_hex}")
        )
    for older in iam.list_server_certificates(state.aws.iam, naming.iam_path(namespace, secret)):
        if older["ServerCertificateName"] != name:  # earlier renewals, or an upload whose answer was lost
            _retire(state, f"IAM {older['ServerCertificateName']}")
    return {"serverCertificateName": name, "serverCertificateId": metadata["ServerCertificateId"], "arn": None}


def _synced(state: Pass, reason: str, message: str) -> None:
    state.set(Condition(CERTIFICATE_SYNCED, "True", reason, message))
    state.event("CertificateSynced", message)


def cleanup_retired(state: Pass) -> None:
    """Delete retired certificates no distribution uses any more.

    FailoverDomains sharing a Secret converge on one certificate (found by tag or
    deterministic name, not by each one's status), so a retired one is nobody's
    current certificate; whether a distribution still serves it is AWS's answer
    (ResourceInUseException / DeleteConflict), which keeps it until the last
    distribution has deployed the switch. Each sharer retries; deletes are idempotent.
    """
    remaining = []
    for entry in state.status.get("retiredCertificates", state.previous.get("retiredCertificates") or []):
        store, reference = entry.split(" ", 1)
        if not _delete(state, store, reference):
            remaining.append(entry)
    state.status["retiredCertificates"] = remaining or None


def _delete(state: Pass, store: str, reference: str) -> bool:
    try:
        if store == "ACM":
            acm.delete_certificate(state.aws.acm, reference)
        else:
            iam.delete_server_certificate(state.aws.iam, reference)
    except AwsError as error:
        if error.kind is Kind.CONFLICT:  # ResourceInUseException / DeleteConflict: CloudFront still uses it
            state.again_in(30)
            return False
        raise
    state.event("CertificateDeleted", f"deleted retired {store} certificate {reference}")
    return True
