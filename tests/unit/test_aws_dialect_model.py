"""Pure rules that keep the operator right on real AWS: identities from parsed certificates, trust, check updates."""

from __future__ import annotations

import datetime
from pathlib import Path

import certgen
import pytest
from failover_operator.aws.errors import Kind, kind_of
from failover_operator.aws.session import partition_problem
from failover_operator.model.certificates import held_certificate, key_type_of, serial_hex_of
from failover_operator.model.healthcheck import DEFAULT_REGIONS, needs_replacement, update_for
from failover_operator.model.trust import EXTRA_ANCHORS_VARIABLE, check_trust, extra_anchors_problem

NOW = datetime.datetime.now(datetime.UTC)
HOST = "www.example.com"


@pytest.mark.parametrize(("key", "expected"), [("rsa2048", "RSA 2048"), ("rsa4096", "RSA 4096"), ("ec256", "EC secp256r1")])
def test_key_type_comes_from_the_parsed_key(key: str, expected: str) -> None:
    issued = certgen.self_signed([HOST], key=key)
    assert key_type_of(issued.cert.public_key()) == expected
    held = held_certificate(issued.cert_pem)
    assert held is not None and held.key_type == expected


def test_held_certificate_serial_is_an_integer_whatever_its_rendering() -> None:
    """A serial with the top bit set: rendered with or without a leading 00, it is the same integer."""
    issued = certgen.make_leaf(None, [HOST], serial=0x80_11_22_33)
    held = held_certificate(issued.cert_pem)
    assert held is not None and held.serial == 0x80112233
    assert int(serial_hex_of(held.serial).replace(":", ""), 16) == int("00:80:11:22:33".replace(":", ""), 16)


def test_unparsable_pem_is_no_identity() -> None:
    assert held_certificate("-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n") is None


@pytest.fixture
def anchors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> certgen.Issued:
    ca = certgen.make_ca("unit test root")
    path = tmp_path / "anchors.pem"
    path.write_text(ca.cert_pem)
    monkeypatch.setenv(EXTRA_ANCHORS_VARIABLE, str(path))
    return ca


def test_chain_to_an_extra_anchor_is_trusted(anchors: certgen.Issued) -> None:
    intermediate = certgen.make_intermediate(anchors)
    leaf = certgen.make_leaf(intermediate, [HOST, "*.example.com"])
    assert check_trust(leaf.cert, [intermediate.cert], HOST, NOW) is None
    assert check_trust(leaf.cert, [intermediate.cert], "*.example.com", NOW) is None


@pytest.mark.parametrize("case", ["self-signed", "missing-intermediate", "other-root"])
def test_untrusted_chains_are_refused(anchors: certgen.Issued, case: str) -> None:
    intermediate = certgen.make_intermediate(anchors)
    if case == "self-signed":
        leaf, chain = certgen.self_signed([HOST]), []
    elif case == "missing-intermediate":
        leaf, chain = certgen.make_leaf(intermediate, [HOST]), []
    else:
        leaf, chain = certgen.make_leaf(certgen.make_ca("staging root"), [HOST]), []
    verdict = check_trust(leaf.cert, chain, HOST, NOW)
    assert verdict is not None
    assert "does not chain to a CA CloudFront trusts" in verdict.message
    assert "PRIVATE KEY" not in verdict.message


def test_extra_anchors_problems_are_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(EXTRA_ANCHORS_VARIABLE, str(tmp_path / "missing.pem"))
    assert "cannot read" in (extra_anchors_problem() or "")
    (tmp_path / "empty.pem").write_text("")
    monkeypatch.setenv(EXTRA_ANCHORS_VARIABLE, str(tmp_path / "empty.pem"))
    assert extra_anchors_problem() is not None
    monkeypatch.delenv(EXTRA_ANCHORS_VARIABLE)
    assert extra_anchors_problem() is None


def _check(**config: object) -> dict[str, object]:
    return {"Id": "hc", "HealthCheckVersion": 1, "HealthCheckConfig": {"Type": "HTTPS", "RequestInterval": 30, **config}}


def test_whether_an_ip_is_set_cannot_change_in_place() -> None:
    by_name = {"Type": "HTTPS", "RequestInterval": 30, "FullyQualifiedDomainName": "lb.example.net"}
    by_ip = {"Type": "HTTPS", "RequestInterval": 30, "IPAddress": "1.1.1.1"}
    assert needs_replacement(_check(**by_name), by_ip)  # adding an IPAddress
    assert needs_replacement(_check(**by_ip), by_name)  # removing it
    assert not needs_replacement(_check(**by_ip), {**by_ip, "IPAddress": "1.0.0.1"})  # changing it is an update


def test_default_regions_reported_by_aws_are_not_a_difference() -> None:
    desired = {"Type": "HTTPS", "RequestInterval": 30, "IPAddress": "1.1.1.1", "Port": 443}
    assert update_for(_check(IPAddress="1.1.1.1", Port=443, Regions=list(DEFAULT_REGIONS)), desired) == {}
    assert update_for(_check(IPAddress="1.1.1.1", Port=443, Regions=["us-east-1", "eu-west-1", "sa-east-1"]), desired) == {
        "ResetElements": ["Regions"]
    }


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        ("LimitExceededException", 400, Kind.QUOTA),
        ("LimitExceeded", 409, Kind.QUOTA),
        ("InvalidIfMatchVersion", 400, Kind.PRECONDITION_FAILED),
        ("PreconditionFailed", 412, Kind.PRECONDITION_FAILED),
        ("IllegalUpdate", 400, Kind.INVALID),
    ],
)
def test_error_kinds(code: str, status: int, kind: Kind) -> None:
    assert kind_of(code, status) is kind


@pytest.mark.parametrize("region", ["cn-north-1", "cn-northwest-1", "us-gov-west-1", "us-iso-east-1"])
def test_other_partitions_are_refused(region: str) -> None:
    problem = partition_problem(region)
    assert problem is not None and region in problem and "aws partition" in problem


@pytest.mark.parametrize("region", [None, "", "us-east-1", "eu-west-1", "ap-northeast-1"])
def test_the_aws_partition_is_fine(region: str | None) -> None:
    assert partition_problem(region) is None
