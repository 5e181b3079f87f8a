"""What teachers open Pix Orga for: activity by class, one participant, the analysis, the CSV export."""

import csv
import io

import pytest
from playwright.sync_api import Page, expect

from tests.campaigns.test_exports import campaign, participant  # noqa: F401 - shared fixtures
from tests.e2e.steps import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_teacher_reads_activity_analysis_and_exports(
    page: Page, live_server, celery_worker_process, member_a, campaign
):
    lea = participant(campaign, first="Léa", last="Martin", shared=True, validated=3)
    participant(campaign, first="Noé", last="Dupré", shared=False)
    other = participant(campaign, first="Zoé", last="Simon", shared=True, validated=1)
    other.organization_learner.division = "2NDE 5"
    other.organization_learner.save()

    log_in(page, live_server.url, "marc.professeur@ac-lyon.fr")
    page.goto(f"{live_server.url}/orga/{campaign.organization_id}/campagnes/{campaign.pk}/")
    expect(page.get_by_test_id("count-total")).to_have_text("3")
    expect(page.get_by_test_id("activity-chart")).to_be_visible()
    page.get_by_label("2NDE 5").check()
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_test_id("participant-row")).to_have_count(1)
    expect(page.get_by_test_id("participant-row")).to_contain_text("Simon")

    page.goto(f"{live_server.url}/orga/{campaign.organization_id}/campagnes/{campaign.pk}/?onglet=resultats")
    page.get_by_role("link", name="Martin").click()
    expect(page.get_by_test_id("participant-mastery")).to_have_text("75 %")
    assert lea.pk

    page.goto(f"{live_server.url}/orga/{campaign.organization_id}/campagnes/{campaign.pk}/?onglet=analyse")
    expect(page.get_by_test_id("competence-chart")).to_be_visible()
    row = page.get_by_test_id("tube-recommendation").first
    expect(row).to_contain_text("recommandé", ignore_case=True)
    expect(row.get_by_role("link", name="Tuto")).to_be_visible()

    page.get_by_role("button", name="Exporter les résultats (CSV)").click()
    expect(page.get_by_test_id("export-status")).to_have_attribute("data-status", "DONE")  # polled every 1 s
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le fichier CSV").click()
    with open(download.value.path(), encoding="utf-8-sig") as handle:
        content = handle.read()
    header, *rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert header[:4] == ["Nom de l'organisation", "ID Campagne", "Code", "Nom de la campagne"]
    assert len(rows) == 3 and download.value.suggested_filename.startswith("Resultats-")
