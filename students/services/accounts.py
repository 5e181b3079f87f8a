"""Teachers' actions on students' accounts (reference pix-domain §2.5).

- A student without an account gets one with a username ``prenom.nomJJMM`` and a temporary password
  (6 lowercase letters without i, l, o, then 2 digits) that must be changed at first login.
- A student whose account has a username (or e-mail) can get a new temporary password.
- Passwords are shown once: the batch is kept 15 minutes in the cache, for the teacher who made it, so
  the class sheet (PDF or CSV) can be downloaded; it is never stored in the database.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from accounts.models import AuditLogEntry, Organization, User
from accounts.services import username_generate
from pixorga.errors import ApplicationError

PASSWORD_LETTERS = "abcdefghjkmnpqrstuvwxyz"  # noqa: S105 - an alphabet, not a password
CREDENTIALS_TTL = 15 * 60
NO_LEARNER_SELECTED = "Sélectionnez au moins un élève."
BIRTHDATE_MISSING = "{name} n'a pas de date de naissance dans la liste : impossible de créer son identifiant."
CREDENTIALS_EXPIRED = (
    "Cette liste d'identifiants n'est plus disponible (elle n'est gardée que 15 minutes). "
    "Réinitialisez les mots de passe pour en obtenir une nouvelle."
)


def temporary_password_generate() -> str:
    letters = "".join(secrets.choice(PASSWORD_LETTERS) for _ in range(6))
    return f"{letters}{secrets.randbelow(100):02d}"


@dataclass(frozen=True)
class Credential:
    division: str
    last_name: str
    first_name: str
    username: str
    password: str


@dataclass(frozen=True)
class CredentialBatch:
    token: str
    credentials: list[Credential]
    skipped: list[str]


def _selected(organization: Organization, learner_ids: list[int]):
    if not learner_ids:
        raise ApplicationError(NO_LEARNER_SELECTED, "NO_LEARNER_SELECTED")
    learners = list(
        organization.learners.filter(pk__in=learner_ids, is_disabled=False)
        .select_related("user")
        .select_for_update(of=("self",))
        .order_by("division", "last_name", "first_name")
    )
    if len(learners) != len(set(learner_ids)):
        # Another school's id, a disabled or unknown learner: same answer as for a missing object.
        raise ApplicationError("Élève introuvable.", "NOT_FOUND", status_code=404)
    return learners


def _keep(
    organization: Organization, actor: User, credentials: list[Credential], skipped: list[str]
) -> CredentialBatch:
    token = secrets.token_urlsafe(16)
    cache.set(
        f"credentials:{token}",
        {"organization_id": organization.pk, "actor_id": actor.pk, "credentials": [asdict(c) for c in credentials]},
        timeout=CREDENTIALS_TTL,
    )
    return CredentialBatch(token=token, credentials=credentials, skipped=skipped)


@transaction.atomic(durable=True)
def learner_accounts_create(*, organization: Organization, actor: User, learner_ids: list[int]) -> CredentialBatch:
    """Accounts with username and temporary password for the selected students who have none."""
    credentials, skipped = [], []
    for learner in _selected(organization, learner_ids):
        if learner.user_id is not None:
            skipped.append(f"{learner.first_name} {learner.last_name}")
            continue
        if learner.birthdate is None:
            raise ApplicationError(
                BIRTHDATE_MISSING.format(name=f"{learner.first_name} {learner.last_name}"), "BIRTHDATE_MISSING"
            )
        password = temporary_password_generate()
        user = User(
            first_name=learner.first_name,
            last_name=learner.last_name,
            birthdate=learner.birthdate,
            username=username_generate(
                first_name=learner.first_name, last_name=learner.last_name, birthdate=learner.birthdate
            ),
            must_change_password=True,
            cgu_accepted_at=None,
        )
        user.set_password(password)
        user.save()
        learner.user = user
        learner.updated_at = timezone.now()
        learner.save(update_fields=["user", "updated_at"])
        credentials.append(Credential(learner.division, learner.last_name, learner.first_name, user.username, password))
    AuditLogEntry.objects.create(
        organization=organization,
        actor=actor,
        kind=AuditLogEntry.Kind.LEARNER_ACCOUNTS_CREATED,
        extra={"usernames": [c.username for c in credentials]},
    )
    return _keep(organization, actor, credentials, skipped)


@transaction.atomic(durable=True)
def learner_passwords_reset(*, organization: Organization, actor: User, learner_ids: list[int]) -> CredentialBatch:
    """New temporary passwords for the selected students' accounts (changed at next login)."""
    credentials, skipped = [], []
    for learner in _selected(organization, learner_ids):
        user = learner.user
        if user is None or not (user.username or user.email):
            skipped.append(f"{learner.first_name} {learner.last_name}")
            continue
        password = temporary_password_generate()
        user.set_password(password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        credentials.append(Credential(learner.division, learner.last_name, learner.first_name, user.login, password))
    AuditLogEntry.objects.create(
        organization=organization,
        actor=actor,
        kind=AuditLogEntry.Kind.LEARNER_PASSWORDS_RESET,
        extra={"logins": [c.username for c in credentials]},
    )
    return _keep(organization, actor, credentials, skipped)


def credential_batch_get(*, organization: Organization, actor: User, token: str) -> list[Credential]:
    """The batch a teacher just made, for the class sheet; another school's or user's token is unknown."""
    data = cache.get(f"credentials:{token}")
    if not data or data["organization_id"] != organization.pk or data["actor_id"] != actor.pk:
        raise ApplicationError(CREDENTIALS_EXPIRED, "CREDENTIALS_EXPIRED", status_code=404)
    return [Credential(**c) for c in data["credentials"]]
