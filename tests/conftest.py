"""Shared fixtures: the real test bed, started by the tests themselves.

Session scope: one fidelity-layer process (moto_server behind the AWS fidelity
rules) and one real control plane (etcd + kube-apiserver). Function scope: the
AWS bed is reset before each test, and each test gets a fresh namespace.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from kubernetes import config
from kubernetes.client import ApiClient
from testbed.awsbed import AwsBed
from testbed.controlplane import ControlPlane, temporary_namespace


@pytest.fixture(scope="session")
def bed_workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="failover-bed-"))
    yield path
    if os.environ.get("FAILOVER_KEEP_BED_LOGS"):
        print(f"\ntest bed logs kept in {path}")
    else:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def aws_bed(bed_workdir: Path) -> Iterator[AwsBed]:
    bed = AwsBed.start(bed_workdir / "aws")
    yield bed
    bed.stop()


@pytest.fixture
def aws(aws_bed: AwsBed) -> AwsBed:
    """The AWS test bed, reset to empty with default delays, quota and no faults."""
    aws_bed.control.reset()
    return aws_bed


@pytest.fixture(scope="session")
def control_plane(bed_workdir: Path) -> Iterator[ControlPlane]:
    """A real etcd + kube-apiserver for the whole session (binaries cached outside the repo)."""
    plane = ControlPlane.start(bed_workdir / "k8s")
    yield plane
    plane.stop()


@pytest.fixture(scope="session")
def kube(control_plane: ControlPlane) -> Iterator[ApiClient]:
    """An admin (system:masters) API client for the control plane."""
    client = config.new_client_from_config(config_file=str(control_plane.kubeconfig))
    yield client
    client.close()


@pytest.fixture
def namespace(kube: ApiClient) -> Iterator[str]:
    """A fresh namespace per test."""
    with temporary_namespace(kube, "t-") as name:
        yield name
