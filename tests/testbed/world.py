"""A user's world on the test bed, and the helpers integration tests read it with.

`World` holds what a user has before applying a FailoverDomain (a hosted
zone, a maintenance distribution, TLS Secrets) and reads back what the
operator did, from AWS (through the fidelity layer) and from Kubernetes.
"""

from __future__ import annotations

import base64
import contextlib
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus

import certgen
from cryptography.hazmat.primitives import serialization
from kubernetes import client
from kubernetes.client import ApiClient
from kubernetes.client.rest import ApiException

from testbed.awsbed import AwsBed

G, V, P = "failover.dev", "v1alpha1", "failoverdomains"
DRIFT_SECONDS = 4  # the drift operator (tests of drift only) checks for drift this often
DRIFT_PREFIX = "d-"  # namespaces of the drift tests: only the drift operator watches them
ORIGIN_IP = "1.1.1.1"  # the default primary: public (Route53 refuses to health-check private or documentation ranges)
GENERATED_KEYS: list[str] = []  # every private key PEM handed to the operator in this session (the scan derives other forms)


@dataclass
class World:
    """What a user has before applying a FailoverDomain, and helpers to look at the result."""

    aws: AwsBed
    kube: ApiClient
    namespace: str
    zone_id: str = ""
    zone_name: str = "example.com"
    distribution_id: str = ""
    distribution_domain: str = ""
    created: list[str] = field(default_factory=list)

    # ---- Kubernetes side -------------------------------------------------------------
    def tls_secret(self, name: str, hostnames: list[str], key: str = "rsa2048", **kwargs: Any) -> certgen.Issued:
        issued = self.aws.issue(hostnames, key=key, **kwargs)
        self.put_secret(name, certgen.tls_secret_data(issued))
        GENERATED_KEYS.append(issued.key_pem())
        GENERATED_KEYS.append(issued.key_pem("traditional"))
        return issued

    def put_secret(self, name: str, data: dict[str, str], secret_type: str = "kubernetes.io/tls") -> None:
        core = client.CoreV1Api(self.kube)
        body = client.V1Secret(metadata=client.V1ObjectMeta(name=name), type=secret_type, data=data)
        try:
            core.create_namespaced_secret(self.namespace, body)
        except ApiException as error:
            if error.status != 409:
                raise
            core.replace_namespaced_secret(name, self.namespace, body)

    def spec(self, hostnames: list[str], secret: str = "site-tls", **overrides: Any) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "hostedZone": {"id": self.zone_id},
            "hostnames": hostnames,
            "certificate": {"secretName": secret},
            "primary": {"addresses": {"ipv4": [ORIGIN_IP]}},
            "healthCheck": {"path": "/healthz"},
            "secondary": {"distributionId": self.distribution_id},
        }
        spec.update(overrides)
        return spec

    def apply(self, name: str, spec: dict[str, Any]) -> dict[str, Any]:
        body = {"apiVersion": f"{G}/{V}", "kind": "FailoverDomain", "metadata": {"name": name}, "spec": spec}
        self.created.append(name)
        return client.CustomObjectsApi(self.kube).create_namespaced_custom_object(G, V, self.namespace, P, body)  # type: ignore[no-any-return]

    def patch_spec(self, name: str, spec: dict[str, Any]) -> None:
        client.CustomObjectsApi(self.kube).patch_namespaced_custom_object(G, V, self.namespace, P, name, {"spec": spec})

    def get(self, name: str) -> dict[str, Any] | None:
        try:
            return client.CustomObjectsApi(self.kube).get_namespaced_custom_object(G, V, self.namespace, P, name)  # type: ignore[no-any-return]
        except ApiException as error:
            if error.status == 404:
                return None
            raise

    def delete(self, name: str) -> None:
        client.CustomObjectsApi(self.kube).delete_namespaced_custom_object(G, V, self.namespace, P, name)

    def condition(self, name: str, kind: str) -> dict[str, Any]:
        body = self.get(name) or {}
        return next((c for c in body.get("status", {}).get("conditions", []) if c["type"] == kind), {})

    def wait_condition(self, name: str, kind: str, status: str, reason: str | None = None, timeout: float = 60) -> dict[str, Any]:
        """Poll until condition `kind` has `status` (and `reason`) for the current generation."""

        def matches() -> dict[str, Any] | None:
            body = self.get(name) or {}
            generation = body.get("metadata", {}).get("generation")
            condition = next((c for c in body.get("status", {}).get("conditions", []) if c["type"] == kind), None)
            if (
                condition
                and condition["status"] == status
                and (reason is None or condition["reason"] == reason)
                and condition.get("observedGeneration") == generation
            ):
                return body
            return None

        body: dict[str, Any] = eventually(matches, timeout, lambda: f"{kind}={status}/{reason}; now {self.condition(name, kind)}")
        return body

    def wait_ready(self, name: str, timeout: float = 90) -> dict[str, Any]:
        return self.wait_condition(name, "Ready", "True", timeout=timeout)

    def wait_settled(self, name: str, timeout: float = 60) -> dict[str, Any]:
        """Ready, and the pass triggered by the Secret's digest annotation has been handled too."""

        def settled() -> dict[str, Any] | None:
            body = self.wait_ready(name, timeout)
            annotations = body["metadata"].get("annotations", {})
            digest = annotations.get("failover.dev/secret-digest")
            handled = annotations.get("kopf.failover.dev/last-handled-configuration", "")
            return body if digest and digest in handled else None

        result: dict[str, Any] = eventually(settled, timeout, lambda: f"{name} did not settle: {self._brief(name)}")
        return result

    def wait_gone(self, name: str, timeout: float = 90) -> None:
        eventually(lambda: self.get(name) is None or None, timeout, lambda: f"{name} still exists: {self._brief(name)}")

    def _brief(self, name: str) -> str:
        """Status conditions and kopf's progress annotations: what a failing wait needs to show."""
        body = self.get(name) or {}
        progress = {k: v for k, v in body.get("metadata", {}).get("annotations", {}).items() if "last-handled" not in k}
        conditions = [
            (c["type"], c["status"], c["reason"], c["message"][:120]) for c in body.get("status", {}).get("conditions", [])
        ]
        return f"conditions={conditions} progress={progress}"

    def events(self, name: str) -> list[tuple[str, str, str]]:
        items = client.CoreV1Api(self.kube).list_namespaced_event(self.namespace).items
        return [(e.type, e.reason, e.message) for e in items if e.involved_object.name == name]

    # ---- AWS side ----------------------------------------------------------------------
    def records(self) -> list[dict[str, Any]]:
        route53 = self.aws.client("route53")
        return route53.list_resource_record_sets(HostedZoneId=self.zone_id)["ResourceRecordSets"]  # type: ignore[no-any-return]

    def records_named(self, name: str) -> list[dict[str, Any]]:
        wanted = name.rstrip(".").lower() + "."
        return [record for record in self.records() if record["Name"] == wanted]

    def distribution_config(self) -> dict[str, Any]:
        return self.aws.client("cloudfront").get_distribution_config(Id=self.distribution_id)["DistributionConfig"]  # type: ignore[no-any-return]

    def health_checks(self) -> list[dict[str, Any]]:
        return self.aws.client("route53").list_health_checks()["HealthChecks"]  # type: ignore[no-any-return]

    def mutating_calls(self) -> list[tuple[str, str]]:
        return [(call["service"], call["operation"]) for call in self.aws.control.mutating_calls()]


