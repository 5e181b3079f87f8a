"""Writes on users, memberships and invitations.

Rules enforced here (PRODUCT.md §2, reference pix-domain §1.3–1.5, §2.4):
- a learner without e-mail gets a username ``prenom.nomJJMM``; 4 random digits replace JJMM when taken;
- invitations: several comma-separated addresses at once, an existing pending invitation is re-sent rather
  than duplicated, none for an archived organisation; e-mails leave only after the transaction commits;
- accepting: the code must match a pending invitation; role = invitation role, or ADMIN for the first
  member of an organisation, else MEMBER;
- an organisation always keeps at least one administrator;
- access by UAI sends an ADMIN invitation to the organisation's official address, never to a typed one.
"""

from __future__ import annotations

import re
import secrets
from datetime import date

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import AuditLogEntry, Invitation, Membership, Organization, User
from accounts.selectors import admins_count_for_organization
from pixorga.errors import ApplicationError
from pixorga.names import name_key

EMAIL_ALREADY_USED = "Cette adresse e-mail est déjà utilisée par un compte."
BIRTHDATE_REQUIRED_WITHOUT_EMAIL = "Sans adresse e-mail, la date de naissance est obligatoire pour créer l'identifiant."
CGU_REQUIRED = "Vous devez accepter les conditions d'utilisation."
INVITATION_NO_EMAIL = "Saisissez au moins une adresse e-mail."
INVITATION_INVALID_EMAILS = "Ces adresses ne sont pas valides : {emails}."
INVITATION_TOO_MANY = "Vous pouvez inviter au plus {limit} adresses à la fois."
ORGANIZATION_ARCHIVED = "Cette organisation est archivée : elle ne peut plus inviter de membres."
INVITATION_NOT_PENDING = "Cette invitation a déjà été acceptée ou annulée."
INVITATION_ALREADY_MEMBER = "Vous êtes déjà membre de cette organisation."
LAST_ADMIN = "L'organisation doit garder au moins un administrateur."
UAI_UNKNOWN = "L'UAI/RNE de l'établissement n'est pas reconnu."
UAI_SEVERAL = "Plusieurs établissements ont cet UAI/RNE : contactez le support."
UAI_NO_EMAIL = "Nous n'avons pas d'adresse e-mail de contact pour cet établissement : contactez le support."
UAI_ARCHIVED = "L'espace de cet établissement est archivé : contactez le support."

MAX_INVITATIONS_AT_ONCE = 100


def username_generate(*, first_name: str, last_name: str, birthdate: date) -> str:
    """``prenom.nomJJMM``; when taken, JJMM becomes 4 random digits until free (reference §2.4)."""
    stem = f"{name_key(first_name)}.{name_key(last_name)}"
    candidate = f"{stem}{birthdate:%d%m}"
    while User.objects.filter(username=candidate).exists():
        candidate = f"{stem}{secrets.randbelow(10_000):04d}"
    return candidate


@transaction.atomic
def user_create(
    *,
    first_name: str,
    last_name: str,
    password: str,
    email: str | None = None,
    birthdate: date | None = None,
    cgu_accepted: bool = True,
) -> User:
    """Create an account; without an e-mail the username is generated from name and birthdate."""
    if not cgu_accepted:
        raise ApplicationError(CGU_REQUIRED, "CGU_NOT_ACCEPTED")
    first_name, last_name = first_name.strip(), last_name.strip()
    email = (email or "").strip().lower() or None
    if email and User.objects.filter(email__iexact=email).exists():
        raise ApplicationError(EMAIL_ALREADY_USED, "EMAIL_ALREADY_EXISTS")
    if not email and birthdate is None:
        raise ApplicationError(BIRTHDATE_REQUIRED_WITHOUT_EMAIL, "BIRTHDATE_REQUIRED")
    user = User(
        first_name=first_name,
        last_name=last_name,
        email=email,
        birthdate=birthdate,
        cgu_accepted_at=timezone.now(),
    )
    if not email:
        user.username = username_generate(first_name=first_name, last_name=last_name, birthdate=birthdate)
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), "INVALID_PASSWORD") from exc
    user.set_password(password)
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # two sign-ups racing for the same address
        raise ApplicationError(EMAIL_ALREADY_USED, "EMAIL_ALREADY_EXISTS") from exc
    return user


def _audit(*, organization: Organization, actor: User | None, kind: str, **extra) -> None:
    AuditLogEntry.objects.create(organization=organization, actor=actor, kind=kind, extra=extra)


def _enqueue_invitation_email(invitation: Invitation) -> None:
    from accounts.tasks import invitation_send_email

    invitation_id = invitation.pk
    transaction.on_commit(lambda: invitation_send_email.delay(invitation_id))


