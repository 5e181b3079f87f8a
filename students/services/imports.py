"""Student imports: upload → validate (all errors, a preview) → apply in one transaction.

Rules (PRODUCT.md §4, reference pix-domain §2.2 and §3):
- SIECLE formats are for SCO organisations managing students, the SUP file for SUP ones; the file's
  UAJ must equal the organisation's UAI;
- validation collects every error before anything is written; any error → VALIDATION_ERROR and not one
  row changes;
- applying is one transaction: new students are created, changed ones updated, and active students
  absent from the file are disabled, never deleted (their results stay); re-importing the same file
  writes nothing;
- tasks are safe to run twice: each phase claims its row with a conditional update; a phase that dies
  mid-way is detected after ``LEARNER_IMPORT_STUCK_AFTER`` and marked as an error asking to retry.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import AuditLogEntry, Organization, User
from pixorga.errors import ApplicationError
from students.importers.common import MESSAGES, ImportFileError, ImportIssue, ParsedLearner, ParseResult
from students.importers.csv_formats import parse_siecle_csv, parse_sup_csv
from students.importers.siecle_xml import parse_siecle_xml
from students.models import LearnerImport, OrganizationLearner

logger = logging.getLogger(__name__)

IMPORT_NOT_ALLOWED = "Cet espace ne gère pas l'import de ses élèves avec ce format de fichier."
IMPORT_TOO_LARGE = "Le fichier dépasse la taille maximale de {limit} Mo."
IMPORT_BAD_EXTENSION = MESSAGES["INVALID_FILE_EXTENSION"]
IMPORT_NOT_CONFIRMABLE = "Cet import n'attend pas de confirmation."
IMPORT_INTERRUPTED = (
    "Le traitement du fichier s'est interrompu. Aucun élève n'a été modifié : relancez l'import avec le même fichier."
)
IMPORT_FAILED = "L'import n'a pas pu être enregistré. Aucun élève n'a été modifié : relancez l'import."
ALREADY_RUNNING = "Un import est déjà en cours pour cet établissement : attendez qu'il se termine."

EXTENSIONS = {
    LearnerImport.Format.SIECLE_XML: (".xml", ".zip"),
    LearnerImport.Format.SIECLE_CSV: (".csv",),
    LearnerImport.Format.SUP_CSV: (".csv",),
}
COMPARED_FIELDS = [f for f in ParsedLearner.__slots__ if f != "line"]
PREVIEW_LIST_LIMIT = 300
MAX_STORED_ERRORS = 2000


def _stuck_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "LEARNER_IMPORT_STUCK_AFTER", 15 * 60))


def _format_allowed(organization: Organization, file_format: str) -> bool:
    if file_format == LearnerImport.Format.SUP_CSV:
        return organization.type == Organization.Type.SUP
    return organization.is_sco_managing_students


def learner_import_create(
    *,
    organization: Organization,
    created_by: User | None,
    uploaded_file: UploadedFile,
    file_format: str,
    apply_when_valid: bool = False,
    enqueue: bool = True,
) -> LearnerImport:
    """Store the upload and queue its validation. Refusals here are 4xx; the file is not kept.

    ``enqueue=False`` is for the command line, which runs both phases itself.
    """
    if file_format not in LearnerImport.Format.values or not _format_allowed(organization, file_format):
        raise ApplicationError(IMPORT_NOT_ALLOWED, "IMPORT_NOT_ALLOWED", status_code=403)
    if uploaded_file.size > settings.MAX_UPLOAD_SIZE:
        limit = settings.MAX_UPLOAD_SIZE // (1024 * 1024)
        raise ApplicationError(IMPORT_TOO_LARGE.format(limit=limit), "FILE_TOO_LARGE", status_code=413)
    name = PurePath(uploaded_file.name or "fichier").name[:200]
    if not name.lower().endswith(EXTENSIONS[file_format]):
        raise ApplicationError(IMPORT_BAD_EXTENSION.format(filename=name), "INVALID_FILE_EXTENSION")
    with transaction.atomic(durable=True):
        Organization.objects.select_for_update().get(pk=organization.pk)
        running = organization.learner_imports.filter(working_since__isnull=False).exists() or (
            organization.learner_imports.filter(status=LearnerImport.Status.UPLOADED).exists()
        )
        if running:
            raise ApplicationError(ALREADY_RUNNING, "IMPORT_ALREADY_RUNNING", status_code=409)
        learner_import = LearnerImport(
            organization=organization,
            created_by=created_by,
            format=file_format,
            filename=name,
            apply_when_valid=apply_when_valid,
        )
        learner_import.file.save(name, uploaded_file, save=False)
        learner_import.save()
        if enqueue:
            _enqueue_validation(learner_import.pk)
    return learner_import


def _enqueue_validation(import_id: int) -> None:
    from students.tasks import learner_import_validate

    transaction.on_commit(lambda: learner_import_validate.delay(import_id))


def _enqueue_apply(import_id: int) -> None:
    from students.tasks import learner_import_apply

    transaction.on_commit(lambda: learner_import_apply.delay(import_id))


def _progress_key(import_id: int) -> str:
    return f"learner-import-progress:{import_id}"


def learner_import_progress(learner_import: LearnerImport) -> int:
    """0–100: validation is the first half, writing the second; live figures come from the cache."""
    if learner_import.is_finished:
        return 100
    live = cache.get(_progress_key(learner_import.pk))
    return max(learner_import.progress, int(live or 0))


def _reporter(import_id: int, start: int, span: int):
    last = {"value": -1}

    def report(fraction: float) -> None:
        value = start + int(span * fraction)
        if value != last["value"]:
            last["value"] = value
            cache.set(_progress_key(import_id), value, timeout=3600)

    return report


def _claim(import_id: int, status: str) -> LearnerImport | None:
    """Take the row for this phase, or None if another worker has it or it is already past this phase."""
    now = timezone.now()
    claimed = LearnerImport.objects.filter(pk=import_id, status=status, working_since__isnull=True).update(
        working_since=now, updated_at=now
    )
    return LearnerImport.objects.select_related("organization").get(pk=import_id) if claimed else None


def _parse(learner_import: LearnerImport, on_progress) -> ParseResult:
    organization = learner_import.organization
    with learner_import.file.open("rb") as handle:
        if learner_import.format == LearnerImport.Format.SIECLE_XML:
            return parse_siecle_xml(
                handle,
                expected_uai=organization.external_id,
                organization_name=organization.name,
                on_progress=on_progress,
            )
        if learner_import.format == LearnerImport.Format.SIECLE_CSV:
            return parse_siecle_csv(handle)
        return parse_sup_csv(handle)


@dataclass
class LearnerDiff:
    new: list[ParsedLearner] = field(default_factory=list)
    changed: list[tuple[OrganizationLearner, ParsedLearner]] = field(default_factory=list)
    leaving: list[OrganizationLearner] = field(default_factory=list)
    unchanged: int = 0


def _key_field(learner_import: LearnerImport) -> str:
    return "student_number" if learner_import.format == LearnerImport.Format.SUP_CSV else "national_student_id"


def _diff(organization: Organization, parsed: list[ParsedLearner], key: str) -> LearnerDiff:
    existing = {
        getattr(learner, key): learner
        for learner in organization.learners.exclude(**{f"{key}__isnull": True})
        .exclude(**{key: ""})
        .only("id", "is_disabled", *COMPARED_FIELDS)
    }
    diff = LearnerDiff()
    in_file = set()
    for row in parsed:
        identifier = getattr(row, key)
        in_file.add(identifier)
        current = existing.get(identifier)
        if current is None:
            diff.new.append(row)
        elif current.is_disabled or any(getattr(current, f) != getattr(row, f) for f in COMPARED_FIELDS):
            diff.changed.append((current, row))
        else:
            diff.unchanged += 1
    diff.leaving = [learner for k, learner in existing.items() if k not in in_file and not learner.is_disabled]
    return diff


def _person(learner) -> dict:
    return {
        "first_name": learner.first_name,
        "last_name": learner.last_name,
        "division": learner.division or learner.group,
        "ine": learner.national_student_id or learner.student_number,
    }


def _preview(diff: LearnerDiff) -> dict:
    def names(items):
        return sorted((_person(i) for i in items[:PREVIEW_LIST_LIMIT]), key=lambda p: (p["division"], p["last_name"]))

    return {
        "created": len(diff.new),
        "updated": len(diff.changed),
        "disabled": len(diff.leaving),
        "unchanged": diff.unchanged,
        "new": names(diff.new),
        "changed": names([row for _, row in diff.changed]),
        "leaving": names(diff.leaving),
    }


def _finish(learner_import: LearnerImport, **changes) -> None:
    changes.setdefault("working_since", None)
    changes["updated_at"] = timezone.now()
    LearnerImport.objects.filter(pk=learner_import.pk).update(**changes)
    cache.delete(_progress_key(learner_import.pk))


def learner_import_validate(*, import_id: int, enqueue_apply: bool = True) -> None:
    """Check the whole file; keep every error, or a preview of what applying would change."""
    learner_import = _claim(import_id, LearnerImport.Status.UPLOADED)
    if learner_import is None:
        return
    try:
        result = _parse(learner_import, _reporter(import_id, 0, 45))
    except ImportFileError as error:
        _finish(
            learner_import, status=LearnerImport.Status.VALIDATION_ERROR, errors=[error.issue.as_dict()], progress=100
        )
        return
    except Exception:
        logger.exception("validation de l'import %s", import_id)
        _finish(learner_import, status=LearnerImport.Status.VALIDATION_ERROR, errors=[_interrupted()], progress=100)
        return
    if result.issues:
        _finish(
            learner_import,
            status=LearnerImport.Status.VALIDATION_ERROR,
            errors=[i.as_dict() for i in result.issues[:MAX_STORED_ERRORS]],
            encoding=result.encoding,
            progress=100,
        )
        return
    diff = _diff(learner_import.organization, result.learners, _key_field(learner_import))
    with transaction.atomic():
        _finish(
            learner_import,
            status=LearnerImport.Status.VALIDATED,
            preview=_preview(diff),
            encoding=result.encoding,
            progress=50,
        )
        if learner_import.apply_when_valid and enqueue_apply:
            _enqueue_apply(import_id)


@transaction.atomic(durable=True)
def learner_import_confirm(*, learner_import: LearnerImport, actor: User) -> LearnerImport:
    """The admin saw the preview and confirms: writing is queued."""
    updated = LearnerImport.objects.filter(
        pk=learner_import.pk, status=LearnerImport.Status.VALIDATED, apply_when_valid=False, working_since__isnull=True
    ).update(apply_when_valid=True, updated_at=timezone.now())
    if not updated:
        raise ApplicationError(IMPORT_NOT_CONFIRMABLE, "IMPORT_NOT_CONFIRMABLE", status_code=409)
    _enqueue_apply(learner_import.pk)
    learner_import.refresh_from_db()
    return learner_import


def _learner_from(row: ParsedLearner, organization: Organization, now) -> OrganizationLearner:
    values = {f: getattr(row, f) for f in COMPARED_FIELDS}
    learner = OrganizationLearner(
        organization=organization, is_disabled=False, created_at=now, updated_at=now, **values
    )
    learner.refresh_search_text()
    return learner


@transaction.atomic(durable=True)
def _write(learner_import: LearnerImport, parsed: list[ParsedLearner], report) -> dict:
    organization = Organization.objects.select_for_update().get(pk=learner_import.organization_id)
    diff = _diff(organization, parsed, _key_field(learner_import))
    now = timezone.now()
    total = max(1, len(diff.new) + len(diff.changed) + len(diff.leaving))
    done = 0
    for start in range(0, len(diff.new), 2000):
        batch = diff.new[start : start + 2000]
        OrganizationLearner.objects.bulk_create([_learner_from(row, organization, now) for row in batch])
        done += len(batch)
        report(done / total)
    for start in range(0, len(diff.changed), 2000):
        batch = diff.changed[start : start + 2000]
        for current, row in batch:
            for name in COMPARED_FIELDS:
                setattr(current, name, getattr(row, name))
            current.is_disabled = False
            current.updated_at = now
            current.refresh_search_text()
        OrganizationLearner.objects.bulk_update(
            [c for c, _ in batch], [*COMPARED_FIELDS, "is_disabled", "updated_at", "search_text"]
        )
        done += len(batch)
        report(done / total)
    leaving_ids = [learner.pk for learner in diff.leaving]
    for start in range(0, len(leaving_ids), 5000):
        OrganizationLearner.objects.filter(pk__in=leaving_ids[start : start + 5000]).update(
            is_disabled=True, updated_at=now
        )
    summary = {"created": len(diff.new), "updated": len(diff.changed), "disabled": len(leaving_ids)}
    AuditLogEntry.objects.create(
        organization=organization,
        actor=learner_import.created_by,
        kind=AuditLogEntry.Kind.LEARNERS_IMPORTED,
        extra={"import_id": learner_import.pk, "filename": learner_import.filename, **summary},
    )
    _finish(learner_import, status=LearnerImport.Status.IMPORTED, summary=summary, progress=100)
    return summary


def learner_import_apply(*, import_id: int) -> None:
    """Write the validated file: everything in one transaction, or nothing and IMPORT_ERROR."""
    learner_import = _claim(import_id, LearnerImport.Status.VALIDATED)
    if learner_import is None:
        return
    if not learner_import.apply_when_valid:
        _finish(learner_import)  # not confirmed: give the row back
        return
    try:
        result = _parse(learner_import, _reporter(import_id, 50, 15))
        if result.issues:
            raise ValueError("le fichier ne valide plus")
        _write(learner_import, result.learners, _reporter(import_id, 65, 35))
    except Exception:
        logger.exception("écriture de l'import %s", import_id)
        _finish(learner_import, status=LearnerImport.Status.IMPORT_ERROR, errors=[_failed()], progress=100)


def _interrupted() -> dict:
    return ImportIssue(code="IMPORT_INTERRUPTED", detail=IMPORT_INTERRUPTED).as_dict()


def _failed() -> dict:
    return ImportIssue(code="IMPORT_FAILED", detail=IMPORT_FAILED).as_dict()


def learner_imports_fail_stuck(*, organization: Organization) -> int:
    """Mark imports whose task stopped answering (killed worker…) as errors asking to retry."""
    limit = timezone.now() - _stuck_after()
    stuck = organization.learner_imports.filter(
        Q(working_since__lt=limit) | Q(status=LearnerImport.Status.UPLOADED, created_at__lt=limit)
    )
    count = 0
    for learner_import in stuck:
        failed_status = (
            LearnerImport.Status.IMPORT_ERROR
            if learner_import.status == LearnerImport.Status.VALIDATED
            else LearnerImport.Status.VALIDATION_ERROR
        )
        count += LearnerImport.objects.filter(pk=learner_import.pk, working_since=learner_import.working_since).update(
            status=failed_status, errors=[_interrupted()], working_since=None, progress=100, updated_at=timezone.now()
        )
    return count
