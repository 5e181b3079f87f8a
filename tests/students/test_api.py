"""Students API (API.md §Students, learner journey reconciliation), with cross-school checks."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from students.models import LearnerImport
from tests.students.factories import CampaignFactory, OrganizationLearnerFactory
from tests.students.files import xml_file
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_members_cannot_import_and_other_schools_get_404(api, member_a, admin_b, school_a):
    api.force_authenticate(member_a)
    response = api.post(f"/api/organizations/{school_a.pk}/imports/", {"file": SimpleUploadedFile("e.xml", xml_file())})
    assert response.status_code == 403 and response.json()["code"] == "FORBIDDEN"
    api.force_authenticate(admin_b)
    response = api.post(f"/api/organizations/{school_a.pk}/imports/", {"file": SimpleUploadedFile("e.xml", xml_file())})
    assert response.status_code == 404
    assert not LearnerImport.objects.exists()


def test_an_import_is_accepted_and_its_status_readable_by_its_school_only(api, admin_a, admin_b, school_a):
    api.force_authenticate(admin_a)
    response = api.post(
        f"/api/organizations/{school_a.pk}/imports/",
        {"file": SimpleUploadedFile("e.xml", xml_file()), "format": "siecle-xml"},
    )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "UPLOADED"
    status = api.get(f"/api/imports/{body['id']}/").json()
    assert set(status) == {"id", "status", "progress", "errors", "summary"}
    assert status["summary"] == {"created": 0, "updated": 0, "disabled": 0}
    api.force_authenticate(admin_b)
    assert_cross_tenant_404(api, [("get", f"/api/imports/{body['id']}/")])


def test_bad_uploads_are_4xx_with_a_code(api, admin_a, school_a):
    api.force_authenticate(admin_a)
    response = api.post(f"/api/organizations/{school_a.pk}/imports/", {"file": SimpleUploadedFile("e.doc", b"x")})
    assert response.status_code == 400 and response.json()["code"] == "INVALID_FILE_EXTENSION"
    response = api.post(f"/api/organizations/{school_a.pk}/imports/", {})
    assert response.status_code == 400 and response.json()["code"] == "INVALID_INPUT"


def test_learners_are_listed_paginated_and_filtered(api, member_a, school_a):
    OrganizationLearnerFactory.create_batch(3, organization=school_a, division="2NDE 1")
    OrganizationLearnerFactory(organization=school_a, division="2NDE 2", last_name="Lefèvre")
    OrganizationLearnerFactory(organization=school_a, division="2NDE 2", is_disabled=True)
    api.force_authenticate(member_a)
    body = api.get(f"/api/organizations/{school_a.pk}/learners/", {"division": "2NDE 2"}).json()
    assert body["count"] == 1 and body["results"][0]["last_name"] == "Lefèvre"
    assert set(body["results"][0]) >= {
        "id",
        "national_student_id",
        "first_name",
        "last_name",
        "birthdate",
        "division",
        "is_disabled",
    }
    assert api.get(f"/api/organizations/{school_a.pk}/learners/", {"include_disabled": "true"}).json()["count"] == 5
    assert api.get(f"/api/organizations/{school_a.pk}/learners/", {"search": "lefevre"}).json()["count"] == 1


def test_learners_of_another_school_are_404(api, admin_b, school_a):
    api.force_authenticate(admin_b)
    assert_cross_tenant_404(api, [("get", f"/api/organizations/{school_a.pk}/learners/")])


def test_campaign_by_code_is_public_and_reconciliation_links_the_account(api, school_a, student):
    campaign = CampaignFactory(organization=school_a, title="Parcours de rentrée")
    learner = OrganizationLearnerFactory(
        organization=school_a, first_name="Léa", last_name="Martin", birthdate=datetime.date(2010, 3, 14)
    )
    body = api.get(f"/api/campaigns/by-code/{campaign.code.lower()}/").json()
    assert body["requires_reconciliation"] is True and body["organization_name"] == "Lycée Victor Hugo"
    assert api.get("/api/campaigns/by-code/ZZZZZZ999/").status_code == 404
    api.force_authenticate(student)
    response = api.post(
        f"/api/campaigns/by-code/{campaign.code}/reconciliation/",
        {"first_name": "lea", "last_name": "MARTIN", "birthdate": "2010-03-14"},
        format="json",
    )
    assert response.status_code == 200 and response.json() == {"learner_id": learner.pk}
    wrong = api.post(
        f"/api/campaigns/by-code/{campaign.code}/reconciliation/",
        {"first_name": "Lea", "last_name": "Martin", "birthdate": "2011-03-14"},
        format="json",
    )
    assert wrong.status_code == 404 and wrong.json()["code"] == "NOT_FOUND"


def test_learner_filters_with_a_nul_character_are_a_400_naming_the_filter(api, admin_a, school_a):
    """PostgreSQL refuses NUL in a text: the filter is refused before the query (it was a 500)."""
    api.force_authenticate(admin_a)
    for name in ("search", "division"):
        response = api.get(f"/api/organizations/{school_a.pk}/learners/", {name: "Martin\x00"})
        assert response.status_code == 400 and name in response.json()["errors"]
    response = api.get(f"/api/organizations/{school_a.pk}/learners/", {"include_disabled": "peut-être"})
    assert response.status_code == 400 and "include_disabled" in response.json()["errors"]
