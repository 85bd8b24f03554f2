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
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import kopf
from kopf.cli import main as kopf_main

from . import handlers, metrics

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


@kopf.on.startup()
def configure(settings: kopf.OperatorSettings, **_: Any) -> None:
    """Settings that are part of the operator's contract with the cluster."""
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
