"""A real Kubernetes control plane (etcd + kube-apiserver) on loopback, envtest style.

There is no Docker engine and no downloadable Kubernetes binary on our machines,
so ``tests/controlplane/build.sh`` builds kube-apiserver, kubectl and etcd from the
Go module proxy into a cache outside the repository. This module starts them on
free ports with a generated CA and serving certificate, a static token file (an
admin in ``system:masters`` and an unprivileged ``tester``), RBAC authorization,
waits for ``/readyz`` and writes a kubeconfig. ServiceAccount tokens can be minted
through the TokenRequest API for RBAC tests with real, narrower identities.

There are no controllers (no kube-controller-manager): deleted namespaces stay
Terminating and nothing garbage-collects. The tests do not rely on either.
"""

from __future__ import annotations

import base64
import ctypes
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from kubernetes import client
from kubernetes.client import ApiClient
from kubernetes.client.rest import ApiException

from .pki import write_control_plane_pki

BUILD_SCRIPT = Path(__file__).resolve().parent.parent / "controlplane" / "build.sh"
HELM_BUILD_SCRIPT = Path(__file__).resolve().parent.parent / "helm" / "build.sh"
_PR_SET_PDEATHSIG = 1


def _built_path(script: Path, what: str) -> Path:
    """Run a cached build script (progress on stderr) and return the path it prints last."""
    result = subprocess.run(["bash", str(script)], stdout=subprocess.PIPE, stderr=sys.stderr, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"building {what} failed (exit {result.returncode}); see the output above")
    return Path(result.stdout.strip().splitlines()[-1])


def stop_process(process: subprocess.Popen[Any] | None, timeout: float = 20) -> None:
    """SIGTERM, wait up to `timeout` s, then SIGKILL: every child the bed, tests and demo start ends this way."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def ensure_binaries() -> Path:
    """Build (or reuse from the cache) kube-apiserver, kubectl and etcd; return their directory."""
    return _built_path(BUILD_SCRIPT, "the control plane")


def ensure_helm() -> Path:
    """Build (or reuse from the cache) the helm CLI the chart tests use; return the binary."""
    return _built_path(HELM_BUILD_SCRIPT, "helm")


@contextmanager
def temporary_namespace(api: ApiClient, prefix: str) -> Iterator[str]:
    """A fresh namespace for one test. Without a namespace controller it stays Terminating after delete; harmless."""
    name = f"{prefix}{uuid.uuid4().hex[:10]}"
    core = client.CoreV1Api(api)
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    try:
        yield name
    finally:
        core.delete_namespace(name)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """Child-side: get SIGTERM if the test process dies, so no etcd/apiserver outlives it."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    os.setsid()


