"""gunicorn, as `make run` and the Docker image start it: threaded workers, each with a bounded database pool.

``gunicorn -c python:pixorga.gunicorn_conf pixorga.wsgi:application``. A learner's request mostly waits on
PostgreSQL, so each worker process runs ``WEB_THREADS`` threads (gthread) and gets a pool of as many
connections (``DATABASE_POOL_MAX_SIZE``, read by the settings of each worker): a thread never waits for
a connection, and the server never holds more than ``WEB_WORKERS × WEB_THREADS`` of them, well below
PostgreSQL's ``max_connections`` (100 by default) with the Celery worker's few beside them. Static files
are served by WhiteNoise from ``collectstatic``'s output.
"""

import os

from pixorga.env import env_int, served_address

_host, _port = served_address()

bind = [f"[{_host}]:{_port}" if ":" in _host else f"{_host}:{_port}"]
worker_class = "gthread"
workers = env_int("WEB_WORKERS", 2)
threads = env_int("WEB_THREADS", 8)
# Keep-alive connections of idle browsers wait in the worker's poller, not in a thread.
keepalive = 5
timeout = 60
graceful_timeout = 20
accesslog = os.environ.get("WEB_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("WEB_LOG_LEVEL", "info")

os.environ.setdefault("DATABASE_POOL_MAX_SIZE", str(threads))
