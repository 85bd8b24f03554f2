"""Prove every fidelity rule is load-bearing: with any one rule disabled, some test must fail.

    python -m testbed.fidelity.rulecheck [pytest args...]     (make fidelity-check)

For each rule in `state.RULES`, runs the fidelity smoke tests (tests/bed) with
``FIDELITY_DISABLED_RULES=<rule>`` and reports which rules no test noticed.
Then, for the rules the operator's own behaviour depends on (`OPERATOR_TESTS`),
runs the named integration tests with the rule disabled: the operator test must
fail too, or it proves nothing about AWS. Exit status 1 if any rule can be
removed without a failing test.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from .state import RULES

REPO = Path(__file__).resolve().parents[3]
_DIALECT = "tests/integration/test_aws_dialect.py::"
# rule -> integration tests (of the operator) that must fail without it
OPERATOR_TESTS: dict[str, list[str]] = {
    "acm.key_algorithm": ["tests/integration/test_renewal.py::test_key_type_change_swaps_acm_arns_cleanly"],
    "acm.import_quota": [_DIALECT + "test_acm_import_quota_is_reported_at_once"],
    "iam.certificate_quota": [_DIALECT + "test_iam_certificate_quota_is_reported_at_once"],
    "cloudfront.one_viewer_change": [_DIALECT + "test_second_certificate_switch_waits_for_the_first"],
    "route53.change_delay": [_DIALECT + "test_records_pending_shows_unknown_pending"],
    "route53.caller_reference": [_DIALECT + "test_crash_between_create_and_status_write_adopts_the_check"],
}


def main(argv: list[str]) -> int:
    targets = argv or [str(path) for path in sorted((REPO / "tests" / "bed").glob("test_fidelity_*.py"))]
    unnoticed = [rule for rule in RULES if not _caught(rule, targets)]
    if not argv and not os.environ.get("FIDELITY_BED_ONLY"):
        unnoticed += [f"{rule} (operator)" for rule, tests in OPERATOR_TESTS.items() if not _caught(rule, tests)]
    checked = len(RULES) + (0 if argv or os.environ.get("FIDELITY_BED_ONLY") else len(OPERATOR_TESTS))
    print(f"{checked - len(unnoticed)} of {checked} checks caught" + (f"; unnoticed: {unnoticed}" if unnoticed else ""))
    return 1 if unnoticed else 0


def _caught(rule: str, targets: list[str]) -> bool:
    """Run `targets` with `rule` disabled; True when some test failed (pytest exit 1)."""
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
    where = "bed" if targets[0].startswith(str(REPO / "tests" / "bed")) else "operator"
    print(f"{rule:34} {where:8} {verdict:12} {time.monotonic() - started:5.1f} s  {failed[:100]}", flush=True)
    return result.returncode == 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
