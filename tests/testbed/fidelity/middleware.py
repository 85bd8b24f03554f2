"""WSGI middleware in front of moto: the control API, fault injection, the call record.

Every AWS request passes through `FidelityMiddleware.__call__`: it names the
service and operation, applies an injected fault or the Route53 quota if one
matches, otherwise hands the request to moto (whose backends the rule modules
have patched), and records (service, operation, HTTP status, error code).
Requests under ``/_fidelity/`` are the control API (see the package docstring).
"""

from __future__ import annotations

import io
import json
import re
import socket
import struct
import time
from collections.abc import Callable, Iterable
from typing import Any, NoReturn
from urllib.parse import parse_qs

from . import operations, route53_resolve
from .state import RULES, STATE, Fault

StartResponse = Callable[..., Any]
_XML_ERROR = (
    '<?xml version="1.0"?>\n<ErrorResponse><Error><Type>{type}</Type><Code>{code}</Code>'
    "<Message>{message}</Message></Error><RequestId>fidelity-fault</RequestId></ErrorResponse>"
)
_FAULT_RESPONSES = {  # kind -> (HTTP status, error code, message, sender/receiver)
    "throttle": (400, "Throttling", "Rate exceeded", "Sender"),
    "prior_request": (
        400,
        "PriorRequestNotComplete",
        "The request was rejected because Route 53 was still processing a prior request.",
        "Sender",
    ),
    "error5xx": (503, "ServiceUnavailable", "Service is unavailable, please retry.", "Receiver"),
    "access_denied": (403, "AccessDenied", "User: arn:aws:sts::123456789012:assumed-role/operator is not authorized", "Sender"),
}
_JSON_CODES = {"Throttling": "ThrottlingException", "AccessDenied": "AccessDeniedException"}


