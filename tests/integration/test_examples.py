"""The shipped examples are valid against the real API server's CRD (server-side dry run)."""

from __future__ import annotations

from pathlib import Path

import pytest
from testbed.controlplane import ControlPlane

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))


@pytest.mark.parametrize("example", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_example_is_accepted_by_the_api_server(control_plane: ControlPlane, crd: None, namespace: str, example: Path) -> None:
    result = control_plane.kubectl_run("apply", "--dry-run=server", "-n", namespace, "-f", str(example))
    assert "created (server dry run)" in result.stdout


def test_there_is_an_example_per_store() -> None:
    texts = [path.read_text() for path in EXAMPLES]
    assert any("store: ACM" in text for text in texts) and any("store: IAM" in text for text in texts)
