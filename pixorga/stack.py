"""`make run`: the production shape on the embedded services, with the demo data, until Ctrl-C or SIGTERM.

Started by ``python -m pixorga.embedded --data-dir var -- python -m pixorga.stack``, which exports
``DATABASE_URL``, ``REDIS_URL`` and ``PIXORGA_DATA_DIR``. It migrates, loads the content and the demo,
collects the static files, then runs a Celery worker (with beat) and gunicorn (pixorga/gunicorn_conf.py)
with the production settings; only what plain HTTP on this machine needs differs: no HTTPS redirect, no
HSTS, cookies without the secure flag, a secret key generated once in the data folder, e-mails printed
in this console, the host names of ``PIXORGA_ADDRESS``. Every variable already set wins.

Stopping (pixorga.lifecycle): the first SIGINT or SIGTERM stops the web server, then the worker, and the
stack exits 0; later signals do not interrupt that.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

from pixorga.env import hosts_for_address, served_address, site_url_for_address
from pixorga.healthcheck import web_is_healthy
from pixorga.lifecycle import StopRequest, start_child, stop_children

PYTHON = sys.executable
BASE_DIR = Path(__file__).resolve().parent.parent
STEPS = (
    ("migrate", "--noinput", "-v", "0"),
    ("load_content",),
    ("load_demo",),
    ("collectstatic", "--noinput", "-v", "0"),
)
READY_TIMEOUT = 60


def make_run_command(data_dir: Path) -> list[str]:
    """What the Makefile's ``run`` target runs, for the tests and benches that start the stack as it does."""
    return [PYTHON, "-m", "pixorga.embedded", "--data-dir", str(data_dir), "--", PYTHON, "-m", "pixorga.stack"]


class StackFailed(Exception):
    """A start-up step failed or a server stopped by itself: the stack stops with an error."""


def local_http_environment(data_dir: Path) -> dict[str, str]:
    """What the production settings need to serve plain HTTP on this machine (set variables win)."""
    host, port = served_address()
    hosts = hosts_for_address(host)
    return {
        "DJANGO_SECRET_KEY": _secret_key(data_dir),
        "DJANGO_ALLOWED_HOSTS": ",".join(hosts),
        "DJANGO_CSRF_TRUSTED_ORIGINS": ",".join(f"http://{name}:{port}" for name in hosts),
        "SITE_URL": site_url_for_address(host, port),
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DJANGO_INSECURE_COOKIES_FOR_LOCAL_HTTP": "true",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "PIXORGA_DEMO": "true",
        "MEDIA_ROOT": str(data_dir / "media"),
        "WEB_ACCESS_LOG": "",
    }


def _secret_key(data_dir: Path) -> str:
    """Generated on the first run and kept (sessions survive a restart); never a key known to anyone."""
    path = data_dir / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


def _run_step(args: tuple[str, ...], stop: StopRequest) -> None:
    step = start_child([PYTHON, "manage.py", *args], cwd=BASE_DIR)
    while step.poll() is None:
        if stop.wait(0.2):
            stop_children([step])
            return
    if step.returncode != 0:
        raise StackFailed(f"« manage.py {' '.join(args)} » a échoué (code {step.returncode}).")


def _wait_until_served(web: subprocess.Popen, stop: StopRequest) -> None:
    port = served_address()[1]
    deadline = time.monotonic() + READY_TIMEOUT
    while not web_is_healthy():
        if web.poll() is not None:
            raise StackFailed(
                f"Le serveur web s'est arrêté au démarrage (code {web.returncode}) : le port {port} est-il déjà pris ?"
            )
        if time.monotonic() > deadline:
            raise StackFailed(f"Le serveur web ne répond pas sur le port {port} après {READY_TIMEOUT} s.")
        if stop.wait(0.3):
            return


def serve(stop: StopRequest) -> int:
    data_dir = Path(os.environ.get("PIXORGA_DATA_DIR", BASE_DIR / "var"))
    # Always production's module (importing the pixorga package already defaulted it to dev's).
    os.environ["DJANGO_SETTINGS_MODULE"] = "pixorga.settings.prod"
    for name, value in local_http_environment(data_dir).items():
        os.environ.setdefault(name, value)
    for step in STEPS:
        if stop.requested:
            return 0
        _run_step(step, stop)
    if stop.requested:
        return 0
    servers = [
        start_child([PYTHON, "-m", "gunicorn", "-c", "python:pixorga.gunicorn_conf", "pixorga.wsgi:application"]),
        start_child(
            [
                PYTHON, "-m", "celery", "-A", "pixorga", "worker", "--beat", "--loglevel", "INFO",
                "--concurrency", "2", "--schedule", str(data_dir / "celerybeat-schedule"),
            ]
        ),
    ]  # fmt: skip
    try:
        _wait_until_served(servers[0], stop)
        if not stop.requested:
            print(f"\nPix Orga tourne sur {os.environ['SITE_URL']}/ — Ctrl-C pour arrêter.\n", flush=True)
        while not stop.wait(0.5):
            for server in servers:
                if server.poll() is not None:
                    raise StackFailed(f"« {' '.join(server.args[1:4])} » s'est arrêté (code {server.returncode}).")
        print("\nArrêt du serveur web et du worker…", flush=True)
        return 0
    finally:
        stop_children(servers)


def main() -> int:
    stop = StopRequest().install()
    try:
        return serve(stop)
    except StackFailed as failure:
        print(f"\nPix Orga s'arrête : {failure}", file=sys.stderr, flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
