"""Training alone on the 16 competences (PRODUCT.md §5, reference pix-algorithms §5.1).

- "Commencer" / "Reprendre": one started competence evaluation at a time per competence;
- "Remettre à zéro": allowed 7 days after the last knowledge element of the competence; every current
  element gets a ``reset`` row (history kept) and a started evaluation of that competence is aborted;
- tutorials are recommended for the skills the learner failed; they can be saved and marked useful.
"""

from __future__ import annotations

import math
from datetime import timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from assessments.models import Assessment, KnowledgeElement, SavedTutorial, TutorialEvaluation
from assessments.services import current_knowledge
from crcn.models import Competence, Tutorial
from pixorga.errors import ApplicationError

RESET_DELAY = timedelta(days=7)
RESET_TOO_EARLY = "Il reste {days} jour{s} avant de pouvoir remettre à zéro cette compétence."
NOTHING_TO_RESET = "Vous n'avez encore rien à remettre à zéro dans cette compétence."


@transaction.atomic(durable=True)
def competence_evaluation_start(*, user: User, competence: Competence) -> Assessment:
    started = Assessment.objects.filter(
        user=user, type=Assessment.Type.COMPETENCE_EVALUATION, competence=competence, state=Assessment.State.STARTED
    ).first()
    return started or Assessment.objects.create(
        user=user, type=Assessment.Type.COMPETENCE_EVALUATION, competence=competence
    )


def days_before_reset(*, user: User, competence: Competence) -> int | None:
    """None when nothing is known in the competence; 0 when a reset is allowed now."""
    last = KnowledgeElement.objects.filter(user=user, competence_code=competence.code).aggregate(
        last=Max("created_at")
    )["last"]
    if last is None:
        return None
    remaining = (last + RESET_DELAY - timezone.now()).total_seconds() / 86400
    return max(0, math.ceil(remaining))


@transaction.atomic(durable=True)
def competence_reset(*, user: User, competence: Competence) -> int:
    days = days_before_reset(user=user, competence=competence)
    if days is None:
        raise ApplicationError(NOTHING_TO_RESET, "NOTHING_TO_RESET", status_code=412)
    if days > 0:
        raise ApplicationError(
            RESET_TOO_EARLY.format(days=days, s="s" if days > 1 else ""), "RESET_TOO_EARLY", status_code=412
        )
    skills = list(competence.tubes.values_list("skills__name", flat=True))
    current = current_knowledge(user=user, skill_ids=[s for s in skills if s])
    KnowledgeElement.objects.bulk_create(
        [
            KnowledgeElement(
                user=user,
                skill_id=ke.skill_id,
                competence_code=competence.code,
                status=KnowledgeElement.Status.RESET,
                source=ke.source,
                earned_pix=0,
            )
            for ke in current.values()
        ]
    )
    Assessment.objects.filter(
        user=user, type=Assessment.Type.COMPETENCE_EVALUATION, competence=competence, state=Assessment.State.STARTED
    ).update(state=Assessment.State.ABORTED)
    return len(current)


def tutorials_recommended_for(*, user: User, limit: int = 6) -> list[Tutorial]:
    failed = [k for k, ke in current_knowledge(user=user).items() if ke.status == KnowledgeElement.Status.INVALIDATED]
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
