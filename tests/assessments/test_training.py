"""Training alone: profile page, competence evaluations, "Retenter" after 4 days, reset after 7 days, tutorials."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import training
from assessments.models import Assessment, KnowledgeElement, SavedTutorial
from assessments.selectors import profile_for_user
from assessments.services import assessment_answer, assessment_next_challenge
from campaigns.models import CampaignParticipation, CampaignSkill
from crcn.models import Competence, Tutorial
from pixorga.errors import ApplicationError
from tests.accounts.factories import StudentUserFactory
from tests.crcn.bank import write_bank
from tests.students.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def competence(tmp_path):
    from crcn.services import content_load

    content_load(content_dir=write_bank(tmp_path))
    return Competence.objects.get(code="1.1")


def right_value(challenge):
    return {"QCU": "2", "QCM": "1,3", "QROC": "réponse", "QROCM": {"a": "alpha", "b": "bêta"}}[challenge.type]


def test_a_competence_evaluation_runs_to_the_end_and_scores_pix(student, competence):
    assessment = training.competence_evaluation_start(user=student, competence=competence)
    assert training.competence_evaluation_start(user=student, competence=competence) == assessment  # "Reprendre"
    while (challenge := assessment_next_challenge(assessment=assessment)) is not None:
        assessment_answer(
            assessment_id=assessment.pk, user=student, challenge_id=challenge.id, value=right_value(challenge)
        )
    assessment.refresh_from_db()
    assert assessment.state == "completed"
    [(score, name)], total, certifiable = profile_for_user(user=student)
    assert name == "Compétence 1.1" and score.level == 5 and score.pix == 40 and total == 40  # capped at level 5
    assert not certifiable


def test_reset_waits_seven_days_after_the_last_answer(student, competence):
    with pytest.raises(ApplicationError) as error:
        training.competence_reset(user=student, competence=competence)
    assert error.value.code == "NOTHING_TO_RESET"
    assessment = training.competence_evaluation_start(user=student, competence=competence)
    challenge = assessment_next_challenge(assessment=assessment)
    assessment_answer(
        assessment_id=assessment.pk, user=student, challenge_id=challenge.id, value=right_value(challenge)
    )
    with pytest.raises(ApplicationError) as error:
        training.competence_reset(user=student, competence=competence)
    assert error.value.code == "RESET_TOO_EARLY" and error.value.status_code == 412
    assert error.value.message == "Il reste 7 jours avant de pouvoir réinitialiser la compétence."
    KnowledgeElement.objects.update(created_at=timezone.now() - timedelta(days=8))
    assert training.competence_reset(user=student, competence=competence) >= 1
    assert profile_for_user(user=student)[1] == 0
    assert Assessment.objects.get(pk=assessment.pk).state == "aborted"
    assert KnowledgeElement.objects.filter(status="validated").exists()  # history kept


def test_failed_skills_recommend_their_tutorials_which_can_be_saved(client, student, competence):
    assessment = training.competence_evaluation_start(user=student, competence=competence)
    challenge = assessment_next_challenge(assessment=assessment)
    assessment_answer(assessment_id=assessment.pk, user=student, challenge_id=challenge.id, value="#ABAND#")
    [tutorial] = training.tutorials_recommended_for(user=student)
    client.force_login(student)
    page = client.get(reverse("assessments:profile")).content.decode()
    assert tutorial.title in page and "Compétence 1.1" in page
    client.post(reverse("assessments:tutorial_save", args=[tutorial.pk]))
    assert SavedTutorial.objects.filter(user=student, tutorial=tutorial).exists()
    client.post(reverse("assessments:tutorial_useful", args=[tutorial.pk]))
    assert tutorial.evaluations.filter(user=student, useful=True).exists()
    assert Tutorial.objects.count() == 3


def test_a_learner_without_organisation_lands_on_the_profile(client, student, competence):
    client.force_login(student)
    response = client.get(reverse("accounts:home"))
    assert response["Location"] == reverse("assessments:profile")


def test_someone_elses_test_page_is_a_404(client, student, competence, admin_a):
    assessment = training.competence_evaluation_start(user=student, competence=competence)
    client.force_login(admin_a)
    assert client.get(reverse("assessments:question", args=[assessment.pk])).status_code == 404
    assert client.get(reverse("assessments:checkpoint", args=[assessment.pk])).status_code == 404


def complete(user, competence, *, right: bool) -> Assessment:
    assessment = training.competence_evaluation_start(user=user, competence=competence)
    while (challenge := assessment_next_challenge(assessment=assessment)) is not None:
        value = right_value(challenge) if right else "#ABAND#"
        assessment_answer(assessment_id=assessment.pk, user=user, challenge_id=challenge.id, value=value)
    return assessment


def age_knowledge(user, days):
    KnowledgeElement.objects.filter(user=user).update(created_at=timezone.now() - timedelta(days=days))


def know(user, skill, status, *, days_ago, source="direct"):
    return KnowledgeElement.objects.create(
        user=user,
        skill_id=skill,
        competence_code="1.1",
        status=status,
        source=source,
        created_at=timezone.now() - timedelta(days=days_ago),
    )


def profile_page(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("assessments:profile")).content.decode()


# --- "Retenter" ---------------------------------------------------------------------------------------


def test_retenter_needs_a_completed_evaluation(student, competence):
    with pytest.raises(ApplicationError) as error:
        training.competence_evaluation_improve(user=student, competence=competence)
    assert error.value.code == "IMPROVE_NOT_COMPLETED"
    training.competence_evaluation_start(user=student, competence=competence)
    with pytest.raises(ApplicationError) as error:
        training.competence_evaluation_improve(user=student, competence=competence)
    assert error.value.code == "IMPROVE_NOT_COMPLETED"


def test_retenter_waits_four_days_then_asks_the_failed_skills_again(client, student, competence):
    complete(student, competence, right=False)
    with pytest.raises(ApplicationError) as error:
        training.competence_evaluation_improve(user=student, competence=competence)
    assert error.value.code == "IMPROVE_TOO_EARLY"
    assert error.value.message == "Vous pourrez retenter cette compétence dans 4 jours."
    page = profile_page(client, student)
    assert "Retenter dans 4 jours" in page and reverse("assessments:competence_improve", args=["1.1"]) not in page

    age_knowledge(student, days=5)
    page = profile_page(client, student)
    assert reverse("assessments:competence_improve", args=["1.1"]) in page and "Retenter dans" not in page
    response = client.post(reverse("assessments:competence_improve", args=["1.1"]))

    improving = Assessment.objects.get(user=student, state="started")
    assert improving.is_improving and response["Location"] == reverse("assessments:question", args=[improving.pk])
    assert training.competence_evaluation_improve(user=student, competence=competence) == improving  # "Reprendre"
    assert assessment_next_challenge(assessment=improving) is not None  # the old failures are asked again


def test_retenter_is_refused_at_the_maximum_level(client, student, competence):
    complete(student, competence, right=True)
    age_knowledge(student, days=5)

    with pytest.raises(ApplicationError) as error:
        training.competence_evaluation_improve(user=student, competence=competence)

    assert error.value.code == "IMPROVE_MAX_LEVEL" and error.value.message == "Le niveau maximum est déjà atteint."
    page = profile_page(client, student)
    assert "Niveau maximum atteint" in page and "Retenter" not in page


# --- "Remettre à zéro" --------------------------------------------------------------------------------


def test_the_reset_delay_counts_from_the_latest_current_element_not_from_a_reset_row(student, competence):
    know(student, "@sujet11x01", "validated", days_ago=10)
    know(student, "@sujet11x02", "validated", days_ago=10)
    know(student, "@sujet11x02", "reset", days_ago=1)

    assert training.days_before_reset(user=student, competence=competence) == 0
    assert training.competence_reset(user=student, competence=competence) == 1  # only the current element


def test_once_reset_there_is_nothing_left_to_reset_and_the_competence_starts_over(client, student, competence):
    complete(student, competence, right=False)
    age_knowledge(student, days=8)
    training.competence_reset(user=student, competence=competence)

    with pytest.raises(ApplicationError) as error:
        training.competence_reset(user=student, competence=competence)

    assert error.value.code == "NOTHING_TO_RESET" and error.value.status_code == 412
    page = profile_page(client, student)
    assert ">Commencer<" in page and "Retenter" not in page and "Remettre à zéro" not in page


def test_the_reset_button_shows_for_any_current_knowledge_once_the_delay_is_over(client, student, competence):
    know(student, "@sujet11x03", "invalidated", days_ago=2)  # 0 pix, still something to reset
    assert "Remettre à zéro dans 5 jours" in profile_page(client, student)

    age_knowledge(student, days=8)

    page = profile_page(client, student)
    assert reverse("assessments:competence_reset", args=["1.1"]) in page and "Remettre à zéro dans" not in page


def campaign_test(user, skills, *, status, state="started"):
    campaign = CampaignFactory(type="ASSESSMENT")
    CampaignSkill.objects.bulk_create([CampaignSkill(campaign=campaign, skill_id=name) for name in skills])
    participation = CampaignParticipation.objects.create(campaign=campaign, user=user, status=status)
    Assessment.objects.create(user=user, type="CAMPAIGN", participation=participation, state=state)
    return participation


def test_a_reset_restarts_the_campaign_tests_not_yet_sent_that_cover_the_reset_skills(student, competence):
    know(student, "@sujet11x01", "validated", days_ago=10)
    finished = campaign_test(student, ["@sujet11x01", "@sujet11x21"], status="TO_SHARE", state="completed")
    ongoing = campaign_test(student, ["@sujet11x01"], status="STARTED")
    shared = campaign_test(student, ["@sujet11x01"], status="SHARED", state="completed")
    elsewhere = campaign_test(student, ["@sujet11x21"], status="TO_SHARE", state="completed")  # nothing reset there
    someone_else = campaign_test(StudentUserFactory(), ["@sujet11x01"], status="STARTED")

    training.competence_reset(user=student, competence=competence)

    for participation in (finished, ongoing):
        participation.refresh_from_db()
        assert participation.status == "STARTED"  # the test must be taken again before sending
        assert sorted(participation.assessments.values_list("state", flat=True)) == ["aborted", "started"]
    for participation, state in ((shared, "completed"), (elsewhere, "completed"), (someone_else, "started")):
        assert list(participation.assessments.values_list("state", flat=True)) == [state]
    assert CampaignParticipation.objects.get(pk=elsewhere.pk).status == "TO_SHARE"


def test_a_refused_reset_changes_nothing(student, competence):
    know(student, "@sujet11x01", "validated", days_ago=2)
    finished = campaign_test(student, ["@sujet11x01"], status="TO_SHARE", state="completed")

    with pytest.raises(ApplicationError):
        training.competence_reset(user=student, competence=competence)

    assert list(finished.assessments.values_list("state", flat=True)) == ["completed"]
    assert not KnowledgeElement.objects.filter(status="reset").exists()


# --- tutorials ----------------------------------------------------------------------------------------


def test_tutorials_are_recommended_for_skills_failed_when_asked_not_for_inferred_failures(student, competence):
    know(student, "@sujet11x14", "invalidated", days_ago=1, source="inferred")
    assert training.tutorials_recommended_for(user=student) == []

    know(student, "@sujet11x23", "invalidated", days_ago=1)

    assert [t.pk for t in training.tutorials_recommended_for(user=student)] == ["tuto-1.1-2"]
