from datetime import date

import pytest
from django.contrib.auth import authenticate

from accounts import services
from accounts.models import AuditLogEntry, Invitation, Membership
from pixorga.errors import ApplicationError
from tests.accounts.factories import InvitationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_username_is_first_name_dot_last_name_and_day_month_of_birth():
    username = services.username_generate(first_name="Jean-Éric", last_name="Dupont", birthdate=date(2008, 3, 7))
    assert username == "jeaneric.dupont0703"


def test_a_taken_username_gets_four_random_digits_instead_of_the_birthday():
    UserFactory(email=None, username="lea.martin1403")
    username = services.username_generate(first_name="Léa", last_name="Martin", birthdate=date(2010, 3, 14))
    assert username.startswith("lea.martin") and username != "lea.martin1403"
    assert len(username) == len("lea.martin1403") and username[-4:].isdigit()


def test_a_learner_without_email_gets_a_generated_username_and_can_log_in_with_it(rf):
    user = services.user_create(
        first_name="Zoé", last_name="Lefèvre", birthdate=date(2011, 12, 1), password="Cartable2026"
    )
    assert user.username == "zoe.lefevre0112" and user.email is None
    assert user.password.startswith("argon2")
    assert authenticate(request=rf.post("/"), username="zoe.lefevre0112", password="Cartable2026") == user


def test_without_email_the_birthdate_is_required():
    with pytest.raises(ApplicationError) as error:
        services.user_create(first_name="Zoé", last_name="Lefèvre", password="Cartable2026")
    assert error.value.code == "BIRTHDATE_REQUIRED"


def test_an_email_is_used_once_whatever_its_case():
    UserFactory(email="anne@exemple.fr")
    with pytest.raises(ApplicationError, match="déjà utilisée"):
        services.user_create(first_name="A", last_name="B", email="ANNE@exemple.fr", password="Cartable2026")


def test_a_weak_password_is_refused_in_french():
    with pytest.raises(ApplicationError, match="majuscule"):
        services.user_create(first_name="A", last_name="B", email="a@exemple.fr", password="toutenminuscules")


