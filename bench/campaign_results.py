"""Campaign results benchmark (issue "Campaign results"): page and API times, export time and memory.

Usage::

    .venv/bin/python -m pixorga.embedded --temp -- \\
        .venv/bin/python bench/campaign_results.py 100 1000 5000 [--export 100000]

For each N it seeds one campaign on the parcours de rentrée 2nde GT with N shared participations and
realistic knowledge elements (about 30 per learner, loaded with COPY), then measures the server time of
the Activité, Résultats and Analyse pages and of the participants and analysis API routes (median of 5,
in-process through Django's test client). With ``--export M`` it seeds M participations and measures the
CSV export against a ``COPY (SELECT …) TO STDOUT`` of the same rows, and the RSS growth during the export.
"The same rows": one line per exported participation with the values the export's lines hold, unformatted
(learner, external id, status, dates, mastery rate and, if shared, the validated targeted skills per
competence when it shared), from one plain statement; the bench checks that it has as many lines as the file.
Goals: pages < 300 ms at 5 000 and sublinear; export ratio ≥ 0.3; RSS growth < 100 MB.
For information, the export is also compared with a COPY of seven raw columns of the participations (no
results) and with a bare COPY of the knowledge elements it reads.
"""

from __future__ import annotations

import os
import platform
import random
import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.bench_settings"

import django  # noqa: E402

django.setup()

import psutil  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from accounts.models import Membership, Organization, User  # noqa: E402
from campaigns.models import CampaignExport  # noqa: E402
from campaigns.services.campaigns import campaign_create  # noqa: E402
from campaigns.services.exports import campaign_export_build  # noqa: E402
from crcn.models import Skill, TargetProfile  # noqa: E402
from crcn.services import content_load  # noqa: E402


