"""Name the AWS service and operation of an incoming request.

The call record and fault injection are keyed by (service, operation), the same
names boto3 and the AWS docs use (``route53``/``ChangeResourceRecordSets``).
The service comes from the SigV4 credential scope; the operation from the
protocol: ``X-Amz-Target`` (JSON), ``Action=`` (query) or, for REST services,
by matching method and path against botocore's own service model, so no
hand-written route table can drift from what clients really send.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import parse_qs

import botocore.session

_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")


def service_of(headers: dict[str, str]) -> str | None:
    """The signing name of the service (``route53``, ``acm`` ...), or None if unsigned."""
    match = _CREDENTIAL_SCOPE.search(headers.get("authorization", ""))
    return match.group(1) if match else None


_ACCESS_KEY = re.compile(r"Credential=([^/]+)/")
HARNESS_ACCESS_KEY = "harness"  # the tests' own observation calls: recorded, but exempt from the Route53 quota


def principal_of(headers: dict[str, str]) -> str:
    """The access key id that signed the request (the bed accepts any; it tells callers apart)."""
    match = _ACCESS_KEY.search(headers.get("authorization", ""))
    return match.group(1) if match else ""


def operation_of(service: str, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> str:
    """The API operation name, or ``METHOD path`` when it cannot be identified."""
    target = headers.get("x-amz-target")
    if target:
        return target.rsplit(".", 1)[-1]
    if method == "POST" and body and "Action=" in body.decode("utf-8", "replace")[:2000]:
        action = parse_qs(body.decode("utf-8", "replace")).get("Action")
        if action:
            return action[0]
    for operation, pattern, query_literal in _rest_routes(service):
        if pattern.fullmatch(f"{method} {path}") and (not query_literal or query_literal in query):
            return operation
    return f"{method} {path}"


@functools.cache
def _rest_routes(service: str) -> list[tuple[str, re.Pattern[str], str]]:
    """(operation, compiled 'METHOD path' pattern, required query literal), most specific first."""
    try:
        model = botocore.session.get_session().get_service_model(service)
    except Exception:  # noqa: BLE001 - unknown service: no REST routes to offer
        return []
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        uri, _, query_literal = http["requestUri"].partition("?")
        regex = re.sub(r"\\\{[^}]+\\\+\\\}", ".+", re.escape(uri))
        regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", regex)
        routes.append((name, re.compile(f"{http['method']} {regex}/?"), query_literal))
    # Literal query parts ("?WithTags") and longer literal paths win over generic ones.
    routes.sort(key=lambda route: (not route[2], -len(route[1].pattern.replace("[^/]+", ""))))
    return routes


def is_mutating(operation: str) -> bool:
    """Reads are Get*/List*/Describe*; everything else changes state."""
    return not operation.startswith(("Get", "List", "Describe", "GET ", "HEAD "))
