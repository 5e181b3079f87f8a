"""No API operation answers a server error, whoever calls it and whatever they send.

Schemathesis reads the schema the live server publishes (``/api/schema/``) and sends every operation
requests as four callers: the school's admin, a teacher of the school, a student and an anonymous
caller. First its coverage cases (missing fields, wrong types, boundaries: fixed, not random), then
requests Hypothesis draws, valid and broken. Most of them name the school's real objects in their
path (its campaign, its session, the student's participation…) so that they get past the 404 and
reach the rules, some also carry the NUL character PostgreSQL refuses in every text. Every answer
must also be one the schema declares for the operation: its status and the shape of its body.

Deterministic: Hypothesis draws the same requests on every run (``derandomize``). The run takes about
two minutes; ``PIXORGA_FUZZ_EXAMPLES=100`` (12 by default) hunts longer.
"""

from __future__ import annotations

import datetime
import math
import os
from dataclasses import dataclass

import pytest
import schemathesis
from django.core.cache import cache
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle
from schemathesis import GenerationMode
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

from assessments import services as assessment_services
from campaigns.models import Campaign, CampaignExport
from campaigns.services import campaigns as campaign_services
from campaigns.services import participations
from certification.services import enrolment, entry, livret, results
from crcn.models import TargetProfile
from pixorga.celery import app as celery_app
from students.models import LearnerImport
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

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db(transaction=True)]

EXAMPLES_PER_OPERATION = int(os.environ.get("PIXORGA_FUZZ_EXAMPLES", "12"))
COVERAGE_CASES_PER_OPERATION = 3 * EXAMPLES_PER_OPERATION
FUZZ_QUEUE = "api-fuzz"


@dataclass(frozen=True)
class School:
    ids: dict[str, object]  # path parameter -> the school's real object
    credentials: dict[str, dict[str, str]]  # caller -> security scheme of the schema -> Authorization header


@pytest.fixture
def school(tmp_path, school_a, admin_a, member_a, student) -> School:
    """A school with one object of each kind the API names, and what each caller holds to call it.

    The admin also holds the invigilator token of her session and a livret scolaire token: with them
    the fuzzer reaches the invigilator's and the livret's routes past their 401.
    """
    assessment_services._TARGETS_CACHE.clear()  # the engine's per-process caches: this test's content
    assessment_services._CHALLENGES_CACHE.clear()
    load_content(tmp_path)
    campaign = campaign_services.campaign_create(
        organization=school_a,
        creator=member_a,
        name="Rentrée 2nde 3",
        type=Campaign.Type.ASSESSMENT,
        target_profile_id=TargetProfile.objects.get(key="parcours-essai").pk,
    )
    learner = learner_of(school_a, student, birthdate=BIRTHDATE)
    participation = participations.participation_start(campaign=campaign, user=student)
    give_certifiable_profile(student, COMPETENCES, up_to_level=3)

    center = sco_center_for(school_a)
    published_session = session_for(center, created_by=admin_a)
    [candidate] = enrolment.candidates_enrol_learners(session=published_session, learner_ids=[learner.pk])
    course = take_the_test(enter_the_test(published_session, candidate, student))
    results.session_finalize(session=published_session)
    results.session_publish(session=published_session)
    course.refresh_from_db()

    session = session_for(center, created_by=admin_a)
    classmate = learner_of(school_a, birthdate=datetime.date(2008, 5, 2))
    [waiting_candidate] = enrolment.candidates_enrol_learners(session=session, learner_ids=[classmate.pk])
    learner_import = LearnerImport.objects.create(
        organization=school_a,
        created_by=admin_a,
        format=LearnerImport.Format.SIECLE_XML,
        filename="eleves.xml",
        status=LearnerImport.Status.IMPORTED,
    )
    export = CampaignExport.objects.create(campaign=campaign, requested_by=member_a)
    lsu_client, lsu_secret = livret.livret_client_create(name="LSU")
    lsu_token = livret.livret_token_issue(
        client_id=lsu_client.client_id,
        client_secret=lsu_secret,
        grant_type="client_credentials",
        scope=livret.LIVRET_SCOPE,
    )

    def account(user) -> str:
        return f"Token {Token.objects.create(user=user).key}"

    return School(
        ids={
            "org_id": school_a.pk,
            "uai": school_a.external_id,
            "campaign_id": campaign.pk,
            "code": campaign.code,
            "participation_id": participation.pk,
            "assessment_id": participation.assessments.get().pk,
            "export_id": export.pk,
            "import_id": learner_import.pk,
            "center_id": center.pk,
            "session_id": session.pk,
            "candidate_id": waiting_candidate.pk,
            "course_id": course.pk,
            "verification_code": course.verification_code,
        },
        credentials={
            "admin": {
                "tokenAuth": account(admin_a),
                "invigilatorAuth": f"Bearer {entry.invigilator_token_for(session)}",
                "livretAuth": f"Bearer {lsu_token}",
            },
            "member": {"tokenAuth": account(member_a)},
            "student": {"tokenAuth": account(student)},
            "anonymous": {},
        },
    )


