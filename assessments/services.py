"""The test engine: which question comes next, and what an answer changes.

Rules (PRODUCT.md §5, reference pix-algorithms §2–4):
- targets are the campaign's skills (or the competence's skills for training alone); only those having a
  challenge make the tubes; campaigns ask validated then archived challenges, competence evaluations
  validated ones only;
- skills the learner already knows, from any earlier test, are never asked again — except failures from 4
  days or more before the test, forgotten in campaigns and in improving competence evaluations ("Retenter")
  so that those skills can be asked again (nothing is deleted, reference §5.2–5.3);
- the next question comes from the pure smart-random algorithm, seeded by the assessment id, so it is the
  same after a reload; when it returns nothing the assessment is completed;
- an answer is accepted only for the question currently asked (409 otherwise), once (unique constraint
  and a row lock on the assessment), and creates the direct and inferred knowledge elements;
- "Je passe" counts as a wrong answer.
The number of queries per question and per answer does not depend on how many answers were given: the
answers and the knowledge are read in one statement, an answer and its knowledge elements written in one.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
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

ANSWERS = Answer._meta.db_table
KNOWLEDGE = KnowledgeElement._meta.db_table

# Pix's dayBeforeImproving (a competence's « Retenter ») and dayBeforeRetrying (a campaign sent again): after it,
# failures no longer count and their skills can be asked again.
RETRY_DELAY = timedelta(days=4)


def current_knowledge(*, user: User | int, skill_ids: list[str] | None = None) -> dict[str, KnowledgeElement]:
    """The latest knowledge element per skill, resets removed (one query, DISTINCT ON)."""
    elements = KnowledgeElement.objects.filter(user=user)
    if skill_ids is not None:
        elements = elements.filter(skill_id__in=skill_ids)
    latest = elements.order_by("skill_id", "-created_at", "-id").distinct("skill_id")
    return {ke.skill_id: ke for ke in latest if ke.status != KnowledgeElement.Status.RESET}


def knowledge_reset(*, user: User, skill_ids: list[str]) -> int:
    """Forget what the learner knows of these skills (reference §2): each current element is copied as
    ``reset`` with 0 pix, so the history stays and the skills can be asked again. Returns how many."""
    current = current_knowledge(user=user, skill_ids=skill_ids)
    KnowledgeElement.objects.bulk_create(
        KnowledgeElement(
            user=user,
            skill_id=ke.skill_id,
            competence_code=ke.competence_code,
            status=KnowledgeElement.Status.RESET,
            source=ke.source,
            earned_pix=0,
        )
        for ke in current.values()
    )
    return len(current)


@dataclass(frozen=True, slots=True)
class KnownSkill:
    """What the engine needs of the latest knowledge element of a skill (hot path: no model instance)."""

    status: str
    source: str


@dataclass(frozen=True, slots=True)
class Targets:
    """A test's targeted skills, ready for the algorithm; built once per participation (or competence) and worker."""

    skills: dict[str, AlgoSkill]  # every targeted skill by name, in name order: inference reaches them all
    candidates: tuple[Candidate, ...]  # one per skill having a challenge, with all its challenges
    skill_of_challenge: dict[str, int]  # challenge id → index of its skill's candidate
    timed_challenges: frozenset[str]  # the challenges with a timer

    def open_candidates(self, answered: set[str]) -> list[Candidate]:
        """The candidates without the challenges already answered (only the skills answered are rebuilt).

        A skill is timed when its first remaining challenge is (reference §4.2 Preparation).
        """
        candidates = list(self.candidates)
        for index in {self.skill_of_challenge[c] for c in answered if c in self.skill_of_challenge}:
            full = candidates[index]
            validated = tuple(c for c in full.challenge_ids if c not in answered)
            archived = tuple(c for c in full.archived_ids if c not in answered)
            candidates[index] = Candidate(
                skill=full.skill,
                challenge_ids=validated,
                timed=self._first_is_timed(validated + archived),
                archived_ids=archived,
            )
        return candidates

    def _first_is_timed(self, challenge_ids: tuple[str, ...]) -> bool:
        return bool(challenge_ids) and challenge_ids[0] in self.timed_challenges


_TARGETS_CACHE: dict[tuple, tuple[float, Targets]] = {}
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


