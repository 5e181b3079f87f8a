import pytest
from django.http import Http404

from accounts import selectors
from tests.accounts.factories import InvitationFactory

pytestmark = pytest.mark.django_db


def test_a_user_only_sees_their_own_active_organizations(admin_a, school_a, school_b, admin_b):
    assert [m.organization for m in selectors.memberships_list_for_user(user=admin_a)] == [school_a]


def test_an_archived_organization_is_no_longer_reachable(admin_a, school_a):
    school_a.archived_at = school_a.created_at
    school_a.save()
    with pytest.raises(Http404):
        selectors.membership_get_for_user(user=admin_a, organization_id=school_a.pk)


def test_membership_of_another_school_is_a_404(admin_a, school_b):
    with pytest.raises(Http404):
        selectors.membership_get_for_user(user=admin_a, organization_id=school_b.pk)


def test_member_list_does_not_return_other_schools_rows(school_a, admin_a, member_a, admin_b):
    members = selectors.members_list_for_organization(organization=school_a)
    assert {m.user for m in members} == {admin_a, member_a}


def test_an_invitation_of_another_school_is_a_404(school_a, school_b):
    invitation = InvitationFactory(organization=school_b)
    with pytest.raises(Http404):
        selectors.invitation_get_for_organization(organization=school_a, invitation_id=invitation.pk)


def test_an_invitation_link_with_a_wrong_code_is_a_404(school_a):
    invitation = InvitationFactory(organization=school_a)
    with pytest.raises(Http404):
        selectors.invitation_get_by_code(invitation_id=invitation.pk, code="MAUVAISCODE")
    assert selectors.invitation_get_by_code(invitation_id=invitation.pk, code=invitation.code.lower()) == invitation


def test_login_accepts_email_in_any_case_or_username(admin_a, student):
    assert selectors.user_find_by_login(login="ANNE.directrice@ac-lyon.fr") == admin_a
    assert selectors.user_find_by_login(login="lea.martin1403") == student
    assert selectors.user_find_by_login(login="") is None