def copy_rows(table: str, columns: list[str], rows) -> None:
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def seed(count: int, teacher: User, school: Organization):
    profile = TargetProfile.objects.get(key="rentree-2nde-gt")
    campaign = campaign_create(
        organization=school, creator=teacher, name=f"Mesure {count}", type="ASSESSMENT", target_profile_id=profile.pk
    )
    skills = list(
        Skill.objects.filter(campaign_links__campaign=campaign).values_list("name", "level", "tube__competence_id")
    )
    rng = random.Random(count)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM accounts_user")
        first_user = cursor.fetchone()[0] + 1
    copy_rows(
        "accounts_user",
        [
            "id",
            "username",
            "first_name",
            "last_name",
            "password",
            "is_staff",
            "is_active",
            "is_superuser",
            "must_change_password",
            "date_joined",
        ],
        (
            (first_user + i, f"mesure{count}.{i}", "Élève", f"N{i:06d}", "!", False, True, False, False, now)
            for i in range(count)
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), (SELECT MAX(id) FROM accounts_user))"
        )
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM students_organizationlearner")
        first_learner = cursor.fetchone()[0] + 1
    copy_rows(
        "students_organizationlearner",
        [
            "id",
            "organization_id",
            "user_id",
            "first_name",
            "last_name",
            "division",
            "is_disabled",
            "search_text",
            "created_at",
            "updated_at",
            "national_apprentice_id",
            "middle_name",
            "third_name",
            "preferred_last_name",
            "sex",
            "birth_city",
            "birth_city_code",
            "birth_province_code",
            "birth_country_code",
            "mef_code",
            "status",
            "student_number",
            "email",
            "department",
            "educational_team",
            '"group"',
            "diploma",
            "study_scheme",
        ],
        (
            (
                first_learner + i,
                school.pk,
                first_user + i,
                "Élève",
                f"N{i:06d}",
                f"2NDE {i % 30 + 1}",
                False,
                f"eleve n{i:06d}",
                now,
                now,
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "ST",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            )
            for i in range(count)
        ),
    )
    copy_rows(
        "campaigns_campaignparticipation",
        [
            "campaign_id",
            "user_id",
            "organization_learner_id",
            "status",
            "participant_external_id",
            "created_at",
            "shared_at",
            "mastery_rate",
            "is_improved",
        ],
        (
            (
                campaign.pk,
                first_user + i,
                first_learner + i,
                "SHARED",
                "",
                now - timedelta(days=i % 20),
                now - timedelta(days=i % 20) + timedelta(minutes=30),
                round(rng.random(), 2),
                False,
            )
            for i in range(count)
        ),
    )

    def elements():
        for i in range(count):
            level = rng.randint(0, 4)
            created = now - timedelta(days=i % 20)
            for name, skill_level, competence in skills:
                if rng.random() < 0.75:
                    ok = skill_level <= level
                    yield (
                        first_user + i,
                        name,
                        competence,
                        "validated" if ok else "invalidated",
                        "direct",
                        2 if ok else 0,
                        created,
                    )

    copy_rows(
        "assessments_knowledgeelement",
        ["user_id", "skill_id", "competence_code", "status", "source", "earned_pix", "created_at"],
        elements(),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return campaign


def timed(call, repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = call()
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return statistics.median(samples) * 1000


def main(counts: list[int], export_size: int | None) -> None:
    call_command("migrate", verbosity=0)
    content_load()
    school, _ = Organization.objects.get_or_create(
        external_id="0990077K", defaults={"type": "SCO", "name": "Lycée de mesure", "is_managing_students": True}
    )
    teacher, _ = User.objects.get_or_create(email="prof@mesure.local", defaults={"first_name": "P", "last_name": "M"})
    Membership.objects.get_or_create(user=teacher, organization=school, disabled_at=None, defaults={"role": "ADMIN"})
    client, api = Client(), APIClient()
    client.force_login(teacher)
    api.force_authenticate(teacher)
    print(f"Machine : {os.cpu_count()} cœurs, Python {platform.python_version()}, PostgreSQL {connection.pg_version}")
    print(
        f"{'N':>7} {'Activité':>9} {'Résultats':>10} {'Analyse':>8} {'API part.':>10} {'API analyse':>12}"
        "  (ms, médiane de 5)"
    )
    for count in counts:
        campaign = seed(count, teacher, school)
        base = f"/orga/{school.pk}/campagnes/{campaign.pk}/"
        api_base = f"/api/campaigns/{campaign.pk}/"
        figures = [
            timed(lambda base=base: client.get(base)),
            timed(lambda base=base: client.get(base, {"onglet": "resultats"})),
            timed(lambda base=base: client.get(base, {"onglet": "analyse"})),
            timed(lambda api_base=api_base: api.get(api_base + "participants/")),
            timed(lambda api_base=api_base: api.get(api_base + "analysis/")),
        ]
        verdict = ""
        if count >= 5000:
            verdict = "OK" if max(figures) < 300 else "EN DESSOUS DE L'OBJECTIF (< 300 ms)"
        print(
            f"{count:>7} {figures[0]:>9.0f} {figures[1]:>10.0f} {figures[2]:>8.0f} {figures[3]:>10.0f} "
            f"{figures[4]:>12.0f}  {verdict}"
        )
    if export_size:
        export_bench(seed(export_size, teacher, school), teacher)


# The baseline of the export: the same rows with the same values, unformatted, from one plain statement —
# each current participation (file order) with its learner, and, if shared, the number of targeted skills it
# had validated per competence when it shared (latest element per skill before the sharing date).
SAME_ROWS_SQL = """
    COPY (
        SELECT p.id, l.last_name, l.first_name, l.division, p.participant_external_id, p.status, p.created_at,
            p.shared_at, p.mastery_rate, {per_competence}
        FROM campaigns_campaignparticipation p
        JOIN students_organizationlearner l ON l.id = p.organization_learner_id
        LEFT JOIN LATERAL (
            SELECT DISTINCT ON (ke.skill_id) ke.skill_id, ke.status, ke.competence_code
            FROM assessments_knowledgeelement ke
            WHERE ke.user_id = p.user_id AND ke.created_at <= p.shared_at AND p.status = 'SHARED'
                AND ke.skill_id = ANY(%(skills)s)
            ORDER BY ke.skill_id, ke.created_at DESC, ke.id DESC
        ) latest ON latest.status = 'validated'
        WHERE p.campaign_id = %(campaign)s AND NOT p.is_improved AND p.deleted_at IS NULL
        GROUP BY p.id, l.id
        ORDER BY l.last_name, l.first_name, p.id
    ) TO STDOUT
"""


def copy_out(sql: str, params) -> tuple[float, int, int]:
    """Seconds, lines and bytes of a ``COPY … TO STDOUT`` read to the end."""
    started = time.perf_counter()
    size = lines = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql, params) as copy:
        for data in copy:
            size += len(data)
            lines += bytes(data).count(b"\n")
    return time.perf_counter() - started, lines, size


def export_bench(campaign, teacher) -> None:
    skills = list(Skill.objects.filter(campaign_links__campaign=campaign).values_list("name", "tube__competence_id"))
    competences = sorted({code for _, code in skills})
    per_competence = ", ".join(
        f"count(latest.skill_id) FILTER (WHERE latest.competence_code = '{code}')" for code in competences
    )
    baseline, baseline_lines, _ = copy_out(
        SAME_ROWS_SQL.format(per_competence=per_competence),
        {"skills": [name for name, _ in skills], "campaign": campaign.pk},
    )
    raw_columns, _, _ = copy_out(
        "COPY (SELECT p.id, l.last_name, l.first_name, l.division, p.status, p.shared_at, p.mastery_rate "
        "FROM campaigns_campaignparticipation p JOIN students_organizationlearner l "
        "ON l.id = p.organization_learner_id WHERE p.campaign_id = %s) TO STDOUT",
        [campaign.pk],
    )
    knowledge_read, _, knowledge_bytes = copy_out(
        "COPY (SELECT p.id, ke.skill_id, ke.status, ke.earned_pix, ke.created_at "
        "FROM campaigns_campaignparticipation p JOIN assessments_knowledgeelement ke "
        "ON ke.user_id = p.user_id AND ke.created_at <= p.shared_at WHERE p.campaign_id = %s) TO STDOUT",
        [campaign.pk],
    )
    process = psutil.Process()
    peak = {"rss": process.memory_info().rss}
    start_rss = peak["rss"]
    done = threading.Event()

    def sample():
        while not done.wait(0.02):
            peak["rss"] = max(peak["rss"], process.memory_info().rss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    export = CampaignExport.objects.create(campaign=campaign, requested_by=teacher)
    started = time.perf_counter()
    campaign_export_build(export_id=export.pk, max_level=5)
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    export.refresh_from_db()
    assert export.row_count == baseline_lines, (export.row_count, baseline_lines)
    growth = (peak["rss"] - start_rss) / 2**20
    ratio = baseline / elapsed
    print(
        f"export de {export.row_count} participations : {elapsed:.1f} s ; COPY TO STDOUT des mêmes lignes "
        f"(mêmes valeurs, non mises en forme, une requête) {baseline:.2f} s ; ratio {ratio:.2f} ; hausse de RSS "
        f"{growth:.0f} Mo — {'OK' if ratio >= 0.3 and growth < 100 else 'EN DESSOUS DE L OBJECTIF'}"
    )
    print(
        f"pour information : COPY des 7 colonnes brutes des participations {raw_columns:.2f} s (ratio "
        f"{raw_columns / elapsed:.2f}) ; COPY des éléments de connaissance lus ({knowledge_bytes / 2**20:.0f} Mo) "
        f"{knowledge_read:.2f} s (ratio {knowledge_read / elapsed:.2f})"
    )


if __name__ == "__main__":
    args = sys.argv[1:]
    size = None
    if "--export" in args:
        index = args.index("--export")
        size = int(args[index + 1])
        args = args[:index] + args[index + 2 :]
    main([int(a) for a in args] or [100, 1000, 5000], size)
