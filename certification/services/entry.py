"""A candidate enters the room (reference pix-domain §8.4–8.5).

1. Identity: session number + first name, last name, birthdate must designate exactly one candidate,
   not linked to someone else; in a school that manages its students, the account must already be
   linked to that candidate's school record.
2. Start: the access code read aloud in the room, and the invigilator's authorisation — given again for
   every entry, so resuming after closing the browser needs the invigilator too. A candidate whose
   profile is not certifiable is refused with the reason; otherwise the test is built from the profile
   (up to 3 questions per certifiable competence, each a variant never seen before).

The invigilator enters with the session number and the session's password (reference §8.5). A school
leaves through ONE public address, pupils and staff alike, so a brake on the address alone would let
one pupil lock every invigilator out. Wrong passwords are therefore counted twice: per address in the
cache (past ``MAX_ENTRY_FAILURES`` in ten minutes, that address is told to stop), and per session in the
database. The right password of a session is always checked and admitted, whatever the address did,
unless the session itself is under attack: after ``models.INVIGILATOR_LOCK_FAILURES`` wrong passwords, from any
addresses, the session is locked — right password included, so guessing stops there — until the centre
gives it a new password in Pix Certif. Invigilators already in the room keep their access.
"""

from __future__ import annotations

import random
from collections import defaultdict

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.crypto import constant_time_compare

from accounts.models import User
from assessments.algorithm.scoring import MIN_CERTIFIABLE_COMPETENCES, profile
from assessments.models import Answer, Assessment, KnowledgeElement
from assessments.services import current_knowledge
from certification.models import Candidate, CertificationChallenge, CertificationCourse, CertificationSession
from certification.selection import ValidatedSkill, select_certification_challenges
from certification.selectors import session_open_for_invigilation
from certification.services.codes import verification_code_generate
from crcn.models import Challenge, Competence, Skill
from pixorga.errors import ApplicationError
from pixorga.ratelimit import hit, limit_reached
from students.services.reconciliation import normalize_for_matching

SESSION_NOT_FOUND = "Ce numéro de session n'existe pas ou n'est plus ouvert. Vérifiez-le auprès du surveillant."
WRONG_ACCESS_CODE = "Le code d'accès est incorrect. Vérifiez-le auprès du surveillant."
CANDIDATE_NOT_FOUND = (
    "Aucun candidat inscrit à cette session ne correspond à ces nom, prénom et date de naissance. "
    "Vérifiez l'orthographe et la date, ou demandez au surveillant comment vous avez été inscrit(e)."
)
TOO_MANY_MATCHES = "Plusieurs candidats correspondent : signalez-le au surveillant."
CANDIDATE_TAKEN = "Ce candidat est déjà associé à un autre compte. Signalez-le au surveillant."
USER_ALREADY_CANDIDATE = "Votre compte est déjà associé à un autre candidat de cette session."
NOT_RECONCILED = (
    "Votre compte n'est pas rattaché à votre établissement. Connectez-vous avec le compte que vous utilisez pour "
    "les campagnes Pix de l'établissement, ou demandez de l'aide au surveillant."
)
NOT_IDENTIFIED = "Indiquez d'abord votre numéro de session, vos nom, prénom et date de naissance."
NOT_AUTHORIZED_TO_START = (
    "Le surveillant ne vous a pas encore autorisé(e) à commencer. Attendez qu'il le fasse, puis réessayez."
)
NOT_CERTIFIABLE = (
    "Votre profil n'est pas certifiable : il faut au moins un niveau 1 dans {min} compétences "
    "(vous en avez {count}). Signalez-le au surveillant."
)
TEST_ALREADY_ENDED = "Votre test de certification est terminé."
INVIGILATOR_WRONG = "Numéro de session ou mot de passe incorrect."
INVIGILATOR_SESSION_CLOSED = "Cette session est finalisée : l'espace surveillant est fermé."
INVIGILATOR_SESSION_LOCKED = (
    "L'espace surveillant de cette session est verrouillé : trop de mots de passe erronés ont été saisis. "
    "Demandez au centre de certification de générer un nouveau mot de passe surveillant "
    "(page de la session dans Pix Certif)."
)
TOO_MANY_TRIES = "Trop d'essais. Attendez quelques minutes avant de réessayer."
MAX_ENTRY_FAILURES = 10
ENTRY_LOCK_SECONDS = 10 * 60
INVIGILATOR_TOKEN_SALT = "certification.invigilator"  # noqa: S105 — a signing namespace, not a secret
INVIGILATOR_TOKEN_MAX_AGE = 12 * 3600


