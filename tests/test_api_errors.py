"""Every API error has the {code, detail} shape, even for a URL under /api/ that names nothing."""

import pytest
from rest_framework.test import APIClient

from pixorga.errors import NOT_FOUND

pytestmark = pytest.mark.django_db


def test_an_api_url_that_names_nothing_is_the_apis_json_404():
    response = APIClient().get("/api/sessions/pas-un-numero/invigilation/candidates/")
    assert response.status_code == 404
    assert response.json() == {"code": "NOT_FOUND", "detail": NOT_FOUND}


def test_a_page_url_that_names_nothing_is_still_the_french_page(client):
    response = client.get("/page-qui-n-existe-pas/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
