"""A new user's install, exactly as the README says, with the image as the Dockerfile builds it.

The README's walk-through blocks (``<!-- walkthrough NAME -->``) are run command
by command with bash, verbatim, from a directory holding what a clone gives a
user (``deploy/``, ``examples/``, ``crds/``) and the site's ``tls.crt``/``tls.key``,
against a *fresh* control plane of its own (so the session's operator never sees
it) and the AWS test bed. Once for Helm and once for kustomize: each runs its
own install, upgrade and uninstall blocks and the shared ones.

The cluster here has no kubelet and no controllers, so the test plays their
part and nothing more:
* kubelet — once the install created the Deployment, its pod is started as a
  process: the container's ``command`` (or the image's ENTRYPOINT) and ``env``
  read back from the API server, run from the image replayed by
  ``testbed.image`` (the Dockerfile's own pip install into a clean virtualenv;
  nothing from the development virtualenv), with a TokenRequest token of the
  pod's ServiceAccount, bound only to the RBAC the install created. AWS
  credentials and endpoint stand in for IRSA. Ports are remapped (a pod has its
  own network namespace; this process does not);
* the namespace controller — namespaces being deleted are finalized, so
  ``kubectl delete`` of a namespace can finish.

Then the result is read back from AWS: the failover records, the distribution's
aliases and certificate; and after the uninstall blocks, that nothing is left.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from kubernetes import client, config
from kubernetes.client import ApiClient
from testbed import image, readme
from testbed.awsbed import AwsBed
from testbed.controlplane import ControlPlane, free_port, stop_process
from testbed.world import GENERATED_KEYS, assert_no_key_material, create_distribution, eventually

REPO = Path(__file__).resolve().parents[2]
ZONE = "walkthrough.test"
ROLE_ARN = "arn:aws:iam::123456789012:role/failover-operator-walkthrough"
IMAGE = "registry.example.com/failover-operator"
ORIGIN_IP = "1.1.1.1"


@pytest.fixture(scope="module")
def replayed_image(tmp_path_factory: pytest.TempPathFactory) -> image.ImageRoot:
    return image.build(REPO / "Dockerfile", tmp_path_factory.mktemp("image") / "root")


class Pod:
    """The operator Deployment's pod, run as a process the way a kubelet would run it."""

    def __init__(self, plane: ControlPlane, kube: ApiClient, built: image.ImageRoot, aws: AwsBed, workdir: Path) -> None:
        deployments = json.loads(plane.kubectl_run("get", "deployments", "-A", "-o", "json").stdout)["items"]
        assert len(deployments) == 1, f"the install should create one Deployment, found {len(deployments)}"
        self.deployment = deployments[0]
        pod = self.deployment["spec"]["template"]["spec"]
        container = pod["containers"][0]
        namespace = self.deployment["metadata"]["namespace"]
        client.CoreV1Api(kube).read_namespaced_service_account(pod["serviceAccountName"], namespace)  # made by the install
        token = plane.mint_service_account_token(kube, namespace, pod["serviceAccountName"])
        kubeconfig = _pod_kubeconfig(plane, built.root, token, pod["serviceAccountName"])
        self.liveness_port, metrics_port = free_port(), free_port()
        argv = [*(container.get("command") or built.entrypoint), *container.get("args", [])]
        argv = [re.sub(r"^(--liveness=http://[^:/]+:)\d+", rf"\g<1>{self.liveness_port}", arg) for arg in argv]
        env = {item["name"]: item["value"] for item in container.get("env", [])}
        env.update({**aws.env(), "KUBECONFIG": str(kubeconfig), "FAILOVER_METRICS_PORT": str(metrics_port)})
        env = {**built.env, **env}
        self.argv = [shutil.which(argv[0], path=env["PATH"]) or argv[0], *argv[1:]]
        self.log_path = workdir / "pod.log"
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(self.argv, env=env, cwd=built.root, stdout=log, stderr=subprocess.STDOUT)

    def alive(self) -> bool:
        return self.process.poll() is None

    def live(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.liveness_port}/healthz", timeout=2) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        stop_process(self.process)


def _pod_kubeconfig(plane: ControlPlane, root: Path, token: str, user: str) -> Path:
    """The pod's credentials inside its root, CA embedded: what a ServiceAccount token mount gives a pod."""
    path = root / "var" / "run" / "secrets" / "kubeconfig"
    path.parent.mkdir(parents=True, exist_ok=True)
    return plane.write_kubeconfig(path, token, user, embed_ca=True)


