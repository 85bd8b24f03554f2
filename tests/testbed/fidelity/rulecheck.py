"""Prove every fidelity rule is load-bearing: with any one rule disabled, some test must fail.

    python -m testbed.fidelity.rulecheck [pytest args...]     (make fidelity-check)

For each rule in `state.RULES`, runs the fidelity smoke tests (tests/bed) with
``FIDELITY_DISABLED_RULES=<rule>`` and reports which rules no test noticed.
Exit status 1 if any rule can be removed without a failing test.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from .state import RULES

REPO = Path(__file__).resolve().parents[3]


def main(argv: list[str]) -> int:
    targets = argv or [str(path) for path in sorted((REPO / "tests" / "bed").glob("test_fidelity_*.py"))]
    unnoticed = []
    for rule in RULES:
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *targets],
            env={**os.environ, "FIDELITY_DISABLED_RULES": rule},
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        verdict = "caught" if result.returncode == 1 else f"NOT CAUGHT (pytest exit {result.returncode})"
        failed = next((line for line in result.stdout.splitlines() if line.startswith("FAILED")), "")
        print(f"{rule:34} {verdict:12} {time.monotonic() - started:5.1f} s  {failed[:110]}", flush=True)
        if result.returncode != 1:
            unnoticed.append(rule)
    print(
        f"{len(RULES) - len(unnoticed)} of {len(RULES)} rules are load-bearing"
        + (f"; unnoticed: {unnoticed}" if unnoticed else "")
    )
    return 1 if unnoticed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
