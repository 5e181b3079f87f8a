"""Reads on campaigns. The by-code lookup is public: a code is what a student types."""

from __future__ import annotations

from django.http import Http404

from accounts.models import User
from campaigns.models import Campaign
from students.models import OrganizationLearner


def campaign_get_by_code(*, code: str) -> Campaign:
    """A live campaign from its code; deleted or unknown → 404 (archived ones are found, then refused)."""
    normalized = "".join((code or "").split()).upper()
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
