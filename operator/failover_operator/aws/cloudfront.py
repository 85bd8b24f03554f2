"""CloudFront calls: read a distribution's config with its ETag, update it with IfMatch.

Only the operator's two concerns are ever changed (aliases and viewer
certificate); the rest of the config is sent back exactly as read.
"""

from __future__ import annotations

from typing import Any

from .errors import call, call_or_none


def get_distribution(cloudfront: Any, distribution_id: str) -> dict[str, Any] | None:
    """The distribution (Id, ARN, Status, DomainName, DistributionConfig) and its ETag, or None."""
    response = call_or_none(cloudfront.get_distribution, Id=distribution_id)
    return {**response["Distribution"], "ETag": response["ETag"]} if response else None


def update_distribution(cloudfront: Any, distribution_id: str, config: dict[str, Any], etag: str) -> dict[str, Any]:
    """Write the whole config back guarded by IfMatch; PreconditionFailed means re-read and retry."""
    response = call(cloudfront.update_distribution, Id=distribution_id, DistributionConfig=config, IfMatch=etag)
    return {**response["Distribution"], "ETag": response["ETag"]}


def list_alias_owners(cloudfront: Any) -> dict[str, str]:
    """Every alias in the account and the distribution id that holds it (for AliasConflict pre-checks)."""
    owners: dict[str, str] = {}
    kwargs: dict[str, str] = {"MaxItems": "100"}
    while True:
        page = call(cloudfront.list_distributions, **kwargs)["DistributionList"]
        for summary in page.get("Items", []) or []:
            for alias in summary.get("Aliases", {}).get("Items", []) or []:
                owners[alias.lower()] = summary["Id"]
        if not page.get("IsTruncated"):
            return owners
        kwargs["Marker"] = page["NextMarker"]


def get_tag(cloudfront: Any, distribution_arn: str, key: str) -> str | None:
    """The value of one tag of a distribution, or None."""
    items = call(cloudfront.list_tags_for_resource, Resource=distribution_arn)["Tags"].get("Items") or []
    return next((str(item.get("Value", "")) for item in items if item["Key"] == key), None)


def set_tag(cloudfront: Any, distribution_arn: str, key: str, value: str) -> None:
    call(cloudfront.tag_resource, Resource=distribution_arn, Tags={"Items": [{"Key": key, "Value": value}]})


def remove_tag(cloudfront: Any, distribution_arn: str, key: str) -> None:
    call(cloudfront.untag_resource, Resource=distribution_arn, TagKeys={"Items": [key]})
