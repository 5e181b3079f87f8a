"""Reads on users, organisations, memberships and invitations.

Every read of organisation data starts from the organisation (or from the user's own memberships):
no selector here can return another school's rows. Access helpers raise ``Http404`` both when a row
does not exist and when it belongs to another organisation, so a 404 never confirms existence.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from accounts.models import Invitation, Membership, Organization, User


def user_find_by_login(*, login: str) -> User | None:
    """The user whose e-mail (any case) or username is ``login``."""
    login = login.strip()
    if not login:
        return None
    if "@" in login:
        return User.objects.filter(email__iexact=login).first()
    return User.objects.filter(username=login.lower()).first() or User.objects.filter(username=login).first()


def memberships_list_for_user(*, user: User) -> QuerySet[Membership]:
    """The organisations a user may open, for the switcher and for ``/api/me/``."""
    return (
        Membership.objects.filter(user=user, disabled_at__isnull=True, organization__archived_at__isnull=True)
        .select_related("organization")
        .order_by("organization__name")
    )


def membership_get_for_user(*, user: User, organization_id: int) -> Membership:
    """The user's active membership in that organisation, or 404 (not a member, unknown or archived)."""
    try:
        return memberships_list_for_user(user=user).get(organization_id=organization_id)
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def members_list_for_organization(*, organization: Organization) -> QuerySet[Membership]:
    return (
        organization.memberships.filter(disabled_at__isnull=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


def membership_get_for_organization(*, organization: Organization, membership_id: int) -> Membership:
    try:
        return members_list_for_organization(organization=organization).get(pk=membership_id)
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def admins_count_for_organization(*, organization: Organization) -> int:
    return organization.memberships.filter(disabled_at__isnull=True, role=Membership.Role.ADMIN).count()


def invitations_list_pending_for_organization(*, organization: Organization) -> QuerySet[Invitation]:
    return organization.invitations.filter(status=Invitation.Status.PENDING).order_by("-updated_at")


def invitation_get_for_organization(*, organization: Organization, invitation_id: int) -> Invitation:
    try:
        return organization.invitations.get(pk=invitation_id)
    except (Invitation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def invitation_get_by_code(*, invitation_id: int, code: str) -> Invitation:
    """The invitation a link points to; the code is the secret, a wrong one is a 404."""
    try:
        return Invitation.objects.select_related("organization").get(
            pk=invitation_id, code=(code or "").strip().upper()
        )
    except (Invitation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def organization_team_summary(*, organization: Organization) -> dict[str, int]:
    """Counts shown on the organisation's home page."""
    counts = organization.memberships.filter(disabled_at__isnull=True).aggregate(
        members=Count("id"), admins=Count("id", filter=Q(role=Membership.Role.ADMIN))
    )
    counts["pending_invitations"] = invitations_list_pending_for_organization(organization=organization).count()
    return counts
