"""Input limits the bed enforces as AWS does, seen from a real boto3 client.

Why: moto accepts health checks on private and documentation addresses,
SetIdentifiers and tag values of any length, change batches of any size in
characters and distributions with any number of aliases; real AWS refuses
each. The operator's pre-flight checks are only proven if the bed refuses too.
Each test names the AWS page it follows and fails when its rule is switched
off with FIDELITY_DISABLED_RULES=<rule>.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from bed.fidelity_helpers import create_distribution, error_of, update_distribution
from botocore.exceptions import ClientError
from testbed.awsbed import AwsBed

NO_RETRIES = {"total_max_attempts": 1}
PUBLIC_V4, PUBLIC_V6 = "1.1.1.1", "2606:4700:4700::1111"  # Cloudflare's resolvers: stable, clearly public
ZONE, SITE = "example.com", "www.example.com"


@pytest.fixture
def r53(aws: AwsBed) -> Any:
    aws.control.set_route53_quota(enabled=False)
    return aws.client("route53", retries=NO_RETRIES)


@pytest.fixture
def zone(r53: Any) -> str:
    return r53.create_hosted_zone(Name=ZONE, CallerReference="zone-limits")["HostedZone"]["Id"]  # type: ignore[no-any-return]


def refused(call: Callable[[], Any]) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as failure:
        call()
    code, status = error_of(failure.value)
    return code, status, failure.value.response["Error"].get("Message", "")


def health_check(r53: Any, address: str, reference: str = "hc-limits") -> str:
    config = {"Type": "HTTPS", "IPAddress": address, "Port": 443, "ResourcePath": "/", "FullyQualifiedDomainName": SITE}
    return r53.create_health_check(CallerReference=reference, HealthCheckConfig=config)["HealthCheck"]["Id"]  # type: ignore[no-any-return]


def batch(r53: Any, zone: str, *changes: tuple[str, dict[str, Any]]) -> None:
    body = {"Changes": [{"Action": action, "ResourceRecordSet": record} for action, record in changes]}
    r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch=body)


def record(name: str, values: list[str], type_: str = "A", **extra: Any) -> dict[str, Any]:
    return {"Name": name, "Type": type_, "TTL": 60, "ResourceRecords": [{"Value": value} for value in values], **extra}


# ---- route53.public_ip -------------------------------------------------------------------------
NOT_PUBLIC = [
    "10.0.0.1",  # RFC 1918 private
    "172.16.5.4",
    "192.168.1.1",
    "127.0.0.1",  # loopback
    "169.254.169.254",  # link-local
    "100.64.0.1",  # RFC 6598 shared address space
    "192.0.2.10",  # RFC 5737 documentation
    "198.51.100.7",
    "203.0.113.10",
    "198.18.0.1",  # benchmarking
    "224.0.0.1",  # multicast
    "240.0.0.1",  # reserved
    "0.1.2.3",  # "this network"
    "::1",
    "fe80::1",
    "fc00::1",  # unique local
    "2001:db8::10",  # documentation
    "ff02::1",  # multicast
]


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_health_check_on_non_public_address_is_refused(r53: Any, address: str) -> None:
    """Route 53 API Reference, HealthCheckConfig, IPAddress, Constraints: no health checks on local, private,
    non-routable or multicast addresses (RFC 5735, RFC 6598, RFC 5156) -> InvalidInput."""
    code, status, message = refused(lambda: health_check(r53, address))
    assert (code, status) == ("InvalidInput", 400)
    assert address in message
    assert r53.list_health_checks()["HealthChecks"] == []


@pytest.mark.parametrize("address", [PUBLIC_V4, PUBLIC_V6, "8.8.8.8", "2001:4860:4860::8888"])
def test_health_check_on_public_address_is_accepted(r53: Any, address: str) -> None:
    """The near-twin: a public address is accepted, so the rule is not stricter than AWS."""
    check_id = health_check(r53, address)
    assert r53.get_health_check(HealthCheckId=check_id)["HealthCheck"]["HealthCheckConfig"]["IPAddress"] == address


def test_update_to_non_public_address_is_refused(r53: Any) -> None:
    """Route 53 API Reference, UpdateHealthCheck, IPAddress: the same constraint as CreateHealthCheck."""
    check_id = health_check(r53, PUBLIC_V4)
    assert refused(lambda: r53.update_health_check(HealthCheckId=check_id, IPAddress="192.0.2.44"))[:2] == ("InvalidInput", 400)
    assert r53.get_health_check(HealthCheckId=check_id)["HealthCheck"]["HealthCheckConfig"]["IPAddress"] == PUBLIC_V4
    r53.update_health_check(HealthCheckId=check_id, IPAddress="1.0.0.1")


# ---- route53.set_identifier_limit ------------------------------------------------------------------
def test_set_identifier_over_128_characters_is_refused(r53: Any, zone: str) -> None:
    """Route 53 API Reference, ResourceRecordSet, SetIdentifier: length 1-128 -> InvalidInput (request validation)."""
    long_id = "fo/" + "n" * 126
    code, status, message = refused(
        lambda: batch(r53, zone, ("CREATE", record("www.example.com", [PUBLIC_V4], SetIdentifier=long_id, Weight=1)))
    )
    assert (code, status) == ("InvalidInput", 400)
    assert "setIdentifier" in message and "128" in message
    batch(r53, zone, ("CREATE", record("www.example.com", [PUBLIC_V4], SetIdentifier=long_id[:128], Weight=1)))


# ---- route53.tag_limit ------------------------------------------------------------------------------
def test_tag_value_over_256_characters_is_refused(r53: Any) -> None:
    """Route 53 API Reference, Tag: Value at most 256 characters (and Key 128) -> InvalidInput."""
    check_id = health_check(r53, PUBLIC_V4)

    def tag(key: str, value: str) -> None:
        r53.change_tags_for_resource(ResourceType="healthcheck", ResourceId=check_id, AddTags=[{"Key": key, "Value": value}])

    assert refused(lambda: tag("Name", "v" * 257))[:2] == ("InvalidInput", 400)
    assert refused(lambda: tag("k" * 129, "v"))[:2] == ("InvalidInput", 400)
    tag("Name", "v" * 256)
    tags = r53.list_tags_for_resource(ResourceType="healthcheck", ResourceId=check_id)["ResourceTagSet"]["Tags"]
    assert tags == [{"Key": "Name", "Value": "v" * 256}]


# ---- route53.batch_limit ------------------------------------------------------------------------------
def _long_v6(index: int) -> str:
    """A 39-character IPv6 value (every group written out)."""
    return f"2606:4700:4700:0000:0000:0000:{index // 65536:04x}:{index % 65536:04x}"


def test_batch_over_32000_value_characters_is_refused(r53: Any, zone: str) -> None:
    """Route 53 Developer Guide, Quotas: at most 32,000 characters of Value elements per request -> InvalidChangeBatch."""
    values = [_long_v6(index) for index in range(830)]  # 830 records (under 1,000), 32,370 characters
    changes = [("CREATE", record(f"h{start}.example.com", values[start : start + 100], "AAAA")) for start in range(0, 830, 100)]
    code, status, message = refused(lambda: batch(r53, zone, *changes))
    assert (code, status) == ("InvalidChangeBatch", 400)
    assert "32000" in message
    batch(r53, zone, *changes[:-1])  # 800 values, 31,200 characters: accepted


def test_upsert_counts_twice(r53: Any, zone: str) -> None:
    """Route 53 Developer Guide, Quotas: with UPSERT each ResourceRecord and each Value character counts twice."""
    values = [_long_v6(index) for index in range(450)]  # 17,550 characters once, 35,100 as UPSERT
    changes = [(f"h{start}.example.com", values[start : start + 90]) for start in range(0, 450, 90)]
    batch(r53, zone, *[("CREATE", record(name, part, "AAAA")) for name, part in changes])
    code, _, message = refused(lambda: batch(r53, zone, *[("UPSERT", record(name, part, "AAAA")) for name, part in changes]))
    assert (code, "32000" in message) == ("InvalidChangeBatch", True)


def test_batch_over_1000_records_is_refused(r53: Any, zone: str) -> None:
    """Route 53 Developer Guide, Quotas: at most 1,000 ResourceRecord elements per request -> InvalidChangeBatch."""
    values = [f"1.1.{index // 256}.{index % 256}" for index in range(1001)]
    changes = [("CREATE", record(f"h{start}.example.com", values[start : start + 100])) for start in range(0, 1001, 100)]
    code, status, message = refused(lambda: batch(r53, zone, *changes))
    assert (code, status, message) == ("InvalidChangeBatch", 400, "Number of records limit of 1000 exceeded.")


# ---- cloudfront.alias_quota ------------------------------------------------------------------------------
def test_distribution_over_100_aliases_is_refused(aws: AwsBed) -> None:
    """CloudFront Developer Guide, Quotas: 100 alternate domain names per distribution by default;
    CloudFront API Reference, UpdateDistribution / CreateDistribution: TooManyDistributionCNAMEs."""
    cloudfront = aws.client("cloudfront", retries=NO_RETRIES)
    aliases = [f"site{index}.example.net" for index in range(100)]
    dist_id, _ = create_distribution(cloudfront, aliases=aliases)
    with pytest.raises(ClientError) as update:
        update_distribution(cloudfront, dist_id, aliases=[*aliases, "one-more.example.net"])
    assert error_of(update.value) == ("TooManyDistributionCNAMEs", 400)
    config = cloudfront.get_distribution_config(Id=dist_id)["DistributionConfig"]
    assert config["Aliases"]["Quantity"] == 100
    with pytest.raises(ClientError) as create:
        create_distribution(cloudfront, aliases=[f"other{index}.example.net" for index in range(101)])
    assert error_of(create.value) == ("TooManyDistributionCNAMEs", 400)
