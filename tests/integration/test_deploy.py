"""What users install: the image definition, the kustomize base and the Helm chart, checked against the real API server.

The operator under test already runs with a token bound to deploy/base's
ClusterRole only (see conftest), so a missing RBAC rule fails the suite; here
the manifests themselves are rendered (`kubectl kustomize`, `helm template`),
linted (`helm lint --strict`) and server-side dry-run applied, and the copies
that must not drift apart (CRD, RBAC rules, entrypoint) are compared.
test_install.py then really installs both ways and runs the image.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from testbed import image
from testbed.controlplane import ControlPlane

REPO = Path(__file__).resolve().parents[2]
BASE = REPO / "deploy" / "base"
CHART = REPO / "deploy" / "helm" / "failover-operator"
CUSTOM_VALUES = """
image: {repository: registry.example.com/failover-operator, tag: "9.9.9", pullPolicy: Always}
imagePullSecrets: [{name: regcred}]
watchNamespaces: [shop, "team-*"]
secretLabelSelector: failover.dev/watch=true
driftIntervalSeconds: 120
expiryWarningDays: 21
route53RequestsPerSecond: 2
maxAliasesPerDistribution: 250
extraTrustAnchors: |
  -----BEGIN CERTIFICATE-----
  UHJpdmF0ZSBDQSB0aGF0IENsb3VkRnJvbnQgd2FzIHRvbGQgYWJvdXQ=
  -----END CERTIFICATE-----
