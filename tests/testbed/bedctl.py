"""`make bed-up` / `make bed-down` / `make bed-status`: the test bed in the background.

``up`` starts a detached supervisor (``serve``) that runs the control plane and
the AWS fidelity layer, writes ``.bed/env`` (shell-sourceable: KUBECONFIG,
AWS_ENDPOINT_URL, dummy credentials, region, FIDELITY_URL, PATH with the built
kubectl first) and waits; ``down`` signals it, and it stops both cleanly and
removes its temporary directory. Logs are in ``.bed/``.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .awsbed import AwsBed
from .controlplane import ControlPlane

REPO = Path(__file__).resolve().parents[2]
BED_DIR = REPO / ".bed"
ENV_FILE, PID_FILE, LOG_FILE = BED_DIR / "env", BED_DIR / "pid", BED_DIR / "supervisor.log"


def _running_pid() -> int | None:
    try:
        pid = int(PID_FILE.read_text())
        os.kill(pid, 0)
        return pid
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None


def up() -> int:
    if _running_pid():
        print(f"test bed already running; settings in {ENV_FILE}")
        return 0
    BED_DIR.mkdir(exist_ok=True)
    ENV_FILE.unlink(missing_ok=True)
    started = time.monotonic()
    with open(LOG_FILE, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "testbed.bedctl", "serve"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "PYTHONPATH": str(REPO / "tests")},
        )
    while not ENV_FILE.exists():
        if process.poll() is not None:
            print(LOG_FILE.read_text()[-4000:], file=sys.stderr)
            print("test bed failed to start (log above)", file=sys.stderr)
            return 1
        time.sleep(0.2)
    print(f"test bed up in {time.monotonic() - started:.1f} s. Use it with:\n  source {ENV_FILE.relative_to(REPO)}")
    print(ENV_FILE.read_text())
    return 0


def down() -> int:
    pid = _running_pid()
    if pid is None:
        print("test bed is not running")
        return 0
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _running_pid():
        time.sleep(0.2)
    print("test bed stopped" if not _running_pid() else f"test bed (pid {pid}) did not stop in 30 s")
    return 0 if not _running_pid() else 1


def status() -> int:
    pid = _running_pid()
    print(f"test bed running (pid {pid}); settings in {ENV_FILE}" if pid else "test bed is not running")
    return 0


def serve() -> int:
    """Supervisor: start both halves, publish .bed/env, wait for SIGTERM, stop both."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    workdir = Path(tempfile.mkdtemp(prefix="failover-bed-"))
    plane = aws = None
    try:
        plane = ControlPlane.start(workdir / "k8s")
        aws = AwsBed.start(workdir / "aws")
        PID_FILE.write_text(str(os.getpid()))
        _write_env(plane, aws)
        while not stop.wait(1):
            plane.check_alive()
    finally:
        ENV_FILE.unlink(missing_ok=True)
        if aws:
            aws.stop()
        if plane:
            plane.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        PID_FILE.unlink(missing_ok=True)  # last: `down` waits for it to disappear
    return 0


def _write_env(plane: ControlPlane, aws: AwsBed) -> None:
    kubeconfig = BED_DIR / "kubeconfig"
    plane.write_kubeconfig(kubeconfig, plane.admin_token, "admin")
    settings = {
        "KUBECONFIG": str(kubeconfig),
        **aws.env(),
        "FIDELITY_URL": f"{aws.endpoint}/_fidelity",
    }
    lines = [f"export {key}={shlex.quote(value)}" for key, value in settings.items()]
    lines.append(f'export PATH={shlex.quote(str(plane.binaries))}:"$PATH"')
    tmp = ENV_FILE.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n")
    tmp.replace(ENV_FILE)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["up", "down", "status", "serve"])
    command = parser.parse_args().command
    return {"up": up, "down": down, "status": status, "serve": serve}[command]()


if __name__ == "__main__":
    sys.exit(main())
