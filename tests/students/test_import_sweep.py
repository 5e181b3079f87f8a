"""Every import ends IMPORTED or in a French error within the stuck delay, and an old file is never applied late.

The periodic sweep (Celery beat, ``students.learner_imports_fail_stuck``) fails an import whose phase
stopped answering: validation never started or died, writing never started after the hand-over or
died. Time is moved with the sweep's ``now``; the worker-kill tests (test_import_worker.py) do the
same against a real worker.
"""

import threading
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from students.models import LearnerImport, StagedLearner
from students.services import imports
from tests.students.files import xml_file
from tests.students.test_import_service import run_import, upload

pytestmark = pytest.mark.django_db


def later(seconds: int = 60) -> datetime:
    """A moment past the stuck delay."""
    return timezone.now() + timedelta(seconds=settings.LEARNER_IMPORT_STUCK_AFTER + seconds)


def sooner() -> datetime:
    return timezone.now() + timedelta(seconds=settings.LEARNER_IMPORT_STUCK_AFTER - 60)


def assert_failed_in_french(learner_import, status):
    learner_import.refresh_from_db()
    assert learner_import.status == status and learner_import.working_since is None
    assert learner_import.errors == [{"code": "IMPORT_INTERRUPTED", "detail": imports.IMPORT_INTERRUPTED}]
    assert imports.learner_import_progress(learner_import) == 100


def test_the_sweep_runs_every_minute_on_celery_beat():
    from pixorga.celery import app

    schedule = [entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == imports.SWEEP_TASK]
    assert len(schedule) == 1 and schedule[0]["schedule"] <= 60
    app.loader.import_default_modules()
    assert imports.SWEEP_TASK in app.tasks


def test_an_upload_whose_validation_never_started_is_failed(school_a, admin_a):
    learner_import = upload(school_a, admin_a)
    assert imports.learner_imports_fail_stuck(now=sooner()) == 0
    assert imports.learner_imports_fail_stuck(now=later()) == 1
    assert_failed_in_french(learner_import, "VALIDATION_ERROR")
    imports.learner_import_validate(import_id=learner_import.pk)  # the lost message comes back
    assert_failed_in_french(learner_import, "VALIDATION_ERROR")


def test_a_validation_that_stopped_answering_is_failed(school_a, admin_a):
    learner_import = upload(school_a, admin_a)
    assert imports._claim(learner_import.pk, "UPLOADED") is not None  # a worker took it, then died
    assert imports.learner_imports_fail_stuck(now=sooner()) == 0
    assert imports.learner_imports_fail_stuck(now=later()) == 1
    assert_failed_in_french(learner_import, "VALIDATION_ERROR")


def test_a_confirmed_import_whose_writing_never_started_is_failed_not_applied_late(school_a, admin_a):
    """The hand-over: validated and confirmed, but the writing task was lost (worker killed, broker gone)."""
    learner_import = run_import(school_a, admin_a, xml_file(), confirm=False)
    imports.learner_import_confirm(learner_import=learner_import, actor=admin_a)
    assert imports.learner_imports_fail_stuck(now=sooner()) == 0
    assert imports.learner_imports_fail_stuck(now=later()) == 1
    assert_failed_in_french(learner_import, "IMPORT_ERROR")
    assert not StagedLearner.objects.filter(learner_import=learner_import).exists()
    imports.learner_import_apply(import_id=learner_import.pk)  # the lost message comes back, too late
    assert_failed_in_french(learner_import, "IMPORT_ERROR")
    assert not school_a.learners.exists()


def test_an_import_applied_without_confirmation_whose_writing_never_started_is_failed(school_a, admin_a):
    learner_import = upload(school_a, admin_a, apply_when_valid=True)
    imports.learner_import_validate(import_id=learner_import.pk, enqueue_apply=False)
    assert imports.learner_imports_fail_stuck(now=later()) == 1
    assert_failed_in_french(learner_import, "IMPORT_ERROR")


def backdated(learner_import, field: str) -> None:
    shift = timedelta(seconds=settings.LEARNER_IMPORT_STUCK_AFTER + 60)
    LearnerImport.objects.filter(pk=learner_import.pk).update(**{field: F(field) - shift})


def test_a_writing_task_delivered_after_the_delay_fails_the_import_instead_of_applying_it(school_a, admin_a):
    """Before any sweep: the broker gives the lost message back late; the old file is not applied."""
    learner_import = run_import(school_a, admin_a, xml_file(), confirm=False)
    imports.learner_import_confirm(learner_import=learner_import, actor=admin_a)
    backdated(learner_import, "updated_at")
    imports.learner_import_apply(import_id=learner_import.pk)
    assert_failed_in_french(learner_import, "IMPORT_ERROR")
    assert not school_a.learners.exists()


