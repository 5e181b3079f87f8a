"""The campaign tabs teachers read: activity, results, analysis — with constant query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import CampaignParticipation
from tests.accounts.factories import UserFactory
from tests.campaigns.test_exports import SUMMER, campaign, parse, participant, sharing  # noqa: F401 - shared with exports
from tests.students.factories import CampaignFactory, OrganizationLearnerFactory

pytestmark = pytest.mark.django_db


def page(client, campaign, **params):
    url = reverse("campaigns:orga_detail", kwargs={"org_id": campaign.organization_id, "campaign_id": campaign.pk})
    return client.get(url, params)


def test_activity_counts_statuses_draws_the_days_and_filters(client, member_a, campaign):
    participant(campaign, first="Léa", last="Martin", shared=True, validated=3)
    participant(campaign, first="Noé", last="Dupré", shared=False)
    client.force_login(member_a)
    body = page(client, campaign).content.decode()
    assert 'data-testid="count-total">2<' in body and 'data-testid="count-SHARED">1<' in body
    assert 'data-testid="activity-chart"' in body and timezone.localdate().strftime("%d/%m") in body
    filtered = page(client, campaign, statut="STARTED").content.decode()
    rows = filtered.split('data-testid="participant-row"')[1:]
    assert len(rows) == 1 and "Dupré" in rows[0]
    searched = page(client, campaign, recherche="martin").content.decode().split('data-testid="participant-row"')[1:]
    assert len(searched) == 1 and "Martin" in searched[0]


def test_results_show_mastery_stage_and_sendings(client, member_a, campaign):
    participant(campaign, first="Léa", last="Martin", shared=True, validated=3)
    client.force_login(member_a)
    body = page(client, campaign, onglet="resultats").content.decode()
    assert "75 %" in body and "P" in body and 'data-testid="result-row"' in body


def test_analysis_shows_collective_results_and_recommendations(client, member_a, campaign):
    participant(campaign, first="Léa", last="Martin", shared=True, validated=1)
    client.force_login(member_a)
    body = page(client, campaign, onglet="analyse").content.decode()
    assert 'data-testid="competence-chart"' in body and "Sujet 0" in body
    assert "Fortement recommandé" in body or "Très recommandé" in body


@pytest.mark.parametrize("tab", ["activite", "resultats", "analyse"])
def test_query_counts_do_not_grow_with_participants(client, member_a, campaign, tab, django_assert_max_num_queries):
    for index in range(3):
        participant(campaign, first=f"P{index}", last=f"N{index}", shared=True, validated=index)
    client.force_login(member_a)
    with django_assert_max_num_queries(30) as small:
        page(client, campaign, onglet=tab)
    for index in range(3, 15):
        participant(campaign, first=f"P{index}", last=f"N{index}", shared=index % 2 == 0, validated=2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page(client, campaign, onglet=tab)


def test_the_analysis_api_has_the_contract_shape_and_stays_in_its_school(member_a, admin_b, campaign):
    from rest_framework.test import APIClient

    from tests.tenancy import assert_cross_tenant_404

    participant(campaign, first="Léa", last="Martin", shared=True, validated=2)
    api = APIClient()
    api.force_authenticate(member_a)
    body = api.get(f"/api/campaigns/{campaign.pk}/analysis/").json()
    assert body["competences"] == [
        {"code": "1.1", "name": "Compétence 1.1", "average_validated_skills": 2.0, "total_skills_count": 4}
    ]
    [tube] = body["tubes"]
    assert set(tube) == {"tube_id", "title", "competence_code", "average_score", "bubbles", "tutorials"}
    # reached 2/4 → 20, difficulty 30 × 4/4 = 30, progress 20 × 2/4 = 10, next 10 × 2/3
    assert tube["average_score"] == round(20 + 30 + 10 + 20 / 3, 2) and tube["bubbles"] == 2
    participants = api.get(f"/api/campaigns/{campaign.pk}/participants/").json()["results"]
    assert participants[0]["mastery_rate"] == 0.5 and "certifiable" in participants[0]
    api.force_authenticate(admin_b)
    assert_cross_tenant_404(api, [("get", f"/api/campaigns/{campaign.pk}/analysis/")])


def test_a_participants_page_details_competences_and_tubes_in_its_school_only(client, member_a, admin_b, campaign):
    participation = participant(campaign, first="Léa", last="Martin", shared=True, validated=3)
    kwargs = {"org_id": campaign.organization_id, "campaign_id": campaign.pk, "participation_id": participation.pk}
    url = reverse("campaigns:orga_participant", kwargs=kwargs)
    client.force_login(member_a)
    body = client.get(url).content.decode()
    assert "Léa Martin" in body and "Sujet 0 : 3 acquis sur 4" in body and "75 %" in body
    client.force_login(admin_b)
    assert client.get(url).status_code == 404


def test_results_are_filtered_by_stage(client, member_a, campaign):
    participant(campaign, first="Léa", last="Martin", shared=True, validated=4)  # 100 % → last stage (80 %)
    participant(campaign, first="Zoé", last="Simon", shared=True, validated=1)  # 25 % → first stage
    last_stage = campaign.target_profile.stages.order_by("threshold").last()
    client.force_login(member_a)
    body = page(client, campaign, onglet="resultats", palier=last_stage.pk).content.decode()
    rows = body.split('data-testid="result-row"')[1:]
    assert len(rows) == 1 and "Martin" in rows[0]


def test_the_analysis_reads_knowledge_as_it_was_when_shared(campaign):
    """PostgreSQL groups the sharers by situation; the result is the pure rule applied to each sharer."""
    from datetime import timedelta

    from campaigns.analysis import analyse
    from campaigns.dashboards import campaign_analysis
    from campaigns.knowledge import knowledge_at_share
    from campaigns.models import CampaignParticipation, CampaignSkill
    from crcn.models import Skill

    CampaignSkill.objects.bulk_create(
        [CampaignSkill(campaign=campaign, skill=s) for s in Skill.objects.filter(tube_id="@sujet11x1", level__lte=2)]
    )
    before, after = SUMMER - timedelta(days=2), SUMMER + timedelta(days=1)
    situations = [
        ("2NDE 1", [("@sujet11x01", "validated"), ("@sujet11x02", "validated"), ("@sujet11x11", "validated")]),
        ("2NDE 1", [("@sujet11x01", "validated"), ("@sujet11x12", "invalidated")]),
        ("2NDE 2", [("@sujet11x01", "validated"), ("@sujet11x01", "reset"), ("@sujet11x03", "validated")]),
        ("2NDE 2", []),
    ]
    for number, (division, elements) in enumerate(situations):
        knowledge = [(skill, state, 2, before + timedelta(minutes=i)) for i, (skill, state) in enumerate(elements)]
        knowledge.append(("@sujet11x04", "validated", 2, after))  # learnt after sharing: not counted
        sharing(campaign, last=f"N{number}", first="P", status="SHARED", division=division, knowledge=knowledge)
    sharing(campaign, last="Encours", first="P", status="STARTED", knowledge=[("@sujet11x01", "validated", 2, before)])
    skills = list(
        Skill.objects.filter(campaign_links__campaign=campaign).values_list(
            "name", "tube_id", "level", "tube__competence_id"
        )
    )
    for divisions in (None, ["2NDE 1"], ["2NDE 2"]):
        sharers = CampaignParticipation.objects.filter(campaign=campaign, status="SHARED")
        if divisions:
            sharers = sharers.filter(organization_learner__division__in=divisions)
        known = knowledge_at_share(list(sharers), [s[0] for s in skills])
        validated = {pk: {k for k, (state, _) in v.items() if state == "validated"} for pk, v in known.items()}
        tube_scores, averages = analyse(skills=skills, validated_by_participant=validated)
        analysis = campaign_analysis(campaign, divisions=divisions)
        assert analysis.participants == len(validated)
        assert {t.tube_id: t.average_score for t in analysis.tubes} == pytest.approx(tube_scores)
        assert {c.code: c.average_validated_skills for c in analysis.competences} == pytest.approx(averages)


def test_the_results_tab_numbers_the_stage_as_the_export_does(client, member_a, campaign):
    """« Palier obtenu (/2) » = 1 in the file reads « 1 / 2 » on screen: the zero stage is not counted."""
    for stage, title in zip(
        campaign.target_profile.stages.order_by("threshold"), ["Départ", "En route", "Expert"], strict=True
    ):
        stage.prescriber_title = title
        stage.save()
    participant(campaign, first="Léa", last="Martin", shared=True, validated=3)  # 75 % → stages 0 % and 40 %
    participant(campaign, first="Zoé", last="Simon", shared=True, validated=1)  # 25 % → the zero stage only
    header, martin, simon = parse(campaign)
    column = header.index("Palier obtenu (/2)")
    assert (martin[column], simon[column]) == ("1", "0")
    client.force_login(member_a)
    body = page(client, campaign, onglet="resultats").content.decode()
    martin_row, simon_row = body.split('data-testid="result-row"')[1:]  # by last name
    assert 'data-testid="stage">1 / 2 — En route<' in martin_row
    assert 'data-testid="stage">0 / 2 — Départ<' in simon_row


def sendings(campaign, *, last, pix_scores):
    """One learner's successive sendings of a profile collection, the last one current (reference §5.1)."""
    user = UserFactory(first_name="P", last_name=last)
    learner = OrganizationLearnerFactory(organization=campaign.organization, user=user, last_name=last, first_name="P")
    for number, pix in enumerate(pix_scores):
        CampaignParticipation.objects.create(
            campaign=campaign,
            user=user,
            organization_learner=learner,
            status="SHARED",
            shared_at=SUMMER + timedelta(days=number),
            pix_score=pix,
            is_improved=number < len(pix_scores) - 1,
        )


