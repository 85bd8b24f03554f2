"""The few direct Kubernetes API calls kopf does not make for us.

Reading the referenced Secret, writing status fields immediately (ids AWS just
gave us, before anything points at them), and nudging a FailoverDomain when
its Secret changed. Uses the official client with in-cluster config, falling
back to the kubeconfig (``make run``, tests).
"""

from __future__ import annotations

import functools
from typing import Any

from kubernetes import client, config
from kubernetes.client.rest import ApiException

GROUP, VERSION, PLURAL = "failover.dev", "v1alpha1", "failoverdomains"
SECRET_DIGEST_ANNOTATION = "failover.dev/secret-digest"
DRIFT_ANNOTATION = "failover.dev/drift-repaired-at"
WINDOW_ANNOTATION = "failover.dev/window-switched-at"


@functools.cache
def api() -> client.ApiClient:
    try:
        config.load_incluster_config()
    except config.ConfigException:
        config.load_kube_config()
    return client.ApiClient()


def read_secret(namespace: str, name: str) -> tuple[str | None, dict[str, str] | None] | None:
    """(type, base64 data) of a Secret, or None when it does not exist."""
    try:
        secret = client.CoreV1Api(api()).read_namespaced_secret(name, namespace)
    except ApiException as error:
        if error.status == 404:
            return None
        raise
    return secret.type, dict(secret.data or {})


def read_status(namespace: str, name: str) -> dict[str, Any] | None:
    """The FailoverDomain's status as the API server has it now (None when the object is gone).

    kopf hands timers the last body its watch delivered, which can predate a
    status write still in flight; passes read status here, under the object's
    lock, so they never compute from (and write back) an older status.
    """
    try:
        body = client.CustomObjectsApi(api()).get_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, name)
    except ApiException as error:
        if error.status == 404:
            return None
        raise
    return dict(body.get("status") or {})


def patch_status(namespace: str, name: str, fields: dict[str, Any]) -> None:
    client.CustomObjectsApi(api()).patch_namespaced_custom_object_status(
        GROUP, VERSION, namespace, PLURAL, name, {"status": fields}
    )


def annotate(namespace: str, name: str, annotations: dict[str, str]) -> None:
    """Merge-patch annotations; a changed annotation is an update kopf hands to the reconcile."""
    try:
        client.CustomObjectsApi(api()).patch_namespaced_custom_object(
            GROUP, VERSION, namespace, PLURAL, name, {"metadata": {"annotations": annotations}}
        )
    except ApiException as error:
        if error.status != 404:
            raise
