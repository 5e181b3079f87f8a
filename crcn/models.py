"""The CRCN referential and our learning content, loaded from `crcn/content/` (never edited by hand).

Content items keep the ids of the content files as primary keys (``@tube``, ``@tube3``, ``ch-…``,
``tuto-…``) so that answers, knowledge elements and target profiles point at stable, readable ids
across releases.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from crcn.answers import check_answer


class Area(models.Model):
    code = models.CharField("code", max_length=2, primary_key=True)
    name = models.CharField("nom", max_length=200)
    color = models.CharField("couleur", max_length=7)

    class Meta:
        verbose_name = "domaine"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


# The 16 competences of the CRCN, in the order of certification results' columns (reference §8.9).
COMPETENCE_CODES = (
    "1.1",
    "1.2",
    "1.3",
    "2.1",
    "2.2",
    "2.3",
    "2.4",
    "3.1",
    "3.2",
    "3.3",
    "3.4",
    "4.1",
    "4.2",
    "4.3",
    "5.1",
    "5.2",
)


class Competence(models.Model):
    code = models.CharField("code", max_length=4, primary_key=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="competences")
    name = models.CharField("nom", max_length=200)
    description = models.TextField("description")

    class Meta:
        verbose_name = "compétence"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class LevelDescriptor(models.Model):
    competence = models.ForeignKey(Competence, on_delete=models.CASCADE, related_name="level_descriptors")
    level = models.PositiveSmallIntegerField("niveau")
    label = models.CharField("palier", max_length=20)
    text = models.TextField("descripteur")

    class Meta:
        verbose_name = "descripteur de niveau"
        ordering = ["competence", "level"]
        constraints = [models.UniqueConstraint(fields=["competence", "level"], name="one_descriptor_per_level")]

    def __str__(self) -> str:
        return f"{self.competence_id} niveau {self.level}"


class Tube(models.Model):
    """A "sujet": skills of increasing difficulty on one topic (``@tube1`` … ``@tube8``)."""

    name = models.CharField("nom", max_length=100, primary_key=True)
    competence = models.ForeignKey(Competence, on_delete=models.PROTECT, related_name="tubes")
    title = models.CharField("titre pratique", max_length=200)
    description = models.TextField("description pratique")

    class Meta:
        verbose_name = "sujet"
        ordering = ["competence", "name"]

    def __str__(self) -> str:
        return f"{self.title} ({self.name})"


class Skill(models.Model):
    """An "acquis": one tube at one level, worth ``pix_value`` pix when validated."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Actif"
        ARCHIVED = "archived", "Archivé"

    name = models.CharField("nom", max_length=100, primary_key=True)
    tube = models.ForeignKey(Tube, on_delete=models.PROTECT, related_name="skills")
    level = models.PositiveSmallIntegerField("niveau")
    pix_value = models.DecimalField("valeur en pix", max_digits=6, decimal_places=4)
    description = models.TextField("ce que l'acquis vérifie")
    hint = models.TextField("indice", blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        verbose_name = "acquis"
        verbose_name_plural = "acquis"
        ordering = ["tube", "level"]

    def __str__(self) -> str:
        return self.name


class Challenge(models.Model):
    """An "épreuve". The solution never leaves the server except on the operator preview."""

    class Type(models.TextChoices):
        QCU = "QCU", "Choix unique"
        QCM = "QCM", "Choix multiples"
        QROC = "QROC", "Réponse courte"
        QROCM = "QROCM", "Réponses courtes multiples"

    class Status(models.TextChoices):
        VALIDATED = "validated", "Validée"
        ARCHIVED = "archived", "Archivée"

    id = models.CharField(max_length=120, primary_key=True)
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="challenges")
    variant_group = models.CharField(
        "groupe de variantes",
        max_length=100,
        db_index=True,
        help_text="Les épreuves d'un même groupe sont des variantes.",
    )
    type = models.CharField(max_length=5, choices=Type.choices)
    instruction = models.TextField("consigne (Markdown)")
    proposals = models.JSONField("propositions", default=list, blank=True)
    fields = models.JSONField("champs (QROCM)", default=list, blank=True)
    solution = models.JSONField("solution")
    typo_tolerance = models.BooleanField("tolérer une faute de frappe", default=False)
    placeholder = models.CharField(max_length=200, blank=True)
    illustration_file = models.CharField(max_length=200, blank=True)
    illustration_alt = models.TextField(blank=True)
    attachment_file = models.CharField(max_length=200, blank=True)
    attachment_label = models.CharField(max_length=200, blank=True)
    timer = models.PositiveIntegerField("temps limite (s)", null=True, blank=True)
    locale = models.CharField(max_length=5, default="fr")
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.VALIDATED)

    class Meta:
        verbose_name = "épreuve"
        ordering = ["skill", "id"]

    def __str__(self) -> str:
        return self.id

    def check_answer(self, raw_value) -> str:
        """ok / ko / skipped, by the one answer checker shared by the test, the loader and the preview."""
        return check_answer(
            challenge_type=self.type,
            solution=self.solution,
            raw_value=raw_value,
            proposals_count=len(self.proposals) or None,
            typo_tolerance=self.typo_tolerance,
        )

    @property
    def solution_lines(self) -> list[str]:
        """The expected answer in words, for the operator preview and the learner's correction."""
        if self.type == self.Type.QCU:
            return [self.proposals[int(self.solution) - 1]]
        if self.type == self.Type.QCM:
            return [self.proposals[int(n) - 1] for n in sorted(self.solution)]
        if self.type == self.Type.QROC:
            return [" ou ".join(f"« {s} »" for s in self.solution)]
        labels = {f["key"]: f["label"] for f in self.fields}
        return [f"{labels.get(k, k)} : " + " ou ".join(f"« {s} »" for s in v) for k, v in self.solution.items()]


