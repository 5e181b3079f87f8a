"""Requests refused before any view: a NUL character in a page's address.

PostgreSQL refuses NUL in any text, so a filter like ``?nom=%00`` read straight into a query would be a 500.
Forms already refuse it (Django's ``ProhibitNullCharactersValidator``); the API's views refuse it one by
one, with the statuses their schema declares. This closes the same hole for every HTML page at once.
"""

from __future__ import annotations

from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse
from django.views import defaults


class RefuseNullCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/") and _has_null(request):
            return defaults.bad_request(request, ValueError("NUL character in the address"))
        return self.get_response(request)


def _has_null(request: HttpRequest) -> bool:
    return "\x00" in request.path or "\x00" in unquote(request.META.get("QUERY_STRING", ""))
