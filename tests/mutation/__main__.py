"""Prove the integration tests catch real bugs: mutate the operator, some named test must fail.

    python -m mutation [--only a,b] [--list] [--check] [--no-baseline] [--keep]     (make mutation-check)

For each mutation in `mutation.mutations` (or those named with ``--only``;
``make mutation-check MUTATIONS=a,b``):

1. copy what the tests need (operator/, tests/, crds/, deploy/, examples/ and
   the top-level build files; never .venv or .git) to a fresh temporary
   directory;
2. apply the mutation there as an exact text replacement whose pattern must
   occur exactly once ("mutation X no longer applies" otherwise: the code has
   moved on and the mutation must be updated, never silently skipped);
3. run the mutation's integration tests with the repository venv's python, cwd
   = the copy, so pytest's ``pythonpath`` (operator/, tests/) and the operator
   subprocess's PYTHONPATH (derived in conftest from the conftest's own
   location) both resolve to the mutated copy. A probe added to the copy's
   ``failover_operator/__init__.py`` records which files every process that
   imports the package loaded: a run counts only if the operator process
   (``kopf run``) imported the copy;
4. CAUGHT when pytest reports failed tests (exit 1), NOT CAUGHT when they pass.

Before the mutations, a baseline run of the union of their tests on an
unmutated copy must pass: otherwise every verdict would be meaningless.
Exit status: 0 all caught, 1 some mutation not caught, 2 the check itself
could not run (stale mutation, unknown name, failing baseline).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .mutations import MUTATIONS, Mutation

REPO = Path(__file__).resolve().parents[2]
PACKAGE = Path("operator") / "failover_operator"
COPIED_DIRS = ("operator", "tests", "crds", "deploy", "examples")
COPIED_FILES = ("pyproject.toml", "README.md", "Makefile", "Dockerfile")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".bed")
PROBE_VARIABLE = "FAILOVER_MUTATION_PROBE"
PROBE = f"""

# ---- added by the mutation check (tests/mutation): which copy of the package did this process import?
import os as _os  # noqa: E402

if _os.environ.get("{PROBE_VARIABLE}"):
    import sys as _sys

    with open(_os.environ["{PROBE_VARIABLE}"], "a") as _probe:
        _probe.write(f"{{_os.getpid()}}\\t{{__file__}}\\t{{' '.join(_sys.argv)}}\\n")
"""
RUN_TIMEOUT = 900.0  # seconds per pytest run: a hung run is a verdict too (NOT CAUGHT, pick faster tests)


class StaleMutation(Exception):
    """The mutation's pattern is not in the code exactly once any more."""


@dataclass
class Run:
    verdict: str
    seconds: float
    summary: str
    log: Path


def python() -> str:
    venv = REPO / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def copy_repository(destination: Path) -> Path:
    """What the integration tests need, nothing else (no .venv, no .git)."""
    for name in COPIED_DIRS:
        shutil.copytree(REPO / name, destination / name, ignore=IGNORED)
    for path in [REPO / name for name in COPIED_FILES] + sorted(REPO.glob("requirements*.lock")):
        if path.exists():
            shutil.copy2(path, destination / path.name)
    with open(destination / PACKAGE / "__init__.py", "a") as init:
        init.write(PROBE)
    return destination


def check_applies(mutation: Mutation, root: Path) -> None:
    path = root / PACKAGE / mutation.path
    if not path.exists():
        raise StaleMutation(f"mutation {mutation.name} no longer applies: {PACKAGE / mutation.path} does not exist")
    found = path.read_text().count(mutation.find)
    if found != 1:
        raise StaleMutation(
            f"mutation {mutation.name} no longer applies: its pattern occurs {found} times in {PACKAGE / mutation.path} "
            f"(expected exactly once): {mutation.find.strip()[:100]!r}"
        )
    for node in mutation.tests:
        file, _, test = node.partition("::")
        test_path = root / file
        function = re.sub(r"\[.*\]$", "", test)
        if not test_path.exists() or (function and f"def {function}(" not in test_path.read_text()):
            raise StaleMutation(f"mutation {mutation.name}: its test {node} no longer exists")


def apply(mutation: Mutation, root: Path) -> None:
    check_applies(mutation, root)
    path = root / PACKAGE / mutation.path
    path.write_text(path.read_text().replace(mutation.find, mutation.replace, 1))