@contextmanager
def namespace_finalizer(kube: ApiClient) -> Iterator[None]:
    """Stand in for the namespace controller: finalize namespaces that are being deleted."""
    stop = threading.Event()
    core = client.CoreV1Api(kube)

    def run() -> None:
        while not stop.wait(0.5):
            for item in core.list_namespace().items:
                if item.metadata.deletion_timestamp and item.spec.finalizers:
                    item.spec.finalizers = []
                    core.replace_namespace_finalize(item.metadata.name, item)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _user_checkout(workdir: Path, hostnames: list[str], aws: AwsBed) -> Path:
    """What a user has: a clone's deploy/, examples/ and crds/, and the site's certificate files."""
    checkout = workdir / "checkout"
    for part in ("deploy", "examples", "crds"):
        shutil.copytree(REPO / part, checkout / part)
    issued = aws.issue(hostnames)
    GENERATED_KEYS.extend([issued.key_pem(), issued.key_pem("traditional")])
    (checkout / "tls.crt").write_text(issued.cert_pem)
    (checkout / "tls.key").write_text(issued.key_pem())
    return checkout


@dataclass
class Walkthrough:
    """One run of the README's blocks: the user's shell, a fresh cluster, and the kubelet's part."""

    installer: str
    plane: ControlPlane
    kube: ApiClient
    aws: AwsBed
    built: image.ImageRoot
    workdir: Path
    checkout: Path
    shell_env: dict[str, str]
    zone_id: str
    hostnames: list[str]
    pods: list[Pod] = field(default_factory=list)

    def run(self, block: str, after: Callable[[str], None] | None = None) -> dict[str, str]:
        """Each command of README block `block` with bash, as written; fail with its output."""
        outputs = {}
        for command in readme.commands(block):
            result = subprocess.run(
                ["bash", "-c", command],
                check=False,
                env=self.shell_env,
                cwd=self.checkout,
                capture_output=True,
                text=True,
                timeout=180,
            )
            assert result.returncode == 0, (
                f"README command failed ({result.returncode}): {command}\n{result.stdout}{result.stderr}"
            )
            outputs[command] = result.stdout
            if after:
                after(command)
        return outputs

    def start_pod(self) -> Pod:
        """The kubelet's part once the install created the Deployment."""
        pod = Pod(self.plane, self.kube, self.built, self.aws, self.workdir)
        self.pods.append(pod)
        eventually(lambda: pod.live() or not pod.alive(), 60, lambda: pod.log()[-3000:])
        assert pod.alive(), f"the operator exited ({pod.process.returncode}):\n{pod.log()[-3000:]}"
        return pod

    def dns_follows_mode(self, line: str) -> None:
        """What Route53 answers once `kubectl wait` saw the side switch."""
        wanted = re.search(r"activeTarget}'=(\w+)", line)
        if wanted:
            answer = self.aws.control.resolve(self.zone_id, self.hostnames[0], "A")["answer"]
            assert answer == {"Secondary": "SECONDARY", "Primary": "PRIMARY"}[wanted.group(1)], answer

    def active_target(self) -> str:
        return self.plane.kubectl_run("get", "fd", "miteru", "-o", "jsonpath={.status.activeTarget}").stdout


@pytest.fixture
def walk(
    request: pytest.FixtureRequest, replayed_image: image.ImageRoot, helm: Path, aws: AwsBed, tmp_path: Path
) -> Iterator[Walkthrough]:
    """A user's zone and distribution in the AWS bed, their checkout, and a fresh cluster of their own."""
    installer = request.param
    aws.control.set_delays(cloudfront_deploy_seconds=1, route53_insync_seconds=0.5)
    zone = aws.client("route53").create_hosted_zone(Name=ZONE, CallerReference=f"walk-{installer}")["HostedZone"]
    distribution = create_distribution(aws)
    hostnames = [ZONE, f"www.{ZONE}"]
    plane = ControlPlane.start(tmp_path / "k8s")
    kube = config.new_client_from_config(config_file=str(plane.kubeconfig))
    shell_env = {
        "PATH": f"{helm.parent}:{plane.binaries}:{os.environ['PATH']}",
        "HOME": str(tmp_path / "home"),
        "KUBECONFIG": str(plane.kubeconfig),
        "IMAGE": IMAGE,
        "ROLE_ARN": ROLE_ARN,
        "ZONE": ZONE,
        "ORIGIN_IP": ORIGIN_IP,
        "DISTRIBUTION_ID": distribution["Id"],
    }
    checkout = _user_checkout(tmp_path, hostnames, aws)
    zone_id = zone["Id"].rsplit("/", 1)[-1]
    walkthrough = Walkthrough(installer, plane, kube, aws, replayed_image, tmp_path, checkout, shell_env, zone_id, hostnames)
    try:
        with namespace_finalizer(kube):
            yield walkthrough
    except BaseException:
        _print_diagnostics(plane, walkthrough.pods)
        raise
    finally:
        for pod in walkthrough.pods:
            pod.stop()
        kube.close()
        plane.stop()