def _targets(assessment: Assessment) -> Targets:
    """Targeted skills and their challenges, kept a few minutes per worker.

    A campaign asks validated and archived challenges (validated ones preferred), a competence evaluation
    validated ones only (reference §4.2 Inputs); a skill without any challenge is no candidate, so it does
    not count in its tube's maximum level nor in the gains.

    A campaign's skills are fixed at its creation and the content changes only with a release, so the
    two heaviest queries of every question are read once per participation or competence, not per request.
    """
    campaign = assessment.type == Assessment.Type.CAMPAIGN
    key = (assessment.type, assessment.participation_id if campaign else assessment.competence_id)
    cached = _TARGETS_CACHE.get(key)
    if cached is not None and time.monotonic() - cached[0] < _TARGETS_TTL:
        return cached[1]
    if campaign:
        skills = Skill.objects.filter(campaign_links__campaign__participations=assessment.participation_id)
    else:
        skills = Skill.objects.filter(tube__competence=assessment.competence_id)
    rows = (
        skills.filter(status=Skill.Status.ACTIVE)
        .order_by("name")
        .values_list("name", "tube_id", "level", "pix_value", "tube__competence_id")
    )
    by_name = {
        name: AlgoSkill(name=name, tube=tube, difficulty=level, pix_value=float(pix), competence=competence)
        for name, tube, level, pix, competence in rows
    }
    statuses = [Challenge.Status.VALIDATED, Challenge.Status.ARCHIVED] if campaign else [Challenge.Status.VALIDATED]
    validated: dict[str, list[str]] = {}
    archived: dict[str, list[str]] = {}
    timed: set[str] = set()
    for challenge_id, skill_id, timer, status in (
        Challenge.objects.filter(skill_id__in=list(by_name), status__in=statuses)
        .order_by("id")
        .values_list("id", "skill_id", "timer", "status")
    ):
        (validated if status == Challenge.Status.VALIDATED else archived).setdefault(skill_id, []).append(challenge_id)
        if timer is not None:  # Pix: a timer that is a number
            timed.add(challenge_id)
    candidates = tuple(
        Candidate(
            skill=skill,
            challenge_ids=tuple(validated.get(name, ())),
            timed=(validated.get(name) or archived[name])[0] in timed,
            archived_ids=tuple(archived.get(name, ())),
        )
        for name, skill in by_name.items()
        if name in validated or name in archived
    )
    targets = Targets(
        skills=by_name,
        candidates=candidates,
        skill_of_challenge={
            c: index for index, cand in enumerate(candidates) for c in cand.challenge_ids + cand.archived_ids
        },
        timed_challenges=frozenset(timed),
    )
    if len(_TARGETS_CACHE) >= _TARGETS_MAX:
        _TARGETS_CACHE.clear()
    _TARGETS_CACHE[key] = (time.monotonic(), targets)
    return targets


# The answers of the assessment (in order) and the learner's latest knowledge element per targeted skill,
# resets removed, and failures older than %(forget_failures_before)s too when it is set (campaigns, "Retenter"),
# in one round trip: rows ("answer", challenge, result) then ("known", skill, status, source) by skill name, in
# a fixed order so that the level estimate is computed the same way every time.
_STATE_SQL = f"""
    SELECT 'answer' AS kind, challenge_id AS key, result AS value, '' AS source,
        row_number() OVER (ORDER BY created_at, id) AS position
    FROM {ANSWERS} WHERE assessment_id = %(assessment)s
    UNION ALL
    SELECT 'known', skill_id, status, source, 0 FROM (
        SELECT DISTINCT ON (skill_id) skill_id, status, source, created_at FROM {KNOWLEDGE}
        WHERE user_id = %(user)s AND skill_id = ANY(%(skills)s)
        ORDER BY skill_id, created_at DESC, id DESC
    ) AS latest
    WHERE status <> %(reset)s AND (
        %(forget_failures_before)s::timestamptz IS NULL
        OR status <> %(invalidated)s
        OR created_at > %(forget_failures_before)s::timestamptz
    )
    ORDER BY kind, position, key
"""


def failures_forgotten_before(assessment: Assessment) -> datetime | None:
    """Failures up to this instant do not count for this test, so their skills can be asked again.

    Campaigns always (the retrying delay), competence evaluations only when improving ("Retenter"): 4 days
    before the test started (reference §4.2 Inputs, §5.2–5.3). Successes always count.
    """
    if assessment.type == Assessment.Type.CAMPAIGN or (
        assessment.type == Assessment.Type.COMPETENCE_EVALUATION and assessment.is_improving
    ):
        return assessment.created_at - RETRY_DELAY
    return None


_ASSESSMENT_OF_LEARNER_SQL = f"SELECT * FROM {Assessment._meta.db_table} WHERE id = %s AND user_id = %s"


def assessment_of_learner(*, user: User, assessment_id: int, lock: bool = False) -> Assessment | None:
    """The learner's own assessment (locked for an answer), or None: someone else's test is not found.

    Read on every question and every answer, as a raw statement: building the same query with the ORM
    costs more than running it (bench/answer_throughput.py).
    """
    try:
        assessment_id = int(assessment_id)
    except (ValueError, TypeError):
        return None
    if not 0 < assessment_id < 2**63:  # a bigint: PostgreSQL would refuse the parameter
        return None
    sql = _ASSESSMENT_OF_LEARNER_SQL + (" FOR UPDATE" if lock else "")
    return next(iter(Assessment.objects.raw(sql, [assessment_id, user.pk])), None)


@dataclass
class TestState:
    targets: Targets
    knowledge: dict[str, KnownSkill]
    answers: list[tuple[str, str]]
    next_id: str | None


