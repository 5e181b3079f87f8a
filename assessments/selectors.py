"""Reads on a learner's knowledge: the profile (pix and level per competence)."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings

from accounts.models import User
from assessments.algorithm.scoring import CompetenceScore, profile
from assessments.models import KnowledgeElement
from assessments.services import current_knowledge
from crcn.models import Competence


def profile_for_user(*, user: User) -> tuple[list[tuple[CompetenceScore, str]], int, bool]:
    """The 16 competences with pix and level, the total score, and certifiability (reference §3, §9)."""
    earned: dict[str, list[float]] = defaultdict(list)
    for ke in current_knowledge(user=user).values():
        if ke.status == KnowledgeElement.Status.VALIDATED:
            earned[ke.competence_code].append(float(ke.earned_pix))
    competences = list(Competence.objects.order_by("code").values_list("code", "name"))
    scores, total, certifiable = profile(
        earned, [code for code, _ in competences], max_level=settings.MAX_REACHABLE_LEVEL
    )
    names = dict(competences)
    return [(score, names[score.code]) for score in scores], total, certifiable
