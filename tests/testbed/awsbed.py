"""Start and drive the AWS test bed: moto_server behind the fidelity layer.

`AwsBed.start()` launches ``python -m testbed.fidelity`` on a free loopback port
and waits until it answers; `AwsBed.stop()` ends it. `FidelityClient` wraps the
control API documented in ``testbed.fidelity``. `AwsBed.client(service)` gives a
boto3 client pointed at the bed with dummy credentials. Each bed makes its own CA
(`AwsBed.issue`): CloudFront trusts only CAs on Mozilla's list, so the bed's
CloudFront and the operator (FAILOVER_EXTRA_TRUST_ANCHORS, in `env()`) trust
this one in their place, and self-signed certificates are refused as on AWS.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import certgen
from botocore.config import Config

from .controlplane import stop_process
from .fidelity.operations import HARNESS_ACCESS_KEY

TESTS_DIR = Path(__file__).resolve().parent.parent
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "operator", "AWS_SECRET_ACCESS_KEY": "testing"}
REGION = "us-east-1"
BED_CA_CERT, BED_CA_KEY = "bed-ca.crt", "bed-ca.key"  # per run, in the bed's workdir (never in the repository)


class FidelityClient:
    """The fidelity layer's control API (``/_fidelity/...``)."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint.rstrip("/")

    def _call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(f"{self.endpoint}/_fidelity{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def reset(self) -> None:
        self._call("POST", "/reset")

    def calls(self) -> list[dict[str, Any]]:
        return self._call("GET", "/calls")  # type: ignore[no-any-return]

    def mutating_calls(self, include_harness: bool = False) -> list[dict[str, Any]]:
        """Writes made by the system under test (the harness's own setup calls excluded unless asked)."""
        return [c for c in self.calls() if c["mutating"] and (include_harness or c["principal"] != HARNESS_ACCESS_KEY)]

    def clear_calls(self) -> None:
        self._call("DELETE", "/calls")

    def inject(
        self, kind: str, service: str | None = None, operation: str | None = None, count: int | None = 1, latency_ms: int = 0
    ) -> None:
        """Make the next `count` matching calls fail: throttle, prior_request, error5xx, access_denied, reset, lost_response,
        latency."""
        self._call(
            "POST",
            "/faults",
            {"kind": kind, "service": service, "operation": operation, "count": count, "latency_ms": latency_ms},
        )

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def set_delays(
        self, cloudfront_deploy_seconds: float | None = None, route53_insync_seconds: float | None = None
    ) -> dict[str, float]:
        delays = {"cloudfront_deploy_seconds": cloudfront_deploy_seconds, "route53_insync_seconds": route53_insync_seconds}
        return self._call("PUT", "/delays", {key: value for key, value in delays.items() if value is not None})  # type: ignore[no-any-return]

    def set_route53_quota(self, enabled: bool = True, rate: float = 5.0) -> None:
        self._call("PUT", "/route53/quota", {"enabled": enabled, "rate": rate})

    def set_quotas(
        self,
        acm_imports_per_year: int | None = None,
        iam_server_certificates: int | None = None,
        iam_list_page_size: int | None = None,
    ) -> dict[str, int]:
        """Account quotas of the bed (and IAM's default page size, to make paging happen with few certificates)."""
        quotas = {
            "acm_imports_per_year": acm_imports_per_year,
            "iam_server_certificates": iam_server_certificates,
            "iam_list_page_size": iam_list_page_size,
        }
        return self._call("PUT", "/quotas", {key: value for key, value in quotas.items() if value is not None})  # type: ignore[no-any-return]

    def set_health(self, health_check_id: str, healthy: bool) -> None:
        self._call("PUT", f"/route53/health/{health_check_id}", {"healthy": healthy})

    def resolve(self, zone_id: str, name: str, record_type: str = "A") -> dict[str, Any]:
        query = urllib.parse.urlencode({"zone_id": zone_id, "name": name, "type": record_type})
        return self._call("GET", f"/route53/resolve?{query}")  # type: ignore[no-any-return]

    def rules(self) -> dict[str, dict[str, Any]]:
        return self._call("GET", "/rules")  # type: ignore[no-any-return]


@dataclass
class AwsBed:
    """A running fidelity-layer process."""

    process: subprocess.Popen[str]
    endpoint: str
    log_path: Path
    workdir: Path

    @property
    def trust_anchors(self) -> Path:
        """The bed's CA certificate: trusted by the bed's CloudFront and, through env(), by the operator."""
        return self.workdir / BED_CA_CERT

    def issue(self, dns_names: Sequence[str], key: certgen.KeySpec = "rsa2048", days: int = 90, **kwargs: Any) -> certgen.Issued:
        """A certificate from the bed's CA, standing in for a publicly trusted issuer (e.g. Let's Encrypt)."""
        return certgen.issued_by(self.ca(), dns_names, key=key, days=days, **kwargs)

    def ca(self) -> certgen.Issued:
        return certgen.load_ca(self.workdir / BED_CA_CERT, self.workdir / BED_CA_KEY)

    @classmethod
    def start(cls, workdir: Path, extra_env: dict[str, str] | None = None) -> AwsBed:
        workdir.mkdir(parents=True, exist_ok=True)
        port_file = workdir / "fidelity.port"
        port_file.unlink(missing_ok=True)
        log_path = workdir / "fidelity.log"
        certgen.save_ca(certgen.make_ca("failover-operator test bed CA"), workdir / BED_CA_CERT, workdir / BED_CA_KEY)
        env = {
            **os.environ,
            **DUMMY_CREDENTIALS,
            "PYTHONPATH": str(TESTS_DIR),
            "FIDELITY_TRUST_ANCHORS": str(workdir / BED_CA_CERT),
            **(extra_env or {}),
        }
        with open(log_path, "w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "testbed.fidelity", "--port", "0", "--port-file", str(port_file)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                text=True,
                start_new_session=True,
            )
        endpoint = f"http://127.0.0.1:{_wait_for_port(process, port_file, log_path)}"
        bed = cls(process, endpoint, log_path, workdir)
        bed.control.rules()  # answers: ready
        return bed

    @property
    def control(self) -> FidelityClient:
        return FidelityClient(self.endpoint)

    def client(self, service: str, principal: str = HARNESS_ACCESS_KEY, **config: Any) -> Any:
        """A boto3 client for the tests' own setup and observation (exempt from the Route53 quota by default)."""
        retries = config.pop("retries", {"mode": "standard", "max_attempts": 8})
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=principal,
            aws_secret_access_key="testing",
            config=Config(retries=retries, **config),
        )

    def env(self) -> dict[str, str]:
        """Environment that points any AWS SDK at the bed."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            **DUMMY_CREDENTIALS,
            "FAILOVER_EXTRA_TRUST_ANCHORS": str(self.trust_anchors),
        }

    def stop(self) -> None:
        stop_process(self.process, timeout=10)


def _wait_for_port(process: subprocess.Popen[str], port_file: Path, log_path: Path, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_file.exists():
            return int(port_file.read_text())
        if process.poll() is not None:
            raise RuntimeError(f"fidelity layer exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"fidelity layer did not start within {timeout} s:\n{log_path.read_text()[-3000:]}")
