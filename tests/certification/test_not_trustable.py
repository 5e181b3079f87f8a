"""« Not trustable » certifications and computation errors (issue 12, point 9; reference §8.2 steps 2 and 9).

A test stopped after 2 of its 18 questions is scored like any other, but its result rests on too few
answers: Pix sends it to a jury. We have none, so the centre sees the flag at finalisation and on the
publication page and decides for each candidate — publish the computed result, or cancel the
certification —, the decision and its author written in the audit log. Until then the session cannot be
published, and nothing of it reaches the candidate, the school, the public verification or the livret.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from rest_framework.test import APIClient

from accounts.models import AuditLogEntry
from certification.models import CenterMembership, CertificationCourse
from certification.services import course as course_services
from certification.services import entry, livret, results
from certification.services.sessions import center_create_for_organization
from pixorga.errors import ApplicationError
from tests.certification.factories import COMPETENCES, enter_the_test, right_answer, take_the_test
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db


def answer_first(course: CertificationCourse, count: int) -> CertificationCourse:
    """Answer the first ``count`` questions right, then leave the test open."""
    for _ in range(count):
        course = CertificationCourse.objects.select_related("assessment", "candidate").get(pk=course.pk)
        challenge = course_services.course_next_challenge(course=course)
        course_services.course_answer(
            assessment_id=course.assessment_id,
            user=course.user,
            challenge_id=challenge.pk,
            value=right_answer(challenge),
        )
    return course


def stopped_after_two(session, candidate, user) -> CertificationCourse:
    """The issue's case: the candidate answers 2 of the 18 questions, the invigilator ends the test."""
    course = answer_first(enter_the_test(session, candidate, user), 2)
    entry.course_end_by_invigilator(session=session, candidate_id=candidate.pk)
    return course


def reload(course: CertificationCourse) -> CertificationCourse:
    return CertificationCourse.objects.get(pk=course.pk)


def refused(call, **kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as error:
        call(**kwargs)
    return error.value


def url(name: str, session, **kwargs) -> str:
    return reverse(f"certification:{name}", kwargs={"center_id": session.center_id, "session_id": session.pk, **kwargs})


def lsu_get(school):
    client, secret = livret.livret_client_create(name="LSU")
    token = livret.livret_token_issue(
        client_id=client.client_id, client_secret=secret, grant_type="client_credentials", scope=livret.LIVRET_SCOPE
    )
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {token}").get(
        f"/api/organizations/{school.external_id}/certifications/"
    )


@pytest.fixture
def flagged(session, candidate, certifiable) -> CertificationCourse:
    """Finalised: 2 right answers of 18, « Validée » as computed, and not trustable."""
    course = stopped_after_two(session, candidate, certifiable)
    results.session_finalize(session=session, abort_reasons={candidate.pk: "candidate"})
    return reload(course)


# --- the flag ----------------------------------------------------------------------------------------


def test_a_test_stopped_after_2_of_18_answers_is_flagged_not_trustable_at_finalisation(flagged):
    assert flagged.challenges.count() == 18
    assert flagged.status == CertificationCourse.Status.VALIDATED and flagged.pix_score > 0  # as computed
    assert flagged.is_trustable is False
    assert (flagged.scored_answers, flagged.scored_challenges) == (2, 18)
    assert flagged.awaits_decision and not flagged.is_released


def test_a_whole_test_is_trustable(session, candidate, certifiable):
    course = take_the_test(enter_the_test(session, candidate, certifiable))
    results.session_finalize(session=session)
    course = reload(course)
    assert course.is_trustable and not course.awaits_decision
    assert (course.scored_answers, course.scored_challenges) == (18, 18)


def test_a_session_with_an_undecided_not_trustable_certification_cannot_be_published(session, flagged):
    error = refused(results.session_publish, session=session)

    assert (error.code, error.status_code) == ("NOT_TRUSTABLE_UNDECIDED", 409)
    assert error.message == results.NOT_TRUSTABLE_UNDECIDED.format(names="MARTIN Léa")
    session.refresh_from_db()
    assert not session.is_published and reload(flagged).published_at is None


