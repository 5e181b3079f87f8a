"""SIECLE import benchmark (issue "Students"): time, ratio to a baseline, peak memory, linearity.

Usage (a throw-away PostgreSQL and Redis)::

    .venv/bin/python -m pixorga.embedded --temp -- .venv/bin/python bench/import_siecle.py 1000 10000 100000

For each N it generates an N-student SIECLE export (zipped, as schools upload it) and measures, in one
process: the baseline — ``lxml.iterparse`` of the same XML + ``COPY`` of the same rows into a temp table —
then the real import (validation with preview, then the write), through the same service functions
the page, the API and the Celery tasks call. Peak RSS is measured in a separate child process that
only runs the import. Goals: ratio baseline/import ≥ 0.3 at 10 000; peak RSS < 200 MB at 100 000;
seconds per 1 000 students roughly constant (linear).
"""

from __future__ import annotations

import io
import os
import platform
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pixorga.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from lxml import etree  # noqa: E402

from accounts.models import Organization  # noqa: E402
from students.importers.samples import fake_students, siecle_xml  # noqa: E402
from students.models import LearnerImport  # noqa: E402
from students.services import imports  # noqa: E402

UAI_PREFIX = "099"


def make_zip(count: int, uai: str) -> bytes:
    xml = siecle_xml(fake_students(count, seed=count), uaj=uai)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ElevesSansAdresses.xml", xml)
    return buffer.getvalue()


def baseline(zip_bytes: bytes) -> float:
    """Parse the same XML with bare iterparse and COPY the same rows into a temp table."""
    started = time.perf_counter()
    rows = []
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive, archive.open("ElevesSansAdresses.xml") as stream:
        for _event, element in etree.iterparse(stream, tag="ELEVE", resolve_entities=False, no_network=True):
            rows.append(tuple((child.text or "") for child in element)[:12])
            element.clear(keep_tail=True)
            while element.getprevious() is not None:
                del element.getparent()[0]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_copy (" + ", ".join(f"c{i} text" for i in range(12)) + ") ON COMMIT DROP"
        )
        with cursor.cursor.copy("COPY bench_copy FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row + ("",) * (12 - len(row)))
    return time.perf_counter() - started


def organization_for(count: int) -> Organization:
    uai = f"{UAI_PREFIX}{count % 10000:04d}B"
    organization, _ = Organization.objects.get_or_create(
        external_id=uai,
        defaults={"type": "SCO", "name": f"Lycée de mesure {count}", "is_managing_students": True},
    )
    with connection.cursor() as cursor:  # a raw delete: the ORM would load every row first
        cursor.execute("DELETE FROM students_organizationlearner WHERE organization_id = %s", [organization.pk])
        cursor.execute("DELETE FROM students_learnerimport WHERE organization_id = %s", [organization.pk])
    return organization


def run_import(organization: Organization, zip_bytes: bytes) -> tuple[float, dict]:
    started = time.perf_counter()
    learner_import = imports.learner_import_create(
        organization=organization,
        created_by=None,
        uploaded_file=SimpleUploadedFile("export.zip", zip_bytes),
        file_format="siecle-xml",
        apply_when_valid=True,
        enqueue=False,
    )
    imports.learner_import_validate(import_id=learner_import.pk, enqueue_apply=False)
    imports.learner_import_apply(import_id=learner_import.pk)
    elapsed = time.perf_counter() - started
    learner_import = LearnerImport.objects.get(pk=learner_import.pk)
    assert learner_import.status == "IMPORTED", learner_import.errors
    return elapsed, learner_import.summary


def child_peak_rss(count: int, zip_path: str) -> None:
    """Entry point of the memory-measuring child: import only, then print peak and starting RSS in MB.

    RSS is sampled every 10 ms: ``ru_maxrss`` would include the parent's footprint inherited at fork.
    """
    import threading

    import psutil

    process = psutil.Process()
    organization = organization_for(count)
    zip_bytes = Path(zip_path).read_bytes()
    start = process.memory_info().rss
    peak = {"rss": start}
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.01):
            peak["rss"] = max(peak["rss"], process.memory_info().rss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    run_import(organization, zip_bytes)
    done.set()
    sampler.join()
    peak["rss"] = max(peak["rss"], process.memory_info().rss)
    print(f"{peak['rss'] / 2**20:.0f} {start / 2**20:.0f}")


def main(counts: list[int]) -> None:
    call_command("migrate", verbosity=0)
    print(f"Machine : {os.cpu_count()} cœurs, Python {platform.python_version()}, PostgreSQL {connection.pg_version}")
    print(f"{'N':>8} {'import (s)':>11} {'base (s)':>9} {'ratio':>6} {'s/1000':>7} {'RSS (Mo)':>9}  objectif")
    for count in counts:
        zip_bytes = make_zip(count, f"{UAI_PREFIX}{count % 10000:04d}B")
        base = baseline(zip_bytes)
        elapsed, summary = run_import(organization_for(count), zip_bytes)
        assert summary["created"] == count, summary
        with tempfile.NamedTemporaryFile(suffix=".zip") as handle:
            handle.write(zip_bytes)
            handle.flush()
            output = subprocess.run(
                [sys.executable, __file__, "--child", str(count), handle.name],
                capture_output=True,
                text=True,
                check=True,
                env=os.environ,
            ).stdout.split()
        peak, at_start = float(output[0]), float(output[1])
        ratio = base / elapsed
        goals = []
        if count == 10_000:
            goals.append(f"ratio ≥ 0.3 : {'OK' if ratio >= 0.3 else 'EN DESSOUS DE L OBJECTIF'}")
        if count == 100_000:
            goals.append(f"RSS < 200 Mo : {'OK' if peak < 200 else 'EN DESSOUS DE L OBJECTIF'}")
        print(
            f"{count:>8} {elapsed:>11.2f} {base:>9.2f} {ratio:>6.2f} {elapsed / count * 1000:>7.3f} "
            f"{peak:>9.0f}  (+{peak - at_start:.0f} Mo pendant l'import) {'; '.join(goals)}"
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child_peak_rss(int(sys.argv[2]), sys.argv[3])
    else:
        main([int(arg) for arg in sys.argv[1:]] or [1_000, 10_000, 100_000])