def parse_invitation_emails(raw: str) -> list[str]:
    """Split on commas (and semicolons or line breaks, which people paste too), trim, lowercase, dedupe."""
    seen: dict[str, None] = {}
    for part in re.split(r"[,;\n]", raw or ""):
        address = part.strip().lower()
        if address:
            seen.setdefault(address, None)
    emails = list(seen)
    if not emails:
        raise ApplicationError(INVITATION_NO_EMAIL, "INVITATION_NO_EMAIL")
    if len(emails) > MAX_INVITATIONS_AT_ONCE:
        raise ApplicationError(INVITATION_TOO_MANY.format(limit=MAX_INVITATIONS_AT_ONCE), "INVITATION_TOO_MANY")
    invalid = []
    for address in emails:
        try:
            validate_email(address)
        except ValidationError:
            invalid.append(address)
    if invalid:
        raise ApplicationError(
            INVITATION_INVALID_EMAILS.format(emails=", ".join(invalid)), "INVALID_EMAILS", extra={"emails": invalid}
        )
    return emails


def _invitation_create_or_refresh(
    *, organization: Organization, email: str, role: str | None, invited_by: User | None, requested_by_name: str = ""
) -> Invitation:
    invitation = (
        organization.invitations.select_for_update()
        .filter(email__iexact=email, status=Invitation.Status.PENDING)
        .first()
    )
    now = timezone.now()
    if invitation is None:
        invitation = Invitation(organization=organization, email=email, created_at=now)
    invitation.role = role
    invitation.invited_by = invited_by
    invitation.requested_by_name = requested_by_name
    invitation.updated_at = now
    invitation.full_clean()
    invitation.save()
    _enqueue_invitation_email(invitation)
    return invitation


@transaction.atomic(durable=True)
def invitations_send(
    *, organization: Organization, invited_by: User, emails: str, role: str | None
) -> list[Invitation]:
    """Invite every address of a comma-separated list; all are sent or none (one bad address refuses all)."""
    if organization.is_archived:
        raise ApplicationError(ORGANIZATION_ARCHIVED, "ORGANIZATION_ARCHIVED")
    addresses = parse_invitation_emails(emails)
    invitations = [
        _invitation_create_or_refresh(organization=organization, email=address, role=role, invited_by=invited_by)
        for address in addresses
    ]
    _audit(
        organization=organization,
        actor=invited_by,
        kind=AuditLogEntry.Kind.INVITATION_SENT,
        emails=addresses,
        role=role,
    )
    return invitations


@transaction.atomic(durable=True)
def invitation_resend(*, invitation: Invitation, actor: User) -> Invitation:
    if invitation.status != Invitation.Status.PENDING:
        raise ApplicationError(INVITATION_NOT_PENDING, "INVITATION_NOT_PENDING")
    invitation.updated_at = timezone.now()
    invitation.save(update_fields=["updated_at"])
    _enqueue_invitation_email(invitation)
    _audit(
        organization=invitation.organization,
        actor=actor,
        kind=AuditLogEntry.Kind.INVITATION_SENT,
        emails=[invitation.email],
        role=invitation.role,
        resent=True,
    )
    return invitation


@transaction.atomic(durable=True)
def invitation_cancel(*, invitation: Invitation, actor: User) -> Invitation:
    if invitation.status != Invitation.Status.PENDING:
        raise ApplicationError(INVITATION_NOT_PENDING, "INVITATION_NOT_PENDING")
    invitation.status = Invitation.Status.CANCELLED
    invitation.updated_at = timezone.now()
    invitation.save(update_fields=["status", "updated_at"])
    _audit(
        organization=invitation.organization,
        actor=actor,
        kind=AuditLogEntry.Kind.INVITATION_CANCELLED,
        email=invitation.email,
    )
    return invitation


def _invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    invitation = Invitation.objects.select_for_update().select_related("organization").get(pk=invitation.pk)
    organization = invitation.organization
    if invitation.status != Invitation.Status.PENDING:
        raise ApplicationError(INVITATION_NOT_PENDING, "INVITATION_NOT_PENDING", status_code=409)
    if organization.is_archived:
        raise ApplicationError(ORGANIZATION_ARCHIVED, "ORGANIZATION_ARCHIVED", status_code=409)
    existing = organization.memberships.select_for_update().filter(user=user, disabled_at__isnull=True).first()
    if existing is not None and invitation.role is None:
        raise ApplicationError(INVITATION_ALREADY_MEMBER, "ALREADY_MEMBER", status_code=409)
    if existing is not None:
        existing.role = invitation.role
        existing.updated_by = user
        existing.save(update_fields=["role", "updated_by"])
        membership = existing
    else:
        has_members = organization.memberships.filter(disabled_at__isnull=True).exists()
        role = invitation.role or (Membership.Role.MEMBER if has_members else Membership.Role.ADMIN)
        membership = Membership.objects.create(user=user, organization=organization, role=role)
    invitation.status = Invitation.Status.ACCEPTED
    invitation.updated_at = timezone.now()
    invitation.save(update_fields=["status", "updated_at"])
    user.last_organization = organization
    user.save(update_fields=["last_organization"])
    _audit(organization=organization, actor=user, kind=AuditLogEntry.Kind.INVITATION_ACCEPTED, role=membership.role)
    return membership


