"""Desired CloudFront distribution config: our aliases added, the viewer certificate set.

Only two things are the operator's business on a distribution the user owns:
the aliases for our hostnames (the user's other aliases are kept) and the
viewer certificate (``sni-only``, the spec's minimum protocol). Everything
else is sent back exactly as read, under the ETag it was read with.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any


def viewer_certificate(store: str, certificate_ref: str, minimum_protocol_version: str) -> dict[str, Any]:
    """The ViewerCertificate block for an ACM ARN or an IAM ServerCertificateId."""
    block: dict[str, Any] = {
        "SSLSupportMethod": "sni-only",
        "MinimumProtocolVersion": minimum_protocol_version,
        "CloudFrontDefaultCertificate": False,
    }
    block["ACMCertificateArn" if store == "ACM" else "IAMCertificateId"] = certificate_ref
    return block


def current_certificate_ref(config: dict[str, Any]) -> str | None:
    viewer = config.get("ViewerCertificate") or {}
    return viewer.get("ACMCertificateArn") or viewer.get("IAMCertificateId") or None


def aliases_of(config: dict[str, Any]) -> list[str]:
    return [alias.lower() for alias in (config.get("Aliases") or {}).get("Items") or []]


def desired_config(
    config: dict[str, Any], add: Iterable[str], remove: Iterable[str], viewer: dict[str, Any] | None
) -> dict[str, Any] | None:
    """A copy of `config` with aliases and viewer certificate changed, or None when nothing differs."""
    current_aliases = aliases_of(config)
    removed = set(remove) - set(add)
    aliases = [alias for alias in current_aliases if alias not in removed]
    aliases += sorted(set(add) - set(aliases))
    new_viewer = viewer if viewer is not None else config.get("ViewerCertificate")
    if aliases == current_aliases and same_viewer(config.get("ViewerCertificate") or {}, new_viewer or {}):
        return None
    updated = copy.deepcopy(config)
    updated["Aliases"] = {"Quantity": len(aliases), "Items": aliases} if aliases else {"Quantity": 0}
    if new_viewer is not None:
        updated["ViewerCertificate"] = new_viewer
    return updated


def default_viewer_certificate() -> dict[str, Any]:
    """What a distribution without aliases of its own goes back to."""
    return {"CloudFrontDefaultCertificate": True, "MinimumProtocolVersion": "TLSv1"}


def same_viewer(current: dict[str, Any], desired: dict[str, Any]) -> bool:
    """Equal for our purposes: the same certificate and TLS settings (CloudFront fills in defaults we ignore)."""
    return _viewer_key(current) == _viewer_key(desired)


def _viewer_key(viewer: dict[str, Any]) -> tuple[Any, ...]:
    """What a viewer certificate means: which certificate, and for a custom one how it is served.

    A custom certificate wins over a stale CloudFrontDefaultCertificate flag, and
    CloudFront's own certificate is compared by itself alone.
    """
    ref = viewer.get("ACMCertificateArn") or viewer.get("IAMCertificateId") or None
    if ref is None:
        return ("default",)
    return ("custom", ref, viewer.get("SSLSupportMethod") or None, viewer.get("MinimumProtocolVersion") or None)


# The viewer certificate a distribution had before the operator first replaced it, kept on the distribution
# itself (a tag), so that whichever FailoverDomain leaves it last can put it back (DESIGN.md, ownership record).
TAG_ORIGINAL_VIEWER = "failover.dev/original-viewer-certificate"
_VIEWER_FIELDS = (
    "CloudFrontDefaultCertificate",
    "ACMCertificateArn",
    "IAMCertificateId",
    "SSLSupportMethod",
    "MinimumProtocolVersion",
    "CertificateSource",
)
_SAME_AS_REF = "@"  # the deprecated `Certificate` field repeats the ARN or id: stored as a marker (tags hold 256)


def encode_viewer(viewer: dict[str, Any]) -> str:
    """A ViewerCertificate block as a tag value: `Field=value` pairs (CloudFront tag values allow no braces)."""
    pairs = []
    for key in _VIEWER_FIELDS:
        value = viewer.get(key)
        if value is None or value == "":
            continue
        pairs.append(f"{key}={str(value).lower() if isinstance(value, bool) else value}")
    certificate = viewer.get("Certificate")
    if certificate:
        same = certificate == current_certificate_ref({"ViewerCertificate": viewer})
        pairs.append(f"Certificate={_SAME_AS_REF if same else certificate}")
    return " ".join(pairs)


def decode_viewer(value: str) -> dict[str, Any]:
    """The block `encode_viewer` wrote, field for field."""
    viewer: dict[str, Any] = {}
    for pair in value.split():
        key, _, text = pair.partition("=")
        if key in _VIEWER_FIELDS:
            viewer[key] = text == "true" if key == "CloudFrontDefaultCertificate" else text
        elif key == "Certificate":
            viewer[key] = text
    if viewer.get("Certificate") == _SAME_AS_REF:
        viewer["Certificate"] = current_certificate_ref({"ViewerCertificate": viewer})
    return viewer


def is_default_viewer(viewer: dict[str, Any]) -> bool:
    """CloudFront's own *.cloudfront.net certificate (which cannot serve any alias)."""
    return bool(viewer.get("CloudFrontDefaultCertificate")) and not current_certificate_ref({"ViewerCertificate": viewer})
