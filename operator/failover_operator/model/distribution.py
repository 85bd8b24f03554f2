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
    if aliases == current_aliases and _same_viewer(config.get("ViewerCertificate") or {}, new_viewer or {}):
        return None
    updated = copy.deepcopy(config)
    updated["Aliases"] = {"Quantity": len(aliases), "Items": aliases} if aliases else {"Quantity": 0}
    if new_viewer is not None:
        updated["ViewerCertificate"] = new_viewer
    return updated


def default_viewer_certificate() -> dict[str, Any]:
    """What a distribution without aliases of its own goes back to."""
    return {"CloudFrontDefaultCertificate": True, "MinimumProtocolVersion": "TLSv1"}


def _same_viewer(current: dict[str, Any], desired: dict[str, Any]) -> bool:
    """Equal for our purposes: the same certificate and TLS settings (CloudFront fills in defaults we ignore)."""
    if desired.get("CloudFrontDefaultCertificate"):
        return bool(current.get("CloudFrontDefaultCertificate")) and not (
            current.get("ACMCertificateArn") or current.get("IAMCertificateId")
        )
    keys = ("ACMCertificateArn", "IAMCertificateId", "SSLSupportMethod", "MinimumProtocolVersion")
    return not current.get("CloudFrontDefaultCertificate") and all(
        (current.get(key) or None) == (desired.get(key) or None) for key in keys
    )