@transaction.atomic(durable=True)
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """The logged-in user joins the organisation the invitation is for."""
    return _invitation_accept(invitation=invitation, user=user)


@transaction.atomic(durable=True)
def invitation_accept_with_new_account(
    *, invitation: Invitation, first_name: str, last_name: str, password: str, cgu_accepted: bool
) -> tuple[User, Membership]:
    """Create the invitee's account with the invited address, then join; both or neither."""
    user = user_create(
        first_name=first_name, last_name=last_name, email=invitation.email, password=password, cgu_accepted=cgu_accepted
    )
    return user, _invitation_accept(invitation=invitation, user=user)


def _ensure_an_admin_remains(membership: Membership) -> None:
    if membership.is_admin and admins_count_for_organization(organization=membership.organization) <= 1:
        raise ApplicationError(LAST_ADMIN, "LAST_ADMIN", status_code=409)


@transaction.atomic(durable=True)
def membership_change_role(*, membership: Membership, role: str, actor: User) -> Membership:
    if role not in Membership.Role.values:
        raise ApplicationError("Rôle inconnu.", "INVALID_ROLE")
    Organization.objects.select_for_update().get(pk=membership.organization_id)
    membership.refresh_from_db()
    if membership.role == role:
        return membership
    if role != Membership.Role.ADMIN:
        _ensure_an_admin_remains(membership)
    previous = membership.role
    membership.role = role
    membership.updated_by = actor
    membership.save(update_fields=["role", "updated_by"])
    _audit(
        organization=membership.organization,
        actor=actor,
        kind=AuditLogEntry.Kind.MEMBER_ROLE_CHANGED,
        member=membership.user.full_name,
        previous=previous,
        role=role,
    )
    return membership


@transaction.atomic(durable=True)
def membership_disable(*, membership: Membership, actor: User) -> Membership:
    """Remove a member (or leave, when ``actor`` is the member); the last admin cannot go."""
    Organization.objects.select_for_update().get(pk=membership.organization_id)
    membership.refresh_from_db()
    _ensure_an_admin_remains(membership)
    membership.disabled_at = timezone.now()
    membership.updated_by = actor
    membership.save(update_fields=["disabled_at", "updated_by"])
    kind = AuditLogEntry.Kind.MEMBER_LEFT if actor.pk == membership.user_id else AuditLogEntry.Kind.MEMBER_REMOVED
    _audit(organization=membership.organization, actor=actor, kind=kind, member=membership.user.full_name)
    return membership


@transaction.atomic(durable=True)
def organization_access_request(*, uai: str, first_name: str, last_name: str) -> Invitation:
    """ "Activez votre espace": an ADMIN invitation goes to the school's official address (reference §1.5)."""
    matches = list(
        Organization.objects.select_for_update().filter(type=Organization.Type.SCO, external_id__iexact=uai.strip())[:2]
    )
    if not matches:
        raise ApplicationError(UAI_UNKNOWN, "UAI_NOT_FOUND", status_code=404)
    if len(matches) > 1:
        raise ApplicationError(UAI_SEVERAL, "UAI_SEVERAL_ORGANIZATIONS", status_code=409)
    organization = matches[0]
    if organization.is_archived:
        raise ApplicationError(UAI_ARCHIVED, "ORGANIZATION_ARCHIVED", status_code=409)
    if not organization.email:
        raise ApplicationError(UAI_NO_EMAIL, "ORGANIZATION_WITHOUT_EMAIL", status_code=409)
    requester = f"{first_name.strip()} {last_name.strip()}".strip()
    invitation = _invitation_create_or_refresh(
        organization=organization,
        email=organization.email.lower(),
        role=Membership.Role.ADMIN,
        invited_by=None,
        requested_by_name=requester,
    )
    _audit(organization=organization, actor=None, kind=AuditLogEntry.Kind.ACCESS_REQUESTED, requested_by=requester)
    return invitation


def user_password_change(*, user: User, password: str) -> User:
    """The user's own new password; a temporary one no longer needs changing."""
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    return user


def user_set_last_organization(*, user: User, organization: Organization) -> None:
    """Remember the organisation last opened, the default after login (a UI preference, not an access rule)."""
    if user.last_organization_id != organization.pk:
        user.last_organization = organization
        user.save(update_fields=["last_organization"])


def masked_email(address: str) -> str:
    """``c***@ac-lyon.fr``: tells the requester where to look without revealing the address."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"
