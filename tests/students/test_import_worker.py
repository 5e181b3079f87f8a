"""Imports through the real Celery worker, including a worker killed in the middle of writing."""

import os
import signal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from pixorga.tasks import ping
from students.importers.samples import fake_students, siecle_xml
from students.models import LearnerImport
from students.services import imports
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


def test_a_worker_killed_while_writing_leaves_the_previous_students_intact(admin_a, school_a, settings):
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
        from students.tasks import learner_import_apply

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
    settings.LEARNER_IMPORT_STUCK_AFTER = 0
    imports.learner_imports_fail_stuck(organization=school_a)
    learner_import.refresh_from_db()
    assert learner_import.status == "IMPORT_ERROR"
    assert "relancez" in learner_import.errors[0]["detail"]
    previous.refresh_from_db()
    assert previous.is_disabled is False
