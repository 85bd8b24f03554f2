"""Pre-flight checks of TLS Secrets (failover_operator.model.certificates), on certificates generated per test run."""

from __future__ import annotations

import base64
import datetime
import hashlib

import pytest
from certgen import Issued, b64, make_ca, make_intermediate, make_key, make_leaf, self_signed, tls_secret_data
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from failover_operator.model.certificates import (
    CertificateBundle,
    CertificateRejected,
    Reason,
    check_tls_secret,
    secret_not_found,
)

TLS = "kubernetes.io/tls"
HOSTS = ["www.example.com", "example.com"]
NOW = datetime.datetime.now(datetime.UTC)


@pytest.fixture(scope="module")
def root() -> Issued:
    return make_ca()


@pytest.fixture(scope="module")
def intermediate(root: Issued) -> Issued:
    return make_intermediate(root)


@pytest.fixture(scope="module")
def leaf(intermediate: Issued) -> Issued:
    return make_leaf(intermediate, HOSTS, key="ec256")


def check(data: dict[str, str] | None, hostnames: list[str] | None = None, **kwargs: object) -> object:
    return check_tls_secret(TLS, data, HOSTS if hostnames is None else hostnames, kwargs.pop("now", NOW), **kwargs)  # type: ignore[arg-type]


def accepted(result: object) -> CertificateBundle:
    assert isinstance(result, CertificateBundle), result
    return result


def rejected(result: object, reason: str) -> CertificateRejected:
    assert isinstance(result, CertificateRejected), result
    assert result.reason == reason, result
    return result


def pem_blocks(text: str) -> list[str]:
    return [part + "-----END CERTIFICATE-----\n" for part in text.split("-----END CERTIFICATE-----\n") if part.strip()]


# --- 1. Secret shape -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("secret_type", ["Opaque", "kubernetes.io/basic-auth", "", None])
def test_wrong_secret_type_is_invalid(leaf: Issued, secret_type: str | None) -> None:
    result = rejected(check_tls_secret(secret_type, tls_secret_data(leaf), HOSTS, NOW), Reason.SECRET_INVALID)
    assert "expected kubernetes.io/tls" in result.message
    assert f"Secret type is {secret_type or 'unset'}" in result.message


def test_data_none_is_invalid() -> None:
    assert "tls.crt" in rejected(check(None), Reason.SECRET_INVALID).message


@pytest.mark.parametrize("missing", ["tls.crt", "tls.key"])
def test_missing_entry_is_named(leaf: Issued, missing: str) -> None:
    data = tls_secret_data(leaf)
    del data[missing]
    assert f"no {missing}" in rejected(check(data), Reason.SECRET_INVALID).message


@pytest.mark.parametrize("empty", ["tls.crt", "tls.key"])
def test_empty_entry_is_named(leaf: Issued, empty: str) -> None:
    data = tls_secret_data(leaf) | {empty: ""}
    assert empty in rejected(check(data), Reason.SECRET_INVALID).message


@pytest.mark.parametrize("entry", ["tls.crt", "tls.key"])
def test_whitespace_only_content_is_empty(leaf: Issued, entry: str) -> None:
    data = tls_secret_data(leaf) | {entry: b64(" \n")}
    assert f"{entry} is empty" in rejected(check(data), Reason.SECRET_INVALID).message


@pytest.mark.parametrize("entry", ["tls.crt", "tls.key"])
def test_invalid_base64_is_invalid(leaf: Issued, entry: str) -> None:
    data = tls_secret_data(leaf) | {entry: "not*base64!"}
    message = rejected(check(data), Reason.SECRET_INVALID).message
    assert entry in message and "base64" in message


def test_ca_crt_is_optional_and_ignored(root: Issued, intermediate: Issued, leaf: Issued) -> None:
    bundle = accepted(check(tls_secret_data(leaf, [intermediate], ca=root) | {"ca.crt": "garbage!"}))
    assert bundle.chain_pem == intermediate.cert_pem