@pytest.mark.parametrize("walk", ["helm", "kustomize"], indirect=True)
def test_readme_walkthrough_installs_runs_and_uninstalls(walk: Walkthrough) -> None:
    walk.run(f"install-{walk.installer}")
    pod = walk.start_pod()
    created = walk.run("first-domain")
    get_fd = next(output for command, output in created.items() if command.startswith("kubectl get fd"))
    assert re.search(r"miteru\s+True\s+Primary", get_fd), get_fd
    distribution_id = walk.shell_env["DISTRIBUTION_ID"]
    _assert_failover_in_place(walk.aws, walk.zone_id, walk.hostnames, walk.shell_env["ORIGIN_IP"], distribution_id)
    if walk.installer == "helm":  # the ServiceAccount carries the role given with --set
        namespace = pod.deployment["metadata"]["namespace"]
        account = client.CoreV1Api(walk.kube).read_namespaced_service_account("failover-operator", namespace)
        assert account.metadata.annotations["eks.amazonaws.com/role-arn"] == ROLE_ARN
        assert pod.deployment["spec"]["template"]["spec"]["containers"][0]["image"] == f"{IMAGE}:0.1.0"
    walk.run("maintenance", after=walk.dns_follows_mode)
    walk.run(f"upgrade-{walk.installer}")
    assert pod.alive() and walk.active_target() == "Primary"
    walk.run("uninstall")
    _assert_nothing_left(walk.aws, walk.zone_id, distribution_id)
    pod.stop()  # the Deployment is deleted next: its pod ends
    log = pod.log()
    assert "Forbidden" not in log, "the installed RBAC lacks a permission"
    assert_no_key_material(log, walk.kube)  # while the Events and the CRD still exist
    walk.run(f"uninstall-{walk.installer}")
    assert walk.plane.kubectl_run("get", "crd", "failoverdomains.failover.dev", check=False).returncode != 0
    assert walk.plane.kubectl_run("get", "namespace", "failover-operator", check=False).returncode != 0


def test_every_readme_walkthrough_block_is_run() -> None:
    """A new command block in the README must be run by a test too (or it is not a walkthrough block)."""
    run_here = {f"{step}-{installer}" for step in ("install", "upgrade", "uninstall") for installer in ("helm", "kustomize")}
    run_here |= {"first-domain", "maintenance", "uninstall"}
    assert set(readme.blocks()) == run_here | {"handson"}  # handson: tests/bed/test_readme_handson.py


def _print_diagnostics(plane: ControlPlane, pods: list[Pod]) -> None:
    """On failure: what the operator said and what the FailoverDomain shows (shown by pytest with the failure)."""
    for pod in pods:
        print(f"operator log (last 4000 characters):\n{pod.log()[-4000:]}")
    print(plane.kubectl_run("get", "fd", "-A", "-o", "yaml", check=False).stdout[-4000:])


def _assert_failover_in_place(aws: AwsBed, zone_id: str, hostnames: list[str], origin: str, distribution_id: str) -> None:
    records = aws.client("route53").list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    for hostname in hostnames:
        pair = {r["Failover"]: r for r in records if r["Name"] == f"{hostname}." and r["Type"] == "A"}
        assert sorted(pair) == ["PRIMARY", "SECONDARY"], f"{hostname}: {records}"
        assert pair["PRIMARY"]["ResourceRecords"] == [{"Value": origin}]
    config_ = aws.client("cloudfront").get_distribution_config(Id=distribution_id)["DistributionConfig"]
    assert set(hostnames) <= set(config_["Aliases"].get("Items", []))
    arn = config_["ViewerCertificate"]["ACMCertificateArn"]
    certificate = aws.client("acm").describe_certificate(CertificateArn=arn)["Certificate"]
    assert set(hostnames) <= set(certificate["SubjectAlternativeNames"])


def _assert_nothing_left(aws: AwsBed, zone_id: str, distribution_id: str) -> None:
    """deletionPolicy Delete (the example's): simple records back to the origin; no check, alias or certificate left."""
    records = aws.client("route53").list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    assert not [r for r in records if "Failover" in r], records
    assert aws.client("route53").list_health_checks()["HealthChecks"] == []
    assert aws.client("acm").list_certificates()["CertificateSummaryList"] == []
    config_ = aws.client("cloudfront").get_distribution_config(Id=distribution_id)["DistributionConfig"]
    assert config_["Aliases"].get("Items", []) == []
