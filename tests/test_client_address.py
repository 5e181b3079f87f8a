"""One rule for the client's address: REMOTE_ADDR, unless it is a trusted proxy of the deployment.

Page brakes, DRF throttles and django-axes all count per address: a client that writes its own
``X-Forwarded-For`` must not get a fresh budget with each made-up address.
"""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from campaigns import learner_views as campaign_views
from certification import learner_views
from pixorga.env import env_networks
from pixorga.ratelimit import client_address

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"


def request_from(remote_addr: str, forwarded_for: str | None = None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **extra)


@pytest.fixture
def low_api_rates(monkeypatch):
    rates = {**ScopedRateThrottle.THROTTLE_RATES, "public": "3/min", "verification": "3/min"}
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)


@pytest.fixture
def low_page_limits(monkeypatch):
    monkeypatch.setattr(campaign_views, "UNKNOWN_CODES_PER_WINDOW", 3)
    monkeypatch.setattr(learner_views, "VERIFICATIONS_PER_WINDOW", 3)


def spoofing(number: int) -> dict:
    """A client that claims another address with every request."""
    return {"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": f"198.51.100.{number}"}


def through_proxy(client_ip: str) -> dict:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_ip}


# --- the rule ---------------------------------------------------------------------------------------


def test_by_default_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(request_from("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_behind_a_trusted_proxy_the_client_is_the_address_the_proxy_saw(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    assert client_address(request_from(PROXY, "198.51.100.1")) == "198.51.100.1"


def test_addresses_a_client_wrote_itself_before_the_proxy_are_not_believed(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    # The client sent "X-Forwarded-For: 1.2.3.4"; the proxies appended what they saw.
    assert client_address(request_from(PROXY, "1.2.3.4, 198.51.100.1, 10.1.2.3")) == "198.51.100.1"


def test_a_request_from_an_untrusted_address_keeps_that_address(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    assert client_address(request_from("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_a_proxy_without_a_forwarded_header_is_the_client(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    assert client_address(request_from(PROXY)) == PROXY


def test_a_malformed_forwarded_address_is_never_used_as_the_key(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    assert client_address(request_from(PROXY, "n'importe quoi")) == PROXY


def test_trusted_proxies_come_from_a_comma_separated_variable(monkeypatch):
    monkeypatch.setenv("PIXORGA_TRUSTED_PROXIES", "10.0.0.5, 172.16.0.0/12,::1")
    assert env_networks("PIXORGA_TRUSTED_PROXIES") == ["10.0.0.5/32", "172.16.0.0/12", "::1/128"]
    monkeypatch.setenv("PIXORGA_TRUSTED_PROXIES", "10.0.0.5,proxy.lycee.fr")
    with pytest.raises(ImproperlyConfigured):
        env_networks("PIXORGA_TRUSTED_PROXIES")
    monkeypatch.delenv("PIXORGA_TRUSTED_PROXIES")
    assert env_networks("PIXORGA_TRUSTED_PROXIES") == []


# --- API throttles ----------------------------------------------------------------------------------


def test_a_spoofed_forwarded_header_does_not_escape_the_code_lookup_throttle(low_api_rates):
    api = APIClient()
    statuses = [api.get("/api/campaigns/by-code/ZZZZZZ999/", **spoofing(n)).status_code for n in range(4)]
    assert statuses == [404, 404, 404, 429]


def test_a_spoofed_forwarded_header_does_not_escape_the_verification_throttle(low_api_rates):
    api = APIClient()
    statuses = [api.get("/api/certificates/verify/P-BCDFGHJK/", **spoofing(n)).status_code for n in range(4)]
    assert statuses == [404, 404, 404, 429]


def test_behind_the_trusted_proxy_each_client_has_its_own_api_budget(low_api_rates, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    api = APIClient()
    for _ in range(3):
        assert api.get("/api/certificates/verify/P-BCDFGHJK/", **through_proxy("198.51.100.1")).status_code == 404
    assert api.get("/api/certificates/verify/P-BCDFGHJK/", **through_proxy("198.51.100.1")).status_code == 429
    assert api.get("/api/certificates/verify/P-BCDFGHJK/", **through_proxy("198.51.100.2")).status_code == 404


# --- page brakes ------------------------------------------------------------------------------------


def test_a_spoofed_forwarded_header_does_not_escape_the_page_brakes(client, low_page_limits):
    for n in range(3):
        assert client.post("/campagnes/", {"code": "ZZZZZZ999"}, **spoofing(n)).status_code == 400
        page = client.get("/verifier-une-certification/", {"verification_code": "P-BCDFGHJK"}, **spoofing(n))
        assert page.status_code == 404
    assert client.post("/campagnes/", {"code": "ZZZZZZ999"}, **spoofing(9)).status_code == 429
    assert (
        client.get("/verifier-une-certification/", {"verification_code": "P-BCDFGHJK"}, **spoofing(9)).status_code
        == 429
    )


def test_behind_the_trusted_proxy_each_client_has_its_own_page_budget(client, low_page_limits, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    for _ in range(3):
        client.post("/campagnes/", {"code": "ZZZZZZ999"}, **through_proxy("198.51.100.1"))
        client.get("/verifier-une-certification/", {"verification_code": "P-BCDFGHJK"}, **through_proxy("198.51.100.1"))
    assert client.post("/campagnes/", {"code": "ZZZZZZ999"}, **through_proxy("198.51.100.1")).status_code == 429
    assert client.post("/campagnes/", {"code": "ZZZZZZ999"}, **through_proxy("198.51.100.2")).status_code == 400
    page = "/verifier-une-certification/"
    assert client.get(page, {"verification_code": "P-BCDFGHJK"}, **through_proxy("198.51.100.1")).status_code == 429
    assert client.get(page, {"verification_code": "P-BCDFGHJK"}, **through_proxy("198.51.100.2")).status_code == 404


# --- login lockout (django-axes) --------------------------------------------------------------------


def test_a_spoofed_forwarded_header_does_not_escape_the_login_lockout(client, admin_a, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for n in range(2):
        refused = client.post("/connexion/", {"username": admin_a.email, "password": "faux"}, **spoofing(n))
        assert refused.status_code == 200
    assert client.post("/connexion/", {"username": admin_a.email, "password": "faux"}, **spoofing(7)).status_code == 429


def test_behind_the_trusted_proxy_the_lockout_is_per_client(client, admin_a, settings, password):
    settings.AXES_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXIES = [PROXY]
    for _ in range(3):
        client.post("/connexion/", {"username": admin_a.email, "password": "faux"}, **through_proxy("198.51.100.1"))
    locked = client.post(
        "/connexion/", {"username": admin_a.email, "password": password}, **through_proxy("198.51.100.1")
    )
    assert locked.status_code == 429
    other = client.post(
        "/connexion/", {"username": admin_a.email, "password": password}, **through_proxy("198.51.100.2")
    )
    assert other.status_code == 302
