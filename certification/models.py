"""Certification (reference pix-domain §8): centres, sessions, candidates, courses, results.

A session gathers candidates in a room on a date; each candidate who enters gets a certification
course (the test, built from their profile when they start, one ``Assessment`` of type CERTIFICATION)
whose result is computed at finalisation and shown once the session is published.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

# Reference §8.2 / algorithms §8.4: readable alphabets (no 0, 1, 5; no vowels, no L, N, S, Z).
ACCESS_CODE_LETTERS = "BCDFGHJKMPQRTVWXY"
ACCESS_CODE_DIGITS = "2346789"
PASSWORD_AND_VERIFICATION_ALPHABET = "2346789BCDFGHJKMPQRTVWXY"  # noqa: S105 — an alphabet
CERTIFICATE_VALIDITY_YEARS = 3
# Wrong invigilator passwords, from every address together, that lock a session's invigilator space:
# 30 guesses among 24⁵ passwords leave an attacker one chance in 265 000.
INVIGILATOR_LOCK_FAILURES = 30


class CertificationCenter(models.Model):
    class Type(models.TextChoices):
        SCO = "SCO", "Établissement scolaire"
        SUP = "SUP", "Enseignement supérieur"
        PRO = "PRO", "Organisation professionnelle"

    name = models.CharField("nom", max_length=255)
    type = models.CharField("type", max_length=3, choices=Type.choices)
    external_id = models.CharField("UAI / identifiant externe", max_length=32, blank=True, db_index=True)
    organization = models.ForeignKey(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="certification_centers",
        help_text="L'organisation Pix Orga de même UAI : ses élèves sont inscrits depuis sa base.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "centre de certification"
        verbose_name_plural = "centres de certification"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.external_id})" if self.external_id else self.name

    @property
    def is_sco_managing_students(self) -> bool:
        """Enrolment from the learners list and reconciliation at entry (reference §8.1)."""
        return (
            self.type == self.Type.SCO and self.organization is not None and self.organization.is_sco_managing_students
        )


class CenterMembership(models.Model):
    """An explicit member of a centre. The matching organisation's admins are admins without a row."""

    class Role(models.TextChoices):
        ADMIN = "ADMIN", "Administrateur"
        MEMBER = "MEMBER", "Membre"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="center_memberships")
    center = models.ForeignKey(CertificationCenter, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("rôle", max_length=6, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(default=timezone.now)
    disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "membre d'un centre"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "center"], condition=models.Q(disabled_at__isnull=True), name="one_active_center_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.center} ({self.role})"


class CertificationSession(models.Model):
    class Status(models.TextChoices):
        CREATED = "created", "Créée"
        FINALIZED = "finalized", "Finalisée"
        IN_PROCESS = "in_process", "En cours de traitement"
        PROCESSED = "processed", "Résultats publiés"

    center = models.ForeignKey(CertificationCenter, on_delete=models.CASCADE, related_name="sessions")
    address = models.CharField("nom du site", max_length=255)
    room = models.CharField("salle", max_length=255)
    examiner = models.CharField("surveillant(s)", max_length=255)
    date = models.DateField("date")
    time = models.TimeField("heure")
    description = models.TextField("observations", blank=True, max_length=2000)
    access_code = models.CharField("code d'accès", max_length=6)
    invigilator_password = models.CharField("mot de passe de l'espace surveillant", max_length=5)
    examiner_global_comment = models.TextField("commentaire global", blank=True, max_length=5000)
    has_incident = models.BooleanField("un ou plusieurs incidents ont eu lieu", default=False)
    has_joining_issue = models.BooleanField("un ou plusieurs candidats n'ont pas pu rejoindre", default=False)
    finalized_at = models.DateTimeField(null=True, blank=True)
    assigned_certification_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    invigilator_failed_attempts = models.PositiveIntegerField(
        "mots de passe surveillant erronés",
        default=0,
        help_text="Depuis le dernier mot de passe donné ; au-delà du seuil, l'espace surveillant est verrouillé.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "session de certification"
        verbose_name_plural = "sessions de certification"
        ordering = ["-date", "-time", "-id"]
        indexes = [models.Index(fields=["center", "date"])]

    def __str__(self) -> str:
        return f"Session {self.pk} — {self.date:%d/%m/%Y} {self.time:%H:%M}"

    @property
    def status(self) -> str:
        """Derived, never stored (reference §8.2)."""
        if self.published_at:
            return self.Status.PROCESSED
        if self.assigned_certification_officer_id:
            return self.Status.IN_PROCESS
        if self.finalized_at:
            return self.Status.FINALIZED
        return self.Status.CREATED

    def get_status_display(self) -> str:
        return self.Status(self.status).label

    @property
    def is_finalized(self) -> bool:
        return self.finalized_at is not None

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_invigilation_locked(self) -> bool:
        """Too many wrong invigilator passwords: closed until the centre gives a new one."""
        return self.invigilator_failed_attempts >= INVIGILATOR_LOCK_FAILURES

    @property
    def starts_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.date, self.time))


