"""Deletion: undo in reverse dependency order, and never let go while something would leak.

``deletionPolicy: Delete``: (1) in one batch, replace every failover pair with a
simple record to the primary, so the names keep resolving; (2) delete the
health checks; (3) take our aliases off the distribution (and the viewer
certificate, unless another FailoverDomain shares it or the user's own aliases
still need it); (4) once the distribution is Deployed without it, delete the
certificate. ``Retain`` leaves AWS exactly as it is. Any step that cannot
finish yet (PENDING, InProgress, DeleteConflict, throttling) keeps the
finalizer and is retried.
"""

from __future__ import annotations

from ..aws import cloudfront, route53
from ..aws.errors import AwsError, Kind
from ..model.distribution import aliases_of, current_certificate_ref, default_viewer_certificate, desired_config
from ..model.records import plan_release, record_types, simple_primary_record
from .certificate import cleanup_retired
from .context import Pass
from .desired import find_zone, names_to_read, previously_owned_names, read_current_records


def release_resources(state: Pass, poll_seconds: float) -> bool:
    """True when everything this FailoverDomain created is gone (or handed back)."""
    if not _release_records(state):
        return False
    for check_id in [state.previous.get("healthCheckId"), *(state.previous.get("retiredHealthCheckIds") or [])]:
        if check_id:
            route53.delete_health_check(state.aws.route53, check_id)
            state.event("HealthCheckDeleted", f"deleted health check {check_id}")
    state.status.update({"healthCheckId": None, "retiredHealthCheckIds": None})
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
    distribution = cloudfront.get_distribution(state.aws.cloudfront, state.spec.distribution_id)
    if distribution is None:
        return True
    ours = set(state.spec.hostnames) | {name.rstrip(".") for name in previously_owned_names(state)}
    shared = any(peer.distribution_id == state.spec.distribution_id and not peer.deleting for peer in state.inputs.peers)
    remaining = [alias for alias in aliases_of(distribution["DistributionConfig"]) if alias not in ours]
    viewer = None if shared or remaining else default_viewer_certificate()
    config = desired_config(distribution["DistributionConfig"], [], ours, viewer)
    if config is not None:
        try:
            distribution = cloudfront.update_distribution(state.aws.cloudfront, distribution["Id"], config, distribution["ETag"])
        except AwsError as error:
            if error.kind is not Kind.PRECONDITION_FAILED:
                raise
            state.again_in(1)
            return False
        state.event("DistributionReleased", f"removed aliases {', '.join(sorted(ours))} from distribution {distribution['Id']}")
        if remaining and not shared:
            state.event(
                "CertificateKept",
                f"aliases {', '.join(remaining)} still need the viewer certificate; it is left in place",
                warning=True,
            )
    state.distribution = distribution
    if distribution["Status"] != "Deployed":
        state.again_in(poll_seconds)
        return False
    return True


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
    cleanup_retired(state, set())
    return not state.status.get("retiredCertificates")