class FidelityMiddleware:
    def __init__(self, moto_app: Callable[..., Iterable[bytes]], reset_moto: Callable[[], None]) -> None:
        self.moto_app = moto_app
        self.reset_moto = reset_moto

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_fidelity/"):
            return self._control(environ, start_response)
        headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")}
        service = operations.service_of(headers)
        if service is None:
            return self.moto_app(environ, start_response)
        body = _read_body(environ)
        environ["fidelity.principal"] = operations.principal_of(headers)
        operation = operations.operation_of(
            service, environ["REQUEST_METHOD"], path, environ.get("QUERY_STRING", ""), headers, body
        )
        return self._aws_call(environ, start_response, service, operation)

    def _aws_call(self, environ: dict[str, Any], start_response: StartResponse, service: str, operation: str) -> Iterable[bytes]:
        fault = STATE.take_fault(service, operation)
        if fault is not None and fault.kind == "latency":
            time.sleep(fault.latency_ms / 1000)
            fault = None
        exempt = environ["fidelity.principal"] == operations.HARNESS_ACCESS_KEY
        if fault is None and service == "route53" and STATE.enabled("route53.quota") and not exempt:
            with STATE.lock:
                if not STATE.route53_quota.take():
                    fault = Fault(kind="throttle")
        if fault is not None and fault.kind != "lost_response":
            return self._fault(environ, start_response, service, operation, fault)
        captured: dict[str, Any] = {}

        def capture(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"] = int(status.split(maxsplit=1)[0])
            return start_response(status, response_headers, exc_info)

        def capture_status(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"] = int(status.split(maxsplit=1)[0])
            return lambda data: None

        chunks = list(self.moto_app(environ, capture_status if fault else capture))
        self._record(environ, service, operation, captured.get("status", 0), _error_code(b"".join(chunks)))
        if fault is not None:  # lost_response: AWS did the work, the client never hears about it
            self._record(environ, service, operation, 0, "LostResponse")
            _reset_connection(environ)
        return chunks

    def _fault(
        self, environ: dict[str, Any], start_response: StartResponse, service: str, operation: str, fault: Fault
    ) -> Iterable[bytes]:
        if fault.kind == "reset":
            self._record(environ, service, operation, 0, "ConnectionReset")
            _reset_connection(environ)
        status, code, message, party = _FAULT_RESPONSES[fault.kind]
        self._record(environ, service, operation, status, code)
        if service == "acm":  # JSON protocol
            body = json.dumps({"__type": _JSON_CODES.get(code, code), "message": message}).encode()
            content_type = "application/x-amz-json-1.1"
        else:
            body = _XML_ERROR.format(type=party, code=code, message=message).encode()
            content_type = "text/xml"
        start_response(f"{status} Fault", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
        return [body]

    def _record(self, environ: dict[str, Any], service: str, operation: str, status: int, error: str | None) -> None:
        with STATE.lock:
            STATE.calls.append(
                {
                    "service": service,
                    "operation": operation,
                    "status": status,
                    "error": error,
                    "mutating": operations.is_mutating(operation),
                    "principal": environ.get("fidelity.principal", ""),
                    "time": time.time(),
                }
            )

    # ---- control API -------------------------------------------------------------
    def _control(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        path = environ["PATH_INFO"][len("/_fidelity") :]
        query = {key: values[0] for key, values in parse_qs(environ.get("QUERY_STRING", "")).items()}
        raw = _read_body(environ)
        payload = json.loads(raw) if raw else {}
        try:
            status, result = self._dispatch(method, path, query, payload)
        except (KeyError, ValueError, TypeError) as error:
            status, result = 400, {"error": f"{type(error).__name__}: {error}"}
        body = json.dumps(result, default=str).encode()
        start_response(f"{status} OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    def _dispatch(self, method: str, path: str, query: dict[str, str], payload: dict[str, Any]) -> tuple[int, Any]:
        with STATE.lock:
            if (method, path) == ("POST", "/reset"):
                self.reset_moto()
                STATE.reset()
                return 200, {"reset": True}
            if (method, path) == ("GET", "/calls"):
                return 200, STATE.calls
            if (method, path) == ("DELETE", "/calls"):
                STATE.calls.clear()
                return 200, {"cleared": True}
            if (method, path) == ("POST", "/faults"):
                fault = Fault(**payload)
                if fault.kind not in (*_FAULT_RESPONSES, "reset", "lost_response", "latency"):
                    raise ValueError(f"unknown fault kind {fault.kind!r}")
                STATE.faults.append(fault)
                return 200, {"faults": len(STATE.faults)}
            if (method, path) == ("DELETE", "/faults"):
                STATE.faults.clear()
                return 200, {"faults": 0}
            if (method, path) == ("GET", "/delays"):
                return 200, STATE.delays
            if (method, path) == ("PUT", "/delays"):
                for key, value in payload.items():
                    if key not in STATE.delays:
                        raise KeyError(key)
                    STATE.delays[key] = float(value)
                return 200, STATE.delays
            if (method, path) == ("PUT", "/route53/quota"):
                STATE.route53_quota.enabled = bool(payload.get("enabled", True))
                STATE.route53_quota.rate = float(payload.get("rate", 5.0))
                return 200, {"enabled": STATE.route53_quota.enabled, "rate": STATE.route53_quota.rate}
            if (method, path) == ("PUT", "/quotas"):
                for key, value in payload.items():
                    if key not in STATE.quotas:
                        raise KeyError(key)
                    STATE.quotas[key] = int(value)
                return 200, STATE.quotas
            if method == "PUT" and (match := re.fullmatch(r"/route53/health/([^/]+)", path)):
                STATE.health[match.group(1)] = bool(payload["healthy"])
                return 200, {"id": match.group(1), "healthy": STATE.health[match.group(1)]}
            if (method, path) == ("GET", "/route53/resolve"):
                return 200, route53_resolve.resolve(query["zone_id"], query["name"], query.get("type", "A"))
            if (method, path) == ("GET", "/rules"):
                return 200, {name: {"description": text, "enabled": STATE.enabled(name)} for name, text in RULES.items()}
        return 404, {"error": f"no control endpoint {method} {path}"}


def _read_body(environ: dict[str, Any]) -> bytes:
    """Read the request body once and put it back so moto can read it again."""
    if "fidelity.body" in environ:
        return environ["fidelity.body"]  # type: ignore[no-any-return]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ["fidelity.body"] = body
    return body


def _error_code(body: bytes) -> str | None:
    text = body[:4000].decode("utf-8", "replace")
    match = re.search(r"<Code>([^<]+)</Code>", text) or re.search(r'"__type"\s*:\s*"(?:[^"#]*#)?([^"]+)"', text)
    return match.group(1) if match else None


def _reset_connection(environ: dict[str, Any]) -> NoReturn:
    """Drop the connection without a response, as a reset AWS connection looks to a client.

    Linger 0 makes the close an RST; raising ConnectionResetError makes werkzeug
    treat the connection as dropped and write nothing (not even a 500).
    """
    sock = environ.get("werkzeug.socket")
    if isinstance(sock, socket.socket):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    raise ConnectionResetError("fidelity layer: injected connection reset")
