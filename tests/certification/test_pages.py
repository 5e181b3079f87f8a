"""Pix Certif, Orga, candidate, invigilator and public pages: scoping, documents, the walk through the test."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from certification.learner_views import VERIFICATIONS_PER_WINDOW
from certification.models import CenterMembership, CertificationCourse
from certification.services import entry
from certification.services.sessions import center_create_for_organization
from crcn.models import Challenge
from pixorga.errors import THROTTLED
from tests.accounts.factories import StudentUserFactory
from tests.certification.factories import (
    BIRTHDATE,
    enter_the_test,
    right_answer,
    session_for,
    take_the_test,
)
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db


def url(name: str, session=None, **kwargs) -> str:
    if session is not None:
        kwargs = {"center_id": session.center_id, "session_id": session.pk, **kwargs}
    return reverse(f"certification:{name}", kwargs=kwargs)


def form_answer(challenge: Challenge) -> dict:
    value = right_answer(challenge)
    if challenge.type == Challenge.Type.QCM:
        return {"answer": value.split(",")}
    if challenge.type == Challenge.Type.QROCM:
        return {f"field-{key}": text for key, text in value.items()}
    return {"answer": value}


# --- scoping -----------------------------------------------------------------------------------------


def test_another_schools_certif_and_orga_certification_pages_are_404(
    client, admin_b, school_a, school_b, session, candidate
):
    center_create_for_organization(organization=school_b)  # admin B has a centre of their own
    client.force_login(admin_b)
    center = {"center_id": session.center_id}
    in_session = {"session": session}
    assert_cross_tenant_404(
        client,
        [
            ("get", url("session_list", **center)),
            ("get", url("session_create", **center)),
            ("post", url("session_create", **center)),
            ("get", url("members", **center)),
            ("post", url("members", **center)),
            ("get", url("session_detail", **in_session)),
            ("get", url("session_edit", **in_session)),
            ("post", url("session_edit", **in_session)),
            ("post", url("session_delete", **in_session)),
            ("get", url("session_enrol", **in_session)),
            ("post", url("session_enrol", **in_session)),
            ("get", url("candidate_add", **in_session)),
            ("post", url("candidate_add", **in_session)),
            ("get", url("candidates_import", **in_session)),
            ("post", url("candidates_import", **in_session)),
            ("post", url("candidate_remove", candidate_id=candidate.pk, **in_session)),
            ("get", url("attendance_sheet", **in_session)),
            ("get", url("convocations", **in_session)),
            ("get", url("session_finalize", **in_session)),
            ("post", url("session_finalize", **in_session)),
            ("post", url("session_publish", **in_session)),
            ("get", url("session_results_csv", **in_session)),
            ("get", url("home", org_id=school_a.pk)),
            ("get", url("division_csv", org_id=school_a.pk) + "?classe=2NDE+1"),
            ("post", url("center_activate", org_id=school_a.pk)),
        ],
    )
    session.refresh_from_db()
    assert session.candidates.get() == candidate and not session.is_finalized


def test_a_teacher_who_is_not_admin_gets_the_centre_only_as_an_explicit_member(client, member_a, session):
    client.force_login(member_a)
    assert client.get(url("session_list", center_id=session.center_id)).status_code == 404
    assert client.get(url("session_detail", session=session)).status_code == 404

    CenterMembership.objects.create(user=member_a, center=session.center, role=CenterMembership.Role.MEMBER)

    assert client.get(url("session_list", center_id=session.center_id)).status_code == 200
    assert client.get(url("session_detail", session=session)).status_code == 200
    assert client.post(url("session_publish", session=session)).status_code == 403  # admins publish


def test_the_schools_admin_sees_the_centres_sessions(client, admin_a, session, candidate):
    client.force_login(admin_a)
    response = client.get(url("session_list", center_id=session.center_id))
    assert response.status_code == 200 and list(response.context["sessions"]) == [session]
    response = client.get(url("session_detail", session=session))
    assert response.status_code == 200 and session.access_code in response.content.decode()
    assert [c.pk for c in response.context["candidates"]] == [candidate.pk]


def test_pages_that_change_things_refuse_get(client, admin_a, session):
    client.force_login(admin_a)
    assert client.get(url("session_delete", session=session)).status_code == 405
    assert client.get(url("session_publish", session=session)).status_code == 405


def test_the_attendance_sheet_and_the_convocations_are_pdf(client, admin_a, session, candidate):
    client.force_login(admin_a)
    for name in ("attendance_sheet", "convocations"):
        response = client.get(url(name, session=session))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf", name
        assert response.content.startswith(b"%PDF"), name


def test_the_school_downloads_a_classs_results(client, admin_a, school_a, published):
    client.force_login(admin_a)
    response = client.get(url("home", org_id=school_a.pk) + "?classe=2NDE+1")
    assert response.status_code == 200 and [c.pk for c in response.context["courses"]] == [published.pk]
    response = client.get(url("division_csv", org_id=school_a.pk) + "?classe=2NDE+1")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "Numéro de certification" in response.content.decode("utf-8-sig")


# --- the public verification -------------------------------------------------------------------------


def test_an_unknown_verification_code_is_a_404_with_an_explanation(client):
    response = client.get(url("verify"), {"verification_code": "P-BCDFGHJK"})
    assert response.status_code == 404
    assert escape("Aucune certification ne correspond à ce code.") in response.content.decode()


def test_a_published_certificate_shows_the_name_and_the_score(published):
    response = Client().get(url("verify"), {"verification_code": published.verification_code})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Léa Martin" in page and f"{published.pix_score} pix" in page


def test_the_verification_page_is_rate_limited(client):
    for _ in range(VERIFICATIONS_PER_WINDOW):
        assert client.get(url("verify"), {"verification_code": "P-BCDFGHJK"}).status_code == 404
    response = client.get(url("verify"), {"verification_code": "P-BCDFGHJK"})
    assert response.status_code == 429 and escape(THROTTLED) in response.content.decode()


# --- the invigilator ---------------------------------------------------------------------------------


def test_the_invigilator_portal_needs_the_session_password_then_authorises(session, candidate, student):
    entry.candidate_identify(
        session_id=session.pk, user=student, first_name="Léa", last_name="Martin", birthdate=BIRTHDATE
    )
    room = Client()
    assert room.get(url("invigilator_portal", session_id=session.pk)).status_code == 302

    response = room.post(url("invigilator_login"), {"session_id": session.pk, "password": "XXXXX"})
    assert response.status_code == 200 and escape(entry.INVIGILATOR_WRONG) in response.content.decode()
    response = room.post(url("invigilator_login"), {"session_id": session.pk, "password": session.invigilator_password})
    assert response.status_code == 302 and response["Location"] == url("invigilator_portal", session_id=session.pk)

    response = room.get(url("invigilator_portal", session_id=session.pk))
    assert response.status_code == 200
    [row] = response.context["candidates"]
    assert (row.pk, row.state_code) == (candidate.pk, "waiting")

    response = room.post(url("invigilator_authorize", session_id=session.pk, candidate_id=candidate.pk))
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.authorized_to_start


def test_the_invigilator_of_one_session_cannot_act_on_another(session, center, admin_a, candidate):
    other = session_for(center, created_by=admin_a)
    room = Client()
    room.post(url("invigilator_login"), {"session_id": other.pk, "password": other.invigilator_password})
    response = room.post(url("invigilator_authorize", session_id=session.pk, candidate_id=candidate.pk))
    assert response.status_code == 302 and response["Location"] == url("invigilator_login")
    candidate.refresh_from_db()
    assert not candidate.authorized_to_start


# --- the candidate -----------------------------------------------------------------------------------


def test_the_candidate_walks_from_identity_to_the_end_of_the_test(client, session, candidate, certifiable):
    client.force_login(certifiable)
    assert client.get(url("entry")).status_code == 200
    identity = {"session_id": session.pk, "first_name": "Léa", "last_name": "Martin", "birthdate": "2008-03-14"}
    response = client.post(url("entry"), identity)
    assert response.status_code == 302 and response["Location"] == url("access_code", session_id=session.pk)

    response = client.post(url("access_code", session_id=session.pk), {"access_code": session.access_code})
    assert response.status_code == 302 and response["Location"] == url("waiting", session_id=session.pk)
    response = client.get(url("waiting", session_id=session.pk))
    assert response.status_code == 200 and "Le surveillant doit autoriser votre entrée" in response.content.decode()
    response = client.get(url("waiting", session_id=session.pk), headers={"HX-Request": "true"})
    assert response.status_code == 200 and b'data-testid="waiting"' in response.content

    entry.candidate_authorize(session=session, candidate_id=candidate.pk)
    response = client.get(url("waiting", session_id=session.pk))
    course = CertificationCourse.objects.get(candidate=candidate)
    assert response.status_code == 302 and response["Location"] == url("question", course_id=course.pk)

    total = course.challenges.count()
    for number in range(1, total + 1):
        response = client.get(url("question", course_id=course.pk))
        assert response.status_code == 200 and response.context["number"] == number
        challenge = response.context["challenge"]
        assert challenge.pk == course.challenges.get(index=number).challenge_id
        response = client.post(
            url("question", course_id=course.pk), {"challenge_id": challenge.pk, **form_answer(challenge)}
        )
        assert response.status_code == 302

    response = client.get(url("question", course_id=course.pk))
    assert response.status_code == 302 and response["Location"] == url("finished", course_id=course.pk)
    assert client.get(url("finished", course_id=course.pk)).status_code == 200
    course.refresh_from_db()
    assert course.is_completed
    assert set(course.assessment.answers.values_list("result", flat=True)) == {"ok"}


def test_a_wrong_access_code_is_said_on_the_page(client, session, candidate, certifiable):
    client.force_login(certifiable)
    entry.candidate_identify(
        session_id=session.pk, user=certifiable, first_name="Léa", last_name="Martin", birthdate=BIRTHDATE
    )
    wrong = "BBBB22" if session.access_code != "BBBB22" else "CCCC33"
    response = client.post(url("access_code", session_id=session.pk), {"access_code": wrong})
    assert response.status_code == 200 and escape(entry.WRONG_ACCESS_CODE) in response.content.decode()


def test_someone_elses_account_cannot_enter_for_a_learner(client, session, candidate):
    client.force_login(StudentUserFactory(first_name="Léa", last_name="Martin"))
    identity = {"session_id": session.pk, "first_name": "Léa", "last_name": "Martin", "birthdate": "2008-03-14"}
    response = client.post(url("entry"), identity)
    assert response.status_code == 200 and escape(entry.NOT_RECONCILED) in response.content.decode()


def test_resuming_in_another_browser_needs_the_invigilator_again(session, candidate, certifiable):
    course = enter_the_test(session, candidate, certifiable)
    other_browser = Client()
    other_browser.force_login(certifiable)
    response = other_browser.get(url("question", course_id=course.pk))
    assert response.status_code == 302 and response["Location"] == url("access_code", session_id=session.pk)


def test_a_test_page_is_only_its_candidates(client, session, candidate, certifiable):
    course = enter_the_test(session, candidate, certifiable)
    client.force_login(StudentUserFactory())
    assert client.get(url("question", course_id=course.pk)).status_code == 404
    assert client.get(url("finished", course_id=course.pk)).status_code == 404


def test_my_certifications_lists_the_published_one_and_its_pdf(client, published, certifiable):
    client.force_login(certifiable)
    response = client.get(url("my_certificates"))
    assert response.status_code == 200 and [c.pk for c in response.context["courses"]] == [published.pk]
    assert f"{published.pix_score} pix" in response.content.decode()
    assert client.get(url("certificate", course_id=published.pk)).status_code == 200

    response = client.get(url("certificate_pdf", course_id=published.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and "attestation-pix-" in response["Content-Disposition"]

    client.force_login(StudentUserFactory())
    assert client.get(url("certificate_pdf", course_id=published.pk)).status_code == 404


def test_an_unpublished_certification_waits_in_my_certifications(client, session, candidate, certifiable):
    take_the_test(enter_the_test(session, candidate, certifiable))
    client.force_login(certifiable)
    response = client.get(url("my_certificates"))
    assert response.context["courses"] == [] and len(response.context["pending"]) == 1
    course = CertificationCourse.objects.get(candidate=candidate)
    assert client.get(url("certificate_pdf", course_id=course.pk)).status_code == 404
