"""CloudFront rules: ETags, deploy timers, CNAME conflicts, viewer-certificate checks.

Why: the operator's CloudFront logic leans on behaviour moto does not model.
It updates distributions with optimistic concurrency (IfMatch + ETag), waits
for ``Deployed`` before retiring an old certificate, must cope with an alias
already held elsewhere, and must only attach a certificate CloudFront accepts.
moto keeps one ETag forever, reports ``Deployed`` at once, and accepts any
alias or certificate, so none of those paths would be tested without this.

`distributions_using` is the shared answer to "which distributions still serve
this certificate" that the IAM and ACM rules use for their in-use errors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from moto.acm.models import acm_backends
from moto.cloudfront.models import CloudFrontBackend, Distribution, cloudfront_backends, random_id

from . import certs, iam
from .errors import aws_error
from .state import STATE, FidelityState, now

_NO_CERT = (
    "The specified SSL certificate doesn't exist, isn't in us-east-1 region, isn't valid, "
    "or doesn't include a valid certificate chain."
)
_ONE_VIEWER_CHANGE = "Only one viewer certificate change may be in progress at a time."
_STALE_ETAG = "The precondition given in one or more of the request-header fields evaluated to false."
_CNAME_TAKEN = "One or more of the CNAMEs you provided are already associated with a different resource."
_NOT_COVERED = (
    "The certificate that is attached to your distribution doesn't cover the alternate domain name (CNAME) "
    "that you're trying to add."
)


@dataclass
class _Deploy:
    """One distribution's deployment: when it is Deployed, and certificates it may still serve until then."""

    ready_at: float
    previous: set[str] = field(default_factory=set)
    viewer_change: bool = False  # this deployment switches the viewer certificate


_DEPLOYS: dict[str, _Deploy] = {}  # distribution ARN -> current deployment
_moto_status: property = Distribution.status  # type: ignore[assignment]


def install(state: FidelityState) -> None:
    """Patch moto's CloudFront backend and Distribution.status (called once at server start)."""
    state.on_reset(_DEPLOYS.clear)
    CloudFrontBackend.create_distribution_with_tags = _patched_create(CloudFrontBackend.create_distribution_with_tags)  # type: ignore[method-assign, assignment]
    CloudFrontBackend.update_distribution = _patched_update(CloudFrontBackend.update_distribution)  # type: ignore[method-assign, assignment]
    CloudFrontBackend.delete_distribution = _patched_delete(CloudFrontBackend.delete_distribution)  # type: ignore[method-assign, assignment]
    Distribution.status = property(_status, _moto_status.fset)  # type: ignore[assignment, method-assign]


# ---- shared with the IAM and ACM rules -------------------------------------------


def distributions_using(account_id: str, cert_ref: str) -> list[str]:
    """ARNs of distributions serving the IAM certificate id or ACM ARN `cert_ref`.

    A distribution serves its configured certificate, and, while an update is
    still InProgress, the certificates it was switched away from.
    """
    with STATE.lock:
        backend = cloudfront_backends[account_id]["aws"]
        return [dist.arn for dist in backend.distributions.values() if cert_ref in _refs_served(dist)]


def certificate_ref(dist: Distribution) -> str | None:
    """The IAM certificate id or ACM ARN the distribution is configured with, if any."""
    viewer = _config_field(dist, "ViewerCertificate")
    return str(viewer.iam_certificate_id or viewer.acm_certificate_arn) or None


def _config_field(dist: Distribution, name: str) -> Any:
    """A field of moto's DistributionConfig (stored as dynamic attributes)."""
    return vars(dist.distribution_config)[name]


def _refs_served(dist: Distribution) -> set[str]:
    deploy = _DEPLOYS.get(dist.arn)
    previous = deploy.previous if deploy is not None and _in_progress(deploy) else set()
    current = certificate_ref(dist)
    return previous | ({current} if current else set())


# ---- deploy timer ----------------------------------------------------------------


def _in_progress(deploy: _Deploy) -> bool:
    return STATE.enabled("cloudfront.deploy_delay") and now() < deploy.ready_at


