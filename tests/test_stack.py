"""`make run` as a school's first day meets it: the production server, links to the served address, a clean stop.

The stack is started for real (embedded PostgreSQL and Redis, migrations, content, demo, Celery worker,
gunicorn) exactly as the Makefile does, in its own process group like a terminal or systemd would, then
stopped by a signal sent to the whole group.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

from pixorga.env import hosts_for_address, site_url_for_address
from pixorga.stack import make_run_command

BASE_DIR = Path(__file__).resolve().parent.parent
STARTED_WITHIN = 240  # seconds: a first start migrates an empty database and loads the whole content
STOPPED_WITHIN = 60
# What the test run exports for itself; the stack must start its own services, as `make run` does.
TEST_ONLY_VARIABLES = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "PIXORGA_DATA_DIR", "SITE_URL")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, path: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Host": f"127.0.0.1:{port}"})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


class RunningStack:
    def __init__(self, data_dir: Path, port: int, log: Path):
        self.data_dir, self.port, self.log = data_dir, port, log
        env = {key: value for key, value in os.environ.items() if key not in TEST_ONLY_VARIABLES}
        env["PIXORGA_ADDRESS"] = f"127.0.0.1:{port}"
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                make_run_command(data_dir),
                cwd=BASE_DIR,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_served(self) -> None:
        deadline = time.monotonic() + STARTED_WITHIN
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output()[-3000:]
            if "Pix Orga tourne sur" in self.output():
                return
            time.sleep(0.5)
        pytest.fail("la pile n'a pas démarré :\n" + self.output()[-3000:])

    def every_process(self) -> list[psutil.Process]:
        """The launcher, all its descendants, and PostgreSQL (pg_ctl detaches it from our tree)."""
        launcher = psutil.Process(self.process.pid)
        processes = [launcher, *launcher.children(recursive=True)]
        postmaster_pid = int((self.data_dir / "pg" / "postmaster.pid").read_text().split()[0])
        postmaster = psutil.Process(postmaster_pid)
        return [*processes, postmaster, *postmaster.children(recursive=True)]

    def stop_with(self, signum: int) -> int:
        os.killpg(self.process.pid, signum)
        try:
            return self.process.wait(timeout=STOPPED_WITHIN)
        except subprocess.TimeoutExpired:
            pytest.fail("la pile ne s'est pas arrêtée :\n" + self.output()[-3000:])


@pytest.fixture
def stack_dir():
    """A data folder outside pytest's tmp_path, which PostgreSQL's own user (pgserver, as root) must traverse."""
    folder = Path(tempfile.mkdtemp(prefix="pixorga-stack-"))
    yield folder
    # Whatever happened, leave nothing running for the next tests.
    for process in psutil.process_iter(["cmdline"]):
        if any(str(folder) in part for part in process.info["cmdline"] or []):
            process.kill()
    shutil.rmtree(folder, ignore_errors=True)


def _assert_production_shape(port: int, stack: RunningStack) -> None:
    names = " ".join(" ".join(p.cmdline()) for p in stack.every_process())
    assert "gunicorn" in names and "runserver" not in names
    missing = _get(port, "/cette-page-n-existe-pas/")
    assert missing.status == 404 and b"Traceback" not in missing.body and b"URLconf" not in missing.body
    stylesheet = _get(port, "/static/css/app.css")
    assert stylesheet.status == 200
    assert "max-age" in (stylesheet.getheader("Cache-Control") or "")  # WhiteNoise, not Django's debug view
    login = _get(port, "/connexion/")
    assert login.status == 200


def test_make_run_stops_cleanly_on_sigterm_then_on_ctrl_c_and_starts_again(stack_dir, tmp_path):
    port = _free_port()

    first = RunningStack(stack_dir, port, tmp_path / "first.log")
    first.wait_until_served()
    _assert_production_shape(port, first)
    assert f"Pix Orga tourne sur http://127.0.0.1:{port}/" in first.output()
    processes = first.every_process()
    assert len(processes) >= 6  # launcher, Redis, stack, gunicorn + workers, Celery, PostgreSQL
    assert first.stop_with(signal.SIGTERM) == 0
    _gone, alive = psutil.wait_procs(processes, timeout=15)
    assert alive == [], f"encore en vie après SIGTERM : {[p.cmdline() for p in alive]}"

    second = RunningStack(stack_dir, port, tmp_path / "second.log")  # same folder and port: nothing holds them
    second.wait_until_served()
    assert _get(port, "/api/health/").status == 200
    processes = second.every_process()
    assert second.stop_with(signal.SIGINT) == 0
    _gone, alive = psutil.wait_procs(processes, timeout=15)
    assert alive == [], f"encore en vie après Ctrl-C : {[p.cmdline() for p in alive]}"

    for run in (first, second):
        assert "Traceback" not in run.output()
        assert "Arrêt du serveur web et du worker" in run.output()


def test_links_follow_the_served_address():
    assert site_url_for_address("192.168.1.20", 8000) == "http://192.168.1.20:8000"
    assert site_url_for_address("pix.lycee-demo.fr", 80) == "http://pix.lycee-demo.fr"
    assert site_url_for_address("0.0.0.0", 8000) == f"http://{socket.getfqdn()}:8000"  # noqa: S104
    assert "192.168.1.20" in hosts_for_address("192.168.1.20")
    assert {"127.0.0.1", "localhost"} <= set(hosts_for_address("0.0.0.0"))  # noqa: S104


@pytest.mark.parametrize(
    ("variables", "site_url"),
    [
        ({"PIXORGA_ADDRESS": "10.0.0.5:9000"}, "http://10.0.0.5:9000"),
        ({"PIXORGA_ADDRESS": "10.0.0.5:9000", "SITE_URL": "https://pix.lycee-demo.fr/"}, "https://pix.lycee-demo.fr"),
        ({}, "http://127.0.0.1:8000"),
    ],
)
def test_the_settings_derive_site_url_from_pixorga_address_unless_it_is_set(variables, site_url):
    env = {key: value for key, value in os.environ.items() if key not in ("SITE_URL", "PIXORGA_ADDRESS")}
    env.update(variables, DJANGO_SETTINGS_MODULE="pixorga.settings.dev")
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SITE_URL)"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == site_url


def test_a_malformed_pixorga_address_is_refused_at_start_up():
    env = {**os.environ, "PIXORGA_ADDRESS": "127.0.0.1:huit-mille", "DJANGO_SETTINGS_MODULE": "pixorga.settings.dev"}
    env.pop("SITE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; settings.SITE_URL"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "PIXORGA_ADDRESS doit être de la forme hôte:port" in result.stderr