def _state(assessment: Assessment) -> TestState:
    """The answers, what counts as known for this test (also for the answer's new knowledge), the next question."""
    targets = _targets(assessment)
    answers: list[tuple[str, str]] = []
    knowledge: dict[str, KnownSkill] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            _STATE_SQL,
            {
                "assessment": assessment.pk,
                "user": assessment.user_id,
                "skills": list(targets.skills),
                "reset": KnowledgeElement.Status.RESET,
                "invalidated": KnowledgeElement.Status.INVALIDATED,
                "forget_failures_before": failures_forgotten_before(assessment),
            },
        )
        for kind, key, value, source, _position in cursor.fetchall():
            if kind == "answer":
                answers.append((key, value))
            else:
                knowledge[key] = KnownSkill(value, source)
    direct = [
        (targets.skills[skill].difficulty, ke.status == KnowledgeElement.Status.VALIDATED)
        for skill, ke in knowledge.items()
        if ke.source == KnowledgeElement.Source.DIRECT
    ]
    choice = next_challenge(
        candidates=targets.open_candidates({challenge_id for challenge_id, _ in answers}),
        known={skill: ke.status for skill, ke in knowledge.items()},
        direct=direct,
        answered_count=len(answers),
        last_challenge_timed=bool(answers) and answers[-1][0] in targets.timed_challenges,
        seed=assessment.pk,
    )
    return TestState(
        targets=targets, knowledge=knowledge, answers=answers, next_id=choice.challenge_id if choice else None
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


# The answer and the knowledge elements it creates, in one statement (the elements come as parallel arrays).
# ``set_config(…, true)`` sets the transaction's synchronous_commit in the same round trip (see the setting
# ANSWERS_ASYNCHRONOUS_COMMIT: about a fifth of an answer's cost is waiting for the flush).
_ANSWER_SQL = f"""
    WITH answer AS (
        INSERT INTO {ANSWERS} (assessment_id, challenge_id, value, result, time_spent, created_at)
        VALUES (%(assessment)s, %(challenge)s, %(value)s, %(result)s, %(time_spent)s, %(now)s)
        RETURNING id
    ), elements AS (
        INSERT INTO {KNOWLEDGE}
            (user_id, skill_id, competence_code, status, source, earned_pix, answer_id, assessment_id, created_at)
        SELECT %(user)s, e.skill, e.competence, e.status, e.source, e.pix, answer.id, %(assessment)s, %(now)s
        FROM answer, unnest(
            %(skills)s::varchar[], %(competences)s::varchar[], %(statuses)s::varchar[], %(sources)s::varchar[],
            %(pix)s::numeric[]
        ) AS e(skill, competence, status, source, pix)
    )
    SELECT id, set_config('synchronous_commit', %(synchronous_commit)s, true) FROM answer
"""


@transaction.atomic
def _answer_locked(*, assessment_id: int, user: User, challenge_id: str, value: Any, time_spent: int) -> Answer:
    assessment = assessment_of_learner(user=user, assessment_id=assessment_id, lock=True)
    if assessment is None:
        raise ApplicationError("Évaluation introuvable.", "NOT_FOUND", status_code=404)
    if assessment.type == Assessment.Type.CERTIFICATION:  # questions fixed at the start, never corrected
        raise _CertificationAssessment
    if not assessment.is_started:
        raise ApplicationError(ASSESSMENT_NOT_STARTED, "ASSESSMENT_ENDED", status_code=409)
    state = _state(assessment)
    if state.next_id is None or state.next_id != challenge_id:
        raise ApplicationError(CHALLENGE_NOT_ASKED, "CHALLENGE_NOT_ASKED", status_code=409)
    challenge = challenge_cached(challenge_id)
    skills = state.targets.skills
    answer = Answer(
        assessment=assessment,
        challenge=challenge,
        value=_stored_value(value),
        result=RESULT_BY_CHECKER[challenge.check_answer(value)],
        time_spent=max(0, min(int(time_spent or 0), 24 * 3600)),
        created_at=timezone.now(),
    )
    new = knowledge_for_answer(
        skill=skills[challenge.skill_id],
        is_ok=answer.is_ok,
        target_skills=skills.values(),
        known={name: ke.status for name, ke in state.knowledge.items()},
    )
    with connection.cursor() as cursor:
        cursor.execute(
            _ANSWER_SQL,
            {
                "assessment": assessment.pk,
                "challenge": challenge.pk,
                "value": answer.value,
                "result": answer.result,
                "time_spent": answer.time_spent,
                "now": answer.created_at,
                "user": user.pk,
                "skills": [k.skill for k in new],
                "competences": [skills[k.skill].competence for k in new],
                "statuses": [k.status for k in new],
                "sources": [k.source for k in new],
                "pix": [k.earned_pix for k in new],
                "synchronous_commit": "off" if settings.ANSWERS_ASYNCHRONOUS_COMMIT else "on",
            },
        )
        answer.pk = cursor.fetchone()[0]
    answer._state.adding = False  # the row exists, as after Answer.objects.create()
    answer._state.db = connection.alias
    return answer
