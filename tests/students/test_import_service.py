"""The import pipeline through its services, on the real database (phases called in-process)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditLogEntry, Membership
from pixorga.errors import ApplicationError
from students.importers.samples import SampleStudent
from students.models import LearnerImport, OrganizationLearner
from students.services import imports
from tests.accounts.factories import MembershipFactory
from tests.students.factories import OrganizationLearnerFactory
from tests.students.files import UAI, students, xml_file, zipped

pytestmark = pytest.mark.django_db


def upload(
    organization,
    admin,
    data: bytes | None = None,
    name="ElevesSansAdresses.xml",
    file_format="siecle-xml",
    apply_when_valid=False,
):
    """The upload only: the validation task is not queued."""
    return imports.learner_import_create(
        organization=organization,
        created_by=admin,
        uploaded_file=SimpleUploadedFile(name, xml_file() if data is None else data),
        file_format=file_format,
        apply_when_valid=apply_when_valid,
        enqueue=False,
    )


def run_import(organization, admin, data: bytes, name="ElevesSansAdresses.xml", file_format="siecle-xml", confirm=True):
    learner_import = upload(organization, admin, data, name=name, file_format=file_format)
    imports.learner_import_validate(import_id=learner_import.pk, enqueue_apply=False)
    learner_import.refresh_from_db()
    if confirm and learner_import.status == "VALIDATED":
        LearnerImport.objects.filter(pk=learner_import.pk).update(apply_when_valid=True)
        imports.learner_import_apply(import_id=learner_import.pk)
        learner_import.refresh_from_db()
    return learner_import


def snapshot(organization):
    return list(organization.learners.order_by("pk").values())


def test_a_valid_file_shows_a_preview_then_writes_on_confirmation(school_a, admin_a):
    learner_import = run_import(school_a, admin_a, xml_file(), confirm=False)
    assert learner_import.status == "VALIDATED" and learner_import.awaits_confirmation
    assert learner_import.preview["created"] == 3 and len(learner_import.preview["new"]) == 3
    assert not school_a.learners.exists()
    LearnerImport.objects.filter(pk=learner_import.pk).update(apply_when_valid=True)
    imports.learner_import_apply(import_id=learner_import.pk)
    learner_import.refresh_from_db()
    assert learner_import.status == "IMPORTED"
    assert learner_import.summary == {"created": 3, "updated": 0, "disabled": 0}
    assert school_a.learners.count() == 3
    assert AuditLogEntry.objects.filter(organization=school_a, kind="learners_imported").exists()


def test_the_audit_entry_names_the_admin_who_confirmed_not_the_one_who_uploaded(school_a, admin_a):
    colleague = MembershipFactory(organization=school_a, role=Membership.Role.ADMIN, user__first_name="Claire").user
    learner_import = run_import(school_a, admin_a, xml_file(), confirm=False)
    imports.learner_import_confirm(learner_import=learner_import, actor=colleague)  # the task runs it next:
    imports.learner_import_apply(import_id=learner_import.pk)
    entry = AuditLogEntry.objects.get(organization=school_a, kind="learners_imported")
    assert entry.actor == colleague


def test_an_import_applied_without_confirmation_is_audited_under_its_uploader(school_a, admin_a):
    run_import(school_a, admin_a, xml_file())
    assert AuditLogEntry.objects.get(organization=school_a, kind="learners_imported").actor == admin_a


def test_an_unconfirmed_import_is_never_written_even_if_the_task_runs(school_a, admin_a):
    learner_import = run_import(school_a, admin_a, xml_file(), confirm=False)
    imports.learner_import_apply(import_id=learner_import.pk)
    assert not school_a.learners.exists()


def test_a_file_with_errors_changes_nothing_and_lists_every_error(school_a, admin_a):
    run_import(school_a, admin_a, xml_file())
    before = snapshot(school_a)
    bad = students(3)
    bad[0].sex = ""
    bad[2].birthdate = "99/99/2010"
    learner_import = run_import(school_a, admin_a, xml_file(bad))
    assert learner_import.status == "VALIDATION_ERROR"
    assert [e["code"] for e in learner_import.errors] == ["SEX_CODE_REQUIRED", "INVALID_BIRTHDATE_FORMAT"]
    assert all(e["ine"] for e in learner_import.errors)
    assert snapshot(school_a) == before


def test_the_wrong_schools_file_changes_nothing(school_a, admin_a):
    learner_import = run_import(school_a, admin_a, xml_file(uaj="0690000Z"))
    assert learner_import.status == "VALIDATION_ERROR" and learner_import.errors[0]["code"] == "UAI_MISMATCHED"
    assert not school_a.learners.exists()


def test_reimporting_the_same_file_writes_nothing(school_a, admin_a):
    run_import(school_a, admin_a, xml_file())
    before = snapshot(school_a)
    learner_import = run_import(school_a, admin_a, zipped({"ElevesSansAdresses.xml": xml_file()}), name="export.zip")
    assert learner_import.summary == {"created": 0, "updated": 0, "disabled": 0}
    assert snapshot(school_a) == before


def test_next_years_file_disables_leavers_keeps_their_records_and_welcomes_newcomers(school_a, admin_a):
    first_year = students(3)
    run_import(school_a, admin_a, xml_file(first_year))
    leaver = OrganizationLearner.objects.get(national_student_id=first_year[0].ine)
    newcomer = SampleStudent("9", "999999999NW", "Nina", "Nouvelle")
    second_year = [*first_year[1:], newcomer]
    second_year[0].division = "1ERE 2"
    learner_import = run_import(school_a, admin_a, xml_file(second_year), confirm=False)
    assert (
        learner_import.preview["created"],
        learner_import.preview["updated"],
        learner_import.preview["disabled"],
    ) == (1, 1, 1)
    assert learner_import.preview["leaving"][0]["ine"] == leaver.national_student_id
    LearnerImport.objects.filter(pk=learner_import.pk).update(apply_when_valid=True)
    imports.learner_import_apply(import_id=learner_import.pk)
    leaver.refresh_from_db()
    assert leaver.is_disabled and OrganizationLearner.objects.filter(pk=leaver.pk).exists()
    assert school_a.learners.get(national_student_id=second_year[0].ine).division == "1ERE 2"
    assert school_a.learners.filter(is_disabled=False).count() == 3


def test_a_returning_student_is_enabled_again_with_the_same_record(school_a, admin_a):
    items = students(2)
    run_import(school_a, admin_a, xml_file(items))
    run_import(school_a, admin_a, xml_file(items[:1]))
    returning = school_a.learners.get(national_student_id=items[1].ine)
    assert returning.is_disabled
    run_import(school_a, admin_a, xml_file(items))
    assert school_a.learners.get(pk=returning.pk).is_disabled is False


def test_an_import_never_touches_another_schools_students(school_a, admin_a, school_b):
    other = OrganizationLearnerFactory(organization=school_b, national_student_id=students(1)[0].ine)
    run_import(school_a, admin_a, xml_file())
    other.refresh_from_db()
    assert other.is_disabled is False and other.organization == school_b


def test_a_linked_account_survives_reimport(school_a, admin_a, student):
    items = students(1)
    run_import(school_a, admin_a, xml_file(items))
    school_a.learners.update(user=student)
    items[0].last_name = "Martin-Durand"
    run_import(school_a, admin_a, xml_file(items))
    assert school_a.learners.get().user == student


def test_formats_are_reserved_to_the_right_organisations(school_a, admin_a):
    with pytest.raises(ApplicationError) as error:
        imports.learner_import_create(
            organization=school_a,
            created_by=admin_a,
            uploaded_file=SimpleUploadedFile("e.csv", b"x"),
            file_format="sup-csv",
        )
    assert error.value.status_code == 403


def test_a_wrong_extension_or_an_oversized_file_is_refused_before_storing(school_a, admin_a, settings):
    with pytest.raises(ApplicationError) as error:
        imports.learner_import_create(
            organization=school_a,
            created_by=admin_a,
            uploaded_file=SimpleUploadedFile("eleves.pdf", b"%PDF"),
            file_format="siecle-xml",
        )
    assert error.value.code == "INVALID_FILE_EXTENSION"
    settings.MAX_UPLOAD_SIZE = 10
    with pytest.raises(ApplicationError) as error:
        imports.learner_import_create(
            organization=school_a,
            created_by=admin_a,
            uploaded_file=SimpleUploadedFile("e.xml", b"x" * 11),
            file_format="siecle-xml",
        )
    assert error.value.status_code == 413
    assert not LearnerImport.objects.exists()


def test_a_second_import_waits_for_the_first(school_a, admin_a):
    imports.learner_import_create(
        organization=school_a,
        created_by=admin_a,
        uploaded_file=SimpleUploadedFile("a.xml", xml_file()),
        file_format="siecle-xml",
        enqueue=False,
    )
    with pytest.raises(ApplicationError) as error:
        imports.learner_import_create(
            organization=school_a,
            created_by=admin_a,
            uploaded_file=SimpleUploadedFile("b.xml", xml_file()),
            file_format="siecle-xml",
            enqueue=False,
        )
    assert error.value.code == "IMPORT_ALREADY_RUNNING"


def test_tasks_are_safe_to_run_twice(school_a, admin_a):
    learner_import = run_import(school_a, admin_a, xml_file())
    imports.learner_import_validate(import_id=learner_import.pk)
    imports.learner_import_apply(import_id=learner_import.pk)
    assert school_a.learners.count() == 3
    assert LearnerImport.objects.get(pk=learner_import.pk).status == "IMPORTED"


def test_the_csv_and_sup_pipelines_write_learners(school_a, admin_a):
    from tests.students.test_csv_parsers import ROW, SIECLE_HEADER

    learner_import = run_import(
        school_a, admin_a, f"{SIECLE_HEADER}\n{ROW}\n".encode(), name="eleves.csv", file_format="siecle-csv"
    )
    assert learner_import.status == "IMPORTED" and school_a.learners.get().first_name == "Cœline"


def test_students_are_searched_without_accents_or_case(school_a, admin_a):
    from students.selectors import learners_list_for_organization

    run_import(school_a, admin_a, xml_file([SampleStudent("1", "123456789AB", "Éloïse", "Lefèvre")]))
    assert learners_list_for_organization(organization=school_a, search="lefevre eloise").count() == 1
    assert learners_list_for_organization(organization=school_a, search="123456789ab").count() == 1
    assert learners_list_for_organization(organization=school_a, search="dupont").count() == 0


def test_the_import_uai_check_uses_this_organisation(school_a, admin_a):
    assert school_a.external_id == UAI


def test_a_new_upload_supersedes_an_unconfirmed_preview(school_a, admin_a):
    first = run_import(school_a, admin_a, xml_file(), confirm=False)
    second = run_import(school_a, admin_a, xml_file(students(5)), confirm=False)
    first.refresh_from_db()
    assert first.status == "IMPORT_ERROR" and first.errors[0]["code"] == "IMPORT_SUPERSEDED"
    LearnerImport.objects.filter(pk=first.pk).update(status="VALIDATED", apply_when_valid=True)
    imports.learner_import_apply(import_id=first.pk)  # even forced, no staged rows: nothing is disabled
    assert LearnerImport.objects.get(pk=first.pk).status == "IMPORT_ERROR"
    assert second.preview["created"] == 5


def test_the_command_prints_a_json_summary_and_dry_run_writes_nothing(school_a, tmp_path, capsys):
    import json

    from django.core.management import call_command

    path = tmp_path / "ElevesSansAdresses.xml"
    path.write_bytes(xml_file())
    call_command("import_students", str(path), "--organization", UAI, "--dry-run")
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "VALIDATED" and report["created"] == 3
    assert not school_a.learners.exists() and not LearnerImport.objects.exists()
    call_command("import_students", str(path), "--organization", UAI)
    report = json.loads(capsys.readouterr().out)
    assert report == {"status": "IMPORTED", "dry_run": False, "created": 3, "updated": 0, "disabled": 0, "errors": []}
