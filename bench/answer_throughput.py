"""Answer throughput: concurrent learners answering through the HTTP API on gunicorn (2 workers).

Usage::

    .venv/bin/python -m pixorga.embedded --temp -- .venv/bin/python bench/answer_throughput.py [learners] [seconds]

It loads the content, creates one school, a campaign on a parcours de rentrée and reconciled students with
API tokens, starts gunicorn (2 sync workers) on 127.0.0.1, then runs three measurements of ``seconds`` each:
1. the baseline — N threads calling a bare JSON view of the same Django (same middleware, same server),
   back to back;
2. saturated — N threads, each a learner: start the campaign, then "next challenge" + "answer" back to back
   until the test ends (then a new learner account takes over). Prints answers/s, p50/p95 of an answer
   (GET next-challenge + POST answer) and the ratio of API requests/s to bare requests/s. Goal: ratio ≥ 0.25.
   Its latency is not a goal: a closed loop with no think time keeps N requests queued on 2 cores, so an
   answer waits about N / throughput (Little's law) whatever the code does; ANSWERS_ASYNCHRONOUS_COMMIT=false
   in the environment measures answers flushed to disk before the reply;
3. paced — the same N learners, each thinking THINK_SECONDS ± THINK_JITTER (uniform, seeded) before every
   answer, as students do. Prints answers/s and p50/p95 of an answer under that load. Goal: p95 < 50 ms.
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

THINK_SECONDS = 2.0
THINK_JITTER = 0.5
RATIO_GOAL = 0.25
P95_GOAL = 0.050

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.bench_settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from accounts.models import Organization, User  # noqa: E402
from campaigns.services.campaigns import campaign_create  # noqa: E402
from crcn.content_schema import right_answer_of  # noqa: E402
from crcn.models import Challenge, TargetProfile  # noqa: E402
from crcn.services import content_load  # noqa: E402
from students.models import OrganizationLearner  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(learners: int, seconds: float = 20) -> tuple[str, list[str], dict]:
    """Content, a school, a campaign and enough fresh accounts (a test ends after about 25 answers)."""
    call_command("migrate", verbosity=0)
    content_load()
    school, _ = Organization.objects.get_or_create(
        external_id="0990099X", defaults={"type": "SCO", "name": "Lycée de mesure", "is_managing_students": True}
    )
    teacher, _ = User.objects.get_or_create(email="prof@bench.local", defaults={"first_name": "P", "last_name": "B"})
    profile = TargetProfile.objects.get(key="rentree-2nde-gt")
    campaign = campaign_create(
        organization=school, creator=teacher, name="Bench", type="ASSESSMENT", target_profile_id=profile.pk
    )
    accounts = learners * 4 + int(seconds * 20)  # 2 measurements, up to ~500 answers/s saturated
    users = User.objects.bulk_create(
        User(username=f"bench.eleve{index}-{campaign.pk}", first_name="É", last_name=f"L{index}")
        for index in range(accounts)
    )
    OrganizationLearner.objects.bulk_create(
        OrganizationLearner(organization=school, user=u, first_name="É", last_name=u.last_name, division="2NDE")
        for u in users
    )
    tokens = Token.objects.bulk_create(Token(key=Token.generate_key(), user=u) for u in users)
    solutions = {c.id: (c.type, c.solution) for c in Challenge.objects.all()}
    return campaign.code, [t.key for t in tokens], solutions


def request(conn_factory, method, path, token=None, body=None):
    connection = conn_factory()
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def run(port: int, seconds: float, threads: int, work) -> tuple[list[float], int]:
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    requests = [0]
    lock = threading.Lock()

    def conn_factory():
        return http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def worker(index):
        local, count = [], 0
        while time.monotonic() < deadline:
            count += work(index, conn_factory, local, deadline)
        with lock:
            latencies.extend(local)
            requests[0] += count

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return latencies, requests[0]


def learners_work(code: str, tokens: list[str], solutions: dict, think: float | None):
    """``run``'s work for one learner per thread: 60 % right answers, a new account when a test ends.

    With ``think``, the learner reads each question THINK_SECONDS ± THINK_JITTER before answering (the first
    question after a random delay, so that learners do not arrive together); the latency of an answer is
    always the time of its two requests, never the thinking.
    """
    pool_lock = threading.Lock()
    state: dict[int, dict] = {}

    def pause(seconds: float, deadline: float) -> bool:
        """Sleep, but not past the deadline; False if the deadline came first."""
        wake = time.monotonic() + seconds
        time.sleep(max(0.0, min(wake, deadline) - time.monotonic()))
        return wake < deadline

    def learner(index, conn_factory, latencies, deadline):
        current = state.get(index)
        if current is None:
            with pool_lock:
                token = tokens.pop()
            _status, body = request(conn_factory, "POST", f"/api/campaigns/by-code/{code}/participations/", token, {})
            current = state[index] = {
                "token": token,
                "assessment": json.loads(body)["assessment_id"],
                "rng": random.Random(index),
            }
            if think:
                pause(current["rng"].uniform(0, think), deadline)
            return 1
        rng = current["rng"]
        started = time.perf_counter()
        status, body = request(
            conn_factory, "GET", f"/api/assessments/{current['assessment']}/next-challenge/", current["token"]
        )
        asked = time.perf_counter() - started
        if status == 204:
            state.pop(index)
            return 1
        challenge_id = json.loads(body)["id"]
        kind, solution = solutions[challenge_id]
        value = right_answer_of({"type": kind, "solution": solution}) if rng.random() < 0.6 else "#ABAND#"
        if think and not pause(rng.uniform(think - THINK_JITTER, think + THINK_JITTER), deadline):
            return 1
        started = time.perf_counter()
        request(
            conn_factory,
            "POST",
            f"/api/assessments/{current['assessment']}/answers/",
            current["token"],
            {"challenge_id": challenge_id, "value": value},
        )
        latencies.append(asked + time.perf_counter() - started)
        return 2

    return learner


def ms(seconds: float) -> str:
    return f"{seconds * 1000:6.1f} ms"


def percentiles(latencies: list[float]) -> tuple[float, float]:
    if len(latencies) < 2:
        return (latencies or [0.0])[0], (latencies or [0.0])[0]
    quantiles = statistics.quantiles(latencies, n=100)
    return quantiles[49], quantiles[94]


def verdict(ok: bool) -> str:
    return "OK" if ok else "EN DESSOUS DE L'OBJECTIF"


def main(learners: int, seconds: float) -> None:
    code, tokens, solutions = prepare(learners, seconds)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (postgres,) = cursor.fetchone()
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "pixorga.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.bench_settings"},
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)

        def bare(index, conn_factory, latencies, deadline):
            started = time.perf_counter()
            request(conn_factory, "GET", "/bench/bare/")
            latencies.append(time.perf_counter() - started)
            return 1

        bare_latencies, bare_requests = run(port, seconds, learners, bare)
        saturated, api_requests = run(port, seconds, learners, learners_work(code, tokens, solutions, think=None))
        paced, paced_requests = run(port, seconds, learners, learners_work(code, tokens, solutions, THINK_SECONDS))
    finally:
        server.terminate()
        server.wait(timeout=20)

    bare_rate = bare_requests / seconds
    api_rate = api_requests / seconds
    ratio = api_rate / bare_rate if bare_rate else 0
    p50, p95 = percentiles(saturated)
    paced_p50, paced_p95 = percentiles(paced)
    print(
        f"{learners} élèves simultanés, {seconds:.0f} s par mesure, gunicorn 2 workers, {os.cpu_count()} cœurs, "
        f"Python {platform.python_version()}, PostgreSQL {postgres}, "
        f"commit asynchrone des réponses : {'oui' if settings.ANSWERS_ASYNCHRONOUS_COMMIT else 'non'}"
    )
    print(f"vue JSON nue      : {bare_rate:8.1f} requêtes/s, p50 {ms(statistics.median(bare_latencies))}")
    print("1. saturé (chaque élève enchaîne sans temps de réflexion) :")
    print(f"   API du test    : {api_rate:8.1f} requêtes/s, {len(saturated) / seconds:6.1f} réponses/s")
    print(
        f"   une réponse (GET question + POST réponse) : p50 {ms(p50)}, p95 {ms(p95)} "
        f"(file d'attente ≈ {learners} / débit : sans objectif)"
    )
    print(f"   ratio requêtes API / vue nue : {ratio:.2f} (objectif ≥ {RATIO_GOAL}) — {verdict(ratio >= RATIO_GOAL)}")
    print(f"2. rythmé (réflexion {THINK_SECONDS:.1f} s ± {THINK_JITTER:.1f} s avant chaque réponse) :")
    print(f"   API du test    : {paced_requests / seconds:8.1f} requêtes/s, {len(paced) / seconds:6.1f} réponses/s")
    print(
        f"   une réponse (GET question + POST réponse) : p50 {ms(paced_p50)}, p95 {ms(paced_p95)} "
        f"(objectif p95 < {P95_GOAL * 1000:.0f} ms) — {verdict(paced_p95 < P95_GOAL)}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50, float(sys.argv[2]) if len(sys.argv) > 2 else 20)
