"""One error type for business rules, one JSON shape for every API error.

Services raise ``ApplicationError`` with a French message meant for the user and a stable code for
clients; HTML views show the message, the API returns ``{"code", "detail", …extra}`` with a 4xx.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

NOT_FOUND = "Cette ressource n'existe pas ou vous n'y avez pas accès."
FORBIDDEN = "Votre rôle ne vous permet pas de faire cette action."
NOT_AUTHENTICATED = "Vous devez être connecté pour faire cette action."
INVALID_INPUT = "Certaines informations sont manquantes ou invalides."
THROTTLED = "Trop de tentatives. Réessayez dans quelques minutes."
METHOD_NOT_ALLOWED = "Cette méthode n'est pas permise ici."


class ApplicationError(Exception):
    """A business rule said no. ``message`` is shown to the user as is."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str, code: str, *, status_code: int | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra or {}
        if status_code is not None:
            self.status_code = status_code


def error_body(code: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "detail": detail, **extra}


def _flatten_validation(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            key: [str(item) for item in (value if isinstance(value, list) else [value])]
            for key, value in detail.items()
        }
    items = detail if isinstance(detail, list) else [detail]
    return {"non_field_errors": [str(item) for item in items]}


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """Map every error an API view can raise to ``{"code", "detail", …}``."""
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.code, exc.message, **exc.extra), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404 | exceptions.NotFound):
        return Response(error_body("NOT_FOUND", NOT_FOUND), status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body("INVALID_INPUT", INVALID_INPUT, errors=_flatten_validation(exc.detail))
    elif isinstance(exc, exceptions.Throttled):
        response.data = error_body("TOO_MANY_REQUESTS", THROTTLED, retry_after=exc.wait)
    elif isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        response.data = error_body("NOT_AUTHENTICATED", NOT_AUTHENTICATED)
    elif isinstance(exc, exceptions.PermissionDenied):
        response.data = error_body("FORBIDDEN", FORBIDDEN)
    elif isinstance(exc, exceptions.MethodNotAllowed):
        response.data = error_body("METHOD_NOT_ALLOWED", METHOD_NOT_ALLOWED)
    else:
        response.data = error_body(str(getattr(exc, "default_code", "ERROR")).upper(), str(exc))
    return response
