"""Settings shared by every environment; values that differ come from the environment (pixorga.env)."""

from pathlib import Path

from csp.constants import NONCE, SELF

from pixorga import embedded
from pixorga.env import (
    check_redis_url,
    database_config_from_url,
    env_bool,
    env_int,
    env_list,
    env_networks,
    env_str,
    redis_url_with_db,
    served_address,
    site_url_for_address,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-not-secret-5f1c0a3e9b7d4e2a8c6f")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
# Links in e-mails and printed sheets: SITE_URL behind a proxy (https://pix.lycee.fr), else where `make run`
# serves the site (PIXORGA_ADDRESS).
SITE_URL = (env_str("SITE_URL", "") or site_url_for_address(*served_address())).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "accounts",
    "crcn",
    "students",
    "assessments",
    "campaigns",
    "certification",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "pixorga.middleware.RefuseNullCharactersMiddleware",  # after auth: the 400 page shows the top bar
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.ForcePasswordChangeMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pixorga.urls"
WSGI_APPLICATION = "pixorga.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "accounts.context_processors.organization_navigation",
                "certification.context_processors.certif_navigation",
            ],
        },
    },
]

DATABASES = {"default": database_config_from_url(embedded.settings_database_url())}
# Keep each worker's connection open between requests (a new PostgreSQL connection costs more than the
# whole answer of a learner); checked before reuse so a restarted server is not an error.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The web server's threads share one bounded pool per worker process (psycopg 3), sized by the gunicorn
# configuration (pixorga/gunicorn_conf.py) so that workers × pool stays below PostgreSQL's max_connections:
# under load, requests wait for a connection instead of opening one each ("too many clients").
DATABASE_POOL_MAX_SIZE = env_int("DATABASE_POOL_MAX_SIZE", 0)
if DATABASE_POOL_MAX_SIZE > 0:
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": min(2, DATABASE_POOL_MAX_SIZE),
        "max_size": DATABASE_POOL_MAX_SIZE,
        "timeout": env_int("DATABASE_POOL_TIMEOUT", 20),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # pooled connections are returned, not kept by the thread
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = check_redis_url(embedded.settings_redis_url())
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_url_with_db(REDIS_URL, env_int("REDIS_CACHE_DB", 1)),
        "KEY_PREFIX": "pixorga",
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.EmailOrUsernameBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.validators.PixPasswordPolicyValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static", ("contenu", BASE_DIR / "crcn" / "content" / "files")]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
MAX_UPLOAD_SIZE = 20 * 1024 * 1024

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Pix Orga <ne-pas-repondre@pix-orga.local>")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from a <meta> tag, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": ["'none'"],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": ["'none'"],
    }
}

# Login throttling (django-axes): 10 failures for one login from one address → 15 minutes' wait.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_CALLABLE = "accounts.views.login_locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "pixorga.ratelimit.client_address"

# Reverse proxies of this deployment (addresses or CIDR networks, comma-separated): only a request coming
# from one of them has its X-Forwarded-For read, for the address every limit counts against
# (pixorga.ratelimit.client_address: page brakes, API throttles, login lockout). Empty: REMOTE_ADDR only.
TRUSTED_PROXIES = env_networks("PIXORGA_TRUSTED_PROXIES")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "pixorga.errors.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # Throttles count per pixorga.ratelimit.client_address (pixorga.throttling); never the raw header.
    "NUM_PROXIES": 0,
    "DEFAULT_THROTTLE_RATES": {
        "login": env_str("THROTTLE_LOGIN_RATE", "10/min"),
        "public": env_str("THROTTLE_PUBLIC_RATE", "60/min"),
        # Public certificate check: enough for a recruiter, too few to enumerate codes.
        "verification": env_str("THROTTLE_VERIFICATION_RATE", "20/min"),
        # Livret scolaire clients: their own budget, not the account logins' one. (Invigilators have a brake of
        # their own, certification.services.entry, that never refuses the right password.)
        "livret": env_str("THROTTLE_LIVRET_RATE", "10/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API Pix Orga",
    "DESCRIPTION": "API REST de Pix Orga (v1). Les erreurs ont la forme {code, detail}.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "pixorga")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "clean-campaign-exports": {"task": "campaigns.campaign_exports_clean", "schedule": 6 * 60 * 60},
    # Imports silent for LEARNER_IMPORT_STUCK_AFTER end in a French error (students.services.imports).
    "fail-stuck-learner-imports": {"task": "students.learner_imports_fail_stuck", "schedule": 60},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"pixorga": {"level": "INFO"}, "accounts": {"level": "INFO"}},
}

# A demonstration site (`make run`, docker compose's "demo" profile): only there may `load_demo` create its
# accounts, whose password is published in the README.
DEMO = env_bool("PIXORGA_DEMO", False)

INVITATION_CODE_LENGTH = 10
# Reference: 8 pix per level; the highest level a learner can reach (default 5, 6 allowed).
MAX_REACHABLE_LEVEL = env_int("MAX_REACHABLE_LEVEL", 5)
# A campaign or training answer is committed without waiting for the disk flush (PostgreSQL's asynchronous
# commit): a crash of the database server may lose the answers of its last fraction of a second, which the
# learner is then simply asked again; an answer and its knowledge elements are always kept or lost together.
# Certification answers are always flushed. Set to false to flush every answer.
ANSWERS_ASYNCHRONOUS_COMMIT = env_bool("ANSWERS_ASYNCHRONOUS_COMMIT", True)
# An import phase silent for this long (killed worker, lost task…) is failed by the periodic sweep (every
# minute), asking to retry; the import tasks give up a little before.
LEARNER_IMPORT_STUCK_AFTER = env_int("LEARNER_IMPORT_STUCK_AFTER", 15 * 60)
