"""Bad input gets a precise condition reason, a Warning Event, and changes nothing in AWS.

Each case applies a FailoverDomain whose Secret or spec is wrong in one way,
waits for the expected reason on the expected condition, and then asserts the
fidelity layer recorded zero mutating AWS calls since the world was built.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import certgen
import pytest
from testbed.world import GENERATED_KEYS, World, create_distribution

HOSTS = ["www.example.com"]
NOW = datetime.datetime.now(datetime.UTC)


def _secret_from(issued: certgen.Issued) -> dict[str, str]:
    GENERATED_KEYS.append(issued.key_pem())
    return certgen.tls_secret_data(issued)


def _leaf(**kwargs: Any) -> certgen.Issued:
    return certgen.make_leaf(None, kwargs.pop("dns_names", HOSTS), **kwargs)


def _mismatched() -> dict[str, str]:
    one, other = certgen.self_signed(HOSTS, key="ec256"), certgen.self_signed(HOSTS, key="ec256")
    GENERATED_KEYS.append(other.key_pem())
    return {"tls.crt": certgen.b64(one.cert_pem), "tls.key": certgen.b64(other.key_pem())}


def _days(days: int) -> datetime.datetime:
    return NOW + datetime.timedelta(days=days)


def _from_untrusted_ca() -> certgen.Issued:
    """Like a cert-manager staging issuer: a real chain, to a root nobody trusts."""
    root = certgen.make_ca("(STAGING) Pretend Pear X1")
    return certgen.make_leaf(certgen.make_intermediate(root, "(STAGING) Artificial Apricot R3"), HOSTS)


def _empty_key() -> dict[str, str]:
    """The API server refuses a kubernetes.io/tls Secret without tls.key, but not an empty one."""
    return {"tls.crt": certgen.b64(certgen.self_signed(HOSTS).cert_pem), "tls.key": ""}


def _malformed() -> dict[str, str]:
    bad_pem = "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n"
    return {"tls.crt": certgen.b64(bad_pem), "tls.key": certgen.b64("garbage")}


TLS = "kubernetes.io/tls"
SECRET_CASES: dict[str, tuple[Callable[[], dict[str, str]], str, str]] = {
    "empty-key": (_empty_key, TLS, "SecretInvalid"),
    "wrong-type": (lambda: _secret_from(certgen.self_signed(HOSTS)), "Opaque", "SecretInvalid"),
    "malformed-pem": (_malformed, TLS, "SecretInvalid"),
    "key-mismatch": (_mismatched, TLS, "KeyMismatch"),
    "expired": (lambda: _secret_from(_leaf(not_before=_days(-100), not_after=_days(-1))), TLS, "CertificateExpired"),
    "not-yet-valid": (lambda: _secret_from(_leaf(not_before=_days(1), not_after=_days(90))), TLS, "CertificateNotYetValid"),
    "hostname-not-covered": (lambda: _secret_from(certgen.self_signed(["other.example.com"])), TLS, "HostnameNotCovered"),
    "unsupported-key-ec384": (lambda: _secret_from(certgen.self_signed(HOSTS, key="ec384")), TLS, "UnsupportedKeyType"),
    "unsupported-key-rsa1024": (lambda: _secret_from(certgen.self_signed(HOSTS, key="rsa1024")), TLS, "UnsupportedKeyType"),
    # CloudFront trusts only Mozilla's CAs (Developer Guide, "Requirements for using SSL/TLS certificates with
    # CloudFront"): ACM would import these, UpdateDistribution would refuse them for ever.
    "self-signed": (lambda: _secret_from(certgen.self_signed(HOSTS)), TLS, "CertificateNotTrusted"),
    "staging-issuer": (lambda: _secret_from(_from_untrusted_ca()), TLS, "CertificateNotTrusted"),
}


def _assert_rejected(world: World, name: str, condition: str, reason: str) -> None:
    world.wait_condition(name, condition, "False", reason)
    body = world.wait_condition(name, "Ready", "False", reason)
    later = [
        c
        for c in body["status"]["conditions"]
        if c["type"] in ("CertificateSynced", "HealthCheckReady") and c["status"] != "Unknown"
    ]
    assert later == [], "steps after a failed check are Unknown"
    assert any(kind == "Warning" and event_reason == reason for kind, event_reason, _ in world.events(name)), world.events(name)
    assert world.mutating_calls() == []


@pytest.mark.parametrize("case", sorted(SECRET_CASES))
def test_bad_secret_is_rejected_without_touching_aws(world: World, case: str) -> None:
    make_data, secret_type, reason = SECRET_CASES[case]
    world.put_secret("site-tls", make_data(), secret_type=secret_type)
    world.apply("site", world.spec(HOSTS))
    _assert_rejected(world, "site", "CertificateValid", reason)


def test_missing_secret_heals_when_it_appears_without_restart(world: World) -> None:
    world.apply("site", world.spec(HOSTS))
    _assert_rejected(world, "site", "CertificateValid", "SecretNotFound")
    world.tls_secret("site-tls", HOSTS)
    world.wait_ready("site")


def test_hostname_outside_the_zone(world: World) -> None:
    world.tls_secret("site-tls", ["www.example.org"])
    world.apply("site", world.spec(["www.example.org"]))
    _assert_rejected(world, "site", "RecordsReady", "HostnameOutsideZone")


def test_lookalike_zone_suffix_is_outside_the_zone(world: World) -> None:
    """`notexample.com` ends with `example.com` but is not inside it."""
    world.tls_secret("site-tls", ["notexample.com"])
    world.apply("site", world.spec(["notexample.com"]))
    _assert_rejected(world, "site", "RecordsReady", "HostnameOutsideZone")


@pytest.mark.parametrize("zone", [{"id": "ZNOSUCHZONE123"}, {"name": "nosuch.example"}])
def test_hosted_zone_not_found(world: World, zone: dict[str, str]) -> None:
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS, hostedZone=zone))
    _assert_rejected(world, "site", "RecordsReady", "HostedZoneNotFound")


def test_private_zone_given_by_id_is_refused(world: World) -> None:
    """A private zone answers only inside its VPCs (Route 53 Developer Guide, "Working with private hosted zones"):
    failing over there would change nothing for visitors. By name it is skipped; by id it must be refused too."""
    private = world.aws.client("route53").create_hosted_zone(
        Name="example.com",
        CallerReference=f"private-{world.namespace}",
        HostedZoneConfig={"PrivateZone": True, "Comment": "internal view"},
        VPC={"VPCRegion": "us-east-1", "VPCId": "vpc-12345678"},
    )["HostedZone"]
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS, hostedZone={"id": private["Id"].rsplit("/", 1)[-1]}))
    _assert_rejected(world, "site", "RecordsReady", "HostedZoneNotFound")
    assert "is private" in world.condition("site", "RecordsReady")["message"]


def test_distribution_not_found(world: World) -> None:
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS, secondary={"distributionId": "ENOSUCHDIST1"}))
    _assert_rejected(world, "site", "DistributionReady", "DistributionNotFound")


def test_alias_held_by_another_distribution(world: World) -> None:
    """CloudFront API Reference, UpdateDistribution errors: CNAMEAlreadyExists. Detected with reads before any import."""
    other = create_distribution(world.aws, comment="someone else's")
    config = world.aws.client("cloudfront").get_distribution_config(Id=other["Id"])
    issued = world.aws.issue(HOSTS)
    arn = world.aws.client("acm").import_certificate(Certificate=issued.cert_pem.encode(), PrivateKey=issued.key_pem().encode())
    distribution_config = config["DistributionConfig"]
    distribution_config["Aliases"] = {"Quantity": 1, "Items": HOSTS}
    distribution_config["ViewerCertificate"] = {
        "ACMCertificateArn": arn["CertificateArn"],
        "SSLSupportMethod": "sni-only",
        "MinimumProtocolVersion": "TLSv1.2_2021",
    }
    world.aws.client("cloudfront").update_distribution(
        Id=other["Id"], DistributionConfig=distribution_config, IfMatch=config["ETag"]
    )
    world.aws.control.clear_calls()
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS))
    _assert_rejected(world, "site", "DistributionReady", "AliasConflict")
