"""Organisation learners: a school's record of one student (reference pix-domain §2.1).

The record belongs to the organisation (imported from SIECLE or a CSV); the optional ``user`` is the
student's own account once linked. Learners are disabled, never deleted, when they leave, so their
campaign results stay readable.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from pixorga.names import fold_name


def search_text_of(learner) -> str:
    """Search ignores accents and case ("Lefevre" finds "Lefèvre"); the embedded PostgreSQL has no unaccent."""
    parts = [learner.first_name, learner.middle_name, learner.last_name, learner.preferred_last_name]
    words = " ".join(fold_name(p) for p in parts if p)
    return f"{words} {(learner.national_student_id or '').lower()} {learner.student_number.lower()}".strip()


class OrganizationLearner(models.Model):
    class Sex(models.TextChoices):
        MALE = "M", "Masculin"
        FEMALE = "F", "Féminin"

    class Status(models.TextChoices):
        STUDENT = "ST", "Élève"
        APPRENTICE = "AP", "Apprenti"

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="learners")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="learner_records"
    )
    national_student_id = models.CharField("INE", max_length=32, null=True, blank=True)
    national_apprentice_id = models.CharField("INA", max_length=32, blank=True)
    first_name = models.CharField("prénom", max_length=255)
    middle_name = models.CharField("deuxième prénom", max_length=255, blank=True)
    third_name = models.CharField("troisième prénom", max_length=255, blank=True)
    last_name = models.CharField("nom", max_length=255)
    preferred_last_name = models.CharField("nom d'usage", max_length=255, blank=True)
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices, blank=True)
    birthdate = models.DateField("date de naissance", null=True, blank=True)
    birth_city = models.CharField("commune de naissance", max_length=255, blank=True)
    birth_city_code = models.CharField("code INSEE de la commune de naissance", max_length=10, blank=True)
    birth_province_code = models.CharField("département de naissance", max_length=5, blank=True)
    birth_country_code = models.CharField("pays de naissance", max_length=5, blank=True)
    mef_code = models.CharField("code MEF", max_length=20, blank=True)
    status = models.CharField("statut", max_length=2, choices=Status.choices, default=Status.STUDENT)
    division = models.CharField("classe", max_length=64, blank=True)
    student_number = models.CharField("numéro étudiant", max_length=64, blank=True)
    email = models.EmailField("adresse e-mail", blank=True)
    department = models.CharField("composante", max_length=255, blank=True)
    educational_team = models.CharField("équipe pédagogique", max_length=255, blank=True)
    group = models.CharField("groupe", max_length=255, blank=True)
    diploma = models.CharField("diplôme", max_length=255, blank=True)
    study_scheme = models.CharField("régime", max_length=255, blank=True)
    is_disabled = models.BooleanField("désactivé", default=False)
    search_text = models.TextField(
        "texte de recherche", blank=True, editable=False, help_text="Noms sans accents ni majuscules, INE."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "élève"
        constraints = [
            # NULL INEs (higher education, apprentices) never collide; an INE appears once per school,
            # disabled or not, so a returning student gets their old record (and results) back.
            models.UniqueConstraint(
                fields=["organization", "national_student_id"], name="learner_unique_ine_per_organization"
            ),
            models.UniqueConstraint(
                fields=["organization", "user"],
                condition=Q(user__isnull=False, is_disabled=False),
                name="learner_one_active_record_per_user_and_organization",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "division"]),
            models.Index(fields=["organization", "last_name", "first_name"]),
            models.Index(fields=["organization", "student_number"]),
        ]

    def __str__(self) -> str:
        return (
            f"{self.last_name} {self.first_name} ({self.division})"
            if self.division
            else f"{self.last_name} {self.first_name}"
        )

    def refresh_search_text(self) -> None:
        self.search_text = search_text_of(self)


class LearnerImport(models.Model):
    """One upload of a student file and its journey: uploaded → validated → imported (or an error status).

    The business status lives here (not in Celery's result backend): the page and the API poll it, and a
    task that dies leaves a row that says so instead of an eternal "in progress".
    """

    class Format(models.TextChoices):
        SIECLE_XML = "siecle-xml", "SIECLE (XML ou ZIP)"
        SIECLE_CSV = "siecle-csv", "SIECLE (CSV)"
        SUP_CSV = "sup-csv", "Étudiants (CSV)"

    class Status(models.TextChoices):
        UPLOADED = "UPLOADED", "Fichier reçu"
        UPLOAD_ERROR = "UPLOAD_ERROR", "Fichier refusé"
        VALIDATED = "VALIDATED", "Fichier vérifié"
        VALIDATION_ERROR = "VALIDATION_ERROR", "Erreurs dans le fichier"
        IMPORTED = "IMPORTED", "Import terminé"
        IMPORT_ERROR = "IMPORT_ERROR", "Import échoué"

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="learner_imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="L'administrateur qui a confirmé l'aperçu (vide quand l'import s'applique sans confirmation).",
    )
    format = models.CharField(max_length=12, choices=Format.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UPLOADED)
    filename = models.CharField("nom du fichier", max_length=255)
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    encoding = models.CharField(max_length=32, blank=True)
    apply_when_valid = models.BooleanField(
        "appliquer sans confirmation", default=False, help_text="API et ligne de commande : pas d'aperçu à confirmer."
    )
    progress = models.PositiveSmallIntegerField(default=0)
    working_since = models.DateTimeField("tâche en cours depuis", null=True, blank=True)
    errors = models.JSONField(default=list, blank=True)
    preview = models.JSONField(default=dict, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "import d'élèves"
        verbose_name_plural = "imports d'élèves"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (
            self.Status.IMPORTED,
            self.Status.UPLOAD_ERROR,
            self.Status.VALIDATION_ERROR,
            self.Status.IMPORT_ERROR,
        )

    @property
    def awaits_confirmation(self) -> bool:
        return self.status == self.Status.VALIDATED and not self.apply_when_valid and self.working_since is None


class StagedLearner(models.Model):
    """A validated row of an import, waiting for confirmation; applied with a few set-based statements.

    Validation COPYs the parsed file here once, so the preview and the write are SQL over the same rows
    and the file is never parsed twice. Rows are deleted when the import is applied or abandoned.
    """

    learner_import = models.ForeignKey(LearnerImport, on_delete=models.CASCADE, related_name="staged_rows")
    national_student_id = models.CharField(max_length=32, null=True, blank=True)
    first_name = models.CharField(max_length=255)
    middle_name = models.CharField(max_length=255, blank=True)
    third_name = models.CharField(max_length=255, blank=True)
    last_name = models.CharField(max_length=255)
    preferred_last_name = models.CharField(max_length=255, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    birthdate = models.DateField(null=True, blank=True)
    birth_city = models.CharField(max_length=255, blank=True)
    birth_city_code = models.CharField(max_length=10, blank=True)
    birth_province_code = models.CharField(max_length=5, blank=True)
    birth_country_code = models.CharField(max_length=5, blank=True)
    mef_code = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=2, blank=True)
    division = models.CharField(max_length=64, blank=True)
    student_number = models.CharField(max_length=64, blank=True)
    email = models.EmailField(blank=True)
    department = models.CharField(max_length=255, blank=True)
    educational_team = models.CharField(max_length=255, blank=True)
    group = models.CharField(max_length=255, blank=True)
    diploma = models.CharField(max_length=255, blank=True)
    study_scheme = models.CharField(max_length=255, blank=True)
    search_text = models.TextField(blank=True)

    class Meta:
        verbose_name = "ligne d'import en attente"
        indexes = [
            models.Index(fields=["learner_import", "national_student_id"]),
            models.Index(fields=["learner_import", "student_number"]),
        ]

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_name}"
