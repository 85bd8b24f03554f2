"""No log level prints private key material.

``kopf run --verbose`` / ``--debug`` sets the root logger to DEBUG, and at
DEBUG the libraries under the operator log what they send and receive:
botocore logs every request's parameters and body ("Making request for
OperationModel ... with params"), which carry ``PrivateKey`` for ACM
ImportCertificate (the PEM, base64-encoded in a JSON body) and IAM
UploadServerCertificate (the PEM itself, and URL-encoded in the body);
urllib3 and s3transfer log traffic too, and the kubernetes client logs every
"response body", ``tls.key`` included when a TLS Secret is read.

`clamp_loggers` closes that off in two layers:

* those libraries' loggers are held at INFO or above, and a filter drops any
  DEBUG record from their namespaces. The filter sits on the loggers
  themselves and on the handlers (the root's and any other logger's): a record
  from a child such as ``botocore.endpoint`` passes its own logger's filters
  only, then reaches the handlers up the tree, never its parents' filters;
* the same filter redacts anything that looks like a private key — a PEM
  block (raw, with escaped newlines, URL-encoded) or the base64 of one — in
  every record from every logger, at every level, exception text included.

kopf's CLI installs its own root handler and level before it imports this
operator, and a later ``logging.basicConfig(force=True)`` or dictConfig may
replace handlers: so the clamp is idempotent and runs twice, when
``failover_operator.main`` is imported (before any client is built) and again
in kopf's startup handler (after kopf's logging setup, whichever came first).
"""

from __future__ import annotations

import base64
import logging
import re

CHATTY = ("botocore", "boto3", "urllib3", "s3transfer", "kubernetes")
REDACTED = "[REDACTED PRIVATE KEY]"

_SEP = r"(?: |\+|%20)"  # a space, raw or URL-encoded (quote_plus / quote)
_PEM = re.compile(
    rf"-----BEGIN(?:{_SEP}[A-Z0-9]+)*?{_SEP}PRIVATE{_SEP}KEY-----"
    rf".*?(?:-----END(?:{_SEP}[A-Z0-9]+)*?{_SEP}PRIVATE{_SEP}KEY-----|$)",
    re.DOTALL,
)
_HEADERS = ("", "RSA ", "EC ", "DSA ", "ENCRYPTED ", "OPENSSH ")


def _base64_prefixes(marker: bytes) -> list[str]:
    """What `marker` looks like inside base64, at each of the three byte alignments it can start at."""
    prefixes = []
    for lead in range(3):
        data = b"\0" * lead + marker
        encoded = base64.b64encode(data[: len(data) - len(data) % 3]).decode("ascii")
        prefixes.append(encoded[-(-8 * lead // 6) :])  # drop the characters that mix in the bytes before it
    return prefixes


_B64_PREFIXES = [
    prefix for header in _HEADERS for prefix in _base64_prefixes(f"-----BEGIN {header}PRIVATE KEY-----".encode("ascii"))
]
_BASE64_PEM = re.compile("(?:" + "|".join(map(re.escape, _B64_PREFIXES)) + ")[A-Za-z0-9+/=]*")
_QUICK = {"-----BEGIN", *(prefix[:8] for prefix in _B64_PREFIXES)}  # every pattern contains one of these


def redact(text: str) -> str:
    """`text` with every PEM private key block, and the base64 of one, replaced by a marker."""
    if not any(quick in text for quick in _QUICK):
        return text
    return _BASE64_PEM.sub(REDACTED, _PEM.sub(REDACTED, text))


def _chatty(name: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in CHATTY)


class KeyMaterialFilter(logging.Filter):
    """Drops DEBUG records of the chatty libraries; redacts private keys in every other record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO and _chatty(record.name):
            return False
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):  # a bad format: logging's error report would print msg and args raw
            record.msg, record.args = redact(f"{record.msg!s} {record.args!r}"), None
        else:
            if (safe := redact(message)) != message:
                record.msg, record.args = safe, None
        self._redact_exception(record)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True

    @staticmethod
    def _redact_exception(record: logging.LogRecord) -> None:
        if not record.exc_info and not record.exc_text:
            return
        text = record.exc_text or logging.Formatter().formatException(record.exc_info)  # type: ignore[arg-type]
        if (safe := redact(text)) != text:
            # Formatters (plain and JSON) print exc_text when exc_info is gone, and never re-render it.
            record.exc_text, record.exc_info = safe, None


_FILTER = KeyMaterialFilter()


def _add_filter(target: logging.Logger | logging.Handler) -> None:
    if not any(isinstance(existing, KeyMaterialFilter) for existing in target.filters):
        target.addFilter(_FILTER)


def clamp_loggers() -> None:
    """Hold the chatty libraries at INFO and filter every logger of theirs and every handler; idempotent."""
    loggers = [logging.getLogger(name) for name in CHATTY]
    loggers += [item for name, item in logging.root.manager.loggerDict.items() if isinstance(item, logging.Logger)]
    for logger in [logging.root, *loggers]:
        if _chatty(logger.name):
            if logger.level < logging.INFO and (logger.level != logging.NOTSET or logger.name in CHATTY):
                logger.setLevel(logging.INFO)
            _add_filter(logger)
        for handler in logger.handlers:
            _add_filter(handler)