def test_a_validation_task_delivered_after_the_delay_fails_the_upload(school_a, admin_a):
    learner_import = upload(school_a, admin_a, apply_when_valid=True)
    backdated(learner_import, "created_at")
    imports.learner_import_validate(import_id=learner_import.pk)
    assert_failed_in_french(learner_import, "VALIDATION_ERROR")
    assert not StagedLearner.objects.filter(learner_import=learner_import).exists()


def test_a_writing_that_stopped_answering_is_failed(school_a, admin_a):
    learner_import = run_import(school_a, admin_a, xml_file(), confirm=False)
    imports.learner_import_confirm(learner_import=learner_import, actor=admin_a)
    assert imports._claim(learner_import.pk, "VALIDATED") is not None
    assert imports.learner_imports_fail_stuck(now=later()) == 1
    assert_failed_in_french(learner_import, "IMPORT_ERROR")
    assert run_import(school_a, admin_a, xml_file()).status == "IMPORTED"  # the school can retry at once


def test_a_preview_waiting_for_the_admin_is_not_stuck(school_a, admin_a):
    learner_import = run_import(school_a, admin_a, xml_file(), confirm=False)
    assert imports.learner_imports_fail_stuck(now=later(24 * 3600)) == 0
    learner_import.refresh_from_db()
    assert learner_import.awaits_confirmation


def test_finished_imports_are_left_alone(school_a, admin_a):
    run_import(school_a, admin_a, xml_file())
    assert imports.learner_imports_fail_stuck(now=later()) == 0


def test_a_confirmed_import_still_waiting_for_its_writer_blocks_a_new_upload(school_a, admin_a):
    learner_import = run_import(school_a, admin_a, xml_file(), confirm=False)
    imports.learner_import_confirm(learner_import=learner_import, actor=admin_a)
    with pytest.raises(imports.ApplicationError) as error:
        upload(school_a, admin_a)
    assert error.value.code == "IMPORT_ALREADY_RUNNING"
    learner_import.refresh_from_db()
    assert learner_import.status == "VALIDATED" and learner_import.apply_when_valid


def test_reading_an_import_never_fails_it_the_sweep_does(school_a, admin_a, client):
    learner_import = upload(school_a, admin_a)
    LearnerImport.objects.filter(pk=learner_import.pk).update(created_at=timezone.now() - timedelta(days=1))
    api = APIClient()
    api.force_authenticate(admin_a)
    assert api.get(f"/api/imports/{learner_import.pk}/").json()["status"] == "UPLOADED"
    client.force_login(admin_a)
    client.get(reverse("students:import_detail", kwargs={"org_id": school_a.pk, "import_id": learner_import.pk}))
    client.get(reverse("students:import", kwargs={"org_id": school_a.pk}))
    learner_import.refresh_from_db()
    assert learner_import.status == "UPLOADED"


@pytest.mark.django_db(transaction=True)
def test_a_writer_still_running_when_the_sweep_fails_it_writes_nothing(school_a, admin_a, monkeypatch):
    """A slow writer past the delay: the sweep's error stands, the writer's transaction is rolled back."""
    monkeypatch.setattr(imports, "_enqueue_apply", lambda import_id: None)  # this test plays the writer itself
    learner_import = run_import(school_a, admin_a, xml_file(), confirm=False)
    imports.learner_import_confirm(learner_import=learner_import, actor=admin_a)
    original_reporter = imports._reporter
    swept = []

    def sweep_in_its_own_connection():
        try:
            swept.append(imports.learner_imports_fail_stuck(now=later()))
        finally:
            connection.close()

    def reporter_sweeping_midway(import_id, start, span):
        report = original_reporter(import_id, start, span)

        def sweep_then_report(fraction):
            if fraction == 0.5:  # new students inserted, transaction still open: the sweep comes by
                sweeper = threading.Thread(target=sweep_in_its_own_connection)
                sweeper.start()
                sweeper.join()
            report(fraction)

        return sweep_then_report

    monkeypatch.setattr(imports, "_reporter", reporter_sweeping_midway)
    imports.learner_import_apply(import_id=learner_import.pk)
    assert swept == [1]
    assert_failed_in_french(learner_import, "IMPORT_ERROR")
    assert not school_a.learners.exists()