@dataclass
class ControlPlane:
    """A running etcd + kube-apiserver pair and what clients need to reach it."""

    workdir: Path
    binaries: Path
    server: str = ""
    admin_token: str = field(default_factory=lambda: secrets.token_hex(16))
    tester_token: str = field(default_factory=lambda: secrets.token_hex(16))
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def kubeconfig(self) -> Path:
        return self.workdir / "kubeconfig"

    @property
    def kubectl(self) -> Path:
        return self.binaries / "kubectl"

    @property
    def ca_file(self) -> Path:
        return self.workdir / "pki" / "ca.crt"

    @classmethod
    def start(cls, workdir: Path, binaries: Path | None = None) -> ControlPlane:
        started = time.monotonic()
        plane = cls(workdir=workdir, binaries=binaries or ensure_binaries())
        try:
            plane._start()
        except BaseException:
            plane.stop(remove_workdir=False)
            raise
        print(f"control plane: ready at {plane.server} in {time.monotonic() - started:.1f} s", file=sys.stderr)
        return plane

    def _start(self) -> None:
        (self.workdir / "pki").mkdir(parents=True, exist_ok=True)
        pki = write_control_plane_pki(self.workdir / "pki")
        etcd_url = self._start_etcd()
        tokens = self.workdir / "tokens.csv"
        tokens.write_text(f'{self.admin_token},admin,admin-uid,"system:masters"\n{self.tester_token},tester,tester-uid\n')
        tokens.chmod(0o600)
        port = free_port()
        self.server = f"https://127.0.0.1:{port}"
        self._spawn(
            "kube-apiserver",
            [
                str(self.binaries / "kube-apiserver"),
                f"--etcd-servers={etcd_url}",
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                f"--secure-port={port}",
                f"--cert-dir={self.workdir / 'certs'}",
                f"--tls-cert-file={pki['serving.crt']}",
                f"--tls-private-key-file={pki['serving.key']}",
                f"--token-auth-file={tokens}",
                "--authorization-mode=RBAC",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                f"--service-account-key-file={pki['sa.pub']}",
                f"--service-account-signing-key-file={pki['sa.key']}",
                "--service-cluster-ip-range=10.0.0.0/24",
                "--disable-admission-plugins=ServiceAccount",
                "--allow-privileged=true",
                "--endpoint-reconciler-type=none",
                "--profiling=false",
            ],
        )
        self._wait_ready()
        self.write_kubeconfig(self.kubeconfig, self.admin_token, "admin")

    def _start_etcd(self) -> str:
        client_port, peer_port = free_port(), free_port()
        client_url, peer_url = f"http://127.0.0.1:{client_port}", f"http://127.0.0.1:{peer_port}"
        self._spawn(
            "etcd",
            [
                str(self.binaries / "etcd"),
                "--name=bed",
                f"--data-dir={self.workdir / 'etcd'}",
                f"--listen-client-urls={client_url}",
                f"--advertise-client-urls={client_url}",
                f"--listen-peer-urls={peer_url}",
                f"--initial-advertise-peer-urls={peer_url}",
                f"--initial-cluster=bed={peer_url}",
                "--unsafe-no-fsync",
                "--log-level=warn",
            ],
        )
        _poll(lambda: _http_ok(f"{client_url}/health"), 30, "etcd /health", self)
        return client_url

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = open(self.workdir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)  # noqa: PLW1509 - spawned before any worker threads touch it
        log.close()
        self.processes.append(process)

    def _wait_ready(self) -> None:
        context = ssl.create_default_context(cafile=str(self.workdir / "pki" / "ca.crt"))

        def ready() -> bool:
            request = urllib.request.Request(f"{self.server}/readyz", headers={"Authorization": f"Bearer {self.admin_token}"})
            return _http_ok(request, context)

        _poll(ready, 120, "kube-apiserver /readyz", self)

    def check_alive(self) -> None:
        for process in self.processes:
            if process.poll() is not None:
                name = Path(str(process.args[0])).name  # type: ignore[index]
                log = (self.workdir / f"{name}.log").read_text(errors="replace")[-4000:]
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{log}")

    def write_kubeconfig(self, path: Path, token: str, user: str, embed_ca: bool = False) -> Path:
        """A kubeconfig for `token` against this API server (the CA by path, or embedded: self-contained)."""
        ca: dict[str, str] = {"certificate-authority": str(self.ca_file)}
        if embed_ca:
            ca = {"certificate-authority-data": base64.b64encode(self.ca_file.read_bytes()).decode()}
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": "bed",
            "clusters": [{"name": "bed", "cluster": {"server": self.server, **ca}}],
            "users": [{"name": user, "user": {"token": token}}],
            "contexts": [{"name": "bed", "context": {"cluster": "bed", "user": user}}],
        }
        path.write_text(yaml.safe_dump(config))
        path.chmod(0o600)
        return path

    def mint_service_account_token(self, api: ApiClient, namespace: str, name: str, seconds: int = 3600) -> str:
        """Create ServiceAccount `name` (if needed) and return a TokenRequest token for it."""
        core = client.CoreV1Api(api)
        try:
            core.create_namespaced_service_account(namespace, client.V1ServiceAccount(metadata=client.V1ObjectMeta(name=name)))
        except ApiException as error:
            if error.status != 409:
                raise
        request = client.AuthenticationV1TokenRequest(spec=client.V1TokenRequestSpec(audiences=[], expiration_seconds=seconds))
        return str(core.create_namespaced_service_account_token(name, namespace, request).status.token)

    def kubectl_run(
        self, *args: str, kubeconfig: Path | None = None, stdin: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run the built kubectl against this control plane; with `check`, a failure raises with kubectl's stderr."""
        result = subprocess.run(
            [str(self.kubectl), f"--kubeconfig={kubeconfig or self.kubeconfig}", *args],
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"kubectl {' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
        return result

    def apply_crd(self, path: Path, timeout: float = 60) -> None:
        """Apply a CRD and poll until it is Established (`kubectl wait` fails before conditions exist)."""
        name = yaml.safe_load(path.read_text())["metadata"]["name"]
        self.kubectl_run("apply", "-f", str(path))
        jsonpath = '{.status.conditions[?(@.type=="Established")].status}'
        deadline = time.monotonic() + timeout
        while self.kubectl_run("get", "crd", name, "-o", f"jsonpath={jsonpath}").stdout != "True":
            if time.monotonic() > deadline:
                raise TimeoutError(f"CRD {name} not Established within {timeout} s")
            time.sleep(0.2)

    def stop(self, remove_workdir: bool = True) -> None:
        for process in reversed(self.processes):  # apiserver first, then etcd
            stop_process(process, timeout=15)
        self.processes.clear()
        if remove_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)


def _http_ok(request: str | urllib.request.Request, context: ssl.SSLContext | None = None) -> bool:
    try:
        with urllib.request.urlopen(request, timeout=2, context=context) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _poll(condition: object, timeout: float, what: str, plane: ControlPlane) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        plane.check_alive()
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise TimeoutError(f"{what} not ready within {timeout} s")
