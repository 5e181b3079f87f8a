"""The October loop: a teacher creates campaigns, a student takes the test and shares, the teacher sees it."""

import datetime

import pytest
from playwright.sync_api import Page, expect

from campaigns.models import Campaign, CampaignParticipation
from crcn.models import TargetProfile
from crcn.services import content_load
from tests.e2e.steps import answer_current_question, click_and_load, log_in, log_out
from tests.students.factories import OrganizationLearnerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


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
    click_and_load(page, page.get_by_role("button", name="Créer la campagne"))  # saved once the next page is there
    expect(page.get_by_test_id("campaign-code")).to_have_text(Campaign.objects.get(name="Collecte des profils 3e").code)

    page.get_by_role("navigation", name="Menu de l'organisation").get_by_role("link", name="Campagnes").click()
    page.get_by_role("link", name="Créer une campagne").click()
    page.get_by_label("Nom de la campagne").fill("Rentrée 5e 2")
    page.get_by_label("Évaluer les participants").check()
    page.get_by_label("Que souhaitez-vous tester ?").select_option(label=profile.name)
    page.get_by_label("Titre du parcours").fill("Parcours de rentrée")
    page.get_by_label("Texte de la page d'accueil").fill("À terminer en classe avant vendredi.")
    click_and_load(page, page.get_by_role("button", name="Créer la campagne"))
    campaign = Campaign.objects.get(name="Rentrée 5e 2")
    expect(page.get_by_test_id("campaign-code")).to_have_text(campaign.code)
    assert campaign.campaign_skills.exists()
    log_out(page)

    log_in(page, live_server.url, "lea.martin1403")
    page.goto(f"{live_server.url}/campagnes/")
    page.get_by_label("Code de la campagne").fill(campaign.code)
    page.get_by_role("button", name="Accéder au parcours").click()
    expect(page.get_by_text("À terminer en classe avant vendredi.")).to_be_visible()
    click_and_load(page, page.get_by_role("button", name="Je commence"))

    # Every step below loads a new page before the loop looks at it again, so what it reads is the page the
    # last answer led to, not the one it was given on.
    question, checkpoint = page.get_by_test_id("question-number"), page.get_by_test_id("checkpoint")
    result = page.get_by_test_id("campaign-result")
    answered, skipped, reloaded, checkpoints = 0, False, False, 0
    while True:
        expect(question.or_(checkpoint).or_(result).first).to_be_visible()
        if checkpoint.count():
            checkpoints += 1
            if page.get_by_role("link", name="Voir mes résultats").count():
                click_and_load(page, page.get_by_role("link", name="Voir mes résultats"))
                break
            click_and_load(page, page.get_by_role("link", name="Je continue"))
            continue
        if result.count():
            break
        expect(question).to_contain_text(f"Question {answered + 1}")
        if answered == 2 and not reloaded:
            shown = page.locator("input[name=challenge_id]").input_value()
            page.reload()
            expect(page.locator("input[name=challenge_id]")).to_have_value(shown)
            reloaded = True
        if answered == 3 and not skipped:
            click_and_load(page, page.get_by_role("button", name="Je passe"))
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
    log_out(page)

    log_in(page, live_server.url, "marc.professeur@ac-lyon.fr")
    page.goto(f"{live_server.url}/orga/{school_a.pk}/campagnes/{campaign.pk}/")
    expect(page.get_by_test_id("participant-row").filter(has_text="Martin")).to_contain_text("Résultats envoyés")
    page.get_by_role("button", name="Archiver").click()
    expect(page.get_by_text("La campagne est archivée")).to_be_visible()
    log_out(page)

    log_in(page, live_server.url, "lea.martin1403")
    page.goto(f"{live_server.url}/campagnes/{campaign.code}/")
    expect(page.get_by_role("alert")).to_contain_text("Cette campagne est terminée")