def test_secret_not_found_helper() -> None:
    result = secret_not_found("web", "miteru-tls")
    assert result.reason == Reason.SECRET_NOT_FOUND == "SecretNotFound"
    assert "web/miteru-tls" in result.message


# --- 2. PEM parsing --------------------------------------------------------------------------------------------------


def test_tls_crt_without_pem_is_invalid(leaf: Issued) -> None:
    data = tls_secret_data(leaf) | {"tls.crt": b64("hello")}
    assert rejected(check(data), Reason.SECRET_INVALID).message.startswith("tls.crt: no PEM certificate")


def test_tls_crt_in_der_is_invalid(leaf: Issued) -> None:
    data = tls_secret_data(leaf) | {"tls.crt": b64(leaf.der)}
    assert rejected(check(data), Reason.SECRET_INVALID).message.startswith("tls.crt:")


def test_malformed_certificate_names_its_position_not_its_content(leaf: Issued, intermediate: Issued) -> None:
    garbage = "-----BEGIN CERTIFICATE-----\nTUlJQm9ndXNDZXJ0aWZpY2F0ZURhdGE=\n-----END CERTIFICATE-----\n"
    data = tls_secret_data(leaf) | {"tls.crt": b64(leaf.cert_pem + intermediate.cert_pem + garbage)}
    message = rejected(check(data), Reason.SECRET_INVALID).message
    assert message.startswith("tls.crt: certificate 3 of 3")
    assert "TUlJ" not in message


def test_truncated_certificate_is_invalid(leaf: Issued, intermediate: Issued) -> None:
    truncated = intermediate.cert_pem.split("-----END")[0]
    data = tls_secret_data(leaf) | {"tls.crt": b64(leaf.cert_pem + truncated)}
    assert "truncated" in rejected(check(data), Reason.SECRET_INVALID).message


@pytest.mark.parametrize(
    ("key", "fmt", "label"),
    [
        ("rsa2048", "pkcs1", "RSA PRIVATE KEY"),
        ("rsa2048", "pkcs8", "PRIVATE KEY"),
        ("ec256", "sec1", "EC PRIVATE KEY"),
        ("ec256", "pkcs8", "PRIVATE KEY"),
    ],
)
def test_pkcs1_pkcs8_sec1_keys_are_accepted(intermediate: Issued, key: str, fmt: str, label: str) -> None:
    cert = make_leaf(intermediate, HOSTS, key=key)
    data = tls_secret_data(cert, [intermediate], key_fmt=fmt)
    assert f"-----BEGIN {label}-----" in base64.b64decode(data["tls.key"]).decode()
    assert accepted(check(data)).sha256_fingerprint == hashlib.sha256(cert.der).hexdigest()


def test_sec1_key_with_ec_parameters_block_is_accepted(leaf: Issued) -> None:
    params = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
    data = tls_secret_data(leaf) | {"tls.key": b64(params + leaf.key_pem("sec1"))}
    assert accepted(check(data)).key_algorithm == "EC_prime256v1"


def test_key_with_crlf_line_endings_is_accepted(leaf: Issued) -> None:
    data = tls_secret_data(leaf) | {"tls.key": b64(leaf.key_pem("sec1").replace("\n", "\r\n"))}
    accepted(check(data))


@pytest.mark.parametrize("fmt", ["encrypted", "encrypted-traditional"])
def test_encrypted_key_is_invalid(leaf: Issued, fmt: str) -> None:
    data = tls_secret_data(leaf, key_fmt=fmt)
    assert "encrypted private keys are not supported" in rejected(check(data), Reason.SECRET_INVALID).message


def test_malformed_key_is_invalid(leaf: Issued) -> None:
    lines = leaf.key_pem("pkcs8").splitlines()
    broken = "\n".join([lines[0], lines[1][::-1], *lines[2:]]) + "\n"
    data = tls_secret_data(leaf) | {"tls.key": b64(broken)}
    assert rejected(check(data), Reason.SECRET_INVALID).message.startswith("tls.key:")


