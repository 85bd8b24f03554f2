"""No log level prints key material (`failover_operator.logsafety`).

Real boto3 clients call ACM ImportCertificate and IAM UploadServerCertificate
with everything at DEBUG. They call a closed port on 127.0.0.1 (connection
refused, no retries, no network): botocore logs the request parameters and
body before it sends, which is exactly where the key would leak. The log is
then scanned for the key in every form (`testbed.world.key_leak_forms`).

Only the test's own handler is on the root logger meanwhile: pytest's log
capture would print whatever leaked in a failure report.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote_plus

import boto3
import certgen
import kopf
import pytest
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError
from failover_operator import logsafety, main
from kopf._core.actions import loggers as kopf_loggers
from testbed.world import count_key_leaks

ISSUED = certgen.self_signed(["a.example.com"])
KEYS = [ISSUED.key_pem(), ISSUED.key_pem("traditional")]


def _all_loggers() -> list[logging.Logger]:
    known = logging.root.manager.loggerDict.values()
    return [logging.root, *(item for item in known if isinstance(item, logging.Logger))]


@contextmanager
def everything_at_debug() -> Iterator[io.StringIO]:
    """Root and every library logger at DEBUG, no clamp in force, one capturing root handler; restored afterwards."""
    saved = {logger: (logger.level, logger.filters[:], logger.propagate) for logger in _all_loggers()}
    saved_handlers = logging.root.handlers[:]
    stream = io.StringIO()
    capture = logging.StreamHandler(stream)
    capture.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    logging.root.handlers[:] = [capture]
    for logger in _all_loggers():
        logger.filters[:] = [f for f in logger.filters if not isinstance(f, logsafety.KeyMaterialFilter)]
        if logger is logging.root or any(logger.name.startswith(name) for name in logsafety.CHATTY):
            logger.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        logging.root.handlers[:] = saved_handlers
        for logger in _all_loggers():
            level, filters, propagate = saved.get(logger, (logging.NOTSET, [], True))
            logger.setLevel(level)
            logger.filters[:], logger.propagate = filters, propagate


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _send_keys_to_aws() -> None:
    """ImportCertificate and UploadServerCertificate with the keys, through real clients, to a closed port."""
    options = {
        "region_name": "us-east-1",
        "endpoint_url": f"http://127.0.0.1:{_closed_port()}",
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
        "config": Config(retries={"total_max_attempts": 1}, connect_timeout=2),
    }
    acm, iam = boto3.client("acm", **options), boto3.client("iam", **options)
    with pytest.raises(EndpointConnectionError):
        acm.import_certificate(Certificate=ISSUED.cert_pem.encode(), PrivateKey=KEYS[0].encode())
    with pytest.raises(EndpointConnectionError):
        iam.upload_server_certificate(ServerCertificateName="a", CertificateBody=ISSUED.cert_pem, PrivateKey=KEYS[1])


def test_at_debug_boto3_requests_log_no_key_material() -> None:
    with everything_at_debug() as log:
        logsafety.clamp_loggers()
        _send_keys_to_aws()
    assert count_key_leaks([log.getvalue()], KEYS) == {}


def test_without_the_clamp_the_same_requests_do_leak() -> None:
    """The test above is not vacuous: unclamped, botocore logs the key (the PEM for IAM, its base64 for ACM)."""
    with everything_at_debug() as log:
        _send_keys_to_aws()
    leaked = count_key_leaks([log.getvalue()], KEYS)
    assert {"PEM line", "base64 of PEM"} <= leaked.keys()


def test_the_clamp_survives_kopfs_debug_logging_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    """`kopf run --debug` configures logging after main's import-time clamp; the startup handler clamps again."""
    monkeypatch.setenv("FAILOVER_METRICS_PORT", "0")  # the startup handler below: no metrics server
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # and a setup it accepts
    monkeypatch.delenv("FAILOVER_EXTRA_TRUST_ANCHORS", raising=False)
    with everything_at_debug() as log:
        logsafety.clamp_loggers()  # as at import of failover_operator.main
        kopf_loggers.configure(debug=True)  # what `kopf run --debug` does: root at DEBUG, a new root handler
        logging.root.handlers[:] = [logging.StreamHandler(log)]  # a handler that came after the clamp
        _send_keys_to_aws()  # the library loggers stay held at INFO
        main.configure(settings=kopf.OperatorSettings())  # the startup handler
        logging.getLogger("failover_operator.handlers").error("leak %s", KEYS[0])
    assert count_key_leaks([log.getvalue()], KEYS) == {}
    assert logsafety.REDACTED in log.getvalue()


def test_any_logger_at_any_level_has_key_material_redacted() -> None:
    pem = KEYS[1]
    secret_read = json.dumps({"kind": "Secret", "data": {"tls.key": base64.b64encode(pem.encode()).decode()}})
    with everything_at_debug() as log:
        logsafety.clamp_loggers()
        anywhere = logging.getLogger("failover_operator.anywhere")
        anywhere.warning("raw %s", pem)
        anywhere.info("escaped %r", {"PrivateKey": pem.encode()})
        anywhere.error("form-encoded PrivateKey=%s&Version=1", quote_plus(pem))
        anywhere.critical("base64 inside a blob %s", base64.b64encode(b"xy" + pem.encode()).decode())
        anywhere.warning("bad format %s %s", pem)  # logging's own error report would print msg and args
        try:
            raise ValueError(f"could not parse {pem}")
        except ValueError:
            anywhere.exception("exception text")
        logging.getLogger("kubernetes.client.rest").debug("response body: %s", secret_read)
        logging.getLogger("botocore.endpoint").info("params %s", pem)
    text = log.getvalue()
    assert count_key_leaks([text], KEYS) == {}
    assert text.count(logsafety.REDACTED) >= 7
    assert "response body" not in text  # the chatty libraries' DEBUG records are dropped outright
