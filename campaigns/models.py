"""Campaigns: what a teacher hands a class as a 9-character code (reference pix-domain §4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

# Reference §4.3 and algorithms §8.5: readable characters (letters without I and O, digits without 0).
CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_DIGITS = "123456789"


class Campaign(models.Model):
    class Type(models.TextChoices):
        ASSESSMENT = "ASSESSMENT", "Évaluer les participants"
        PROFILES_COLLECTION = "PROFILES_COLLECTION", "Collecter les profils Pix des participants"

    class ExternalIdType(models.TextChoices):
        STRING = "STRING", "Texte libre"
        EMAIL = "EMAIL", "Adresse e-mail"

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField("nom de la campagne", max_length=255)
    code = models.CharField("code", max_length=9, unique=True)
    type = models.CharField("objectif", max_length=20, choices=Type.choices)
    target_profile = models.ForeignKey(
        "crcn.TargetProfile", null=True, blank=True, on_delete=models.PROTECT, related_name="campaigns"
    )
    title = models.CharField("titre du parcours", max_length=255, blank=True)
    custom_landing_page_text = models.TextField("texte de la page d'accueil", max_length=5000, blank=True)
    external_id_label = models.CharField("libellé de l'identifiant externe", max_length=255, blank=True)
    external_id_type = models.CharField(max_length=6, choices=ExternalIdType.choices, default=ExternalIdType.STRING)
    multiple_sendings = models.BooleanField("envoi multiple", default=False)
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "campagne"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_restricted(self) -> bool:
        """Only the organisation's imported learners may take part (reference §5.2)."""
        return self.organization.is_managing_students


class CampaignSkill(models.Model):
    """The campaign's targeted skills, copied from its target profile when the campaign is created."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="campaign_skills")
    skill = models.ForeignKey("crcn.Skill", on_delete=models.PROTECT, related_name="campaign_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "skill"], name="skill_once_per_campaign")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.skill_id}"


class CampaignParticipation(models.Model):
    class Status(models.TextChoices):
        STARTED = "STARTED", "En cours de test"
        TO_SHARE = "TO_SHARE", "En attente d'envoi"
        SHARED = "SHARED", "Résultats envoyés"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="participations"
    )
    organization_learner = models.ForeignKey(
        "students.OrganizationLearner", null=True, on_delete=models.SET_NULL, related_name="participations"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.STARTED)
    participant_external_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    shared_at = models.DateTimeField(null=True, blank=True)
    mastery_rate = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    validated_skills_count = models.PositiveIntegerField(null=True, blank=True)
    pix_score = models.PositiveIntegerField(null=True, blank=True)
    is_certifiable = models.BooleanField(null=True, blank=True)
    certifiable_competences_count = models.PositiveSmallIntegerField(null=True, blank=True)
    is_improved = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "participation"
        indexes = [models.Index(fields=["campaign", "status"]), models.Index(fields=["user", "campaign"])]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "user"],
                condition=models.Q(is_improved=False, deleted_at__isnull=True),
                name="one_current_participation_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign} — {self.user} ({self.status})"


class CampaignExport(models.Model):
    """A results CSV built by a Celery task, downloadable for 7 days."""

    class Status(models.TextChoices):
        PENDING = "PENDING", "En attente"
        RUNNING = "RUNNING", "En cours"
        DONE = "DONE", "Prêt"
        FAILED = "FAILED", "Échec"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="exports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    filename = models.CharField(max_length=255, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "export de résultats"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.campaign} ({self.get_status_display()})"