@pytest.fixture
def generous_throttles(monkeypatch):
    """Throttles stay on with budgets a fuzzer does not exhaust: its requests reach the views."""
    rates = dict.fromkeys(SimpleRateThrottle.THROTTLE_RATES, "100000/min")
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)


@pytest.fixture
def fuzz_queue(monkeypatch):
    """The tasks the fuzzer asks for (exports, imports) wait in a queue no worker reads, dropped after."""
    monkeypatch.setitem(celery_app.conf, "task_default_queue", FUZZ_QUEUE)
    yield
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_purge(FUZZ_QUEUE)


def authorization(operation, credentials: dict[str, str]) -> dict[str, str]:
    """The caller's credential for the first security scheme of the operation it holds, if any."""
    for requirement in operation.definition.raw.get("security", []):
        for scheme in requirement:
            if scheme in credentials:
                return {"Authorization": credentials[scheme]}
    return {}


def naming(case, ids: dict[str, object]):
    """The case with the school's real objects in its path, where it has a parameter for one."""
    real = {name: ids[name] for name in case.path_parameters or {} if name in ids}
    if real:
        case.path_parameters = {**case.path_parameters, **real}
    return case


def with_nul_characters(case):
    """PostgreSQL refuses NUL (0x00) in any text: the case with one in each string of its path and query."""
    case.path_parameters = {k: f"{v}\x00" if isinstance(v, str) else v for k, v in (case.path_parameters or {}).items()}
    case.query = {k: f"{v}\x00" if isinstance(v, str) else v for k, v in (case.query or {}).items()}
    return case


def coverage_cases(schema, operation, ids: dict[str, object]) -> list:
    """Schemathesis' deterministic edge cases (missing fields, wrong types, boundaries), on the real objects.

    Operations with many fields have hundreds: an even sample of them keeps the run short.
    """
    cases = [
        case
        for case in schema.iter_coverage_cases(
            operation,
            generation_modes=list(GenerationMode),
            generation_config=schema.config.generation_for(operation=operation),
        )
        if case.method.upper() == operation.method.upper()
    ]
    step = math.ceil(len(cases) / COVERAGE_CASES_PER_OPERATION) or 1
    return [naming(case, ids) for case in cases[::step]]


def fuzzed_cases(operation, ids: dict[str, object]):
    """Random valid and broken requests: as drawn, naming the real objects, or carrying NUL characters."""
    drawn = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))
    on_real_objects = drawn.map(lambda case: naming(case, ids))
    return st.one_of(drawn, on_real_objects, on_real_objects.map(with_nul_characters))


def answers(schema, operation, *, base_url: str, headers: dict[str, str], ids: dict[str, object]):
    """(case, response) for each request sent: coverage cases when the caller may authenticate, fuzzed ones.

    The coverage cases are about the input: sent without the credential the operation asks for, every
    one of them would be the same 403.
    """
    security = operation.definition.raw.get("security") or [{}]
    opens = bool(headers) or {} in security
    sent = [
        (case, case.call(base_url=base_url, headers=headers))
        for case in (coverage_cases(schema, operation, ids) if opens else [])
    ]

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=fuzzed_cases(operation, ids))
    def call(case):
        sent.append((case, case.call(base_url=base_url, headers=headers)))

    call()
    return sent


def in_the_contract(operation, response) -> bool:
    """A request the schema allows: no body, or a body in a media type the operation declares."""
    body = operation.definition.raw.get("requestBody")
    media_type = response.request.headers.get("Content-Type", "").split(";")[0]
    return body is None or not media_type or media_type in body["content"]


@pytest.mark.parametrize("caller", ["admin", "member", "student", "anonymous"])
def test_no_operation_answers_a_server_error_or_anything_its_schema_does_not_declare(
    caller, live_server, school, generous_throttles, fuzz_queue
):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")
    server_errors, undeclared_statuses, undeclared_bodies = [], {}, {}
    for result in schema.get_all_operations():
        operation = result.ok()
        headers = authorization(operation, school.credentials[caller])
        declared = set(operation.definition.raw["responses"])
        cache.clear()  # brakes and throttle counters: every operation starts with a fresh budget
        for case, response in answers(schema, operation, base_url=live_server.url, headers=headers, ids=school.ids):
            answer = f"{operation.label} {response.status_code}"
            if response.status_code >= 500:
                curl = case.as_curl_command(headers=headers)
                server_errors.append(f"{response.status_code} {curl}\n{response.text[:3000]}")
            elif not in_the_contract(operation, response):
                continue
            elif str(response.status_code) not in declared:
                undeclared_statuses.setdefault(answer, response.text[:300])
            else:
                try:
                    case.validate_response(response, checks=[response_schema_conformance])
                except FailureGroup as failures:
                    undeclared_bodies.setdefault(answer, str(failures)[:1500])
    assert server_errors == [], "\n\n".join(server_errors)
    assert undeclared_statuses == {}
    assert undeclared_bodies == {}, "\n\n".join(undeclared_bodies.values())
