"""A fixed-window counter in the cache, for HTML pages that DRF's throttles do not cover."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR only: behind a proxy, set it from the trusted header in the proxy, never from the client."""
    return request.META.get("REMOTE_ADDR", "unknown")


def limit_reached(key: str, *, limit: int) -> bool:
    """True when ``key`` already used its ``limit`` hits in the current window (counts nothing)."""
    return (cache.get(f"ratelimit:{key}") or 0) >= limit


def rate_limited(key: str, *, limit: int, seconds: int) -> bool:
    """Count one hit for ``key``; True once more than ``limit`` hits happened in the window."""
    cache_key = f"ratelimit:{key}"
    cache.add(cache_key, 0, seconds)
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, seconds)
        hits = 1
    return hits > limit
