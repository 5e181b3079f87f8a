"""Centres and sessions: what the school's certification team plans (reference pix-domain §8.1–8.2)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import AuditLogEntry, Organization, User
from certification.models import CenterMembership, CertificationCenter, CertificationSession
from certification.services.codes import access_code_generate, invigilator_password_generate
from certification.services.entry import INVIGILATOR_SESSION_CLOSED
from pixorga.errors import ApplicationError

SESSION_FINALIZED = "Cette session est finalisée : elle ne peut plus être modifiée."
SESSION_HAS_STARTED_COURSES = "Des candidats ont déjà commencé leur test : la session ne peut plus être supprimée."
REQUIRED_FIELD = "Ce champ est obligatoire."
INVALID_DATE = "Indiquez une date valide (JJ/MM/AAAA)."
INVALID_TIME = "Indiquez une heure valide (HH:MM)."
USER_NOT_FOUND = "Aucun compte Pix Orga n'a cette adresse e-mail : la personne doit d'abord créer son compte."
ALREADY_MEMBER = "Cette personne est déjà membre du centre."


def center_create_for_organization(*, organization: Organization) -> CertificationCenter:
    """The centre of a school, same name and UAI; created once (idempotent)."""
    center = organization.certification_centers.filter(archived_at__isnull=True).first()
    if center is not None:
        return center
    return CertificationCenter.objects.create(
        name=organization.name,
        type=organization.type,
        external_id=organization.external_id,
        organization=organization,
    )


@transaction.atomic(durable=True)
def center_member_add(*, center: CertificationCenter, email: str, role: str = CenterMembership.Role.MEMBER):
    if role not in CenterMembership.Role.values:
        role = CenterMembership.Role.MEMBER
    user = User.objects.filter(email__iexact=email.strip()).first() if email.strip() else None
    if user is None:
        raise ApplicationError(USER_NOT_FOUND, "USER_NOT_FOUND", extra={"field": "email"})
    if center.memberships.filter(user=user, disabled_at__isnull=True).exists():
        raise ApplicationError(ALREADY_MEMBER, "ALREADY_MEMBER", status_code=409)
    return CenterMembership.objects.create(user=user, center=center, role=role)


def _clean_session_fields(
    *, address: str, room: str, examiner: str, date: datetime.date | str | None, time: datetime.time | str | None
) -> dict:
    errors: dict[str, list[str]] = {}
    cleaned = {"address": (address or "").strip(), "room": (room or "").strip(), "examiner": (examiner or "").strip()}
    for field, value in cleaned.items():
        if not value:
            errors[field] = [REQUIRED_FIELD]
    if isinstance(date, str):
        try:
            date = datetime.date.fromisoformat(date)
        except ValueError:
            date = None
            errors["date"] = [INVALID_DATE]
    if date is None:
        errors.setdefault("date", [INVALID_DATE])
    if isinstance(time, str):
        try:
            time = datetime.time.fromisoformat(time[:5]) if len(time) >= 4 else None
        except ValueError:
            time = None
    if time is None:
        errors["time"] = [INVALID_TIME]
    if errors:
        raise ValidationError(errors)
    return {**cleaned, "date": date, "time": time}


@transaction.atomic(durable=True)
def session_create(
    *,
    center: CertificationCenter,
    created_by: User,
    address: str,
    room: str,
    examiner: str,
    date: datetime.date | str | None,
    time: datetime.time | str | None,
    description: str = "",
) -> CertificationSession:
    fields = _clean_session_fields(address=address, room=room, examiner=examiner, date=date, time=time)
    session = CertificationSession(
        center=center,
        created_by=created_by,
        description=(description or "").strip(),
        access_code=access_code_generate(),
        invigilator_password=invigilator_password_generate(),
        **fields,
    )
    session.full_clean()
    session.save()
    return session


@transaction.atomic(durable=True)
def session_update(
    *,
    session: CertificationSession,
    address: str,
    room: str,
    examiner: str,
    date: datetime.date | str | None,
    time: datetime.time | str | None,
    description: str = "",
) -> CertificationSession:
    session = CertificationSession.objects.select_for_update().get(pk=session.pk)
    if session.is_finalized:
        raise ApplicationError(SESSION_FINALIZED, "SESSION_FINALIZED", status_code=409)
    fields = _clean_session_fields(address=address, room=room, examiner=examiner, date=date, time=time)
    for name, value in {**fields, "description": (description or "").strip()}.items():
        setattr(session, name, value)
    session.full_clean()
    session.save(update_fields=[*fields, "description"])
    return session


@transaction.atomic(durable=True)
def session_invigilator_password_renew(*, session: CertificationSession, renewed_by: User) -> CertificationSession:
    """A new invigilator password, which also lifts a lock after too many wrong ones; in the audit log."""
    session = CertificationSession.objects.select_for_update().select_related("center").get(pk=session.pk)
    if session.is_finalized:
        raise ApplicationError(INVIGILATOR_SESSION_CLOSED, "SESSION_FINALIZED", status_code=409)
    failed_attempts = session.invigilator_failed_attempts
    old_password = session.invigilator_password
    while session.invigilator_password == old_password:
        session.invigilator_password = invigilator_password_generate()
    session.invigilator_failed_attempts = 0
    session.save(update_fields=["invigilator_password", "invigilator_failed_attempts"])
    if session.center.organization_id:
        AuditLogEntry.objects.create(
            organization_id=session.center.organization_id,
            actor=renewed_by,
            kind=AuditLogEntry.Kind.INVIGILATOR_PASSWORD_RENEWED,
            extra={"session_id": session.pk, "failed_attempts": failed_attempts},
        )
    return session


@transaction.atomic(durable=True)
def session_delete(*, session: CertificationSession) -> None:
    session = CertificationSession.objects.select_for_update().get(pk=session.pk)
    if session.courses.exists():
        raise ApplicationError(SESSION_HAS_STARTED_COURSES, "SESSION_STARTED", status_code=409)
    session.delete()


def session_is_open_for_enrolment(session: CertificationSession) -> bool:
    """Enrolment is open until finalisation (reference §8.2: not finalised, not expired)."""
    return not session.is_finalized


def session_guidance(date: datetime.date) -> str:
    """The national calendar as the seeds give it: terminale/CAP/BTS first, then 3e."""
    month = date.month
    if month in (1, 2, 3):
        return (
            "Période de certification des élèves de terminale, de CAP et de 2e année de BTS ou CPGE "
            "(de janvier à mars ; les dates exactes sont fixées chaque année par le ministère)."
        )
    if month in (4, 5):
        return "Période de certification des élèves de 3e (de mars à mai ; dates fixées chaque année par le ministère)."
    return (
        "Hors des périodes nationales de certification des élèves (terminale, CAP, BTS : janvier à mars ; "
        "3e : mars à mai). Vérifiez le calendrier de l'année avant de convoquer vos élèves."
    )


def session_has_started(session: CertificationSession) -> bool:
    """A session has started once a first candidate entered the test (reference §8.2)."""
    return session.courses.exists()
