"""A student trains alone on a competence from "Mon profil" and sees pix appear."""

import re

import pytest
from playwright.sync_api import Page, expect

from crcn.services import content_load
from tests.e2e.steps import answer_current_question, click_and_load, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_student_trains_on_a_competence_and_gains_pix(page: Page, live_server, student):
    content_load()
    log_in(page, live_server.url, "lea.martin1403")
    expect(page.get_by_role("heading", name="Mon profil")).to_be_visible()
    expect(page.get_by_test_id("competence-card")).to_have_count(16)
    card = page.locator('[data-testid=competence-card][data-code="1.2"]')
    click_and_load(page, card.get_by_role("button", name="Commencer"))
    for _ in range(3):
        answer_current_question(page, right=True)  # returns once the next page is there: nothing cut short
    page.goto(f"{live_server.url}/mon-profil/")
    expect(card.get_by_role("button", name="Reprendre")).to_be_visible()
    expect(page.get_by_test_id("pix-score")).to_have_text(re.compile(r"^\s*[1-9]\d*\s*$"))
    card.get_by_role("button", name="Reprendre").click()
    expect(page.get_by_test_id("question-number")).to_contain_text("Question 4")