def test_two_keys_are_invalid(leaf: Issued) -> None:
    data = tls_secret_data(leaf) | {"tls.key": b64(leaf.key_pem() + leaf.key_pem())}
    assert "2 private keys" in rejected(check(data), Reason.SECRET_INVALID).message


def test_certificate_in_tls_key_is_invalid(leaf: Issued) -> None:
    data = tls_secret_data(leaf) | {"tls.key": b64(leaf.cert_pem)}
    assert "no PEM private key" in rejected(check(data), Reason.SECRET_INVALID).message


def test_openssh_key_is_invalid(leaf: Issued) -> None:
    openssh = make_key("ed25519").private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    )
    data = tls_secret_data(leaf) | {"tls.key": b64(openssh)}
    assert "OpenSSH" in rejected(check(data), Reason.SECRET_INVALID).message


# --- 3. key match ----------------------------------------------------------------------------------------------------


def test_key_of_another_certificate_is_a_mismatch(intermediate: Issued, leaf: Issued) -> None:
    other = make_leaf(intermediate, HOSTS, key="ec256")
    data = tls_secret_data(leaf) | {"tls.key": b64(other.key_pem())}
    assert "does not match any certificate" in rejected(check(data), Reason.KEY_MISMATCH).message


def test_rsa_key_of_same_size_but_different_is_a_mismatch(intermediate: Issued) -> None:
    cert = make_leaf(intermediate, HOSTS, key="rsa2048")
    other = make_leaf(intermediate, HOSTS, key="rsa2048", fresh_key=True)
    rejected(check(tls_secret_data(cert) | {"tls.key": b64(other.key_pem())}), Reason.KEY_MISMATCH)


def test_leaf_is_chosen_by_key_not_by_position(intermediate: Issued, leaf: Issued) -> None:
    data = tls_secret_data(leaf, [intermediate]) | {"tls.key": b64(intermediate.key_pem())}
    rejected(check(data), Reason.HOSTNAME_NOT_COVERED)  # the intermediate became the "leaf" and covers nothing


def test_leaf_not_first_in_tls_crt_is_found(intermediate: Issued, leaf: Issued) -> None:
    data = tls_secret_data(intermediate, [leaf]) | {"tls.key": b64(leaf.key_pem())}
    bundle = accepted(check(data))
    assert bundle.leaf_pem == leaf.cert_pem
    assert bundle.chain_pem == intermediate.cert_pem


# --- 4. key type -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "name"), [("rsa2048", "RSA_2048"), ("rsa3072", "RSA_3072"), ("rsa4096", "RSA_4096"), ("ec256", "EC_prime256v1")]
)
def test_supported_key_types(intermediate: Issued, key: str, name: str) -> None:
    assert accepted(check(tls_secret_data(make_leaf(intermediate, HOSTS, key=key)))).key_algorithm == name


def test_rsa_1024_is_rejected_as_weak(intermediate: Issued) -> None:
    message = rejected(check(tls_secret_data(make_leaf(intermediate, HOSTS, key="rsa1024"))), Reason.UNSUPPORTED_KEY_TYPE).message
    assert "weak" in message and "allow" in message


def test_rsa_1024_is_accepted_when_allowed(intermediate: Issued) -> None:
    result = check(tls_secret_data(make_leaf(intermediate, HOSTS, key="rsa1024")), allow_rsa_1024=True)
    assert accepted(result).key_algorithm == "RSA_1024"


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("rsa1536", "RSA 1536"),
        ("ec384", "secp384r1"),
        ("ec521", "secp521r1"),
        ("ed25519", "Ed25519"),
        ("ed448", "Ed448"),
        ("dsa", "DSA"),
    ],
)
def test_unsupported_key_types(intermediate: Issued, key: str, words: str) -> None:
    data = tls_secret_data(make_leaf(intermediate, HOSTS, key=key))
    assert words in rejected(check(data, allow_rsa_1024=True), Reason.UNSUPPORTED_KEY_TYPE).message