aws: {region: eu-west-1, endpointUrl: "https://proxy.example.net", credentialsSecret: aws-creds}
serviceAccount: {create: true, name: fo, annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::1:role/fo"}}
rbac: {create: true}
metrics: {enabled: true, port: 9100, scrapeAnnotations: true}
livenessPort: 8081
resources: {requests: {cpu: 10m, memory: 64Mi}, limits: {memory: 128Mi}}
extraEnv: [{name: FAILOVER_HEALTH_POLL_SECONDS, value: "60"}]
podAnnotations: {example.com/team: web}
podLabels: {team: web}
nodeSelector: {kubernetes.io/os: linux}
tolerations: [{key: dedicated, operator: Exists}]
affinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: []}}
priorityClassName: system-cluster-critical
"""


def _helm(helm: Path, *args: str) -> str:
    result = subprocess.run([str(helm), *args], capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, f"helm {' '.join(args)}: {result.stdout}{result.stderr}"
    return result.stdout


def _render(helm: Path, *values: str, namespace: str = "failover-operator") -> list[dict[str, Any]]:
    rendered = _helm(helm, "template", "failover-operator", str(CHART), "--namespace", namespace, "--include-crds", *values)
    return [doc for doc in yaml.safe_load_all(rendered) if doc]


def _of_kind(documents: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return next(doc for doc in documents if doc["kind"] == kind)


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


def test_helm_chart_lints_renders_and_applies_server_side(
    control_plane: ControlPlane, crd: None, helm: Path, tmp_path: Path
) -> None:
    _helm(helm, "lint", "--strict", str(CHART))
    documents = _render(helm)
    kinds = sorted(doc["kind"] for doc in documents)
    assert kinds == ["ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "Deployment", "ServiceAccount"]
    values = tmp_path / "values.yaml"
    values.write_text(CUSTOM_VALUES)
    _helm(helm, "lint", "--strict", str(CHART), "--values", str(values))
    control_plane.kubectl_run("create", "namespace", "failover-operator", check=False)
    control_plane.kubectl_run("create", "namespace", "ops", check=False)
    for rendered in (documents, _render(helm, "--values", str(values), namespace="ops")):
        stream = "\n---\n".join(yaml.safe_dump(doc) for doc in rendered)
        result = control_plane.kubectl_run("apply", "--dry-run=server", "-f", "-", stdin=stream)
        assert result.stdout.count("(server dry run)") == len(rendered), result.stdout


def test_helm_values_reach_the_deployment(helm: Path, tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text(CUSTOM_VALUES)
    documents = _render(helm, "--values", str(values), namespace="ops")
    pod = _of_kind(documents, "Deployment")["spec"]["template"]
    container = pod["spec"]["containers"][0]
    env = {item["name"]: item["value"] for item in container["env"]}
    assert container["image"] == "registry.example.com/failover-operator:9.9.9" and container["imagePullPolicy"] == "Always"
    assert container["command"][3:5] == ["--namespace=shop", "--namespace=team-*"]
    assert "--liveness=http://0.0.0.0:8081/healthz" in container["command"]
    assert env == {
        "AWS_REGION": "eu-west-1",
        "AWS_ENDPOINT_URL": "https://proxy.example.net",
        "FAILOVER_DRIFT_SECONDS": "120",
        "FAILOVER_EXPIRY_WARNING_DAYS": "21",
        "FAILOVER_ROUTE53_RATE": "2",
        "FAILOVER_MAX_ALIASES_PER_DISTRIBUTION": "250",
        "FAILOVER_METRICS_PORT": "9100",
        "FAILOVER_EXTRA_TRUST_ANCHORS": "/etc/failover-operator/trust/anchors.pem",
        "FAILOVER_SECRET_LABEL_SELECTOR": "failover.dev/watch=true",
        "FAILOVER_HEALTH_POLL_SECONDS": "60",
    }
    assert container["envFrom"] == [{"secretRef": {"name": "aws-creds"}}]
    anchors = _of_kind(documents, "ConfigMap")
    assert anchors["data"]["anchors.pem"].startswith("-----BEGIN CERTIFICATE-----\nUHJpdmF0ZSBDQSB0")
    assert container["volumeMounts"] == [{"name": "trust-anchors", "mountPath": "/etc/failover-operator/trust", "readOnly": True}]
    assert pod["spec"]["volumes"] == [{"name": "trust-anchors", "configMap": {"name": anchors["metadata"]["name"]}}]
    assert container["resources"] == {"requests": {"cpu": "10m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}}
    assert pod["metadata"]["annotations"] == {
        "prometheus.io/scrape": "true",
        "prometheus.io/port": "9100",
        "example.com/team": "web",
    }
    assert pod["metadata"]["labels"]["team"] == "web"
    assert pod["spec"]["serviceAccountName"] == "fo" and pod["spec"]["priorityClassName"] == "system-cluster-critical"
    assert pod["spec"]["nodeSelector"] == {"kubernetes.io/os": "linux"} and pod["spec"]["imagePullSecrets"] == [
        {"name": "regcred"}
    ]
    assert pod["spec"]["tolerations"] and pod["spec"]["affinity"]
    account = _of_kind(documents, "ServiceAccount")
    assert account["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/fo"}
    rules = _of_kind(documents, "ClusterRole")["rules"]
    assert {"apiGroups": [""], "resources": ["namespaces"], "verbs": ["list", "watch"]} in rules  # "team-*" is a pattern


def test_helm_metrics_off_and_rbac_off(helm: Path) -> None:
    documents = _render(helm, "--set", "metrics.enabled=false", "--set", "rbac.create=false")
    assert not [doc for doc in documents if doc["kind"].startswith("ClusterRole")]
    pod = _of_kind(documents, "Deployment")["spec"]["template"]
    container = pod["spec"]["containers"][0]
    assert {"name": "FAILOVER_METRICS_PORT", "value": "0"} in container["env"]
    assert [port["name"] for port in container["ports"]] == ["liveness"]
    assert "annotations" not in pod["metadata"]


def test_helm_chart_matches_the_base_and_the_image(helm: Path) -> None:
    """The chart carries copies (CRD, RBAC rules, the image's entrypoint): none may drift from its original."""
    assert (CHART / "crds" / "failoverdomain.yaml").read_text() == (REPO / "crds" / "failoverdomain.yaml").read_text()
    documents = _render(helm)
    base_role = yaml.safe_load((BASE / "clusterrole.yaml").read_text())
    assert _of_kind(documents, "ClusterRole")["rules"] == base_role["rules"]
    entrypoint = image.entrypoint(REPO / "Dockerfile")
    assert _of_kind(documents, "Deployment")["spec"]["template"]["spec"]["containers"][0]["command"] == entrypoint


def test_every_helm_value_is_used_by_a_template() -> None:
    templates = "".join(path.read_text() for path in (CHART / "templates").iterdir())
    used = set(re.findall(r"\.Values\.([\w.]+)", templates))

    def leaves(node: Any, prefix: str = "") -> Iterator[str]:
        if isinstance(node, dict) and node:
            for key, value in node.items():
                yield from leaves(value, f"{prefix}{key}.")
        else:
            yield prefix.rstrip(".")

    def read(path: str) -> bool:  # `.Values.resources` reads resources.requests too
        parts = path.split(".")
        return any(".".join(parts[:length]) in used for length in range(1, len(parts) + 1))

    unused = [path for path in leaves(yaml.safe_load((CHART / "values.yaml").read_text())) if not read(path)]
    assert unused == [], f"values.yaml documents values no template reads: {unused}"


@pytest.mark.parametrize("source", ["kustomize", "helm"])
def test_deployment_is_hardened(source: str, helm: Path) -> None:
    if source == "kustomize":
        deployment = next(doc for doc in yaml.safe_load_all((BASE / "deployment.yaml").read_text()) if doc)
    else:
        deployment = _of_kind(_render(helm), "Deployment")
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
    entrypoint = image.entrypoint(REPO / "Dockerfile")
    assert entrypoint[:2] == ["kopf", "run"] and entrypoint[-2:] == ["-m", "failover_operator.main"]
    assert any(arg.startswith("--liveness=") for arg in entrypoint)
    lock = (REPO / "requirements.lock").read_text()
    pins = {line.split("==")[0].replace("_", "-"): line.split("==")[1].split()[0] for line in lock.splitlines() if "==" in line}
    for requirement in tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]:
        name, version = requirement.split("==")
        assert pins.get(name.lower().replace("_", "-")) == version, f"{name} is pinned differently in requirements.lock"
    assert lock.count("--hash=sha256:") == len(pins)
