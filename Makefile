# failover-operator — the team's vocabulary.
#   make test     everything from nothing: venv, lint, types, control plane and helm builds (cached), whole suite
#   make demo     the whole product on the test bed, narrated: Ready, failover, maintenance window, renewal
#   make bed-up / bed-down   the test bed in the background for hands-on work (settings in .bed/env)
#   make run      the operator in the foreground against the current KUBECONFIG and AWS settings
#   make fidelity-check   prove each AWS fidelity rule is load-bearing (some test fails without it)
#   make mutation-check   prove the tests catch bugs: each named operator mutation fails a test (MUTATIONS=a,b: a subset)
#   make helm     build (or reuse from the cache) the helm CLI the chart tests use

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements-dev.lock pyproject.toml | sha256sum | cut -c1-12)
PYTEST_ARGS ?=

.PHONY: help venv lint typecheck test unit controlplane helm fidelity-check bed-up bed-down bed-status run demo clean

help:
	@grep -E '^#   make' Makefile | sed 's/^#   //'

$(STAMP): requirements-dev.lock pyproject.toml
	@echo "==> creating $(VENV) from requirements-dev.lock"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	@$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

venv: $(STAMP)

lint: venv
	$(VENV)/bin/ruff check operator tests

typecheck: venv
	$(VENV)/bin/mypy operator/failover_operator
	$(VENV)/bin/mypy tests/testbed

controlplane:
	@bash tests/controlplane/build.sh >/dev/null

helm:
	@bash tests/helm/build.sh >/dev/null

unit: venv
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

# pytest exits 5 when it collected no tests: that is a failure for us, never a pass.
test: venv lint typecheck controlplane helm
	@set +e; $(if $(PYTEST_ARGS),,FAILOVER_FULL_SUITE=1) $(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests — failing" >&2; exit 1; fi; exit $$rc

# Every fidelity rule must be load-bearing: disable each in turn, some test must fail.
fidelity-check: venv
	@PYTHONPATH=tests $(PY) -m testbed.fidelity.rulecheck

# Every named mutation of the operator (tests/mutation/mutations.py) must make one of its tests fail. Not part of `test`.
.PHONY: mutation-check
mutation-check: venv controlplane
	@PYTHONPATH=tests $(PY) -m mutation --only "$(MUTATIONS)"

bed-up: venv controlplane
	@PYTHONPATH=tests $(PY) -m testbed.bedctl up

bed-down: venv
	@PYTHONPATH=tests $(PY) -m testbed.bedctl down

bed-status: venv
	@PYTHONPATH=tests $(PY) -m testbed.bedctl status

run: venv
	$(VENV)/bin/kopf run --standalone --all-namespaces --liveness=http://0.0.0.0:8080/healthz -m failover_operator.main

demo: venv controlplane
	@PYTHONPATH=tests $(PY) -m testbed.demo

clean:
	rm -rf $(VENV) .bed .pytest_cache .mypy_cache .ruff_cache
