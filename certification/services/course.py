"""The certification test itself: questions fixed at the start, asked in order, never corrected.

Unlike a campaign, nothing adapts and no knowledge element is written: a certification checks the
profile, it does not feed it. The time limit (105 minutes plus extra time) is the server's: once it is
past, the questions left are recorded as timed out and the test is over.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from assessments.models import Answer, Assessment
from certification.models import CertificationCourse
from crcn.models import Challenge
from pixorga.errors import ApplicationError

CHALLENGE_NOT_ASKED = "Cette question n'est pas celle en cours : rechargez la page pour continuer le test."
TEST_ENDED = "Votre test de certification est terminé."
RESULT_BY_CHECKER = {"ok": Answer.Result.OK, "ko": Answer.Result.KO, "skipped": Answer.Result.SKIPPED}


def _unanswered(course: CertificationCourse) -> list:
    answered = set(course.assessment.answers.values_list("challenge_id", flat=True))
    return [c for c in course.challenges.order_by("index") if c.challenge_id not in answered]


def course_end(*, course: CertificationCourse, state: str) -> None:
    """Close the assessment. A test over (all answered, or time up) is completed; one stopped is not."""
    assessment = course.assessment
    if not assessment.is_started:
        return
    now = timezone.now()
    assessment.state = state
    assessment.completed_at = now
    assessment.save(update_fields=["state", "completed_at"])
    if state == Assessment.State.COMPLETED:
        course.completed_at = now
        course.save(update_fields=["completed_at"])


def _time_is_up(course: CertificationCourse) -> None:
    """Questions not reached in time count as answered wrong (timed out): the test is complete."""
    Answer.objects.bulk_create(
        [
            Answer(assessment=course.assessment, challenge_id=c.challenge_id, value="", result=Answer.Result.TIMEDOUT)
            for c in _unanswered(course)
        ],
        ignore_conflicts=True,
    )
    course_end(course=course, state=Assessment.State.COMPLETED)


def _current(course: CertificationCourse):
    """The certification challenge to answer now, or None when the test is over (then it is closed)."""
    if not course.assessment.is_started:
        return None
    if timezone.now() >= course.deadline:
        _time_is_up(course)
        return None
    remaining = _unanswered(course)
    if not remaining:
        course_end(course=course, state=Assessment.State.COMPLETED)
        return None
    return remaining[0]


@transaction.atomic
def course_next_challenge(*, course: CertificationCourse) -> Challenge | None:
    """The question to show now; reaching the end or the time limit closes the test (several rows)."""
    current = _current(course)
    return None if current is None else Challenge.objects.get(pk=current.challenge_id)


def course_progress(*, course: CertificationCourse) -> tuple[int, int]:
    """(questions answered, questions in the test)."""
    return course.assessment.answers.count(), course.challenges.count()


def course_for_assessment(assessment: Assessment) -> CertificationCourse:
    return CertificationCourse.objects.select_related("assessment", "candidate", "session").get(assessment=assessment)


@transaction.atomic
def _close_if_time_is_up(*, assessment_id: int, user: User) -> None:
    """Committed on its own: the refusal of a late answer must not roll back the time-up it reveals."""
    assessment = (
        Assessment.objects.select_for_update()
        .filter(pk=assessment_id, user=user, type=Assessment.Type.CERTIFICATION)
        .first()
    )
    if assessment is None or not assessment.is_started:
        return
    course = CertificationCourse.objects.select_related("candidate").get(assessment=assessment)
    course.assessment = assessment
    if timezone.now() >= course.deadline:
        _time_is_up(course)


def course_answer(*, assessment_id: int, user: User, challenge_id: str, value: Any, time_spent: int = 0) -> Answer:
    """Record the answer to the current question; the result is kept, never shown."""
    _close_if_time_is_up(assessment_id=assessment_id, user=user)
    return _course_answer(
        assessment_id=assessment_id, user=user, challenge_id=challenge_id, value=value, time_spent=time_spent
    )


@transaction.atomic
def _course_answer(*, assessment_id: int, user: User, challenge_id: str, value: Any, time_spent: int) -> Answer:
    try:
        assessment = Assessment.objects.select_for_update().get(
            pk=assessment_id, user=user, type=Assessment.Type.CERTIFICATION
        )
    except Assessment.DoesNotExist:
        raise ApplicationError("Évaluation introuvable.", "NOT_FOUND", status_code=404) from None
    course = CertificationCourse.objects.select_related("candidate").get(assessment=assessment)
    course.assessment = assessment
    if not assessment.is_started:
        raise ApplicationError(TEST_ENDED, "ASSESSMENT_ENDED", status_code=409)
    current = _current(course)
    if current is None:
        raise ApplicationError(TEST_ENDED, "ASSESSMENT_ENDED", status_code=409)
    if current.challenge_id != challenge_id:
        raise ApplicationError(CHALLENGE_NOT_ASKED, "CHALLENGE_NOT_ASKED", status_code=409)
    challenge = Challenge.objects.get(pk=challenge_id)
    try:
        with transaction.atomic():
            answer = Answer.objects.create(
                assessment=assessment,
                challenge=challenge,
                value=json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value)[:2000],
                result=RESULT_BY_CHECKER[challenge.check_answer(value)],
                time_spent=max(0, min(int(time_spent or 0), 24 * 3600)),
            )
    except IntegrityError as exc:
        raise ApplicationError(CHALLENGE_NOT_ASKED, "CHALLENGE_NOT_ASKED", status_code=409) from exc
    if not _unanswered(course):
        course_end(course=course, state=Assessment.State.COMPLETED)
    return answer
