"""Reads on campaigns. The by-code lookup is public: a code is what a student types."""

from __future__ import annotations

from django.http import Http404

from accounts.models import Membership, User
from campaigns.models import Campaign
from students.models import OrganizationLearner


def campaign_get_by_code(*, code: str) -> Campaign:
    """A live campaign from its code; deleted or unknown → 404 (archived ones are found, then refused)."""
    normalized = "".join((code or "").split()).upper()
    if not normalized.isalnum():  # a code is letters and digits; PostgreSQL would refuse some others (NUL)
        raise Http404
    try:
        return Campaign.objects.select_related("organization", "target_profile").get(
            code=normalized, deleted_at__isnull=True
        )
    except Campaign.DoesNotExist:
        raise Http404 from None


def learner_of_user_for_campaign(*, campaign: Campaign, user: User) -> OrganizationLearner | None:
    """The user's active record in the campaign's organisation, if they are reconciled."""
    if not user.is_authenticated:
        return None
    return campaign.organization.learners.filter(user=user, is_disabled=False).first()


def learner_has_left(*, campaign: Campaign, user: User) -> bool:
    """The user's only records in the campaign's organisation are disabled: they left the school."""
    if not user.is_authenticated:
        return False
    records = list(campaign.organization.learners.filter(user=user).values_list("is_disabled", flat=True))
    return bool(records) and all(records)


def participation_current_for_user(*, campaign: Campaign, user: User):
    if not user.is_authenticated:
        return None
    return (
        campaign.participations.filter(user=user, is_improved=False, deleted_at__isnull=True)
        .prefetch_related("assessments")
        .first()
    )


def campaigns_list_for_organization(
    *, organization, status: str = "active", owner_id=None, name: str = "", owner_name: str = ""
):
    from django.db.models import Count, Q

    campaigns = organization.campaigns.filter(deleted_at__isnull=True).select_related("owner", "target_profile")
    campaigns = campaigns.filter(archived_at__isnull=(status != "archived"))
    if owner_id:
        campaigns = campaigns.filter(owner_id=owner_id)
    if name:
        campaigns = campaigns.filter(name__icontains=name.strip())
    if owner_name:
        for word in owner_name.split()[:3]:
            campaigns = campaigns.filter(Q(owner__first_name__icontains=word) | Q(owner__last_name__icontains=word))
    current = Q(participations__is_improved=False, participations__deleted_at__isnull=True)
    return campaigns.annotate(
        participants_count=Count("participations", filter=current),
        shared_count=Count("participations", filter=current & Q(participations__status="SHARED")),
    ).order_by("-created_at")


def campaign_get_for_member(*, organization, campaign_id: int) -> Campaign:
    try:
        return organization.campaigns.select_related("owner", "target_profile", "organization").get(
            pk=campaign_id, deleted_at__isnull=True
        )
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def participants_list_for_campaign(*, campaign: Campaign):
    return (
        campaign.participations.filter(is_improved=False, deleted_at__isnull=True)
        .select_related("organization_learner", "user")
        .order_by("organization_learner__last_name", "organization_learner__first_name")
    )


def campaign_get_for_user(*, user: User, campaign_id: int) -> tuple[Campaign, Membership]:
    """A campaign of an organisation where the user is an active member, with that membership; else 404."""
    try:
        campaign = Campaign.objects.select_related("organization", "owner", "target_profile").get(
            pk=campaign_id, deleted_at__isnull=True, organization__archived_at__isnull=True
        )
        membership = Membership.objects.get(user=user, organization=campaign.organization, disabled_at__isnull=True)
    except (Campaign.DoesNotExist, Membership.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    return campaign, membership


def participation_get_for_user(*, user: User, participation_id: int):
    from campaigns.models import CampaignParticipation

    try:
        return CampaignParticipation.objects.select_related("campaign__organization", "campaign__target_profile").get(
            pk=participation_id, user=user, deleted_at__isnull=True
        )
    except (CampaignParticipation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def campaign_export_get_for_member(*, organization, export_id: int):
    from campaigns.models import CampaignExport

    try:
        return CampaignExport.objects.select_related("campaign").get(
            pk=export_id, campaign__organization=organization, campaign__deleted_at__isnull=True
        )
    except (CampaignExport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def campaign_export_get_for_user(*, user: User, export_id: int):
    """An export of a live campaign of a live organisation where the user is an active member; else 404."""
    from campaigns.models import CampaignExport

    try:
        return CampaignExport.objects.select_related("campaign__organization").get(
            pk=export_id,
            campaign__deleted_at__isnull=True,
            campaign__organization__archived_at__isnull=True,
            campaign__organization__memberships__user=user,
            campaign__organization__memberships__disabled_at__isnull=True,
        )
    except (CampaignExport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def participation_get_for_campaign(*, campaign: Campaign, participation_id: int):
    try:
        return campaign.participations.select_related("organization_learner", "user").get(
            pk=participation_id, deleted_at__isnull=True
        )
    except (ValueError, TypeError, campaign.participations.model.DoesNotExist):
        raise Http404 from None