class Candidate(models.Model):
    class Sex(models.TextChoices):
        F = "F", "Femme"
        M = "M", "Homme"

    session = models.ForeignKey(CertificationSession, on_delete=models.CASCADE, related_name="candidates")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="certification_candidacies",
    )
    organization_learner = models.ForeignKey(
        "students.OrganizationLearner", null=True, blank=True, on_delete=models.PROTECT, related_name="candidacies"
    )
    first_name = models.CharField("prénom", max_length=255)
    last_name = models.CharField("nom", max_length=255)
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices, blank=True)
    birthdate = models.DateField("date de naissance")
    birth_insee_code = models.CharField("code INSEE de la commune de naissance", max_length=5, blank=True)
    birth_postal_code = models.CharField("code postal de naissance", max_length=5, blank=True)
    birth_city = models.CharField("commune de naissance", max_length=255, blank=True)
    birth_country = models.CharField("pays de naissance", max_length=255, blank=True)
    email = models.EmailField("e-mail de convocation", blank=True)
    result_recipient_email = models.EmailField("e-mail du destinataire des résultats", blank=True)
    external_id = models.CharField("identifiant externe", max_length=255, blank=True)
    extra_time_percentage = models.PositiveSmallIntegerField("temps majoré (%)", default=0)
    authorized_to_start = models.BooleanField("autorisé à commencer", default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "candidat"
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "organization_learner"], name="learner_enrolled_once_per_session"
            ),
            models.UniqueConstraint(fields=["session", "user"], name="user_is_one_candidate_per_session"),
            models.CheckConstraint(
                condition=models.Q(extra_time_percentage__lte=300), name="extra_time_percentage_reasonable"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}"

    @property
    def birthplace(self) -> str:
        place = self.birth_city or self.birth_insee_code or self.birth_postal_code
        if self.birth_country and self.birth_country.upper() != "FRANCE":
            return f"{place} ({self.birth_country})" if place else self.birth_country
        return place


