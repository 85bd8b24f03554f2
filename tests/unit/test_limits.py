"""AWS input limits: the address classifier, batch sizing, alias quota and the names kept inside their limits.

Pure functions, table-driven: each row is a range or a boundary AWS documents,
so a wrong table entry shows up as the row that names it.
"""

from __future__ import annotations

import hashlib

import pytest
from failover_operator import handlers
from failover_operator.model import limits
from failover_operator.model.naming import Owner, acm_tags, certificate_tag, health_check_tags, set_identifier

NOT_ROUTABLE = [
    ("0.0.0.1", "this network"),
    ("10.1.2.3", "private"),
    ("100.64.0.1", "RFC 6598"),
    ("100.127.255.254", "RFC 6598"),
    ("127.0.0.1", "loopback"),
    ("169.254.169.254", "link-local"),
    ("172.16.0.1", "private"),
    ("172.31.255.255", "private"),
    ("192.0.0.8", "IETF protocol assignments"),
    ("192.0.2.10", "TEST-NET-1"),
    ("192.88.99.1", "6to4 relay"),
    ("192.168.0.1", "private"),
    ("198.18.0.1", "benchmarking"),
    ("198.19.255.255", "benchmarking"),
    ("198.51.100.7", "TEST-NET-2"),
    ("203.0.113.10", "TEST-NET-3"),
    ("224.0.0.251", "multicast"),
    ("239.255.255.250", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "broadcast"),
    ("::", "unspecified"),
    ("::1", "loopback"),
    ("::ffff:1.1.1.1", "IPv4-mapped"),
    ("::1.2.3.4", "IPv4-compatible"),
    ("2001:0:4136:e378::1", "Teredo"),
    ("2001:10::1", "ORCHID"),
    ("2001:db8::10", "documentation"),
    ("2002:c000:0204::1", "6to4"),
    ("3ffe::1", "6bone"),
    ("fc00::1", "unique local"),
    ("fd12:3456::1", "unique local"),
    ("fe80::1", "link-local"),
    ("fec0::1", "site-local"),
    ("ff02::1", "multicast"),
    ("4000::1", "global unicast space"),
]
ROUTABLE = [
    "1.1.1.1",
    "8.8.8.8",
    "9.9.9.9",
    "100.63.255.255",  # just below RFC 6598
    "100.128.0.0",  # just above it
    "172.15.255.255",
    "172.32.0.0",
    "192.0.3.1",
    "198.17.255.255",
    "198.20.0.0",
    "223.255.255.255",
    "2606:4700:4700::1111",
    "2001:4860:4860::8888",
    "2001:200::1",  # outside Teredo's 2001::/32
    "2a00:1450::1",
]


@pytest.mark.parametrize(("address", "named"), NOT_ROUTABLE)
def test_non_routable_addresses_are_named_with_their_range(address: str, named: str) -> None:
    problem = limits.address_problem(address)
    assert problem is not None and named in problem


@pytest.mark.parametrize("address", ROUTABLE)
def test_public_addresses_pass(address: str) -> None:
    assert limits.address_problem(address) is None


def test_unroutable_addresses_lists_each_with_its_reason() -> None:
    found = limits.unroutable_addresses(["1.1.1.1", "10.0.0.1", "2606:4700:4700::1111", "2001:db8::1"])
    assert [address for address, _ in found] == ["10.0.0.1", "2001:db8::1"]


def _change(action: str, values: list[str], kind: str = "A") -> dict[str, object]:
    record = {"Name": "a.example.com.", "Type": kind, "ResourceRecords": [{"Value": value} for value in values]}
    return {"Action": action, "ResourceRecordSet": record}


def test_batch_size_counts_upsert_twice_and_aliases_not_at_all() -> None:
    alias_record = {"Name": "a.", "Type": "A", "AliasTarget": {"DNSName": "d.cloudfront.net."}}
    alias = {"Action": "CREATE", "ResourceRecordSet": alias_record}
    size = limits.batch_size([_change("CREATE", ["1.1.1.1"]), _change("UPSERT", ["8.8.8.8", "9.9.9.9"]), alias])
    assert size == limits.BatchSize(resource_records=1 + 4, value_characters=7 + 2 * 14)
    assert size.problems() == []


