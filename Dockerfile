# failover-operator image: hashed, pinned dependencies in a virtualenv built in one stage and copied into a clean
# slim runtime; runs as an unprivileged user and writes nothing to its root filesystem (readOnlyRootFilesystem).
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
COPY requirements.lock /tmp/requirements.lock
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-deps --require-hashes -r /tmp/requirements.lock

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
COPY --from=build /opt/venv /opt/venv
COPY operator/failover_operator /app/failover_operator
USER 65532:65532
EXPOSE 8000 8080
# Metrics on 8000 (FAILOVER_METRICS_PORT), liveness on 8080. Scope: all namespaces (see deploy/ for RBAC).
ENTRYPOINT ["kopf", "run", "--standalone", "--all-namespaces", "--liveness=http://0.0.0.0:8080/healthz", "-m", "failover_operator.main"]