class CertificationCourse(models.Model):
    """One candidate's certification: the test, then its result (reference §8.4, §8.7)."""

    class Status(models.TextChoices):
        STARTED = "started", "Démarrée"
        VALIDATED = "validated", "Validée"
        REJECTED = "rejected", "Rejetée"
        CANCELLED = "cancelled", "Annulée"
        ERROR = "error", "En erreur"

    class AbortReason(models.TextChoices):
        CANDIDATE = "candidate", "Abandon : manque de temps ou départ prématuré"
        TECHNICAL = "technical", "Problème technique"

    class Decision(models.TextChoices):
        """What the centre decided for a certification Pix would send to its jury (not trustable, in error)."""

        PUBLISH = "publish", "Publier le résultat calculé"
        CANCEL = "cancel", "Annuler la certification"

    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="course")
    session = models.ForeignKey(CertificationSession, on_delete=models.CASCADE, related_name="courses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certification_courses")
    assessment = models.OneToOneField(
        "assessments.Assessment", on_delete=models.PROTECT, related_name="certification_course"
    )
    verification_code = models.CharField("code de vérification", max_length=10, unique=True)
    positioning = models.JSONField(
        "positionnement au début du test", default=list, help_text="[{code, level, pix}] des compétences certifiables"
    )
    max_reachable_level = models.PositiveSmallIntegerField(default=5)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    abort_reason = models.CharField("raison de l'abandon", max_length=9, choices=AbortReason.choices, blank=True)
    status = models.CharField("statut", max_length=9, choices=Status.choices, default=Status.STARTED)
    pix_score = models.PositiveSmallIntegerField("score pix", default=0)
    reproducibility_rate = models.PositiveSmallIntegerField("taux de reproductibilité", default=0)
    rejection_reason = models.CharField(max_length=48, blank=True)
    is_trustable = models.BooleanField(
        "fiable",
        default=True,
        help_text="Faux quand moins des deux tiers des questions ont une réponse prise en compte (référence §8.2.9).",
    )
    scored_answers = models.PositiveSmallIntegerField("réponses prises en compte", default=0)
    scored_challenges = models.PositiveSmallIntegerField("questions du test", default=0)
    error_message = models.CharField("erreur de calcul", max_length=500, blank=True)
    decision = models.CharField("décision du centre", max_length=7, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    jury_comment_for_organization = models.TextField("commentaire jury pour l'organisation", blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "certification"
        ordering = ["session", "candidate__last_name", "candidate__first_name"]
        indexes = [models.Index(fields=["user", "published_at"])]

    def __str__(self) -> str:
        return f"Certification {self.pk} ({self.verification_code})"

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def awaits_decision(self) -> bool:
        """Not trustable, or in error, and the centre has not said what to do with it."""
        return self.status == self.Status.ERROR or (not self.is_trustable and not self.decision)

    @property
    def is_released(self) -> bool:
        """What candidates, schools, the verification and the livret may see: published and decided."""
        return self.is_published and self.status != self.Status.ERROR and (self.is_trustable or bool(self.decision))

    @property
    def valid_until(self) -> datetime.date | None:
        if not self.published_at:
            return None
        delivered = timezone.localdate(self.published_at)
        try:
            return delivered.replace(year=delivered.year + CERTIFICATE_VALIDITY_YEARS)
        except ValueError:  # 29 February
            return delivered.replace(year=delivered.year + CERTIFICATE_VALIDITY_YEARS, day=28)

    @property
    def deadline(self) -> datetime.datetime:
        """105 minutes, lengthened by the candidate's extra time (reference §8.3)."""
        from certification.scoring import TEST_DURATION_MINUTES

        minutes = TEST_DURATION_MINUTES * (100 + self.candidate.extra_time_percentage) / 100
        return self.created_at + datetime.timedelta(minutes=minutes)


class CertificationChallenge(models.Model):
    """One question of a course, chosen when the test starts; the test asks them in ``index`` order."""

    course = models.ForeignKey(CertificationCourse, on_delete=models.CASCADE, related_name="challenges")
    index = models.PositiveSmallIntegerField()
    challenge = models.ForeignKey("crcn.Challenge", on_delete=models.PROTECT, related_name="+")
    skill_name = models.CharField(max_length=100)
    competence_code = models.CharField(max_length=4)
    is_neutralized = models.BooleanField("neutralisée", default=False)

    class Meta:
        ordering = ["course", "index"]
        constraints = [
            models.UniqueConstraint(fields=["course", "index"], name="certification_challenge_index_unique"),
            models.UniqueConstraint(fields=["course", "challenge"], name="certification_challenge_once"),
        ]

    def __str__(self) -> str:
        return f"{self.course_id}#{self.index} {self.challenge_id}"


class CompetenceMark(models.Model):
    course = models.ForeignKey(CertificationCourse, on_delete=models.CASCADE, related_name="competence_marks")
    competence_code = models.CharField(max_length=4)
    level = models.SmallIntegerField("niveau certifié")  # -1: not certified
    score = models.PositiveSmallIntegerField("pix")

    class Meta:
        ordering = ["course", "competence_code"]
        constraints = [models.UniqueConstraint(fields=["course", "competence_code"], name="one_mark_per_competence")]

    def __str__(self) -> str:
        return f"{self.competence_code}: {self.level}"


class IssueReport(models.Model):
    """A signalement (reference §8.6), made by the invigilator during the session or at finalisation."""

    class Category(models.TextChoices):
        CANDIDATE_INFORMATIONS_CHANGES = "CANDIDATE_INFORMATIONS_CHANGES", "Modification des infos candidat"
        SIGNATURE_ISSUE = "SIGNATURE_ISSUE", "Problème de signature"
        IN_CHALLENGE = "IN_CHALLENGE", "Problème sur une question"
        FRAUD = "FRAUD", "Suspicion de fraude"
        NON_BLOCKING_CANDIDATE_ISSUE = "NON_BLOCKING_CANDIDATE_ISSUE", "Problème non bloquant lié au candidat"
        NON_BLOCKING_TECHNICAL_ISSUE = "NON_BLOCKING_TECHNICAL_ISSUE", "Problème technique non bloquant"

    class Subcategory(models.TextChoices):
        NAME_OR_BIRTHDATE = "NAME_OR_BIRTHDATE", "Nom ou date de naissance"
        EXTRA_TIME_PERCENTAGE = "EXTRA_TIME_PERCENTAGE", "Temps majoré"
        IMAGE_NOT_DISPLAYING = "IMAGE_NOT_DISPLAYING", "L'image ne s'affiche pas"
        EMBED_NOT_WORKING = "EMBED_NOT_WORKING", "Le simulateur ne fonctionne pas"
        FILE_NOT_OPENING = "FILE_NOT_OPENING", "Le fichier ne s'ouvre pas"
        WEBSITE_UNAVAILABLE = "WEBSITE_UNAVAILABLE", "Le site à visiter est indisponible"
        WEBSITE_BLOCKED = "WEBSITE_BLOCKED", "Le site à visiter est bloqué"
        EXTRA_TIME_EXCEEDED = "EXTRA_TIME_EXCEEDED", "Le temps majoré a été dépassé"
        SOFTWARE_NOT_WORKING = "SOFTWARE_NOT_WORKING", "Le logiciel ne fonctionne pas"
        UNINTENTIONAL_FOCUS_OUT = "UNINTENTIONAL_FOCUS_OUT", "Sortie involontaire de la question"
        SKIP_ON_OOPS = "SKIP_ON_OOPS", "Question passée après une erreur"
        ACCESSIBILITY_ISSUE = "ACCESSIBILITY_ISSUE", "Problème d'accessibilité"

    course = models.ForeignKey(CertificationCourse, on_delete=models.CASCADE, related_name="issue_reports")
    category = models.CharField("catégorie", max_length=32, choices=Category.choices)
    subcategory = models.CharField("sous-catégorie", max_length=32, choices=Subcategory.choices, blank=True)
    description = models.TextField("description", blank=True, max_length=2000)
    question_number = models.PositiveSmallIntegerField("numéro de la question", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "signalement"
        ordering = ["course", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_category_display()} ({self.course_id})"


class LivretScolaireClient(models.Model):
    """A client of the livret scolaire API (reference §8.10): client-credentials, one scope."""

    client_id = models.CharField(max_length=64, unique=True)
    secret_hash = models.CharField(max_length=256)
    name = models.CharField(max_length=255)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "client du livret scolaire"

    def __str__(self) -> str:
        return self.name
