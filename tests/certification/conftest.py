"""A school's centre with one session, Léa Martin enrolled from the school record, a certifiable profile."""

import pytest

from certification.models import CertificationCourse
from certification.services import enrolment, results
from tests.certification.factories import (
    BIRTHDATE,
    COMPETENCES,
    enter_the_test,
    give_certifiable_profile,
    learner_of,
    load_content,
    sco_center_for,
    session_for,
    take_the_test,
)


@pytest.fixture
def content(tmp_path):
    load_content(tmp_path)


@pytest.fixture
def center(school_a):
    return sco_center_for(school_a)


@pytest.fixture
def session(center, admin_a):
    return session_for(center, created_by=admin_a)


@pytest.fixture
def learner(school_a, student):
    return learner_of(school_a, student, birthdate=BIRTHDATE, birth_city_code="69123", birth_city="Lyon")


@pytest.fixture
def candidate(session, learner):
    [candidate] = enrolment.candidates_enrol_learners(session=session, learner_ids=[learner.pk])
    return candidate


@pytest.fixture
def certifiable(content, student):
    give_certifiable_profile(student, COMPETENCES, up_to_level=3)
    return student


@pytest.fixture
def published(session, candidate, certifiable) -> CertificationCourse:
    """Léa took the whole test right; the session is finalised and published."""
    course = take_the_test(enter_the_test(session, candidate, certifiable))
    results.session_finalize(session=session)
    results.session_publish(session=session)
    return CertificationCourse.objects.get(pk=course.pk)
