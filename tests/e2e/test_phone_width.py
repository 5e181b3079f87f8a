"""On a 390 px phone, no page is wider than the screen: wide tables scroll inside their card."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from certification.services import enrolment, entry, results
from tests.certification.factories import (
    BIRTHDATE,
    COMPETENCES,
    enter_the_test,
    give_certifiable_profile,
    learner_of,
    load_content,
    sco_center_for,
    session_for,
)
from tests.e2e.steps import log_in
from tests.students.factories import OrganizationLearnerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def page_width(page: Page, url: str) -> int:
    page.goto(url)
    return page.evaluate("() => document.documentElement.scrollWidth")


def test_staff_pages_fit_a_phone(page: Page, live_server, admin_a, school_a, student, tmp_path):
    load_content(tmp_path, COMPETENCES)
    session = session_for(sco_center_for(school_a), created_by=admin_a)
    learner = learner_of(school_a, student, birthdate=BIRTHDATE, birth_city_code="69123", birth_city="Lyon")
    OrganizationLearnerFactory.create_batch(3, organization=school_a, division="2NDE 1")
    [candidate] = enrolment.candidates_enrol_learners(session=session, learner_ids=[learner.pk])
    give_certifiable_profile(student, COMPETENCES, up_to_level=3)
    enter_the_test(session, candidate, student)
    entry.course_end_by_invigilator(session=session, candidate_id=candidate.pk)

    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "anne.directrice@ac-lyon.fr")
    session_kwargs = {"center_id": session.center_id, "session_id": session.pk}
    pages = [
        reverse("certification:session_detail", kwargs=session_kwargs),
        reverse("certification:session_finalize", kwargs=session_kwargs),
        reverse("students:list", kwargs={"org_id": school_a.pk}),
    ]
    for url in pages:
        assert page_width(page, live_server.url + url) <= PHONE["width"], url

    results.session_finalize(session=session, abort_reasons={candidate.pk: "candidate"})
    url = reverse("certification:session_detail", kwargs=session_kwargs)
    assert page_width(page, live_server.url + url) <= PHONE["width"], "session à examiner avant publication"
