"""Imports through the real Celery worker, including a worker killed in the middle of writing or at the hand-over
from validation to writing, and the periodic sweep run as a real task."""

import os
import signal
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from rest_framework.test import APIClient

from pixorga.tasks import ping
from students.importers.samples import fake_students, siecle_xml
from students.models import LearnerImport
from students.services import imports
from students.tasks import learner_import_apply, learner_import_validate, learner_imports_fail_stuck
from tests.conftest import start_worker, stop_worker, wait_until
from tests.students.factories import OrganizationLearnerFactory
from tests.students.files import UAI, xml_file, zipped

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_api_import_runs_on_the_worker_to_the_end(celery_worker_process, admin_a, school_a):
    api = APIClient()
    api.force_authenticate(admin_a)
    created = api.post(f"/api/organizations/{school_a.pk}/imports/", {"file": SimpleUploadedFile("e.xml", xml_file())})
    assert created.status_code == 202
    url = f"/api/imports/{created.json()['id']}/"
    final = wait_until(lambda: (body := api.get(url).json())["status"] in ("IMPORTED", "VALIDATION_ERROR") and body)
    assert final["status"] == "IMPORTED" and final["progress"] == 100
    assert final["summary"] == {"created": 3, "updated": 0, "disabled": 0}
    assert school_a.learners.count() == 3


def past_the_stuck_delay(learner_import) -> None:
    """Move the row back in time instead of waiting: the worker's sweep uses the real delay."""
    shift = timedelta(seconds=settings.LEARNER_IMPORT_STUCK_AFTER + 60)
    LearnerImport.objects.filter(pk=learner_import.pk).update(
        created_at=F("created_at") - shift,
        updated_at=F("updated_at") - shift,
        working_since=F("working_since") - shift,
    )


def on_a_fresh_worker(*, queues: str = "kill-test", then=None):
    """Start a worker (what a restart after the kill does), run ``then`` against it, stop it."""
    worker = start_worker(queue=queues)
    try:
        assert ping.apply_async(args=["prêt"], queue="kill-test").get(timeout=60) == "prêt"
        return then()
    finally:
        stop_worker(worker)


def the_periodic_sweep() -> int:
    return learner_imports_fail_stuck.apply_async(queue="kill-test").get(timeout=60)


def the_writing_delivered_again(learner_import) -> None:
    """The message the killed worker never acknowledged, given back by the broker after the delay."""
    learner_import_apply.apply_async(args=[learner_import.pk], queue="kill-test").get(timeout=60)


def assert_interrupted_and_nothing_written(learner_import, school, previous) -> None:
    learner_import.refresh_from_db()
    assert learner_import.status == "IMPORT_ERROR" and learner_import.working_since is None
    assert learner_import.errors == [{"code": "IMPORT_INTERRUPTED", "detail": imports.IMPORT_INTERRUPTED}]
    assert list(school.learners.values_list("national_student_id", "is_disabled")) == [("000000001OL", False)]
    previous.refresh_from_db()
    assert previous.is_disabled is False and previous.last_name == "Ancien"


def test_a_worker_killed_while_writing_leaves_the_previous_students_intact(admin_a, school_a):
    previous = OrganizationLearnerFactory(organization=school_a, national_student_id="000000001OL", last_name="Ancien")
    data = zipped({"ElevesSansAdresses.xml": siecle_xml(fake_students(60_000, seed=3), uaj=UAI)})
    learner_import = imports.learner_import_create(
        organization=school_a,
        created_by=admin_a,
        uploaded_file=SimpleUploadedFile("grand.zip", data),
        file_format="siecle-xml",
        enqueue=False,
    )
    imports.learner_import_validate(import_id=learner_import.pk, enqueue_apply=False)
    LearnerImport.objects.filter(pk=learner_import.pk).update(apply_when_valid=True)

    worker = start_worker(queue="kill-test")
    try:
        assert ping.apply_async(args=["prêt"], queue="kill-test").get(timeout=60) == "prêt"
        learner_import_apply.apply_async(args=[learner_import.pk], queue="kill-test")
        # Progress above 65 % means the write transaction is open (the parse phase ends at 65 %).
        wait_until(
            lambda: (cache.get(f"learner-import-progress:{learner_import.pk}") or 0) > 66, timeout=60, interval=0.02
        )
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            stop_worker(worker)

    assert list(school_a.learners.values_list("national_student_id", "is_disabled")) == [("000000001OL", False)]
    learner_import.refresh_from_db()
    assert learner_import.status == "VALIDATED" and learner_import.working_since is not None
    past_the_stuck_delay(learner_import)

    def sweep_then_deliver_late():
        swept = the_periodic_sweep()
        the_writing_delivered_again(learner_import)
        return swept

    assert on_a_fresh_worker(then=sweep_then_deliver_late) == 1
    assert_interrupted_and_nothing_written(learner_import, school_a, previous)


