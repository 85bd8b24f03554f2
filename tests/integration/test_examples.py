"""The shipped examples are valid against the real API server's CRD (server-side dry run).

cert-manager's own CRDs are not part of the test bed: a Certificate document is
checked for the one thing that binds it to the operator, its secretName.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from testbed.controlplane import ControlPlane

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))


@pytest.mark.parametrize("example", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_example_is_accepted_by_the_api_server(control_plane: ControlPlane, crd: None, namespace: str, example: Path) -> None:
    documents = list(yaml.safe_load_all(example.read_text()))
    ours = [doc for doc in documents if doc["kind"] == "FailoverDomain"]
    assert ours, "every example shows a FailoverDomain"
    result = control_plane.kubectl_run("apply", "--dry-run=server", "-n", namespace, "-f", "-", stdin=yaml.safe_dump_all(ours))
    assert result.stdout.count("created (server dry run)") == len(ours)
    secrets = {doc["spec"]["certificate"]["secretName"] for doc in ours}
    for certificate in (doc for doc in documents if doc["kind"] == "Certificate"):
        assert certificate["apiVersion"] == "cert-manager.io/v1"
        assert certificate["spec"]["secretName"] in secrets


def test_there_is_an_example_per_store() -> None:
    texts = [path.read_text() for path in EXAMPLES]
    assert any("store: ACM" in text for text in texts) and any("store: IAM" in text for text in texts)
