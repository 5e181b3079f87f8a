"""docker compose is a real deployment: content loaded, demo data only when asked, secrets only in .env.

Docker is not on our machines: the file's rules are read with PyYAML, and the migrate service's own command
is run on an empty PostgreSQL database.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.management.commands.load_demo import DEMO_REFUSED

BASE_DIR = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("migrate", "web", "worker", "beat")
LONG_RUNNING = ("web", "worker", "beat")
SECRET_NAMES = re.compile(r"SECRET|PASSWORD|TOKEN", re.IGNORECASE)


def _command_text(service: dict) -> str:
    command = service.get("command", "")
    return command if isinstance(command, str) else " ".join(command)


def _environment_values(service: dict) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {key: str(value) for key, value in environment.items()}


def test_the_compose_file_names_no_secret_they_come_from_the_env_file():
    for name, service in SERVICES.items():
        for key, value in _environment_values(service).items():
            if SECRET_NAMES.search(key) or ("://" in value and "@" in value):
                assert re.fullmatch(r".*\$\{[A-Z_]+:\?[^}]*\}.*", value), f"{name}.{key} = {value!r}"
    for name in APP_SERVICES:
        assert SERVICES[name]["env_file"] == [{"path": ".env", "required": True}]
    example = (BASE_DIR / ".env.example").read_text()
    assert re.search(r"^DJANGO_SECRET_KEY=$", example, re.MULTILINE)
    assert re.search(r"^POSTGRES_PASSWORD=$", example, re.MULTILINE)
    assert ".env" in (BASE_DIR / ".gitignore").read_text().split()
    assert ".env" in (BASE_DIR / ".dockerignore").read_text().split()


def test_migrations_load_the_content_and_never_the_demo():
    command = _command_text(SERVICES["migrate"])
    assert "migrate --noinput" in command and "load_content" in command
    assert "load_demo" not in command


def test_demo_data_and_the_mail_catcher_exist_only_in_the_demo_profile():
    for name, service in SERVICES.items():
        if "load_demo" in _command_text(service) or name == "mailpit":
            assert service.get("profiles") == ["demo"], name
            continue
        assert "demo" not in service.get("profiles", []), name
    assert _environment_values(SERVICES["demo"])["PIXORGA_DEMO"] == "true"
    assert not any("PIXORGA_DEMO" in _environment_values(SERVICES[name]) for name in APP_SERVICES)


def test_long_running_services_have_a_healthcheck_and_restart():
    for name in (*LONG_RUNNING, "postgres", "redis"):
        assert SERVICES[name]["restart"] == "unless-stopped", name
        assert SERVICES[name]["healthcheck"]["test"], name
    assert SERVICES["web"]["healthcheck"]["test"] == ["CMD", "python", "-m", "pixorga.healthcheck", "web"]
    assert "gunicorn_conf" in _command_text(SERVICES["web"])


def test_https_proxy_and_backups_are_options_of_the_same_file():
    https = SERVICES["https"]
    assert https["profiles"] == ["https"] and "443:443" in https["ports"]
    assert (BASE_DIR / "deploy" / "Caddyfile").read_text().count("reverse_proxy web:8000") == 1
    backup = SERVICES["backup"]
    assert "pg_dump" in _command_text(backup) and "backups:/backups" in backup["volumes"]
    assert {"pgdata", "backups"} <= set(COMPOSE["volumes"])
    # The proxy is believed for X-Forwarded-For only from the project's own network.
    subnet = COMPOSE["networks"]["default"]["ipam"]["config"][0]["subnet"]
    assert _environment_values(SERVICES["web"])["PIXORGA_TRUSTED_PROXIES"] == subnet


@pytest.fixture
def empty_database():
    """A new, empty database on the test PostgreSQL server, dropped afterwards."""
    admin_url = os.environ["DATABASE_URL"]
    name = f"compose_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    head, _, query = admin_url.partition("?")
    url = head.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")
    yield url
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_migrate_service_command_gives_a_usable_site_with_no_demo_account(empty_database):
    argv = shlex.split(_command_text(SERVICES["migrate"]))
    assert argv[:2] == ["sh", "-c"]
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PIXORGA_"))},
        "DJANGO_SETTINGS_MODULE": "pixorga.settings.prod",
        "DJANGO_SECRET_KEY": uuid.uuid4().hex * 2,
        "DJANGO_ALLOWED_HOSTS": "pix.lycee-demo.fr",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://pix.lycee-demo.fr",
        "DATABASE_URL": empty_database,
    }
    script = argv[2].replace("python ", f"{shlex.quote(sys.executable)} ")
    result = subprocess.run(["sh", "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr

    with psycopg.connect(empty_database) as connection:
        count = lambda table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: E731, S608
        assert count("crcn_competence") == 16
        assert count("crcn_targetprofile") >= 30
        assert count("crcn_challenge") >= 700
        assert count("accounts_user") == 0  # no demo account, no known password
        assert count("accounts_organization") == 0


@pytest.mark.django_db
def test_load_demo_refuses_outside_a_demonstration(settings):
    settings.DEMO = False
    with pytest.raises(CommandError, match="PIXORGA_DEMO=true"):
        call_command("load_demo")
    assert DEMO_REFUSED.startswith("Les données de démonstration")


def test_make_run_is_a_demonstration_and_production_is_not(tmp_path):
    assert settings.DEMO is False  # the settings every deployment starts from
    from pixorga.stack import local_http_environment

    assert local_http_environment(tmp_path)["PIXORGA_DEMO"] == "true"


@pytest.mark.django_db(transaction=True)
def test_the_web_healthcheck_asks_the_sites_own_health_route(live_server, monkeypatch):
    from pixorga import healthcheck

    port = live_server.url.rsplit(":", 1)[1]
    monkeypatch.setenv("PIXORGA_ADDRESS", f"0.0.0.0:{port}")
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "localhost,pix.lycee-demo.fr")
    assert healthcheck.main(["web"]) == 0
    monkeypatch.setenv("PIXORGA_ADDRESS", "0.0.0.0:1")  # nothing listens there
    assert healthcheck.main(["web"]) == 1
    assert healthcheck.main(["nimportequoi"]) == 2


def test_the_beat_healthcheck_wants_a_schedule_written_recently(tmp_path, monkeypatch):
    from pixorga import healthcheck

    schedule = tmp_path / "celerybeat-schedule"
    monkeypatch.setattr(healthcheck, "BEAT_SCHEDULE", schedule)
    assert not healthcheck.beat_is_healthy()  # beat never wrote it
    schedule.write_bytes(b"")
    assert healthcheck.beat_is_healthy()
    old = time.time() - healthcheck.BEAT_SILENT_FOR - 60
    os.utime(schedule, (old, old))
    assert not healthcheck.beat_is_healthy()