class Tutorial(models.Model):
    class Format(models.TextChoices):
        PAGE = "page", "Page"
        VIDEO = "vidéo", "Vidéo"

    id = models.CharField(max_length=120, primary_key=True)
    title = models.CharField("titre", max_length=300)
    source = models.CharField("source", max_length=200)
    format = models.CharField(max_length=6, choices=Format.choices)
    duration_minutes = models.PositiveSmallIntegerField("durée (min)")
    url = models.URLField(max_length=500)
    tube = models.ForeignKey(Tube, on_delete=models.PROTECT, related_name="tutorials")
    skills = models.ManyToManyField(Skill, related_name="tutorials", blank=True)

    class Meta:
        verbose_name = "tutoriel"
        ordering = ["tube", "id"]

    def __str__(self) -> str:
        return self.title


class TargetProfile(models.Model):
    """A "parcours": tubes with a level cap each; the targeted skills are those up to the cap."""

    class Category(models.TextChoices):
        BACK_TO_SCHOOL = "BACK_TO_SCHOOL", "Parcours de rentrée"
        COMPETENCES = "COMPETENCES", "Parcours par compétence"
        DISCIPLINE = "DISCIPLINE", "Parcours disciplinaire"
        SUBJECT = "SUBJECT", "Parcours thématique"
        PREDEFINED = "PREDEFINED", "Parcours prédéfini"
        CUSTOM = "CUSTOM", "Parcours sur mesure"
        OTHER = "OTHER", "Autre"

    key = models.SlugField("identifiant du fichier", max_length=100, unique=True)
    name = models.CharField("nom", max_length=200)
    category = models.CharField("catégorie", max_length=20, choices=Category.choices)
    description = models.TextField("description")
    is_public = models.BooleanField("proposé à toutes les organisations", default=True)
    outdated = models.BooleanField("obsolète", default=False)
    # Reference §5.3 canReset: a learner may « Remettre à zéro et repasser » a campaign on this parcours.
    are_knowledge_elements_resettable = models.BooleanField("remise à zéro possible par l'élève", default=False)
    organizations = models.ManyToManyField(
        "accounts.Organization", related_name="shared_target_profiles", blank=True, verbose_name="partagé avec"
    )
    tubes = models.ManyToManyField(Tube, through="TargetProfileTube", related_name="target_profiles")

    class Meta:
        verbose_name = "parcours"
        verbose_name_plural = "parcours"
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.name


class TargetProfileTube(models.Model):
    target_profile = models.ForeignKey(TargetProfile, on_delete=models.CASCADE, related_name="capped_tubes")
    tube = models.ForeignKey(Tube, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField("niveau maximum")

    class Meta:
        verbose_name = "sujet du parcours"
        constraints = [models.UniqueConstraint(fields=["target_profile", "tube"], name="tube_once_per_profile")]

    def __str__(self) -> str:
        return f"{self.tube_id} ≤ {self.level}"


class Stage(models.Model):
    """A "palier": reached when the mastery rate is at least ``threshold`` %."""

    target_profile = models.ForeignKey(TargetProfile, on_delete=models.CASCADE, related_name="stages")
    threshold = models.PositiveSmallIntegerField("seuil (%)")
    title = models.CharField("titre (élève)", max_length=200)
    message = models.TextField("message (élève)")
    prescriber_title = models.CharField("titre (enseignant)", max_length=200)
    prescriber_description = models.TextField("description (enseignant)")

    class Meta:
        verbose_name = "palier"
        ordering = ["target_profile", "threshold"]
        constraints = [
            models.UniqueConstraint(fields=["target_profile", "threshold"], name="one_stage_per_threshold"),
            models.CheckConstraint(condition=models.Q(threshold__lte=100), name="stage_threshold_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.threshold} % — {self.title}"


class ContentRelease(models.Model):
    """One load of the content files; ``release_id`` is a hash of the files, so equal files = same release."""

    release_id = models.CharField(max_length=64, unique=True)
    loaded_at = models.DateTimeField(default=timezone.now)
    counts = models.JSONField(default=dict)

    class Meta:
        verbose_name = "version du contenu"
        ordering = ["-loaded_at"]

    def __str__(self) -> str:
        return f"{self.release_id[:12]} ({self.loaded_at:%d/%m/%Y %H:%M})"
