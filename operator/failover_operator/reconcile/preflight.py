"""Pre-flight: every check that can fail on bad input, made with reads only.

Bad input must produce a precise condition and change nothing in AWS, so the
whole pass first verifies the Secret, the zone, the hostnames, the
distribution, the other FailoverDomains and the records already in the zone —
and only then lets the mutating steps run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from ..aws import cloudfront
from ..model.certificates import CertificateRejected, check_tls_secret, secret_not_found, uncovered_names
from ..model.distribution import aliases_of
from ..model.records import fqdn, plan_records, record_types
from ..model.trust import check_trust
from ..status import CERTIFICATE_VALID, DISTRIBUTION_READY, HEALTH_CHECK_READY, RECORDS_READY, Condition, Reason
from .aws_limits import check_addresses, check_alias_quota, check_change_batch
from .context import Pass
from .desired import desired_records, find_zone, names_to_read, read_current_records
from .ownership import aliases_leaving

PLACEHOLDER_HEALTH_CHECK = "00000000-0000-0000-0000-000000000000"


def check_certificate(state: Pass) -> bool:
    inputs = state.inputs
    if inputs.secret is None:
        missing = secret_not_found(inputs.owner.namespace, inputs.spec.secret_name)
        return _fail(state, Condition(CERTIFICATE_VALID, "False", missing.reason, missing.message))
    result = check_tls_secret(
        inputs.secret.type, inputs.secret.data, inputs.spec.hostnames, inputs.now, inputs.spec.allow_rsa_1024
    )
    if isinstance(result, CertificateRejected):
        return _fail(state, Condition(CERTIFICATE_VALID, "False", result.reason, result.message))
    state.bundle = result
    expiry = result.not_after.strftime("%Y-%m-%dT%H:%M:%SZ")
    left = result.not_after - inputs.now
    if left < timedelta(days=inputs.expiry_warning_days):
        message = (
            f"certificate {result.serial_hex} expires at {expiry} (in {left.days} days) and the Secret has not been "
            "renewed; check the issuer (cert-manager Certificate status)"
        )
        state.fail(Condition(CERTIFICATE_VALID, "True", Reason.EXPIRING_SOON, message))
    else:
        state.set(Condition(CERTIFICATE_VALID, "True", Reason.VALID, f"certificate {result.serial_hex} valid until {expiry}"))
    return True


def check_trusted(state: Pass) -> bool:
    """CloudFront refuses a chain that does not reach a Mozilla-listed CA (model.trust): refuse it first."""
    bundle = state.bundle
    assert bundle is not None and bundle.leaf is not None
    verdict = check_trust(bundle.leaf, bundle.chain, state.spec.hostnames[0], state.inputs.now)
    if verdict is None:
        return True
    return _fail(state, Condition(CERTIFICATE_VALID, "False", Reason.CERTIFICATE_NOT_TRUSTED, verdict.message))


def check_zone(state: Pass) -> bool:
    ref = state.spec.hosted_zone
    zone = find_zone(state)
    if zone is None:
        return _fail(
            state, Condition(RECORDS_READY, "False", Reason.HOSTED_ZONE_NOT_FOUND, f"hosted zone {ref.id or ref.name} not found")
        )
    if zone.get("Config", {}).get("PrivateZone"):  # only reachable by id: lookups by name skip private zones
        message = f"hosted zone {ref.id} is private: the internet resolves the public zone, so fail over there"
        return _fail(state, Condition(RECORDS_READY, "False", Reason.HOSTED_ZONE_NOT_FOUND, message))
    state.zone_id = zone["Id"].rsplit("/", 1)[-1]
    zone_name = zone["Name"].rstrip(".").lower()
    outside = [host for host in state.spec.hostnames if not (host == zone_name or host.endswith("." + zone_name))]
    if outside:
        message = f"hostnames {', '.join(outside)} are not inside the hosted zone {zone_name} ({state.zone_id})"
        return _fail(state, Condition(RECORDS_READY, "False", Reason.HOSTNAME_OUTSIDE_ZONE, message))
    return True


def check_peers(state: Pass) -> bool:
    """Shared distributions need the same certificate; a hostname belongs to one FailoverDomain."""
    inputs = state.inputs
    mine = (inputs.created, inputs.owner.key)
    for peer in sorted(inputs.peers, key=lambda p: (p.created, p.key)):
        if peer.deleting or (peer.created, peer.key) > mine:
            continue  # the older FailoverDomain wins
        same_certificate = (peer.certificate_key, peer.store) == (
            f"{inputs.owner.namespace}/{inputs.spec.secret_name}",
            inputs.spec.store,
        )
        if peer.distribution_id == inputs.spec.distribution_id and not same_certificate:
            message = (
                f"distribution {peer.distribution_id} already serves {peer.key}, which uses certificate "
                f"{peer.certificate_key} ({peer.store}); a distribution holds one certificate, so FailoverDomains "
                "may share it only with the same Secret and store"
            )
            return _fail(state, Condition(DISTRIBUTION_READY, "False", Reason.DISTRIBUTION_CONFLICT, message))
        zone = inputs.spec.hosted_zone
        same_zone = peer.zone == (zone.id or zone.name or "").rstrip(".").lower()
        shared = sorted(set(peer.hostnames) & set(inputs.spec.hostnames)) if same_zone else []
        if shared:
            message = f"hostnames {', '.join(shared)} are already managed by FailoverDomain {peer.key}"
            return _fail(state, Condition(RECORDS_READY, "False", Reason.HOSTNAME_CONFLICT, message))
    return True


def check_distribution(state: Pass) -> bool:
    distribution = cloudfront.get_distribution(state.aws.cloudfront, state.spec.distribution_id)
    if distribution is None:
        message = f"CloudFront distribution {state.spec.distribution_id} not found"
        return _fail(state, Condition(DISTRIBUTION_READY, "False", Reason.DISTRIBUTION_NOT_FOUND, message))
    state.distribution = distribution
    if not (_covers_every_alias(state) and _serves_ipv6_if_needed(state)):
        return False
    if set(state.spec.hostnames) <= set(aliases_of(distribution["DistributionConfig"])):
        return True  # CloudFront keeps aliases unique: none of ours can be held elsewhere
    owners = cloudfront.list_alias_owners(state.aws.cloudfront)
    taken = sorted(host for host in state.spec.hostnames if owners.get(host, distribution["Id"]) != distribution["Id"])
    if taken:
        held = ", ".join(f"{host} (by {owners[host]})" for host in taken)
        message = f"aliases already held by another CloudFront distribution: {held}"
        return _fail(state, Condition(DISTRIBUTION_READY, "False", Reason.ALIAS_CONFLICT, message))
    return True


def _covers_every_alias(state: Pass) -> bool:
    """A distribution holds one certificate, so ours must also cover the aliases the user keeps on it.

    CloudFront refuses a viewer certificate that leaves any alternate domain name
    uncovered (InvalidViewerCertificate); aliases we added and are about to remove
    do not count.
    """
    assert state.bundle is not None
    ours = set(state.spec.hostnames)
    kept = [alias for alias in aliases_of(state.distribution["DistributionConfig"]) if alias not in ours | aliases_leaving(state)]
    uncovered = uncovered_names(kept, state.bundle.dns_names)
    if not uncovered:
        return True
    message = (
        f"distribution {state.spec.distribution_id} also serves {', '.join(uncovered)}, which the certificate does not "
        "cover; a distribution holds one certificate for all its aliases, so add these names to the certificate, "
        "remove them from the distribution, or use another distribution"
    )
    return _fail(state, Condition(CERTIFICATE_VALID, "False", Reason.HOSTNAME_NOT_COVERED, message))


def _serves_ipv6_if_needed(state: Pass) -> bool:
    """An AAAA alias to a distribution without IPv6 answers nothing during failover: refuse instead of writing it.

    Route53 Developer Guide, "Values specific for failover alias records": create the
    AAAA alias only if the distribution has IPv6 enabled. Alias primaries get AAAA
    pairs as well (the target may be dual-stack), so both kinds of primary need it.
    """
    if "AAAA" not in record_types(state.spec) or state.distribution["DistributionConfig"].get("IsIPV6Enabled", False):
        return True
    message = (
        f"the primary answers IPv6 (AAAA records), but distribution {state.spec.distribution_id} has IPv6 disabled, so "
        "IPv6 clients would get no answer during failover; enable IPv6 on the distribution (IsIPV6Enabled), or "
        + ("drop primary.addresses.ipv6" if state.spec.primary.alias is None else "use an address primary without IPv6")
    )
    return _fail(state, Condition(DISTRIBUTION_READY, "False", Reason.IPV6_NOT_ENABLED, message))


def check_records(state: Pass) -> bool:
    state.current_records = current = read_current_records(state, names_to_read(state))
    desired = desired_records(state, PLACEHOLDER_HEALTH_CHECK, state.distribution.get("DomainName", "placeholder.cloudfront.net"))
    plan = plan_records(desired, current, state.identity, state.spec.adopt_existing_records)
    if plan.conflicts:
        reason = plan.conflicts[0][0]
        return _fail(state, Condition(RECORDS_READY, "False", reason, "; ".join(message for _, message in plan.conflicts)))
    return True


# (the condition a check's verdict and its AWS reads are reported under, the check), in dependency order
CHECKS: tuple[tuple[str, Callable[[Pass], bool]], ...] = (
    (CERTIFICATE_VALID, check_certificate),
    (CERTIFICATE_VALID, check_trusted),
    (HEALTH_CHECK_READY, check_addresses),
    (DISTRIBUTION_READY, check_peers),
    (RECORDS_READY, check_zone),
    (DISTRIBUTION_READY, check_distribution),
    (DISTRIBUTION_READY, check_alias_quota),
    (RECORDS_READY, check_records),
    (RECORDS_READY, check_change_batch),
)


def run(state: Pass) -> bool:
    """All checks in dependency order; False (with a condition and an Event) at the first failure.

    Each check runs as its condition's step, so an AWS error during its reads
    (AccessDenied on GetHostedZone, say) is reported under the condition it checks.
    """
    for step, check in CHECKS:
        state.step = step
        if not check(state):
            return False
    return True


def _fail(state: Pass, condition: Condition) -> bool:
    state.fail(condition)
    return False


__all__ = ["fqdn", "run"]
