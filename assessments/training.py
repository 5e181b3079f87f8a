"""Training alone on the 16 competences (PRODUCT.md §5, reference pix-algorithms §5.1–5.2).

- "Commencer" / "Reprendre": one started competence evaluation at a time per competence;
- "Retenter": once the evaluation is completed, below the maximum reachable level, 4 days after the latest
  current knowledge element of the competence; the new evaluation is "improving": failures from 4 days or
  more before it are asked again;
- "Remettre à zéro": 7 days after the latest current (non-reset) knowledge element of the competence; every
  current element gets a ``reset`` row (history kept), a started evaluation of that competence is aborted,
  and every campaign test not yet sent that covers one of those skills starts again;
- tutorials are recommended for the skills the learner failed when asked directly; they can be saved and
  marked useful.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from assessments.models import Assessment, KnowledgeElement, SavedTutorial, TutorialEvaluation
from assessments.selectors import (
    RESET_DELAY,
    CompetenceTraining,
    competence_current_knowledge,
    competence_training_for_user,
    remaining_days,
)
from assessments.services import current_knowledge, knowledge_reset
from crcn.models import Competence, Tutorial
from pixorga.errors import ApplicationError

RESET_TOO_EARLY = "Il reste {days} jour{s} avant de pouvoir réinitialiser la compétence."
NOTHING_TO_RESET = "Vous n'avez encore rien à remettre à zéro dans cette compétence."
IMPROVE_NOT_COMPLETED = "Terminez d'abord cette compétence : vous pourrez ensuite la retenter."
IMPROVE_MAX_LEVEL = "Le niveau maximum est déjà atteint."
IMPROVE_TOO_EARLY = "Vous pourrez retenter cette compétence dans {days} jour{s}."


def _plural(days: int) -> str:
    return "s" if days > 1 else ""


def _started_evaluation(user: User, competence: Competence) -> Assessment | None:
    return Assessment.objects.filter(
        user=user, type=Assessment.Type.COMPETENCE_EVALUATION, competence=competence, state=Assessment.State.STARTED
    ).first()


@transaction.atomic(durable=True)
def competence_evaluation_start(*, user: User, competence: Competence) -> Assessment:
    return _started_evaluation(user, competence) or Assessment.objects.create(
        user=user, type=Assessment.Type.COMPETENCE_EVALUATION, competence=competence
    )


@transaction.atomic(durable=True)
def competence_evaluation_improve(*, user: User, competence: Competence) -> Assessment:
    """ "Retenter" (reference §5.2): a new, improving evaluation, or the one already started."""
    User.objects.select_for_update().filter(pk=user.pk).first()  # two clicks make one evaluation
    started = _started_evaluation(user, competence)
    if started is not None and started.is_improving:
        return started
    training = competence_training_for_user(user=user, competence=competence)
    if training.status != CompetenceTraining.Status.COMPLETED:
        raise ApplicationError(IMPROVE_NOT_COMPLETED, "IMPROVE_NOT_COMPLETED", status_code=412)
    if training.is_max_level:
        raise ApplicationError(IMPROVE_MAX_LEVEL, "IMPROVE_MAX_LEVEL", status_code=403)
    days = training.days_before_improving or 0
    if days > 0:
        raise ApplicationError(
            IMPROVE_TOO_EARLY.format(days=days, s=_plural(days)), "IMPROVE_TOO_EARLY", status_code=412
        )
    return Assessment.objects.create(
        user=user, type=Assessment.Type.COMPETENCE_EVALUATION, competence=competence, is_improving=True
    )


def days_before_reset(*, user: User, competence: Competence) -> int | None:
    """None when nothing is known in the competence; 0 when a reset is allowed now."""
    return competence_training_for_user(user=user, competence=competence).days_before_reset


@transaction.atomic(durable=True)
def competence_reset(*, user: User, competence: Competence) -> int:
    """ "Remettre à zéro" (reference §5.1), all or nothing; returns how many skills were reset."""
    User.objects.select_for_update().filter(pk=user.pk).first()  # one reset at a time
    current = competence_current_knowledge(user=user, competence=competence)
    if not current:
        raise ApplicationError(NOTHING_TO_RESET, "NOTHING_TO_RESET", status_code=412)
    last = max(ke.created_at for ke in current.values())
    days = remaining_days(since=last, delay=RESET_DELAY, now=timezone.now())
    if days > 0:
        raise ApplicationError(RESET_TOO_EARLY.format(days=days, s=_plural(days)), "RESET_TOO_EARLY", status_code=412)
    knowledge_reset(user=user, skill_ids=list(current))
    Assessment.objects.filter(
        user=user, type=Assessment.Type.COMPETENCE_EVALUATION, competence=competence, state=Assessment.State.STARTED
    ).update(state=Assessment.State.ABORTED)
    _campaign_assessments_restart(user=user, skill_ids=list(current))
    return len(current)


def _campaign_assessments_restart(*, user: User, skill_ids: list[str]) -> None:
    """A campaign test not yet sent that covers a reset skill starts over: what it measured is gone.

    Its assessment is aborted and a new one starts for the same participation, which waits for that test
    again. Locks: the assessments first, then the participations, the order a test's completion takes.
    """
    from campaigns.models import CampaignParticipation

    not_aborted = Assessment.objects.filter(user=user, type=Assessment.Type.CAMPAIGN).exclude(
        state=Assessment.State.ABORTED
    )
    ids = set(
        not_aborted.filter(
            participation__deleted_at__isnull=True,
            participation__campaign__campaign_skills__skill_id__in=skill_ids,
        )
        .exclude(participation__status=CampaignParticipation.Status.SHARED)
        .values_list("pk", flat=True)
    )
    if not ids:
        return
    locked = list(not_aborted.select_for_update().filter(pk__in=ids).order_by("pk"))
    participations = list(
        CampaignParticipation.objects.select_for_update()
        .filter(pk__in={a.participation_id for a in locked}, deleted_at__isnull=True)
        .exclude(status=CampaignParticipation.Status.SHARED)
        .order_by("pk")
    )
    restarted = {p.pk for p in participations}
    Assessment.objects.filter(pk__in=[a.pk for a in locked if a.participation_id in restarted]).update(
        state=Assessment.State.ABORTED
    )
    Assessment.objects.bulk_create(
        [Assessment(user=user, type=Assessment.Type.CAMPAIGN, participation_id=pk) for pk in sorted(restarted)]
    )
    CampaignParticipation.objects.filter(pk__in=restarted, status=CampaignParticipation.Status.TO_SHARE).update(
        status=CampaignParticipation.Status.STARTED
    )


def tutorials_recommended_for(*, user: User, limit: int = 6) -> list[Tutorial]:
    """The tutorials of the skills failed when asked (direct elements): an inferred failure was never tried."""
    failed = [
        skill
        for skill, ke in current_knowledge(user=user).items()
        if ke.status == KnowledgeElement.Status.INVALIDATED and ke.source == KnowledgeElement.Source.DIRECT
    ]
    return list(
        Tutorial.objects.filter(skills__name__in=failed).distinct().order_by("tube__competence", "title")[:limit]
    )


def tutorial_toggle_saved(*, user: User, tutorial: Tutorial) -> bool:
    deleted, _ = SavedTutorial.objects.filter(user=user, tutorial=tutorial).delete()
    if deleted:
        return False
    SavedTutorial.objects.get_or_create(user=user, tutorial=tutorial)
    return True


def tutorial_mark_useful(*, user: User, tutorial: Tutorial) -> None:
    TutorialEvaluation.objects.update_or_create(user=user, tutorial=tutorial, defaults={"useful": True})
