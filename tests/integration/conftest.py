"""Integration fixtures: the real operator process against the real test bed.

`operator_process` runs ``kopf run -m failover_operator.main`` as a subprocess
(exactly what ``make run`` and the container run) with the bed's kubeconfig and
AWS endpoint, fast poll timings, and its log captured. At the end of the
session the log, every Event and every FailoverDomain status are searched for
any line of any private key the tests generated: key material must never leak.

`world` builds what a user has before applying a FailoverDomain: a hosted zone,
a maintenance distribution and a TLS Secret from cert-manager.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from kubernetes import client
from kubernetes.client import ApiClient
from testbed.awsbed import AwsBed
from testbed.controlplane import ControlPlane, ensure_helm, free_port, stop_process, temporary_namespace
from testbed.world import DRIFT_PREFIX, DRIFT_SECONDS, G, P, V, World, assert_no_key_material, create_distribution

REPO = Path(__file__).resolve().parents[2]
UNMANAGED_PREFIX = "u-"  # namespaces the test operator never watches (CRD tests write status by hand)
NO_DRIFT_SECONDS = 6 * 3600  # the drift timer is off in every other test: a broken event path must fail its own test


@pytest.fixture(scope="session")
def helm() -> Path:
    """The helm CLI, built from the Go module proxy (cached like the control plane)."""
    return ensure_helm()


@pytest.fixture(scope="session")
def crd(control_plane: ControlPlane) -> None:
    control_plane.apply_crd(REPO / "crds" / "failoverdomain.yaml")


@pytest.fixture
def unmanaged_namespace(kube: ApiClient) -> Iterator[str]:
    """A fresh namespace the running operator ignores, for tests that play the operator's part themselves."""
    with temporary_namespace(kube, UNMANAGED_PREFIX) as name:
        yield name


@dataclass
class OperatorProcess:
    """The operator as a subprocess (as `make run` and the container run it); restartable for crash tests."""

    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    namespaces: str = f"!{UNMANAGED_PREFIX}*,!{DRIFT_PREFIX}*"  # a kopf namespace pattern

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "kopf",
                    "run",
                    "--debug",  # the key-leak scan at session end reads a debug-level log
                    "--standalone",
                    f"--namespace={self.namespaces}",
                    f"--liveness={self.liveness_url}",
                    "-m",
                    "failover_operator.main",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
            )

    def kill(self) -> None:
        """SIGKILL: no clean-up, no last status write — a crash."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        stop_process(self.process)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    @property
    def liveness_url(self) -> str:
        return f"http://127.0.0.1:{self.env['TEST_LIVENESS_PORT']}/healthz"

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.env['FAILOVER_METRICS_PORT']}/metrics"


def _operator_env(control_plane: ControlPlane, aws_bed: AwsBed) -> dict[str, str]:
    return {
        **os.environ,
        **aws_bed.env(),
        "KUBECONFIG": str(control_plane.kubeconfig),
        "PYTHONPATH": str(REPO / "operator"),
        "FAILOVER_DISTRIBUTION_POLL_SECONDS": "0.5",
        "FAILOVER_RECORDS_POLL_SECONDS": "0.5",
        "FAILOVER_ERROR_RETRY_SECONDS": "2",
        "FAILOVER_DRIFT_SECONDS": str(NO_DRIFT_SECONDS),
        "FAILOVER_HEALTH_POLL_SECONDS": "1",
        "FAILOVER_WINDOW_CHECK_SECONDS": "1",
        "FAILOVER_METRICS_PORT": str(free_port()),
        "TEST_LIVENESS_PORT": str(free_port()),
    }


# An RBAC refusal, as the API server words it ("... is forbidden: User \"system:serviceaccount:...\" cannot list
# resource ..."); not the Forbidden of an Event posted into a namespace a test is already tearing down.
RBAC_DENIAL = re.compile(r'forbidden: User \\?"[^"\\]+\\?" cannot [a-z]+ resource \\?"[^"\\]+\\?"')
OPERATOR_ACTIONS: set[str] = set()  # every AWS action the operator called in this session (IAM policy check)
# Implied permissions: ImportCertificate with Tags also needs acm:AddTagsToCertificate
# (ACM User Guide, "Import certificates": "to add tags when importing, you need acm:AddTagsToCertificate").
IMPLIED_ACTIONS = {"acm:AddTagsToCertificate"}
TEST_ONLY_ROLE = """
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: failover-operator-test-scope}
rules:
  # test-only: the operator under test excludes u-* namespaces with a pattern, which makes kopf observe namespaces
  - {apiGroups: [""], resources: [namespaces], verbs: [list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: failover-operator-test-scope}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: failover-operator-test-scope}
