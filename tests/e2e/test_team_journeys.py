"""Browser journeys of the foundation: login, invitations, roles, tenant isolation, password reset."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Invitation
from tests.conftest import wait_until
from tests.e2e.steps import MAIL_TIMEOUT, click_and_load, log_in, log_out
from tests.mail import emails_to, first_link

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_admin_invites_two_colleagues_and_one_joins(page: Page, live_server, celery_worker_process, admin_a, school_a):
    log_in(page, live_server.url, "anne.directrice@ac-lyon.fr")
    expect(page.get_by_test_id("current-organization")).to_have_text("Lycée Victor Hugo")
    page.get_by_role("link", name="Équipe", exact=True).click()
    page.get_by_role("link", name="Inviter un membre").click()
    page.get_by_label("Adresses e-mail").fill("paul.prof@ac-lyon.fr, marie.prof@ac-lyon.fr")
    page.get_by_role("button", name="Inviter").click()
    expect(page.get_by_text("2 invitations envoyées.")).to_be_visible()
    expect(page.get_by_test_id("invitation-row")).to_have_count(2)

    [message] = wait_until(lambda: emails_to("paul.prof@ac-lyon.fr"), timeout=MAIL_TIMEOUT)
    link = first_link(message).replace("http://testserver", live_server.url)
    log_out(page)

    page.goto(link)
    expect(page.get_by_role("heading", name="Rejoindre Lycée Victor Hugo")).to_be_visible()
    page.get_by_label("Prénom").fill("Paul")
    page.get_by_label("Nom", exact=True).fill("Prof")
    page.get_by_label("Mot de passe").fill("Bienvenue2026")
    page.get_by_label("J'accepte les conditions").check()
    page.get_by_role("button", name="Créer mon compte et rejoindre").click()

    expect(page.get_by_text("Bienvenue dans l'espace de Lycée Victor Hugo !")).to_be_visible()
    expect(page.get_by_test_id("current-organization")).to_have_text("Lycée Victor Hugo")
    assert Invitation.objects.get(email="paul.prof@ac-lyon.fr").status == "accepted"
    assert school_a.memberships.filter(user__email="paul.prof@ac-lyon.fr", role="MEMBER").exists()


def test_a_member_cannot_reach_admin_only_pages(page: Page, live_server, member_a, school_a):
    log_in(page, live_server.url, "marc.professeur@ac-lyon.fr")
    click_and_load(page, page.get_by_role("link", name="Équipe", exact=True))
    expect(page.get_by_role("heading", name="Équipe", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Inviter un membre")).to_have_count(0)
    response = page.goto(f"{live_server.url}/orga/{school_a.pk}/equipe/inviter/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Accès refusé")).to_be_visible()


def test_a_user_of_another_school_gets_a_404_on_the_team_page(page: Page, live_server, admin_b, school_a, admin_a):
    log_in(page, live_server.url, "bruno.principal@ac-lyon.fr")
    expect(page.get_by_test_id("current-organization")).to_have_text("Collège Jean Jaurès")
    response = page.goto(f"{live_server.url}/orga/{school_a.pk}/equipe/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page introuvable")).to_be_visible()
    expect(page.get_by_text("Anne")).to_have_count(0)


def test_password_reset_by_email(page: Page, live_server, admin_a):
    page.goto(f"{live_server.url}/connexion/")
    # The login page has an « Adresse e-mail ou identifiant » field too: fill the field of the next page.
    click_and_load(page, page.get_by_role("link", name="Mot de passe oublié ?"))
    page.get_by_label("Adresse e-mail").fill("anne.directrice@ac-lyon.fr")
    page.get_by_role("button", name="Recevoir le lien").click()
    expect(page.get_by_role("heading", name="Vérifiez votre boîte e-mail")).to_be_visible()

    [message] = wait_until(lambda: emails_to("anne.directrice@ac-lyon.fr"), timeout=MAIL_TIMEOUT)
    link = re.sub(r"^https?://[^/]+", live_server.url, first_link(message))
    page.goto(link)
    page.get_by_label("Nouveau mot de passe", exact=True).fill("Rentree2026x")
    page.get_by_label("Confirmation du nouveau mot de passe").fill("Rentree2026x")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name="Mot de passe modifié")).to_be_visible()

    log_in(page, live_server.url, "anne.directrice@ac-lyon.fr", "Rentree2026x")
    expect(page.get_by_test_id("current-organization")).to_have_text("Lycée Victor Hugo")


def test_a_student_signs_up_without_email_and_reads_their_username(page: Page, live_server):
    page.goto(f"{live_server.url}/inscription/")
    page.get_by_label("Prénom").fill("Inès")
    page.get_by_label("Nom", exact=True).fill("N'Diaye")
    page.get_by_label("Date de naissance").fill("2011-02-09")
    page.get_by_label("Mot de passe").fill("Cartable2026")
    page.get_by_label("J'accepte les conditions").check()
    page.get_by_role("button", name="Je m'inscris").click()
    expect(page.get_by_role("status")).to_contain_text("Votre identifiant de connexion est : ines.ndiaye0902")
    page.goto(f"{live_server.url}/mon-compte/")
    expect(page.get_by_test_id("username")).to_have_text("ines.ndiaye0902")


def test_an_admin_changes_a_role_in_place_through_htmx(page: Page, live_server, admin_a, member_a, school_a):
    log_in(page, live_server.url, "anne.directrice@ac-lyon.fr")
    # Loaded, htmx included, before marking the window: a mark left on the page being left proves nothing.
    click_and_load(page, page.get_by_role("link", name="Équipe", exact=True))
    page.evaluate("window.__notReloaded = true")
    row = page.get_by_test_id("member-row").filter(has_text="Marc")
    row.get_by_label("Rôle de Marc Professeur").select_option("ADMIN")
    row.get_by_role("button", name="Modifier").click()
    expect(page.get_by_text("Marc Professeur est maintenant administrateur.")).to_be_visible()
    assert page.evaluate("window.__notReloaded") is True  # the row was swapped, the page was not reloaded
    assert member_a.memberships.get().role == "ADMIN"

    own_row = page.get_by_test_id("member-row").filter(has_text="Anne")
    own_row.get_by_label("Rôle de Anne Directrice").select_option("MEMBER")
    own_row.get_by_role("button", name="Modifier").click()
    expect(page.get_by_text("Anne Directrice est maintenant membre.")).to_be_visible()


def test_a_user_of_two_schools_switches_organization(page: Page, live_server, admin_a, school_a, school_b):
    from accounts.models import Membership

    Membership.objects.create(user=admin_a, organization=school_b, role=Membership.Role.MEMBER)
    log_in(page, live_server.url, "anne.directrice@ac-lyon.fr")
    expect(page.get_by_test_id("current-organization")).to_have_text("Collège Jean Jaurès")
    page.get_by_test_id("current-organization").click()
    page.get_by_role("navigation", name="Changer d'organisation").get_by_role("link", name="Lycée Victor Hugo").click()
    expect(page.get_by_test_id("current-organization")).to_have_text("Lycée Victor Hugo")
    expect(page.get_by_role("heading", name="Lycée Victor Hugo")).to_be_visible()
