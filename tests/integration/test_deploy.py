"""What users install: the image definition and the kustomize base, checked against the real API server.

The operator under test already runs with a token bound to deploy/base's
ClusterRole only (see conftest), so a missing RBAC rule fails the suite; here
the manifests themselves are rendered and server-side dry-run applied.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
from pathlib import Path

import yaml
from testbed.controlplane import ControlPlane

REPO = Path(__file__).resolve().parents[2]
BASE = REPO / "deploy" / "base"


def test_kustomize_base_renders_and_applies_server_side(control_plane: ControlPlane, crd: None) -> None:
    rendered = control_plane.kubectl_run("kustomize", str(BASE)).stdout
    kinds = sorted(doc["kind"] for doc in yaml.safe_load_all(rendered))
    assert kinds == ["ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "Deployment", "Namespace", "ServiceAccount"]
    control_plane.kubectl_run("create", "namespace", "failover-operator", check=False)
    result = control_plane.kubectl_run("apply", "--dry-run=server", "-k", str(BASE))
    assert result.stdout.count("(server dry run)") == len(kinds)


def test_kustomize_crd_is_the_crd(control_plane: ControlPlane) -> None:
    """kustomize refuses files outside the base, so the base carries a copy: it must never drift."""
    assert (BASE / "crd-failoverdomain.yaml").read_text() == (REPO / "crds" / "failoverdomain.yaml").read_text()


def test_deployment_is_hardened() -> None:
    deployment = next(doc for doc in yaml.safe_load_all((BASE / "deployment.yaml").read_text()) if doc)
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"


def test_dockerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint") or str(Path(__import__("sys").executable).parent / "hadolint")
    result = subprocess.run([hadolint, str(REPO / "Dockerfile")], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_installs_the_hashed_runtime_lock_and_runs_the_operator_module() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "--require-hashes -r /tmp/requirements.lock" in dockerfile
    entrypoint = json.loads(next(line for line in dockerfile.splitlines() if line.startswith("ENTRYPOINT")).split(" ", 1)[1])
    assert entrypoint[:2] == ["kopf", "run"] and entrypoint[-2:] == ["-m", "failover_operator.main"]
    assert any(arg.startswith("--liveness=") for arg in entrypoint)
    lock = (REPO / "requirements.lock").read_text()
    pins = {line.split("==")[0].replace("_", "-"): line.split("==")[1].split()[0] for line in lock.splitlines() if "==" in line}
    for requirement in tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]:
        name, version = requirement.split("==")
        assert pins.get(name.lower().replace("_", "-")) == version, f"{name} is pinned differently in requirements.lock"
    assert lock.count("--hash=sha256:") == len(pins)
