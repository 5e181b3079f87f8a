"""DRF throttles that count per ``pixorga.ratelimit.client_address``, the same rule as the page brakes.

DRF's own ``get_ident`` believes ``X-Forwarded-For`` when ``NUM_PROXIES`` is unset: a client writing a
new address in that header would get a fresh budget each time.
"""

from __future__ import annotations

from rest_framework import throttling

from pixorga.ratelimit import client_address


class ClientAddressMixin:
    def get_ident(self, request) -> str:
        return client_address(request)


class ScopedRateThrottle(ClientAddressMixin, throttling.ScopedRateThrottle):
    """Per view ``throttle_scope``, per client address (or per user once authenticated, as DRF does)."""
