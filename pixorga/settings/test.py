"""Tests: same behaviour as production, only faster or observable (e-mails written to files)."""

import os
import tempfile

from pixorga.settings.base import *  # noqa: F403
from pixorga.settings.base import STORAGES

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
# The Celery worker runs in another process: e-mails go to files both processes can read.
EMAIL_FILE_PATH = os.environ.setdefault("PIXORGA_TEST_MAIL_DIR", tempfile.mkdtemp(prefix="pixorga-mails-"))
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
SITE_URL = "http://testserver"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
