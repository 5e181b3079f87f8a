"""Browsing the referential and the parcours, and the operators' challenge preview, in Chromium."""

import pytest
from playwright.sync_api import Page, expect

from crcn.models import Challenge, TargetProfile
from crcn.services import content_load
from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.steps import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def content():
    content_load()


def test_a_teacher_browses_the_referential_and_a_parcours_description(page: Page, live_server, content):
    page.goto(f"{live_server.url}/referentiel/")
    expect(page.get_by_role("heading", name="5. Environnement numérique")).to_be_visible()
    page.get_by_role("link", name="1.2 Gérer des données").click()
    expect(page.get_by_role("heading", name="1.2 Gérer des données")).to_be_visible()
    expect(page.get_by_role("cell", name="Organisation de fichiers")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Expert")).to_have_count(2)

    page.get_by_role("link", name="Parcours", exact=True).click()
    page.get_by_role("link", name="Parcours disciplinaire").click()
    music = TargetProfile.objects.filter(name__icontains="musicale").first()
    page.get_by_role("link", name=music.name).click()
    expect(page.get_by_role("heading", name="Descriptif du parcours")).to_be_visible()
    expect(page.get_by_test_id("profile-tube").filter(has_text="Format de son et vidéo")).to_be_visible()
    expect(page.get_by_test_id("stage-row").first).to_contain_text("0 %")


def _answer(page: Page, challenge: Challenge) -> None:
    if challenge.type == "QCU":
        page.get_by_test_id("challenge").get_by_role("radio").nth(challenge.solution - 1).check()
    elif challenge.type == "QCM":
        for number in challenge.solution:
            page.get_by_test_id("challenge").get_by_role("checkbox").nth(number - 1).check()
    elif challenge.type == "QROC":
        page.get_by_label("Votre réponse").fill(str(challenge.solution[0]))
    else:
        for field in challenge.fields:
            page.get_by_label(field["label"], exact=True).fill(str(challenge.solution[field["key"]][0]))


def test_an_operator_previews_and_answers_one_challenge_of_each_type(page: Page, live_server, content):
    UserFactory(email="operatrice@pix-orga.local", is_staff=True)
    log_in(page, live_server.url, "operatrice@pix-orga.local", PASSWORD)
    for kind in ("QCU", "QCM", "QROC", "QROCM"):
        challenge = Challenge.objects.filter(type=kind, illustration_file="").order_by("id").first()
        page.goto(f"{live_server.url}/contenu/epreuves/{challenge.id}/")
        expect(page.get_by_test_id("challenge")).to_have_attribute("data-type", kind)
        _answer(page, challenge)
        page.get_by_role("button", name="Je valide").click()
        expect(page.get_by_test_id("check-result")).to_contain_text("Réponse correcte.")

    page.get_by_role("button", name="Je passe").click()
    expect(page.get_by_test_id("check-result")).to_contain_text("Épreuve passée.")


def test_the_preview_shows_an_illustration_and_refuses_a_wrong_answer(page: Page, live_server, content):
    UserFactory(email="operatrice@pix-orga.local", is_staff=True)
    log_in(page, live_server.url, "operatrice@pix-orga.local", PASSWORD)
    challenge = Challenge.objects.filter(type="QCU").exclude(illustration_file="").order_by("id").first()
    page.goto(f"{live_server.url}/contenu/epreuves/{challenge.id}/")
    image = page.get_by_role("img", name=challenge.illustration_alt)
    expect(image).to_be_visible()
    # Visible is not loaded: wait for the file itself (a broken image is complete with no width, and fails).
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    wrong = 1 if challenge.solution != 1 else 2
    page.get_by_test_id("challenge").get_by_role("radio").nth(wrong - 1).check()
    page.get_by_role("button", name="Je valide").click()
    expect(page.get_by_test_id("check-result")).to_contain_text("Réponse incorrecte.")


def test_the_preview_is_for_operators_only(page: Page, live_server, content, member_a):
    log_in(page, live_server.url, "marc.professeur@ac-lyon.fr", PASSWORD)
    page.goto(f"{live_server.url}/contenu/epreuves/")
    expect(page.get_by_role("heading", name="Épreuves (opérateurs)")).to_have_count(0)