def _entry_failures_key(user: User) -> str:
    return f"certification-entry-failures:{user.pk}"


def _failed(key: str) -> None:
    hit(key, seconds=ENTRY_LOCK_SECONDS)


def _open_session(session_id, *, user: User) -> CertificationSession:
    """The session a candidate enters, once their brake lets them through; a wrong number is a failure."""
    key = _entry_failures_key(user)
    if limit_reached(key, limit=MAX_ENTRY_FAILURES):
        raise ApplicationError(TOO_MANY_TRIES, "TOO_MANY_REQUESTS", status_code=429)
    try:
        session = CertificationSession.objects.select_related("center__organization").get(pk=int(session_id))
    except (CertificationSession.DoesNotExist, ValueError, TypeError):
        session = None
    if session is None or session.status != CertificationSession.Status.CREATED:
        _failed(key)
        raise ApplicationError(SESSION_NOT_FOUND, "SESSION_NOT_FOUND", status_code=404)
    return session


@transaction.atomic(durable=True)
def candidate_identify(*, session_id, user: User, first_name: str, last_name: str, birthdate) -> Candidate:
    """Link the logged-in user to the one candidate these details designate (reference §8.4, step 1)."""
    session = _open_session(session_id, user=user)
    typed_first, typed_last = normalize_for_matching(first_name or ""), normalize_for_matching(last_name or "")
    matches = [
        c
        for c in session.candidates.select_for_update().filter(birthdate=birthdate)
        if normalize_for_matching(c.first_name) == typed_first and normalize_for_matching(c.last_name) == typed_last
    ]
    if not matches:
        _failed(_entry_failures_key(user))
        raise ApplicationError(CANDIDATE_NOT_FOUND, "CANDIDATE_NOT_FOUND", status_code=404)
    if len(matches) > 1:
        raise ApplicationError(TOO_MANY_MATCHES, "TOO_MANY_MATCHES", status_code=409)
    candidate = matches[0]
    if candidate.user_id and candidate.user_id != user.pk:
        raise ApplicationError(CANDIDATE_TAKEN, "CANDIDATE_ALREADY_LINKED", status_code=409)
    if session.candidates.filter(user=user).exclude(pk=candidate.pk).exists():
        raise ApplicationError(USER_ALREADY_CANDIDATE, "USER_ALREADY_LINKED", status_code=409)
    if session.center.is_sco_managing_students and (
        candidate.organization_learner is None or candidate.organization_learner.user_id != user.pk
    ):
        raise ApplicationError(NOT_RECONCILED, "NOT_RECONCILED", status_code=403)
    if candidate.user_id is None:
        candidate.user = user
        candidate.save(update_fields=["user"])
    return candidate


def candidate_for_user(*, session_id, user: User) -> Candidate:
    candidate = Candidate.objects.select_related("session__center").filter(session_id=session_id, user=user).first()
    if candidate is None:
        raise ApplicationError(NOT_IDENTIFIED, "CANDIDATE_NOT_IDENTIFIED", status_code=404)
    return candidate


def _placement(user: User) -> tuple[list[dict], int]:
    """Certifiable competences at this moment (levels uncapped, reference §8.1) and their count."""
    earned: dict[str, list[float]] = defaultdict(list)
    for ke in current_knowledge(user=user).values():
        if ke.status == KnowledgeElement.Status.VALIDATED:
            earned[ke.competence_code].append(float(ke.earned_pix))
    codes = list(Competence.objects.order_by("code").values_list("code", flat=True))
    scores, _total, _certifiable = profile(earned, codes, max_level=8)
    positioning = [{"code": s.code, "level": s.level, "pix": s.pix} for s in scores if s.level >= 1]
    return positioning, len(positioning)


