"""Browser steps shared by the journeys, each returning once the page shows its outcome.

A step waits for something the page does (another page loaded, an element in a given state), never for
a fixed time: on a loaded machine it takes longer, it does not fail. How long a broken page may take to
fail is set once, in ``tests/conftest.py`` (``BROWSER_TIMEOUT_MS``).
"""

from playwright.sync_api import Locator, Page, expect

from crcn.models import Challenge
from tests.accounts.factories import PASSWORD

# What a teacher waits for in the e-mails the Celery worker sends (seconds): a ceiling, like the browser's.
MAIL_TIMEOUT = 60.0


def click_and_load(page: Page, target: Locator) -> None:
    """Click a link or a form button that loads another page, and return once that page has loaded.

    Needed when the next step could still act on the page being left: an element both pages have (the
    question form, « Se déconnecter »), a ``page.goto`` that would cancel the request in flight, a database
    read of what the request writes, or an htmx control (htmx, a deferred script, starts with the page).
    A form sent again to the same address (a question after a question) is a new page too.
    """
    with page.expect_navigation():
        target.click()


def log_in(page: Page, base: str, login: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/connexion/")
    page.get_by_label("Adresse e-mail ou identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(password)
    click_and_load(page, page.get_by_role("button", name="Je me connecte"))
    expect(page.get_by_role("button", name="Je me connecte"), "la connexion a échoué").to_have_count(0)


def log_out(page: Page) -> None:
    click_and_load(page, page.get_by_role("button", name="Se déconnecter"))
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)


def answer_current_question(page: Page, *, right: bool) -> None:
    """Answer the question on screen (campaign, training or certification) and wait for the next page."""
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
    click_and_load(page, page.get_by_role("button", name="Je valide"))
