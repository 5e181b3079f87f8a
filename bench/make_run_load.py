"""A class year at once on `make run`: N learners answering M questions each, nothing lost, nothing doubled.

Usage::

    .venv/bin/python bench/make_run_load.py [learners=200] [answers=30]

It starts the stack exactly as ``make run`` does (``python -m pixorga.embedded --data-dir <temporary
folder> -- python -m pixorga.stack``: embedded PostgreSQL and Redis, migrations, content, demo, Celery
worker, gunicorn with the production settings) on a free port, then, once it serves:

1. set-up, not measured: a school, a campaign on the largest parcours and N learners with API tokens,
   written straight into the stack's database;
2. the load: N threads, each a learner on a keep-alive connection of its own, all starting together:
   start the campaign, then « next question » + « answer » back to back (60 % right) until M answers (a
   learner whose test ends first starts it again on a second campaign);
3. the check, against the rows: every answer a client was told was saved (201) is in the database once,
   and the database holds no answer that no client was told about.

Goal (issue 12): 0 errors (any status ≥ 400 other than the end of a test, or a reset connection), 0 lost
and 0 duplicated answers. Also printed: answers/s and p95 of an answer (no goal: a closed loop with no think
time measures the queue, see answer_throughput.py), the most PostgreSQL connections seen during the run
against ``max_connections``, and the load against ``GET /api/health/`` on the same server in this process
(the ratio of the two request rates).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from crcn.content_schema import right_answer_of  # noqa: E402
from pixorga.stack import make_run_command  # noqa: E402

RIGHT_SHARE = 0.6
STARTED_WITHIN = 300
BASELINE_SECONDS = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Stack:
    """`make run` in a throw-away folder, in its own process group, stopped with SIGTERM as systemd would."""

    def __init__(self, port: int):
        self.port = port
        self.data_dir = Path(tempfile.mkdtemp(prefix="pixorga-load-"))
        self.log = self.data_dir / "stack.log"
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
        env["PIXORGA_ADDRESS"] = f"127.0.0.1:{port}"
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                make_run_command(self.data_dir),
                cwd=BASE_DIR,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_until_served(self) -> float:
        started = time.monotonic()
        while "Pix Orga tourne sur" not in self.log.read_text(errors="replace"):
            if self.process.poll() is not None or time.monotonic() - started > STARTED_WITHIN:
                sys.exit("la pile n'a pas démarré :\n" + self.log.read_text(errors="replace")[-3000:])
            time.sleep(0.5)
        return time.monotonic() - started

    def stop(self) -> int:
        os.killpg(self.process.pid, signal.SIGTERM)
        code = self.process.wait(timeout=90)
        shutil.rmtree(self.data_dir, ignore_errors=True)
        return code


def connect_django(stack: Stack) -> None:
    """This process reads and writes the stack's own database (set-up and check only)."""
    from pixorga import embedded

    # The stack's server, through its socket (joining it with pgserver would keep it up after the stack stops).
    socket_dir = (stack.data_dir / "pg" / "postmaster.pid").read_text().splitlines()[4]
    os.environ["DATABASE_URL"] = f"postgresql://postgres@/{embedded.DATABASE_NAME}?host={socket_dir}"
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{(stack.data_dir / 'redis' / 'port').read_text().strip()}/0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.bench_settings"
    import django

    django.setup()


