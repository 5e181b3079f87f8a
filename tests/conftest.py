"""Personas (two schools), the real Celery worker, and Chromium for Playwright."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.cache import cache
from playwright.sync_api import expect

from accounts.models import Membership
from tests.accounts.factories import PASSWORD, MembershipFactory, OrganizationFactory, StudentUserFactory

# Playwright's sync API runs an event loop in the test thread; Django ORM calls from tests are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _clean_cache_and_mails(settings):
    """Throttle counters live in the cache (Redis db 1, never the broker's db): reset per test.

    pytest-django swaps the e-mail backend for an in-memory one; e-mails sent by the Celery worker
    could not be seen there, so every process writes them to the same folder instead.
    """
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    cache.clear()
    mail_dir = Path(settings.EMAIL_FILE_PATH)
    for path in mail_dir.glob("*.log"):
        path.unlink()
    yield


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def school_a():
    return OrganizationFactory(name="Lycée Victor Hugo", external_id="0691234A", email="ce.0691234a@ac-lyon.fr")


@pytest.fixture
def school_b():
    return OrganizationFactory(name="Collège Jean Jaurès", external_id="0695678B", email="ce.0695678b@ac-lyon.fr")


@pytest.fixture
def admin_a(school_a):
    return MembershipFactory(
        organization=school_a,
        role=Membership.Role.ADMIN,
        user__first_name="Anne",
        user__last_name="Directrice",
        user__email="anne.directrice@ac-lyon.fr",
    ).user


@pytest.fixture
def member_a(school_a):
    return MembershipFactory(
        organization=school_a,
        role=Membership.Role.MEMBER,
        user__first_name="Marc",
        user__last_name="Professeur",
        user__email="marc.professeur@ac-lyon.fr",
    ).user


@pytest.fixture
def admin_b(school_b):
    return MembershipFactory(
        organization=school_b,
        role=Membership.Role.ADMIN,
        user__first_name="Bruno",
        user__last_name="Principal",
        user__email="bruno.principal@ac-lyon.fr",
    ).user


@pytest.fixture
def student():
    return StudentUserFactory(first_name="Léa", last_name="Martin", username="lea.martin1403")


# --- the real Celery worker -------------------------------------------------------------------------


def _database_url(db: dict) -> str:
    auth = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    if db["HOST"].startswith("/"):
        return f"postgresql://{auth}@/{db['NAME']}?host={db['HOST']}"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgresql://{auth}@{db['HOST']}{port}/{db['NAME']}"


def start_worker(*, queue: str | None = None) -> subprocess.Popen:
    """A real `celery worker` process on the real broker, reading the test database."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(settings.DATABASES["default"]),
        "DJANGO_SETTINGS_MODULE": "pixorga.settings.test",
        "PIXORGA_TEST_MAIL_DIR": settings.EMAIL_FILE_PATH,
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "pixorga",
        "worker",
        "--concurrency",
        "1",
        "--without-mingle",
        "--without-gossip",
        "--loglevel",
        "WARNING",
    ]
    if queue:
        command += ["--queues", queue, "--hostname", f"{queue}@%h"]
    return subprocess.Popen(command, cwd=BASE_DIR, env=env, start_new_session=True)


def stop_worker(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """The shared worker. Tests that use it need ``django_db(transaction=True)`` so it sees their rows."""
    from pixorga.tasks import ping

    process = start_worker()
    try:
        assert ping.delay("prêt").get(timeout=60) == "prêt"
        yield process
    finally:
        stop_worker(process)


def wait_until(condition, timeout: float = 20.0, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError("la condition attendue n'est pas arrivée à temps")


# --- Chromium for Playwright -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR", "timezone_id": "Europe/Paris"}


# A ceiling, not a wait: every Playwright wait of the journeys ends as soon as the page reaches the awaited
# state, and this only decides how long a broken page takes to fail. Playwright's 5 s default is too close to
# what a correct page needs on a loaded 2-core machine (Argon2 hashes, the Celery worker, Chromium and the
# live server share the CPUs); the polling pages (every 3, 5 or 10 s) fit several rounds inside 30 s.
BROWSER_TIMEOUT_MS = 30_000


@pytest.fixture
def new_context(new_context):
    """pytest-playwright's ``new_context`` (behind ``context`` and ``page``), with the ceiling above.

    Tests that need a second browser (a learner and an invigilator) take this fixture rather than
    ``browser.new_context()``: same ceilings, and the context is closed after the test.
    """
    expect.set_options(timeout=BROWSER_TIMEOUT_MS)

    def _new_context(**kwargs):
        context = new_context(**kwargs)
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        context.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
        return context

    return _new_context
