"""kopf entry point: operator-wide settings, nothing else.

``kopf run -m failover_operator.main`` (or the ``failover-operator`` console
script) loads this module, which registers the handlers
(``failover_operator.handlers``) and owns the settings every handler relies
on, decided on day one because they are persisted in the cluster:

* kopf's own annotations use the ``kopf.failover.dev`` prefix (progress and
  diff-base storage), so upgrades never strand state under a default prefix.
  It must differ from ``failover.dev``: kopf ignores changes to annotations
  under its own prefix, and ``failover.dev/secret-digest`` is how a Secret
  change reaches the reconcile.
* Posting of kopf's internal log lines as Events is limited to warnings.
* No log level prints key material (``logsafety``), ``--debug`` included.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import boto3
import kopf
from kopf.cli import main as kopf_main

from . import handlers, logsafety, metrics
from .aws.session import partition_problem
from .model.trust import extra_anchors_problem

logsafety.clamp_loggers()  # before kopf's logging setup runs again and before any client is built

PERSISTENCE_PREFIX = "kopf.failover.dev"


class WaitingIsNotAnError(logging.Filter):
    """kopf reports every TemporaryError as "Handler ... failed temporarily" at ERROR, and posts it as an Event.

    Ours mean "CloudFront is deploying / Route53 is PENDING": a normal part of
    every change. Logged at ERROR they alarm on-call and fill `kubectl describe`
    with Error Events; as INFO they stay in the log and are not posted.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        ours = message.endswith((handlers.WAITING_FOR_AWS, handlers.RELEASING_IN_AWS))
        if record.levelno == logging.ERROR and "failed temporarily" in message and ours:
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def refuse_unsupported_setup() -> None:
    """Stop at start, with a clear message, rather than fail on every pass later."""
    problem = partition_problem(boto3.Session().region_name)
    if problem is None:
        problem = extra_anchors_problem()
    if problem is not None:
        raise kopf.PermanentError(problem)


@kopf.on.startup()
def configure(settings: kopf.OperatorSettings, **_: Any) -> None:
    """Settings that are part of the operator's contract with the cluster."""
    logsafety.clamp_loggers()  # again: kopf's `--debug`/`--verbose` logging setup may have replaced the root handler
    refuse_unsupported_setup()
    settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix=PERSISTENCE_PREFIX)
    settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(prefix=PERSISTENCE_PREFIX)
    settings.posting.level = logging.WARNING
    logging.getLogger("kopf.objects").addFilter(WaitingIsNotAnError())
    # Watch only TLS Secrets (server-side), optionally only labelled ones.
    settings.watching.field_selectors["v1", "secrets"] = "type=kubernetes.io/tls"
    label_selector = os.environ.get("FAILOVER_SECRET_LABEL_SELECTOR", "")
    if label_selector:
        settings.watching.label_selectors["v1", "secrets"] = label_selector
    port = int(os.environ.get("FAILOVER_METRICS_PORT", "8000"))
    if port:
        metrics.serve(port)


def cli() -> None:
    """Console script: `failover-operator [kopf run options]` == `kopf run -m failover_operator.main ...`."""
    sys.argv = ["kopf", "run", "-m", __name__, *sys.argv[1:]]
    kopf_main()