def _validated_skills(user: User, competence_codes: list[str]) -> list[ValidatedSkill]:
    direct = [
        ke.skill_id
        for ke in current_knowledge(user=user).values()
        if ke.status == KnowledgeElement.Status.VALIDATED
        and ke.source == KnowledgeElement.Source.DIRECT
        and ke.competence_code in competence_codes
    ]
    challenges: dict[str, list[str]] = defaultdict(list)
    for challenge_id, skill_id in (
        Challenge.objects.filter(skill_id__in=direct, status=Challenge.Status.VALIDATED, locale="fr")
        .order_by("id")
        .values_list("id", "skill_id")
    ):
        challenges[skill_id].append(challenge_id)
    return [
        ValidatedSkill(
            name=name, tube=tube, level=level, competence_code=competence, challenge_ids=tuple(challenges[name])
        )
        for name, tube, level, competence in Skill.objects.filter(pk__in=direct)
        .order_by("name")
        .values_list("name", "tube_id", "level", "tube__competence_id")
    ]


def _course_create(candidate: Candidate, user: User) -> CertificationCourse:
    positioning, count = _placement(user)
    if count < MIN_CERTIFIABLE_COMPETENCES:
        raise ApplicationError(
            NOT_CERTIFIABLE.format(min=MIN_CERTIFIABLE_COMPETENCES, count=count), "NOT_CERTIFIABLE", status_code=403
        )
    codes = [p["code"] for p in positioning]
    answered = set(Answer.objects.filter(assessment__user=user).values_list("challenge_id", flat=True))
    selected = select_certification_challenges(
        certifiable_competences=codes,
        validated_skills=_validated_skills(user, codes),
        already_answered=answered,
        rng=random.Random(f"{candidate.session_id}:{candidate.pk}"),  # noqa: S311 — not a secret, reproducible
    )
    assessment = Assessment.objects.create(user=user, type=Assessment.Type.CERTIFICATION)
    for _attempt in range(1000):
        try:
            with transaction.atomic():
                course = CertificationCourse.objects.create(
                    candidate=candidate,
                    session=candidate.session,
                    user=user,
                    assessment=assessment,
                    verification_code=verification_code_generate(),
                    positioning=positioning,
                    max_reachable_level=settings.MAX_REACHABLE_LEVEL,
                )
            break
        except IntegrityError:
            if CertificationCourse.objects.filter(candidate=candidate).exists():
                raise
            continue  # that verification code is taken: draw again (reference: up to 1000 tries)
    else:
        raise ApplicationError("Impossible de générer un code de vérification.", "TOO_MANY_TRIALS", status_code=503)
    CertificationChallenge.objects.bulk_create(
        CertificationChallenge(
            course=course,
            index=index,
            challenge_id=s.challenge_id,
            skill_name=s.skill_name,
            competence_code=s.competence_code,
        )
        for index, s in enumerate(selected, start=1)
    )
    return course


@transaction.atomic(durable=True)
def course_start(*, session_id, user: User, access_code: str) -> CertificationCourse:
    """Enter the test (new or resumed): consumes the invigilator's authorisation (reference §8.4, step 2)."""
    session = _open_session(session_id, user=user)
    if (access_code or "").strip().upper() != session.access_code:
        _failed(_entry_failures_key(user))
        raise ApplicationError(WRONG_ACCESS_CODE, "SESSION_NOT_FOUND", status_code=404)
    candidate = session.candidates.select_for_update().filter(user=user).first()
    if candidate is None:
        raise ApplicationError(NOT_IDENTIFIED, "CANDIDATE_NOT_IDENTIFIED", status_code=404)
    if not candidate.authorized_to_start:
        raise ApplicationError(NOT_AUTHORIZED_TO_START, "NOT_AUTHORIZED_TO_START", status_code=403)
    course = CertificationCourse.objects.filter(candidate=candidate).select_related("assessment").first()
    if course is None:
        course = _course_create(candidate, user)
    elif not course.assessment.is_started:
        raise ApplicationError(TEST_ALREADY_ENDED, "TEST_ENDED", status_code=409)
    candidate.authorized_to_start = False
    candidate.save(update_fields=["authorized_to_start"])
    return course


