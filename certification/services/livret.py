"""Clients of the livret scolaire (LSU / LSL) API: client credentials, a one-hour token, one scope.

Reference pix-domain §8.10. The secret is shown once at creation and stored hashed (Argon2, like
passwords); the token is a signed value, so checking it needs no table and it expires on its own.
"""

from __future__ import annotations

import secrets

from django.contrib.auth.hashers import check_password, make_password
from django.core import signing

from certification.models import LivretScolaireClient
from pixorga.errors import ApplicationError

LIVRET_SCOPE = "organizations-certifications-result"
TOKEN_SALT = "certification.livret-scolaire"  # noqa: S105 — a signing namespace, not a secret
TOKEN_LIFETIME_SECONDS = 3600
INVALID_CLIENT = "Identifiants du client invalides."
INVALID_SCOPE = "Portée demandée inconnue."
UNSUPPORTED_GRANT = "Seul le type « client_credentials » est accepté."


def livret_client_create(*, name: str) -> tuple[LivretScolaireClient, str]:
    """A new client and its secret (returned once, never stored in clear)."""
    secret = secrets.token_urlsafe(32)
    client = LivretScolaireClient.objects.create(
        client_id=f"livret-{secrets.token_hex(6)}", secret_hash=make_password(secret), name=name.strip()
    )
    return client, secret


def livret_token_issue(*, client_id: str, client_secret: str, grant_type: str, scope: str) -> str:
    if grant_type != "client_credentials":
        raise ApplicationError(UNSUPPORTED_GRANT, "UNSUPPORTED_GRANT_TYPE")
    client = LivretScolaireClient.objects.filter(client_id=client_id or "", is_active=True).first()
    if client is None or not check_password(client_secret or "", client.secret_hash):
        raise ApplicationError(INVALID_CLIENT, "INVALID_CLIENT", status_code=401)
    if scope != LIVRET_SCOPE:
        raise ApplicationError(INVALID_SCOPE, "INVALID_SCOPE", status_code=403)
    return signing.dumps({"client": client.client_id, "scope": scope}, salt=TOKEN_SALT)


def livret_token_client(token: str) -> LivretScolaireClient | None:
    """The active client a valid, unexpired token with the right scope belongs to."""
    try:
        data = signing.loads(token or "", salt=TOKEN_SALT, max_age=TOKEN_LIFETIME_SECONDS)
    except signing.BadSignature:
        return None
    if data.get("scope") != LIVRET_SCOPE:
        return None
    return LivretScolaireClient.objects.filter(client_id=data.get("client"), is_active=True).first()
