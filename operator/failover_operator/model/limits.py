"""AWS limits the operator checks before it asks AWS for anything.

Real AWS refuses some requests the operator could otherwise build from a valid
spec. Sent anyway, each would come back as an error on every retry (an
``AwsError`` that never heals) after earlier steps had already changed AWS.
So pre-flight checks them with the same rules AWS applies and stops with a
precise reason, changing nothing:

* Route53 health checks refuse an ``IPAddress`` in local, private,
  non-routable, multicast and documentation ranges (Route 53 API Reference,
  HealthCheckConfig, IPAddress: "Route 53 can't check the health of endpoints
  for which the IP address is in local, private, non-routable, or multicast
  ranges", citing RFC 5735, RFC 6598 and RFC 5156) — ``AddressNotRoutable``;
* one ChangeResourceRecordSets batch holds at most 1,000 ResourceRecord
  elements and 32,000 characters of ``Value``, UPSERT counting twice
  (Route 53 Developer Guide, "Quotas", maximums on API requests) —
  ``ChangeBatchTooLarge``;
* a CloudFront distribution holds 100 alternate domain names by default
  (CloudFront Developer Guide, "Quotas"; raisable per account) —
  ``TooManyAliases``.

The names the operator derives (SetIdentifiers ≤ 128 characters, tag values
≤ 256) are kept inside their limits by ``model.naming`` instead; the limits
live here so both sides read the same numbers. Pure: no kopf, no boto3.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

SET_IDENTIFIER_MAX = 128  # Route 53 API Reference, ResourceRecordSet, SetIdentifier: length 1-128
TAG_VALUE_MAX = 256  # Route 53 API Reference, Tag, Value; ACM API Reference, Tag, Value: length 0-256
BATCH_RESOURCE_RECORDS_MAX = 1000  # Route 53 quotas: ResourceRecord elements per request (UPSERT counts twice)
BATCH_VALUE_CHARACTERS_MAX = 32000  # Route 53 quotas: characters of Value elements per request (UPSERT counts twice)
DEFAULT_MAX_ALIASES = 100  # CloudFront quotas: alternate domain names (CNAMEs) per distribution, default

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_IPV4: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "'this network' (RFC 5735)"),
    ("10.0.0.0/8", "private (RFC 1918)"),
    ("100.64.0.0/10", "shared address space for carrier-grade NAT (RFC 6598)"),
    ("127.0.0.0/8", "loopback (RFC 5735)"),
    ("169.254.0.0/16", "link-local (RFC 3927)"),
    ("172.16.0.0/12", "private (RFC 1918)"),
    ("192.0.0.0/24", "IETF protocol assignments (RFC 5735)"),
    ("192.0.2.0/24", "documentation, TEST-NET-1 (RFC 5737)"),
    ("192.88.99.0/24", "6to4 relay anycast (RFC 3068)"),
    ("192.168.0.0/16", "private (RFC 1918)"),
    ("198.18.0.0/15", "benchmarking (RFC 2544)"),
    ("198.51.100.0/24", "documentation, TEST-NET-2 (RFC 5737)"),
    ("203.0.113.0/24", "documentation, TEST-NET-3 (RFC 5737)"),
    ("224.0.0.0/4", "multicast (RFC 5771)"),
    ("240.0.0.0/4", "reserved for future use, or broadcast (RFC 1112, RFC 919)"),
)
_IPV6: tuple[tuple[str, str], ...] = (  # RFC 5156 ("Special-Use IPv6 Addresses"), most specific first
    ("::/128", "unspecified (RFC 4291)"),
    ("::1/128", "loopback (RFC 4291)"),
    ("::ffff:0:0/96", "IPv4-mapped (RFC 4291)"),
    ("::/96", "IPv4-compatible, deprecated (RFC 4291)"),
    ("2001::/32", "Teredo (RFC 4380)"),
    ("2001:10::/28", "ORCHID (RFC 4843)"),
    ("2001:db8::/32", "documentation (RFC 3849)"),
    ("2002::/16", "6to4 (RFC 3056)"),
    ("3ffe::/16", "former 6bone, returned (RFC 3701)"),
    ("5f00::/8", "former 6bone, returned (RFC 3701)"),
    ("fc00::/7", "unique local, private (RFC 4193)"),
    ("fe80::/10", "link-local (RFC 4291)"),
    ("fec0::/10", "site-local, deprecated (RFC 3879)"),
    ("ff00::/8", "multicast (RFC 4291)"),
)
_GLOBAL_UNICAST_V6 = ipaddress.IPv6Network("2000::/3")
_TABLE: tuple[tuple[Network, str], ...] = tuple(
    (ipaddress.ip_network(network), why) for network, why in (*_IPV4, *_IPV6)
)


def address_problem(address: str) -> str | None:
    """Why Route53 would refuse to health-check `address`, or None when it is public.

    Explicit tables (not ``ipaddress.is_global``, whose answer changes between
    Python releases) so the message can name the range and its RFC.
    """
    ip = ipaddress.ip_address(address)
    for network, why in _TABLE:
        if ip.version == network.version and ip in network:
            return f"{network} {why}"
    if ip.version == 6 and ip not in _GLOBAL_UNICAST_V6:
        return "outside the IPv6 global unicast space 2000::/3, reserved by the IETF (RFC 4291)"
    return None


def unroutable_addresses(addresses: Iterable[str]) -> list[tuple[str, str]]:
    """(address, why) for every address Route53 would not health-check."""
    found = []
    for address in addresses:
        problem = address_problem(address)
        if problem is not None:
            found.append((address, problem))
    return found


@dataclass(frozen=True)
class BatchSize:
    """How Route53 counts a change batch against its quotas."""

    resource_records: int
    value_characters: int

    def problems(self) -> list[str]:
        found = []
        if self.resource_records > BATCH_RESOURCE_RECORDS_MAX:
            found.append(f"{self.resource_records} ResourceRecord elements (limit {BATCH_RESOURCE_RECORDS_MAX})")
        if self.value_characters > BATCH_VALUE_CHARACTERS_MAX:
            found.append(f"{self.value_characters} characters of record values (limit {BATCH_VALUE_CHARACTERS_MAX})")
        return found


def batch_size(changes: Sequence[dict[str, Any]]) -> BatchSize:
    """ResourceRecord elements and Value characters of a batch, UPSERT counted twice (alias records have none)."""
    records = characters = 0
    for change in changes:
        weight = 2 if change["Action"] == "UPSERT" else 1
        values = [str(item["Value"]) for item in change["ResourceRecordSet"].get("ResourceRecords") or []]
        records += weight * len(values)
        characters += weight * sum(len(value) for value in values)
    return BatchSize(records, characters)


def release_batch_size(desired: Sequence[dict[str, Any]]) -> BatchSize:
    """The batch that deletion (deletionPolicy Delete) will need: each PRIMARY deleted and re-created as a simple record."""
    primaries = [record for record in desired if record.get("Failover") == "PRIMARY"]
    once = batch_size([{"Action": "DELETE", "ResourceRecordSet": record} for record in primaries])
    return BatchSize(2 * once.resource_records, 2 * once.value_characters)


def aliases_over_quota(current: Sequence[str], resulting: Sequence[str], limit: int) -> bool:
    """True when an update would grow the distribution's aliases past `limit`.

    A distribution that already holds more than `limit` without growing was
    accepted by CloudFront (the account's quota is higher), so it is left alone.
    """
    return len(set(resulting)) > limit and len(set(resulting)) > len(set(current))