def prepare(learners: int) -> tuple[list[str], list[str], dict]:
    """Two campaigns on the largest parcours, N reconciled learners with a token each."""
    from django.db.models import Count
    from rest_framework.authtoken.models import Token

    from accounts.models import Organization, User
    from campaigns.services.campaigns import campaign_create
    from crcn.models import Challenge, TargetProfile
    from students.models import OrganizationLearner

    school = Organization.objects.create(
        external_id="0990077Z", type="SCO", name="Lycée de la charge", is_managing_students=True
    )
    teacher = User.objects.create(email="prof@charge.local", first_name="Prof", last_name="Charge")
    largest = TargetProfile.objects.annotate(tube_count=Count("tubes")).order_by("-tube_count").first()
    codes = [
        campaign_create(
            organization=school, creator=teacher, name=f"Charge {n}", type="ASSESSMENT", target_profile_id=largest.pk
        ).code
        for n in (1, 2)
    ]
    users = User.objects.bulk_create(
        User(username=f"charge.eleve{index}", first_name="Élève", last_name=f"N{index}") for index in range(learners)
    )
    OrganizationLearner.objects.bulk_create(
        OrganizationLearner(organization=school, user=u, first_name="Élève", last_name=u.last_name, division="2NDE")
        for u in users
    )
    tokens = Token.objects.bulk_create(Token(key=Token.generate_key(), user=u) for u in users)
    solutions = {c.id: {"type": c.type, "solution": c.solution} for c in Challenge.objects.all()}
    return codes, [t.key for t in tokens], solutions


class Learner(threading.Thread):
    """One student: one keep-alive connection, M answers, what the server said about each."""

    def __init__(self, index: int, port: int, token: str, codes: list[str], solutions: dict, answers: int, go):
        super().__init__()
        self.port, self.token, self.codes, self.solutions = port, token, codes, solutions
        self.wanted, self.go = answers, go
        self.rng = random.Random(index)
        self.saved: list[tuple[int, str]] = []  # (assessment, challenge) answered 201
        self.errors: list[str] = []
        self.latencies: list[float] = []
        self.connection = None

    def call(self, method: str, path: str, body=None) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.connection.request(
                    method,
                    path,
                    body=json.dumps(body) if body is not None else None,
                    headers={"Authorization": f"Token {self.token}", "Content-Type": "application/json"},
                )
                response = self.connection.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as error:
                # An idle keep-alive connection closed by the server is normal (browsers reconnect); only a
                # GET is sent again, never an answer: a lost answer must show as an error.
                self.connection.close()
                self.connection = None
                if attempt == 2 or method != "GET" or not isinstance(error, http.client.RemoteDisconnected):
                    raise
        raise AssertionError("unreachable")

    def run(self) -> None:
        self.go.wait()
        try:
            for code in self.codes:
                if len(self.saved) >= self.wanted:
                    break
                self.take(code)
        except (OSError, http.client.HTTPException) as error:
            self.errors.append(f"{type(error).__name__}: {error}")
        finally:
            if self.connection:
                self.connection.close()

    def take(self, code: str) -> None:
        status, body = self.call("POST", f"/api/campaigns/by-code/{code}/participations/", {})
        if status != 201:
            self.errors.append(f"départ {status} {body[:120]!r}")
            return
        assessment = json.loads(body)["assessment_id"]
        while len(self.saved) < self.wanted:
            started = time.perf_counter()
            status, body = self.call("GET", f"/api/assessments/{assessment}/next-challenge/")
            if status == 204:
                return
            if status != 200:
                self.errors.append(f"question {status} {body[:120]!r}")
                return
            challenge = json.loads(body)["id"]
            right = self.rng.random() < RIGHT_SHARE
            value = right_answer_of(self.solutions[challenge]) if right else "#ABAND#"
            status, body = self.call(
                "POST", f"/api/assessments/{assessment}/answers/", {"challenge_id": challenge, "value": value}
            )
            if status != 201:
                self.errors.append(f"réponse {status} {body[:120]!r}")
                return
            self.saved.append((assessment, challenge))
            self.latencies.append(time.perf_counter() - started)


