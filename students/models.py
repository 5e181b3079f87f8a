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
    national_student_id = models.CharField("INE", max_length=32, blank=True)
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
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "élève"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "national_student_id"],
                condition=~Q(national_student_id=""),
                name="learner_unique_ine_per_organization",
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
        ]

    def __str__(self) -> str:
        return (
            f"{self.last_name} {self.first_name} ({self.division})"
            if self.division
            else f"{self.last_name} {self.first_name}"
        )
