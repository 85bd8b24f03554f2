"""Deletion: undo in reverse dependency order, and never let go while something would leak.

``deletionPolicy: Delete``: (1) in one batch, replace every failover pair with a
simple record to the primary, so the names keep resolving; (2) delete the
health checks; (3) hand the distribution back as the ownership record says
(reconcile.ownership): remove the aliases this FailoverDomain added, and — when
no other FailoverDomain shares the distribution — put back the viewer
certificate it had before, if that still exists (CloudFront's default only when
no alias is left); a distribution the operator never changed is not touched;
(4) once the distribution is Deployed without it, delete the certificate.
``Retain`` leaves AWS exactly as it is. Any step that cannot finish yet
(PENDING, InProgress, DeleteConflict, throttling) keeps the finalizer and is
retried.
"""

from __future__ import annotations

from typing import Any

from ..aws import acm, cloudfront, iam, route53
from ..aws.errors import AwsError, Kind
from ..model.distribution import (
    TAG_ORIGINAL_VIEWER,
    aliases_of,
    current_certificate_ref,
    decode_viewer,
    default_viewer_certificate,
    desired_config,
    is_default_viewer,
    same_viewer,
)
from ..model.records import plan_release, record_types, simple_primary_record
from .certificate import cleanup_retired
from .context import Pass
from .desired import find_zone, names_to_read, read_current_records
from .ownership import added_aliases, distribution_lock


def release_resources(state: Pass, poll_seconds: float) -> bool:
    """True when everything this FailoverDomain created is gone (or handed back)."""
    if not _release_records(state):
        return False
    for check_id in [state.previous.get("healthCheckId"), *(state.previous.get("retiredHealthCheckIds") or [])]:
        if check_id:
            route53.delete_health_check(state.aws.route53, check_id)
            state.event("HealthCheckDeleted", f"deleted health check {check_id}")
    state.status.update({"healthCheckId": None, "retiredHealthCheckIds": None, "healthCheckTagged": None})
    if not _release_distribution(state, poll_seconds):
        return False
    return _release_certificates(state)


def _release_records(state: Pass) -> bool:
    zone = find_zone(state)
    if zone is None:
        state.event("HostedZoneNotFound", "hosted zone is gone; no records to release", warning=True)
        return True
    state.zone_id = zone["Id"].rsplit("/", 1)[-1]
    current = read_current_records(state, names_to_read(state))
    restore = [
        simple_primary_record(state.spec, host, kind) for host in state.spec.hostnames for kind in record_types(state.spec)
    ]
    changes = plan_release(current, state.identity, restore)
    if changes:
        route53.change_record_sets(
            state.aws.route53, state.zone_id, changes, f"failover-operator release {state.inputs.owner.key}"
        )
        state.event(
            "RecordsReleased", f"replaced failover pairs with simple records to the primary ({len(changes)} changes, one batch)"
        )
    state.status["records"] = None
    return True


def _release_distribution(state: Pass, poll_seconds: float) -> bool:
    """Hand back exactly what the ownership record says we changed; touch nothing else."""
    with distribution_lock(state.spec.distribution_id):
        distribution = cloudfront.get_distribution(state.aws.cloudfront, state.spec.distribution_id)
        if distribution is None:
            return True
        state.distribution = distribution
        ours = added_aliases(state, distribution["Id"])
        sharing = any(peer.distribution_id == distribution["Id"] and not peer.deleting for peer in state.inputs.peers)
        original = None if sharing else cloudfront.get_tag(state.aws.cloudfront, distribution["ARN"], TAG_ORIGINAL_VIEWER)
        remaining = [alias for alias in aliases_of(distribution["DistributionConfig"]) if alias not in ours]
        viewer = None if original is None else _viewer_to_restore(state, decode_viewer(original), remaining)
        config = desired_config(distribution["DistributionConfig"], [], ours, viewer)
        if config is not None and not _update(state, distribution, config, poll_seconds):
            return False
        if original is not None:
            cloudfront.remove_tag(state.aws.cloudfront, distribution["ARN"], TAG_ORIGINAL_VIEWER)
        state.status["ownership"] = None
    if state.distribution["Status"] != "Deployed":
        state.again_in(poll_seconds)
        return False
    return True


def _update(state: Pass, distribution: dict[str, Any], config: dict[str, Any], poll_seconds: float) -> bool:
    try:
        updated = cloudfront.update_distribution(state.aws.cloudfront, distribution["Id"], config, distribution["ETag"])
    except AwsError as error:
        if error.kind is Kind.PRECONDITION_FAILED:
            state.again_in(1)
            return False
        if error.code == "IllegalUpdate":  # an earlier viewer-certificate change is still deploying
            state.again_in(poll_seconds)
            return False
        raise
    removed = sorted(set(aliases_of(distribution["DistributionConfig"])) - set(aliases_of(config)))
    before = distribution["DistributionConfig"].get("ViewerCertificate") or {}
    put_back = current_certificate_ref(config) or "the CloudFront default"
    restored = "" if same_viewer(before, config["ViewerCertificate"]) else f"; viewer certificate put back to {put_back}"
    state.event("DistributionReleased", f"distribution {distribution['Id']}: removed aliases {removed}{restored}")
    state.distribution = updated
    return True


def _viewer_to_restore(state: Pass, original: dict[str, Any], remaining: list[str]) -> dict[str, Any] | None:
    """The viewer certificate to put back, or None to keep the current one (with an Event saying why)."""
    if is_default_viewer(original):
        if not remaining:
            return original
        _keep(state, f"aliases {', '.join(remaining)} were added since and need a certificate")
        return None
    if _certificate_exists(state, original):
        return original
    if not remaining:
        return default_viewer_certificate()
    _keep(state, f"the original certificate {current_certificate_ref({'ViewerCertificate': original})} no longer exists")
    return None


def _keep(state: Pass, why: str) -> None:
    state.event("CertificateKept", f"viewer certificate left in place: {why}", warning=True)


def _certificate_exists(state: Pass, viewer: dict[str, Any]) -> bool:
    if viewer.get("ACMCertificateArn"):
        return acm.get_certificate_pem(state.aws.acm, str(viewer["ACMCertificateArn"])) is not None
    return iam.server_certificate_id_exists(state.aws.iam, str(viewer.get("IAMCertificateId")))


def _release_certificates(state: Pass) -> bool:
    mine = f"{state.inputs.owner.namespace}/{state.spec.secret_name}"
    if any(peer.certificate_key == mine and peer.store == state.spec.store and not peer.deleting for peer in state.inputs.peers):
        return True  # another FailoverDomain still serves this certificate
    certificate = dict(state.previous.get("certificate") or {})
    retired = list(state.previous.get("retiredCertificates") or [])
    reference = certificate.get("arn") or certificate.get("serverCertificateName")
    if reference:
        retired.append(f"{certificate.get('store')} {reference}")
    distribution = state.distribution  # as _release_distribution left it (empty if the distribution is gone)
    still_used = current_certificate_ref(distribution["DistributionConfig"]) if distribution else None
    if still_used and still_used in (certificate.get("arn"), certificate.get("serverCertificateId")):
        return True  # the user's remaining aliases still need it (CertificateKept)
    state.status["retiredCertificates"] = retired
    cleanup_retired(state)
    return not state.status.get("retiredCertificates")
