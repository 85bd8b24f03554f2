"""Smoke tests of the real control plane: it serves CRDs, watches, and enforces RBAC.

These prove the test bed is a real Kubernetes API server (not a mock): a CRD is
applied with the built kubectl and becomes Established, objects are created and
watched, and RBAC denies an identity that has no role.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from kubernetes import client, config, watch
from kubernetes.client import ApiClient
from kubernetes.client.rest import ApiException
from testbed.controlplane import ControlPlane

SAMPLE_CRD = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.bed.failover.dev}
spec:
  group: bed.failover.dev
  names: {kind: Widget, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {type: integer, minimum: 1}
"""


def test_version_reports_the_real_release(control_plane: ControlPlane) -> None:
    version = json.loads(control_plane.kubectl_run("version", "-o", "json").stdout)
    assert version["serverVersion"]["gitVersion"].startswith("v1.34.")
    assert version["clientVersion"]["gitVersion"] == version["serverVersion"]["gitVersion"]


def test_crd_is_established_and_objects_can_be_created_and_watched(
    control_plane: ControlPlane, kube: ApiClient, namespace: str
) -> None:
    control_plane.kubectl_run("apply", "-f", "-", stdin=SAMPLE_CRD)
    control_plane.kubectl_run("wait", "--for=condition=Established", "--timeout=60s", "crd/widgets.bed.failover.dev")
    custom = client.CustomObjectsApi(kube)
    seen: list[str] = []
    ready = threading.Event()

    def watch_widgets() -> None:
        stream = watch.Watch()
        ready.set()
        for event in stream.stream(
            custom.list_namespaced_custom_object, "bed.failover.dev", "v1", namespace, "widgets", timeout_seconds=30
        ):
            seen.append(f"{event['type']} {event['object']['metadata']['name']}")
            if len(seen) == 1:
                stream.stop()

    watcher = threading.Thread(target=watch_widgets)
    watcher.start()
    ready.wait(10)
    body = {"apiVersion": "bed.failover.dev/v1", "kind": "Widget", "metadata": {"name": "w1"}, "spec": {"size": 3}}
    custom.create_namespaced_custom_object("bed.failover.dev", "v1", namespace, "widgets", body)
    watcher.join(timeout=40)
    assert seen == ["ADDED w1"]
    stored = custom.get_namespaced_custom_object("bed.failover.dev", "v1", namespace, "widgets", "w1")
    assert stored["spec"]["size"] == 3


def test_schema_validation_rejects_invalid_objects(control_plane: ControlPlane, kube: ApiClient, namespace: str) -> None:
    control_plane.kubectl_run("apply", "-f", "-", stdin=SAMPLE_CRD)
    control_plane.kubectl_run("wait", "--for=condition=Established", "--timeout=60s", "crd/widgets.bed.failover.dev")
    body = {"apiVersion": "bed.failover.dev/v1", "kind": "Widget", "metadata": {"name": "bad"}, "spec": {"size": 0}}
    with pytest.raises(ApiException) as rejected:
        client.CustomObjectsApi(kube).create_namespaced_custom_object("bed.failover.dev", "v1", namespace, "widgets", body)
    assert rejected.value.status == 422
    assert "spec.size" in rejected.value.body


def test_rbac_denies_the_unprivileged_identity(control_plane: ControlPlane, namespace: str, tmp_path: Path) -> None:
    kubeconfig = control_plane.write_kubeconfig(tmp_path / "tester", control_plane.tester_token, "tester")
    denied = control_plane.kubectl_run("get", "configmaps", "-n", namespace, kubeconfig=kubeconfig, check=False)
    assert denied.returncode != 0
    assert "forbidden" in denied.stderr.lower()
    assert (
        control_plane.kubectl_run(
            "auth", "can-i", "list", "configmaps", "-n", namespace, kubeconfig=kubeconfig, check=False
        ).stdout.strip()
        == "no"
    )


def test_minted_service_account_token_gets_exactly_its_role(
    control_plane: ControlPlane, kube: ApiClient, namespace: str, tmp_path: Path
) -> None:
    token = control_plane.mint_service_account_token(kube, namespace, "reader")
    control_plane.kubectl_run("create", "role", "cm-reader", "--verb=get,list", "--resource=configmaps", "-n", namespace)
    control_plane.kubectl_run(
        "create", "rolebinding", "cm-reader", "--role=cm-reader", f"--serviceaccount={namespace}:reader", "-n", namespace
    )
    api = config.new_client_from_config(config_file=str(control_plane.write_kubeconfig(tmp_path / "sa", token, "reader")))
    core = client.CoreV1Api(api)
    deadline = time.monotonic() + 30
    while True:  # RBAC caches refresh asynchronously after a binding is created
        try:
            core.list_namespaced_config_map(namespace)
            break
        except ApiException as error:
            if error.status != 403 or time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    with pytest.raises(ApiException) as forbidden:
        core.list_namespaced_secret(namespace)
    assert forbidden.value.status == 403
    api.close()
