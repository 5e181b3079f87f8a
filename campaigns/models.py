"""Campaigns: what a teacher hands a class as a 9-character code (reference pix-domain §4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

# Reference §4.3: readable characters only (no I, O, 0, 1), 6 letters then 3 digits.
CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_DIGITS = "23456789"


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
