import json
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organization
from pixorga.errors import ApplicationError
from students.models import LearnerImport
from students.services import imports


class Command(BaseCommand):
    help = "Importe un fichier d'élèves (SIECLE XML/ZIP, SIECLE CSV, CSV SUP) ; affiche un résumé JSON."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--organization", required=True, help="UAI (identifiant externe) de l'organisation")
        parser.add_argument("--format", default="siecle-xml", choices=LearnerImport.Format.values)
        parser.add_argument("--dry-run", action="store_true", help="vérifier et afficher l'aperçu sans rien écrire")

    def handle(self, *args, file: Path, organization: str, format: str, dry_run: bool, **options):
        matches = list(
            Organization.objects.filter(external_id__iexact=organization.strip(), archived_at__isnull=True)[:2]
        )
        if len(matches) != 1:
            raise CommandError(f"Aucune organisation unique avec l'UAI {organization}.")
        if not file.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        upload = SimpleUploadedFile(file.name, file.read_bytes())
        try:
            learner_import = imports.learner_import_create(
                organization=matches[0],
                created_by=None,
                uploaded_file=upload,
                file_format=format,
                apply_when_valid=not dry_run,
                enqueue=False,
            )
        except ApplicationError as error:
            self.stdout.write(
                json.dumps(
                    {"status": "UPLOAD_ERROR", "errors": [{"code": error.code, "detail": error.message}]},
                    ensure_ascii=False,
                )
            )
            raise CommandError(error.message) from error
        imports.learner_import_validate(import_id=learner_import.pk, enqueue_apply=False)
        if not dry_run:
            imports.learner_import_apply(import_id=learner_import.pk)
        learner_import.refresh_from_db()
        counts = learner_import.summary if learner_import.summary else learner_import.preview
        report = {
            "status": learner_import.status,
            "dry_run": dry_run,
            "created": counts.get("created", 0),
            "updated": counts.get("updated", 0),
            "disabled": counts.get("disabled", 0),
            "errors": learner_import.errors,
        }
        if dry_run:
            learner_import.delete()  # a dry run leaves nothing behind, not even its staged rows
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        if learner_import.status.endswith("ERROR"):
            raise CommandError("Import refusé : aucun élève n'a été modifié.")
