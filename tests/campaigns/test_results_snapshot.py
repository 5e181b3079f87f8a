"""Once shared, results are what the learner knew when sharing: training afterwards changes nothing that was sent."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from assessments.models import KnowledgeElement
from campaigns.models import CampaignParticipation
from campaigns.results import participation_profile, participation_result, profile_at_share
from campaigns.services.participations import participation_share
from tests.accounts.factories import UserFactory
from tests.campaigns.test_exports import campaign  # noqa: F401 - the content bank and an assessment campaign
from tests.students.factories import CampaignFactory, OrganizationLearnerFactory

pytestmark = pytest.mark.django_db

SKILLS = [f"@sujet11x0{level}" for level in range(1, 5)]  # the assessment campaign's four skills, 2 pix each


def learn(user, *, validated=(), invalidated=(), at):
    states = [(skill, "validated", 2) for skill in validated] + [(skill, "invalidated", 0) for skill in invalidated]
    for skill, status, pix in states:
        KnowledgeElement.objects.create(
            user=user,
            skill_id=skill,
            competence_code="1.1",
            source="direct",
            status=status,
            earned_pix=pix,
            created_at=at,
        )


def finished(campaign, *, validated, invalidated=()):
    """A learner of the school who finished the test (knowledge learnt a while ago), not yet shared."""
    user = UserFactory(first_name="Léa", last_name="Martin")
    learner = OrganizationLearnerFactory(
        organization=campaign.organization, user=user, first_name="Léa", last_name="Martin"
    )
    learn(user, validated=validated, invalidated=invalidated, at=timezone.now() - timedelta(hours=1))
    return CampaignParticipation.objects.create(
        campaign=campaign, user=user, organization_learner=learner, status="TO_SHARE"
    )


def shares_then_trains(campaign):
    """Shares with one skill of four (25 %), then validates the three others on the profile page."""
    participation = finished(campaign, validated=SKILLS[:1], invalidated=SKILLS[1:])
    participation = participation_share(participation=participation, user=participation.user)
    learn(participation.user, validated=SKILLS[1:], at=participation.shared_at + timedelta(days=1))
    return participation


@pytest.fixture
def collection(campaign):
    return CampaignFactory(organization=campaign.organization, type="PROFILES_COLLECTION", name="Collecte 2nde")


# --- the learner's result page (assessment) ---------------------------------------------------------------


def test_the_result_page_shows_what_was_shared_not_what_was_learnt_since(client, campaign):
    participation = shares_then_trains(campaign)
    client.force_login(participation.user)
    body = client.get(reverse("campaigns:result", kwargs={"code": campaign.code})).content.decode()
    assert 'data-testid="mastery">25 %<' in body and "(1 acquis sur 4)" in body
    assert "1.1 Compétence 1.1" in body and 'value="25">25 %</meter> 25 %' in body
    assert "Pour progresser" in body  # the three skills missed when sharing


def test_every_figure_of_a_shared_result_comes_from_the_knowledge_at_sharing(campaign):
    result = participation_result(participation=shares_then_trains(campaign))
    assert (result.mastery_percentage, result.validated, result.total) == (25, 1, 4)
    assert [(c.code, c.validated, c.total, c.percentage) for c in result.competences] == [("1.1", 1, 4, 25)]
    assert result.stage.threshold == 0 and result.tutorials


def test_before_sharing_the_result_follows_the_knowledge_as_it_is_now(campaign):
    participation = finished(campaign, validated=SKILLS[:1], invalidated=SKILLS[1:])
    learn(participation.user, validated=SKILLS[1:], at=timezone.now())
    result = participation_result(participation=participation)
    assert (result.mastery_percentage, result.validated) == (100, 4) and result.tutorials == []


def test_the_result_api_returns_the_shared_figures_too(campaign):
    participation = shares_then_trains(campaign)
    api = APIClient()
    api.force_authenticate(participation.user)
    body = api.get(f"/api/participations/{participation.pk}/result/").json()
    assert body["mastery_rate"] == 0.25 and body["competences"] == [{"code": "1.1", "mastery_rate": 0.25}]
    assert body["stage"]["reached"] == 1


# --- profile collections ------------------------------------------------------------------------------------


def test_the_profile_sent_is_the_profile_at_sharing_with_its_stored_score(collection):
    participation = shares_then_trains(collection)
    assert participation.pix_score == 2
    scores, total, certifiable = profile_at_share(participation=participation)
    competence = next(score for score, name in scores if score.code == "1.1")
    assert (competence.pix, competence.level, total, certifiable) == (2, 0, 2, False)
    live = participation_profile(participation=finished(collection, validated=SKILLS))
    assert live[1] == 8  # before sending: the profile as it is now


def test_once_sent_the_learner_reads_the_profile_they_sent_in_the_past_tense(client, collection):
    participation = shares_then_trains(collection)
    client.force_login(participation.user)
    body = client.get(reverse("campaigns:result", kwargs={"code": collection.code})).content.decode()
    sent_on = timezone.localtime(participation.shared_at).strftime("%d/%m/%Y")
    assert f"Voici le profil Pix que vous avez envoyé le {sent_on}" in body and "qui sera envoyé" not in body
    assert 'data-testid="profile-pix">2 pix<' in body
    assert "<td>1.1 Compétence 1.1</td><td>0</td><td>2</td>" in body
    assert "Améliorer mon profil avant de l&#x27;envoyer" not in body


def test_before_sending_the_learner_reads_the_profile_that_will_be_sent(client, collection):
    participation = finished(collection, validated=SKILLS)
    client.force_login(participation.user)
    body = client.get(reverse("campaigns:result", kwargs={"code": collection.code})).content.decode()
    assert "Voici le profil Pix qui sera envoyé" in body and 'data-testid="profile-pix">8 pix<' in body


# --- the teacher's page of one participant ----------------------------------------------------------------


def participant_page(client, participation):
    kwargs = {
        "org_id": participation.campaign.organization_id,
        "campaign_id": participation.campaign_id,
        "participation_id": participation.pk,
    }
    return client.get(reverse("campaigns:orga_participant", kwargs=kwargs)).content.decode()


def test_the_teacher_reads_the_results_as_shared_not_as_learnt_since(client, member_a, campaign):
    participation = shares_then_trains(campaign)
    client.force_login(member_a)
    body = participant_page(client, participation)
    assert "Sujet 0 : 1 acquis sur 4" in body and 'data-testid="participant-mastery">25 %<' in body


def test_the_teacher_reads_the_profile_as_it_was_sent(client, member_a, collection):
    participation = shares_then_trains(collection)
    client.force_login(member_a)
    body = participant_page(client, participation)
    assert "Profil envoyé" in body and "<td>1.1 Compétence 1.1</td><td>0</td><td>2</td>" in body
