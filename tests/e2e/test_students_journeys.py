"""Browser journeys of the students area: SIECLE import, accounts and class sheet, student first login,
campaign code and reconciliation."""

import datetime

import pytest
from playwright.sync_api import Page, expect

from students.importers.samples import SampleStudent, fake_students, siecle_xml
from tests.accounts.factories import PASSWORD
from tests.e2e.steps import click_and_load, log_in, log_out
from tests.students.factories import CampaignFactory, OrganizationLearnerFactory
from tests.students.files import UAI, zipped

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

IMPORT_TIMEOUT_MS = 120_000


def test_an_admin_imports_a_siecle_zip_with_preview_and_filters_by_class(
    page: Page, live_server, celery_worker_process, admin_a, school_a, tmp_path
):
    students = fake_students(15_000, seed=11, divisions=20)
    students[0] = SampleStudent("1", "123456789AB", "Gwenaëlle", "Œuvray", division="2NDE 7")
    archive = tmp_path / "export-siecle.zip"
    archive.write_bytes(zipped({"ElevesSansAdresses.xml": siecle_xml(students, uaj=UAI)}))

    log_in(page, live_server.url, "anne.directrice@ac-lyon.fr")
    page.get_by_role("link", name="Élèves", exact=True).click()
    page.get_by_role("link", name="Importer la liste des élèves").click()
    page.get_by_label("Fichier", exact=True).set_input_files(str(archive))
    page.get_by_role("button", name="Envoyer le fichier").click()

    expect(page.get_by_role("progressbar", name="Avancement")).to_be_visible()
    # 15,000 students read, then written, by the worker: longer than any page, hence a longer ceiling.
    expect(page.get_by_test_id("import-preview")).to_contain_text("15000 nouveaux", timeout=IMPORT_TIMEOUT_MS)
    page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.get_by_test_id("import-summary")).to_contain_text("15000 élèves ajoutés", timeout=IMPORT_TIMEOUT_MS)

    # The class and search filters are htmx: act once the list page, htmx included, has loaded.
    click_and_load(page, page.get_by_role("link", name="Voir la liste des élèves"))
    expect(page.get_by_test_id("learner-count")).to_contain_text("15000 élèves")
    page.get_by_label("2NDE 7", exact=True).check()
    in_class = sum(1 for s in students if s.division == "2NDE 7")
    expect(page.get_by_test_id("learner-count")).to_contain_text(f"{in_class} élèves")
    page.get_by_label("Rechercher").fill("oeuvray gwenaelle")
    expect(page.get_by_test_id("learner-row")).to_have_count(1)
    expect(page.get_by_test_id("learner-row")).to_contain_text("Œuvray")


def test_a_teacher_creates_accounts_and_the_student_logs_in_changes_password_and_joins(
    page: Page, live_server, member_a, school_a
):
    lea = OrganizationLearnerFactory(
        organization=school_a,
        first_name="Léa",
        last_name="Martin",
        division="2NDE 3",
        birthdate=datetime.date(2010, 3, 14),
    )
    OrganizationLearnerFactory(organization=school_a, first_name="Noé", last_name="Dupré", division="2NDE 3")
    # Someone in another class, so that the filtered list differs from the full one: two rows then mean
    # that htmx has swapped the table in, and the boxes ticked next are not on a table about to go.
    OrganizationLearnerFactory(organization=school_a, first_name="Tom", last_name="Bernard", division="2NDE 4")
    campaign = CampaignFactory(organization=school_a, title="Parcours de rentrée 2nde")

    log_in(page, live_server.url, "marc.professeur@ac-lyon.fr")
    click_and_load(page, page.get_by_role("link", name="Élèves", exact=True))
    expect(page.get_by_test_id("learner-row")).to_have_count(3)
    page.get_by_label("2NDE 3", exact=True).check()
    expect(page.get_by_test_id("learner-row")).to_have_count(2)
    page.get_by_label("Sélectionner Léa Martin").check()
    page.get_by_label("Sélectionner Noé Dupré").check()
    page.get_by_role("button", name="Créer les comptes").click()
    expect(page.get_by_test_id("credential-row")).to_have_count(2)
    row = page.get_by_test_id("credential-row").filter(has_text="lea.martin1403")
    password = row.locator("code").nth(1).inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger la feuille à imprimer (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    log_out(page)

    log_in(page, live_server.url, "lea.martin1403", password)
    expect(page.get_by_role("heading", name="Choisissez votre mot de passe")).to_be_visible()
    page.get_by_label("Nouveau mot de passe", exact=True).fill("Cartable2026!")
    page.get_by_label("Confirmation du nouveau mot de passe").fill("Cartable2026!")
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(page.get_by_role("heading", name="Mon profil")).to_be_visible()
    page.goto(f"{live_server.url}/mon-compte/")
    expect(page.get_by_test_id("username")).to_have_text("lea.martin1403")

    page.goto(f"{live_server.url}/campagnes/")
    page.get_by_label("Code de la campagne").fill(campaign.code.lower())
    page.get_by_role("button", name="Accéder au parcours").click()
    expect(page.get_by_role("heading", name="Parcours de rentrée 2nde")).to_be_visible()
    expect(page.get_by_test_id("reconciled-as")).to_contain_text("Léa Martin, classe 2NDE 3")
    lea.refresh_from_db()
    assert lea.user.username == "lea.martin1403"


def test_a_student_with_their_own_account_reconciles_once(page: Page, live_server, school_a):
    OrganizationLearnerFactory(
        organization=school_a,
        first_name="Inès",
        last_name="N'Diaye",
        division="4E B",
        birthdate=datetime.date(2011, 2, 9),
    )
    campaign = CampaignFactory(organization=school_a, title="Parcours de rentrée 4e")
    page.goto(f"{live_server.url}/campagnes/{campaign.code}/")
    page.get_by_role("link", name="Créer un compte").click()
    page.get_by_label("Prénom").fill("Ines")
    page.get_by_label("Nom", exact=True).fill("Ndiaye")
    page.get_by_label("Date de naissance").fill("2011-02-09")
    page.get_by_label("Mot de passe").fill("Cartable2026!")
    page.get_by_label("J'accepte les conditions").check()
    page.get_by_role("button", name="Je m'inscris").click()

    expect(page.get_by_role("heading", name="Parcours de rentrée 4e")).to_be_visible()
    page.get_by_role("link", name="Je m'identifie").click()
    page.get_by_label("Date de naissance").fill("2011-02-10")
    page.get_by_role("button", name="C'est moi").click()
    expect(page.get_by_role("alert")).to_contain_text("Nous ne trouvons pas d'élève")
    page.get_by_label("Date de naissance").fill("2011-02-09")
    page.get_by_role("button", name="C'est moi").click()
    expect(page.get_by_test_id("reconciled-as")).to_contain_text("Inès N'Diaye, classe 4E B")


def test_an_unknown_code_gets_a_clear_message(page: Page, live_server):
    page.goto(f"{live_server.url}/campagnes/")
    page.get_by_label("Code de la campagne").fill("ZZZZZZ999")
    page.get_by_role("button", name="Accéder au parcours").click()
    expect(page.get_by_text("Ce code ne correspond à aucune campagne")).to_be_visible()


def test_a_password_field_is_what_it_says(page: Page, live_server, student):
    log_in(page, live_server.url, "lea.martin1403", PASSWORD)
    expect(page.get_by_role("heading", name="Mon profil")).to_be_visible()
    page.goto(f"{live_server.url}/mon-compte/")
    expect(page.get_by_test_id("username")).to_have_text("lea.martin1403")
