"""`make demo`: the whole product on the test bed, narrated, from nothing.

A newcomer without a cluster or an AWS account sees the operator do its job:
the real kube-apiserver + etcd and the AWS test bed start (the first run builds
the control plane, with progress); the operator is installed with
``kubectl apply -k deploy/base`` and runs as its ServiceAccount under exactly
the shipped RBAC; a hosted zone with today's simple records, a maintenance
distribution and a self-signed certificate Secret are created; then
``examples/failoverdomain-acm.yaml`` is applied (only the distribution id
changed) and the demo narrates what happens: every condition turning Ready,
the failover records, an origin failure flipping DNS to CloudFront and back, a
maintenance window, and a certificate renewal reaching ACM and CloudFront.

Everything lives in a temporary directory and stops at the end, on any error,
or on Ctrl-C, followed by a summary of what was shown. The bed makes CloudFront
"deploy" in seconds instead of minutes; nothing else is sped up except the
operator's poll intervals.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import certgen
from failover_operator.model.certificates import serial_hex_of
from kubernetes import config

from .awsbed import AwsBed
from .controlplane import ControlPlane, free_port, stop_process
from .world import World, create_distribution

REPO = Path(__file__).resolve().parents[2]
HOSTNAMES = ["miteru.example.com", "www.miteru.example.com"]
ORIGIN = "1.1.1.1"
NAME, NAMESPACE = "miteru", "default"
JST = timezone(timedelta(hours=9), "JST")  # the seed story's maintenance window was announced in JST
STEPS = 8


class DemoFailed(Exception):
    """A step did not reach what it narrates; the message says what was seen instead."""


@dataclass
class Demo:
    workdir: Path
    plane: ControlPlane | None = None
    aws: AwsBed | None = None
    operator: subprocess.Popen[bytes] | None = None
    world: World | None = None
    shown: list[tuple[str, float]] = field(default_factory=list)
    step_number: int = 0

    # ---- narration --------------------------------------------------------------------
    @contextmanager
    def step(self, title: str, shown: str) -> Iterator[None]:
        self.step_number += 1
        print(f"\n\033[1m[{self.step_number}/{STEPS}] {title}\033[0m", flush=True)
        started = time.monotonic()
        yield
        self.shown.append((shown, time.monotonic() - started))

    @staticmethod
    def say(text: str) -> None:
        print(f"      {text}", flush=True)

    # ---- the bed and the operator --------------------------------------------------------
    def start_bed(self) -> None:
        self.say("building kube-apiserver, kubectl and etcd from the Go module proxy if not cached (first run: ~5 min)")
        self.plane = ControlPlane.start(self.workdir / "k8s")
        self.aws = AwsBed.start(self.workdir / "aws")
        self.aws.control.set_delays(cloudfront_deploy_seconds=5, route53_insync_seconds=2)
        version = self.kubectl("version", "-o", "yaml").split("gitVersion: ")[-1].split()[0]
        self.say(f"Kubernetes {version} at {self.plane.server}; AWS test bed at {self.aws.endpoint}")
        self.say(f"the AWS bed enforces {len(self.aws.control.rules())} fidelity rules where moto is laxer than AWS")

    def kubectl(self, *args: str, stdin: str | None = None) -> str:
        assert self.plane is not None
        return self.plane.kubectl_run(*args, stdin=stdin).stdout

    def install_operator(self) -> None:
        assert self.plane is not None and self.aws is not None
        self.say("$ kubectl apply -k deploy/base")
        for line in self.kubectl("apply", "-k", str(REPO / "deploy" / "base")).splitlines():
            self.say(f"  {line}")
        self.plane.apply_crd(REPO / "crds" / "failoverdomain.yaml")  # waits until Established
        kube = config.new_client_from_config(config_file=str(self.plane.kubeconfig))
        token = self.plane.mint_service_account_token(kube, "failover-operator", "failover-operator")
        kubeconfig = self.plane.write_kubeconfig(self.workdir / "operator.kubeconfig", token, "failover-operator")
        self.world = World(self.aws, kube, NAMESPACE)
        self.say("the bed has no kubelet: the Deployment's command runs here, as its ServiceAccount (shipped RBAC only)")
        env = {
            **os.environ,
            **self.aws.env(),
            "KUBECONFIG": str(kubeconfig),
            "PYTHONPATH": str(REPO / "operator"),
            "FAILOVER_DISTRIBUTION_POLL_SECONDS": "1",
            "FAILOVER_RECORDS_POLL_SECONDS": "1",
            "FAILOVER_HEALTH_POLL_SECONDS": "2",
            "FAILOVER_WINDOW_CHECK_SECONDS": "1",
            "FAILOVER_DRIFT_SECONDS": "60",
            "FAILOVER_METRICS_PORT": str(free_port()),
        }
        argv = ["kopf", "run", "--standalone", "--all-namespaces", f"--liveness=http://127.0.0.1:{free_port()}/healthz"]
        argv += ["-m", "failover_operator.main"]
        self.say(f"$ {' '.join(argv)}   (log: {self.operator_log})")
        with open(self.operator_log, "wb") as log:
            self.operator = subprocess.Popen([sys.executable, "-m", *argv], stdout=log, stderr=subprocess.STDOUT, env=env)

    @property
    def operator_log(self) -> Path:
        return self.workdir / "operator.log"

    # ---- the user's world ---------------------------------------------------------------
    def create_world(self) -> None:
        assert self.aws is not None and self.world is not None
        route53 = self.aws.client("route53")
        zone_id = route53.create_hosted_zone(Name="example.com", CallerReference="demo-zone")["HostedZone"]["Id"].split("/")[-1]
        self.world.zone_id = zone_id
        changes = [_simple_a(name) for name in HOSTNAMES]
        route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": changes})
        self.say(f"hosted zone example.com ({zone_id}) with today's records: {', '.join(HOSTNAMES)} A {ORIGIN}")
        distribution = create_distribution(self.aws, "maintenance page for miteru.example.com")
        self.world.distribution_id = distribution["Id"]
        self.say(f"maintenance distribution {distribution['Id']} ({distribution['DomainName']}), no aliases yet")
        issued = self.world.tls_secret("miteru-tls", HOSTNAMES)
        self.say(f"Secret {NAMESPACE}/miteru-tls: self-signed for {', '.join(HOSTNAMES)}, serial {_serial(issued)}")

    def apply_example(self) -> None:
        assert self.world is not None
        distribution_id = self.world.distribution_id
        example = (REPO / "examples" / "failoverdomain-acm.yaml").read_text()
        self.say(f"$ sed s/E2EXAMPLE1234/{distribution_id}/ examples/failoverdomain-acm.yaml | kubectl apply -f -")
        self.say(
            self.kubectl("apply", "-n", NAMESPACE, "-f", "-", stdin=example.replace("E2EXAMPLE1234", distribution_id)).strip()
        )
        self.follow_conditions(timeout=120)
        for line in self.kubectl("get", "fd", NAME, "-n", NAMESPACE, "-o", "wide").splitlines():
            self.say(line)

    def follow_conditions(self, timeout: float) -> None:
        """Print every condition change until Ready is True for the current generation."""
        assert self.world is not None
        started, seen = time.monotonic(), set()
        while True:
            body = self.world.get(NAME) or {}
            for condition in body.get("status", {}).get("conditions", []):
                key = (condition["type"], condition["status"], condition["reason"])
                if key not in seen:
                    seen.add(key)
                    self.say(f"+{time.monotonic() - started:5.1f} s  {key[0]:18} {key[1]:7} {key[2]}")
            ready = self.world.condition(NAME, "Ready")
            if ready.get("status") == "True" and ready.get("observedGeneration") == body["metadata"]["generation"]:
                return
            self.check_operator()
            if time.monotonic() - started > timeout:
                raise DemoFailed(f"not Ready within {timeout:.0f} s: {ready}")
            time.sleep(0.3)

    def check_operator(self) -> None:
        if self.operator is not None and self.operator.poll() is not None:
            raise DemoFailed(f"the operator exited ({self.operator.returncode}); see {self.operator_log}")

    # ---- what to look at ----------------------------------------------------------------------
    def show_records(self) -> None:
        assert self.world is not None
        for record in self.world.records():
            if record["Type"] not in {"A", "AAAA"}:
                continue
            target = record.get("AliasTarget", {}).get("DNSName") or ", ".join(r["Value"] for r in record["ResourceRecords"])
            check = f" health check {record['HealthCheckId']}" if record.get("HealthCheckId") else ""
            self.say(f"{record['Name']:26} {record['Type']:4} {record.get('Failover', 'simple'):9} -> {target}{check}")

    def answer(self) -> str:
        assert self.world is not None
        result = self.world.aws.control.resolve(self.world.zone_id, HOSTNAMES[0], "A")
        return f"{result['answer']} -> {result.get('alias') or ', '.join(result.get('values', []))}"

    def status(self, key: str) -> Any:
        assert self.world is not None
        return (self.world.get(NAME) or {}).get("status", {}).get(key)

    def wait_for(self, what: str, probe: Callable[[], bool], timeout: float = 60) -> float:
        started = time.monotonic()
        while not probe():
            self.check_operator()
            if time.monotonic() - started > timeout:
                raise DemoFailed(f"{what}: not seen within {timeout:.0f} s")
            time.sleep(0.3)
        return time.monotonic() - started

    # ---- the story -----------------------------------------------------------------------------
    def origin_failure(self) -> None:
        assert self.aws is not None and self.world is not None
        check_id = self.status("healthCheckId")
        self.say(f"Route53 now answers {HOSTNAMES[0]}: {self.answer()}")
        self.say(f"the origin stops answering (the bed's checkers now see health check {check_id} fail)")
        self.aws.control.set_health(check_id, False)
        seconds = self.wait_for("activeTarget Secondary", lambda: self.status("activeTarget") == "Secondary")
        healthy = self.world.condition(NAME, "PrimaryHealthy")["reason"]
        self.say(f"after {seconds:.1f} s: activeTarget Secondary, PrimaryHealthy {healthy}")
        self.say(f"Route53 now answers {HOSTNAMES[0]}: {self.answer()}  (the maintenance page, with miteru's certificate)")
        self.show_events({"FailoverActivated"})
        self.say("the origin is back")
        self.aws.control.set_health(check_id, True)
        seconds = self.wait_for("activeTarget Primary", lambda: self.status("activeTarget") == "Primary")
        self.say(f"after {seconds:.1f} s: activeTarget Primary; Route53 answers {self.answer()}")
        self.show_events({"FailbackCompleted"})

    def show_events(self, reasons: set[str]) -> None:
        world = self.world
        assert world is not None
        self.wait_for(f"Events {sorted(reasons)}", lambda: reasons <= {reason for _, reason, _ in world.events(NAME)})
        for kind, reason, message in world.events(NAME):
            if reason in reasons:
                self.say(f"Event {kind} {reason}: {message}")

    def maintenance_window(self) -> None:
        assert self.aws is not None and self.world is not None
        start = datetime.now(JST).replace(microsecond=0) + timedelta(seconds=8)
        window = {
            "start": start.isoformat(),
            "end": (start + timedelta(seconds=12)).isoformat(),
            "reason": "demo: planned maintenance",
        }
        self.say(f'$ kubectl patch fd/{NAME} --type=merge -p \'{{"spec":{{"maintenanceWindows":[{window}]}}}}\'')
        self.world.patch_spec(NAME, {"maintenanceWindows": [window]})
        self.wait_for("nextWindow", lambda: bool(self.status("nextWindow")))
        self.say(f"status.nextWindow: {self.status('nextWindow')}")
        seconds = self.wait_for("effectiveMode Maintenance", lambda: self.status("effectiveMode") == "Maintenance", timeout=40)
        check = self.aws.client("route53").get_health_check(HealthCheckId=self.status("healthCheckId"))["HealthCheck"]
        flags = {key: check["HealthCheckConfig"].get(key) for key in ("Disabled", "Inverted")}
        self.say(f"+{seconds:.1f} s: the window opened: effectiveMode Maintenance, health check {flags}")
        self.say(f"Route53 answers {HOSTNAMES[0]}: {self.answer()}")
        seconds = self.wait_for("effectiveMode Auto", lambda: self.status("effectiveMode") == "Auto", timeout=40)
        self.say(f"+{seconds:.1f} s later the window closed: effectiveMode Auto; Route53 answers {self.answer()}")

    def renewal(self) -> None:
        assert self.aws is not None and self.world is not None
        acm = self.aws.client("acm")
        arn = self.world.distribution_config()["ViewerCertificate"]["ACMCertificateArn"]
        before = acm.describe_certificate(CertificateArn=arn)["Certificate"]
        self.say(f"CloudFront serves ACM certificate {arn.split('/')[-1]}, serial {before['Serial']}")
        issued = self.aws.issue(HOSTNAMES, days=90)
        self.say(f"cert-manager renews: Secret miteru-tls rewritten in place, new serial {_serial(issued)}")
        self.world.put_secret("miteru-tls", certgen.tls_secret_data(issued))
        wanted = _serial(issued)  # compared as the operator compares it: ACM's rendering, lowercased
        seconds = self.wait_for(
            "the new serial in ACM",
            lambda: acm.describe_certificate(CertificateArn=arn)["Certificate"]["Serial"].lower() == wanted,
        )
        after = acm.describe_certificate(CertificateArn=arn)["Certificate"]
        still = self.world.distribution_config()["ViewerCertificate"]["ACMCertificateArn"] == arn
        self.say(
            f"after {seconds:.1f} s: ACM re-imported into the same ARN: serial {after['Serial']}, notAfter {after['NotAfter']}"
        )
        self.say(f"CloudFront {'still serves that ARN: the renewal is live' if still else 'points elsewhere (unexpected)'}")
        if not still:
            raise DemoFailed("the distribution no longer uses the renewed certificate")

    # ---- teardown ------------------------------------------------------------------------------
    def stop(self) -> None:
        stop_process(self.operator)
        if self.world is not None:
            self.world.kube.close()
        if self.aws is not None:
            self.aws.stop()
        if self.plane is not None:
            self.plane.stop()

    def summary(self, outcome: str) -> None:
        print(f"\n\033[1mSummary: {outcome}\033[0m")
        for number, (shown, seconds) in enumerate(self.shown, 1):
            print(f"  {number}. {shown} ({seconds:.1f} s)")
        print("  Everything ran on a real kube-apiserver + etcd and moto behind the AWS fidelity layer; all stopped now.")
        print("  Next: README 'Installing in a cluster'; `make bed-up` + `make run` to try it by hand.")


def _simple_a(name: str) -> dict[str, Any]:
    record = {"Name": name, "Type": "A", "TTL": 300, "ResourceRecords": [{"Value": ORIGIN}]}
    return {"Action": "CREATE", "ResourceRecordSet": record}


def _serial(issued: certgen.Issued) -> str:
    return serial_hex_of(issued.cert.serial_number)


def run(demo: Demo) -> None:
    with demo.step(
        "Starting the test bed: real kube-apiserver + etcd, moto behind the AWS fidelity layer",
        "a real control plane and the AWS bed started",
    ):
        demo.start_bed()
    with demo.step(
        "Installing failover-operator (CRD, ServiceAccount, least-privilege RBAC) and starting it",
        "the operator installed from deploy/base, running under the shipped RBAC",
    ):
        demo.install_operator()
    with demo.step(
        "What a user already has: a hosted zone, a maintenance distribution, a TLS Secret",
        "a zone with live records, a distribution and a certificate Secret",
    ):
        demo.create_world()
    with demo.step(
        "Applying examples/failoverdomain-acm.yaml and watching it become Ready",
        "the FailoverDomain Ready: certificate in ACM, distribution, health check, records",
    ):
        demo.apply_example()
    with demo.step(
        "The records now in the zone (today's simple records adopted in one atomic change)",
        "PRIMARY/SECONDARY failover records replaced the simple ones",
    ):
        demo.show_records()
    with demo.step(
        "The origin fails: Route53 fails over to the CloudFront maintenance page, then back",
        "an origin failure flipping DNS to the maintenance page and back",
    ):
        demo.origin_failure()
    with demo.step(
        "A planned maintenance window (the seed story's, shortened to 12 s)",
        "a maintenance window switching to the maintenance page and back on time",
    ):
        demo.maintenance_window()
    with demo.step("A certificate renewal reaching ACM and CloudFront", "a renewal reaching CloudFront within seconds, same ARN"):
        demo.renewal()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    # Ctrl-C and SIGTERM stop the demo cleanly, even when started with SIGINT ignored (`make demo &`).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    workdir = Path(tempfile.mkdtemp(prefix="failover-demo-"))
    demo = Demo(workdir)
    outcome, code = "the whole story ran", 0
    try:
        run(demo)
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        print("\ninterrupted: stopping the operator, the AWS bed and the control plane ...", flush=True)
        outcome, code = f"interrupted during step {demo.step_number}; everything stopped cleanly", 130
    except (DemoFailed, RuntimeError, TimeoutError) as error:
        outcome, code = f"FAILED in step {demo.step_number}: {error}", 1
        if demo.operator_log.exists():
            print(f"\nlast lines of the operator log:\n{demo.operator_log.read_text(errors='replace')[-3000:]}", file=sys.stderr)
    finally:
        demo.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    demo.summary(outcome)
    return code


if __name__ == "__main__":
    sys.exit(main())
