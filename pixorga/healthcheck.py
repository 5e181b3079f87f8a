"""Health checks of the containers (docker-compose.yml): ``python -m pixorga.healthcheck web|beat``.

Kept free of Django's setup so that a check every 30 s costs almost nothing. ``web`` asks the site's own
``/api/health/`` (database and broker) as the HTTPS proxy would, with an allowed host name; ``beat`` checks
that the scheduler still writes its schedule (celery beat saves it at least every few minutes).
"""

from __future__ import annotations

import http.client
import os
import sys
import time
from pathlib import Path

from pixorga.env import WILDCARD_HOSTS, served_address

BEAT_SCHEDULE = Path(os.environ.get("CELERY_BEAT_SCHEDULE_FILE", "/app/var/beat/celerybeat-schedule"))
BEAT_SILENT_FOR = 10 * 60  # seconds; beat wakes at least every 5 minutes


def web_is_healthy() -> bool:
    """``/api/health/`` answers 200 where gunicorn serves (``PIXORGA_ADDRESS``; loopback for every interface)."""
    bound, port = served_address()
    hosts = [host for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost").split(",") if host.strip()]
    host = hosts[0].strip().lstrip(".") if hosts else "localhost"
    connection = http.client.HTTPConnection("127.0.0.1" if bound in WILDCARD_HOSTS else bound, port, timeout=5)
    try:
        connection.request("GET", "/api/health/", headers={"Host": host, "X-Forwarded-Proto": "https"})
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def beat_is_healthy() -> bool:
    candidates = [BEAT_SCHEDULE, *BEAT_SCHEDULE.parent.glob(BEAT_SCHEDULE.name + "*")]
    written = [path.stat().st_mtime for path in candidates if path.exists()]
    return bool(written) and time.time() - max(written) < BEAT_SILENT_FOR


def main(argv: list[str]) -> int:
    checks = {"web": web_is_healthy, "beat": beat_is_healthy}
    if len(argv) != 1 or argv[0] not in checks:
        print("usage : python -m pixorga.healthcheck web|beat", file=sys.stderr)
        return 2
    return 0 if checks[argv[0]]() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