# --- the invigilator ---------------------------------------------------------------------------------


def invigilator_token_for(session: CertificationSession) -> str:
    return signing.dumps({"session": session.pk}, salt=INVIGILATOR_TOKEN_SALT)


def invigilator_session_from_token(*, session_id: int, token: str) -> CertificationSession | None:
    try:
        data = signing.loads(token or "", salt=INVIGILATOR_TOKEN_SALT, max_age=INVIGILATOR_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    if data.get("session") != session_id:
        return None
    return session_open_for_invigilation(session_id=session_id)


def _invigilator_refused(address_key: str) -> ApplicationError:
    """Count a wrong try for the address; the answer says « stop » once the address went past its budget."""
    too_many = limit_reached(address_key, limit=MAX_ENTRY_FAILURES)
    _failed(address_key)
    if too_many:
        return ApplicationError(TOO_MANY_TRIES, "TOO_MANY_REQUESTS", status_code=429)
    return ApplicationError(INVIGILATOR_WRONG, "INVALID_CREDENTIALS", status_code=400)


def invigilator_authenticate(*, session_id, password: str, client_key: str) -> CertificationSession:
    """Session number + the password printed for the invigilator; no account needed (reference §8.5).

    ``client_key`` is the client's address (``pixorga.ratelimit.client_address``). Not atomic on purpose:
    the failure counted for the session must stay when the refusal is raised.
    """
    address_key = f"invigilator-failures:{client_key}"
    try:
        session = CertificationSession.objects.select_related("center").get(pk=int(session_id))
    except (CertificationSession.DoesNotExist, ValueError, TypeError):
        raise _invigilator_refused(address_key) from None
    if session.is_invigilation_locked:
        raise ApplicationError(INVIGILATOR_SESSION_LOCKED, "INVIGILATION_LOCKED", status_code=403)
    if not constant_time_compare((password or "").strip().upper(), session.invigilator_password):
        # An address past its budget is refused without a check: its tries no longer count towards the
        # session's lock, so one pupil's script needs half an hour, not a few seconds, to lock the session.
        if not limit_reached(address_key, limit=MAX_ENTRY_FAILURES):
            CertificationSession.objects.filter(pk=session.pk).update(
                invigilator_failed_attempts=F("invigilator_failed_attempts") + 1
            )
        raise _invigilator_refused(address_key)
    if session.status != CertificationSession.Status.CREATED:
        raise ApplicationError(INVIGILATOR_SESSION_CLOSED, "SESSION_FINALIZED", status_code=403)
    return session


def _session_candidate(session: CertificationSession, candidate_id) -> Candidate:
    candidate = session.candidates.select_for_update().filter(pk=candidate_id).first()
    if candidate is None:
        raise ApplicationError("Ce candidat n'est pas inscrit à cette session.", "NOT_FOUND", status_code=404)
    return candidate


@transaction.atomic(durable=True)
def candidate_authorize(*, session: CertificationSession, candidate_id: int, authorized: bool = True) -> Candidate:
    """Let a candidate start — or resume — the test; withdrawn again when they enter."""
    candidate = _session_candidate(session, candidate_id)
    candidate.authorized_to_start = authorized
    candidate.save(update_fields=["authorized_to_start"])
    return candidate


@transaction.atomic(durable=True)
def course_end_by_invigilator(*, session: CertificationSession, candidate_id: int) -> Candidate:
    """Stop a candidate's test now (no-op if already over); what was answered is kept."""
    from certification.services.course import course_end

    candidate = _session_candidate(session, candidate_id)
    course = CertificationCourse.objects.filter(candidate=candidate).select_related("assessment").first()
    if course is None:
        raise ApplicationError("Ce candidat n'a pas commencé son test.", "COURSE_NOT_STARTED", status_code=409)
    course_end(course=course, state=Assessment.State.ENDED_BY_SUPERVISOR)
    candidate.authorized_to_start = False
    candidate.save(update_fields=["authorized_to_start"])
    return candidate
