"""Users, organisations, memberships, invitations and the staff audit log.

Models hold data and the invariants the database can enforce; rules live in services.py.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager):
    """Used by ``createsuperuser`` and the admin; the product creates users through services."""

    use_in_migrations = True

    def _create(self, *, email, username, password, **extra):
        email = self.normalize_email(email) if email else None
        user = self.model(email=email or None, username=username or None, **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, username=None, email=None, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email=email, username=username, password=password, **extra)

    def create_superuser(self, username=None, email=None, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email=email, username=username, password=password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address or, for students without one, a username."""

    email = models.EmailField("adresse e-mail", null=True, blank=True)
    username = models.CharField("identifiant", max_length=150, unique=True, null=True, blank=True)
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    birthdate = models.DateField("date de naissance", null=True, blank=True)
    cgu_accepted_at = models.DateTimeField("CGU acceptées le", null=True, blank=True)
    must_change_password = models.BooleanField("doit changer son mot de passe", default=False)
    is_staff = models.BooleanField("opérateur de la plateforme", default=False)
    is_active = models.BooleanField("actif", default=True)
    date_joined = models.DateTimeField("inscrit le", default=timezone.now)
    last_organization = models.ForeignKey(
        "Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="dernière organisation consultée",
    )

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email", "first_name", "last_name"]

    class Meta:
        verbose_name = "utilisateur"
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            models.CheckConstraint(
                condition=Q(email__isnull=False) | Q(username__isnull=False), name="user_has_a_login"
            ),
        ]

    def __str__(self) -> str:
        return self.email or self.username or f"utilisateur {self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def login(self) -> str:
        """What the person types to log in."""
        return self.email or self.username or ""


class Organization(models.Model):
    """A school (SCO), a higher-education institution (SUP) or another structure (PRO)."""

    class Type(models.TextChoices):
        SCO = "SCO", "Établissement scolaire"
        SUP = "SUP", "Enseignement supérieur"
        PRO = "PRO", "Organisation professionnelle"

    type = models.CharField("type", max_length=3, choices=Type.choices)
    name = models.CharField("nom", max_length=255)
    external_id = models.CharField("UAI / identifiant externe", max_length=32, blank=True, db_index=True)
    is_managing_students = models.BooleanField("gère ses élèves (import)", default=False)
    email = models.EmailField("adresse e-mail de contact officielle", blank=True)
    archived_at = models.DateTimeField("archivée le", null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("créée le", default=timezone.now)

    class Meta:
        verbose_name = "organisation"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.external_id})" if self.external_id else self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_sco_managing_students(self) -> bool:
        return self.type == self.Type.SCO and self.is_managing_students


class Membership(models.Model):
    """A user's place in an organisation. Removal is soft (``disabled_at``) so history keeps its author."""

    class Role(models.TextChoices):
        ADMIN = "ADMIN", "Administrateur"
        MEMBER = "MEMBER", "Membre"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("rôle", max_length=6, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "appartenance"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], condition=Q(disabled_at__isnull=True), name="one_active_membership"
            )
        ]
        indexes = [models.Index(fields=["organization", "disabled_at"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.organization} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN


def new_invitation_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(settings.INVITATION_CODE_LENGTH))


class Invitation(models.Model):
    """An e-mailed invitation to join an organisation; the code in the link proves who received it."""

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        ACCEPTED = "accepted", "Acceptée"
        CANCELLED = "cancelled", "Annulée"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("adresse e-mail")
    role = models.CharField("rôle", max_length=6, choices=Membership.Role.choices, null=True, blank=True)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.PENDING)
    code = models.CharField(max_length=32, default=new_invitation_code)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_name = models.CharField("demandée par (accès par UAI)", max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "invitation"
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), "organization", condition=Q(status="pending"), name="one_pending_invitation_per_email"
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization} ({self.status})"


class AuditLogEntry(models.Model):
    """What staff did to people and data of an organisation, for the school's own accountability."""

    class Kind(models.TextChoices):
        INVITATION_SENT = "invitation_sent", "Invitation envoyée"
        INVITATION_CANCELLED = "invitation_cancelled", "Invitation annulée"
        INVITATION_ACCEPTED = "invitation_accepted", "Invitation acceptée"
        MEMBER_ROLE_CHANGED = "member_role_changed", "Rôle modifié"
        MEMBER_REMOVED = "member_removed", "Membre retiré"
        MEMBER_LEFT = "member_left", "Membre parti"
        ACCESS_REQUESTED = "access_requested", "Accès demandé par UAI"
        LEARNERS_IMPORTED = "learners_imported", "Élèves importés"
        LEARNER_ACCOUNTS_CREATED = "learner_accounts_created", "Comptes élèves créés"
        LEARNER_PASSWORDS_RESET = "learner_passwords_reset", "Mots de passe élèves réinitialisés"
        CERTIFICATION_DECIDED = "certification_decided", "Décision sur une certification non fiable ou en erreur"
        INVIGILATOR_PASSWORD_RENEWED = "invigilator_password_renewed", "Nouveau mot de passe surveillant"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="audit_log")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    extra = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "entrée du journal"
        verbose_name_plural = "journal des actions"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%d/%m/%Y %H:%M} {self.get_kind_display()}"