@pytest.fixture
def collection(school_a):
    return CampaignFactory(organization=school_a, type="PROFILES_COLLECTION")


def test_a_profile_collection_shows_the_evolution_of_the_pix_score_since_the_previous_sending(
    client, member_a, collection
):
    sendings(collection, last="Arnaud", pix_scores=[40, 24, 56])  # compared with the sending just before
    sendings(collection, last="Bernard", pix_scores=[56, 24])
    sendings(collection, last="Colin", pix_scores=[24, 24])
    sendings(collection, last="Durand", pix_scores=[24])
    client.force_login(member_a)
    body = page(client, collection, onglet="resultats").content.decode()
    rows = body.split('data-testid="result-row"')[1:]
    evolutions = [row.split('data-testid="evolution">')[1].split("<")[0] for row in rows]
    assert evolutions == ["↗ en progrès", "↘ en baisse", "→ stable", "—"]


def test_profile_collection_results_keep_their_query_count(client, member_a, collection, django_assert_max_num_queries):
    for index in range(3):
        sendings(collection, last=f"N{index}", pix_scores=[8, 16])
    client.force_login(member_a)
    with django_assert_max_num_queries(30) as small:
        page(client, collection, onglet="resultats")
    for index in range(3, 15):
        sendings(collection, last=f"N{index}", pix_scores=[8, 16, 8][: 1 + index % 3])
    with django_assert_max_num_queries(len(small.captured_queries)):
        page(client, collection, onglet="resultats")
