"""Guard: the source root `operator/` must never shadow the standard library `operator`.

kopf does `from operator import eq`-style imports; a package named `operator`
on sys.path would break it in confusing ways (see DESIGN.md §4).
"""

from __future__ import annotations

import importlib
import operator
import sysconfig
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_import_operator_is_the_standard_library() -> None:
    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    assert Path(operator.__file__).resolve().parent == stdlib
    assert operator.eq(1, 1)


def test_source_root_is_not_a_package() -> None:
    assert not (REPO / "operator" / "__init__.py").exists()


def test_failover_operator_imports_from_the_source_root() -> None:
    package = importlib.import_module("failover_operator")
    assert Path(package.__file__).resolve().parent == REPO / "operator" / "failover_operator"