def test_publishing_the_computed_result_is_decided_by_an_admin_and_written_in_the_audit_log(
    session, flagged, admin_a, school_a, student
):
    results.certification_decide(
        session=session, course_id=flagged.pk, decided_by=admin_a, decision=CertificationCourse.Decision.PUBLISH
    )
    results.session_publish(session=session)

    course = reload(flagged)
    assert course.decision == "publish" and course.decided_by == admin_a and course.decided_at is not None
    assert course.status == CertificationCourse.Status.VALIDATED and course.is_released
    log = AuditLogEntry.objects.get(organization=school_a, kind=AuditLogEntry.Kind.CERTIFICATION_DECIDED)
    assert log.actor == admin_a
    assert log.extra == {
        "session_id": session.pk,
        "certification_course_id": course.pk,
        "candidate": "MARTIN Léa",
        "decision": "publish",
        "computed_status": "validated",
        "answers": 2,
        "challenges": 18,
    }
    client = Client()
    client.force_login(student)
    assert f"{course.pix_score} pix" in client.get(reverse("certification:my_certificates")).content.decode()
    verify = Client().get(reverse("certification:verify"), {"verification_code": course.verification_code})
    assert verify.status_code == 200


def test_a_cancelled_certification_shows_as_cancelled_and_is_never_verifiable_nor_in_the_livret(
    session, flagged, admin_a, school_a, student
):
    results.certification_decide(
        session=session, course_id=flagged.pk, decided_by=admin_a, decision=CertificationCourse.Decision.CANCEL
    )
    results.session_publish(session=session)

    course = reload(flagged)
    assert course.status == CertificationCourse.Status.CANCELLED and course.decided_by == admin_a
    log = AuditLogEntry.objects.get(organization=school_a, kind=AuditLogEntry.Kind.CERTIFICATION_DECIDED)
    assert (log.actor, log.extra["decision"]) == (admin_a, "cancel")
    learner = Client()
    learner.force_login(student)
    page = learner.get(reverse("certification:my_certificates")).content.decode()
    assert "Annulée" in page and f"{course.pix_score} pix" not in page
    assert learner.get(reverse("certification:certificate_pdf", kwargs={"course_id": course.pk})).status_code == 404
    verify = Client().get(reverse("certification:verify"), {"verification_code": course.verification_code})
    assert verify.status_code == 404
    assert APIClient().get(f"/api/certificates/verify/{course.verification_code}/").status_code == 404
    assert lsu_get(school_a).json()["certifications"] == []  # Pix leaves cancelled certifications out
    orga = Client()
    orga.force_login(admin_a)
    home = orga.get(reverse("certification:home", kwargs={"org_id": school_a.pk}) + "?classe=2NDE+1")
    assert [c.status_label for c in home.context["courses"]] == ["Annulée"]
    csv = orga.get(reverse("certification:division_csv", kwargs={"org_id": school_a.pk}) + "?classe=2NDE+1")
    assert ";Annulée;0;" in csv.content.decode("utf-8-sig")


def test_a_published_not_trustable_certification_without_decision_is_shown_nowhere(
    session, flagged, admin_a, school_a, student
):
    """Published before the flag existed: hidden until the centre decides, everywhere it could show."""
    now = timezone.now()
    session.published_at = now
    session.save(update_fields=["published_at"])
    session.courses.update(published_at=now)

    learner = Client()
    learner.force_login(student)
    page = learner.get(reverse("certification:my_certificates")).content.decode()
    assert "En attente de résultat" in page and f"{flagged.pix_score} pix" not in page
    assert learner.get(reverse("certification:certificate", kwargs={"course_id": flagged.pk})).status_code == 404
    verify = Client().get(reverse("certification:verify"), {"verification_code": flagged.verification_code})
    assert verify.status_code == 404
    assert APIClient().get(f"/api/certificates/verify/{flagged.verification_code}/").status_code == 404
    [entry_] = lsu_get(school_a).json()["certifications"]
    assert (entry_["status"], entry_["pix_score"], entry_["competence_results"]) == ("pending", 0, [])
    assert entry_["delivered_at"] is None
    orga = Client()
    orga.force_login(admin_a)
    home = orga.get(reverse("certification:home", kwargs={"org_id": school_a.pk}) + "?classe=2NDE+1")
    assert list(home.context["courses"]) == [] and home.context["divisions"] == []

    results.certification_decide(
        session=session, course_id=flagged.pk, decided_by=admin_a, decision=CertificationCourse.Decision.PUBLISH
    )  # still possible on a published session, for this one

    assert (
        Client().get(reverse("certification:verify"), {"verification_code": flagged.verification_code}).status_code
        == 200
    )


def test_a_decision_can_change_until_publication_then_not(session, flagged, admin_a):
    decide = results.certification_decide
    decide(session=session, course_id=flagged.pk, decided_by=admin_a, decision="cancel")
    assert reload(flagged).status == CertificationCourse.Status.CANCELLED

    decide(session=session, course_id=flagged.pk, decided_by=admin_a, decision="publish")

    course = reload(flagged)
    assert course.status == CertificationCourse.Status.VALIDATED and course.pix_score == flagged.pix_score
    assert course.competence_marks.count() == len(COMPETENCES)
    results.session_publish(session=session)
    error = refused(decide, session=session, course_id=flagged.pk, decided_by=admin_a, decision="cancel")
    assert (error.code, error.message) == ("ALREADY_PUBLISHED", results.DECISION_AFTER_PUBLICATION)
    assert AuditLogEntry.objects.filter(kind=AuditLogEntry.Kind.CERTIFICATION_DECIDED).count() == 2


