"""The October loop: a teacher creates campaigns, a student takes the test and shares, the teacher sees it."""

import datetime

import pytest
from playwright.sync_api import Page, expect

from campaigns.models import Campaign, CampaignParticipation
from crcn.models import Challenge, TargetProfile
from crcn.services import content_load
from tests.e2e.test_team_journeys import log_in
from tests.students.factories import OrganizationLearnerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def answer_current_question(page: Page, *, right: bool) -> None:
    challenge = Challenge.objects.get(pk=page.locator("input[name=challenge_id]").input_value())
    zone = page.get_by_test_id("challenge")
    if challenge.type == "QCU":
        number = challenge.solution if right else (1 if challenge.solution != 1 else 2)
        zone.get_by_role("radio").nth(number - 1).check()
    elif challenge.type == "QCM":
        for number in (
            challenge.solution
            if right
            else [n for n in range(1, len(challenge.proposals) + 1) if n not in challenge.solution][:1]
        ):
            zone.get_by_role("checkbox").nth(number - 1).check()
    elif challenge.type == "QROC":
        page.get_by_label("Votre réponse").fill(str(challenge.solution[0]) if right else "je ne sais pas")
    else:
        for field in challenge.fields:
            value = str(challenge.solution[field["key"]][0]) if right else "?"
            page.get_by_label(field["label"], exact=True).fill(value)
    page.get_by_role("button", name="Je valide").click()


def test_teacher_creates_campaigns_a_student_takes_one_and_shares(page: Page, live_server, member_a, school_a, student):
    content_load()
    learner = OrganizationLearnerFactory(
        organization=school_a,
        first_name="Léa",
        last_name="Martin",
        division="5E 2",
        birthdate=datetime.date(2013, 3, 14),
    )
    learner.user = student
    learner.save()
    profile = TargetProfile.objects.get(key="rentree-5e")

    log_in(page, live_server.url, "marc.professeur@ac-lyon.fr")
    page.get_by_role("navigation", name="Menu de l'organisation").get_by_role("link", name="Campagnes").click()
    page.get_by_role("link", name="Créer une campagne").click()
    page.get_by_label("Nom de la campagne").fill("Collecte des profils 3e")
    page.get_by_label("Collecter les profils Pix des participants").check()
    page.get_by_role("button", name="Créer la campagne").click()
    expect(page.get_by_test_id("campaign-code")).to_have_text(Campaign.objects.get(name="Collecte des profils 3e").code)

    page.get_by_role("navigation", name="Menu de l'organisation").get_by_role("link", name="Campagnes").click()
    page.get_by_role("link", name="Créer une campagne").click()
    page.get_by_label("Nom de la campagne").fill("Rentrée 5e 2")
    page.get_by_label("Évaluer les participants").check()
    page.get_by_label("Que souhaitez-vous tester ?").select_option(label=profile.name)
    page.get_by_label("Titre du parcours").fill("Parcours de rentrée")
    page.get_by_label("Texte de la page d'accueil").fill("À terminer en classe avant vendredi.")
    page.get_by_role("button", name="Créer la campagne").click()
    campaign = Campaign.objects.get(name="Rentrée 5e 2")
    expect(page.get_by_test_id("campaign-code")).to_have_text(campaign.code)
    assert campaign.campaign_skills.exists()
    page.get_by_role("button", name="Se déconnecter").click()

    log_in(page, live_server.url, "lea.martin1403")
    page.goto(f"{live_server.url}/campagnes/")
    page.get_by_label("Code de la campagne").fill(campaign.code)
    page.get_by_role("button", name="Accéder au parcours").click()
    expect(page.get_by_text("À terminer en classe avant vendredi.")).to_be_visible()
    page.get_by_role("button", name="Je commence").click()

    answered, skipped, reloaded, checkpoints = 0, False, False, 0
    while True:
        if page.get_by_test_id("checkpoint").count():
            checkpoints += 1
            if page.get_by_role("link", name="Voir mes résultats").count():
                page.get_by_role("link", name="Voir mes résultats").click()
                break
            page.get_by_role("link", name="Je continue").click()
            continue
        if page.get_by_test_id("campaign-result").count():
            break
        expect(page.get_by_test_id("question-number")).to_contain_text(f"Question {answered + 1}")
        if answered == 2 and not reloaded:
            shown = page.locator("input[name=challenge_id]").input_value()
            page.reload()
            assert page.locator("input[name=challenge_id]").input_value() == shown
            reloaded = True
        if answered == 3 and not skipped:
            page.get_by_role("button", name="Je passe").click()
            skipped = True
        else:
            answer_current_question(page, right=answered % 4 != 1)
        answered += 1
        assert answered < 120, "le test ne s'arrête pas"

    assert checkpoints >= 1 and skipped and reloaded
    expect(page.get_by_test_id("mastery")).to_contain_text("%")
    page.get_by_role("button", name="J'envoie mes résultats").click()
    expect(page.get_by_test_id("shared")).to_be_visible()
    participation = CampaignParticipation.objects.get(campaign=campaign, user=student)
    assert participation.status == "SHARED" and participation.mastery_rate is not None
    page.get_by_role("button", name="Se déconnecter").click()

    log_in(page, live_server.url, "marc.professeur@ac-lyon.fr")
    page.goto(f"{live_server.url}/orga/{school_a.pk}/campagnes/{campaign.pk}/")
    expect(page.get_by_test_id("participant-row").filter(has_text="Martin")).to_contain_text("Résultats envoyés")
    page.get_by_role("button", name="Archiver").click()
    expect(page.get_by_text("La campagne est archivée")).to_be_visible()
    page.get_by_role("button", name="Se déconnecter").click()

    log_in(page, live_server.url, "lea.martin1403")
    page.goto(f"{live_server.url}/campagnes/{campaign.code}/")
    expect(page.get_by_role("alert")).to_contain_text("Cette campagne est terminée")
