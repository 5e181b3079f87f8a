"""Student imports: upload → validate (all errors, a preview) → apply in one transaction.

Rules (PRODUCT.md §4, reference pix-domain §2.2 and §3):
- SIECLE formats are for SCO organisations managing students, the SUP file for SUP ones; the file's
  UAJ must equal the organisation's UAI;
- validation collects every error before anything is written; any error → VALIDATION_ERROR and not one
  row changes;
- applying is one transaction: new students are created, changed ones updated, and active students
  absent from the file are disabled, never deleted (their results stay); re-importing the same file
  writes nothing;
- tasks are safe to run twice: each phase claims its row with a conditional update, and ends with one
  conditional on that claim (a phase whose claim was taken back writes nothing: its transaction rolls back);
- every import ends IMPORTED or in a French error: the periodic sweep (Celery beat, ``SWEEP_TASK``) fails
  a phase silent for ``LEARNER_IMPORT_STUCK_AFTER`` — validation never started or died, writing never
  started after the hand-over (validated and confirmed, the task lost) or died. A failed import is never
  resumed, so a lost task delivered late finds nothing to apply. A preview waiting for the admin's
  confirmation is not stuck: it waits for a person, and a newer upload supersedes it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import AuditLogEntry, Organization, User
from pixorga.errors import ApplicationError
from students.importers.common import MESSAGES, ImportFileError, ImportIssue, ParsedLearner, ParseResult
from students.importers.csv_formats import parse_siecle_csv, parse_sup_csv
from students.importers.siecle_xml import parse_siecle_xml
from students.models import LearnerImport, OrganizationLearner, StagedLearner, search_text_of

logger = logging.getLogger(__name__)

IMPORT_NOT_ALLOWED = "Cet espace ne gère pas l'import de ses élèves avec ce format de fichier."
IMPORT_TOO_LARGE = "Le fichier dépasse la taille maximale de {limit} Mo."
IMPORT_BAD_EXTENSION = MESSAGES["INVALID_FILE_EXTENSION"]
IMPORT_NOT_CONFIRMABLE = "Cet import n'attend pas de confirmation."
IMPORT_INTERRUPTED = (
    "Le traitement du fichier s'est interrompu. Aucun élève n'a été modifié : relancez l'import avec le même fichier."
)
IMPORT_FAILED = "L'import n'a pas pu être enregistré. Aucun élève n'a été modifié : relancez l'import."
IMPORT_SUPERSEDED = "Un fichier plus récent a été envoyé : cet aperçu n'a pas été appliqué."
ALREADY_RUNNING = "Un import est déjà en cours pour cet établissement : attendez qu'il se termine."
SWEEP_TASK = "students.learner_imports_fail_stuck"

EXTENSIONS = {
    LearnerImport.Format.SIECLE_XML: (".xml", ".zip"),
    LearnerImport.Format.SIECLE_CSV: (".csv",),
    LearnerImport.Format.SUP_CSV: (".csv",),
}
COMPARED_FIELDS = [f for f in ParsedLearner.__slots__ if f != "line"]
PREVIEW_LIST_LIMIT = 300
LEARNERS = OrganizationLearner._meta.db_table
STAGED = StagedLearner._meta.db_table
MAX_STORED_ERRORS = 2000


def _stuck_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "LEARNER_IMPORT_STUCK_AFTER", 15 * 60))


def import_formats_for(organization: Organization) -> list[str]:
    """SIECLE files for schools that manage their students, the student CSV for higher education."""
    if organization.type == Organization.Type.SUP:
        return [LearnerImport.Format.SUP_CSV]
    if organization.is_sco_managing_students:
        return [LearnerImport.Format.SIECLE_XML, LearnerImport.Format.SIECLE_CSV]
    return []


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
    if file_format not in import_formats_for(organization):
        raise ApplicationError(IMPORT_NOT_ALLOWED, "IMPORT_NOT_ALLOWED", status_code=403)
    if uploaded_file.size > settings.MAX_UPLOAD_SIZE:
        limit = settings.MAX_UPLOAD_SIZE // (1024 * 1024)
        raise ApplicationError(IMPORT_TOO_LARGE.format(limit=limit), "FILE_TOO_LARGE", status_code=413)
    name = PurePath(uploaded_file.name or "fichier").name[:200]
    if not name.lower().endswith(EXTENSIONS[file_format]):
        raise ApplicationError(IMPORT_BAD_EXTENSION.format(filename=name), "INVALID_FILE_EXTENSION")
    with transaction.atomic(durable=True):
        Organization.objects.select_for_update().get(pk=organization.pk)
        running = organization.learner_imports.filter(_in_progress()).exists()
        if running:
            raise ApplicationError(ALREADY_RUNNING, "IMPORT_ALREADY_RUNNING", status_code=409)
        _supersede_unconfirmed(organization)
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


def _in_progress() -> Q:
    """Being validated, waiting for validation, being written or confirmed and waiting for its writer."""
    return (
        Q(working_since__isnull=False)
        | Q(status=LearnerImport.Status.UPLOADED)
        | Q(status=LearnerImport.Status.VALIDATED, apply_when_valid=True)
    )


def _supersede_unconfirmed(organization: Organization) -> None:
    """A new upload replaces a preview nobody confirmed: that one can no longer be applied."""
    stale = organization.learner_imports.filter(
        status=LearnerImport.Status.VALIDATED, apply_when_valid=False, working_since__isnull=True
    )
    StagedLearner.objects.filter(learner_import__in=stale).delete()
    stale.update(
        status=LearnerImport.Status.IMPORT_ERROR,
        errors=[ImportIssue(code="IMPORT_SUPERSEDED", detail=IMPORT_SUPERSEDED).as_dict()],
        updated_at=timezone.now(),
    )


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
    """Take the row for this phase, or None if another worker has it or it is already past this phase.

    A task delivered after the stuck delay (a message the broker gave back late) takes nothing: the
    import is failed as the sweep would have, so an old file is never applied late.
    """
    now = timezone.now()
    limit = now - _stuck_after()
    _fail_stuck(LearnerImport.objects.filter(pk=import_id), limit=limit)
    handed_over = Q(created_at__gte=limit) if status == LearnerImport.Status.UPLOADED else Q(updated_at__gte=limit)
    claimed = LearnerImport.objects.filter(handed_over, pk=import_id, status=status, working_since__isnull=True).update(
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


def _key_field(learner_import: LearnerImport) -> str:
    return "student_number" if learner_import.format == LearnerImport.Format.SUP_CSV else "national_student_id"


def _stage(learner_import: LearnerImport, parsed: list[ParsedLearner]) -> None:
    """COPY the validated rows into the staging table (one round trip, whatever the size)."""
    columns = [*COMPARED_FIELDS, "search_text", "learner_import_id"]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {STAGED} WHERE learner_import_id = %s", [learner_import.pk])
        with cursor.cursor.copy(f"COPY {STAGED} ({', '.join(_quoted(columns))}) FROM STDIN") as copy:
            for row in parsed:
                values = [getattr(row, name) for name in COMPARED_FIELDS]
                copy.write_row([*values, search_text_of(row), learner_import.pk])
        # Fresh statistics, or the planner may treat thousands of new rows as an empty table.
        cursor.execute(f"ANALYZE {STAGED}")


def _quoted(columns: list[str]) -> list[str]:
    return [f'"{name}"' for name in columns]


def _staged_vs_learners(key: str) -> str:
    """SQL fragments shared by preview and write: match on the key, compare every imported field."""
    return f"""
        FROM {STAGED} s
        LEFT JOIN {LEARNERS} l ON l.organization_id = %(organization)s AND l."{key}" = s."{key}"
        WHERE s.learner_import_id = %(import)s
    """


def _differs() -> str:
    fields = ", ".join(f'l."{name}"' for name in COMPARED_FIELDS)
    staged = ", ".join(f's."{name}"' for name in COMPARED_FIELDS)
    return f"(l.is_disabled OR ({fields}) IS DISTINCT FROM ({staged}))"


def _leaving(key: str) -> str:
    return f"""
        FROM {LEARNERS} l
        WHERE l.organization_id = %(organization)s AND NOT l.is_disabled AND l."{key}" IS NOT NULL AND l."{key}" <> ''
          AND NOT EXISTS (
            SELECT 1 FROM {STAGED} s WHERE s.learner_import_id = %(import)s AND s."{key}" = l."{key}"
          )
    """


def _people(cursor, sql: str, params: dict) -> list[dict]:
    cursor.execute(sql + f" ORDER BY 3, 2, 1 LIMIT {PREVIEW_LIST_LIMIT}", params)
    return [{"first_name": f, "last_name": l_, "division": d, "ine": i} for f, l_, d, i in cursor.fetchall()]


def _preview(learner_import: LearnerImport) -> dict:
    key = _key_field(learner_import)
    params = {"organization": learner_import.organization_id, "import": learner_import.pk}
    person = f's.first_name, s.last_name, COALESCE(NULLIF(s.division, \'\'), s."group"), s."{key}"'
    with connection.cursor() as cursor:
        matched = _staged_vs_learners(key)
        cursor.execute(
            f"SELECT COUNT(*) FILTER (WHERE l.id IS NULL), COUNT(*) FILTER (WHERE l.id IS NOT NULL AND {_differs()}), "
            f"COUNT(*) {matched}",
            params,
        )
        created, updated, total = cursor.fetchone()
        cursor.execute(f"SELECT COUNT(*) {_leaving(key)}", params)
        (disabled,) = cursor.fetchone()
        new = _people(cursor, f"SELECT {person} {matched} AND l.id IS NULL", params)
        changed = _people(cursor, f"SELECT {person} {matched} AND l.id IS NOT NULL AND {_differs()}", params)
        leaving = _people(
            cursor,
            f'SELECT l.first_name, l.last_name, COALESCE(NULLIF(l.division, \'\'), l."group"), l."{key}" '
            + _leaving(key),
            params,
        )
    return {
        "created": created,
        "updated": updated,
        "disabled": disabled,
        "unchanged": total - created - updated,
        "new": new,
        "changed": changed,
        "leaving": leaving,
    }


class ClaimLost(Exception):
    """The sweep failed this phase while it was still running (past the stuck delay): its work is void."""


def _finish(learner_import: LearnerImport, **changes) -> None:
    """End the phase claimed in ``learner_import`` (its status and ``working_since``), or raise ClaimLost."""
    changes.setdefault("working_since", None)
    changes["updated_at"] = timezone.now()
    ended = LearnerImport.objects.filter(
        pk=learner_import.pk, status=learner_import.status, working_since=learner_import.working_since
    ).update(**changes)
    cache.delete(_progress_key(learner_import.pk))
    if not ended:
        raise ClaimLost(learner_import.pk)


def learner_import_validate(*, import_id: int, enqueue_apply: bool = True) -> None:
    """Check the whole file; keep every error, or a preview of what applying would change."""
    learner_import = _claim(import_id, LearnerImport.Status.UPLOADED)
    if learner_import is None:
        return
    try:
        _validate(learner_import, enqueue_apply=enqueue_apply)
    except ClaimLost:
        logger.warning("validation de l'import %s terminée après son échec par le balayage : ignorée", import_id)


def _validate(learner_import: LearnerImport, *, enqueue_apply: bool) -> None:
    import_id = learner_import.pk
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
    with transaction.atomic():
        _stage(learner_import, result.learners)
        _finish(
            learner_import,
            status=LearnerImport.Status.VALIDATED,
            preview=_preview(learner_import),
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
    ).update(apply_when_valid=True, confirmed_by=actor, updated_at=timezone.now())
    if not updated:
        raise ApplicationError(IMPORT_NOT_CONFIRMABLE, "IMPORT_NOT_CONFIRMABLE", status_code=409)
    _enqueue_apply(learner_import.pk)
    learner_import.refresh_from_db()
    return learner_import


@transaction.atomic(durable=True)
def _write(learner_import: LearnerImport, report) -> dict:
    """Three set-based statements in one transaction: insert the new, update the changed, disable leavers."""
    Organization.objects.select_for_update().get(pk=learner_import.organization_id)
    if not learner_import.staged_rows.exists():
        # Without its rows, "absent from the file" would mean everybody: never disable a whole school.
        raise ValueError("aucune ligne validée pour cet import")
    report(0.1)
    key = _key_field(learner_import)
    params = {"organization": learner_import.organization_id, "import": learner_import.pk, "now": timezone.now()}
    fields = ", ".join(_quoted(COMPARED_FIELDS))
    staged_fields = ", ".join(f"s.{name}" for name in _quoted(COMPARED_FIELDS))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {LEARNERS} (organization_id, {fields}, search_text, national_apprentice_id, is_disabled,
                                        created_at, updated_at)
                SELECT %(organization)s, {staged_fields}, s.search_text, '', FALSE, %(now)s, %(now)s
                {_staged_vs_learners(key)} AND l.id IS NULL""",
            params,
        )
        created = cursor.rowcount
        report(0.5)
        assignments = ", ".join(f"{name} = s.{name}" for name in _quoted(COMPARED_FIELDS))
        cursor.execute(
            f"""UPDATE {LEARNERS} l SET {assignments}, search_text = s.search_text, is_disabled = FALSE,
                       updated_at = %(now)s
                FROM {STAGED} s
                WHERE s.learner_import_id = %(import)s AND l.organization_id = %(organization)s
                  AND l."{key}" = s."{key}" AND {_differs()}""",
            params,
        )
        updated = cursor.rowcount
        report(0.8)
        cursor.execute(
            f"UPDATE {LEARNERS} SET is_disabled = TRUE, updated_at = %(now)s WHERE id IN (SELECT l.id {_leaving(key)})",
            params,
        )
        disabled = cursor.rowcount
        cursor.execute(f"DELETE FROM {STAGED} WHERE learner_import_id = %s", [learner_import.pk])
    summary = {"created": created, "updated": updated, "disabled": disabled}
    AuditLogEntry.objects.create(
        organization_id=learner_import.organization_id,
        actor_id=learner_import.confirmed_by_id or learner_import.created_by_id,
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
    try:
        if not learner_import.apply_when_valid:
            _finish(learner_import)  # not confirmed: give the row back
            return
        try:
            _write(learner_import, _reporter(import_id, 50, 50))
        except ClaimLost:
            raise
        except Exception:
            logger.exception("écriture de l'import %s", import_id)
            _finish(learner_import, status=LearnerImport.Status.IMPORT_ERROR, errors=[_failed()], progress=100)
            StagedLearner.objects.filter(learner_import_id=import_id).delete()
    except ClaimLost:
        logger.warning("écriture de l'import %s annulée : le balayage l'avait déjà mis en échec", import_id)


def _interrupted() -> dict:
    return ImportIssue(code="IMPORT_INTERRUPTED", detail=IMPORT_INTERRUPTED).as_dict()


def _failed() -> dict:
    return ImportIssue(code="IMPORT_FAILED", detail=IMPORT_FAILED).as_dict()


def learner_imports_fail_stuck(*, now: datetime | None = None) -> int:
    """Fail, in every school, the imports whose phase stopped answering (Celery beat runs this every minute)."""
    return _fail_stuck(LearnerImport.objects.all(), limit=(now or timezone.now()) - _stuck_after())


def _fail_stuck(imports: QuerySet[LearnerImport], *, limit: datetime) -> int:
    """Stuck since before ``limit``: a phase claimed (killed worker, lost connection), an upload whose
    validation never started, a confirmed import whose writing never started (the hand-over's task lost).

    Each row is failed with an update conditional on what was read, so a phase that starts or ends
    meanwhile keeps its row; a phase still running past the delay then finds its claim gone and writes
    nothing (``ClaimLost``). Failed imports are never resumed: the school uploads again.
    """
    stuck = imports.filter(
        Q(working_since__lt=limit)
        | Q(status=LearnerImport.Status.UPLOADED, working_since__isnull=True, created_at__lt=limit)
        | Q(
            status=LearnerImport.Status.VALIDATED,
            apply_when_valid=True,
            working_since__isnull=True,
            updated_at__lt=limit,
        )
    ).values_list("pk", "organization_id", "status", "working_since", "updated_at")
    count = 0
    for import_id, organization_id, status, working_since, updated_at in stuck:
        failed_status = (
            LearnerImport.Status.IMPORT_ERROR
            if status == LearnerImport.Status.VALIDATED
            else LearnerImport.Status.VALIDATION_ERROR
        )
        failed = LearnerImport.objects.filter(
            pk=import_id, status=status, working_since=working_since, updated_at=updated_at
        ).update(
            status=failed_status, errors=[_interrupted()], working_since=None, progress=100, updated_at=timezone.now()
        )
        if failed:
            StagedLearner.objects.filter(learner_import_id=import_id).delete()
            cache.delete(_progress_key(import_id))
            logger.warning(
                "import %s de l'organisation %s interrompu (%s) : mis en échec", import_id, organization_id, status
            )
        count += failed
    return count
