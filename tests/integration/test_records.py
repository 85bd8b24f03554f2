"""Record ownership: never overwrite what we do not own; adopt a simple record only when asked, atomically."""

from __future__ import annotations

from typing import Any

from testbed.world import World

HOSTS = ["www.example.com"]


def _simple(name: str, value: str, kind: str = "A") -> dict[str, Any]:
    return {"Name": name, "Type": kind, "TTL": 300, "ResourceRecords": [{"Value": value}]}


def _put(world: World, *records: dict[str, Any]) -> None:
    changes = [{"Action": "CREATE", "ResourceRecordSet": record} for record in records]
    world.aws.client("route53").change_resource_record_sets(HostedZoneId=world.zone_id, ChangeBatch={"Changes": changes})
    world.aws.control.clear_calls()


def test_existing_simple_record_blocks_with_record_conflict(world: World) -> None:
    _put(world, _simple("www.example.com.", "8.8.8.8"))
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS))
    body = world.wait_condition("site", "RecordsReady", "False", "RecordConflict")
    assert "adoptExistingRecords" in next(c for c in body["status"]["conditions"] if c["type"] == "RecordsReady")["message"]
    assert world.mutating_calls() == [], "a blocked FailoverDomain changes nothing, not even the certificate"
    assert world.records_named("www.example.com") == [
        {"Name": "www.example.com.", "Type": "A", "TTL": 300, "ResourceRecords": [{"Value": "8.8.8.8"}]}
    ]


def test_adoption_replaces_the_simple_record_in_one_batch(world: World) -> None:
    _put(world, _simple("www.example.com.", "8.8.8.8"))
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS, adoptExistingRecords=True))
    world.wait_ready("site")
    records = world.records_named("www.example.com")
    assert sorted(r["Failover"] for r in records) == ["PRIMARY", "SECONDARY"]
    batches = [operation for _, operation in world.mutating_calls() if operation == "ChangeResourceRecordSets"]
    assert batches == ["ChangeResourceRecordSets"], "delete of the simple record and create of the pair are one change"


def test_foreign_records_in_the_zone_are_never_touched(world: World) -> None:
    foreign = [
        _simple("api.example.com.", "8.8.4.4"),
        {"Name": "www.example.com.", "Type": "TXT", "TTL": 300, "ResourceRecords": [{"Value": '"v=spf1 -all"'}]},
        {"Name": "www.example.com.", "Type": "MX", "TTL": 300, "ResourceRecords": [{"Value": "10 mail.example.com."}]},
    ]
    _put(world, *foreign)
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS))
    world.wait_ready("site")
    world.patch_spec("site", {"primary": {"addresses": {"ipv4": ["9.9.9.9"]}}})
    world.wait_ready("site")
    world.delete("site")
    world.wait_gone("site")
    remaining = {(r["Name"], r["Type"]): r for r in world.records()}
    for record in foreign:
        assert remaining[(record["Name"], record["Type"])] == record


def test_two_failover_domains_in_one_zone_do_not_disturb_each_other(world: World) -> None:
    world.tls_secret("site-tls", ["www.example.com", "shop.example.com"])
    world.apply("www", world.spec(["www.example.com"]))
    world.apply("shop", world.spec(["shop.example.com"], primary={"addresses": {"ipv4": ["149.112.112.112"]}}))
    www, shop = world.wait_ready("www"), world.wait_ready("shop")
    assert www["status"]["healthCheckId"] != shop["status"]["healthCheckId"]
    shop_records = world.records_named("shop.example.com")
    world.delete("www")
    world.wait_gone("www")
    assert world.records_named("shop.example.com") == shop_records
    assert [c["Id"] for c in world.health_checks()] == [shop["status"]["healthCheckId"]]
    assert world.distribution_config()["Aliases"]["Items"] == ["shop.example.com"]
    world.wait_ready("shop")  # a shared distribution redeploys after the neighbour leaves: Ready again once Deployed


def test_same_hostname_in_two_failover_domains_is_a_hostname_conflict(world: World) -> None:
    world.tls_secret("site-tls", HOSTS)
    world.apply("first", world.spec(HOSTS))
    world.wait_ready("first")
    world.aws.control.clear_calls()
    world.apply("second", world.spec(HOSTS, primary={"addresses": {"ipv4": ["208.67.222.222"]}}))
    world.wait_condition("second", "RecordsReady", "False", "HostnameConflict")
    assert world.mutating_calls() == []
    world.wait_ready("first")
