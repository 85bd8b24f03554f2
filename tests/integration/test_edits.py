"""Spec edits converge with the minimal change, read back from AWS and the fidelity call record."""

from __future__ import annotations

from collections import Counter

from testbed.world import World, eventually

HOSTS = ["www.example.com", "shop.example.com"]


def _ready(world: World, hosts: list[str] = HOSTS, store: str = "ACM", **overrides: object) -> dict[str, object]:
    world.tls_secret("site-tls", ["*.example.com", "example.com"])
    world.apply("site", world.spec(hosts, certificate={"secretName": "site-tls", "store": store}, **overrides))
    body = world.wait_ready("site")
    world.aws.control.clear_calls()
    return body


def _edit(world: World, spec: dict[str, object]) -> dict[str, object]:
    world.patch_spec("site", spec)
    return world.wait_ready("site")


def _writes(world: World) -> Counter[str]:
    return Counter(operation for _, operation in world.mutating_calls())


def _a_records(world: World) -> dict[str, dict[str, dict[str, object]]]:
    result: dict[str, dict[str, dict[str, object]]] = {}
    for record in world.records():
        if record.get("Failover"):
            result.setdefault(f"{record['Name']} {record['Type']}", {})[record["Failover"]] = record
    return result


def test_add_and_remove_a_hostname(world: World) -> None:
    _ready(world)
    _edit(world, {"hostnames": [*HOSTS, "blog.example.com"]})
    assert "blog.example.com" in world.distribution_config()["Aliases"]["Items"]
    assert "blog.example.com. A" in _a_records(world)
    assert _writes(world) == Counter({"UpdateDistribution": 1, "ChangeResourceRecordSets": 1})
    world.aws.control.clear_calls()
    _edit(world, {"hostnames": ["www.example.com"]})
    assert sorted(world.distribution_config()["Aliases"]["Items"]) == ["www.example.com"]
    assert sorted(_a_records(world)) == ["www.example.com. A"]
    assert _writes(world) == Counter({"UpdateDistribution": 1, "ChangeResourceRecordSets": 1})


def test_change_primary_addresses_adds_aaaa(world: World) -> None:
    _ready(world)
    _edit(world, {"primary": {"addresses": {"ipv4": ["1.0.0.1"], "ipv6": ["2606:4700:4700::1001"]}}})
    records = _a_records(world)
    assert records["www.example.com. A"]["PRIMARY"]["ResourceRecords"] == [{"Value": "1.0.0.1"}]
    assert records["www.example.com. AAAA"]["PRIMARY"]["ResourceRecords"] == [{"Value": "2606:4700:4700::1001"}]
    assert records["www.example.com. AAAA"]["SECONDARY"]["AliasTarget"]["HostedZoneId"] == "Z2FDTNDATAQYW2"
    check = world.health_checks()[0]["HealthCheckConfig"]
    assert check["IPAddress"] == "1.0.0.1"
    assert _writes(world) == Counter({"UpdateHealthCheck": 1, "ChangeResourceRecordSets": 1})


def test_switch_to_an_alias_primary(world: World) -> None:
    _ready(world)
    alias = {"dnsName": "my-lb-123.us-east-1.elb.amazonaws.com", "hostedZoneId": "Z35SXDOTRQ7X7K"}
    _edit(world, {"primary": {"addresses": None, "alias": alias}})
    primary = _a_records(world)["www.example.com. A"]["PRIMARY"]
    assert primary["AliasTarget"]["DNSName"] == "my-lb-123.us-east-1.elb.amazonaws.com."
    assert "ResourceRecords" not in primary
    check = world.health_checks()[0]["HealthCheckConfig"]
    assert check["FullyQualifiedDomainName"] == "my-lb-123.us-east-1.elb.amazonaws.com"
    assert "IPAddress" not in check or not check["IPAddress"]


def test_change_health_check_path_updates_in_place(world: World) -> None:
    body = _ready(world)
    _edit(world, {"healthCheck": {"path": "/status"}})
    checks = world.health_checks()
    assert [c["Id"] for c in checks] == [body["status"]["healthCheckId"]]  # type: ignore[index]
    assert checks[0]["HealthCheckConfig"]["ResourcePath"] == "/status"
    assert checks[0]["HealthCheckVersion"] == 2
    assert _writes(world) == Counter({"UpdateHealthCheck": 1})


def test_change_request_interval_replaces_the_check_after_records_move(world: World) -> None:
    body = _ready(world)
    old_id = body["status"]["healthCheckId"]  # type: ignore[index]
    after = _edit(world, {"healthCheck": {"path": "/healthz", "requestInterval": 10}})
    new_id = after["status"]["healthCheckId"]  # type: ignore[index]
    assert new_id != old_id
    assert [c["Id"] for c in world.health_checks()] == [new_id]
    assert world.health_checks()[0]["HealthCheckConfig"]["RequestInterval"] == 10
    assert {r["PRIMARY"]["HealthCheckId"] for r in _a_records(world).values()} == {new_id}
    assert after["status"]["healthCheckGeneration"] == 2  # type: ignore[index]
    operations = [operation for _, operation in world.mutating_calls()]
    assert operations.index("ChangeResourceRecordSets") < operations.index("DeleteHealthCheck")
    assert Counter(operations) == Counter(
        {"CreateHealthCheck": 1, "ChangeTagsForResource": 1, "ChangeResourceRecordSets": 1, "DeleteHealthCheck": 1}
    )


def test_switch_store_acm_to_iam_and_back(world: World) -> None:
    body = _ready(world)
    arn = body["status"]["certificate"]["arn"]  # type: ignore[index]
    after = _edit(world, {"certificate": {"secretName": "site-tls", "store": "IAM"}})
    certificate = after["status"]["certificate"]  # type: ignore[index]
    assert world.distribution_config()["ViewerCertificate"]["IAMCertificateId"] == certificate["serverCertificateId"]

    def acm_gone() -> bool:
        arns = [
            c["CertificateArn"]
            for c in world.aws.client("acm").list_certificates(Includes={"keyTypes": ["RSA_2048"]})["CertificateSummaryList"]
        ]
        return arn not in arns

    eventually(acm_gone, 30, lambda: f"ACM certificate {arn} still exists")
    world.aws.control.clear_calls()
    back = _edit(world, {"certificate": {"secretName": "site-tls", "store": "ACM"}})
    new_arn = back["status"]["certificate"]["arn"]  # type: ignore[index]
    assert world.distribution_config()["ViewerCertificate"]["ACMCertificateArn"] == new_arn
    eventually(
        lambda: world.aws.client("iam").list_server_certificates()["ServerCertificateMetadataList"] == [],
        30,
        lambda: "IAM certificate not deleted",
    )