def pytest_args(tests: tuple[str, ...], keyword: str | None) -> list[str]:
    return ["-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests, *(["-k", keyword] if keyword else [])]


def run_tests(root: Path, tests: tuple[str, ...], keyword: str | None, log: Path) -> tuple[int | None, str, float]:
    """(pytest exit status or None on timeout, its output, seconds)."""
    probe = root / "probe.tsv"
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "FAILOVER_FULL_SUITE")}
    env.update({PROBE_VARIABLE: str(probe), "PYTHONDONTWRITEBYTECODE": "1"})
    started = time.monotonic()
    with open(log, "w") as output:
        process = subprocess.Popen(
            [python(), *pytest_args(tests, keyword)],
            cwd=root,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its control plane, bed and operator die with it on a timeout
        )
        try:
            status: int | None = process.wait(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            status = None
    return status, log.read_text(errors="replace"), time.monotonic() - started


def operator_imported_copy(root: Path) -> str | None:
    """None if the operator subprocess imported the package from `root`; else what went wrong."""
    probe = root / "probe.tsv"
    if not probe.exists():
        return "no process imported failover_operator"
    operators = [line.split("\t") for line in probe.read_text().splitlines() if "kopf" in line and " run " in line]
    if not operators:
        return "the operator process (kopf run) never imported failover_operator"
    outside = [file for _, file, _ in operators if not Path(file).resolve().is_relative_to(root.resolve())]
    return f"the operator imported {outside[0]}, not the copy" if outside else None


def outcome_line(output: str) -> str:
    """pytest's last summary line ("1 failed, 2 passed in 40.1s") and the first FAILED test."""
    lines = output.strip().splitlines()
    summary = next((line.strip("= ") for line in reversed(lines) if re.search(r"\b(passed|failed|error)", line)), "")
    failed = next((line for line in lines if line.startswith(("FAILED", "ERROR"))), "")
    return f"{summary}; {failed[:160]}" if failed else summary


def execute(mutation: Mutation | None, tests: tuple[str, ...], keyword: str | None, logs: Path, keep: bool) -> Run:
    name = mutation.name if mutation else "baseline"
    root = Path(tempfile.mkdtemp(prefix=f"failover-mutation-{name}-"))
    log = logs / f"{name}.log"
    try:
        copy_repository(root)
        if mutation is not None:
            apply(mutation, root)
        status, output, seconds = run_tests(root, tests, keyword, log)
        wrong_copy = operator_imported_copy(root)
        if status is None:
            verdict = f"NOT CAUGHT (no verdict within {RUN_TIMEOUT:.0f} s)"
        elif wrong_copy:
            verdict = f"ERROR ({wrong_copy})"
        elif status == 1:
            verdict = "CAUGHT" if mutation else "FAILED"
        elif status == 0:
            verdict = "NOT CAUGHT" if mutation else "PASSED"
        else:
            verdict = f"ERROR (pytest exit {status})"
        return Run(verdict, seconds, outcome_line(output), log)
    finally:
        if keep:
            print(f"    copy kept in {root}", flush=True)
        else:
            shutil.rmtree(root, ignore_errors=True)


def select(only: str) -> list[Mutation]:
    if not only.strip():
        return list(MUTATIONS)
    names = [name.strip() for name in only.split(",") if name.strip()]
    known = {mutation.name: mutation for mutation in MUTATIONS}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise SystemExit(f"unknown mutations: {', '.join(unknown)} (python -m mutation --list lists them)")
    return [known[name] for name in names]


def describe_tests(mutation: Mutation) -> str:
    shown = ", ".join(node.rsplit("/", 1)[-1] for node in mutation.tests)
    return shown + (f" -k {mutation.keyword}" if mutation.keyword else "")


def print_table(rows: list[tuple[Mutation, Run]]) -> None:
    width = max(len(mutation.name) for mutation, _ in rows)
    print(f"\n{'mutation':{width}}  {'verdict':10}  {'seconds':>7}  tests run")
    print(f"{'-' * width}  {'-' * 10}  {'-' * 7}  {'-' * 9}")
    for mutation, run in rows:
        print(f"{mutation.name:{width}}  {run.verdict:10}  {run.seconds:7.1f}  {describe_tests(mutation)}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mutation", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--only", default=os.environ.get("MUTATIONS", ""), help="comma-separated mutation names")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--check", action="store_true", help="only check that every mutation still applies")
    parser.add_argument("--no-baseline", action="store_true", help="skip the unmutated baseline run")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copies")
    args = parser.parse_args(argv)
    mutations = select(args.only)
    if args.list:
        for mutation in mutations:
            print(f"{mutation.name:38} {mutation.path:28} {mutation.what}")
        return 0
    stale = []
    for mutation in mutations:
        try:
            check_applies(mutation, REPO)
        except StaleMutation as error:
            stale.append(str(error))
    if stale:
        print("\n".join(stale), file=sys.stderr)
        return 2
    if args.check:
        print(f"all {len(mutations)} mutations apply exactly once")
        return 0
    logs = Path(tempfile.mkdtemp(prefix="failover-mutation-logs-"))
    print(f"{len(mutations)} mutations; logs in {logs}", flush=True)
    if not args.no_baseline:
        union = tuple(dict.fromkeys(node for mutation in mutations for node in mutation.tests))  # -k ignored: a superset
        baseline = execute(None, union, None, logs, args.keep)
        print(f"{'baseline (unmutated)':38} {baseline.verdict:10} {baseline.seconds:6.1f} s  {baseline.summary}", flush=True)
        if baseline.verdict != "PASSED":
            print(f"the tests fail without any mutation: fix them first (log: {baseline.log})", file=sys.stderr)
            return 2
    rows = []
    for mutation in mutations:
        try:
            run = execute(mutation, mutation.tests, mutation.keyword, logs, args.keep)
        except StaleMutation as error:  # edited since the up-front check
            print(str(error), file=sys.stderr)
            return 2
        rows.append((mutation, run))
        print(f"{mutation.name:38} {run.verdict:10} {run.seconds:6.1f} s  {run.summary}", flush=True)
    print_table(rows)
    missed = [mutation.name for mutation, run in rows if run.verdict != "CAUGHT"]
    print(
        f"\n{len(rows) - len(missed)} of {len(rows)} mutations caught"
        + (f"; NOT caught: {', '.join(missed)} (logs in {logs})" if missed else "")
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
