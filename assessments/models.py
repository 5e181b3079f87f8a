"""Assessments (one run of a test), answers, and knowledge elements (what we know of a learner's skills)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Assessment(models.Model):
    class Type(models.TextChoices):
        CAMPAIGN = "CAMPAIGN", "Campagne"
        COMPETENCE_EVALUATION = "COMPETENCE_EVALUATION", "Compétence"
        CERTIFICATION = "CERTIFICATION", "Certification"

    class State(models.TextChoices):
        STARTED = "started", "En cours"
        COMPLETED = "completed", "Terminée"
        ENDED_BY_SUPERVISOR = "endedBySupervisor", "Terminée par le surveillant"
        ABORTED = "aborted", "Abandonnée"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assessments")
    type = models.CharField(max_length=24, choices=Type.choices)
    state = models.CharField(max_length=20, choices=State.choices, default=State.STARTED)
    participation = models.ForeignKey(
        "campaigns.CampaignParticipation", null=True, blank=True, on_delete=models.CASCADE, related_name="assessments"
    )
    competence = models.ForeignKey("crcn.Competence", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    is_improving = models.BooleanField(
        "pour progresser",
        default=False,
        help_text="« Retenter » : les échecs de plus de 4 jours sont reposés (toujours le cas en campagne).",
    )

    class Meta:
        verbose_name = "évaluation"
        indexes = [models.Index(fields=["user", "type", "state"])]

    def __str__(self) -> str:
        return f"{self.get_type_display()} #{self.pk} ({self.get_state_display()})"

    @property
    def is_started(self) -> bool:
        return self.state == self.State.STARTED


class Answer(models.Model):
    class Result(models.TextChoices):
        OK = "ok", "Réussie"
        KO = "ko", "Échouée"
        SKIPPED = "aband", "Passée"
        TIMEDOUT = "timedout", "Temps écoulé"
        ABORTED = "aborted", "Interrompue"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    challenge = models.ForeignKey("crcn.Challenge", on_delete=models.PROTECT, related_name="answers")
    value = models.TextField("réponse", blank=True)
    result = models.CharField(max_length=8, choices=Result.choices)
    time_spent = models.PositiveIntegerField("temps passé (s)", default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "réponse"
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["assessment", "challenge"], name="one_answer_per_challenge")]

    def __str__(self) -> str:
        return f"{self.challenge_id} → {self.result}"

    @property
    def is_ok(self) -> bool:
        return self.result == self.Result.OK


class KnowledgeElement(models.Model):
    """One fact about a learner and a skill. Never updated: a reset adds a ``reset`` row (history kept)."""

    class Status(models.TextChoices):
        VALIDATED = "validated", "Acquis"
        INVALIDATED = "invalidated", "Non acquis"
        RESET = "reset", "Remis à zéro"

    class Source(models.TextChoices):
        DIRECT = "direct", "Direct"
        INFERRED = "inferred", "Déduit"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="knowledge_elements")
    skill = models.ForeignKey("crcn.Skill", on_delete=models.PROTECT, related_name="+")
    competence_code = models.CharField(max_length=4)
    status = models.CharField(max_length=12, choices=Status.choices)
    source = models.CharField(max_length=8, choices=Source.choices)
    earned_pix = models.DecimalField(max_digits=6, decimal_places=4, default=0)
    answer = models.ForeignKey(
        Answer, null=True, blank=True, on_delete=models.SET_NULL, related_name="knowledge_elements"
    )
    assessment = models.ForeignKey(Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "élément de connaissance"
        indexes = [models.Index(fields=["user", "skill", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.skill_id} {self.status} ({self.source})"


class SavedTutorial(models.Model):
    """A tutorial a learner kept for later ("Enregistrer")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_tutorials")
    tutorial = models.ForeignKey("crcn.Tutorial", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "tutorial"], name="tutorial_saved_once")]

    def __str__(self) -> str:
        return f"{self.user_id} ♥ {self.tutorial_id}"


class TutorialEvaluation(models.Model):
    """ "Ce tutoriel m'a été utile": helps rank tutorials."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    tutorial = models.ForeignKey("crcn.Tutorial", on_delete=models.CASCADE, related_name="evaluations")
    useful = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "tutorial"], name="tutorial_evaluated_once")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.tutorial_id} ({'utile' if self.useful else 'pas utile'})"
