from unittest import mock

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from rest_framework.test import APIClient

from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def token_for(api, login, password):
    response = api.post("/api/auth/token/", {"login": login, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def test_a_token_authenticates_api_calls(api, admin_a, school_a, password):
    token = token_for(api, "anne.directrice@ac-lyon.fr", password)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/me/").json()
    assert me == {
        "id": admin_a.pk,
        "first_name": "Anne",
        "last_name": "Directrice",
        "email": "anne.directrice@ac-lyon.fr",
        "username": None,
        "memberships": [{"organization_id": school_a.pk, "organization_name": "Lycée Victor Hugo", "role": "ADMIN"}],
        "certification_centers": [],
    }


def test_an_unknown_token_is_refused_in_french(api, student, password):
    token_for(api, "lea.martin1403", password)  # a real token exists, but not this one
    api.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    response = api.get("/api/me/")
    assert response.status_code in (401, 403)
    assert response.json() == {
        "code": "NOT_AUTHENTICATED",
        "detail": "Vous devez être connecté pour faire cette action.",
    }


def test_the_token_of_a_deactivated_account_is_refused(api, admin_a, password):
    token = token_for(api, "anne.directrice@ac-lyon.fr", password)
    admin_a.is_active = False
    admin_a.save(update_fields=["is_active"])
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api.get("/api/me/")
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "NOT_AUTHENTICATED"


def test_students_get_a_token_with_their_username(api, student, password):
    assert token_for(api, "lea.martin1403", password)


def test_wrong_credentials_are_a_400_with_a_code(api, admin_a):
    response = api.post("/api/auth/token/", {"login": admin_a.email, "password": "faux"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_CREDENTIALS"
    assert "incorrect" in response.json()["detail"]


def test_repeated_login_failures_are_throttled(api, admin_a):
    statuses = [
        api.post("/api/auth/token/", {"login": admin_a.email, "password": "faux"}, format="json").status_code
        for _ in range(12)
    ]
    assert statuses[0] == 400 and statuses[-1] == 429


def test_an_unknown_login_is_refused_like_a_wrong_password(api, admin_a):
    wrong_password = api.post("/api/auth/token/", {"login": admin_a.email, "password": "faux"}, format="json")
    for login in ("personne@ac-lyon.fr", "personne.inconnue0101"):
        unknown = api.post("/api/auth/token/", {"login": login, "password": "faux"}, format="json")
        assert unknown.status_code == wrong_password.status_code == 400
        assert unknown.json() == wrong_password.json()


def test_an_unknown_login_costs_a_password_hash_on_the_api_too(api):
    hashing = mock.patch.object(Argon2PasswordHasher, "encode", autospec=True, side_effect=Argon2PasswordHasher.encode)
    with hashing as spy:
        api.post("/api/auth/token/", {"login": "personne@ac-lyon.fr", "password": "faux"}, format="json")
    assert spy.call_count == 1


def test_repeated_unknown_logins_are_braked_by_axes(api, settings):
    settings.AXES_FAILURE_LIMIT = 3  # below the DRF login rate, so the 429 can only come from the lockout
    statuses = [
        api.post("/api/auth/token/", {"login": "personne@ac-lyon.fr", "password": "faux"}, format="json").status_code
        for _ in range(3)
    ]
    assert statuses == [400, 400, 429]  # the try that reaches the limit is already refused, as on the page


def test_me_requires_authentication(api):
    response = api.get("/api/me/")
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "NOT_AUTHENTICATED"


def test_organization_routes_of_another_school_are_404(api, admin_b, school_a, admin_a):
    api.force_authenticate(admin_b)
    assert_cross_tenant_404(
        api, [("get", f"/api/organizations/{school_a.pk}/"), ("get", f"/api/organizations/{school_a.pk}/members/")]
    )
    assert api.get(f"/api/organizations/{school_a.pk}/").json()["code"] == "NOT_FOUND"


def test_members_list_of_own_school(api, member_a, admin_a, school_a):
    api.force_authenticate(member_a)
    rows = api.get(f"/api/organizations/{school_a.pk}/members/").json()
    assert {row["email"] for row in rows} == {"anne.directrice@ac-lyon.fr", "marc.professeur@ac-lyon.fr"}


def test_organization_routes_refuse_wrong_methods(api, member_a, school_a):
    api.force_authenticate(member_a)
    response = api.delete(f"/api/organizations/{school_a.pk}/")
    assert response.status_code == 405 and response.json()["code"] == "METHOD_NOT_ALLOWED"


def test_health_reports_database_and_broker(api):
    response = api.get("/api/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_learner_signup_api_generates_a_username(api):
    response = api.post(
        "/api/users/",
        {"first_name": "Éloïse", "last_name": "Da Silva", "birthdate": "2012-09-30", "password": "Cartable2026"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["username"] == "eloise.dasilva3009"


def test_signup_api_errors_have_the_contract_shape(api):
    response = api.post("/api/users/", {"first_name": "A"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_INPUT" and "last_name" in response.json()["errors"]


def test_openapi_schema_and_docs_are_served(api):
    assert api.get("/api/schema/").status_code == 200
    assert api.get("/api/docs/").status_code == 200