def test_a_trustable_certification_needs_no_decision(session, candidate, certifiable, admin_a):
    course = take_the_test(enter_the_test(session, candidate, certifiable))
    results.session_finalize(session=session)
    error = refused(
        results.certification_decide, session=session, course_id=course.pk, decided_by=admin_a, decision="cancel"
    )
    assert (error.code, error.message) == ("NOTHING_TO_DECIDE", results.NOTHING_TO_DECIDE)
    error = refused(
        results.certification_decide, session=session, course_id=course.pk, decided_by=admin_a, decision="?"
    )
    assert error.code == "INVALID_DECISION"


def test_a_decision_waits_for_the_finalisation(session, candidate, certifiable, admin_a):
    course = stopped_after_two(session, candidate, certifiable)
    error = refused(
        results.certification_decide, session=session, course_id=course.pk, decided_by=admin_a, decision="cancel"
    )
    assert error.message == results.NOT_FINALIZED


# --- a competence tested with no challenge: a computation error --------------------------------------


@pytest.fixture
def in_error(session, candidate, certifiable) -> CertificationCourse:
    """Competence 1.2 is positioned but got no question (its three are gone): the scoring cannot go on."""
    course = enter_the_test(session, candidate, certifiable)
    course.challenges.filter(competence_code="1.2").delete()
    course = take_the_test(course)
    results.session_finalize(session=session)
    return reload(course)


def test_a_competence_tested_with_no_challenge_puts_the_certification_in_error_with_a_french_reason(in_error):
    assert in_error.status == CertificationCourse.Status.ERROR and in_error.pix_score == 0
    assert in_error.error_message == "La compétence 1.2 fait partie du test mais aucune question ne lui a été posée."
    assert in_error.awaits_decision
    assert not in_error.competence_marks.exists()


def test_a_certification_in_error_blocks_publication_until_the_centre_cancels_it(session, in_error, admin_a):
    error = refused(results.session_publish, session=session)
    assert (error.code, error.message) == (
        "CERTIFICATION_IN_ERROR",
        results.COURSES_IN_ERROR.format(names="MARTIN Léa"),
    )
    error = refused(
        results.certification_decide, session=session, course_id=in_error.pk, decided_by=admin_a, decision="publish"
    )
    assert error.message == results.ERROR_CANNOT_BE_PUBLISHED

    results.certification_decide(session=session, course_id=in_error.pk, decided_by=admin_a, decision="cancel")
    results.session_publish(session=session)

    assert reload(in_error).status == CertificationCourse.Status.CANCELLED


