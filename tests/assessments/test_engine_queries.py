"""The engine's hot path: the state read in one statement, an answer and its knowledge written in one."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments import services, training
from assessments.models import Answer, KnowledgeElement
from crcn.models import Competence, Skill
from tests.accounts.factories import UserFactory
from tests.crcn.bank import write_bank

pytestmark = pytest.mark.django_db


@pytest.fixture
def competence(tmp_path):
    from crcn.services import content_load

    content_load(content_dir=write_bank(tmp_path))
    return Competence.objects.get(code="1.1")


def know(user, skill, status, minutes_ago):
    return KnowledgeElement.objects.create(
        user=user,
        skill_id=skill,
        competence_code="1.1",
        status=status,
        source="direct",
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_the_state_keeps_the_latest_element_per_skill_forgets_resets_and_other_learners(student, competence):
    assessment = training.competence_evaluation_start(user=student, competence=competence)
    know(student, "@sujet11x01", "validated", 30)
    know(student, "@sujet11x02", "validated", 30)
    know(student, "@sujet11x02", "reset", 20)
    know(student, "@sujet11x03", "validated", 30)
    know(student, "@sujet11x03", "invalidated", 10)
    know(UserFactory(), "@sujet11x04", "validated", 10)

    knowledge = services._state(assessment).knowledge

    assert {skill: known.status for skill, known in knowledge.items()} == {
        "@sujet11x01": "validated",
        "@sujet11x03": "invalidated",
    }


def test_the_answers_are_read_in_the_order_they_were_given(student, competence):
    assessment = training.competence_evaluation_start(user=student, competence=competence)
    now = timezone.now()
    for challenge, minutes_ago in (("ch-sujet11x01-b", 1), ("ch-sujet11x02-a", 5), ("ch-sujet11x03-a", 3)):
        Answer.objects.create(
            assessment=assessment, challenge_id=challenge, result="ko", created_at=now - timedelta(minutes=minutes_ago)
        )

    answers = services._state(assessment).answers

    assert [challenge for challenge, _ in answers] == ["ch-sujet11x02-a", "ch-sujet11x03-a", "ch-sujet11x01-b"]


def test_an_answer_writes_its_direct_and_inferred_knowledge_with_its_time(student, competence):
    assessment = training.competence_evaluation_start(user=student, competence=competence)
    challenge = services.assessment_next_challenge(assessment=assessment)
    skill = Skill.objects.get(pk=challenge.skill_id)

    answer = services.assessment_answer(
        assessment_id=assessment.pk, user=student, challenge_id=challenge.id, value="#ABAND#", time_spent=12
    )

    stored = Answer.objects.get(pk=answer.pk)
    assert (stored.challenge_id, stored.value, stored.result, stored.time_spent) == (
        challenge.id,
        "#ABAND#",
        "aband",
        12,
    )
    assert answer.result == "aband" and not answer._state.adding and answer.assessment == assessment
    elements = KnowledgeElement.objects.filter(answer=answer).order_by("skill_id")
    harder = [f"{skill.tube_id}{level}" for level in range(skill.level + 1, 7)]
    assert [(e.skill_id, e.status, e.source) for e in elements] == [
        (skill.pk, "invalidated", "direct"),
        *[(name, "invalidated", "inferred") for name in harder],
    ]
    assert {(e.user_id, e.assessment_id, e.competence_code, e.created_at) for e in elements} == {
        (student.pk, assessment.pk, "1.1", stored.created_at)
    }
    assert {e.earned_pix for e in elements} == {Decimal(0)}


def test_a_right_answer_earns_the_pix_of_the_skill_and_of_the_easier_ones(student, competence):
    assessment = training.competence_evaluation_start(user=student, competence=competence)
    challenge = services.assessment_next_challenge(assessment=assessment)
    right = {"QCU": "2", "QCM": "1,3", "QROC": "réponse", "QROCM": {"a": "alpha", "b": "bêta"}}[challenge.type]

    answer = services.assessment_answer(
        assessment_id=assessment.pk, user=student, challenge_id=challenge.id, value=right
    )

    elements = KnowledgeElement.objects.filter(answer=answer)
    assert elements and {e.status for e in elements} == {"validated"}
    pix = dict(Skill.objects.filter(pk__in=[e.skill_id for e in elements]).values_list("name", "pix_value"))
    assert {e.skill_id: e.earned_pix for e in elements} == pytest.approx(pix)


@pytest.mark.parametrize("improving", [False, True], ids=["first-try", "retenter"])
def test_a_question_costs_one_query_and_an_answer_three_once_the_targets_are_read(
    student, competence, django_assert_num_queries, improving
):
    assessment = training.competence_evaluation_start(user=student, competence=competence)
    if improving:  # old failures are forgotten in the same statement
        know(student, "@sujet11x12", "invalidated", 60 * 24 * 30)
        assessment.is_improving = True
        assessment.save(update_fields=["is_improving"])
    answered = 0
    while (challenge := services.assessment_next_challenge(assessment=assessment)) is not None:
        # the targets and this challenge are now cached
        with django_assert_num_queries(1):  # answers + knowledge
            assert services.assessment_next_challenge(assessment=assessment) == challenge
        with django_assert_num_queries(5):  # lock, answers + knowledge, answer + elements, in a savepoint
            services.assessment_answer(
                assessment_id=assessment.pk, user=student, challenge_id=challenge.id, value="#ABAND#"
            )
        answered += 1
    assert answered >= 3


def synchronous_commit() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@pytest.mark.parametrize(("asynchronous", "expected"), [(True, "off"), (False, "on")])
def test_an_answer_does_not_wait_for_the_disk_flush_unless_configured(
    student, competence, settings, asynchronous, expected
):
    # the test runs inside a transaction, so the answer's SET LOCAL is still visible afterwards
    settings.ANSWERS_ASYNCHRONOUS_COMMIT = asynchronous
    assessment = training.competence_evaluation_start(user=student, competence=competence)
    challenge = services.assessment_next_challenge(assessment=assessment)
    assert synchronous_commit() == "on"

    services.assessment_answer(assessment_id=assessment.pk, user=student, challenge_id=challenge.id, value="#ABAND#")

    assert synchronous_commit() == expected
