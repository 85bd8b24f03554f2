"""ACM behaves as AWS documents it: InUseBy, in-use deletes, re-import, key checks, serial format.

Each test depends on one fidelity rule (named in its docstring) and fails when
the bed is launched with ``FIDELITY_DISABLED_RULES=<rule>``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from bed.fidelity_helpers import (
    acm_viewer,
    create_distribution,
    error_of,
    import_acm,
    trusted,
    update_distribution,
    wait_for_status,
)
from botocore.exceptions import ClientError
from testbed.awsbed import AwsBed
from testbed.pki_samples import key_pem, private_key, self_signed

COLON_HEX = re.compile(r"[0-9a-f]{2}(:[0-9a-f]{2})*")


def _describe(acm: Any, arn: str) -> dict[str, Any]:
    return acm.describe_certificate(CertificateArn=arn)["Certificate"]  # type: ignore[no-any-return]


def _tags(acm: Any, arn: str) -> dict[str, str]:
    return {tag["Key"]: tag.get("Value", "") for tag in acm.list_tags_for_certificate(CertificateArn=arn)["Tags"]}


# ---- acm.in_use --------------------------------------------------------------------


def test_in_use_by_lists_the_distribution_and_blocks_delete(aws: AwsBed) -> None:
    """Rule acm.in_use. ACM API Reference, CertificateDetail data type: InUseBy lists the ARNs of the AWS
    resources using the certificate; DeleteCertificate: Errors — ResourceInUseException while it is in use
    ("You cannot delete an ACM certificate that is being used by another AWS service")."""
    acm, cloudfront = aws.client("acm"), aws.client("cloudfront")
    arn = import_acm(acm, trusted(aws, ["www.example.com"]))
    dist_id, _ = create_distribution(cloudfront, ["www.example.com"], acm_viewer(arn))
    dist_arn = cloudfront.get_distribution(Id=dist_id)["Distribution"]["ARN"]

    assert _describe(acm, arn)["InUseBy"] == [dist_arn]
    summaries = acm.list_certificates()["CertificateSummaryList"]
    assert [summary["InUse"] for summary in summaries if summary["CertificateArn"] == arn] == [True]
    with pytest.raises(ClientError) as in_use:
        acm.delete_certificate(CertificateArn=arn)
    assert error_of(in_use.value)[0] == "ResourceInUseException"
    assert _describe(acm, arn)["CertificateArn"] == arn


def test_certificate_is_released_once_the_switch_is_deployed(aws: AwsBed) -> None:
    """Rule acm.in_use. ACM API Reference, DeleteCertificate: a certificate can be deleted once no resource
    uses it; CloudFront Developer Guide, Rotate SSL/TLS certificates: until the update is Deployed the old
    certificate is still served, so it stays in InUseBy until then."""
    acm, cloudfront = aws.client("acm"), aws.client("cloudfront")
    old = import_acm(acm, trusted(aws, ["www.example.com"]))
    new = import_acm(acm, trusted(aws, ["www.example.com"]))
    aws.control.set_delays(cloudfront_deploy_seconds=0.3)
    dist_id, _ = create_distribution(cloudfront, ["www.example.com"], acm_viewer(old))
    wait_for_status(cloudfront, dist_id, "Deployed")

    aws.control.set_delays(cloudfront_deploy_seconds=3)
    update_distribution(cloudfront, dist_id, viewer=acm_viewer(new))
    assert len(_describe(acm, old)["InUseBy"]) == 1
    with pytest.raises(ClientError) as in_use:
        acm.delete_certificate(CertificateArn=old)
    assert error_of(in_use.value)[0] == "ResourceInUseException"

    wait_for_status(cloudfront, dist_id, "Deployed")
    assert _describe(acm, old)["InUseBy"] == []
    acm.delete_certificate(CertificateArn=old)
    assert [summary["CertificateArn"] for summary in acm.list_certificates()["CertificateSummaryList"]] == [new]


# ---- acm.reimport ------------------------------------------------------------------


def test_reimport_keeps_tags(aws: AwsBed) -> None:
    """Rule acm.reimport. ACM User Guide, Reimport a certificate: reimporting preserves the certificate's ARN
    and associations; tags applied at import stay with the certificate (ImportCertificate: Tags)."""
    acm = aws.client("acm")
    arn = import_acm(acm, self_signed(["www.example.com"]), Tags=[{"Key": "owner", "Value": "failover"}])
    renewed = self_signed(["www.example.com"], days=400)

    assert import_acm(acm, renewed, CertificateArn=arn) == arn
    assert _tags(acm, arn) == {"owner": "failover"}
    assert _describe(acm, arn)["NotAfter"] == renewed.not_after


def test_reimport_with_tags_is_refused(aws: AwsBed) -> None:
    """Rule acm.reimport. ACM API Reference, ImportCertificate: Tags — "You cannot apply tags when reimporting
    a certificate"; ACM answers ValidationException and keeps the certificate as it was."""
    acm = aws.client("acm")
    original = self_signed(["www.example.com"])
    arn = import_acm(acm, original, Tags=[{"Key": "owner", "Value": "failover"}])

    with pytest.raises(ClientError) as tagged:
        import_acm(acm, self_signed(["www.example.com"]), CertificateArn=arn, Tags=[{"Key": "extra", "Value": "x"}])
    assert error_of(tagged.value)[0] == "ValidationException"
    assert _tags(acm, arn) == {"owner": "failover"}
    assert _describe(acm, arn)["NotAfter"] == original.not_after