def test_p384_message_says_cloudfront_refuses_it(intermediate: Issued) -> None:
    data = tls_secret_data(make_leaf(intermediate, HOSTS, key="ec384"))
    assert "CloudFront" in rejected(check(data), Reason.UNSUPPORTED_KEY_TYPE).message


def test_key_mismatch_is_reported_before_key_type(leaf: Issued, intermediate: Issued) -> None:
    weak = make_leaf(intermediate, HOSTS, key="ec384")
    rejected(check(tls_secret_data(leaf) | {"tls.key": b64(weak.key_pem())}), Reason.KEY_MISMATCH)


# --- 5. validity -----------------------------------------------------------------------------------------------------


def window(intermediate: Issued, start_days: int, end_days: int, hosts: list[str] = HOSTS) -> Issued:
    start = NOW.replace(microsecond=0)
    return make_leaf(
        intermediate,
        hosts,
        key="ec256",
        not_before=start + datetime.timedelta(days=start_days),
        not_after=start + datetime.timedelta(days=end_days),
    )


def test_not_yet_valid_names_the_start(intermediate: Issued) -> None:
    cert = window(intermediate, 2, 30)
    message = rejected(check(tls_secret_data(cert)), Reason.CERTIFICATE_NOT_YET_VALID).message
    assert cert.cert.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%SZ") in message


def test_expired_names_the_end(intermediate: Issued) -> None:
    cert = window(intermediate, -30, -1)
    message = rejected(check(tls_secret_data(cert)), Reason.CERTIFICATE_EXPIRED).message
    assert cert.cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ") in message


def test_validity_boundaries(intermediate: Issued) -> None:
    cert = window(intermediate, -1, 1)
    data = tls_secret_data(cert)
    accepted(check(data, now=cert.cert.not_valid_before_utc))
    rejected(check(data, now=cert.cert.not_valid_before_utc - datetime.timedelta(seconds=1)), Reason.CERTIFICATE_NOT_YET_VALID)
    accepted(check(data, now=cert.cert.not_valid_after_utc - datetime.timedelta(seconds=1)))
    rejected(check(data, now=cert.cert.not_valid_after_utc), Reason.CERTIFICATE_EXPIRED)


def test_naive_now_is_taken_as_utc(intermediate: Issued) -> None:
    cert = window(intermediate, -30, -1)
    rejected(check(tls_secret_data(cert), now=NOW.replace(tzinfo=None)), Reason.CERTIFICATE_EXPIRED)


def test_validity_is_checked_before_hostnames(intermediate: Issued) -> None:
    cert = window(intermediate, -30, -1, hosts=["other.test"])
    rejected(check(tls_secret_data(cert)), Reason.CERTIFICATE_EXPIRED)


def test_key_type_is_checked_before_validity(intermediate: Issued) -> None:
    start = NOW - datetime.timedelta(days=30)
    cert = make_leaf(intermediate, HOSTS, key="ec384", not_before=start, not_after=start + datetime.timedelta(days=1))
    rejected(check(tls_secret_data(cert)), Reason.UNSUPPORTED_KEY_TYPE)


# --- 6. hostnames ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sans", "hostname", "covered"),
    [
        (["example.com"], "example.com", True),
        (["Example.COM"], "example.com", True),
        (["example.com"], "EXAMPLE.com.", True),
        (["example.com."], "example.com", True),
        (["example.com"], "www.example.com", False),
        (["*.example.com"], "a.example.com", True),
        (["*.Example.com"], "A.example.COM.", True),
        (["*.example.com"], "example.com", False),
        (["*.example.com"], "a.b.example.com", False),
        (["*.example.com"], "*.example.com", True),
        (["a.example.com"], "*.example.com", False),
        (["*.*.example.com"], "*.example.com", False),
        (["*.b.example.com"], "*.example.com", False),
        (["*.example.com"], "*.b.example.com", False),
        (["*.com"], "example.com", False),
        (["f*.example.com"], "foo.example.com", False),
        (["www.example.org"], "www.example.com", False),
    ],
)
def test_hostname_coverage(intermediate: Issued, sans: list[str], hostname: str, covered: bool) -> None:
    result = check(tls_secret_data(make_leaf(intermediate, sans, key="ec256")), hostnames=[hostname])
    if covered:
        accepted(result)
    else:
        assert hostname in rejected(result, Reason.HOSTNAME_NOT_COVERED).message


