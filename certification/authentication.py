"""Bearer tokens of callers without an account: the invigilator of one session, the livret scolaire.

The authentication only reads ``Authorization: Bearer <token>``: ``request.user`` stays anonymous and
``request.auth`` is the token (None without one). What the token opens — that session, that client —
is checked by the view against its URL, which gives the refusal its own code and message (401).
The schema extensions below make both tokens security schemes of the API schema.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication


class _BearerTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.startswith("Bearer "):
            return None
        return AnonymousUser(), header.removeprefix("Bearer ")

    def authenticate_header(self, request) -> str:
        return "Bearer"


class InvigilatorTokenAuthentication(_BearerTokenAuthentication):
    """The token ``POST /api/sessions/{id}/invigilation/`` gives for the session's password."""


class LivretTokenAuthentication(_BearerTokenAuthentication):
    """The token ``POST /api/livret-scolaire/token/`` gives for the client's credentials."""


class InvigilatorTokenScheme(OpenApiAuthenticationExtension):
    target_class = InvigilatorTokenAuthentication
    name = "invigilatorAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "Jeton du surveillant : POST /api/sessions/{session_id}/invigilation/ avec le mot de passe de "
                "la session. Il n'ouvre que cette session, tant qu'elle n'est pas finalisée."
            ),
        }


class LivretTokenScheme(OpenApiAuthenticationExtension):
    target_class = LivretTokenAuthentication
    name = "livretAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "Jeton du livret scolaire : POST /api/livret-scolaire/token/ avec les identifiants du client "
                "(client_credentials), valable le temps que dit « expires_in »."
            ),
        }
