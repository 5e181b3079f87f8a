"""Training alone: profile page, competence evaluations, reset after 7 days, tutorials."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import training
from assessments.models import Assessment, KnowledgeElement, SavedTutorial
from assessments.selectors import profile_for_user
from assessments.services import assessment_answer, assessment_next_challenge
from crcn.models import Competence, Tutorial
from pixorga.errors import ApplicationError
from tests.crcn.bank import write_bank

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
    assert error.value.code == "RESET_TOO_EARLY" and "7 jours" in error.value.message
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
