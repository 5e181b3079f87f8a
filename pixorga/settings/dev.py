"""Local development (`make run`): debug pages, e-mails printed in the console."""

from pixorga.settings.base import *  # noqa: F403
from pixorga.settings.base import STORAGES

DEBUG = True
DEMO = True
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
