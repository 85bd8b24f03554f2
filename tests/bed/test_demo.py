"""`make demo` runs to its summary, and Ctrl-C stops it cleanly: nothing left running, nothing left on disk.

The demo's own narration is checked by what it prints; each step already
fails the demo (exit 1) when what it narrates does not happen.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if proc.name.isdigit() and text in cmdline:
            found.append(cmdline)
    return found


def _workdir(output: str) -> str:
    match = re.search(r"\(log: (/\S+)/operator\.log\)", output)
    assert match, f"the demo did not say where its operator log is:\n{output[-3000:]}"
    return match.group(1)


def test_make_demo_runs_to_its_summary() -> None:
    result = subprocess.run(["make", "demo"], cwd=REPO, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
    assert "Summary: the whole story ran" in result.stdout
    shown = re.findall(r"^  (\d)\. ", result.stdout, re.M)
    assert shown == [str(n) for n in range(1, 9)], result.stdout[-3000:]
    for narrated in ("Ready              True", "SECONDARY -> ", "effectiveMode Maintenance", "re-imported into the same ARN"):
        assert narrated in result.stdout, f"the demo did not show {narrated!r}"
    workdir = _workdir(result.stdout)
    assert not Path(workdir).exists() and not _processes_mentioning(workdir)


def test_ctrl_c_stops_the_demo_cleanly() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO / "tests")}
    demo = subprocess.Popen(
        [sys.executable, "-m", "testbed.demo"], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert demo.stdout is not None
    output = ""
    deadline = time.monotonic() + 300
    while "[4/8]" not in output:  # in the middle: the operator and both halves of the bed are running
        line = demo.stdout.readline()
        assert line and time.monotonic() < deadline, f"the demo ended before step 4:\n{output}"
        output += line
    demo.send_signal(signal.SIGINT)
    rest, _ = demo.communicate(timeout=90)
    output += rest
    assert demo.returncode == 130, output[-3000:]
    assert "Summary: interrupted during step 4; everything stopped cleanly" in output
    workdir = _workdir(output)
    assert not Path(workdir).exists(), "the demo left its directory behind"
    assert not _processes_mentioning(workdir), "the demo left processes running"
