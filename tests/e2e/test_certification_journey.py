"""The end of the school year: a certification session from planning to the verified certificate."""

import csv
import datetime
import io

import pytest
from playwright.sync_api import Page, expect

from certification.demo import demo_positioning_create
from certification.models import CertificationCourse, CertificationSession
from crcn.services import content_load
from tests.e2e.steps import answer_current_question, click_and_load, log_in
from tests.students.factories import OrganizationLearnerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_school_certifies_a_class_and_anyone_verifies_the_certificate(
    page: Page, new_context, live_server, admin_a, school_a, student
):
    content_load()
    learner = OrganizationLearnerFactory(
        organization=school_a,
        first_name="Léa",
        last_name="Martin",
        division="Tle 2",
        birthdate=datetime.date(2008, 3, 14),
    )
    learner.user = student
    learner.save()
    OrganizationLearnerFactory(organization=school_a, first_name="Tom", last_name="Absent", division="Tle 2")
    demo_positioning_create(student)  # six competences at level 2: certifiable

    # The head of school opens Pix Certif, plans a session and enrols the class.
    log_in(page, live_server.url, "anne.directrice@ac-lyon.fr")
    page.get_by_role("navigation", name="Menu de l'organisation").get_by_role("link", name="Certification").click()
    page.get_by_role("button", name="Ouvrir l'espace Pix Certif de l'établissement").click()
    page.get_by_role("link", name="Créer une session").click()
    page.get_by_label("Nom du site").fill("Lycée Victor Hugo")
    page.get_by_label("Nom de la salle").fill("B12")
    page.get_by_label("Surveillant(s)").fill("M. Dupont")
    page.get_by_label("Date de la session").fill((datetime.date.today() + datetime.timedelta(days=1)).isoformat())
    page.get_by_label("Heure de début (heure locale)").fill("09:00")
    page.get_by_role("button", name="Créer la session").click()
    expect(page.get_by_test_id("session-status")).to_have_text("Créée")
    session = CertificationSession.objects.get(room="B12")  # read once the page says it exists
    page.get_by_role("link", name="Inscrire des élèves").click()
    page.get_by_label("Classe").select_option("Tle 2")
    page.get_by_role("button", name="Afficher les élèves").click()
    page.get_by_label("Inscrire Léa Martin").check()
    page.get_by_role("button", name="Inscrire les élèves cochés").click()
    expect(page.get_by_text("1 candidat inscrit.")).to_be_visible()
    expect(page.get_by_test_id("candidates")).to_contain_text("Martin")
    sheet_url = page.get_by_role("link", name="Feuille d'émargement (PDF)").get_attribute("href")
    sheet = page.context.request.get(live_server.url + sheet_url)
    assert sheet.ok and sheet.headers["content-type"] == "application/pdf" and sheet.body().startswith(b"%PDF")
    access_code = page.get_by_test_id("access-code").inner_text()
    password = page.get_by_test_id("invigilator-password").inner_text()

    # The student enters and waits; the invigilator, without an account, lets her start.
    learner_context = new_context()
    learner_page = learner_context.new_page()
    log_in(learner_page, live_server.url, "lea.martin1403")
    learner_page.goto(f"{live_server.url}/certification/")
    learner_page.get_by_label("Numéro de session").fill(str(session.pk))
    learner_page.get_by_label("Prénom").fill("Léa")
    learner_page.get_by_label("Nom de naissance").fill("MARTIN")
    learner_page.get_by_label("Date de naissance").fill("2008-03-14")
    learner_page.get_by_role("button", name="Continuer").click()
    learner_page.get_by_label("Code d'accès à la session").fill(access_code.lower())
    learner_page.get_by_role("button", name="Commencer mon test").click()
    expect(learner_page.get_by_test_id("waiting")).to_be_visible()

    invigilator = new_context().new_page()
    invigilator.goto(f"{live_server.url}/surveillance/")
    invigilator.get_by_label("Numéro de session").fill(str(session.pk))
    invigilator.get_by_label("Mot de passe de la session").fill(password)
    invigilator.get_by_role("button", name="Surveiller la session").click()
    # The candidates' table refreshes itself every 5 s, the waiting screen every 3 s: each wait below is on
    # what the other side's action shows, which the next refresh brings (well within the ceiling).
    row = invigilator.get_by_test_id(f"candidate-{session.candidates.get().pk}")
    expect(row.get_by_test_id("candidate-state")).to_have_text("En attente d'autorisation")
    click_and_load(invigilator, row.get_by_role("button", name="Autoriser", exact=True))

    # The waiting screen opens the test by itself; no correction is shown; the timer runs.
    expect(learner_page.get_by_test_id("question-number")).to_contain_text("Question 1 sur")
    expect(learner_page.get_by_test_id("certification-timer")).to_contain_text("Temps restant")
    course = CertificationCourse.objects.get(session=session)
    total = course.challenges.count()
    assert total >= 6  # at least one question in each of the six positioned competences
    for _ in range(3):
        answer_current_question(learner_page, right=True)

    # An incident report being written is not wiped by the table's refresh: refreshes wait until it is sent.
    invigilator.evaluate(
        "document.addEventListener('htmx:beforeRequest', e => {"
        " if (e.detail.elt.id === 'invigilated-candidates') setTimeout(() => {"
        " if (e.defaultPrevented) document.body.dataset.refreshHeld = 'yes'; }); })"
    )
    row.get_by_text("Signaler un incident").click()
    row.get_by_label("Description").fill("Écran figé quelques secondes.")
    expect(invigilator.locator("body")).to_have_attribute("data-refresh-held", "yes")
    expect(row.get_by_label("Description")).to_have_value("Écran figé quelques secondes.")
    click_and_load(invigilator, row.get_by_role("button", name="Enregistrer le signalement"))

    # She closes the browser: to resume, she enters again and the invigilator authorises again.
    learner_context.close()
    learner_page = new_context().new_page()
    log_in(learner_page, live_server.url, "lea.martin1403")
    learner_page.goto(f"{live_server.url}/certification/test/{course.pk}/")
    learner_page.get_by_label("Code d'accès à la session").fill(access_code)
    learner_page.get_by_role("button", name="Commencer mon test").click()
    expect(learner_page.get_by_test_id("waiting")).to_be_visible()
    click_and_load(invigilator, row.get_by_role("button", name="Autoriser à reprendre"))
    expect(learner_page.get_by_test_id("question-number")).to_contain_text("Question 4 sur")
    for _ in range(total - 3):
        answer_current_question(learner_page, right=True)
    expect(learner_page.get_by_role("heading", name="Votre test de certification est terminé")).to_be_visible()
    expect(row.get_by_test_id("candidate-state")).to_contain_text("Test terminé")

    # After the session: finalisation with an incident, then publication.
    page.get_by_role("link", name="Finaliser la session").click()
    page.get_by_text("Ajouter un signalement pour ce candidat").click()
    page.get_by_label("Catégorie du signalement").select_option(label="Problème technique non bloquant")
    page.get_by_label("Description du signalement").fill("Le poste a redémarré une fois.")
    page.get_by_label("Un ou plusieurs incidents ont eu lieu pendant la session").check()
    page.get_by_test_id("finalize-button").click()
    expect(page.get_by_test_id("session-status")).to_have_text("Finalisée")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Publier les résultats").click()
    expect(page.get_by_test_id("session-status")).to_have_text("Résultats publiés")
    course.refresh_from_db()
    assert course.status == "validated" and course.pix_score > 0 and course.issue_reports.count() == 2

    # The student downloads the attestation; anyone checks the code on the public page.
    learner_page.goto(f"{live_server.url}/mes-certifications/")
    with learner_page.expect_download() as download:
        learner_page.get_by_role("link", name="Télécharger mon attestation").click()
    assert download.value.suggested_filename.startswith("attestation-pix-")
    learner_page.get_by_role("link", name="Voir le détail").click()
    expect(learner_page.get_by_test_id("verification-code")).to_have_text(course.verification_code)
    public = new_context().new_page()
    public.goto(f"{live_server.url}/verifier-une-certification/")
    public.get_by_label("Code de vérification").fill(course.verification_code)
    public.get_by_role("button", name="Vérifier").click()
    expect(public.get_by_test_id("verified-certificate")).to_contain_text("Léa Martin")
    expect(public.get_by_test_id("verified-certificate")).to_contain_text(f"{course.pix_score} pix")

    # The school downloads the class results.
    page.goto(f"{live_server.url}/orga/{school_a.pk}/certification/")
    page.get_by_label("Classe").select_option("Tle 2")
    page.get_by_role("button", name="Afficher").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter les résultats de la classe (CSV)").click()
    assert download.value.suggested_filename.endswith("_resultats_Tle_2.csv")
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0][:8] == [
        "Numéro de certification",
        "Prénom",
        "Nom",
        "Date de naissance",
        "Lieu de naissance",
        "Identifiant Externe",
        "Statut",
        "Nombre de Pix",
    ]
    assert rows[1][1:3] == ["Léa", "Martin"] and rows[1][6] == "Validée" and rows[1][7] == str(course.pix_score)