def test_uncovered_message_lists_hostnames_and_sans(intermediate: Issued) -> None:
    cert = make_leaf(intermediate, ["a.example.com", "b.example.com"], key="ec256")
    result = check(tls_secret_data(cert), hostnames=["a.example.com", "x.example.com", "y.example.com"])
    message = rejected(result, Reason.HOSTNAME_NOT_COVERED).message
    assert "x.example.com, y.example.com" in message
    assert "a.example.com, b.example.com" in message
    assert "spec.hostnames" in message


def test_common_name_is_ignored(intermediate: Issued) -> None:
    cert = make_leaf(intermediate, [], key="ec256", cn="www.example.com")
    message = rejected(check(tls_secret_data(cert), hostnames=["www.example.com"]), Reason.HOSTNAME_NOT_COVERED).message
    assert "no SAN DNS names" in message


def test_ip_only_san_covers_no_hostname(intermediate: Issued) -> None:
    cert = make_leaf(intermediate, [], key="ec256", ip_addresses=["1.1.1.1"])
    rejected(check(tls_secret_data(cert), hostnames=["1.1.1.1"]), Reason.HOSTNAME_NOT_COVERED)


def test_no_hostnames_needs_no_san(intermediate: Issued) -> None:
    assert accepted(check(tls_secret_data(make_leaf(intermediate, [], key="ec256")), hostnames=[])).dns_names == ()


def test_long_san_list_is_truncated_in_message(intermediate: Issued) -> None:
    cert = make_leaf(intermediate, [f"h{i}.example.com" for i in range(50)], key="ec256")
    message = rejected(check(tls_secret_data(cert), hostnames=["x.test"]), Reason.HOSTNAME_NOT_COVERED).message
    assert "and 30 more" in message and "h49.example.com" not in message


# --- 7. chain --------------------------------------------------------------------------------------------------------


def test_root_in_tls_crt_is_removed_from_chain(root: Issued, intermediate: Issued, leaf: Issued) -> None:
    bundle = accepted(check(tls_secret_data(leaf, [intermediate, root])))
    assert bundle.leaf_pem == leaf.cert_pem
    assert bundle.chain_pem == intermediate.cert_pem


def test_leaf_only_gives_empty_chain(leaf: Issued) -> None:
    assert accepted(check(tls_secret_data(leaf))).chain_pem == ""


def test_leaf_and_root_only_gives_empty_chain(root: Issued) -> None:
    cert = make_leaf(root, HOSTS, key="ec256")
    assert accepted(check(tls_secret_data(cert, [root]))).chain_pem == ""


def test_self_signed_leaf_is_accepted_with_empty_chain() -> None:
    bundle = accepted(check(tls_secret_data(self_signed(HOSTS, key="ec256"))))
    assert bundle.chain_pem == ""


def test_chain_is_ordered_from_the_leaf_issuer_up(root: Issued) -> None:
    upper = make_intermediate(root, name="Upper CA")
    lower = make_intermediate(upper, name="Lower CA")
    cert = make_leaf(lower, HOSTS, key="ec256")
    bundle = accepted(check(tls_secret_data(cert, [root, upper, lower])))
    assert pem_blocks(bundle.chain_pem) == [lower.cert_pem, upper.cert_pem]


def test_chain_comes_from_tls_crt_not_ca_crt(root: Issued, intermediate: Issued, leaf: Issued) -> None:
    assert accepted(check(tls_secret_data(leaf, ca=intermediate))).chain_pem == ""