def connections_sampler(stop: threading.Event, peak: list[int]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        while not stop.wait(0.2):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'")
            peak[0] = max(peak[0], cursor.fetchone()[0])
    connection.close()


def baseline(port: int, threads: int) -> float:
    """Requests/s of GET /api/health/ (database + broker, no answer logic) with the same clients."""
    deadline = time.monotonic() + BASELINE_SECONDS
    counts = [0] * threads

    def hammer(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < deadline:
            try:
                connection.request("GET", "/api/health/")
                connection.getresponse().read()
                counts[index] += 1
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.close()

    pool = [threading.Thread(target=hammer, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return sum(counts) / BASELINE_SECONDS


def check_rows(told: list[tuple[int, str]]) -> tuple[int, int, int]:
    """(lost, duplicated, unannounced): told-saved answers missing, rows twice, rows nobody was told of."""
    from assessments.models import Answer

    assessments = {assessment for assessment, _ in told}
    rows = Counter(Answer.objects.filter(assessment_id__in=assessments).values_list("assessment_id", "challenge_id"))
    told_count = Counter(told)
    lost = sum((told_count - rows).values())
    duplicated = sum(n - 1 for n in rows.values() if n > 1) + sum(n - 1 for n in told_count.values() if n > 1)
    unannounced = sum((rows - told_count).values())
    return lost, duplicated, unannounced


def main(learners: int, answers: int) -> None:
    port = free_port()
    stack = Stack(port)
    try:
        start_seconds = stack.wait_until_served()
        connect_django(stack)
        from django.conf import settings
        from django.db import connection

        codes, tokens, solutions = prepare(learners)
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_connections")
            (max_connections,) = cursor.fetchone()
        connection.close()
        health_rate = baseline(port, learners)

        go = threading.Event()
        crowd = [Learner(i, port, tokens[i], codes, solutions, answers, go) for i in range(learners)]
        for learner in crowd:
            learner.start()
        stop_sampling, peak = threading.Event(), [0]
        sampler = threading.Thread(target=connections_sampler, args=(stop_sampling, peak))
        sampler.start()
        started = time.monotonic()
        go.set()
        for learner in crowd:
            learner.join()
        elapsed = time.monotonic() - started
        stop_sampling.set()
        sampler.join()

        told = [pair for learner in crowd for pair in learner.saved]
        errors = [error for learner in crowd for error in learner.errors]
        short = sum(1 for learner in crowd if len(learner.saved) < answers)
        lost, duplicated, unannounced = check_rows(told)
        latencies = [latency for learner in crowd for latency in learner.latencies]
        p95 = statistics.quantiles(latencies, n=100)[94] if len(latencies) > 1 else 0.0
        requests_rate = (2 * len(told) + learners) / elapsed
        pool = settings.DATABASES["default"]
    finally:
        exit_code = stack.stop()

    print(
        f"`make run` (gunicorn gthread {os.environ.get('WEB_WORKERS', '2')} workers × "
        f"{os.environ.get('WEB_THREADS', '8')} threads), démarrée en {start_seconds:.0f} s, {os.cpu_count()} cœurs, "
        f"charge {os.getloadavg()[0]:.1f} ; base {pool['NAME']}"
    )
    print(f"{learners} élèves ensemble × {answers} réponses : {len(told)} réponses enregistrées en {elapsed:.1f} s")
    print(f"  erreurs                 : {len(errors)} (objectif 0){'' if not errors else ' — ' + errors[0]}")
    print(f"  élèves sans leurs {answers} réponses : {short}")
    print(f"  réponses perdues        : {lost} (objectif 0)")
    print(f"  réponses en double      : {duplicated} (objectif 0)")
    print(f"  réponses non annoncées  : {unannounced} (enregistrées sans que l'élève le sache)")
    print(f"  débit                   : {len(told) / elapsed:.0f} réponses/s, p95 d'une réponse {p95 * 1000:.0f} ms")
    print(f"  connexions PostgreSQL au plus fort : {peak[0]} sur max_connections = {max_connections}")
    print(
        f"  requêtes/s du test / requêtes/s de /api/health/ : {requests_rate:.0f} / {health_rate:.0f} = "
        f"{requests_rate / health_rate:.2f}"
    )
    print(f"  arrêt par SIGTERM       : code {exit_code} (objectif 0)")
    ok = not errors and not lost and not duplicated and not short and exit_code == 0
    print("OK" if ok else "EN DESSOUS DE L'OBJECTIF")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200, int(sys.argv[2]) if len(sys.argv) > 2 else 30)