def test_the_finalisation_page_reports_the_computation_error_in_french(
    client, admin_a, session, candidate, certifiable
):
    course = enter_the_test(session, candidate, certifiable)
    course.challenges.filter(competence_code="1.2").delete()
    take_the_test(course)
    client.force_login(admin_a)

    response = client.post(url("session_finalize", session), follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert escape("La certification de MARTIN Léa n'a pas pu être calculée") in page
    assert escape("La compétence 1.2 fait partie du test mais aucune question ne lui a été posée.") in page
    assert "Annuler la certification" in page


# --- the pages ---------------------------------------------------------------------------------------


def test_the_finalisation_page_warns_before_finalising_that_the_result_will_not_be_trustable(
    client, admin_a, session, candidate, certifiable
):
    stopped_after_two(session, candidate, certifiable)
    client.force_login(admin_a)

    page = client.get(url("session_finalize", session)).content.decode()

    assert escape("a répondu à 2 questions sur 18 : moins des deux tiers (il en faut au moins 12)") in page


def test_after_finalisation_the_session_page_explains_the_flag_and_offers_both_decisions(
    client, admin_a, session, candidate, certifiable
):
    stopped_after_two(session, candidate, certifiable)
    client.force_login(admin_a)
    response = client.post(url("session_finalize", session), {f"abort_reason_{candidate.pk}": "candidate"}, follow=True)

    page = response.content.decode()
    assert escape("1 certification non fiable : décidez pour chacune avant de publier.") in page
    assert escape("Le candidat a répondu à 2 questions sur 18 : moins des deux tiers (il en faut au moins 12).") in page
    assert "Publier le résultat calculé" in page and "Annuler la certification" in page
    assert "Non fiable" in page

    response = client.post(url("session_publish", session), follow=True)
    assert escape(results.NOT_TRUSTABLE_UNDECIDED.format(names="MARTIN Léa")) in response.content.decode()

    course = CertificationCourse.objects.get(candidate=candidate)
    response = client.post(
        url("certification_decide", session, course_id=course.pk), {"decision": "cancel"}, follow=True
    )
    page = response.content.decode()
    assert escape("La certification de MARTIN Léa est annulée.") in page
    decision = page.split('data-testid="decision"')[1].split("</p>")[0]
    assert "Annuler la certification" in decision and "par Anne Directrice le" in decision  # who decided
    response = client.post(url("session_publish", session), follow=True)
    assert reload(course).published_at is not None


def test_only_the_centres_admins_decide(client, member_a, session, flagged):
    CenterMembership.objects.create(user=member_a, center=session.center, role=CenterMembership.Role.MEMBER)
    client.force_login(member_a)
    response = client.post(url("certification_decide", session, course_id=flagged.pk), {"decision": "publish"})
    assert response.status_code == 403
    assert reload(flagged).decision == ""
    page = client.get(url("session_detail", session)).content.decode()
    assert escape("Le candidat a répondu à 2 questions sur 18") in page  # the flag is shown to every member


@pytest.mark.parametrize("decision", ["", "peut-être", "publish" * 40])
def test_an_empty_or_unknown_decision_on_the_page_is_refused_in_french_and_decides_nothing(
    client, admin_a, session, flagged, decision
):
    client.force_login(admin_a)
    response = client.post(url("certification_decide", session, course_id=flagged.pk), {"decision": decision})
    assert response.status_code == 302
    assert reload(flagged).decision == ""
    page = client.get(url("session_detail", session)).content.decode()
    assert escape(results.INVALID_DECISION) in page


def test_the_decision_route_refuses_get(client, admin_a, session, flagged):
    client.force_login(admin_a)
    assert client.get(url("certification_decide", session, course_id=flagged.pk)).status_code == 405


def test_another_schools_centre_cannot_decide(client, admin_b, school_b, session, flagged):
    center_create_for_organization(organization=school_b)
    client.force_login(admin_b)
    assert_cross_tenant_404(
        client,
        [
            ("post", url("certification_decide", session, course_id=flagged.pk)),
            ("post", f"/api/sessions/{session.pk}/certifications/{flagged.pk}/decision/"),
        ],
        data={"decision": "publish"},
    )
    assert reload(flagged).decision == ""


def test_a_course_of_another_session_is_a_404_on_the_decision_route(client, admin_a, center, session, flagged):
    from tests.certification.factories import session_for

    other = session_for(center, created_by=admin_a)
    client.force_login(admin_a)
    response = client.post(url("certification_decide", other, course_id=flagged.pk), {"decision": "publish"})
    assert response.status_code == 404


# --- the API -----------------------------------------------------------------------------------------


def test_the_api_reports_the_flag_at_finalisation_refuses_publication_and_takes_the_decision(
    admin_a, session, candidate, certifiable
):
    course = stopped_after_two(session, candidate, certifiable)
    api = APIClient()
    api.force_authenticate(admin_a)

    response = api.post(
        f"/api/sessions/{session.pk}/finalization/", {"abort_reasons": {str(candidate.pk): "candidate"}}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["to_decide"] == [
        {
            "certification_course_id": course.pk,
            "candidate_id": candidate.pk,
            "reason": "NOT_TRUSTABLE",
            "answers": 2,
            "challenges": 18,
            "computed_status": "validated",
            "error": "",
        }
    ]
    response = api.post(f"/api/sessions/{session.pk}/publication/")
    assert response.status_code == 409 and response.json()["code"] == "NOT_TRUSTABLE_UNDECIDED"
    decision_url = f"/api/sessions/{session.pk}/certifications/{course.pk}/decision/"
    assert api.post(decision_url, {"decision": "n'importe"}, format="json").status_code == 400

    response = api.post(decision_url, {"decision": "publish"}, format="json")

    assert response.status_code == 200
    assert response.json() == {"id": course.pk, "status": "validated", "decision": "publish"}
    assert api.post(f"/api/sessions/{session.pk}/publication/").status_code == 200


def test_only_admins_decide_through_the_api(member_a, session, flagged):
    CenterMembership.objects.create(user=member_a, center=session.center, role=CenterMembership.Role.MEMBER)
    api = APIClient()
    api.force_authenticate(member_a)
    response = api.post(f"/api/sessions/{session.pk}/certifications/{flagged.pk}/decision/", {"decision": "publish"})
    assert response.status_code == 403 and reload(flagged).decision == ""
