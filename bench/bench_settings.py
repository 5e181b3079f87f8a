"""Settings of the throughput bench: production behaviour (DEBUG off) plus one bare JSON view to compare with."""

from pixorga.settings.base import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.bench_urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {
        "login": "100000/min",
        "public": "100000/min",
        "verification": "100000/min",
        "livret": "100000/min",
    },
}
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