def _status(dist: Distribution) -> str | None:
    if not STATE.enabled("cloudfront.deploy_delay"):
        return _moto_status.fget(dist)  # type: ignore[misc, no-any-return]
    deploy = _DEPLOYS.get(dist.arn)
    return "InProgress" if deploy is not None and _in_progress(deploy) else "Deployed"


def _start_deploy(arn: str, switched_from: str | None, viewer_change: bool = False) -> None:
    """Restart the timer; an unfinished deployment's old certificates stay served."""
    deploy = _DEPLOYS.get(arn)
    previous = set(deploy.previous) if deploy is not None and _in_progress(deploy) else set()
    if switched_from:
        previous.add(switched_from)
    changing = viewer_change or (deploy is not None and _in_progress(deploy) and deploy.viewer_change)
    _DEPLOYS[arn] = _Deploy(ready_at=now() + STATE.delays["cloudfront_deploy_seconds"], previous=previous, viewer_change=changing)


# ---- patched backend methods -----------------------------------------------------

Create = Callable[[CloudFrontBackend, dict[str, Any], list[dict[str, str]]], tuple[Distribution, str, str]]
Update = Callable[[CloudFrontBackend, dict[str, Any], str, Any], tuple[Distribution, str, str]]
Delete = Callable[[CloudFrontBackend, str, Any], None]


def _patched_create(original: Create) -> Create:
    def create(
        self: CloudFrontBackend, distribution_config: dict[str, Any], tags: list[dict[str, str]]
    ) -> tuple[Distribution, str, str]:
        with STATE.lock:
            _check_config(self, distribution_config, own_id=None)
            if STATE.enabled("cloudfront.ipv6_default"):
                # CloudFront API Reference, DistributionConfig, IsIPV6Enabled: IPv6 answers only when true; an
                # API-created distribution without it has IPv6 off (moto turns it on).
                distribution_config.setdefault("IsIPV6Enabled", False)
            dist, location, etag = original(self, distribution_config, tags)
            _start_deploy(dist.arn, switched_from=None)
            return dist, location, etag

    return create


def _patched_update(original: Update) -> Update:
    def update(self: CloudFrontBackend, dist_config: dict[str, Any], _id: str, if_match: Any) -> tuple[Distribution, str, str]:
        with STATE.lock:
            dist = self.distributions.get(_id)
            if dist is None or not if_match or not dist_config:
                return original(self, dist_config, _id, if_match)  # moto's own NoSuch/InvalidIfMatch errors
            _check_if_match(dist, if_match)
            _check_config(self, dist_config, own_id=_id)
            old_ref = certificate_ref(dist)
            _check_one_viewer_change(dist, old_ref, dist_config)
            dist, location, _ = original(self, dist_config, _id, if_match)
            if STATE.enabled("cloudfront.etag"):
                dist.etag = random_id()
            switched = old_ref != certificate_ref(dist)
            _start_deploy(dist.arn, switched_from=old_ref if switched else None, viewer_change=switched)
            return dist, location, dist.etag

    return update


def _patched_delete(original: Delete) -> Delete:
    def delete(self: CloudFrontBackend, distribution_id: str, if_match: Any) -> None:
        with STATE.lock:
            dist = self.distributions.get(distribution_id)
            if dist is not None and if_match:
                _check_if_match(dist, if_match)
            original(self, distribution_id, if_match)
            if dist is not None:
                _DEPLOYS.pop(dist.arn, None)

    return delete


# ---- checks ----------------------------------------------------------------------


def _check_if_match(dist: Distribution, if_match: str) -> None:
    if STATE.enabled("cloudfront.etag") and if_match != dist.etag:
        raise aws_error("PreconditionFailed", _STALE_ETAG)


def _check_one_viewer_change(dist: Distribution, old_ref: str | None, config: dict[str, Any]) -> None:
    """Rule cloudfront.one_viewer_change: a second viewer-certificate change while the first deploys is refused.

    CloudFront answers IllegalUpdate "Only one viewer certificate change may be in
    progress at a time." until the distribution is Deployed again
    (hashicorp/terraform#13495; CloudFront API Reference, UpdateDistribution errors).
    """
    deploy = _DEPLOYS.get(dist.arn)
    if not STATE.enabled("cloudfront.one_viewer_change") or deploy is None or not deploy.viewer_change:
        return
    viewer = config.get("ViewerCertificate") or {}
    new_ref = viewer.get("ACMCertificateArn") or viewer.get("IAMCertificateId") or None
    if _in_progress(deploy) and new_ref != old_ref:
        raise aws_error("IllegalUpdate", _ONE_VIEWER_CHANGE)