@pytest.mark.parametrize(("before", "after"), [("rsa2048", "ec256"), ("ec256", "ec384"), ("rsa2048", "rsa1024")])
def test_reimport_with_another_key_type_is_refused(aws: AwsBed, before: str, after: str) -> None:
    """Rule acm.reimport. ACM User Guide, Reimport a certificate: "The key type and size cannot be changed";
    ImportCertificate answers ValidationException and the stored certificate keeps its KeyAlgorithm."""
    acm = aws.client("acm")
    arn = import_acm(acm, self_signed(["www.example.com"], before))  # type: ignore[arg-type]
    algorithm = _describe(acm, arn)["KeyAlgorithm"]

    with pytest.raises(ClientError) as changed:
        import_acm(acm, self_signed(["www.example.com"], after), CertificateArn=arn)  # type: ignore[arg-type]
    assert error_of(changed.value)[0] == "ValidationException"
    assert _describe(acm, arn)["KeyAlgorithm"] == algorithm


# ---- acm.validate ------------------------------------------------------------------


def test_key_of_another_certificate_is_refused(aws: AwsBed) -> None:
    """Rule acm.validate. ACM API Reference, ImportCertificate: PrivateKey is "the private key that matches the
    public key in the certificate"; a mismatch answers ValidationException and nothing is imported."""
    acm = aws.client("acm")
    sample = self_signed(["www.example.com"])
    with pytest.raises(ClientError) as mismatch:
        acm.import_certificate(Certificate=sample.cert_pem.encode(), PrivateKey=key_pem(private_key()).encode())
    assert error_of(mismatch.value)[0] == "ValidationException"
    assert acm.list_certificates()["CertificateSummaryList"] == []


# ---- acm.serial --------------------------------------------------------------------


def test_serial_is_colon_separated_hex(aws: AwsBed) -> None:
    """Rule acm.serial. ACM API Reference, CertificateDetail data type: Serial — "The serial number of the
    certificate", returned as colon-separated lowercase hex byte pairs (e.g. "0a:1b:2c")."""
    acm = aws.client("acm")
    sample = self_signed(["www.example.com"])
    serial = _describe(acm, import_acm(acm, sample))["Serial"]

    assert COLON_HEX.fullmatch(serial), serial
    assert int(serial.replace(":", ""), 16) == sample.serial
