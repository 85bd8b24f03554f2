"""IAM server certificates behave as AWS documents them: ids, dates, names, paths, validation, delete conflicts.

Each test depends on one fidelity rule (named in its docstring) and fails when
the bed is launched with ``FIDELITY_DISABLED_RULES=<rule>``.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from bed.fidelity_helpers import (
    create_distribution,
    error_of,
    iam_viewer,
    trusted,
    update_distribution,
    upload_iam,
    wait_for_status,
)
from botocore.exceptions import ClientError
from testbed.awsbed import AwsBed
from testbed.pki_samples import key_pem, private_key, self_signed

SERVER_CERTIFICATE_ID = re.compile(r"ASCA[A-Z0-9]{17}")


def _names(iam: Any, **kwargs: Any) -> list[str]:
    return [meta["ServerCertificateName"] for meta in iam.list_server_certificates(**kwargs)["ServerCertificateMetadataList"]]


# ---- iam.unique_id -----------------------------------------------------------------


def test_each_certificate_gets_its_own_id_and_real_dates(aws: AwsBed) -> None:
    """Rule iam.unique_id. IAM API Reference, ServerCertificateMetadata data type: ServerCertificateId is the
    stable, unique id of the certificate; UploadDate is when it was uploaded; Expiration is the certificate's
    expiry. IAM User Guide, IAM identifiers — Unique IDs: server certificate ids begin with ASCA."""
    iam = aws.client("iam")
    before = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=5)
    first_sample, second_sample = self_signed(["a.example.com"], days=30), self_signed(["b.example.com"], days=90)
    first = upload_iam(iam, "first", first_sample)
    second = upload_iam(iam, "second", second_sample)

    assert SERVER_CERTIFICATE_ID.fullmatch(first["ServerCertificateId"])
    assert SERVER_CERTIFICATE_ID.fullmatch(second["ServerCertificateId"])
    assert first["ServerCertificateId"] != second["ServerCertificateId"]

    read_back = iam.get_server_certificate(ServerCertificateName="second")["ServerCertificate"]["ServerCertificateMetadata"]
    assert read_back["ServerCertificateId"] == second["ServerCertificateId"]
    assert before <= read_back["UploadDate"] <= datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=5)
    assert read_back["Expiration"] == second_sample.not_after

    listed = {meta["ServerCertificateName"]: meta for meta in iam.list_server_certificates()["ServerCertificateMetadataList"]}
    assert listed["first"]["ServerCertificateId"] == first["ServerCertificateId"]
    assert listed["first"]["Expiration"] == first_sample.not_after


# ---- iam.duplicate_name ------------------------------------------------------------


def test_uploading_an_existing_name_is_refused(aws: AwsBed) -> None:
    """Rule iam.duplicate_name. IAM API Reference, UploadServerCertificate: Errors — EntityAlreadyExists (HTTP 409)."""
    iam = aws.client("iam")
    original = self_signed(["www.example.com"])
    upload_iam(iam, "site", original)

    with pytest.raises(ClientError) as duplicate:
        upload_iam(iam, "site", self_signed(["www.example.com"]))
    assert error_of(duplicate.value) == ("EntityAlreadyExists", 409)
    assert _names(iam) == ["site"]
    body = iam.get_server_certificate(ServerCertificateName="site")["ServerCertificate"]["CertificateBody"]
    assert body.strip() == original.cert_pem.strip()


# ---- iam.path_prefix ---------------------------------------------------------------


def test_list_honours_path_prefix(aws: AwsBed) -> None:
    """Rule iam.path_prefix. IAM API Reference, ListServerCertificates: PathPrefix — only certificates whose
    path starts with the prefix are listed (default "/", all)."""
    iam = aws.client("iam")
    upload_iam(iam, "site", self_signed(["www.example.com"]), path="/cloudfront/site/")
    upload_iam(iam, "elb", self_signed(["lb.example.com"]), path="/elb/")

    assert _names(iam, PathPrefix="/cloudfront/") == ["site"]
    assert _names(iam, PathPrefix="/elb/") == ["elb"]
    assert sorted(_names(iam)) == ["elb", "site"]


# ---- iam.validate ------------------------------------------------------------------


@pytest.mark.parametrize("part", ["CertificateBody", "PrivateKey"])
def test_unparsable_pem_is_malformed(aws: AwsBed, part: str) -> None:
    """Rule iam.validate. IAM API Reference, UploadServerCertificate: Errors — MalformedCertificate when the
    certificate body or private key is not valid PEM (IAM User Guide, Managing server certificates in IAM)."""
    iam = aws.client("iam")
    sample = self_signed(["www.example.com"])
    arguments = {"ServerCertificateName": "site", "CertificateBody": sample.cert_pem, "PrivateKey": sample.key_pem}
    arguments[part] = "-----BEGIN GARBAGE-----\nnot base64\n-----END GARBAGE-----\n"
    with pytest.raises(ClientError) as malformed:
        iam.upload_server_certificate(**arguments)
    assert error_of(malformed.value) == ("MalformedCertificate", 400)
    assert _names(iam) == []


def test_key_of_another_certificate_is_a_mismatch(aws: AwsBed) -> None:
    """Rule iam.validate. IAM API Reference, UploadServerCertificate: Errors — KeyPairMismatch when the public
    key in the certificate does not match the private key."""
    iam = aws.client("iam")
    sample = self_signed(["www.example.com"])
    with pytest.raises(ClientError) as mismatch:
        iam.upload_server_certificate(
            ServerCertificateName="site", CertificateBody=sample.cert_pem, PrivateKey=key_pem(private_key()), Path="/cloudfront/"
        )
    assert error_of(mismatch.value) == ("KeyPairMismatch", 400)
    assert _names(iam) == []


# ---- iam.delete_conflict -----------------------------------------------------------


def test_certificate_used_by_a_distribution_cannot_be_deleted(aws: AwsBed) -> None:
    """Rule iam.delete_conflict. IAM API Reference, DeleteServerCertificate: Errors — DeleteConflict (HTTP 409),
    the certificate has attached entities (here the distribution that serves it); the certificate stays."""
    iam, cloudfront = aws.client("iam"), aws.client("cloudfront")
    cert_id = upload_iam(iam, "site", trusted(aws, ["www.example.com"]))["ServerCertificateId"]
    create_distribution(cloudfront, ["www.example.com"], iam_viewer(cert_id))

    with pytest.raises(ClientError) as conflict:
        iam.delete_server_certificate(ServerCertificateName="site")
    assert error_of(conflict.value) == ("DeleteConflict", 409)
    assert _names(iam) == ["site"]


def test_old_certificate_stays_in_use_until_the_switch_is_deployed(aws: AwsBed) -> None:
    """Rule iam.delete_conflict. CloudFront Developer Guide, Rotate SSL/TLS certificates: update the distributions,
    then delete the old certificate; until the update is Deployed the edges still serve the old one, so
    IAM API Reference, DeleteServerCertificate: Errors — DeleteConflict (HTTP 409) until then."""
    iam, cloudfront = aws.client("iam"), aws.client("cloudfront")
    old_id = upload_iam(iam, "old", trusted(aws, ["www.example.com"]))["ServerCertificateId"]
    new_id = upload_iam(iam, "new", trusted(aws, ["www.example.com"]))["ServerCertificateId"]
    aws.control.set_delays(cloudfront_deploy_seconds=0.3)
    dist_id, _ = create_distribution(cloudfront, ["www.example.com"], iam_viewer(old_id))
    wait_for_status(cloudfront, dist_id, "Deployed")

    aws.control.set_delays(cloudfront_deploy_seconds=3)
    update_distribution(cloudfront, dist_id, viewer=iam_viewer(new_id))
    with pytest.raises(ClientError) as conflict:
        iam.delete_server_certificate(ServerCertificateName="old")
    assert error_of(conflict.value) == ("DeleteConflict", 409)
    assert cloudfront.get_distribution(Id=dist_id)["Distribution"]["Status"] == "InProgress"

    wait_for_status(cloudfront, dist_id, "Deployed")
    iam.delete_server_certificate(ServerCertificateName="old")
    assert _names(iam) == ["new"]
