"""Platform guarantees: real worker round trip, e-mails sent by the worker, production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from accounts import services
from pixorga.tasks import ping
from tests.conftest import wait_until
from tests.mail import emails_to, first_link

BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_task_makes_the_round_trip_through_the_real_worker(celery_worker_process):
    assert ping.delay("aller-retour").get(timeout=30) == "aller-retour"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_invitation_email_after_commit(celery_worker_process, school_a, admin_a):
    [invitation] = services.invitations_send(
        organization=school_a, invited_by=admin_a, emails="paul@ac-lyon.fr", role="MEMBER"
    )
    [message] = wait_until(lambda: emails_to("paul@ac-lyon.fr"))
    assert "Lycée Victor Hugo" in message["Subject"]
    assert first_link(message).endswith(f"/invitations/{invitation.pk}/?code={invitation.code}")


def test_passwords_are_hashed_with_argon2():
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_tasks_are_acknowledged_late_and_never_run_eagerly():
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False)


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **{key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "pixorga.settings.prod",
        "DJANGO_SECRET_KEY": "x" * 20 + "-production-secret-key-with-enough-entropy-9f8e7d6c5b4a",
        "DJANGO_ALLOWED_HOSTS": "pix-orga.example.fr",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://pix-orga.example.fr",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["nom=%00", "createur=Anne%00", "statut=archivees&nom=a%00b"])
def test_a_nul_character_in_a_pages_address_is_a_400_not_a_server_error(client, admin_a, school_a, query):
    client.force_login(admin_a)
    response = client.get(f"/orga/{school_a.pk}/campagnes/?{query}")
    assert response.status_code == 400
    assert "Requête invalide" in response.content.decode()


@pytest.mark.django_db
def test_a_nul_character_in_a_public_pages_filter_is_a_400(client):
    assert client.get("/parcours/?categorie=%00").status_code == 400
    assert client.get("/parcours/?categorie=rentree").status_code == 200
