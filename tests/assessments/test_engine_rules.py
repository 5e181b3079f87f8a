"""What the engine counts as known and what it may ask (reference pix-algorithms §4.2, §5.2–5.3)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments import services, training
from assessments.models import Answer, Assessment, KnowledgeElement
from campaigns.models import CampaignParticipation, CampaignSkill
from crcn.models import Challenge, Competence, Skill
from tests.accounts.factories import StudentUserFactory
from tests.crcn.bank import write_bank
from tests.students.factories import CampaignFactory

pytestmark = pytest.mark.django_db

OLD_FAILURES = {
    "@sujet11x01": ("validated", 30),  # a success, however old, always counts
    "@sujet11x02": ("invalidated", 5),  # 4 days or more before the test: forgotten
    "@sujet11x03": ("invalidated", 3),  # less than 4 days before the test: still a failure
    "@sujet11x04": ("invalidated", 30),
}


@pytest.fixture
def competence(tmp_path):
    from crcn.services import content_load

    content_load(content_dir=write_bank(tmp_path))
    return Competence.objects.get(code="1.1")


def know(user, skill, status, *, days_ago, source="direct"):
    return KnowledgeElement.objects.create(
        user=user,
        skill_id=skill,
        competence_code="1.1",
        status=status,
        source=source,
        created_at=timezone.now() - timedelta(days=days_ago),
    )


def campaign_assessment(user, skills, *, days_ago=0):
    campaign = CampaignFactory(type="ASSESSMENT")
    CampaignSkill.objects.bulk_create([CampaignSkill(campaign=campaign, skill_id=name) for name in skills])
    participation = CampaignParticipation.objects.create(campaign=campaign, user=user)
    return Assessment.objects.create(
        user=user,
        type=Assessment.Type.CAMPAIGN,
        participation=participation,
        created_at=timezone.now() - timedelta(days=days_ago),
    )


def competence_evaluation(user, competence, *, improving=False, days_ago=0):
    return Assessment.objects.create(
        user=user,
        type=Assessment.Type.COMPETENCE_EVALUATION,
        competence=competence,
        is_improving=improving,
        created_at=timezone.now() - timedelta(days=days_ago),
    )


def known(assessment):
    return {skill: ke.status for skill, ke in services._state(assessment).knowledge.items()}


def competence_skills():
    return list(Skill.objects.filter(tube__competence="1.1").values_list("name", flat=True))


# --- failures forgotten for improving and retrying ------------------------------------------------


def test_a_campaign_forgets_failures_from_four_days_before_it_and_keeps_every_success(student, competence):
    for skill, (status, days_ago) in OLD_FAILURES.items():
        know(student, skill, status, days_ago=days_ago)

    assessment = campaign_assessment(student, competence_skills())

    assert known(assessment) == {"@sujet11x01": "validated", "@sujet11x03": "invalidated"}
    assert KnowledgeElement.objects.filter(user=student).count() == 4  # nothing is deleted


def test_a_competence_evaluation_keeps_old_failures_unless_it_is_improving(student, competence):
    for skill, (status, days_ago) in OLD_FAILURES.items():
        know(student, skill, status, days_ago=days_ago)
    other = StudentUserFactory()
    for skill, (status, days_ago) in OLD_FAILURES.items():
        know(other, skill, status, days_ago=days_ago)

    assert known(competence_evaluation(student, competence)) == {
        skill: status for skill, (status, _) in OLD_FAILURES.items()
    }
    assert known(competence_evaluation(other, competence, improving=True)) == {
        "@sujet11x01": "validated",
        "@sujet11x03": "invalidated",
    }


def test_the_four_days_count_back_from_the_start_of_the_test_not_from_now(student, competence):
    know(student, "@sujet11x02", "invalidated", days_ago=5)  # 2 days before the test started
    know(student, "@sujet11x03", "invalidated", days_ago=8)  # 5 days before

    assessment = competence_evaluation(student, competence, improving=True, days_ago=3)

    assert known(assessment) == {"@sujet11x02": "invalidated"}


def test_a_forgotten_failure_is_asked_again_and_its_answer_is_a_new_direct_element(student, competence):
    tube = [f"@sujet11x0{level}" for level in range(1, 7)]
    for skill in tube[:3]:
        know(student, skill, "validated", days_ago=30)
    for skill in tube[3:]:
        know(student, skill, "invalidated", days_ago=30)
    assessment = campaign_assessment(student, tube)

    challenge = services.assessment_next_challenge(assessment=assessment)
    assert challenge is not None and challenge.skill_id in tube[3:]  # without the rule, nothing is left to ask
    answer = services.assessment_answer(
        assessment_id=assessment.pk, user=student, challenge_id=challenge.id, value="#ABAND#"
    )

    direct = KnowledgeElement.objects.get(answer=answer, source="direct")
    assert (direct.skill_id, direct.status, direct.assessment_id) == (challenge.skill_id, "invalidated", assessment.pk)
    assert KnowledgeElement.objects.filter(user=student, skill_id=challenge.skill_id).count() == 2


def test_without_improving_an_old_failure_is_never_asked_again(student, competence):
    for skill in competence_skills():
        know(student, skill, "invalidated", days_ago=30)

    assert services.assessment_next_challenge(assessment=competence_evaluation(student, competence)) is None


# --- preparation: tubes, challenge statuses, timers -----------------------------------------------


def test_a_skill_without_challenge_does_not_raise_its_tube_level(competence):
    # tube x0 keeps challenges up to level 3 only: it becomes an "easy" tube, asked first
    Challenge.objects.filter(skill_id__in=["@sujet11x04", "@sujet11x05", "@sujet11x06"]).delete()
    for _ in range(5):
        user = StudentUserFactory()
        assessment = training.competence_evaluation_start(user=user, competence=competence)
        assert services.assessment_next_challenge(assessment=assessment).skill_id == "@sujet11x02"
    targets = services._targets(assessment)
    assert "@sujet11x06" in targets.skills  # still a target: a right answer above it infers it
    assert "@sujet11x06" not in {candidate.skill.name for candidate in targets.candidates}


def test_a_campaign_asks_a_validated_challenge_before_an_archived_one(competence):
    Challenge.objects.filter(pk="ch-sujet11x02-a").update(status=Challenge.Status.ARCHIVED)
    for _ in range(4):
        assessment = campaign_assessment(StudentUserFactory(), ["@sujet11x01", "@sujet11x02", "@sujet11x03"])
        assert services.assessment_next_challenge(assessment=assessment).id == "ch-sujet11x02-b"


def test_archived_challenges_are_asked_in_campaigns_only(competence):
    Challenge.objects.filter(skill_id="@sujet11x02").update(status=Challenge.Status.ARCHIVED)

    campaign = campaign_assessment(StudentUserFactory(), ["@sujet11x01", "@sujet11x02", "@sujet11x03"])
    evaluation = competence_evaluation(StudentUserFactory(), competence)

    assert services.assessment_next_challenge(assessment=campaign).skill_id == "@sujet11x02"
    assert "@sujet11x02" not in {c.skill.name for c in services._targets(evaluation).candidates}


def test_after_a_timed_question_the_engine_avoids_timed_ones_whatever_the_result(competence):
    Challenge.objects.filter(skill__tube__in=["@sujet11x0", "@sujet11x1"]).update(timer=60)
    for _ in range(4):
        user = StudentUserFactory()
        assessment = competence_evaluation(user, competence)
        Answer.objects.create(assessment=assessment, challenge_id="ch-sujet11x01-a", result="ko")  # not "timedout"

        assert services.assessment_next_challenge(assessment=assessment).skill.tube_id == "@sujet11x2"


def test_a_skill_is_timed_when_its_first_remaining_challenge_is(competence):
    Challenge.objects.filter(pk="ch-sujet11x02-a").update(timer=60)
    targets = services._targets(competence_evaluation(StudentUserFactory(), competence))

    def timed(answered):
        return next(c.timed for c in targets.open_candidates(answered) if c.skill.name == "@sujet11x02")

    assert timed(set()) is True
    assert timed({"ch-sujet11x02-a"}) is False
