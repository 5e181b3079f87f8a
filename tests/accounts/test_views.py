from unittest import mock

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.urls import reverse

from accounts.models import Invitation, Membership
from tests.accounts.factories import InvitationFactory
from tests.mail import emails_to, first_link
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"accounts:{name}", kwargs=kwargs)


def test_login_with_username_lands_on_the_learners_profile(client, student, password):
    response = client.post(url("login"), {"username": "lea.martin1403", "password": password}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("assessments:profile")
    assert "lea.martin1403" in client.get(url("my_account")).content.decode()


def test_staff_login_lands_on_their_organization(client, admin_a, school_a, password):
    response = client.post(url("login"), {"username": "ANNE.DIRECTRICE@ac-lyon.fr", "password": password}, follow=True)
    assert response.redirect_chain[-1][0] == url("organization_home", org_id=school_a.pk)
    assert "Lycée Victor Hugo" in response.content.decode()


def test_wrong_password_shows_a_french_message(client, admin_a):
    response = client.post(url("login"), {"username": admin_a.email, "password": "faux"})
    assert response.status_code == 200
    assert "sont incorrects" in response.content.decode()


def test_repeated_login_failures_are_locked_out(client, admin_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(url("login"), {"username": admin_a.email, "password": "faux"})
    response = client.post(url("login"), {"username": admin_a.email, "password": "faux"})
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()


def test_an_unknown_login_gets_the_same_answer_as_a_wrong_password(client, admin_a):
    wrong_password = client.post(url("login"), {"username": admin_a.email, "password": "faux"})
    unknown = client.post(url("login"), {"username": "personne@ac-lyon.fr", "password": "faux"})
    unknown_username = client.post(url("login"), {"username": "personne.inconnue0101", "password": "faux"})
    for response in (unknown, unknown_username):
        assert response.status_code == wrong_password.status_code == 200
        assert "sont incorrects" in response.content.decode()


def test_an_unknown_login_costs_a_password_hash_like_a_wrong_password(client, admin_a):
    """The time of an answer must not tell which logins exist: both paths hash the typed password."""
    hashing = mock.patch.object(Argon2PasswordHasher, "encode", autospec=True, side_effect=Argon2PasswordHasher.encode)
    with hashing as spy:
        client.post(url("login"), {"username": "personne@ac-lyon.fr", "password": "faux"})
    assert spy.call_count == 1
    assert spy.call_args.args[1] == "faux"


def test_repeated_unknown_logins_are_locked_out_too(client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(url("login"), {"username": "personne@ac-lyon.fr", "password": "faux"}).status_code == 200
    response = client.post(url("login"), {"username": "personne@ac-lyon.fr", "password": "faux"})
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()


def test_the_side_menu_shows_the_pages_that_exist(client, member_a, school_a):
    client.force_login(member_a)
    page = client.get(url("organization_home", org_id=school_a.pk)).content.decode()
    assert "Équipe" in page and "Documentation" in page


def test_a_member_sees_the_team_but_not_the_admin_actions(client, member_a, admin_a, school_a):
    client.force_login(member_a)
    response = client.get(url("team", org_id=school_a.pk))
    assert response.status_code == 200
    assert "Anne" in response.content.decode() and "Inviter un membre" not in response.content.decode()


def test_a_member_cannot_reach_admin_only_pages(client, member_a, school_a):
    client.force_login(member_a)
    assert client.get(url("invitation_create", org_id=school_a.pk)).status_code == 403
    invitation = InvitationFactory(organization=school_a)
    assert client.post(url("invitation_cancel", org_id=school_a.pk, invitation_id=invitation.pk)).status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_an_admin_invites_two_colleagues_in_one_field(client, admin_a, school_a):
    client.force_login(admin_a)
    response = client.post(
        url("invitation_create", org_id=school_a.pk), {"emails": "paul@ac-lyon.fr, marie@ac-lyon.fr", "role": "MEMBER"}
    )
    assert response.status_code == 302
    assert set(school_a.invitations.values_list("email", flat=True)) == {"paul@ac-lyon.fr", "marie@ac-lyon.fr"}


def test_an_invalid_address_is_reported_and_nothing_is_sent(client, admin_a, school_a):
    client.force_login(admin_a)
    response = client.post(
        url("invitation_create", org_id=school_a.pk), {"emails": "paul@ac-lyon.fr, paul@", "role": "MEMBER"}
    )
    assert response.status_code == 400
    assert "ne sont pas valides" in response.content.decode()
    assert not Invitation.objects.exists()


def test_another_schools_pages_and_objects_are_404(client, admin_b, school_a, admin_a, member_a):
    invitation = InvitationFactory(organization=school_a)
    membership = member_a.memberships.get()
    client.force_login(admin_b)
    assert_cross_tenant_404(
        client,
        [
            ("get", url("organization_home", org_id=school_a.pk)),
            ("get", url("team", org_id=school_a.pk)),
            ("get", url("documentation", org_id=school_a.pk)),
            ("get", url("invitation_create", org_id=school_a.pk)),
            ("post", url("invitation_resend", org_id=school_a.pk, invitation_id=invitation.pk)),
            ("post", url("invitation_cancel", org_id=school_a.pk, invitation_id=invitation.pk)),
            ("post", url("member_role", org_id=school_a.pk, membership_id=membership.pk)),
            ("post", url("member_remove", org_id=school_a.pk, membership_id=membership.pk)),
            ("post", url("team_leave", org_id=school_a.pk)),
        ],
    )


def test_an_admin_of_school_b_cannot_touch_school_a_objects_through_school_b_urls(client, admin_b, school_b, member_a):
    client.force_login(admin_b)
    membership = member_a.memberships.get()
    response = client.post(url("member_remove", org_id=school_b.pk, membership_id=membership.pk))
    assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.disabled_at is None


def test_admin_actions_refuse_get(client, admin_a, school_a, member_a):
    client.force_login(admin_a)
    membership = member_a.memberships.get()
    assert client.get(url("member_remove", org_id=school_a.pk, membership_id=membership.pk)).status_code == 405


def test_an_admin_changes_a_role_and_removes_a_member(client, admin_a, member_a, school_a):
    client.force_login(admin_a)
    membership = member_a.memberships.get()
    client.post(url("member_role", org_id=school_a.pk, membership_id=membership.pk), {"role": "ADMIN"})
    membership.refresh_from_db()
    assert membership.role == Membership.Role.ADMIN
    client.post(url("member_remove", org_id=school_a.pk, membership_id=membership.pk))
    membership.refresh_from_db()
    assert membership.disabled_at is not None


def test_anonymous_users_are_sent_to_login(client, school_a):
    response = client.get(url("team", org_id=school_a.pk))
    assert response.status_code == 302 and response["Location"].startswith(url("login"))


def test_signup_without_email_shows_the_generated_username(client):
    response = client.post(
        url("signup"),
        {"first_name": "Noé", "last_name": "Dupré", "birthdate": "2011-05-04", "password": "Cartable2026", "cgu": "on"},
        follow=True,
    )
    assert "noe.dupre0405" in response.content.decode()


def test_signup_errors_are_in_french_and_400(client):
    response = client.post(
        url("signup"), {"first_name": "Noé", "last_name": "Dupré", "password": "Cartable2026", "cgu": "on"}
    )
    assert response.status_code == 400
    assert "date de naissance est obligatoire" in response.content.decode()


def test_invitation_page_lets_a_new_person_create_an_account_and_join(client, school_a, admin_a):
    invitation = InvitationFactory(organization=school_a, email="paul@ac-lyon.fr")
    page = url("invitation", invitation_id=invitation.pk)
    response = client.post(
        f"{page}?code={invitation.code}",
        {
            "action": "signup",
            "code": invitation.code,
            "first_name": "Paul",
            "last_name": "Prof",
            "password": "Cartable2026",
            "cgu": "on",
        },
    )
    assert response.status_code == 302
    assert school_a.memberships.filter(user__email="paul@ac-lyon.fr", role="MEMBER").exists()


def test_invitation_page_with_a_wrong_code_is_a_404(client, school_a):
    invitation = InvitationFactory(organization=school_a)
    assert client.get(url("invitation", invitation_id=invitation.pk) + "?code=XXXX").status_code == 404


def test_access_request_page_names_the_masked_official_address(client, school_a):
    response = client.post(url("access_request"), {"uai": "0691234A", "first_name": "Anne", "last_name": "D"})
    assert response.status_code == 200
    assert "c***@ac-lyon.fr" in response.content.decode()


def test_access_request_with_unknown_uai_is_a_french_400(client):
    response = client.post(url("access_request"), {"uai": "0000000X", "first_name": "Anne", "last_name": "D"})
    assert response.status_code == 400
    assert "pas reconnu" in response.content.decode()


def test_password_reset_sends_a_working_link(client, admin_a):
    client.post(url("password_reset"), {"email": "anne.directrice@ac-lyon.fr"})
    [message] = emails_to("anne.directrice@ac-lyon.fr")
    link = first_link(message).replace("http://testserver", "")
    form_page = client.get(link, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "Cahier2026ok", "new_password2": "Cahier2026ok"}
    )
    assert response.status_code == 302
    admin_a.refresh_from_db()
    assert admin_a.check_password("Cahier2026ok")


def test_pages_send_security_headers(client):
    response = client.get(url("login"))
    assert "script-src" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
