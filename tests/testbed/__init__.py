"""The project's test bed: a real Kubernetes control plane and an AWS fidelity layer.

Used by the pytest fixtures (tests/conftest.py), by `make bed-up` / `make bed-down`
(testbed.bedctl) and by `make demo`. Nothing in here is shipped with the operator.
"""
