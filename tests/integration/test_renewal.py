"""Certificate renewal: a Secret renewed the way cert-manager does it reaches AWS and the distribution.

cert-manager renews by replacing ``tls.crt``/``tls.key`` in place. ACM: re-import
into the same ARN (the distribution never changes). IAM: bodies are immutable,
so the new certificate is uploaded under a new name, the distribution switched,
and the old one deleted only once the distribution is Deployed without it.
"""

from __future__ import annotations

import certgen
from kubernetes import client
from testbed.world import GENERATED_KEYS, World, eventually

HOSTS = ["www.example.com"]


def _renew(world: World, key: str = "rsa2048") -> certgen.Issued:
    issued = world.aws.issue(HOSTS, key=key)
    GENERATED_KEYS.append(issued.key_pem())
    world.put_secret("site-tls", certgen.tls_secret_data(issued))
    return issued


def _acm_serial(world: World, arn: str) -> int:
    serial = world.aws.client("acm").describe_certificate(CertificateArn=arn)["Certificate"]["Serial"]
    return int(serial.replace(":", ""), 16)


def test_acm_renewal_reimports_into_the_same_arn(world: World) -> None:
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS))
    arn = world.wait_ready("site")["status"]["certificate"]["arn"]
    world.aws.control.clear_calls()
    renewed = _renew(world)
    eventually(lambda: _acm_serial(world, arn) == renewed.cert.serial_number, 30, lambda: "renewal did not reach ACM")

    def status_shows_renewal() -> dict[str, object] | None:
        body = world.wait_ready("site")
        serial = int(body["status"]["certificate"]["serialNumber"].replace(":", ""), 16)
        return body if serial == renewed.cert.serial_number else None

    body = eventually(status_shows_renewal, 30, lambda: "status does not show the renewed serial")
    assert body["status"]["certificate"]["arn"] == arn
    assert world.distribution_config()["ViewerCertificate"]["ACMCertificateArn"] == arn
    writes = [operation for _, operation in world.mutating_calls()]
    assert writes == ["ImportCertificate"], "a renewal is one re-import: no tags, no distribution update"


def test_iam_renewal_switches_and_deletes_the_old_certificate_after_deploy(world: World) -> None:
    world.aws.control.set_delays(cloudfront_deploy_seconds=2)
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS, certificate={"secretName": "site-tls", "store": "IAM"}))
    old = world.wait_ready("site")["status"]["certificate"]
    world.aws.control.clear_calls()
    _renew(world)

    def switched() -> bool:
        viewer = world.distribution_config()["ViewerCertificate"]
        return viewer.get("IAMCertificateId") not in (None, old["serverCertificateId"])

    eventually(switched, 30, lambda: "distribution not switched to the renewed IAM certificate")
    eventually(
        lambda: len(world.aws.client("iam").list_server_certificates()["ServerCertificateMetadataList"]) == 1,
        30,
        lambda: "old IAM certificate not deleted",
    )
    new = world.wait_ready("site")["status"]["certificate"]
    assert new["serverCertificateName"] != old["serverCertificateName"]
    calls = world.aws.control.calls()
    update = next(c["time"] for c in calls if c["operation"] == "UpdateDistribution")
    delete = next(c for c in calls if c["operation"] == "DeleteServerCertificate")
    assert delete["error"] is None and delete["time"] >= update + 2, "deleted only once the switch was Deployed"
    assert not [c for c in calls if c["error"] == "DeleteConflict"], "never tried while the distribution still used it"


def test_key_type_change_swaps_acm_arns_cleanly(world: World) -> None:
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS))
    old_arn = world.wait_ready("site")["status"]["certificate"]["arn"]
    _renew(world, key="ec256")

    def swapped() -> str | None:
        arn = world.distribution_config()["ViewerCertificate"].get("ACMCertificateArn")
        return arn if arn != old_arn else None

    new_arn = eventually(swapped, 30, lambda: "distribution still on the RSA certificate")
    acm = world.aws.client("acm")
    described = acm.describe_certificate(CertificateArn=new_arn)["Certificate"]
    assert described["KeyAlgorithm"] == "EC-prime256v1"  # as AWS spells it in responses (rule acm.key_algorithm)

    def listed() -> list[str]:
        summaries = acm.list_certificates(Includes={"keyTypes": ["RSA_2048", "EC_prime256v1"]})["CertificateSummaryList"]
        return [c["CertificateArn"] for c in summaries]

    eventually(lambda: listed() == [new_arn], 30, lambda: f"old ARN not deleted: {listed()}")
    assert world.wait_ready("site")["status"]["certificate"]["arn"] == new_arn


def test_metadata_only_secret_update_changes_nothing(world: World) -> None:
    world.tls_secret("site-tls", HOSTS)
    world.apply("site", world.spec(HOSTS))
    arn = world.wait_ready("site")["status"]["certificate"]["arn"]
    world.aws.control.clear_calls()
    core = client.CoreV1Api(world.kube)
    core.patch_namespaced_secret("site-tls", world.namespace, {"metadata": {"labels": {"touched": "yes"}}})
    renewed = _renew(world)  # Secret events arrive in order: once this is in AWS, the label update was handled
    eventually(lambda: _acm_serial(world, arn) == renewed.cert.serial_number, 30, lambda: "renewal did not reach ACM")
    world.wait_settled("site")  # the whole pass, not only its first write: later steps must write nothing either
    assert [operation for _, operation in world.mutating_calls()] == ["ImportCertificate"]


def test_expiring_certificate_warns_but_stays_ready(world: World) -> None:
    now = certgen.now()
    issued = certgen.make_leaf(
        world.aws.ca(),
        HOSTS,
        not_before=now - certgen.datetime.timedelta(days=80),
        not_after=now + certgen.datetime.timedelta(days=5),
    )
    GENERATED_KEYS.append(issued.key_pem())
    world.put_secret("site-tls", certgen.tls_secret_data(issued))
    world.apply("site", world.spec(HOSTS))
    body = world.wait_condition("site", "CertificateValid", "True", "ExpiringSoon")
    assert "has not been renewed" in next(c for c in body["status"]["conditions"] if c["type"] == "CertificateValid")["message"]
    world.wait_ready("site")
    assert any(kind == "Warning" and reason == "ExpiringSoon" for kind, reason, _ in world.events("site"))
    _renew(world)
    world.wait_condition("site", "CertificateValid", "True", "Valid")
