"""Campaign API inputs the fuzzer found answering 500: each is now a French 400 or a 404."""

import pytest
from rest_framework.test import APIClient

from tests.students.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_a_code_with_a_character_a_code_never_has_names_no_campaign(api, school_a, student):
    """PostgreSQL refuses NUL in a text: the lookup must not send it (it was a 500)."""
    campaign = CampaignFactory(organization=school_a)
    assert api.get(f"/api/campaigns/by-code/{campaign.code}%00/").json()["code"] == "NOT_FOUND"
    api.force_authenticate(student)
    assert api.post(f"/api/campaigns/by-code/{campaign.code}%00/participations/").status_code == 404
    body = {"first_name": "Léa", "last_name": "Martin", "birthdate": "2008-03-14"}
    response = api.post(f"/api/campaigns/by-code/{campaign.code}%00/reconciliation/", body, format="json")
    assert response.status_code == 404


def test_list_filters_with_a_nul_character_are_a_400_naming_the_filter(api, school_a, member_a):
    campaign = CampaignFactory(organization=school_a)
    api.force_authenticate(member_a)
    for url, name in [
        (f"/api/organizations/{school_a.pk}/campaigns/", "name"),
        (f"/api/organizations/{school_a.pk}/campaigns/", "owner"),
        (f"/api/campaigns/{campaign.pk}/participants/", "division"),
        (f"/api/campaigns/{campaign.pk}/participants/", "search"),
        (f"/api/campaigns/{campaign.pk}/analysis/", "division"),
    ]:
        response = api.get(url, {name: "2nde\x00"})
        assert response.status_code == 400, url
        assert response.json()["code"] == "INVALID_INPUT" and name in response.json()["errors"]


def test_unknown_list_statuses_are_a_400_and_the_known_ones_still_filter(api, school_a, member_a):
    campaign = CampaignFactory(organization=school_a)
    api.force_authenticate(member_a)
    assert api.get(f"/api/organizations/{school_a.pk}/campaigns/", {"status": "tout"}).status_code == 400
    assert api.get(f"/api/organizations/{school_a.pk}/campaigns/", {"status": "archived"}).json()["count"] == 0
    assert api.get(f"/api/organizations/{school_a.pk}/campaigns/").json()["count"] == 1
    assert api.get(f"/api/campaigns/{campaign.pk}/participants/", {"status": "FINI"}).status_code == 400
    assert api.get(f"/api/campaigns/{campaign.pk}/participants/", {"status": "SHARED"}).json()["count"] == 0


def test_starting_a_participation_with_a_body_that_is_not_an_object_is_a_400(api, school_a, student):
    """A JSON list or number as the body was a 500 (``request.data.get``)."""
    campaign = CampaignFactory(organization=school_a)
    api.force_authenticate(student)
    for body in ([None, None], 0, "AAA"):
        response = api.post(f"/api/campaigns/by-code/{campaign.code}/participations/", body, format="json")
        assert response.status_code == 400 and response.json()["code"] == "INVALID_INPUT"
    response = api.post(
        f"/api/campaigns/by-code/{campaign.code}/participations/", {"participant_external_id": ["a"]}, format="json"
    )
    assert response.status_code == 400 and "participant_external_id" in response.json()["errors"]
