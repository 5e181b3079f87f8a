"""The invigilator's password brake (issue 12, point 7): a school has ONE public address for all.

Pupils and staff leave through the same NAT address: wrong passwords typed by a pupil must never refuse
the invigilator who has the right one. A session whose password is under attack is locked until the
centre gives it a new password from Pix Certif, which is written in the school's audit log.
"""

from __future__ import annotations

import html

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from rest_framework.test import APIClient

from accounts.models import AuditLogEntry
from certification.models import INVIGILATOR_LOCK_FAILURES, CenterMembership, CertificationSession
from certification.services import entry, results
from certification.services.sessions import center_create_for_organization
from tests.certification.factories import enter_the_test, session_for, take_the_test
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db

SCHOOL_ADDRESS = "203.0.113.7"  # the school's one public address


def wrong_password(session: CertificationSession) -> str:
    return "22222" if session.invigilator_password != "22222" else "33333"


def page_login(session: CertificationSession, password: str, *, address: str = SCHOOL_ADDRESS):
    return Client(REMOTE_ADDR=address).post(
        reverse("certification:invigilator_login"), {"session_id": session.pk, "password": password}
    )


def api_login(session: CertificationSession, password: str, *, address: str = SCHOOL_ADDRESS):
    return APIClient(REMOTE_ADDR=address).post(
        f"/api/sessions/{session.pk}/invigilation/", {"password": password}, format="json"
    )


def detail_url(session: CertificationSession) -> str:
    return reverse("certification:session_detail", kwargs={"center_id": session.center_id, "session_id": session.pk})


def renew_url(session: CertificationSession) -> str:
    return reverse(
        "certification:invigilator_password_renew", kwargs={"center_id": session.center_id, "session_id": session.pk}
    )


def lock(session: CertificationSession) -> None:
    """Enough wrong passwords, from many addresses, to lock the session."""
    for n in range(INVIGILATOR_LOCK_FAILURES):
        page_login(session, wrong_password(session), address=f"198.51.100.{n % 250}")


# --- the scenario ----------------------------------------------------------------------------


def test_ten_wrong_passwords_from_the_school_address_do_not_refuse_the_invigilator_on_the_page(session):
    for _ in range(10):
        assert page_login(session, wrong_password(session)).status_code == 200

    response = page_login(session, session.invigilator_password)

    assert response.status_code == 302
    assert response["Location"] == reverse("certification:invigilator_portal", kwargs={"session_id": session.pk})


def test_ten_wrong_passwords_from_the_school_address_do_not_refuse_the_invigilator_on_the_api(session):
    for _ in range(10):
        assert api_login(session, wrong_password(session)).status_code in (400, 429)

    response = api_login(session, session.invigilator_password)

    assert response.status_code == 200 and response.json()["token"]


def test_a_pupil_guessing_other_sessions_does_not_refuse_this_sessions_invigilator(session, center, admin_a):
    other = session_for(center, created_by=admin_a)
    for _ in range(15):
        page_login(other, wrong_password(other))
        api_login(other, wrong_password(other))

    assert page_login(session, session.invigilator_password).status_code == 302
    assert api_login(session, session.invigilator_password).status_code == 200


def test_an_address_that_keeps_guessing_is_told_to_stop_and_its_refused_tries_no_longer_count(session):
    for _ in range(entry.MAX_ENTRY_FAILURES):
        page_login(session, wrong_password(session))

    response = page_login(session, wrong_password(session))
    assert escape(entry.TOO_MANY_TRIES) in response.content.decode()
    response = api_login(session, wrong_password(session))
    assert response.status_code == 429 and response.json()["code"] == "TOO_MANY_REQUESTS"
    session.refresh_from_db()
    assert session.invigilator_failed_attempts == entry.MAX_ENTRY_FAILURES  # one address alone cannot lock it


def test_a_right_password_does_not_count_as_a_failure(session):
    page_login(session, wrong_password(session))
    page_login(session, session.invigilator_password)
    api_login(session, session.invigilator_password)
    session.refresh_from_db()
    assert session.invigilator_failed_attempts == 1


# --- a session under attack --------------------------------------------------------------------------


def test_a_session_under_attack_is_locked_even_for_the_right_password(session):
    lock(session)

    response = page_login(session, session.invigilator_password)
    assert response.status_code == 200
    assert escape(entry.INVIGILATOR_SESSION_LOCKED) in response.content.decode()
    response = api_login(session, session.invigilator_password)
    assert response.status_code == 403 and response.json()["code"] == "INVIGILATION_LOCKED"
    assert response.json()["detail"] == entry.INVIGILATOR_SESSION_LOCKED