def test_several_comma_separated_addresses_are_invited_at_once_and_emailed_after_commit(
    school_a, admin_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        invitations = services.invitations_send(
            organization=school_a,
            invited_by=admin_a,
            emails=" Paul@ac-lyon.fr, marie@ac-lyon.fr,paul@ac-lyon.fr ",
            role=Membership.Role.MEMBER,
        )
    assert sorted(i.email for i in invitations) == ["marie@ac-lyon.fr", "paul@ac-lyon.fr"]
    assert len(callbacks) == 2
    assert all(len(i.code) == 10 and i.code.isupper() for i in invitations)
    assert AuditLogEntry.objects.filter(organization=school_a, kind="invitation_sent").count() == 1


def test_one_invalid_address_refuses_the_whole_list(school_a, admin_a):
    with pytest.raises(ApplicationError) as error:
        services.invitations_send(
            organization=school_a, invited_by=admin_a, emails="ok@ac-lyon.fr, pas-une-adresse", role="MEMBER"
        )
    assert "pas-une-adresse" in error.value.message
    assert not Invitation.objects.exists()


def test_inviting_a_pending_address_again_refreshes_the_same_invitation(school_a, admin_a):
    first = services.invitations_send(
        organization=school_a, invited_by=admin_a, emails="paul@ac-lyon.fr", role="MEMBER"
    )[0]
    second = services.invitations_send(
        organization=school_a, invited_by=admin_a, emails="PAUL@ac-lyon.fr", role="ADMIN"
    )[0]
    assert first.pk == second.pk and second.role == "ADMIN"
    assert Invitation.objects.count() == 1


def test_an_archived_organization_cannot_invite(school_a, admin_a):
    school_a.archived_at = school_a.created_at
    school_a.save()
    with pytest.raises(ApplicationError, match="archivée"):
        services.invitations_send(organization=school_a, invited_by=admin_a, emails="paul@ac-lyon.fr", role="MEMBER")


def test_accepting_gives_the_invited_role(school_a, admin_a):
    invitation = InvitationFactory(organization=school_a, role=Membership.Role.ADMIN)
    user = UserFactory()
    membership = services.invitation_accept(invitation=invitation, user=user)
    assert membership.role == "ADMIN" and membership.organization == school_a
    invitation.refresh_from_db()
    assert invitation.status == "accepted"


def test_without_a_role_the_first_member_becomes_admin_and_the_next_ones_members(school_a):
    first = services.invitation_accept(
        invitation=InvitationFactory(organization=school_a, role=None), user=UserFactory()
    )
    second = services.invitation_accept(
        invitation=InvitationFactory(organization=school_a, role=None), user=UserFactory()
    )
    assert (first.role, second.role) == ("ADMIN", "MEMBER")


def test_an_invitation_is_accepted_once(school_a):
    invitation = InvitationFactory(organization=school_a)
    services.invitation_accept(invitation=invitation, user=UserFactory())
    with pytest.raises(ApplicationError, match="déjà été acceptée"):
        services.invitation_accept(invitation=invitation, user=UserFactory())


def test_a_cancelled_invitation_cannot_be_accepted(school_a, admin_a):
    invitation = InvitationFactory(organization=school_a)
    services.invitation_cancel(invitation=invitation, actor=admin_a)
    with pytest.raises(ApplicationError):
        services.invitation_accept(invitation=invitation, user=UserFactory())


def test_a_member_without_role_in_the_invitation_is_told_they_already_belong(school_a, member_a):
    with pytest.raises(ApplicationError, match="déjà membre"):
        services.invitation_accept(invitation=InvitationFactory(organization=school_a, role=None), user=member_a)


def test_the_last_admin_can_neither_be_demoted_nor_removed(school_a, admin_a):
    membership = admin_a.memberships.get()
    with pytest.raises(ApplicationError, match="au moins un administrateur"):
        services.membership_change_role(membership=membership, role="MEMBER", actor=admin_a)
    with pytest.raises(ApplicationError, match="au moins un administrateur"):
        services.membership_disable(membership=membership, actor=admin_a)


def test_an_admin_can_leave_once_another_admin_exists(school_a, admin_a, member_a):
    services.membership_change_role(membership=member_a.memberships.get(), role="ADMIN", actor=admin_a)
    services.membership_disable(membership=admin_a.memberships.get(), actor=admin_a)
    assert not admin_a.memberships.filter(disabled_at__isnull=True).exists()
    assert AuditLogEntry.objects.filter(kind="member_left").exists()


def test_access_by_uai_invites_the_official_address_as_admin(school_a):
    invitation = services.organization_access_request(uai=" 0691234a ", first_name="Anne", last_name="Directrice")
    assert invitation.email == "ce.0691234a@ac-lyon.fr"
    assert invitation.role == "ADMIN" and invitation.requested_by_name == "Anne Directrice"


@pytest.mark.parametrize(
    ("uai", "code"),
    [("9999999Z", "UAI_NOT_FOUND")],
)
def test_access_by_an_unknown_uai_is_refused(uai, code):
    with pytest.raises(ApplicationError) as error:
        services.organization_access_request(uai=uai, first_name="A", last_name="B")
    assert error.value.code == code


def test_access_by_uai_needs_an_official_address(school_a):
    school_a.email = ""
    school_a.save()
    with pytest.raises(ApplicationError) as error:
        services.organization_access_request(uai="0691234A", first_name="A", last_name="B")
    assert error.value.code == "ORGANIZATION_WITHOUT_EMAIL"


def test_membership_removal_keeps_the_row_for_history(school_a, admin_a, member_a):
    membership = member_a.memberships.get()
    services.membership_disable(membership=membership, actor=admin_a)
    membership.refresh_from_db()
    assert membership.disabled_at is not None
    assert MembershipFactory._meta.model.objects.filter(pk=membership.pk).exists()
