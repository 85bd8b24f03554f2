"""Input limits real AWS enforces and moto does not: public health-check addresses, lengths, batch and alias quotas.

Why: an operator that builds a request AWS refuses meets the refusal only in
production, and then on every retry. moto 5.2.5 accepts a health check on
10.0.0.1 or 192.0.2.10, a 300-character SetIdentifier or tag value, a change
batch of any size in characters, and any number of aliases on a distribution.
Each rule below refuses what AWS refuses, with AWS's error code, and can be
switched off by name (FIDELITY_DISABLED_RULES) to prove a test depends on it.

The address classifier here is deliberately independent of the operator's
(``failover_operator.model.limits``): the bed is the oracle the operator is
tested against, so it is built from the RFCs with ``ipaddress``'s own flags
plus the RFC 5735 / 6598 / 5156 blocks, not by importing the code under test.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from moto.cloudfront.models import CloudFrontBackend
from moto.route53.responses import Route53

from .errors import aws_error
from .route53_records import aws_error as route53_error
from .state import STATE, FidelityState

SET_IDENTIFIER_MAX = 128  # Route 53 API Reference, ResourceRecordSet, SetIdentifier: "Length Constraints: 1-128"
TAG_KEY_MAX, TAG_VALUE_MAX = 128, 256  # Route 53 API Reference, Tag: Key maximum 128, Value maximum 256
BATCH_RECORDS_MAX = 1000  # Route 53 Developer Guide, Quotas, "Elements and characters in ChangeResourceRecordSets"
BATCH_CHARACTERS_MAX = 32000  # same page: characters of all Value elements; UPSERT counts twice
ALIASES_MAX = 100  # CloudFront Developer Guide, Quotas: alternate domain names (CNAMEs) per distribution

# RFC 5735 (IPv4), RFC 6598 (shared address space) and RFC 5156 (IPv6) blocks that are not globally routable.
_SPECIAL = [
    ipaddress.ip_network(block)
    for block in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
        "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
        "::/128", "::1/128", "::ffff:0:0/96", "::/96", "2001::/32", "2001:10::/28", "2001:db8::/32",
        "2002::/16", "3ffe::/16", "5f00::/8", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    )
]  # fmt: skip


def install(state: FidelityState) -> None:
    """Wrap the (already patched) moto handlers with every enabled limit (called once, after the service rules)."""
    if state.enabled("route53.public_ip"):
        _wrap(Route53, "create_health_check", _check_health_check_address("HealthCheckConfig.IPAddress"))
        _wrap(Route53, "update_health_check", _check_health_check_address("IPAddress"))
    if state.enabled("route53.set_identifier_limit") or state.enabled("route53.batch_limit"):
        _wrap(Route53, "change_resource_record_sets", _check_change_batch)
    if state.enabled("route53.tag_limit"):
        _wrap(Route53, "change_tags_for_resource", _check_tags)
    if state.enabled("cloudfront.alias_quota"):
        _wrap(CloudFrontBackend, "create_distribution_with_tags", _check_alias_quota)
        _wrap(CloudFrontBackend, "update_distribution", _check_alias_quota)


def _wrap(cls: type, name: str, check: Callable[..., None]) -> None:
    """Run `check(self, *args)` before the current cls.name (which keeps every rule already installed)."""
    original = getattr(cls, name)

    def wrapped(self: Any, *args: Any, **kwargs: Any) -> Any:
        check(self, *args, **kwargs)
        return original(self, *args, **kwargs)

    wrapped.__name__ = name
    setattr(cls, name, wrapped)


def _validation_error(value: str, member: str, limit: int) -> Exception:
    """The message AWS's request validation gives for a too-long member (InvalidInput in Route 53's protocol)."""
    return route53_error(
        "InvalidInput",
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
        f"Member must have length less than or equal to {limit}",
    )


# ---- route53.public_ip ---------------------------------------------------------------------
def not_public(address: str) -> bool:
    """True for addresses Route53 will not health-check (HealthCheckConfig, IPAddress, Constraints)."""
    ip = ipaddress.ip_address(address)
    if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified:
        return True
    return any(ip.version == block.version and ip in block for block in _SPECIAL)


def _check_health_check_address(parameter: str) -> Callable[[Route53], None]:
    """Route 53 API Reference, HealthCheckConfig, IPAddress: "Route 53 can't check the health of endpoints for which
    the IP address is in local, private, non-routable, or multicast ranges" (RFC 5735, RFC 6598, RFC 5156).
    The same constraint applies to UpdateHealthCheck's IPAddress. AWS's exact message text is not documented
    (unconfirmed); the code, InvalidInput, is the one Route 53 uses for invalid parameters."""

    def check(response: Route53) -> None:
        address = response._get_param(parameter)
        if address and not_public(str(address)):
            raise route53_error("InvalidInput", f"Invalid parameter : IP address {address} is not a public IP address.")

    return check


# ---- route53.set_identifier_limit / route53.batch_limit --------------------------------------
def _check_change_batch(response: Route53) -> None:
    """Route 53 API Reference, ChangeResourceRecordSets; Route 53 Developer Guide, Quotas:
    a SetIdentifier is 1-128 characters (InvalidInput); a batch holds at most 1,000 ResourceRecord elements and
    32,000 characters of Value elements, each counted twice for UPSERT (InvalidChangeBatch)."""
    changes = response._get_param("ChangeBatch.Changes") or []
    if STATE.enabled("route53.set_identifier_limit"):
        for index, change in enumerate(changes, start=1):
            identifier = str(change.get("ResourceRecordSet", {}).get("SetIdentifier") or "")
            if len(identifier) > SET_IDENTIFIER_MAX:
                member = f"changeBatch.changes.{index}.member.resourceRecordSet.setIdentifier"
                raise _validation_error(identifier, member, SET_IDENTIFIER_MAX)
    if STATE.enabled("route53.batch_limit"):
        records = characters = 0
        for change in changes:
            weight = 2 if change.get("Action") == "UPSERT" else 1
            items = change.get("ResourceRecordSet", {}).get("ResourceRecords") or []
            values = [str(item["Value"] if isinstance(item, dict) else item) for item in items]
            records += weight * len(values)
            characters += weight * sum(len(value) for value in values)
        if records > BATCH_RECORDS_MAX:
            raise route53_error("InvalidChangeBatch", f"Number of records limit of {BATCH_RECORDS_MAX} exceeded.")
        if characters > BATCH_CHARACTERS_MAX:  # message text unconfirmed; the limit and the code are documented
            raise route53_error("InvalidChangeBatch", f"Number of characters limit of {BATCH_CHARACTERS_MAX} exceeded.")


# ---- route53.tag_limit ------------------------------------------------------------------------
def _check_tags(response: Route53) -> None:
    """Route 53 API Reference, ChangeTagsForResource and Tag: Key at most 128 characters, Value at most 256."""
    for index, tag in enumerate(response._get_param("AddTags") or [], start=1):
        key, value = str(tag.get("Key", "")), str(tag.get("Value", ""))
        if len(key) > TAG_KEY_MAX:
            raise _validation_error(key, f"addTags.{index}.member.key", TAG_KEY_MAX)
        if len(value) > TAG_VALUE_MAX:
            raise _validation_error(value, f"addTags.{index}.member.value", TAG_VALUE_MAX)


# ---- cloudfront.alias_quota -------------------------------------------------------------------
def _check_alias_quota(backend: CloudFrontBackend, *args: Any, **kwargs: Any) -> None:
    """CloudFront Developer Guide, Quotas: 100 alternate domain names per distribution (default);
    CloudFront API Reference, CreateDistribution / UpdateDistribution errors: TooManyDistributionCNAMEs."""
    config = args[0] if args else kwargs.get("dist_config", kwargs.get("distribution_config"))
    items = ((config or {}).get("Aliases") or {}).get("Items") or []
    aliases = {str(item).lower().rstrip(".") for item in (items if isinstance(items, list) else [items])}
    if len(aliases) > ALIASES_MAX:
        raise aws_error(
            "TooManyDistributionCNAMEs",
            f"Your request contains more CNAMEs than are allowed per distribution. ({len(aliases)} > {ALIASES_MAX})",
        )
