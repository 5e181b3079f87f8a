"""One error type for business rules, one JSON shape for every API error.

Services raise ``ApplicationError`` with a French message meant for the user and a stable code for
clients; HTML views show the message, the API returns ``{"code", "detail", …extra}`` with a 4xx.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
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


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: under /api/ a URL that names nothing is the API's 404, elsewhere the French page."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("NOT_FOUND", NOT_FOUND), status=404)
    return defaults.page_not_found(request, exception)


# --- the same shape in the API schema ------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """What ``api_exception_handler`` answers, as the API schema shows it (never used to build a body)."""

    class Meta:
        ref_name = "Error"

    code = serializers.CharField(help_text="Code stable, pour les programmes : INVALID_INPUT, NOT_FOUND, R70…")
    detail = serializers.CharField(help_text="Message en français, à montrer tel quel.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="INVALID_INPUT seulement : les messages, champ par champ.",
    )


ERROR_DESCRIPTIONS = {
    400: "Données invalides (INVALID_INPUT, messages par champ dans « errors ») ou règle non respectée.",
    401: "Jeton absent, invalide ou expiré.",
    403: "Non connecté (NOT_AUTHENTICATED), rôle insuffisant (FORBIDDEN) ou action interdite par une règle.",
    404: "Ressource inconnue ou d'un autre établissement (NOT_FOUND) : les deux cas répondent pareil.",
    409: "L'état de la ressource ne le permet pas (déjà fait, déjà commencé, déjà partagé…).",
    412: "Trop tôt : le délai de la règle n'est pas écoulé.",
    413: "Fichier trop volumineux.",
    422: "Données bien formées mais que cette ressource ne peut pas accepter.",
    429: f"{THROTTLED} (TOO_MANY_REQUESTS ; « retry_after » en secondes)",
}


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """The error answers an operation declares, in one line: ``responses={200: Output, **errors(400, 404)}``."""
    return {code: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]) for code in statuses}