def test_the_lock_of_one_session_leaves_the_other_sessions_open(session, center, admin_a):
    other = session_for(center, created_by=admin_a)
    lock(other)
    assert page_login(session, session.invigilator_password).status_code == 302
    assert api_login(session, session.invigilator_password).status_code == 200


def test_an_invigilator_already_in_the_room_keeps_working_when_the_session_gets_locked(session, candidate):
    room = Client(REMOTE_ADDR=SCHOOL_ADDRESS)
    room.post(
        reverse("certification:invigilator_login"), {"session_id": session.pk, "password": session.invigilator_password}
    )
    token = api_login(session, session.invigilator_password).json()["token"]
    lock(session)

    assert room.get(reverse("certification:invigilator_portal", kwargs={"session_id": session.pk})).status_code == 200
    api = APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get(f"/api/sessions/{session.pk}/invigilation/candidates/").status_code == 200


def test_the_centre_sees_the_lock_and_lifts_it_with_a_new_password(client, admin_a, school_a, session):
    lock(session)
    old_password = session.invigilator_password
    client.force_login(admin_a)

    page = html.unescape(client.get(detail_url(session)).content.decode())
    assert "L'espace surveillant de cette session est verrouillé" in page
    assert "Générer un nouveau mot de passe surveillant" in page

    response = client.post(renew_url(session))

    assert response.status_code == 302 and response["Location"] == detail_url(session)
    session.refresh_from_db()
    assert session.invigilator_password != old_password and len(session.invigilator_password) == 5
    assert session.invigilator_failed_attempts == 0
    page = html.unescape(client.get(detail_url(session)).content.decode())
    assert session.invigilator_password in page and "est verrouillé" not in page
    assert page_login(session, session.invigilator_password).status_code == 302
    assert api_login(session, session.invigilator_password).status_code == 200
    assert page_login(session, old_password).status_code == 200  # the old one is refused
    entry_ = AuditLogEntry.objects.get(organization=school_a, kind=AuditLogEntry.Kind.INVIGILATOR_PASSWORD_RENEWED)
    assert entry_.actor == admin_a
    assert entry_.extra == {"session_id": session.pk, "failed_attempts": INVIGILATOR_LOCK_FAILURES}


def test_a_centre_member_who_is_not_admin_may_give_a_new_password(client, member_a, session):
    CenterMembership.objects.create(user=member_a, center=session.center, role=CenterMembership.Role.MEMBER)
    client.force_login(member_a)
    old_password = session.invigilator_password
    assert client.post(renew_url(session)).status_code == 302
    session.refresh_from_db()
    assert session.invigilator_password != old_password


def test_a_finalised_session_gets_no_new_invigilator_password(client, admin_a, session, candidate, certifiable):
    take_the_test(enter_the_test(session, candidate, certifiable))
    results.session_finalize(session=session)
    old_password = session.invigilator_password
    client.force_login(admin_a)

    response = client.post(renew_url(session), follow=True)

    assert escape(entry.INVIGILATOR_SESSION_CLOSED) in response.content.decode()
    session.refresh_from_db()
    assert session.invigilator_password == old_password


def test_the_new_password_route_refuses_get(client, admin_a, session):
    client.force_login(admin_a)
    assert client.get(renew_url(session)).status_code == 405


def test_another_schools_centre_cannot_give_a_new_password(client, admin_b, school_b, session):
    center_create_for_organization(organization=school_b)
    client.force_login(admin_b)
    old_password = session.invigilator_password

    assert_cross_tenant_404(client, [("post", renew_url(session))])

    session.refresh_from_db()
    assert session.invigilator_password == old_password


def test_the_api_gives_a_new_invigilator_password_to_the_centres_staff_only(admin_a, admin_b, school_b, session):
    lock(session)
    old_password = session.invigilator_password
    center_create_for_organization(organization=school_b)
    outsider = APIClient()
    outsider.force_authenticate(admin_b)
    assert_cross_tenant_404(outsider, [("post", f"/api/sessions/{session.pk}/invigilator-password/")])
    api = APIClient()
    api.force_authenticate(admin_a)

    response = api.post(f"/api/sessions/{session.pk}/invigilator-password/")

    assert response.status_code == 200
    session.refresh_from_db()
    assert response.json()["invigilator_password"] == session.invigilator_password != old_password
    assert not session.is_invigilation_locked
    assert api_login(session, session.invigilator_password).status_code == 200


def test_a_pupil_scripting_wrong_passwords_does_not_exhaust_a_budget_the_invigilator_needs(session, center, admin_a):
    """No per-address request budget on the token route: 25 tries a minute from the school leave it open."""
    other = session_for(center, created_by=admin_a)
    for _ in range(25):
        api_login(other, wrong_password(other))

    assert api_login(session, session.invigilator_password).status_code == 200