subjects: [{kind: ServiceAccount, name: failover-operator, namespace: failover-operator}]
"""


def _operator_kubeconfig(control_plane: ControlPlane, kube: ApiClient, workdir: Path) -> Path:
    """A kubeconfig for the shipped ServiceAccount bound to exactly the shipped ClusterRole (not system:masters)."""
    control_plane.kubectl_run("create", "namespace", "failover-operator", check=False)
    base = REPO / "deploy" / "base"
    for manifest in ("clusterrole.yaml", "clusterrolebinding.yaml"):
        control_plane.kubectl_run("apply", "-f", str(base / manifest))
    control_plane.kubectl_run("apply", "-f", "-", stdin=TEST_ONLY_ROLE)
    token = control_plane.mint_service_account_token(kube, "failover-operator", "failover-operator", seconds=6 * 3600)
    return control_plane.write_kubeconfig(workdir / "operator.kubeconfig", token, "failover-operator")


@pytest.fixture(scope="session")
def operator_process(
    control_plane: ControlPlane, aws_bed: AwsBed, crd: None, bed_workdir: Path, kube: ApiClient
) -> Iterator[OperatorProcess]:
    env = _operator_env(control_plane, aws_bed)
    env["KUBECONFIG"] = str(_operator_kubeconfig(control_plane, kube, bed_workdir))
    operator = OperatorProcess(env, bed_workdir / "operator.log")
    operator.start()
    yield operator
    operator.stop()
    assert_no_key_material(operator.log(), kube)
    denied = RBAC_DENIAL.findall(operator.log())
    assert not denied, f"the shipped ClusterRole lacks a permission: {sorted(set(denied))[:5]}"
    if os.environ.get("FAILOVER_FULL_SUITE"):
        _assert_iam_policy_is_exact()


def _assert_iam_policy_is_exact() -> None:
    """deploy/iam-policy.json lists exactly the actions the operator used over the whole suite (plus implied ones)."""
    policy = json.loads((REPO / "deploy" / "iam-policy.json").read_text())
    granted = {action for statement in policy["Statement"] for action in statement["Action"]}
    used = OPERATOR_ACTIONS | IMPLIED_ACTIONS
    assert granted == used, f"missing from the policy: {sorted(used - granted)}; never used: {sorted(granted - used)}"


@pytest.fixture(scope="session")
def drift_operator(
    control_plane: ControlPlane, aws_bed: AwsBed, crd: None, bed_workdir: Path, kube: ApiClient
) -> Iterator[OperatorProcess]:
    """A second operator, with the drift timer on (every DRIFT_SECONDS), for the drift tests' namespaces only."""
    env = {**_operator_env(control_plane, aws_bed), "FAILOVER_DRIFT_SECONDS": str(DRIFT_SECONDS)}
    env["KUBECONFIG"] = str(_operator_kubeconfig(control_plane, kube, bed_workdir))
    operator = OperatorProcess(env, bed_workdir / "drift-operator.log", namespaces=f"{DRIFT_PREFIX}*")
    operator.start()
    yield operator
    operator.stop()
    assert_no_key_material(operator.log(), kube)


@pytest.fixture
def world(aws: AwsBed, kube: ApiClient, namespace: str, operator_process: OperatorProcess) -> Iterator[World]:
    aws.control.set_delays(cloudfront_deploy_seconds=1, route53_insync_seconds=0.5)
    zone = aws.client("route53").create_hosted_zone(Name="example.com", CallerReference=f"zone-{namespace}")["HostedZone"]
    distribution = create_distribution(aws)
    world = World(
        aws,
        kube,
        namespace,
        zone_id=zone["Id"].rsplit("/", 1)[-1],
        distribution_id=distribution["Id"],
        distribution_domain=distribution["DomainName"],
    )
    aws.control.clear_calls()
    yield world
    _clean_up(world)
    OPERATOR_ACTIONS.update(f"{c['service']}:{c['operation']}" for c in aws.control.calls() if c["principal"] == "operator")


def _clean_up(world: World) -> None:
    """Delete what the test left, with the deletion policy the test used (never a blanket Retain: the release
    path of failed, conflicting and never-Ready FailoverDomains runs at the end of every test that made one).

    A FailoverDomain the operator cannot release (the test broke AWS on purpose) loses its finalizer after the
    deadline; the AWS bed is reset before the next test anyway.
    """
    api = client.CustomObjectsApi(world.kube)
    world.aws.control.clear_faults()
    names = [item["metadata"]["name"] for item in api.list_namespaced_custom_object(G, V, world.namespace, P)["items"]]
    for name in names:
        world.delete(name)
    for name in names:
        try:
            world.wait_gone(name, timeout=60)
        except AssertionError:
            api.patch_namespaced_custom_object(G, V, world.namespace, P, name, {"metadata": {"finalizers": None}})