def assert_no_key_material(log: str, kube: ApiClient) -> None:
    """No fragment of any private key generated in this session appears in `log`, in any Event or any status.

    Fragments in every form a request, a response or a log line could carry
    them (`key_leak_forms`), not only the PEM lines.

    Raises with a count only: an assertion that printed what it compared would
    put the leaked lines into the test output itself.
    """
    events = client.CoreV1Api(kube).list_event_for_all_namespaces()
    texts = [log, *(f"{e.reason} {e.message}" for e in events.items)]
    for item in client.CustomObjectsApi(kube).list_cluster_custom_object(G, V, P)["items"]:
        texts.append(repr(item.get("status")))
    leaked = count_key_leaks(texts, GENERATED_KEYS)
    if leaked:
        forms = ", ".join(f"{form}: {count}" for form, count in sorted(leaked.items()))
        raise AssertionError(f"{sum(leaked.values())} private key fragments leaked into the log, Events or status ({forms})")


def count_key_leaks(texts: list[str], pems: list[str]) -> dict[str, int]:
    """How many fragments of each form (`key_leak_forms`) of any of `pems` occur in `texts`; counts, never the text.

    Every fragment is a run of base64/hex/URL-encoding characters, so it can
    only occur inside such a run of the text: searching the distinct runs
    keeps a debug-level log of many megabytes quick to scan.
    """
    runs = "\n".join({run for text in texts for run in _RUN.findall(text)})
    counts: dict[str, int] = {}
    for form, fragments in _union(key_leak_forms(pem) for pem in set(pems)).items():
        if found := sum(1 for fragment in fragments if fragment in runs):
            counts[form] = found
    return counts


