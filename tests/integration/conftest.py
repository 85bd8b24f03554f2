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

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from kubernetes import client
from kubernetes.client import ApiClient
from testbed.awsbed import AwsBed
from testbed.controlplane import ControlPlane
from testbed.world import GENERATED_KEYS, G, P, V, World, create_distribution

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def crd(control_plane: ControlPlane) -> None:
    control_plane.apply_crd(REPO / "crds" / "failoverdomain.yaml")


@dataclass
class OperatorProcess:
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _operator_env(control_plane: ControlPlane, aws_bed: AwsBed) -> dict[str, str]:
    return {
        **os.environ,
        **aws_bed.env(),
        "KUBECONFIG": str(control_plane.kubeconfig),
        "PYTHONPATH": str(REPO / "operator"),
        "FAILOVER_DISTRIBUTION_POLL_SECONDS": "0.5",
        "FAILOVER_RECORDS_POLL_SECONDS": "0.5",
        "FAILOVER_ERROR_RETRY_SECONDS": "2",
    }


@pytest.fixture(scope="session")
def operator_process(
    control_plane: ControlPlane, aws_bed: AwsBed, crd: None, bed_workdir: Path, kube: ApiClient
) -> Iterator[OperatorProcess]:
    log_path = bed_workdir / "operator.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "kopf", "run", "--standalone", "--all-namespaces", "--liveness=http://127.0.0.1:0/healthz",
             "-m", "failover_operator.main"],
            stdout=log, stderr=subprocess.STDOUT, env=_operator_env(control_plane, aws_bed),
        )  # fmt: skip
    operator = OperatorProcess(process, log_path)
    yield operator
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    _assert_no_key_material(operator.log(), kube)


def _assert_no_key_material(log: str, kube: ApiClient) -> None:
    """No line of any generated private key appears in the log, Events or status."""
    events = client.CoreV1Api(kube).list_event_for_all_namespaces()
    texts = [log, *(f"{e.reason} {e.message}" for e in events.items)]
    for item in client.CustomObjectsApi(kube).list_cluster_custom_object(G, V, P)["items"]:
        texts.append(repr(item.get("status")))
    secret_lines = {line for pem in GENERATED_KEYS for line in pem.splitlines() if line and not line.startswith("-----")}
    leaked = [line for line in secret_lines if any(line in text for text in texts)]
    assert not leaked, f"{len(leaked)} private key lines leaked into the log, Events or status"


@pytest.fixture
def world(aws: AwsBed, kube: ApiClient, namespace: str, operator_process: OperatorProcess) -> Iterator[World]:
    aws.control.set_delays(cloudfront_deploy_seconds=1, route53_insync_seconds=0.5)
    zone = aws.client("route53").create_hosted_zone(Name="example.com", CallerReference=f"zone-{namespace}")["HostedZone"]
    distribution = create_distribution(aws)
    world = World(aws, kube, namespace, zone_id=zone["Id"].rsplit("/", 1)[-1],
                  distribution_id=distribution["Id"], distribution_domain=distribution["DomainName"])  # fmt: skip
    aws.control.clear_calls()
    yield world
    _clean_up(world)


def _clean_up(world: World) -> None:
    """Delete what the test left; strip finalizers of anything the operator cannot release any more."""
    api = client.CustomObjectsApi(world.kube)
    for item in api.list_namespaced_custom_object(G, V, world.namespace, P)["items"]:
        name = item["metadata"]["name"]
        api.patch_namespaced_custom_object(G, V, world.namespace, P, name, {"spec": {"deletionPolicy": "Retain"}})
        world.delete(name)
        try:
            world.wait_gone(name, timeout=15)
        except AssertionError:
            api.patch_namespaced_custom_object(G, V, world.namespace, P, name, {"metadata": {"finalizers": None}})