def test_duplicate_leaf_is_not_in_chain(intermediate: Issued, leaf: Issued) -> None:
    bundle = accepted(check(tls_secret_data(leaf, [intermediate, leaf])))
    assert bundle.chain_pem == intermediate.cert_pem


def test_same_name_but_signed_by_another_key_is_not_self_signed(root: Issued) -> None:
    lookalike = make_intermediate(root, name="Test Root CA")  # subject == issuer, but signed by the root's key
    cert = make_leaf(lookalike, HOSTS, key="ec256")
    assert accepted(check(tls_secret_data(cert, [lookalike]))).chain_pem == lookalike.cert_pem


def test_unrelated_certificates_are_kept_after_the_path(root: Issued, intermediate: Issued, leaf: Issued) -> None:
    stray = make_intermediate(make_ca("Other Root"), name="Unrelated CA")
    bundle = accepted(check(tls_secret_data(leaf, [stray, intermediate])))
    assert pem_blocks(bundle.chain_pem) == [intermediate.cert_pem, stray.cert_pem]


# --- bundle contents -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("serial", "expected"),
    [(0x0A1B, "0a:1b"), (0xABC, "0a:bc"), (1, "01"), (0xFF, "ff"), (0x1_0000_0000_0000_0000, "01:00:00:00:00:00:00:00:00")],
)
def test_serial_is_formatted_like_acm(intermediate: Issued, serial: int, expected: str) -> None:
    assert accepted(check(tls_secret_data(make_leaf(intermediate, HOSTS, key="ec256", serial=serial)))).serial_hex == expected


def test_random_serial_round_trips(leaf: Issued) -> None:
    serial_hex = accepted(check(tls_secret_data(leaf))).serial_hex
    assert int(serial_hex.replace(":", ""), 16) == leaf.cert.serial_number
    assert serial_hex == serial_hex.lower() and all(len(pair) == 2 for pair in serial_hex.split(":"))


def test_fingerprint_is_sha256_of_leaf_der(leaf: Issued) -> None:
    assert accepted(check(tls_secret_data(leaf))).sha256_fingerprint == hashlib.sha256(leaf.der).hexdigest()


def test_bundle_fields(intermediate: Issued, leaf: Issued) -> None:
    bundle = accepted(check(tls_secret_data(leaf, [intermediate])))
    assert bundle.not_before == leaf.cert.not_valid_before_utc and bundle.not_before.tzinfo is not None
    assert bundle.not_after == leaf.cert.not_valid_after_utc and bundle.not_after.utcoffset() == datetime.timedelta(0)
    assert bundle.dns_names == tuple(HOSTS)
    assert x509.load_pem_x509_certificate(bundle.leaf_pem.encode()) == leaf.cert