def test_a_worker_killed_at_the_hand_over_from_validation_to_writing_fails_the_import(admin_a, school_a, monkeypatch):
    """Validated, writing queued on a queue no worker reads yet, the worker killed: nobody writes; the sweep
    fails it in French, and the writing task, delivered at last, finds nothing to apply."""
    previous = OrganizationLearnerFactory(organization=school_a, national_student_id="000000001OL", last_name="Ancien")
    data = zipped({"ElevesSansAdresses.xml": siecle_xml(fake_students(3_000, seed=4), uaj=UAI)})
    learner_import = imports.learner_import_create(
        organization=school_a,
        created_by=admin_a,
        uploaded_file=SimpleUploadedFile("eleves.zip", data),
        file_format="siecle-xml",
        apply_when_valid=True,
        enqueue=False,
    )
    monkeypatch.setenv("CELERY_QUEUE", "kill-test-late")  # where this worker's tasks queue the writing
    worker = start_worker(queue="kill-test")
    try:
        assert ping.apply_async(args=["prêt"], queue="kill-test").get(timeout=60) == "prêt"
        learner_import_validate.apply_async(args=[learner_import.pk], queue="kill-test")
        wait_until(
            lambda: LearnerImport.objects.filter(pk=learner_import.pk, status="VALIDATED").exists(),
            timeout=60,
            interval=0.02,
        )
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            stop_worker(worker)
    monkeypatch.delenv("CELERY_QUEUE")

    learner_import.refresh_from_db()
    assert learner_import.status == "VALIDATED" and learner_import.working_since is None
    assert imports.learner_import_progress(learner_import) == 50
    past_the_stuck_delay(learner_import)

    def deliver_late_then_sweep():
        # Whatever the killed worker had queued for the writing is consumed first, then delivered again:
        # each finds the hand-over older than the delay and fails the import instead of applying it.
        assert ping.apply_async(args=["vidé"], queue="kill-test-late").get(timeout=60) == "vidé"  # first in, first out
        the_writing_delivered_again(learner_import)
        assert_interrupted_and_nothing_written(learner_import, school_a, previous)
        return the_periodic_sweep()

    assert on_a_fresh_worker(queues="kill-test,kill-test-late", then=deliver_late_then_sweep) == 0
    assert_interrupted_and_nothing_written(learner_import, school_a, previous)


def test_a_confirmed_import_whose_writer_never_came_is_failed_by_the_periodic_sweep_task(admin_a, school_a):
    """The hand-over's task lost for good: the sweep, run by the worker as beat would, fails it in French."""
    previous = OrganizationLearnerFactory(organization=school_a, national_student_id="000000001OL", last_name="Ancien")
    learner_import = imports.learner_import_create(
        organization=school_a,
        created_by=admin_a,
        uploaded_file=SimpleUploadedFile("e.xml", xml_file()),
        file_format="siecle-xml",
        enqueue=False,
    )
    imports.learner_import_validate(import_id=learner_import.pk, enqueue_apply=False)
    LearnerImport.objects.filter(pk=learner_import.pk).update(apply_when_valid=True)  # confirmed, task lost
    past_the_stuck_delay(learner_import)
    assert on_a_fresh_worker(then=the_periodic_sweep) == 1
    assert_interrupted_and_nothing_written(learner_import, school_a, previous)