_MIN_FRAGMENT = 16  # shorter pieces (the last line of a PEM body) would match by chance in a large log
_RUN = re.compile(r"[A-Za-z0-9+/=%]{16,}")  # at least _MIN_FRAGMENT characters


def key_leak_forms(pem: str) -> dict[str, set[str]]:
    """The fragments a private key PEM can leak as, by form, derived from the PEM alone.

    * its PEM body lines, raw and URL-encoded (``quote``, ``quote(safe="")``,
      ``quote_plus``: a form-encoded IAM request body);
    * the base64 of its DER, PKCS#8 and traditional, unwrapped, and the base64
      of the PEM text itself (an ACM JSON body, a Secret's ``data``), each at
      the three byte alignments it can start at inside a longer encoding;
    * the hex of a slice from the middle of each DER.
    """
    lines = [line for line in pem.splitlines() if line and not line.startswith("-----") and ":" not in line]
    url = {quoted for line in lines for quoted in (quote(line), quote(line, safe=""), quote_plus(line))} - set(lines)
    ders = _ders(pem)
    forms = {
        "PEM line": set(lines),
        "URL-encoded PEM line": url,
        "base64 of DER": {piece for der in ders for piece in _base64_middles(der)},
        "base64 of PEM": _base64_middles(pem.encode("ascii")),
        "hex of DER": {cased for der in ders for cased in _hex_middle(der)},
    }
    return {form: {piece for piece in pieces if len(piece) >= _MIN_FRAGMENT} for form, pieces in forms.items()}


def _ders(pem: str) -> set[bytes]:
    """The key's DER as PKCS#8 and traditional (when it loads), and the DER its PEM body holds."""
    body = "".join(line for line in pem.splitlines() if line and not line.startswith("-----") and ":" not in line)
    ders = {base64.b64decode(body)}
    for password in (None, certgen.PASSWORD):
        try:
            key = serialization.load_pem_private_key(pem.encode("ascii"), password)
        except (TypeError, ValueError):
            continue
        for fmt in (serialization.PrivateFormat.PKCS8, serialization.PrivateFormat.TraditionalOpenSSL):
            with contextlib.suppress(ValueError):  # no traditional form (Ed25519, Ed448)
                ders.add(key.private_bytes(serialization.Encoding.DER, fmt, serialization.NoEncryption()))
    return ders


def _base64_middles(data: bytes, width: int = 64) -> set[str]:
    """A `width`-character window from the middle of `data`'s base64, for each of the three alignments."""
    pieces = set()
    for lead in range(3):
        encoded = base64.b64encode(data[lead:]).decode("ascii")
        middle = len(encoded) // 2
        pieces.add(encoded[middle - width // 2 : middle + width // 2])
    return pieces


def _hex_middle(der: bytes, size: int = 24) -> set[str]:
    middle = der[len(der) // 2 - size // 2 : len(der) // 2 + size // 2].hex()
    return {middle, middle.upper()}


def _union(mappings: Iterable[dict[str, set[str]]]) -> dict[str, set[str]]:
    union: dict[str, set[str]] = {}
    for mapping in mappings:
        for form, pieces in mapping.items():
            union.setdefault(form, set()).update(pieces)
    return union


def eventually(probe: Callable[[], Any], timeout: float, describe: Callable[[], str]) -> Any:
    """Poll `probe` until it returns something truthy; fail with `describe()` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout} s: {describe()}")
        time.sleep(0.2)


def create_distribution(aws: AwsBed, comment: str = "maintenance page", ipv6: bool = True) -> dict[str, Any]:
    """A maintenance distribution as a user makes it (the console turns IPv6 on; the API's default is off)."""
    config = {
        "CallerReference": f"maintenance-{time.monotonic_ns()}",
        "Comment": comment,
        "Enabled": True,
        "IsIPV6Enabled": ipv6,
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": "maintenance",
                    "DomainName": "maintenance.example.net",
                    "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"},
                }
            ],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": "maintenance",
            "ViewerProtocolPolicy": "redirect-to-https",
            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
        },
    }
    return aws.client("cloudfront").create_distribution(DistributionConfig=config)["Distribution"]  # type: ignore[no-any-return]