@pytest.mark.parametrize(
    ("key", "fmt", "label"),
    [("rsa2048", "pkcs8", "RSA PRIVATE KEY"), ("rsa3072", "pkcs1", "RSA PRIVATE KEY"), ("ec256", "pkcs8", "EC PRIVATE KEY")],
)
def test_private_key_is_traditional_unencrypted_pem(intermediate: Issued, key: str, fmt: str, label: str) -> None:
    cert = make_leaf(intermediate, HOSTS, key=key)
    bundle = accepted(check(tls_secret_data(cert, key_fmt=fmt)))
    assert bundle.private_key_pem.startswith(f"-----BEGIN {label}-----\n")
    loaded = serialization.load_pem_private_key(bundle.private_key_pem.encode(), password=None)
    assert isinstance(loaded, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
    assert loaded.public_key() == cert.cert.public_key()


def test_stray_key_in_tls_crt_is_not_passed_on(intermediate: Issued, leaf: Issued) -> None:
    data = tls_secret_data(leaf) | {"tls.crt": b64(leaf.cert_pem + leaf.key_pem() + intermediate.cert_pem)}
    bundle = accepted(check(data))
    assert "PRIVATE KEY" not in bundle.leaf_pem + bundle.chain_pem


# --- no key material, ever -------------------------------------------------------------------------------------------


def secrets_of(issued: Issued, tls_key: str | None = None) -> list[str]:
    """Every form in which the key could leak: PEM (several formats and as stored), its lines, its base64 and chunks of it."""
    pems = [issued.key_pem("pkcs8"), issued.key_pem("traditional")]
    if tls_key:
        pems.append(base64.b64decode(tls_key).decode())
    forms: list[str] = []
    for pem in pems:
        encoded = b64(pem)
        forms += [pem, encoded, *(line.strip() for line in pem.splitlines() if line.strip())]
        forms += [encoded[i : i + 24] for i in range(0, len(encoded) - 24, 12)]
    return forms


def assert_no_key(issued: Issued, text: str, tls_key: str | None = None) -> None:
    for secret in secrets_of(issued, tls_key):
        assert secret not in text


def leak_cases(intermediate: Issued) -> list[tuple[str, Issued, dict[str, str]]]:
    good = make_leaf(intermediate, HOSTS, key="rsa2048")
    other = make_leaf(intermediate, HOSTS, key="ec256")
    key_only = {"tls.key": b64(good.key_pem())}
    return [
        (Reason.SECRET_INVALID, good, tls_secret_data(good) | {"tls.crt": ""}),
        (Reason.SECRET_INVALID, good, tls_secret_data(good) | {"tls.crt": b64(good.key_pem())}),
        (Reason.SECRET_INVALID, good, tls_secret_data(good, key_fmt="encrypted")),
        (Reason.SECRET_INVALID, good, tls_secret_data(good) | {"tls.key": b64(good.key_pem() + other.key_pem())}),
        (Reason.SECRET_INVALID, good, tls_secret_data(good) | {"tls.key": b64(good.key_pem()[:-40])}),
        (Reason.SECRET_INVALID, good, tls_secret_data(good) | {"tls.key": b64(good.key_pem().replace("A", "!", 3))}),
        (Reason.KEY_MISMATCH, good, tls_secret_data(other) | key_only),
        (Reason.UNSUPPORTED_KEY_TYPE, weak := make_leaf(intermediate, HOSTS, key="rsa1024"), tls_secret_data(weak)),
        (Reason.CERTIFICATE_EXPIRED, old := window(intermediate, -9, -1), tls_secret_data(old)),
        (Reason.CERTIFICATE_NOT_YET_VALID, new := window(intermediate, 1, 9), tls_secret_data(new)),
        (Reason.HOSTNAME_NOT_COVERED, good, tls_secret_data(good)),
    ]


def test_no_rejection_ever_contains_key_material(intermediate: Issued) -> None:
    cases = leak_cases(intermediate)
    for reason, issued, data in cases:
        hostnames = ["elsewhere.test"] if reason == Reason.HOSTNAME_NOT_COVERED else HOSTS
        result = rejected(check_tls_secret(TLS, data, hostnames, NOW), reason)
        for text in (result.message, repr(result), str(result)):
            assert_no_key(issued, text, data["tls.key"])
            assert "-----" not in text
    assert {case[0] for case in cases} >= {value for name, value in vars(Reason).items() if name.isupper()} - {
        Reason.SECRET_NOT_FOUND
    }


def test_bundle_repr_and_str_have_no_key(leaf: Issued) -> None:
    bundle = accepted(check(tls_secret_data(leaf)))
    for text in (repr(bundle), str(bundle), f"{bundle}", f"{bundle!r}"):
        assert "private_key_pem" not in text
        assert_no_key(leaf, text)
        for line in bundle.private_key_pem.splitlines():
            assert line not in text
    assert "serial_hex" in repr(bundle)


def test_bundle_is_frozen(leaf: Issued) -> None:
    bundle = accepted(check(tls_secret_data(leaf)))
    with pytest.raises(AttributeError):
        bundle.serial_hex = "00"  # type: ignore[misc]
