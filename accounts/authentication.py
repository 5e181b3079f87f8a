"""API authentication: DRF's ``Authorization: Token <key>`` (API.md), with the user read in one raw statement."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from accounts.models import User

_USER_BY_TOKEN_SQL = (
    f"SELECT account.* FROM {User._meta.db_table} AS account "
    f"JOIN {Token._meta.db_table} AS token ON token.user_id = account.id WHERE token.key = %s"
)


class TokenAuthentication(authentication.TokenAuthentication):
    """The same rules and messages as DRF's; only the read differs.

    Every question and every answer of a test carries a token: the ORM spent longer building the token
    + user query than PostgreSQL spent running it (bench/answer_throughput.py), so the user comes from a
    raw statement and the token is not loaded (nothing reads ``request.auth`` beyond its key).
    """

    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        user = next(iter(User.objects.raw(_USER_BY_TOKEN_SQL, [key])), None)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, Token(key=key, user=user)
