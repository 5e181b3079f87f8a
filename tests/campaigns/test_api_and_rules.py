"""Campaign and learner-journey API, with the rules of creation, participation and sharing."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from assessments.models import Answer, Assessment, KnowledgeElement
from campaigns.models import CODE_DIGITS, CODE_LETTERS, Campaign, CampaignParticipation
from campaigns.services.campaigns import campaign_code_generate
from crcn.models import Challenge, TargetProfile
from tests.accounts.factories import UserFactory
from tests.crcn.bank import write_bank
from tests.students.factories import CampaignFactory, OrganizationLearnerFactory
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db


@pytest.fixture
def content(tmp_path):
    from crcn.services import content_load

    content_load(content_dir=write_bank(tmp_path))
    return TargetProfile.objects.get(key="parcours-essai")


@pytest.fixture
def api():
    return APIClient()


def create(api, school, profile, **extra):
    body = {"name": "Rentrée 2nde 3", "type": "ASSESSMENT", "target_profile_id": profile.pk, **extra}
    return api.post(f"/api/organizations/{school.pk}/campaigns/", body, format="json")


def test_codes_are_six_readable_letters_and_three_digits():
    for _ in range(200):
        code = campaign_code_generate()
        assert len(code) == 9 and all(c in CODE_LETTERS for c in code[:6]) and all(c in CODE_DIGITS for c in code[6:])
    assert not set("IO0") & set(CODE_LETTERS + CODE_DIGITS)


def test_a_member_creates_an_assessment_campaign_with_the_profile_skills(api, member_a, school_a, content):
    api.force_authenticate(member_a)
    response = create(api, school_a, content)
    assert response.status_code == 201
    campaign = Campaign.objects.get(pk=response.json()["id"])
    assert campaign.code == response.json()["code"] and campaign.owner == member_a
    assert campaign.campaign_skills.count() == 6  # tube 0 up to 4 + tube 1 up to 2


def test_creation_rules(api, member_a, school_a, content):
    api.force_authenticate(member_a)
    assert create(api, school_a, content, target_profile_id=None).json()["code"] == "TARGET_PROFILE_REQUIRED"
    body = {"name": "Collecte", "type": "PROFILES_COLLECTION", "target_profile_id": content.pk}
    response = api.post(f"/api/organizations/{school_a.pk}/campaigns/", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "TARGET_PROFILE_NOT_ALLOWED"
    content.is_public = False
    content.save()
    assert create(api, school_a, content).json()["code"] == "TARGET_PROFILE_UNAVAILABLE"
    content.organizations.add(school_a)
    assert create(api, school_a, content).status_code == 201


def test_only_admins_and_the_owner_manage_a_campaign(api, member_a, admin_a, school_a, content):
    owner = UserFactory()
    school_a.memberships.create(user=owner, role="MEMBER")
    campaign = CampaignFactory(organization=school_a, owner=owner)
    api.force_authenticate(member_a)
    assert api.post(f"/api/campaigns/{campaign.pk}/archive/").status_code == 403
    assert api.patch(f"/api/campaigns/{campaign.pk}/", {"name": "X"}, format="json").status_code == 403
    api.force_authenticate(owner)
    assert api.post(f"/api/campaigns/{campaign.pk}/archive/").json()["is_archived"] is True
    api.force_authenticate(admin_a)
    assert api.post(f"/api/campaigns/{campaign.pk}/unarchive/").json()["is_archived"] is False
    response = api.patch(f"/api/campaigns/{campaign.pk}/", {"owner_id": UserFactory().pk}, format="json")
    assert response.json()["code"] == "OWNER_NOT_IN_ORGANIZATION"
    assert (
        api.patch(f"/api/campaigns/{campaign.pk}/", {"owner_id": member_a.pk}, format="json").json()["owner_id"]
        == member_a.pk
    )


def test_another_schools_campaign_routes_are_404(api, admin_b, school_a, content):
    campaign = CampaignFactory(organization=school_a)
    api.force_authenticate(admin_b)
    assert_cross_tenant_404(
        api,
        [
            ("get", f"/api/campaigns/{campaign.pk}/"),
            ("patch", f"/api/campaigns/{campaign.pk}/"),
            ("post", f"/api/campaigns/{campaign.pk}/archive/"),
            ("post", f"/api/campaigns/{campaign.pk}/unarchive/"),
            ("get", f"/api/campaigns/{campaign.pk}/participants/"),
            ("get", f"/api/organizations/{school_a.pk}/campaigns/"),
            ("post", f"/api/organizations/{school_a.pk}/campaigns/"),
            ("get", f"/api/organizations/{school_a.pk}/target-profiles/"),
        ],
    )


@pytest.fixture
def reconciled(school_a, student):
    OrganizationLearnerFactory(organization=school_a, user=student)
    return student


def test_the_learner_takes_the_test_through_the_api(api, school_a, content, reconciled):
    campaign = CampaignFactory(organization=school_a, type="ASSESSMENT", target_profile=content)
    from campaigns.models import CampaignSkill
    from campaigns.services.campaigns import _capped_tubes_filter
    from crcn.models import Skill

    CampaignSkill.objects.bulk_create(
        [CampaignSkill(campaign=campaign, skill=s) for s in Skill.objects.filter(_capped_tubes_filter(content))]
    )
    api.force_authenticate(reconciled)
    started = api.post(f"/api/campaigns/by-code/{campaign.code}/participations/", {}, format="json").json()
    assessment_id = started["assessment_id"]
    asked = 0
    while True:
        response = api.get(f"/api/assessments/{assessment_id}/next-challenge/")
        if response.status_code == 204:
            break
        body = response.json()
        assert "solution" not in body
        challenge = Challenge.objects.get(pk=body["id"])
        value = {"QCU": "2", "QCM": "1,3", "QROC": "réponse", "QROCM": {"a": "alpha", "b": "bêta"}}[challenge.type]
        answer = api.post(
            f"/api/assessments/{assessment_id}/answers/", {"challenge_id": body["id"], "value": value}, format="json"
        )
        assert answer.status_code == 201 and answer.json() == {"result": "ok"}
        asked += 1
        assert asked <= 6
    participation = CampaignParticipation.objects.get(campaign=campaign)
    assert participation.status == "TO_SHARE"
    shared = api.post(f"/api/participations/{participation.pk}/share/")
    assert shared.status_code == 200
    result = api.get(f"/api/participations/{participation.pk}/result/").json()
    assert result["status"] == "SHARED" and result["mastery_rate"] == 1.0 and result["stage"]["reached"] == 3
    assert api.post(f"/api/participations/{participation.pk}/share/").json()["code"] == "ALREADY_SHARED"


def test_answering_another_question_than_the_current_one_is_a_409(api, school_a, content, reconciled):
    campaign = CampaignFactory(organization=school_a, type="ASSESSMENT", target_profile=content)
    from campaigns.models import CampaignSkill
    from crcn.models import Skill

    CampaignSkill.objects.bulk_create([CampaignSkill(campaign=campaign, skill=s) for s in Skill.objects.all()])
    api.force_authenticate(reconciled)
    assessment_id = api.post(f"/api/campaigns/by-code/{campaign.code}/participations/", {}, format="json").json()[
        "assessment_id"
    ]
    current = api.get(f"/api/assessments/{assessment_id}/next-challenge/").json()["id"]
    other = Challenge.objects.exclude(pk=current).first().pk
    response = api.post(
        f"/api/assessments/{assessment_id}/answers/", {"challenge_id": other, "value": "1"}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "CHALLENGE_NOT_ASKED"
    first = api.post(
        f"/api/assessments/{assessment_id}/answers/", {"challenge_id": current, "value": "#ABAND#"}, format="json"
    )
    assert first.json() == {"result": "skipped"}
    again = api.post(
        f"/api/assessments/{assessment_id}/answers/", {"challenge_id": current, "value": "2"}, format="json"
    )
    assert again.status_code == 409
    assert Answer.objects.filter(assessment_id=assessment_id).count() == 1
    assert KnowledgeElement.objects.filter(status="invalidated", source="direct").count() == 1


def test_someone_elses_assessment_and_participation_are_404(api, school_a, content, reconciled):
    campaign = CampaignFactory(organization=school_a, type="ASSESSMENT", target_profile=content)
    api.force_authenticate(reconciled)
    started = api.post(f"/api/campaigns/by-code/{campaign.code}/participations/", {}, format="json").json()
    api.force_authenticate(UserFactory())
    assert_cross_tenant_404(
        api,
        [
            ("get", f"/api/assessments/{started['assessment_id']}/next-challenge/"),
            ("post", f"/api/assessments/{started['assessment_id']}/answers/"),
            ("post", f"/api/participations/{started['participation_id']}/share/"),
            ("get", f"/api/participations/{started['participation_id']}/result/"),
        ],
    )


def test_an_assessment_id_past_the_largest_one_possible_is_a_404(api, reconciled):
    api.force_authenticate(reconciled)
    huge = 2**70
    assert api.get(f"/api/assessments/{huge}/next-challenge/").status_code == 404
    answer = api.post(f"/api/assessments/{huge}/answers/", {"challenge_id": "x", "value": "1"}, format="json")
    assert answer.status_code == 404


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        (lambda c, u: setattr(c, "archived_at", c.created_at) or c.save(), "CAMPAIGN_ARCHIVED"),
        (lambda c, u: c.organization.learners.filter(user=u).update(user=None), "NOT_RECONCILED"),
        (lambda c, u: setattr(c, "external_id_label", "N° de groupe") or c.save(), "MISSING_EXTERNAL_ID"),
        (lambda c, u: CampaignParticipation.objects.create(campaign=c, user=u), "ALREADY_PARTICIPATING"),
        (lambda c, u: c.organization.learners.filter(user=u).update(is_disabled=True), "LEARNER_DISABLED"),
    ],
    ids=["archived", "not-reconciled", "external-id", "already", "disabled-learner"],
)
def test_participation_rules(api, school_a, reconciled, setup, code):
    campaign = CampaignFactory(organization=school_a)
    setup(campaign, reconciled)
    api.force_authenticate(reconciled)
    response = api.post(f"/api/campaigns/by-code/{campaign.code}/participations/", {}, format="json")
    assert response.status_code in (400, 403, 409) and response.json()["code"] == code


def test_a_school_without_imported_students_gets_a_participant_record(api, school_b, student):
    school_b.is_managing_students = False
    school_b.save()
    campaign = CampaignFactory(organization=school_b)
    api.force_authenticate(student)
    assert api.post(f"/api/campaigns/by-code/{campaign.code}/participations/", {}, format="json").status_code == 201
    assert school_b.learners.get().user == student


def test_my_profile_lists_the_sixteen_competences_or_those_loaded(api, content, student):
    api.force_authenticate(student)
    body = api.get("/api/me/profile/").json()
    assert body["pix_score"] == 0 and body["certifiable"] is False
    assert body["competences"][0] == {
        "code": "1.1",
        "name": "Compétence 1.1",
        "level": 0,
        "pix": 0,
        "pix_before_next_level": 8,
    }


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_answers_to_the_same_question_make_one_answer(school_a, content, reconciled):
    from assessments.services import assessment_answer, assessment_next_challenge
    from campaigns.services.participations import participation_start
    from pixorga.errors import ApplicationError

    campaign = CampaignFactory(organization=school_a, type="ASSESSMENT", target_profile=content)
    from campaigns.models import CampaignSkill
    from crcn.models import Skill

    CampaignSkill.objects.bulk_create([CampaignSkill(campaign=campaign, skill=s) for s in Skill.objects.all()])
    participation = participation_start(campaign=campaign, user=reconciled)
    assessment = participation.assessments.get()
    current = assessment_next_challenge(assessment=assessment)
    outcomes, barrier = [], threading.Barrier(2)

    def submit():
        barrier.wait()
        try:
            assessment_answer(assessment_id=assessment.pk, user=reconciled, challenge_id=current.id, value="#ABAND#")
            outcomes.append("ok")
        except ApplicationError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["CHALLENGE_NOT_ASKED", "ok"]
    assert Answer.objects.filter(assessment=assessment).count() == 1


def test_queries_per_answer_do_not_grow_with_the_number_of_answers(
    api, school_a, content, reconciled, django_assert_max_num_queries
):
    campaign = CampaignFactory(organization=school_a, type="ASSESSMENT", target_profile=content)
    from campaigns.models import CampaignSkill
    from crcn.models import Skill

    CampaignSkill.objects.bulk_create([CampaignSkill(campaign=campaign, skill=s) for s in Skill.objects.all()])
    api.force_authenticate(reconciled)
    assessment_id = api.post(f"/api/campaigns/by-code/{campaign.code}/participations/", {}, format="json").json()[
        "assessment_id"
    ]
    for number in range(12):
        # assessment, answers + knowledge (one statement), then the challenge on first sight or, at the end, the
        # completion (assessment, participation); the targets (skills, challenges) once per worker, first question
        with django_assert_max_num_queries(4 if number else 5):
            current = api.get(f"/api/assessments/{assessment_id}/next-challenge/")
        if current.status_code == 204:
            break
        with django_assert_max_num_queries(5):  # lock, answers + knowledge, answer + elements (+ savepoint pair)
            api.post(
                f"/api/assessments/{assessment_id}/answers/",
                {"challenge_id": current.json()["id"], "value": "#ABAND#"},
                format="json",
            )
    assert Assessment.objects.get(pk=assessment_id).answers.count() >= 3
