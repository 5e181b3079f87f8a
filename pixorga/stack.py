"""`make run`: migrate, load the demo, then run a Celery worker and the web server until Ctrl-C.

Started by ``python -m pixorga.embedded --data-dir var -- python -m pixorga.stack`` so that both URLs
are in the environment; the worker and the web server read them like any deployment would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

PYTHON = sys.executable
ADDRESS = os.environ.get("PIXORGA_ADDRESS", "127.0.0.1:8000")


def _manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], check=True)


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pixorga.settings.dev")
    _manage("migrate", "--noinput", "-v", "0")
    for extra in ("load_content",):
        # Later issues add commands (learning content…); run each one that exists.
        result = subprocess.run([PYTHON, "manage.py", "help", extra], capture_output=True)
        if result.returncode == 0:
            _manage(extra)
    _manage("load_demo")
    worker = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "pixorga",
            "worker",
            "--beat",
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
            "--schedule",
            "var/celerybeat-schedule",
        ],
        start_new_session=True,
    )
    web = subprocess.Popen([PYTHON, "manage.py", "runserver", ADDRESS, "--noreload"], start_new_session=True)
    print(f"\nPix Orga tourne sur http://{ADDRESS}/ — Ctrl-C pour arrêter.\n", flush=True)
    processes = [worker, web]
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt)
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        return 1
    except KeyboardInterrupt:
        print("\nArrêt du serveur web et du worker…", flush=True)
        return 0
    finally:
        _stop(processes)


if __name__ == "__main__":
    sys.exit(main())
