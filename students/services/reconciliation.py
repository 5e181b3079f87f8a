"""Linking a student's account to their school record ("réconciliation", reference pix-domain §2.3).

Matching: candidates are the organisation's active learners born on exactly that day; names are
normalised (case, accents, spaces, punctuation); the typed first name is compared with the first,
then second, then third given name, the typed last name with the family or usage name; a field that
yields exactly one candidate wins; first an exact pass, then one forgiving a Levenshtein ratio of 0.25.
Conflicts get the codes of reference §0, so the school's support kit can explain them.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from campaigns.models import Campaign
from crcn.answers import levenshtein_distance
from pixorga.errors import ApplicationError
from pixorga.names import name_key
from pixorga.ratelimit import hit, limit_clear, limit_reached
from students.models import OrganizationLearner

MAX_RATIO = 0.25
NOT_FOUND = (
    "Nous ne trouvons pas d'élève de {organization} avec ces informations. Vérifiez l'orthographe de vos nom "
    "et prénom (comme sur votre carnet de correspondance) et votre date de naissance."
)
ALREADY_LINKED = {
    "R31": "Cet élève est déjà rattaché à un autre compte, qui se connecte avec une adresse e-mail ({login}). "
    "Connectez-vous avec ce compte, ou demandez de l'aide à votre enseignant.",
    "R32": "Cet élève est déjà rattaché à un autre compte, qui se connecte avec l'identifiant {login}. "
    "Connectez-vous avec ce compte, ou demandez à votre enseignant de réinitialiser son mot de passe.",
    "R11": "Vous avez déjà un compte rattaché à un autre établissement avec une adresse e-mail ({login}) : "
    "connectez-vous avec ce compte.",
    "R12": "Vous avez déjà un compte rattaché à un autre établissement avec l'identifiant {login} : "
    "connectez-vous avec ce compte.",
}
ANOTHER_LEARNER = (
    "Votre compte est déjà rattaché à un autre élève de {organization}. Si ce n'est pas vous, déconnectez-vous "
    "et connectez-vous avec votre propre compte."
)
NOT_YOUR_ACCOUNT = (
    "Ce compte semble appartenir à une autre personne. Déconnectez-vous et connectez-vous avec votre propre compte."
)
NOT_RESTRICTED = (
    "Cette campagne n'est pas réservée aux élèves d'un établissement : aucun rattachement n'est nécessaire."
)


# The key names are compared by; certification's candidate check (certification.services.entry) uses it too.
normalize_for_matching = name_key


def _close(typed: str, reference: str, max_ratio: float) -> bool:
    if not typed or not reference:
        return False
    if max_ratio == 0:
        return typed == reference
    return levenshtein_distance(typed, reference) / len(typed) <= max_ratio


def learner_match(
    *, candidates: list[OrganizationLearner], first_name: str, last_name: str
) -> OrganizationLearner | None:
    """The one learner those names designate, or None (no one, or several)."""
    typed_first, typed_last = name_key(first_name), name_key(last_name)
    for max_ratio in (0, MAX_RATIO):
        for given_name in ("first_name", "middle_name", "third_name"):
            found = [
                learner
                for learner in candidates
                if _close(typed_first, name_key(getattr(learner, given_name)), max_ratio)
                and (
                    _close(typed_last, name_key(learner.last_name), max_ratio)
                    or _close(typed_last, name_key(learner.preferred_last_name), max_ratio)
                )
            ]
            if len(found) == 1:
                return found[0]
    return None


def _conflict(code: str, login_of: User) -> ApplicationError:
    login = login_of.email or login_of.username or ""
    if login_of.email:
        local, _, domain = login.partition("@")
        login = f"{local[:1]}***@{domain}"
    elif len(login) > 4:
        login = f"{login[:3]}***{login[-2:]}"
    return ApplicationError(ALREADY_LINKED[code].format(login=login), code, status_code=409)


MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60
TOO_MANY_TRIES = (
    "Trop d'essais sans succès. Attendez 15 minutes, puis réessayez avec les nom, prénom et date de naissance "
    "connus de votre établissement, ou demandez de l'aide à votre enseignant."
)


def learner_reconcile_attempt(
    *, campaign: Campaign, user: User, first_name: str, last_name: str, birthdate: date
) -> OrganizationLearner:
    """``learner_reconcile`` with a brake: after 5 failures for this campaign, 15 minutes' wait (429)."""
    key = f"reconciliation-failures:{user.pk}:{campaign.organization_id}"
    if limit_reached(key, limit=MAX_FAILURES):
        raise ApplicationError(TOO_MANY_TRIES, "TOO_MANY_REQUESTS", status_code=429)
    try:
        learner = learner_reconcile(
            campaign=campaign, user=user, first_name=first_name, last_name=last_name, birthdate=birthdate
        )
    except ApplicationError as error:
        if error.code != "NOT_RESTRICTED":
            hit(key, seconds=LOCK_SECONDS)
        raise
    limit_clear(key)
    return learner


@transaction.atomic(durable=True)
def learner_reconcile(
    *, campaign: Campaign, user: User, first_name: str, last_name: str, birthdate: date
) -> OrganizationLearner:
    organization = campaign.organization
    if not campaign.is_restricted:
        raise ApplicationError(NOT_RESTRICTED, "NOT_RESTRICTED", status_code=400)
    mine = organization.learners.filter(user=user, is_disabled=False).first()
    candidates = list(
        organization.learners.select_for_update(of=("self",))
        .select_related("user")
        .filter(birthdate=birthdate, is_disabled=False)
    )
    learner = learner_match(candidates=candidates, first_name=first_name, last_name=last_name)
    if learner is None:
        raise ApplicationError(NOT_FOUND.format(organization=organization.name), "NOT_FOUND", status_code=404)
    if mine is not None and mine.pk == learner.pk:
        return learner
    if learner.user_id is not None:
        raise _conflict("R31" if learner.user.email else "R32", learner.user)
    if mine is not None:
        raise ApplicationError(ANOTHER_LEARNER.format(organization=organization.name), "R70", status_code=409)
    if learner.national_student_id:
        elsewhere = (
            OrganizationLearner.objects.filter(national_student_id=learner.national_student_id, user__isnull=False)
            .exclude(organization=organization)
            .exclude(user=user)
            .select_related("user")
            .first()
        )
        if elsewhere is not None:
            raise _conflict("R11" if elsewhere.user.email else "R12", elsewhere.user)
    other_records = OrganizationLearner.objects.filter(user=user).exclude(organization=organization)
    if (
        other_records.exists()
        and not other_records.filter(national_student_id=learner.national_student_id).exists()
        and not other_records.filter(birthdate=learner.birthdate).exists()
    ):
        raise ApplicationError(NOT_YOUR_ACCOUNT, "R90", status_code=409)
    learner.user = user
    learner.updated_at = timezone.now()
    learner.save(update_fields=["user", "updated_at"])
    return learner
