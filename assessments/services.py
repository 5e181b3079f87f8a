"""The test engine: which question comes next, and what an answer changes.

Rules (PRODUCT.md §5, reference pix-algorithms §2–4):
- targets are the campaign's skills (or the competence's skills for training alone); skills the learner
  already knows, from any earlier test, are never asked again;
- the next question comes from the pure smart-random algorithm, seeded by the assessment id, so it is the
  same after a reload; when it returns nothing the assessment is completed;
- an answer is accepted only for the question currently asked (409 otherwise), once (unique constraint
  and a row lock on the assessment), and creates the direct and inferred knowledge elements;
- "Je passe" counts as a wrong answer.
The number of queries per question and per answer does not depend on how many answers were given.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from assessments.algorithm.knowledge import Skill as AlgoSkill
from assessments.algorithm.knowledge import knowledge_for_answer
from assessments.algorithm.smart_random import Candidate, next_challenge
from assessments.models import Answer, Assessment, KnowledgeElement
from crcn.models import Challenge, Skill
from pixorga.errors import ApplicationError

CHALLENGE_NOT_ASKED = "Cette question n'est pas celle en cours : rechargez la page pour continuer le test."
ASSESSMENT_NOT_STARTED = "Ce test est terminé."
RESULT_BY_CHECKER = {"ok": Answer.Result.OK, "ko": Answer.Result.KO, "skipped": Answer.Result.SKIPPED}


def current_knowledge(*, user: User | int, skill_ids: list[str] | None = None) -> dict[str, KnowledgeElement]:
    """The latest knowledge element per skill, resets removed (one query, DISTINCT ON)."""
    elements = KnowledgeElement.objects.filter(user=user)
    if skill_ids is not None:
        elements = elements.filter(skill_id__in=skill_ids)
    latest = elements.order_by("skill_id", "-created_at", "-id").distinct("skill_id")
    return {ke.skill_id: ke for ke in latest if ke.status != KnowledgeElement.Status.RESET}


@dataclass(frozen=True, slots=True)
class KnownSkill:
    """What the engine needs of the latest knowledge element of a skill (hot path: no model instance)."""

    status: str
    source: str


def _known_skills(*, user_id: int, skill_ids: list[str]) -> dict[str, KnownSkill]:
    """``current_knowledge`` reduced to status and source, read as plain columns."""
    latest = (
        KnowledgeElement.objects.filter(user_id=user_id, skill_id__in=skill_ids)
        .order_by("skill_id", "-created_at", "-id")
        .distinct("skill_id")
        .values_list("skill_id", "status", "source")
    )
    return {
        skill: KnownSkill(status, source) for skill, status, source in latest if status != KnowledgeElement.Status.RESET
    }


@dataclass(frozen=True, slots=True)
class TargetSkill:
    """What the engine needs of a skill: a few columns, not a model instance (hot path)."""

    name: str
    tube_id: str
    level: int
    pix_value: float
    competence_id: str


_TARGETS_CACHE: dict[tuple, tuple[float, list[TargetSkill], dict[str, list[tuple[str, int | None]]]]] = {}
_TARGETS_TTL = 300.0
_TARGETS_MAX = 512


_CHALLENGES_CACHE: dict[str, tuple[float, Challenge]] = {}
_CHALLENGES_MAX = 4096


def challenge_cached(challenge_id: str) -> Challenge:
    """A challenge as the worker last read it (a few minutes): content changes only with a release.

    Every question shown and every answer checked reads one; caching it saves a round trip on both.
    """
    cached = _CHALLENGES_CACHE.get(challenge_id)
    if cached is not None and time.monotonic() - cached[0] < _TARGETS_TTL:
        return cached[1]
    challenge = Challenge.objects.get(pk=challenge_id)
    if len(_CHALLENGES_CACHE) >= _CHALLENGES_MAX:
        _CHALLENGES_CACHE.clear()
    _CHALLENGES_CACHE[challenge_id] = (time.monotonic(), challenge)
    return challenge


def target_skills(assessment: Assessment) -> list[TargetSkill]:
    return _targets(assessment)[0]


def _targets(assessment: Assessment) -> tuple[list[TargetSkill], dict[str, list[tuple[str, int | None]]]]:
    """Targeted skills and their validated challenges (id, timer), kept a few minutes per worker.

    A campaign's skills are fixed at its creation and the content changes only with a release, so the
    two heaviest queries of every question are read once per campaign or competence, not per request.
    """
    if assessment.type == Assessment.Type.CAMPAIGN:
        key = ("campaign-participation", assessment.participation_id)
        skills = Skill.objects.filter(campaign_links__campaign__participations=assessment.participation_id)
    else:
        key = ("competence", assessment.competence_id)
        skills = Skill.objects.filter(tube__competence=assessment.competence_id)
    cached = _TARGETS_CACHE.get(key)
    if cached is not None and time.monotonic() - cached[0] < _TARGETS_TTL:
        return cached[1], cached[2]
    rows = (
        skills.filter(status=Skill.Status.ACTIVE)
        .order_by("name")
        .values_list("name", "tube_id", "level", "pix_value", "tube__competence_id")
    )
    targets = [TargetSkill(name, tube, level, float(pix), competence) for name, tube, level, pix, competence in rows]
    challenges: dict[str, list[tuple[str, int | None]]] = {}
    for challenge_id, skill_id, timer in (
        Challenge.objects.filter(skill_id__in=[s.name for s in targets], status=Challenge.Status.VALIDATED)
        .order_by("id")
        .values_list("id", "skill_id", "timer")
    ):
        challenges.setdefault(skill_id, []).append((challenge_id, timer))
    if len(_TARGETS_CACHE) >= _TARGETS_MAX:
        _TARGETS_CACHE.clear()
    _TARGETS_CACHE[key] = (time.monotonic(), targets, challenges)
    return targets, challenges


def _algo_skill(skill: TargetSkill) -> AlgoSkill:
    return AlgoSkill(
        name=skill.name,
        tube=skill.tube_id,
        difficulty=skill.level,
        pix_value=skill.pix_value,
        competence=skill.competence_id,
    )


@dataclass
class TestState:
    skills: list[TargetSkill]
    knowledge: dict[str, KnownSkill]
    answers: list[tuple[str, str]]
    next_id: str | None


def _state(assessment: Assessment) -> TestState:
    skills, challenges_by_skill = _targets(assessment)
    skill_ids = [s.name for s in skills]
    answers = list(assessment.answers.order_by("created_at", "id").values_list("challenge_id", "result"))
    answered = {challenge_id for challenge_id, _ in answers}
    knowledge = _known_skills(user_id=assessment.user_id, skill_ids=skill_ids)
    candidates = [
        Candidate(
            skill=_algo_skill(skill),
            challenge_ids=tuple(c for c, _ in challenges_by_skill.get(skill.name, []) if c not in answered),
            timed=bool(challenges_by_skill.get(skill.name) and challenges_by_skill[skill.name][0][1]),
        )
        for skill in skills
    ]
    levels = {s.name: s.level for s in skills}
    direct = [
        (levels[skill], ke.status == KnowledgeElement.Status.VALIDATED)
        for skill, ke in knowledge.items()
        if ke.source == KnowledgeElement.Source.DIRECT
    ]
    choice = next_challenge(
        candidates=candidates,
        known={skill: ke.status for skill, ke in knowledge.items()},
        direct=direct,
        answered_count=len(answers),
        last_answer_timed_out=bool(answers and answers[-1][1] == Answer.Result.TIMEDOUT),
        seed=assessment.pk,
    )
    return TestState(
        skills=skills, knowledge=knowledge, answers=answers, next_id=choice.challenge_id if choice else None
    )


def assessment_complete(*, assessment: Assessment) -> None:
    """The test is over: the participation (if any) now waits for the learner to send the results."""
    from campaigns.models import CampaignParticipation

    if not assessment.is_started:
        return
    assessment.state = Assessment.State.COMPLETED
    assessment.completed_at = timezone.now()
    assessment.save(update_fields=["state", "completed_at"])
    if assessment.participation_id:
        CampaignParticipation.objects.filter(
            pk=assessment.participation_id, status=CampaignParticipation.Status.STARTED
        ).update(status=CampaignParticipation.Status.TO_SHARE)


def assessment_next_challenge(*, assessment: Assessment) -> Challenge | None:
    """The question to show now, or None when the test is over (the assessment is then completed)."""
    if assessment.type == Assessment.Type.CERTIFICATION:  # fixed questions, chosen at the start
        from certification.services.course import course_for_assessment, course_next_challenge

        return course_next_challenge(course=course_for_assessment(assessment))
    if not assessment.is_started:
        return None
    state = _state(assessment)
    if state.next_id is None:
        assessment_complete(assessment=assessment)
        return None
    return challenge_cached(state.next_id)


def _stored_value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value)[:2000]


def assessment_answer(*, assessment_id: int, user: User, challenge_id: str, value: Any, time_spent: int = 0) -> Answer:
    """Record the answer to the current question; a second, concurrent submission gets a 409.

    The row lock on the assessment serialises the two submissions; the unique constraint is the backstop
    (its error rolls the whole answer back, so no savepoint is needed on this hot path).
    """
    try:
        return _answer_locked(
            assessment_id=assessment_id, user=user, challenge_id=challenge_id, value=value, time_spent=time_spent
        )
    except IntegrityError as exc:
        raise ApplicationError(CHALLENGE_NOT_ASKED, "CHALLENGE_NOT_ASKED", status_code=409) from exc
    except _CertificationAssessment:
        from certification.services.course import course_answer  # its own transactions (time limit)

        return course_answer(
            assessment_id=assessment_id, user=user, challenge_id=challenge_id, value=value, time_spent=time_spent
        )


class _CertificationAssessment(Exception):
    """Raised before any write: a certification's answers follow the certification's rules."""


@transaction.atomic
def _answer_locked(*, assessment_id: int, user: User, challenge_id: str, value: Any, time_spent: int) -> Answer:
    try:
        assessment = Assessment.objects.select_for_update().get(pk=assessment_id, user=user)
    except (Assessment.DoesNotExist, ValueError, TypeError):
        raise ApplicationError("Évaluation introuvable.", "NOT_FOUND", status_code=404) from None
    if assessment.type == Assessment.Type.CERTIFICATION:  # questions fixed at the start, never corrected
        raise _CertificationAssessment
    if not assessment.is_started:
        raise ApplicationError(ASSESSMENT_NOT_STARTED, "ASSESSMENT_ENDED", status_code=409)
    state = _state(assessment)
    if state.next_id is None or state.next_id != challenge_id:
        raise ApplicationError(CHALLENGE_NOT_ASKED, "CHALLENGE_NOT_ASKED", status_code=409)
    challenge = challenge_cached(challenge_id)
    answer = Answer.objects.create(
        assessment=assessment,
        challenge=challenge,
        value=_stored_value(value),
        result=RESULT_BY_CHECKER[challenge.check_answer(value)],
        time_spent=max(0, min(int(time_spent or 0), 24 * 3600)),
    )
    by_name = {s.name: s for s in state.skills}
    new = knowledge_for_answer(
        skill=_algo_skill(by_name[challenge.skill_id]),
        is_ok=answer.is_ok,
        target_skills=[_algo_skill(s) for s in state.skills],
        known={name: ke.status for name, ke in state.knowledge.items()},
    )
    KnowledgeElement.objects.bulk_create(
        [
            KnowledgeElement(
                user=user,
                skill_id=k.skill,
                competence_code=by_name[k.skill].competence_id,
                status=k.status,
                source=k.source,
                earned_pix=k.earned_pix,
                answer=answer,
                assessment=assessment,
            )
            for k in new
        ]
    )
    return answer
