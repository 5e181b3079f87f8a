"""Reads on a learner's knowledge: the profile (pix and level per competence) and training alone.

Rules (reference pix-algorithms §3, §5.1–5.2):
- a competence's knowledge is the latest element per skill, resets removed ("current" knowledge);
- "Remettre à zéro" is possible 7 days after the latest current element of the competence (a reset row does
  not restart the delay), and only when there is something to reset;
- "Retenter" is possible once the competence evaluation is completed, below the maximum reachable level,
  4 days after the latest current element of the competence.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from assessments.algorithm.scoring import PIX_PER_LEVEL, CompetenceScore, competence_score, profile
from assessments.models import Assessment, KnowledgeElement
from assessments.services import RETRY_DELAY, current_knowledge
from crcn.models import Competence

RESET_DELAY = timedelta(days=7)  # Pix's dayBeforeCompetenceResetV2


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


def remaining_days(*, since: datetime, delay: timedelta, now: datetime) -> int:
    """Whole days left before ``delay`` has passed since ``since``: max(0, ceil(delay − fractional days elapsed))."""
    return max(0, math.ceil((since + delay - now).total_seconds() / 86400))


@dataclass(frozen=True)
class CompetenceTraining:
    """Where a learner stands on one competence when training alone (a card of "Mon profil")."""

    class Status:
        NOT_STARTED = "not_started"
        STARTED = "started"
        COMPLETED = "completed"

    score: CompetenceScore
    name: str
    status: str
    days_before_reset: int | None  # None: nothing to reset
    days_before_improving: int | None  # None: "Retenter" is not for now (not completed, or maximum level)

    @property
    def is_started(self) -> bool:
        return self.status == self.Status.STARTED

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED

    @property
    def progress(self) -> int:
        """Pix gained towards the next level (the gauge of the card)."""
        return self.score.pix % PIX_PER_LEVEL

    @property
    def is_max_level(self) -> bool:
        return self.score.level >= settings.MAX_REACHABLE_LEVEL

    @property
    def can_reset(self) -> bool:
        return self.days_before_reset == 0

    @property
    def can_improve(self) -> bool:
        return self.days_before_improving == 0


@dataclass(frozen=True)
class TrainingProfile:
    competences: list[CompetenceTraining]
    total: int
    certifiable: bool


def _earned_pix(knowledge: Iterable[KnowledgeElement]) -> list[float]:
    return [float(ke.earned_pix) for ke in knowledge if ke.status == KnowledgeElement.Status.VALIDATED]


def _training(
    *,
    score: CompetenceScore,
    name: str,
    knowledge: Iterable[KnowledgeElement],
    latest_evaluation: tuple[str, datetime] | None,
    started: bool,
    last_reset: datetime | None,
    now: datetime,
) -> CompetenceTraining:
    last = max((ke.created_at for ke in knowledge), default=None)
    # An evaluation completed before the latest reset no longer counts: the competence starts over (Pix sets the
    # competence evaluation to "reset").
    completed = (
        latest_evaluation is not None
        and latest_evaluation[0] == Assessment.State.COMPLETED
        and (last_reset is None or latest_evaluation[1] > last_reset)
    )
    if started:
        status = CompetenceTraining.Status.STARTED
    elif completed:
        status = CompetenceTraining.Status.COMPLETED
    else:
        status = CompetenceTraining.Status.NOT_STARTED
    days_before_improving = None
    if status == CompetenceTraining.Status.COMPLETED and score.level < settings.MAX_REACHABLE_LEVEL:
        days_before_improving = 0 if last is None else remaining_days(since=last, delay=RETRY_DELAY, now=now)
    return CompetenceTraining(
        score=score,
        name=name,
        status=status,
        days_before_reset=None if last is None else remaining_days(since=last, delay=RESET_DELAY, now=now),
        days_before_improving=days_before_improving,
    )


def _evaluations(user: User, competence: Competence | None = None) -> tuple[dict[str, tuple[str, datetime]], set[str]]:
    """The latest competence evaluation per competence (state, start) and the competences with one started."""
    evaluations = Assessment.objects.filter(user=user, type=Assessment.Type.COMPETENCE_EVALUATION)
    if competence is not None:
        evaluations = evaluations.filter(competence=competence)
    latest: dict[str, tuple[str, datetime]] = {}
    started: set[str] = set()
    for code, state, created_at in evaluations.order_by("competence_id", "-created_at", "-id").values_list(
        "competence_id", "state", "created_at"
    ):
        latest.setdefault(code, (state, created_at))
        if state == Assessment.State.STARTED:
            started.add(code)
    return latest, started


def _last_resets(user: User, competence: Competence | None = None) -> dict[str, datetime]:
    resets = KnowledgeElement.objects.filter(user=user, status=KnowledgeElement.Status.RESET)
    if competence is not None:
        resets = resets.filter(competence_code=competence.code)
    return dict(
        resets.values("competence_code").annotate(last=Max("created_at")).values_list("competence_code", "last")
    )


def competence_current_knowledge(*, user: User, competence: Competence) -> dict[str, KnowledgeElement]:
    """The learner's current knowledge elements on the skills of one competence."""
    skills = [s for s in competence.tubes.values_list("skills__name", flat=True) if s]
    return current_knowledge(user=user, skill_ids=skills)


def competence_training_for_user(*, user: User, competence: Competence) -> CompetenceTraining:
    """One competence's training state, as the services check it before "Retenter" or "Remettre à zéro"."""
    latest, started = _evaluations(user, competence)
    knowledge = list(competence_current_knowledge(user=user, competence=competence).values())
    return _training(
        score=competence_score(competence.code, _earned_pix(knowledge), max_level=settings.MAX_REACHABLE_LEVEL),
        name=competence.name,
        knowledge=knowledge,
        latest_evaluation=latest.get(competence.code),
        started=competence.code in started,
        last_reset=_last_resets(user, competence).get(competence.code),
        now=timezone.now(),
    )


def training_profile_for_user(*, user: User) -> TrainingProfile:
    """ "Mon profil": every competence with what the learner may do on it now, the score (four queries in all)."""
    by_competence: dict[str, list[KnowledgeElement]] = defaultdict(list)
    for ke in current_knowledge(user=user).values():
        by_competence[ke.competence_code].append(ke)
    names = dict(Competence.objects.order_by("code").values_list("code", "name"))
    scores, total, certifiable = profile(
        {code: _earned_pix(elements) for code, elements in by_competence.items()},
        list(names),
        max_level=settings.MAX_REACHABLE_LEVEL,
    )
    latest, started = _evaluations(user)
    last_resets = _last_resets(user)
    now = timezone.now()
    competences = [
        _training(
            score=score,
            name=names[score.code],
            knowledge=by_competence.get(score.code, ()),
            latest_evaluation=latest.get(score.code),
            started=score.code in started,
            last_reset=last_resets.get(score.code),
            now=now,
        )
        for score in scores
    ]
    return TrainingProfile(competences=competences, total=total, certifiable=certifiable)
