"""Classify AWS failures once, by error code, so callers never match message text.

Every boto3/botocore failure that leaves this layer is an `AwsError` with a
`kind` the reconcile maps to a condition reason and a retry decision:
throttling and transient failures retry with backoff, everything else is a
verdict about the request or the account.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, HTTPClientError, ParamValidationError

T = TypeVar("T")


class Kind(enum.Enum):
    THROTTLED = "Throttled"
    TRANSIENT = "Transient"
    ACCESS_DENIED = "AccessDenied"
    NOT_FOUND = "NotFound"
    CONFLICT = "Conflict"
    PRECONDITION_FAILED = "PreconditionFailed"
    INVALID = "Invalid"
    QUOTA = "Quota"  # an account quota is used up: retrying cannot help until someone raises it


_THROTTLING = {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded", "SlowDown"}
_TRANSIENT = {
    "PriorRequestNotComplete",
    "ServiceUnavailable",
    "InternalFailure",
    "InternalError",
    "ServiceFailure",
    "RequestTimeout",
}
# LimitExceededException: ACM's import quota (ACM User Guide, "Quotas"); LimitExceeded: IAM's 20 server certificates
# (IAM User Guide, "IAM and AWS STS quotas"); TooManyHealthChecks: Route53; TooManyDistributionCNAMEs: CloudFront.
_QUOTA = {"LimitExceededException", "LimitExceeded", "TooManyHealthChecks", "TooManyDistributionCNAMEs", "TooManyCertificates"}
_ACCESS = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "InvalidClientTokenId", "ExpiredToken"}
_NOT_FOUND = {
    "NoSuchHostedZone",
    "NoSuchHealthCheck",
    "NoSuchDistribution",
    "NoSuchEntity",
    "ResourceNotFoundException",
    "NoSuchChange",
}
_CONFLICT = {
    "CNAMEAlreadyExists",
    "HealthCheckAlreadyExists",
    "HealthCheckVersionMismatch",
    "EntityAlreadyExists",
    "DeleteConflict",
    "ResourceInUseException",
    "ConcurrentModification",
    "TooManyDistributionsWithSingleFunctionARN",
}


class AwsError(Exception):
    """A classified AWS failure. `code` is AWS's error code; `message` is AWS's text (no request bodies)."""

    def __init__(self, kind: Kind, code: str, message: str, operation: str = "") -> None:
        super().__init__(f"{operation}: {code}: {message}" if operation else f"{code}: {message}")
        self.kind = kind
        self.code = code
        self.message = message
        self.operation = operation

    @property
    def retryable(self) -> bool:
        return self.kind in (Kind.THROTTLED, Kind.TRANSIENT)


def classify(error: Exception) -> AwsError:
    """Turn a botocore exception into an AwsError (by code and HTTP status, never by message)."""
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        code = str(details.get("Code", "Unknown"))
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        operation = error.operation_name or ""
        return AwsError(kind_of(code, status), code, str(details.get("Message", "")), operation)
    if isinstance(error, (ConnectionError, HTTPClientError)):
        return AwsError(Kind.TRANSIENT, type(error).__name__, str(error))
    if isinstance(error, ParamValidationError):
        # botocore quotes the offending parameter *value*, which could be key material: never pass it on.
        return AwsError(Kind.INVALID, "ParamValidationError", "request parameters rejected by botocore (values withheld)")
    return AwsError(Kind.TRANSIENT, type(error).__name__, str(error))


def kind_of(code: str, status: int) -> Kind:
    if code in _QUOTA:
        return Kind.QUOTA
    if code in _THROTTLING:
        return Kind.THROTTLED
    if code in _TRANSIENT or status >= 500:
        return Kind.TRANSIENT
    if code in _ACCESS or status == 403:
        return Kind.ACCESS_DENIED
    if code in _NOT_FOUND or status == 404:
        return Kind.NOT_FOUND
    if code in ("PreconditionFailed", "InvalidIfMatchVersion") or status == 412:  # CloudFront uses both for a stale ETag
        return Kind.PRECONDITION_FAILED
    if code in _CONFLICT or status == 409:
        return Kind.CONFLICT
    return Kind.INVALID


@contextmanager
def aws_errors() -> Iterator[None]:
    """Re-raise botocore failures inside the block as classified AwsErrors."""
    try:
        yield
    except (ClientError, BotoCoreError) as error:
        raise classify(error) from None


def call(function: Callable[..., T], **kwargs: object) -> T:
    """Call one boto3 operation, classifying its failure."""
    with aws_errors():
        return function(**kwargs)


def call_or_none(function: Callable[..., T], missing: tuple[str, ...] = (), **kwargs: object) -> T | None:
    """Like `call`, but "it does not exist" (NotFound, or one of the `missing` codes) is None, not an error.

    Reads of things that may be gone and idempotent deletes both rest on this.
    """
    try:
        return call(function, **kwargs)
    except AwsError as error:
        if error.kind is Kind.NOT_FOUND or error.code in missing:
            return None
        raise
