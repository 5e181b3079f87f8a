"""Certification rules, through the services: codes, sessions, enrolment, entry, the test, results."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments.models import Answer, Assessment, KnowledgeElement
from certification.certificates import division_results_csv, session_results_csv
from certification.models import (
    ACCESS_CODE_DIGITS,
    ACCESS_CODE_LETTERS,
    PASSWORD_AND_VERIFICATION_ALPHABET,
    Candidate,
    CertificationChallenge,
    CertificationCourse,
    IssueReport,
)
from certification.selectors import results_list_for_division, results_list_for_session
from certification.services import course as course_services
from certification.services import enrolment, entry, results
from certification.services.codes import (
    access_code_generate,
    invigilator_password_generate,
    verification_code_generate,
)
from certification.services.sessions import INVALID_DATE, INVALID_TIME, REQUIRED_FIELD, session_create
from crcn.models import COMPETENCE_CODES, Challenge
from pixorga.errors import ApplicationError
from tests.accounts.factories import OrganizationFactory, StudentUserFactory
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
    wrong_answer,
)
from tests.ratelimit import end_windows_after_add

pytestmark = pytest.mark.django_db


def identify(session, user, *, first_name="Léa", last_name="Martin", birthdate=BIRTHDATE, session_id=None):
    return entry.candidate_identify(
        session_id=session_id or session.pk, user=user, first_name=first_name, last_name=last_name, birthdate=birthdate
    )


def refused(call, **kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as error:
        call(**kwargs)
    return error.value


def reload(course: CertificationCourse) -> CertificationCourse:
    return CertificationCourse.objects.select_related("assessment", "candidate").get(pk=course.pk)


# --- codes -------------------------------------------------------------------------------------------


def test_an_access_code_is_four_readable_letters_then_two_readable_digits():
    for _ in range(300):
        code = access_code_generate()
        assert len(code) == 6
        assert all(c in ACCESS_CODE_LETTERS for c in code[:4]) and all(c in ACCESS_CODE_DIGITS for c in code[4:])


def test_an_invigilator_password_is_five_characters_of_the_readable_alphabet():
    for _ in range(300):
        password = invigilator_password_generate()
        assert len(password) == 5 and all(c in PASSWORD_AND_VERIFICATION_ALPHABET for c in password)


def test_a_verification_code_is_p_dash_and_eight_distinct_characters_of_the_readable_alphabet():
    for _ in range(300):
        code = verification_code_generate()
        assert code.startswith("P-") and len(code) == 10
        assert all(c in PASSWORD_AND_VERIFICATION_ALPHABET for c in code[2:]) and len(set(code[2:])) == 8
    assert not set("015AEIOUSLNZ") & set(PASSWORD_AND_VERIFICATION_ALPHABET)


def test_a_new_session_gets_an_access_code_and_an_invigilator_password(session):
    assert len(session.access_code) == 6 and len(session.invigilator_password) == 5
    assert session.status == "created"


def test_a_verification_code_already_taken_is_drawn_again(monkeypatch, session, school_a, candidate, certifiable):
    first = enter_the_test(session, candidate, certifiable)
    other = StudentUserFactory(first_name="Hugo", last_name="Bernard")
    give_certifiable_profile(other, COMPETENCES, up_to_level=2)
    [second_candidate] = enrolment.candidates_enrol_learners(
        session=session, learner_ids=[learner_of(school_a, other, birthdate=BIRTHDATE).pk]
    )
    fresh = "P-BCDFGHJK" if first.verification_code != "P-BCDFGHJK" else "P-2346789B"
    draws = iter([first.verification_code, fresh])
    monkeypatch.setattr(entry, "verification_code_generate", lambda: next(draws))

    second = enter_the_test(session, second_candidate, other)

    assert second.verification_code == fresh
    assert CertificationCourse.objects.filter(verification_code=first.verification_code).count() == 1


# --- sessions ----------------------------------------------------------------------------------------


def test_a_session_needs_a_site_a_room_an_examiner_a_valid_date_and_a_valid_time(center, admin_a):
    with pytest.raises(ValidationError) as error:
        session_create(
            center=center, created_by=admin_a, address="  ", room="", examiner="", date="2025-02-31", time="25:00"
        )
    assert error.value.message_dict == {
        "address": [REQUIRED_FIELD],
        "room": [REQUIRED_FIELD],
        "examiner": [REQUIRED_FIELD],
        "date": [INVALID_DATE],
        "time": [INVALID_TIME],
    }
    assert not center.sessions.exists()


def test_a_session_is_created_from_iso_strings(center, admin_a):
    session = session_create(
        center=center,
        created_by=admin_a,
        address="Site",
        room="B12",
        examiner="Mme Roux",
        date="2030-03-10",
        time="14:30",
    )
    assert session.date == datetime.date(2030, 3, 10) and session.time == datetime.time(14, 30)
    assert session.center == center and session.created_by == admin_a


# --- enrolment ---------------------------------------------------------------------------------------


def test_enrolling_learners_builds_candidates_from_the_school_record(session, learner):
    [candidate] = enrolment.candidates_enrol_learners(session=session, learner_ids=[learner.pk])
    assert (candidate.first_name, candidate.last_name, candidate.birthdate) == ("Léa", "Martin", BIRTHDATE)
    assert candidate.organization_learner == learner and candidate.birth_insee_code == "69123"
    assert candidate.birth_city == "Lyon" and candidate.birth_country == "FRANCE"


def test_a_learner_already_enrolled_is_skipped_not_doubled(session, school_a, learner):
    enrolment.candidates_enrol_learners(session=session, learner_ids=[learner.pk])
    other = learner_of(school_a, birthdate=BIRTHDATE)
    created = enrolment.candidates_enrol_learners(session=session, learner_ids=[learner.pk, other.pk])
    assert [c.organization_learner_id for c in created] == [other.pk]
    assert session.candidates.count() == 2


def test_a_learner_of_another_school_cannot_be_enrolled(session, learner, school_b):
    foreign = learner_of(school_b, birthdate=BIRTHDATE)
    error = refused(enrolment.candidates_enrol_learners, session=session, learner_ids=[learner.pk, foreign.pk])
    assert (error.code, error.message, error.status_code) == (
        "LEARNER_NOT_IN_ORGANIZATION",
        enrolment.LEARNER_NOT_IN_ORGANIZATION,
        404,
    )
    assert not session.candidates.exists()


def test_a_disabled_learner_cannot_be_enrolled(session, school_a):
    gone = learner_of(school_a, birthdate=BIRTHDATE, is_disabled=True)
    error = refused(enrolment.candidates_enrol_learners, session=session, learner_ids=[gone.pk])
    assert error.message == enrolment.LEARNER_NOT_IN_ORGANIZATION
    assert not session.candidates.exists()


def test_learners_without_a_birthdate_are_named_and_nobody_is_enrolled(session, school_a, learner):
    undated = learner_of(school_a, first_name="Tom", last_name="Sansdate", birthdate=None)
    error = refused(enrolment.candidates_enrol_learners, session=session, learner_ids=[learner.pk, undated.pk])
    assert error.code == "BIRTHDATE_REQUIRED" and "Tom Sansdate" in error.message
    assert not session.candidates.exists()


def test_a_school_that_manages_its_students_enrols_them_from_the_list_only(session):
    data = enrolment.CandidateInput(
        first_name="Jeanne", last_name="Durand", birthdate="2007-05-12", sex="F", birth_insee_code="69123"
    )
    error = refused(enrolment.candidate_add, session=session, data=data)
    assert error.message == enrolment.SCO_ENROLS_FROM_LEARNERS


def test_a_centre_without_students_does_not_enrol_from_a_learners_list(content):
    center, member = sup_center_with_member()
    session = session_for(center, created_by=member)
    error = refused(enrolment.candidates_enrol_learners, session=session, learner_ids=[1])
    assert error.message == enrolment.NOT_SCO_ENROLMENT


def typed(**changes) -> enrolment.CandidateInput:
    fields = {
        "first_name": "Jeanne",
        "last_name": "Durand",
        "birthdate": "12/05/2007",
        "sex": "F",
        "birth_insee_code": "69123",
        **changes,
    }
    return enrolment.CandidateInput(**fields)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"sex": "X"}, "sex", "Le sexe doit être « M » ou « F »."),
        ({"birthdate": "1899-12-31"}, "birthdate", "La date de naissance est invalide (format JJ/MM/AAAA)."),
        (
            {"birth_insee_code": ""},
            "birth_insee_code",
            "Né(e) en France : indiquez le code INSEE ou le code postal et le nom de la commune de naissance.",
        ),
        (
            {"birth_postal_code": "69001", "birth_city": "Lyon"},
            "birth_insee_code",
            "Indiquez soit le code INSEE, soit le code postal et la commune, pas les deux.",
        ),
        (
            {"birth_insee_code": "6912"},
            "birth_insee_code",
            "Le code INSEE de la commune de naissance est invalide (5 caractères).",
        ),
        (
            {"birth_insee_code": "", "birth_postal_code": "69001"},
            "birth_city",
            "Indiquez le nom de la commune de naissance avec le code postal.",
        ),
        (
            {"birth_insee_code": "", "birth_country": "Maroc"},
            "birth_city",
            "Né(e) à l'étranger : indiquez la ville de naissance.",
        ),
        (
            {"birth_insee_code": "69123", "birth_country": "Maroc", "birth_city": "Rabat"},
            "birth_insee_code",
            "Né(e) à l'étranger : le code INSEE doit être « 99 » ou vide.",
        ),
        (
            {"extra_time_percentage": "100"},
            "extra_time_percentage",
            "Le temps majoré est un pourcentage entier entre 0 et 99 (ex. : 33).",
        ),
        (
            {"extra_time_percentage": "un tiers"},
            "extra_time_percentage",
            "Le temps majoré est un pourcentage entier entre 0 et 99 (ex. : 33).",
        ),
        ({"email": "pas-une-adresse"}, "email", "L'adresse e-mail est invalide."),
    ],
)
def test_a_typed_candidate_is_refused_with_the_rule_it_breaks(changes, field, message):
    with pytest.raises(ValidationError) as error:
        enrolment.candidate_validate(typed(**changes))
    assert error.value.message_dict[field] == [message]


def test_born_in_france_a_postal_code_and_a_city_are_enough():
    fields = enrolment.candidate_validate(typed(birth_insee_code="", birth_postal_code="69001", birth_city="Lyon"))
    assert (fields["birth_postal_code"], fields["birth_city"], fields["birth_country"]) == ("69001", "Lyon", "FRANCE")


def test_born_abroad_the_insee_code_is_99_and_the_city_is_required():
    fields = enrolment.candidate_validate(typed(birth_insee_code="", birth_country="Maroc", birth_city="Rabat"))
    assert (fields["birth_insee_code"], fields["birth_country"], fields["birth_city"]) == ("99", "MAROC", "Rabat")


def test_extra_time_is_a_whole_percentage_and_sex_is_normalised():
    fields = enrolment.candidate_validate(typed(extra_time_percentage="33 %", sex="f"))
    assert fields["extra_time_percentage"] == 33 and fields["sex"] == "F"
    assert fields["birthdate"] == datetime.date(2007, 5, 12)


def candidates_file(*rows: dict) -> io.BytesIO:
    header = [column for column, _ in enrolment.IMPORT_COLUMNS]
    lines = [";".join(header)]
    for row in rows:
        lines.append(";".join(row.get(field, "") for _, field in enrolment.IMPORT_COLUMNS))
    return io.BytesIO(("\n".join(lines) + "\n").encode("utf-8"))


GOOD_ROW = {
    "last_name": "Durand",
    "first_name": "Jeanne",
    "sex": "F",
    "birthdate": "12/05/2007",
    "birth_insee_code": "69123",
}


@pytest.fixture
def sup_session(content):
    center, member = sup_center_with_member()
    return session_for(center, created_by=member)


def test_an_import_enrols_every_line_of_a_valid_file(sup_session):
    upload = candidates_file(GOOD_ROW, {**GOOD_ROW, "first_name": "Paul", "sex": "M", "extra_time_percentage": "33"})
    created = enrolment.candidates_import(session=sup_session, upload=upload)
    assert sorted(c.first_name for c in created) == ["Jeanne", "Paul"]
    assert sup_session.candidates.get(first_name="Paul").extra_time_percentage == 33


def test_an_import_with_errors_enrols_nobody_and_gives_each_line_number(sup_session):
    upload = candidates_file(
        GOOD_ROW,
        {**GOOD_ROW, "first_name": "Paul", "sex": "X"},
        GOOD_ROW,  # the same person twice in the file
    )
    error = refused(enrolment.candidates_import, session=sup_session, upload=upload)
    assert error.code == "INVALID_CANDIDATES_FILE"
    assert error.message == enrolment.IMPORT_HAS_ERRORS.format(count=2, s="s")
    assert [(e["line"], e["field"]) for e in error.extra["errors"]] == [(3, "sex"), (4, "last_name")]
    assert error.extra["errors"][1]["detail"] == enrolment.CANDIDATE_ALREADY_ENROLLED
    assert not sup_session.candidates.exists()


def test_an_import_without_the_template_columns_is_refused(sup_session):
    upload = io.BytesIO("Nom;Prénom\nDurand;Jeanne\n".encode())
    error = refused(enrolment.candidates_import, session=sup_session, upload=upload)
    assert error.message == enrolment.IMPORT_BAD_HEADER.format(column="Nom de naissance")


# --- entry -------------------------------------------------------------------------------------------


def test_a_wrong_session_number_is_refused(session, candidate, student):
    error = refused(identify, session=session, user=student, session_id=session.pk + 1000)
    assert (error.code, error.message, error.status_code) == ("SESSION_NOT_FOUND", entry.SESSION_NOT_FOUND, 404)


def test_someone_not_enrolled_in_the_session_is_refused(session, candidate, student):
    error = refused(identify, session=session, user=student, first_name="Paul")
    assert (error.code, error.message, error.status_code) == ("CANDIDATE_NOT_FOUND", entry.CANDIDATE_NOT_FOUND, 404)


def test_after_ten_failures_the_candidate_must_wait(session, candidate, student):
    for _ in range(entry.MAX_ENTRY_FAILURES):
        refused(identify, session=session, user=student, first_name="Paul")
    error = refused(identify, session=session, user=student)
    assert (error.code, error.message, error.status_code) == ("TOO_MANY_REQUESTS", entry.TOO_MANY_TRIES, 429)


def test_a_failure_when_the_waiting_window_ends_is_still_refused_in_french(session, candidate, student, monkeypatch):
    end_windows_after_add(monkeypatch)
    error = refused(identify, session=session, user=student, first_name="Paul")
    assert (error.code, error.status_code) == ("CANDIDATE_NOT_FOUND", 404)  # not a 500 from the cache
    assert identify(session, student) == candidate


def test_names_are_compared_without_accents_or_case(session, candidate, student):
    assert identify(session, student, first_name="LEA", last_name=" martin ") == candidate
    candidate.refresh_from_db()
    assert candidate.user == student


def test_in_a_school_that_manages_its_students_the_account_must_be_the_learners_own(session, candidate):
    someone_else = StudentUserFactory(first_name="Léa", last_name="Martin")
    error = refused(identify, session=session, user=someone_else)
    assert (error.code, error.message, error.status_code) == ("NOT_RECONCILED", entry.NOT_RECONCILED, 403)
    candidate.refresh_from_db()
    assert candidate.user is None


def test_a_candidate_waits_for_the_invigilators_authorisation(session, candidate, certifiable):
    identify(session, certifiable)
    error = refused(entry.course_start, session_id=session.pk, user=certifiable, access_code=session.access_code)
    assert (error.code, error.message, error.status_code) == (
        "NOT_AUTHORIZED_TO_START",
        entry.NOT_AUTHORIZED_TO_START,
        403,
    )
    assert not CertificationCourse.objects.exists()


def test_a_wrong_access_code_is_a_session_not_found(session, candidate, certifiable):
    identify(session, certifiable)
    entry.candidate_authorize(session=session, candidate_id=candidate.pk)
    wrong = "BBBB22" if session.access_code != "BBBB22" else "CCCC33"
    error = refused(entry.course_start, session_id=session.pk, user=certifiable, access_code=wrong)
    assert (error.code, error.message, error.status_code) == ("SESSION_NOT_FOUND", entry.WRONG_ACCESS_CODE, 404)
    assert not CertificationCourse.objects.exists()


def test_a_profile_with_fewer_than_five_certifiable_competences_is_refused_with_the_count(
    session, candidate, student, content
):
    give_certifiable_profile(student, COMPETENCES[:4], up_to_level=2)
    identify(session, student)
    entry.candidate_authorize(session=session, candidate_id=candidate.pk)
    error = refused(entry.course_start, session_id=session.pk, user=student, access_code=session.access_code)
    assert (error.code, error.status_code) == ("NOT_CERTIFIABLE", 403)
    assert error.message == entry.NOT_CERTIFIABLE.format(min=5, count=4)
    assert not CertificationCourse.objects.exists()


def test_each_entry_consumes_the_authorisation_and_resuming_returns_the_same_course(session, candidate, certifiable):
    course = enter_the_test(session, candidate, certifiable)
    candidate.refresh_from_db()
    assert not candidate.authorized_to_start
    assert course.assessment.type == Assessment.Type.CERTIFICATION and course.user == certifiable

    error = refused(entry.course_start, session_id=session.pk, user=certifiable, access_code=session.access_code)
    assert error.code == "NOT_AUTHORIZED_TO_START"

    entry.candidate_authorize(session=session, candidate_id=candidate.pk)
    resumed = entry.course_start(session_id=session.pk, user=certifiable, access_code=session.access_code.lower())
    assert resumed.pk == course.pk and CertificationCourse.objects.count() == 1


def test_an_account_is_only_one_candidate_of_a_session(session, school_a, candidate, certifiable):
    identify(session, certifiable)
    twin = learner_of(school_a, first_name="Léo", last_name="Martin", birthdate=BIRTHDATE)
    enrolment.candidates_enrol_learners(session=session, learner_ids=[twin.pk])
    error = refused(identify, session=session, user=certifiable, first_name="Léo")
    assert error.message == entry.USER_ALREADY_CANDIDATE


# --- the test ----------------------------------------------------------------------------------------


def test_the_test_asks_three_questions_per_competence_from_the_hardest_skills_never_one_already_answered(
    session, candidate, certifiable
):
    answered = set(Answer.objects.filter(assessment__user=certifiable).values_list("challenge_id", flat=True))

    course = enter_the_test(session, candidate, certifiable)

    asked = list(course.challenges.select_related("challenge__skill").order_by("index"))
    assert len(asked) == 3 * len(COMPETENCES)
    for code in COMPETENCES:
        assert sum(1 for c in asked if c.competence_code == code) == 3
    assert {c.challenge.skill.level for c in asked} == {3}  # the profile goes up to level 3
    assert not {c.challenge_id for c in asked} & answered
    assert all(c.challenge_id.endswith("-b") for c in asked)  # the other variant of each skill
    assert [p["code"] for p in course.positioning] == list(COMPETENCES)
    assert {p["level"] for p in course.positioning} == {3}


def test_answers_are_recorded_without_correction_and_create_no_knowledge_element(session, candidate, certifiable):
    course = enter_the_test(session, candidate, certifiable)
    knowledge = KnowledgeElement.objects.count()

    course = take_the_test(course, wrong_at={1})

    assert KnowledgeElement.objects.count() == knowledge
    assert course.assessment.answers.count() == course.challenges.count()
    assert course.assessment.answers.filter(result=Answer.Result.KO).count() == 1
    assert course.is_completed and course.assessment.state == Assessment.State.COMPLETED


def test_only_the_current_question_can_be_answered(session, candidate, certifiable):
    course = enter_the_test(session, candidate, certifiable)
    later = course.challenges.get(index=2)
    error = refused(
        course_services.course_answer,
        assessment_id=course.assessment_id,
        user=certifiable,
        challenge_id=later.challenge_id,
        value="1",
    )
    assert (error.code, error.status_code) == ("CHALLENGE_NOT_ASKED", 409)


def test_a_certification_answer_always_waits_for_the_disk_flush(session, candidate, certifiable, settings):
    from django.db import connection

    from assessments.services import assessment_answer

    settings.ANSWERS_ASYNCHRONOUS_COMMIT = True  # campaigns may skip it, certification never does
    course = enter_the_test(session, candidate, certifiable)
    first = course_services.course_next_challenge(course=course)

    assessment_answer(assessment_id=course.assessment_id, user=certifiable, challenge_id=first.pk, value="1")

    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
    assert course.assessment.answers.count() == 1


def test_past_the_deadline_the_questions_left_are_timed_out_and_the_test_is_complete(session, candidate, certifiable):
    course = enter_the_test(session, candidate, certifiable)
    first = course_services.course_next_challenge(course=course)
    course_services.course_answer(
        assessment_id=course.assessment_id, user=certifiable, challenge_id=first.pk, value=right_answer(first)
    )
    CertificationCourse.objects.filter(pk=course.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=105, seconds=1)
    )

    assert course_services.course_next_challenge(course=reload(course)) is None

    course = reload(course)
    results_ = list(course.assessment.answers.values_list("result", flat=True))
    assert results_.count(Answer.Result.OK) == 1
    assert results_.count(Answer.Result.TIMEDOUT) == course.challenges.count() - 1
    assert course.is_completed and course.assessment.state == Assessment.State.COMPLETED


def test_an_answer_sent_after_the_deadline_is_refused_and_closes_the_test(session, candidate, certifiable):
    course = enter_the_test(session, candidate, certifiable)
    first = course_services.course_next_challenge(course=course)
    CertificationCourse.objects.filter(pk=course.pk).update(created_at=timezone.now() - datetime.timedelta(hours=2))

    error = refused(
        course_services.course_answer,
        assessment_id=course.assessment_id,
        user=certifiable,
        challenge_id=first.pk,
        value=right_answer(first),
    )

    assert error.message == course_services.TEST_ENDED
    course = reload(course)
    assert course.is_completed
    assert set(course.assessment.answers.values_list("result", flat=True)) == {Answer.Result.TIMEDOUT}


def test_extra_time_lengthens_the_deadline(session, candidate, certifiable):
    Candidate.objects.filter(pk=candidate.pk).update(extra_time_percentage=50)  # 105 min → 157 min 30 s
    course = enter_the_test(session, candidate, certifiable)
    CertificationCourse.objects.filter(pk=course.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=150))
    assert course_services.course_next_challenge(course=reload(course)) is not None
    CertificationCourse.objects.filter(pk=course.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=158))
    assert course_services.course_next_challenge(course=reload(course)) is None
    assert reload(course).is_completed


def test_the_invigilator_ends_a_test_which_is_then_unfinished(session, candidate, certifiable):
    course = enter_the_test(session, candidate, certifiable)

    entry.course_end_by_invigilator(session=session, candidate_id=candidate.pk)
    entry.course_end_by_invigilator(session=session, candidate_id=candidate.pk)  # no-op the second time

    course = reload(course)
    assert course.assessment.state == Assessment.State.ENDED_BY_SUPERVISOR and not course.is_completed
    assert course_services.course_next_challenge(course=course) is None
    first = course.challenges.get(index=1)
    error = refused(
        course_services.course_answer,
        assessment_id=course.assessment_id,
        user=certifiable,
        challenge_id=first.challenge_id,
        value="1",
    )
    assert error.message == course_services.TEST_ENDED


def test_the_invigilator_cannot_end_a_test_not_started(session, candidate):
    error = refused(entry.course_end_by_invigilator, session=session, candidate_id=candidate.pk)
    assert error.code == "COURSE_NOT_STARTED"


def test_the_invigilator_needs_the_session_password(session):
    error = refused(entry.invigilator_authenticate, session_id=session.pk, password="XXXXX", client_key="test")
    assert (error.code, error.message, error.status_code) == ("INVALID_CREDENTIALS", entry.INVIGILATOR_WRONG, 400)
    assert (
        entry.invigilator_authenticate(
            session_id=session.pk, password=session.invigilator_password.lower(), client_key="test"
        )
        == session
    )


# --- finalisation, scoring, publication --------------------------------------------------------------


def test_a_session_where_nobody_started_cannot_be_finalised(session, candidate):
    error = refused(results.session_finalize, session=session)
    assert error.message == results.NO_STARTED_COURSE
    session.refresh_from_db()
    assert not session.is_finalized


def test_every_unfinished_test_needs_its_abort_reason(session, candidate, certifiable):
    course = enter_the_test(session, candidate, certifiable)
    entry.course_end_by_invigilator(session=session, candidate_id=candidate.pk)

    error = refused(results.session_finalize, session=session)
    assert error.code == "ABORT_REASON_MISSING" and error.extra == {"candidate_ids": [candidate.pk]}
    assert error.message == results.ABORT_REASON_MISSING.format(names=str(candidate))
    error = refused(results.session_finalize, session=session, abort_reasons={candidate.pk: "fatigue"})
    assert error.message == results.ABORT_REASON_UNKNOWN

    results.session_finalize(session=session, abort_reasons={str(candidate.pk): "technical"})

    session.refresh_from_db()
    course = reload(course)
    assert session.is_finalized and course.abort_reason == "technical" and course.scored_at is not None


def test_a_test_still_running_when_the_session_is_finalised_is_stopped(session, candidate, certifiable):
    course = enter_the_test(session, candidate, certifiable)
    results.session_finalize(session=session, abort_reasons={candidate.pk: "candidate"})
    course = reload(course)
    assert course.assessment.state == Assessment.State.ENDED_BY_SUPERVISOR and course.abort_reason == "candidate"


def test_a_finalised_session_cannot_be_finalised_again(session, candidate, certifiable):
    take_the_test(enter_the_test(session, candidate, certifiable))
    results.session_finalize(session=session)
    error = refused(results.session_finalize, session=session)
    assert (error.message, error.status_code) == (results.ALREADY_FINALIZED, 409)


def test_incidents_are_stored_with_the_finalisation(session, candidate, certifiable):
    course = take_the_test(enter_the_test(session, candidate, certifiable))
    results.session_finalize(
        session=session,
        examiner_global_comment="  Alarme incendie à 10 h.  ",
        incidents=[{"candidate_id": candidate.pk, "category": "FRAUD", "description": "Téléphone sorti"}],
    )
    session.refresh_from_db()
    [report] = course.issue_reports.all()
    assert (report.category, report.description) == (IssueReport.Category.FRAUD, "Téléphone sorti")
    assert session.has_incident and session.examiner_global_comment == "Alarme incendie à 10 h."


def test_an_in_question_incident_needs_the_question_number(session, candidate, certifiable):
    take_the_test(enter_the_test(session, candidate, certifiable))
    error = refused(
        results.session_finalize,
        session=session,
        incidents=[{"candidate_id": candidate.pk, "category": "IN_CHALLENGE", "subcategory": "IMAGE_NOT_DISPLAYING"}],
    )
    assert error.message == results.QUESTION_NUMBER_REQUIRED
    assert not IssueReport.objects.exists()


def test_an_in_question_incident_not_of_the_candidates_doing_neutralises_that_question_if_answered_wrong(
    session, candidate, certifiable
):
    course = take_the_test(enter_the_test(session, candidate, certifiable), wrong_at={1, 3})
    incident = {"candidate_id": candidate.pk, "category": "IN_CHALLENGE"}
    results.session_finalize(
        session=session,
        incidents=[
            {**incident, "subcategory": "IMAGE_NOT_DISPLAYING", "question_number": 1},  # wrong: neutralised
            {**incident, "subcategory": "IMAGE_NOT_DISPLAYING", "question_number": 2},  # right: kept
            {**incident, "subcategory": "UNINTENTIONAL_FOCUS_OUT", "question_number": 3},  # the candidate's doing
        ],
    )
    neutralized = dict(CertificationChallenge.objects.filter(course=course).values_list("index", "is_neutralized"))
    assert (neutralized[1], neutralized[2], neutralized[3]) == (True, False, False)
    assert sum(neutralized.values()) == 1


def test_all_answers_right_validate_the_positioning_capped_at_the_maximum_reachable_level(
    session, candidate, student, content
):
    give_certifiable_profile(student, COMPETENCES, up_to_level=6)
    course = take_the_test(enter_the_test(session, candidate, student))
    assert {p["level"] for p in course.positioning} == {6}

    results.session_finalize(session=session)

    course = reload(course)
    cap = settings.MAX_REACHABLE_LEVEL
    assert course.status == CertificationCourse.Status.VALIDATED and course.reproducibility_rate == 100
    marks = {m.competence_code: (m.level, m.score) for m in course.competence_marks.all()}
    assert marks == dict.fromkeys(COMPETENCES, (cap, cap * 8))
    assert course.pix_score == len(COMPETENCES) * cap * 8


def test_all_answers_wrong_reject_the_certification_with_zero_pix(session, candidate, certifiable):
    course = enter_the_test(session, candidate, certifiable)
    course = take_the_test(course, wrong_at=range(1, course.challenges.count() + 1))

    results.session_finalize(session=session)

    course = reload(course)
    assert course.status == CertificationCourse.Status.REJECTED and course.pix_score == 0
    assert course.rejection_reason == "INSUFFICIENT_CORRECT_ANSWERS"
    assert set(course.competence_marks.values_list("level", flat=True)) == {-1}


def test_results_are_published_only_once_and_only_after_finalisation(session, candidate, certifiable):
    course = take_the_test(enter_the_test(session, candidate, certifiable))
    error = refused(results.session_publish, session=session)
    assert (error.message, error.status_code) == (results.NOT_FINALIZED, 409)
    results.session_finalize(session=session)

    results.session_publish(session=session)

    session.refresh_from_db()
    course = reload(course)
    assert session.is_published and session.status == "processed"
    assert course.published_at == session.published_at and course.valid_until is not None
    error = refused(results.session_publish, session=session)
    assert error.message == results.ALREADY_PUBLISHED


def test_the_schools_results_csv_of_a_class_has_pix_columns_and_one_row_per_certification(
    session, candidate, certifiable, school_a
):
    course = take_the_test(enter_the_test(session, candidate, certifiable))
    results.session_finalize(session=session)
    results.session_publish(session=session)
    other_school = OrganizationFactory()
    assert not results_list_for_division(organization=other_school, division="2NDE 1").exists()

    content, filename = division_results_csv(
        results_list_for_division(organization=school_a, division="2NDE 1"), division="2NDE 1"
    )

    assert filename.endswith("_resultats_2NDE_1.csv")
    header, *rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert header == [
        "Numéro de certification",
        "Prénom",
        "Nom",
        "Date de naissance",
        "Lieu de naissance",
        "Identifiant Externe",
        "Statut",
        "Nombre de Pix",
        *COMPETENCE_CODES,
        "Commentaire jury pour l’organisation",
        "Session",
        "Date de passage de la certification",
    ]
    course = reload(course)
    levels = ["3"] * 6 + ["-"] * 10  # certified 1.1 … 2.3, not tested 2.4 … 5.2
    assert rows == [
        [
            str(course.pk),
            "Léa",
            "Martin",
            "14/03/2008",
            "Lyon",
            "",
            "Validée",
            str(course.pix_score),
            *levels,
            "",
            str(session.pk),
            session.date.strftime("%d/%m/%Y"),
        ]
    ]


def test_the_bank_answers_helpers_match_the_checker(content):
    for challenge in Challenge.objects.all()[:8]:
        assert challenge.check_answer(right_answer(challenge)) == "ok"
        assert challenge.check_answer(wrong_answer(challenge)) == "ko"


def test_the_centres_results_csv_of_a_session_adds_the_centre(session, candidate, certifiable):
    course = take_the_test(enter_the_test(session, candidate, certifiable))
    results.session_finalize(session=session)

    content, filename = session_results_csv(results_list_for_session(session=session), session_id=session.pk)

    assert filename.endswith(f"_resultats_session_{session.pk}.csv")
    header, row = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert header[-1] == "Centre de certification" and row[-1] == session.center.name
    assert row[0] == str(course.pk) and row[6] == "Validée"