def test_batch_limits_are_inclusive() -> None:
    at_limit = limits.BatchSize(limits.BATCH_RESOURCE_RECORDS_MAX, limits.BATCH_VALUE_CHARACTERS_MAX)
    assert at_limit.problems() == []
    over = limits.BatchSize(limits.BATCH_RESOURCE_RECORDS_MAX + 1, limits.BATCH_VALUE_CHARACTERS_MAX + 1)
    assert [problem.split()[0] for problem in over.problems()] == ["1001", "32001"]


def test_release_batch_deletes_and_recreates_each_primary() -> None:
    primary = {"Name": "a.", "Type": "A", "Failover": "PRIMARY", "ResourceRecords": [{"Value": "1.1.1.1"}]}
    secondary = {"Name": "a.", "Type": "A", "Failover": "SECONDARY", "AliasTarget": {}}
    assert limits.release_batch_size([primary, secondary]) == limits.BatchSize(2, 14)


@pytest.mark.parametrize(
    ("current", "resulting", "over"),
    [
        (98, 100, False),  # exactly the quota
        (99, 101, True),
        (101, 101, False),  # already past it without growing: the account's quota is higher
        (101, 102, True),
    ],
)
def test_alias_quota(current: int, resulting: int, over: bool) -> None:
    names = [f"h{index}.example.com" for index in range(resulting)]
    assert limits.aliases_over_quota(names[:current], names, 100) is over


# ---- names kept inside AWS's lengths ---------------------------------------------------------------
def test_short_set_identifiers_keep_their_historical_form() -> None:
    """Ownership of records already in Route53 is this exact string: it must never change for names that fit."""
    assert set_identifier(Owner("web", "miteru", "uid"), "primary") == "fo/web/miteru/primary"
    long_name = "n" * 100  # names over 60 were always 50 characters + a hash
    hashed = hashlib.sha256(long_name.encode()).hexdigest()[:8]
    assert set_identifier(Owner("web", long_name, "uid"), "secondary") == f"fo/web/{'n' * 50}-{hashed}/secondary"


@pytest.mark.parametrize("namespace_length", [40, 55, 56, 63])
@pytest.mark.parametrize("name_length", [1, 60, 61, 253])
def test_set_identifier_is_at_most_128_and_distinct(namespace_length: int, name_length: int) -> None:
    owner = Owner("s" * namespace_length, "n" * name_length, "uid")
    other = Owner("s" * namespace_length, "n" * (name_length - 1) + "m", "uid")
    for role in ("primary", "secondary"):
        identifier = set_identifier(owner, role)
        assert len(identifier) <= limits.SET_IDENTIFIER_MAX
        assert identifier == set_identifier(owner, role), "deterministic"
        assert identifier.startswith(f"fo/{owner.namespace}/") and identifier.endswith(f"/{role}")
        assert identifier != set_identifier(other, role)
    assert set_identifier(owner, "primary") != set_identifier(owner, "secondary")


def test_tag_values_fit_256_and_stay_unchanged_when_short() -> None:
    short = Owner("web", "miteru", "uid")
    assert health_check_tags(short)["Name"] == "web/miteru"
    assert acm_tags("web", "miteru-tls")["failover.dev/certificate"] == "web/miteru-tls" == certificate_tag("web", "miteru-tls")
    long_owner = Owner("s" * 63, "n" * 253, "uid")
    tags = health_check_tags(long_owner)
    assert all(len(value) <= limits.TAG_VALUE_MAX for value in tags.values())
    assert tags["Name"] != health_check_tags(Owner("s" * 63, "n" * 252 + "m", "uid"))["Name"]
    assert len(certificate_tag("s" * 63, "t" * 253)) <= limits.TAG_VALUE_MAX
    assert acm_tags("s" * 63, "t" * 253)["failover.dev/certificate"] == certificate_tag("s" * 63, "t" * 253)


def test_max_aliases_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert handlers.max_aliases_per_distribution() == limits.DEFAULT_MAX_ALIASES
    monkeypatch.setenv("FAILOVER_MAX_ALIASES_PER_DISTRIBUTION", "250")
    assert handlers.max_aliases_per_distribution() == 250
