"""Who is asking, and a fixed-window counter in the cache for what DRF's throttles do not cover.

Pages count their hits with ``rate_limited``; services that brake on failures (a candidate entering the
room, an invigilator's password, a pupil linking their account) check ``limit_reached`` first, count each
failure with ``hit`` and may ``limit_clear`` on success. The window opens with its first hit.

``client_address`` is the one rule for the client's address: page brakes, DRF throttles
(``pixorga.throttling``) and django-axes (``AXES_CLIENT_IP_CALLABLE``) all count per this address.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in trusted)


def _ip(value: str) -> str:
    """The address in its canonical form, or "" when ``value`` is not one."""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return ""


def _is_trusted_proxy(address: str, networks: tuple[Network, ...]) -> bool:
    return bool(address) and any(ipaddress.ip_address(address) in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The address a limit counts against: REMOTE_ADDR, unless that is a trusted proxy of the deployment.

    ``X-Forwarded-For`` is written by anyone, so it is read only when the request comes from one of
    ``settings.TRUSTED_PROXIES``; then each proxy appended the address it saw, and the client is the
    right-most address that is not itself a trusted proxy (what a client wrote on the left is ignored).
    A malformed entry there is never used as a key. "" when there is no address at all (django-axes
    stores it in an IP address column, where "" is NULL).
    """
    remote = _ip(request.META.get("REMOTE_ADDR", ""))
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not _is_trusted_proxy(remote, networks):
        return remote
    client = remote
    for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _ip(entry)
        if not address:
            break  # the nearest trusted proxy then: brakes too much rather than too little
        client = address
        if not _is_trusted_proxy(address, networks):
            break
    return client


def _cache_key(key: str) -> str:
    return f"ratelimit:{key}"


def limit_reached(key: str, *, limit: int) -> bool:
    """True when ``key`` already used its ``limit`` hits in the current window (counts nothing)."""
    return (cache.get(_cache_key(key)) or 0) >= limit


def hit(key: str, *, seconds: int) -> int:
    """Count one hit for ``key`` in its window of ``seconds``; the hits so far in that window."""
    cache_key = _cache_key(key)
    cache.add(cache_key, 0, seconds)
    try:
        return cache.incr(cache_key)
    except ValueError:  # the window ended between add and incr: this hit opens the next one
        cache.set(cache_key, 1, seconds)
        return 1


def rate_limited(key: str, *, limit: int, seconds: int) -> bool:
    """Count one hit for ``key``; True once more than ``limit`` hits happened in the window."""
    return hit(key, seconds=seconds) > limit


def limit_clear(key: str) -> None:
    """Forget ``key``'s hits: its next window starts afresh."""
    cache.delete(_cache_key(key))
