"""Certification API (API.md §Certification): every route with its shapes and codes, and its scoping."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from certification.models import CenterMembership, CertificationCourse, CertificationSession
from certification.services import enrolment, entry, livret, results
from certification.services.sessions import center_create_for_organization
from tests.accounts.factories import StudentUserFactory
from tests.certification.factories import (
    BIRTHDATE,
    COMPETENCES,
    enter_the_test,
    give_certifiable_profile,
    learner_of,
    right_answer,
    session_for,
    sup_center_with_member,
    take_the_test,
)
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db


VERIFICATION_FIELDS = {
    "first_name",
    "last_name",
    "birthdate",
    "certification_center",
    "certification_date",
    "delivered_at",
    "valid_until",
    "pix_score",
    "competences",
}


@pytest.fixture
def api():
    return APIClient()


def invigilator(session: CertificationSession) -> APIClient:
    client = APIClient()
    response = client.post(
        f"/api/sessions/{session.pk}/invigilation/", {"password": session.invigilator_password}, format="json"
    )
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    return client


# --- the centre's team -------------------------------------------------------------------------------


def test_a_centre_admin_creates_a_session_and_gets_its_codes(api, admin_a, center):
    api.force_authenticate(admin_a)
    body = {
        "address": "Lycée Victor Hugo",
        "room": "B12",
        "examiner": "Mme Roux",
        "date": "2030-03-10",
        "time": "09:00",
    }

    response = api.post(f"/api/certification-centers/{center.pk}/sessions/", body, format="json")

    assert response.status_code == 201
    data = response.json()
    assert {"id", "access_code", "invigilator_password", "status"} <= set(data)
    session = center.sessions.get(pk=data["id"])
    assert (data["access_code"], data["invigilator_password"]) == (session.access_code, session.invigilator_password)
    assert data["status"] == "created" and session.created_by == admin_a
    assert session.date == datetime.date(2030, 3, 10) and session.time == datetime.time(9, 0)


def test_a_session_with_missing_fields_is_a_400_with_the_fields(api, admin_a, center):
    api.force_authenticate(admin_a)
    response = api.post(f"/api/certification-centers/{center.pk}/sessions/", {"room": "B12"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_INPUT"
    assert {"address", "examiner", "date", "time"} <= set(response.json()["errors"])
    assert not center.sessions.exists()


def test_a_centre_lists_its_sessions(api, admin_a, session):
    api.force_authenticate(admin_a)
    response = api.get(f"/api/certification-centers/{session.center_id}/sessions/")
    assert response.status_code == 200 and [s["id"] for s in response.json()] == [session.pk]


def test_a_sco_centre_enrols_learners_and_gets_the_candidates(api, admin_a, session, school_a, learner):
    other = learner_of(school_a, first_name="Hugo", last_name="Bernard", birthdate=BIRTHDATE)
    api.force_authenticate(admin_a)

    response = api.post(
        f"/api/sessions/{session.pk}/enrolments/", {"learner_ids": [learner.pk, other.pk]}, format="json"
    )

    assert response.status_code == 201
    rows = response.json()
    assert all(set(row) == {"id", "first_name", "last_name", "certifiable"} for row in rows)
    assert sorted((r["first_name"], r["last_name"]) for r in rows) == [("Hugo", "Bernard"), ("Léa", "Martin")]
    assert set(session.candidates.values_list("pk", flat=True)) == {r["id"] for r in rows}


def test_a_learner_of_another_school_is_not_enrolled(api, admin_a, session, school_b):
    foreign = learner_of(school_b, birthdate=BIRTHDATE)
    api.force_authenticate(admin_a)
    response = api.post(f"/api/sessions/{session.pk}/enrolments/", {"learner_ids": [foreign.pk]}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "LEARNER_NOT_IN_ORGANIZATION"
    assert not session.candidates.exists()


def test_a_centre_without_students_types_candidates_in(api, content):
    center, member = sup_center_with_member(role=CenterMembership.Role.MEMBER)
    session = session_for(center, created_by=member)
    api.force_authenticate(member)
    body = {
        "first_name": "Jeanne",
        "last_name": "Durand",
        "birthdate": "2007-05-12",
        "sex": "F",
        "birth_country": "Maroc",
        "birth_city": "Rabat",
        "extra_time_percentage": 33,
    }

    response = api.post(f"/api/sessions/{session.pk}/candidates/", body, format="json")

    assert response.status_code == 201
    assert set(response.json()) >= {"id", "first_name", "last_name"}
    candidate = session.candidates.get(pk=response.json()["id"])
    assert (candidate.birth_insee_code, candidate.birth_country, candidate.extra_time_percentage) == ("99", "MAROC", 33)

    response = api.post(f"/api/sessions/{session.pk}/candidates/", {**body, "birth_city": ""}, format="json")
    assert response.status_code == 400 and "birth_city" in response.json()["errors"]
    response = api.post(f"/api/sessions/{session.pk}/candidates/", body, format="json")
    assert response.status_code == 409 and response.json()["code"] == "CANDIDATE_ALREADY_ENROLLED"


def test_a_sco_centre_does_not_type_candidates_in(api, admin_a, session):
    api.force_authenticate(admin_a)
    body = {"first_name": "Jeanne", "last_name": "Durand", "birthdate": "2007-05-12", "sex": "F"}
    response = api.post(f"/api/sessions/{session.pk}/candidates/", body, format="json")
    assert response.status_code == 422 and response.json()["code"] == "SCO_ENROLS_FROM_LEARNERS"


# --- the candidate, the invigilator, the test --------------------------------------------------------


def test_a_candidate_enters_waits_for_the_invigilator_and_takes_the_test(api, admin_a, session, candidate, certifiable):
    api.force_authenticate(certifiable)
    identity = {"session_id": session.pk, "first_name": "Léa", "last_name": "Martin", "birthdate": "2008-03-14"}
    response = api.post("/api/certification-entry/", identity, format="json")
    assert response.status_code == 200 and response.json() == {"candidate_id": candidate.pk}

    start = {"session_id": session.pk, "access_code": session.access_code}
    response = api.post("/api/certification-entry/start/", start, format="json")
    assert response.status_code == 403 and response.json()["code"] == "NOT_AUTHORIZED_TO_START"

    room = invigilator(session)
    [row] = room.get(f"/api/sessions/{session.pk}/invigilation/candidates/").json()
    assert (row["id"], row["state"], row["authorized_to_start"]) == (candidate.pk, "waiting", False)
    response = room.post(f"/api/sessions/{session.pk}/invigilation/candidates/{candidate.pk}/authorize/")
    assert response.status_code == 200 and response.json()["authorized_to_start"] is True

    response = api.post("/api/certification-entry/start/", start, format="json")
    assert response.status_code == 201
    course = CertificationCourse.objects.get(candidate=candidate)
    assert response.json() == {"certification_course_id": course.pk, "assessment_id": course.assessment_id}

    assessment = response.json()["assessment_id"]
    asked = 0
    while (response := api.get(f"/api/assessments/{assessment}/next-challenge/")).status_code == 200:
        question = response.json()
        assert set(question) <= {"id", "type", "instruction", "proposals", "fields", "timer"}
        assert "solution" not in str(question)
        challenge = course.challenges.select_related("challenge").get(challenge_id=question["id"]).challenge
        answer = {"challenge_id": question["id"], "value": right_answer(challenge)}
        response = api.post(f"/api/assessments/{assessment}/answers/", answer, format="json")
        assert response.status_code == 201 and response.json() == {"result": "recorded"}
        asked += 1
    assert response.status_code == 204
    assert asked == course.challenges.count() == 3 * len(COMPETENCES)

    [row] = room.get(f"/api/sessions/{session.pk}/invigilation/candidates/").json()
    assert row["state"] == "finished" and row["answers_count"] == asked

    api.force_authenticate(admin_a)
    response = api.post(f"/api/sessions/{session.pk}/finalization/", {"examiner_global_comment": "RAS"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "finalized"
    response = api.post(f"/api/sessions/{session.pk}/publication/")
    assert response.status_code == 200 and response.json()["status"] == "processed"
    course.refresh_from_db()
    assert course.status == CertificationCourse.Status.VALIDATED and course.published_at is not None


def test_a_candidate_answering_a_question_not_asked_gets_a_409(api, session, candidate, certifiable):
    course = enter_the_test(session, candidate, certifiable)
    api.force_authenticate(certifiable)
    later = course.challenges.get(index=2)
    response = api.post(
        f"/api/assessments/{course.assessment_id}/answers/",
        {"challenge_id": later.challenge_id, "value": "1"},
        format="json",
    )
    assert response.status_code == 409 and response.json()["code"] == "CHALLENGE_NOT_ASKED"


def test_entry_refusals_carry_their_codes(api, session, candidate, student, content):
    give_certifiable_profile(student, COMPETENCES[:4], up_to_level=2)
    api.force_authenticate(student)
    identity = {"session_id": session.pk, "first_name": "Léa", "last_name": "Martin", "birthdate": "2008-03-14"}
    wrong_session = api.post("/api/certification-entry/", {**identity, "session_id": session.pk + 99}, format="json")
    assert wrong_session.status_code == 404 and wrong_session.json()["code"] == "SESSION_NOT_FOUND"
    unknown = api.post("/api/certification-entry/", {**identity, "first_name": "Paul"}, format="json")
    assert unknown.status_code == 404 and unknown.json()["code"] == "CANDIDATE_NOT_FOUND"
    assert api.post("/api/certification-entry/", identity, format="json").status_code == 200
    entry.candidate_authorize(session=session, candidate_id=candidate.pk)

    wrong_code = "BBBB22" if session.access_code != "BBBB22" else "CCCC33"
    response = api.post(
        "/api/certification-entry/start/", {"session_id": session.pk, "access_code": wrong_code}, format="json"
    )
    assert response.status_code == 404 and response.json()["code"] == "SESSION_NOT_FOUND"
    response = api.post(
        "/api/certification-entry/start/", {"session_id": session.pk, "access_code": session.access_code}, format="json"
    )
    assert response.status_code == 403 and response.json()["code"] == "NOT_CERTIFIABLE"
    assert response.json()["detail"] == entry.NOT_CERTIFIABLE.format(min=5, count=4)


def test_the_candidate_routes_need_a_logged_in_user(api, session):
    response = api.post("/api/certification-entry/", {"session_id": session.pk}, format="json")
    assert response.status_code in (401, 403) and response.json()["code"] == "NOT_AUTHENTICATED"
    assert api.get("/api/certification-entry/").status_code in (401, 403)


def test_the_entry_route_only_accepts_post(api, student):
    api.force_authenticate(student)
    assert api.get("/api/certification-entry/").status_code == 405
    assert api.get("/api/certification-entry/start/").status_code == 405


def test_the_invigilator_logs_in_with_the_session_password(api, session):
    response = api.post(f"/api/sessions/{session.pk}/invigilation/", {"password": "XXXXX"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "INVALID_CREDENTIALS"
    assert response.json()["detail"] == entry.INVIGILATOR_WRONG
    response = api.post(f"/api/sessions/{session.pk}/invigilation/", {"password": session.invigilator_password})
    assert response.status_code == 200 and response.json()["token"]


def test_an_invigilator_token_only_opens_its_own_session(session, center, admin_a, candidate):
    other = session_for(center, created_by=admin_a)
    room = invigilator(session)
    assert room.get(f"/api/sessions/{session.pk}/invigilation/candidates/").status_code == 200
    for method, url in [
        ("get", f"/api/sessions/{other.pk}/invigilation/candidates/"),
        ("post", f"/api/sessions/{other.pk}/invigilation/candidates/{candidate.pk}/authorize/"),
        ("post", f"/api/sessions/{other.pk}/invigilation/candidates/{candidate.pk}/end/"),
    ]:
        response = getattr(room, method)(url)
        assert response.status_code == 401 and response.json()["code"] == "INVIGILATOR_ACCESS_REQUIRED", url
    [elsewhere] = enrolment.candidates_enrol_learners(
        session=other, learner_ids=[learner_of(center.organization, birthdate=BIRTHDATE).pk]
    )
    response = room.post(f"/api/sessions/{session.pk}/invigilation/candidates/{elsewhere.pk}/authorize/")
    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert not elsewhere.authorized_to_start


def test_the_invigilator_withdraws_an_authorisation(session, candidate):
    room = invigilator(session)
    url = f"/api/sessions/{session.pk}/invigilation/candidates/{candidate.pk}/authorize/"
    assert room.post(url).json()["authorized_to_start"] is True
    for withdrawn in ({"authorized": False}, {"authorized": "false"}):
        assert room.post(url, withdrawn, format="json").json()["authorized_to_start"] is False
        candidate.refresh_from_db()
        assert not candidate.authorized_to_start
    response = room.post(url, {"authorized": "peut-être"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "INVALID_INPUT"


def test_the_invigilation_routes_need_the_token_not_an_account(api, admin_a, session, candidate):
    api.force_authenticate(admin_a)  # even the centre's admin
    assert api.get(f"/api/sessions/{session.pk}/invigilation/candidates/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION="Bearer faux-jeton")
    response = api.post(f"/api/sessions/{session.pk}/invigilation/candidates/{candidate.pk}/authorize/")
    assert response.status_code == 401
    candidate.refresh_from_db()
    assert not candidate.authorized_to_start


def test_the_invigilator_ends_a_candidates_test(session, candidate, certifiable):
    enter_the_test(session, candidate, certifiable)
    room = invigilator(session)
    response = room.post(f"/api/sessions/{session.pk}/invigilation/candidates/{candidate.pk}/end/")
    assert response.status_code == 200 and response.json() == {"id": candidate.pk, "state": "ended"}


def test_a_finalised_session_closes_the_invigilators_space(session, candidate, certifiable):
    room = invigilator(session)
    take_the_test(enter_the_test(session, candidate, certifiable))
    results.session_finalize(session=session)
    assert room.get(f"/api/sessions/{session.pk}/invigilation/candidates/").status_code == 401
    response = APIClient().post(
        f"/api/sessions/{session.pk}/invigilation/", {"password": session.invigilator_password}, format="json"
    )
    assert response.status_code == 403 and response.json()["code"] == "SESSION_FINALIZED"


# --- finalisation and publication --------------------------------------------------------------------


def test_finalising_needs_an_abort_reason_for_each_unfinished_test(api, admin_a, session, candidate, certifiable):
    enter_the_test(session, candidate, certifiable)
    api.force_authenticate(admin_a)

    response = api.post(f"/api/sessions/{session.pk}/finalization/", {}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "ABORT_REASON_MISSING"
    assert response.json()["candidate_ids"] == [candidate.pk]

    body = {
        "incidents": [{"candidate_id": candidate.pk, "category": "FRAUD", "description": "Téléphone"}],
        "abort_reasons": {str(candidate.pk): "candidate"},
    }
    response = api.post(f"/api/sessions/{session.pk}/finalization/", body, format="json")
    assert response.status_code == 200 and response.json()["status"] == "finalized"
    course = CertificationCourse.objects.get(candidate=candidate)
    assert course.abort_reason == "candidate" and course.issue_reports.get().category == "FRAUD"

    response = api.post(f"/api/sessions/{session.pk}/finalization/", body, format="json")
    assert response.status_code == 409 and response.json()["code"] == "SESSION_ALREADY_FINALIZED"


def test_publication_needs_a_finalised_session_and_a_centre_admin(api, admin_a, session, candidate, certifiable):
    take_the_test(enter_the_test(session, candidate, certifiable))
    api.force_authenticate(admin_a)
    response = api.post(f"/api/sessions/{session.pk}/publication/")
    assert response.status_code == 409 and response.json()["code"] == "SESSION_NOT_FINALIZED"
    results.session_finalize(session=session)

    member = StudentUserFactory()
    CenterMembership.objects.create(user=member, center=session.center, role=CenterMembership.Role.MEMBER)
    api.force_authenticate(member)
    assert api.post(f"/api/sessions/{session.pk}/publication/").status_code == 403

    api.force_authenticate(admin_a)
    assert api.post(f"/api/sessions/{session.pk}/publication/").status_code == 200
    response = api.post(f"/api/sessions/{session.pk}/publication/")
    assert response.status_code == 409 and response.json()["code"] == "SESSION_ALREADY_PUBLISHED"


def test_me_lists_the_certification_centres(api, admin_a, center):
    api.force_authenticate(admin_a)
    response = api.get("/api/me/")
    assert response.status_code == 200
    assert response.json()["certification_centers"] == [{"id": center.pk, "name": center.name, "role": "ADMIN"}]


def test_me_lists_no_centre_for_a_teacher_who_is_not_admin(api, member_a, center):
    api.force_authenticate(member_a)
    assert api.get("/api/me/").json()["certification_centers"] == []


# --- public verification -----------------------------------------------------------------------------


def test_anyone_verifies_a_published_certificate_by_its_code(published, session):
    response = APIClient().get(f"/api/certificates/verify/{published.verification_code.lower()}/")
    assert response.status_code == 200
    data = response.json()
    assert set(data) == VERIFICATION_FIELDS
    assert (data["first_name"], data["last_name"], data["birthdate"]) == ("Léa", "Martin", "2008-03-14")
    assert data["certification_center"] == session.center.name
    assert data["certification_date"] == session.date.isoformat()
    assert data["delivered_at"] == timezone.localdate(published.published_at).isoformat()
    assert data["valid_until"] == published.valid_until.isoformat()
    assert data["pix_score"] == published.pix_score > 0
    assert all(set(c) == {"code", "name", "level"} for c in data["competences"])
    assert {c["code"]: c["level"] for c in data["competences"]} == dict.fromkeys(COMPETENCES, 3)


def test_an_unknown_or_unpublished_code_is_a_404(session, candidate, certifiable):
    course = take_the_test(enter_the_test(session, candidate, certifiable))
    client = APIClient()
    for code in ("P-BCDFGHJK", course.verification_code):
        response = client.get(f"/api/certificates/verify/{code}/")
        assert response.status_code == 404 and response.json()["code"] == "CERTIFICATE_NOT_FOUND"


def test_the_public_verification_is_throttled(monkeypatch):
    monkeypatch.setattr(
        ScopedRateThrottle, "THROTTLE_RATES", {**ScopedRateThrottle.THROTTLE_RATES, "verification": "3/min"}
    )
    client = APIClient()
    for _ in range(3):
        assert client.get("/api/certificates/verify/P-BCDFGHJK/").status_code == 404
    response = client.get("/api/certificates/verify/P-BCDFGHJK/")
    assert response.status_code == 429 and response.json()["code"] == "TOO_MANY_REQUESTS"


# --- livret scolaire (LSU / LSL) ---------------------------------------------------------------------


@pytest.fixture
def lsu():
    client, secret = livret.livret_client_create(name="LSU")
    return client, secret


def lsu_token(lsu_client, **changes):
    client, secret = lsu_client
    body = {
        "grant_type": "client_credentials",
        "client_id": client.client_id,
        "client_secret": secret,
        "scope": livret.LIVRET_SCOPE,
        **changes,
    }
    return APIClient().post("/api/livret-scolaire/token/", body, format="json")


def test_the_livret_scolaire_gets_a_token_with_its_client_credentials(lsu):
    response = lsu_token(lsu)
    assert response.status_code == 200
    assert response.json()["token_type"] == "Bearer" and response.json()["expires_in"] == 3600
    wrong_secret = lsu_token(lsu, client_secret="pas-le-bon")
    assert wrong_secret.status_code == 401 and wrong_secret.json()["code"] == "INVALID_CLIENT"
    wrong_scope = lsu_token(lsu, scope="tout")
    assert wrong_scope.status_code == 403 and wrong_scope.json()["code"] == "INVALID_SCOPE"
    wrong_grant = lsu_token(lsu, grant_type="password")
    assert wrong_grant.status_code == 400 and wrong_grant.json()["code"] == "UNSUPPORTED_GRANT_TYPE"
    lsu[0].is_active = False
    lsu[0].save()
    assert lsu_token(lsu).status_code == 401


def test_the_livret_scolaire_reads_a_schools_certifications_with_a_valid_token(
    lsu, published, school_a, center, admin_a
):
    pending_session = session_for(center, created_by=admin_a)
    other = StudentUserFactory(first_name="Hugo", last_name="Bernard")
    give_certifiable_profile(other, COMPETENCES, up_to_level=2)
    [pending_candidate] = enrolment.candidates_enrol_learners(
        session=pending_session, learner_ids=[learner_of(school_a, other, birthdate=BIRTHDATE).pk]
    )
    enter_the_test(pending_session, pending_candidate, other)
    url = f"/api/organizations/{school_a.external_id}/certifications/"
    client = APIClient()
    assert client.get(url).status_code == 401
    client.credentials(HTTP_AUTHORIZATION="Bearer pas-un-jeton")
    assert client.get(url).json()["code"] == "INVALID_TOKEN"

    client.credentials(HTTP_AUTHORIZATION=f"Bearer {lsu_token(lsu).json()['access_token']}")
    response = client.get(url)

    assert response.status_code == 200
    pending, validated = response.json()["certifications"]  # Bernard, then Martin
    assert (pending["last_name"], pending["status"], pending["pix_score"]) == ("Bernard", "pending", 0)
    assert pending["delivered_at"] is None and pending["competence_results"] == []
    assert (validated["last_name"], validated["status"]) == ("Martin", "validated")
    assert (
        validated["pix_score"] == published.pix_score and validated["verification_code"] == published.verification_code
    )
    assert {r["competence_id"]: r["level"] for r in validated["competence_results"]} == dict.fromkeys(COMPETENCES, 3)
    assert client.get("/api/organizations/9999999Z/certifications/").status_code == 404


# --- scoping -----------------------------------------------------------------------------------------


def test_another_schools_certification_routes_are_404(api, admin_b, school_b, session, candidate):
    center_create_for_organization(organization=school_b)  # admin B has a centre of their own
    api.force_authenticate(admin_b)
    assert_cross_tenant_404(
        api,
        [
            ("get", f"/api/certification-centers/{session.center_id}/sessions/"),
            ("post", f"/api/certification-centers/{session.center_id}/sessions/"),
            ("get", f"/api/sessions/{session.pk}/"),
            ("post", f"/api/sessions/{session.pk}/enrolments/"),
            ("post", f"/api/sessions/{session.pk}/candidates/"),
            ("post", f"/api/sessions/{session.pk}/finalization/"),
            ("post", f"/api/sessions/{session.pk}/publication/"),
        ],
    )
    assert list(session.center.sessions.all()) == [session] and session.candidates.count() == 1


def test_a_teacher_who_is_not_admin_reaches_the_centre_only_as_an_explicit_member(api, member_a, session):
    api.force_authenticate(member_a)
    assert api.get(f"/api/sessions/{session.pk}/").status_code == 404
    assert api.get(f"/api/certification-centers/{session.center_id}/sessions/").status_code == 404
    CenterMembership.objects.create(user=member_a, center=session.center, role=CenterMembership.Role.MEMBER)
    assert api.get(f"/api/sessions/{session.pk}/").status_code == 200


def test_a_verification_code_or_a_uai_with_a_nul_character_names_nothing(published, lsu, school_a):
    """PostgreSQL refuses NUL in a text: the lookups must not send it (both were a 500)."""
    response = APIClient().get(f"/api/certificates/verify/{published.verification_code}%00/")
    assert response.status_code == 404 and response.json()["code"] == "CERTIFICATE_NOT_FOUND"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {lsu_token(lsu).json()['access_token']}")
    assert client.get(f"/api/organizations/{school_a.external_id}%00/certifications/").status_code == 404
    assert client.get(f"/api/organizations/{school_a.external_id}/certifications/").status_code == 200