def _check_config(backend: CloudFrontBackend, config: dict[str, Any], own_id: str | None) -> None:
    """Validate a raw DistributionConfig before moto turns it into objects."""
    aliases = _aliases(config)
    if STATE.enabled("cloudfront.cname_conflict"):
        _check_cnames(backend, aliases, own_id)
    if STATE.enabled("cloudfront.viewer_certificate"):
        _check_viewer_certificate(backend.account_id, config.get("ViewerCertificate") or {}, aliases)


def _aliases(config: dict[str, Any]) -> list[str]:
    items = (config.get("Aliases") or {}).get("Items") or []
    return [str(item) for item in (items if isinstance(items, list) else [items])]


def _check_cnames(backend: CloudFrontBackend, aliases: list[str], own_id: str | None) -> None:
    wanted = {alias.lower().rstrip(".") for alias in aliases}
    for other in backend.distributions.values():
        if other.distribution_id == own_id:
            continue
        taken = wanted & {alias.lower().rstrip(".") for alias in _config_field(other, "Aliases").get("Items") or []}
        if taken:
            raise aws_error("CNAMEAlreadyExists", f"{_CNAME_TAKEN} ({', '.join(sorted(taken))})")


def _check_viewer_certificate(account_id: str, viewer: dict[str, Any], aliases: list[str]) -> None:
    iam_id, acm_arn = viewer.get("IAMCertificateId"), viewer.get("ACMCertificateArn")
    if not iam_id and not acm_arn:
        return
    if iam_id and acm_arn:
        raise _invalid("specify only one of IAMCertificateId and ACMCertificateArn")
    if not viewer.get("SSLSupportMethod"):
        raise _invalid("SSLSupportMethod is required when a custom certificate is specified")
    cert, chain = _iam_certificate(account_id, str(iam_id)) if iam_id else _acm_certificate(account_id, str(acm_arn))
    problem = certs.cloudfront_key_problem(cert)
    if problem:
        raise _invalid(problem)
    distrusted = certs.untrusted(cert, chain) if STATE.enabled("cloudfront.trust") else None
    if distrusted:
        raise _invalid(distrusted)
    missing = certs.uncovered(cert, aliases)
    if missing:
        raise aws_error("InvalidViewerCertificate", f"{_NOT_COVERED} (not covered: {', '.join(missing)})")


def _iam_certificate(account_id: str, cert_id: str) -> tuple[x509.Certificate, str | None]:
    found = iam.server_certificate_by_id(account_id, cert_id)
    if found is None:
        raise _invalid(f"IAM server certificate {cert_id} does not exist")
    if not found.path.startswith("/cloudfront/"):
        raise _invalid(f"IAM server certificate {cert_id} has path {found.path}; CloudFront needs a path under /cloudfront/")
    cert = certs.try_certificate(found.cert_body)
    if cert is None:
        raise _invalid(f"IAM server certificate {cert_id} is not a valid X.509 certificate")
    return cert, found.cert_chain


def _acm_certificate(account_id: str, arn: str) -> tuple[x509.Certificate, bytes]:
    parts = arn.split(":")
    if len(parts) < 6 or parts[3] != "us-east-1":
        raise _invalid(f"ACM certificate {arn} is not in us-east-1")
    bundle = acm_backends[account_id]["us-east-1"]._certificates.get(arn)
    if bundle is None:
        raise _invalid(f"ACM certificate {arn} does not exist")
    if bundle.status != "ISSUED":
        raise _invalid(f"ACM certificate {arn} is {bundle.status}, not ISSUED")
    return bundle._cert, bundle.chain


def _invalid(detail: str) -> Exception:
    return aws_error("InvalidViewerCertificate", f"{_NO_CERT} ({detail})")
