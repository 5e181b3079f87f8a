"""Answer throughput: concurrent learners answering through the HTTP API on gunicorn (2 workers).

Usage::

    .venv/bin/python -m pixorga.embedded --temp -- .venv/bin/python bench/answer_throughput.py [learners] [seconds]

It loads the content, creates one school, a campaign on a parcours de rentrée and N reconciled students
with API tokens, starts gunicorn (2 sync workers) on 127.0.0.1, then for a bounded time:
1. the baseline — N threads calling a bare JSON view of the same Django (same middleware, same server);
2. the test — N threads, each a learner: start the campaign, then "next challenge" + "answer" until the
   test ends (then a new learner account takes over). Prints answers/s, p50/p95 latency of an answer
   (GET next-challenge + POST answer), and the ratio of API requests/s to bare requests/s.
Goal: ratio ≥ 0.25 and p95 < 50 ms.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.bench_settings"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from accounts.models import Organization, User  # noqa: E402
from campaigns.services import campaign_create  # noqa: E402
from crcn.models import Challenge, TargetProfile  # noqa: E402
from crcn.services import content_load  # noqa: E402
from students.models import OrganizationLearner  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(learners: int) -> tuple[str, list[str], dict]:
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
    tokens = []
    for index in range(learners * 4):
        user = User.objects.create(username=f"bench.eleve{index}-{campaign.pk}", first_name="É", last_name=f"L{index}")
        OrganizationLearner.objects.create(
            organization=school, user=user, first_name="É", last_name=f"L{index}", division="2NDE"
        )
        tokens.append(Token.objects.create(user=user).key)
    solutions = {c.id: (c.type, c.solution) for c in Challenge.objects.all()}
    return campaign.code, tokens, solutions


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


def right_value(kind, solution):
    if kind == "QCU":
        return str(solution)
    if kind == "QCM":
        return ",".join(str(n) for n in solution)
    if kind == "QROC":
        return solution[0]
    return {key: values[0] for key, values in solution.items()}


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


def main(learners: int, seconds: float) -> None:
    code, tokens, solutions = prepare(learners)
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

        token_pool = list(tokens)
        pool_lock = threading.Lock()
        state: dict[int, dict] = {}

        def learner(index, conn_factory, latencies, deadline):
            current = state.get(index)
            if current is None:
                with pool_lock:
                    token = token_pool.pop()
                _status, body = request(
                    conn_factory, "POST", f"/api/campaigns/by-code/{code}/participations/", token, {}
                )
                current = state[index] = {
                    "token": token,
                    "assessment": json.loads(body)["assessment_id"],
                    "rng": random.Random(index),
                }
                return 1
            started = time.perf_counter()
            status, body = request(
                conn_factory, "GET", f"/api/assessments/{current['assessment']}/next-challenge/", current["token"]
            )
            if status == 204:
                state.pop(index)
                return 1
            challenge_id = json.loads(body)["id"]
            kind, solution = solutions[challenge_id]
            value = right_value(kind, solution) if current["rng"].random() < 0.6 else "#ABAND#"
            request(
                conn_factory,
                "POST",
                f"/api/assessments/{current['assessment']}/answers/",
                current["token"],
                {"challenge_id": challenge_id, "value": value},
            )
            latencies.append(time.perf_counter() - started)
            return 2

        answer_latencies, api_requests = run(port, seconds, learners, learner)
    finally:
        server.terminate()
        server.wait(timeout=20)

    bare_rate = bare_requests / seconds
    api_rate = api_requests / seconds
    answers = len(answer_latencies)
    quantiles = statistics.quantiles(answer_latencies, n=100) if answers > 1 else [0] * 99
    ratio = api_rate / bare_rate if bare_rate else 0
    print(f"{learners} élèves simultanés, {seconds:.0f} s par mesure, gunicorn 2 workers, {os.cpu_count()} cœurs")
    print(f"vue JSON nue      : {bare_rate:8.1f} requêtes/s, p50 {statistics.median(bare_latencies) * 1000:6.1f} ms")
    print(f"API du test       : {api_rate:8.1f} requêtes/s, {answers / seconds:6.1f} réponses/s")
    print(
        f"une réponse (GET question + POST réponse) : p50 {quantiles[49] * 1000:6.1f} ms, "
        f"p95 {quantiles[94] * 1000:6.1f} ms"
    )
    verdict = "OK" if ratio >= 0.25 and quantiles[94] < 0.05 else "EN DESSOUS DE L'OBJECTIF"
    print(f"ratio requêtes API / vue nue : {ratio:.2f} (objectif ≥ 0.25, p95 < 50 ms) — {verdict}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50, float(sys.argv[2]) if len(sys.argv) > 2 else 20)
