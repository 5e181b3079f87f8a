"""Reads on a school's learners and imports; every query starts from the organisation."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from accounts.models import Organization
from pixorga.names import fold_name
from students.models import LearnerImport, OrganizationLearner

CERTIFICABILITY_FILTERS = {
    "certifiable": "Certifiable",
    "not_certifiable": "Non certifiable",
    "unknown": "Inconnu",
}

CONNECTION_METHODS = {
    "email": "Adresse e-mail",
    "username": "Identifiant",
    "none": "Aucun compte",
}


def learners_list_for_organization(
    *,
    organization: Organization,
    search: str = "",
    divisions: list[str] | None = None,
    connection: str = "",
    include_disabled: bool = False,
    certificability: str = "",
) -> QuerySet[OrganizationLearner]:
    learners = _with_certificability(organization.learners.select_related("user"))
    if certificability == "certifiable":
        learners = learners.filter(certifiable=True)
    elif certificability == "not_certifiable":
        learners = learners.filter(certifiable=False)
    elif certificability == "unknown":
        learners = learners.filter(certifiable__isnull=True)
    if not include_disabled:
        learners = learners.filter(is_disabled=False)
    for word in fold_name(search).split()[:5]:
        learners = learners.filter(search_text__contains=word)
    if divisions:
        learners = learners.filter(division__in=divisions)
    if connection == "email":
        learners = learners.filter(user__email__isnull=False)
    elif connection == "username":
        learners = learners.filter(user__username__isnull=False)
    elif connection == "none":
        learners = learners.filter(user__isnull=True)
    return learners.order_by("last_name", "first_name", "division", "id")


def _with_certificability(learners: QuerySet[OrganizationLearner]) -> QuerySet[OrganizationLearner]:
    """Certifiable or not according to the latest profile the learner shared with this school (None: unknown)."""
    from campaigns.models import Campaign, CampaignParticipation

    latest = CampaignParticipation.objects.filter(
        organization_learner=OuterRef("pk"),
        campaign__type=Campaign.Type.PROFILES_COLLECTION,
        status=CampaignParticipation.Status.SHARED,
        deleted_at__isnull=True,
    ).order_by("-shared_at")
    return learners.annotate(
        certifiable=Subquery(latest.values("is_certifiable")[:1]),
        certifiable_at=Subquery(latest.values("shared_at")[:1]),
    )


def divisions_for_organization(*, organization: Organization) -> list[str]:
    return list(
        organization.learners.filter(is_disabled=False)
        .exclude(division="")
        .order_by("division")
        .values_list("division", flat=True)
        .distinct()
    )


def learner_get_for_organization(*, organization: Organization, learner_id: int) -> OrganizationLearner:
    try:
        return organization.learners.select_related("user").get(pk=learner_id)
    except (OrganizationLearner.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def learner_import_get_for_organization(*, organization: Organization, import_id: int) -> LearnerImport:
    try:
        return organization.learner_imports.select_related("created_by").get(pk=import_id)
    except (LearnerImport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def learner_imports_recent_for_organization(*, organization: Organization, limit: int = 10) -> QuerySet[LearnerImport]:
    return organization.learner_imports.select_related("created_by")[:limit]


def learner_import_get_for_admin(*, user, import_id: int) -> LearnerImport:
    """An import of an organisation the user administers; anything else is a 404."""
    try:
        return LearnerImport.objects.select_related("organization").get(
            pk=import_id,
            organization__memberships__user=user,
            organization__memberships__role="ADMIN",
            organization__memberships__disabled_at__isnull=True,
            organization__archived_at__isnull=True,
        )
    except (LearnerImport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def participations_list_for_learner(*, organization: Organization, learner: OrganizationLearner):
    """The campaigns of this school the learner took part in (current sending of each), latest first."""
    return (
        learner.participations.filter(campaign__organization=organization, deleted_at__isnull=True, is_improved=False)
        .select_related("campaign")
        .order_by("-created_at")
    )
