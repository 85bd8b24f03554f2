"""The README's hands-on block (make bed-up, source .bed/env, kubectl, boto3, a fault, make bed-down), run verbatim.

It runs as one bash script in a copy of the repository's files (tracked and
new, not ignored ones), sharing this checkout's virtualenv and the build
cache, so a bed a developer has running here is never touched. The copy keeps
file times, so make sees the same up-to-date virtualenv and never reinstalls.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from testbed import readme

REPO = Path(__file__).resolve().parents[2]


def _copy_of_the_repository(destination: Path) -> Path:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO, capture_output=True, check=True
    ).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = REPO / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    (destination / ".venv").symlink_to(REPO / ".venv")
    return destination


def test_readme_handson_block_works_as_written(tmp_path: Path) -> None:
    copy = _copy_of_the_repository(tmp_path / "checkout")
    # A user's shell: no bed settings, and not inside `make test` (MAKEFLAGS/MAKELEVEL would make make chatty).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "KUBECONFIG", "FIDELITY", "MAKE", "MFLAGS"))}
    script = "set -euo pipefail\n" + "\n".join(readme.commands("handson"))
    try:
        result = subprocess.run(
            ["bash", "-c", script], cwd=copy, env=env, capture_output=True, text=True, timeout=600, check=False
        )
    finally:  # whatever happened, leave no bed running
        subprocess.run(["make", "bed-down"], cwd=copy, capture_output=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("kube-system ") for line in lines), "kubectl get namespaces did not list the bed's namespaces"
    assert "[]" in lines, "boto3 did not reach the bed's Route53 (no empty zone list printed)"
    assert any(line.startswith("{") and json.loads(line) == {"faults": 1} for line in lines), "the fault was not accepted"
    assert "test bed stopped" in lines
    assert not (copy / ".bed" / "pid").exists()
