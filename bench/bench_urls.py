from django.http import JsonResponse
from django.urls import path

from pixorga.urls import urlpatterns as product_urls


def bare(request):
    """The baseline: a JSON answer through the same Django, middleware and gunicorn, with no work at all."""
    return JsonResponse({"status": "ok"})


urlpatterns = [path("bench/bare/", bare), *product_urls]
