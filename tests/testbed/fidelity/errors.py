"""AWS errors as moto serialises them: code, message, and the HTTP status from the service model.

The exception class must live outside the ``moto`` package: moto looks up a
fallback service model from the exception's module name, and for
``moto.core.exceptions`` that lookup ("core") fails and turns every error into
an HTTP 500.
"""

from __future__ import annotations

from moto.core.exceptions import ServiceException


class FidelityError(ServiceException):
    """An AWS error raised by a fidelity rule."""


def aws_error(code: str, message: str) -> ServiceException:
    """An exception moto turns into the protocol-correct error response for `code`."""
    return FidelityError(code, message)
