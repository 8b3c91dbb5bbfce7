"""Settings for factcheck: one module, behaviour chosen by environment variables.

Two modes:
- development (the default, what `make run` and `make test` get with nothing set): SQLite in
  the project folder, a secret generated once into the untracked `.env`, and Celery tasks run
  eagerly in-process when REDIS_URL is unset (said in the start-up log);
- production (`DJANGO_ENV=production`): DEBUG off; SECRET_KEY, DATABASE_URL, REDIS_URL and
  ALLOWED_HOSTS are required and have no defaults; `manage.py check --deploy` is clean.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url

from factcheck.env import (
    ConfigurationError,
    ensure_development_secret,
    env_bool,
    env_int,
    env_list,
    env_str,
    load_dotenv,
    refuse_development_secret,
)

BASE_DIR = Path(__file__).resolve().parent.parent
ENV_FILE = Path(env_str("FACTCHECK_ENV_FILE", str(BASE_DIR / ".env")) or BASE_DIR / ".env")
load_dotenv(ENV_FILE)

DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ConfigurationError(f"DJANGO_ENV must be development or production, not {DJANGO_ENV!r}.")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY", required=True) or ""
    refuse_development_secret(SECRET_KEY, ENV_FILE)
    DEBUG = env_bool("DEBUG", default=False)
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ConfigurationError(
            "The environment variable ALLOWED_HOSTS is required in production."
        )
else:
    SECRET_KEY = ensure_development_secret(ENV_FILE)
    DEBUG = env_bool("DEBUG", default=True)
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "annotations",
    "annotations.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "annotations.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "annotations.ratelimit.RateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "annotations.web.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "factcheck.urls"
WSGI_APPLICATION = "factcheck.wsgi.application"
ASGI_APPLICATION = "factcheck.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", required=PRODUCTION)
if DATABASE_URL:
    DATABASES: dict[str, dict[str, Any]] = {
        "default": dict(
            dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
            "OPTIONS": {
                # IMMEDIATE takes SQLite's write lock at BEGIN, so two claims can never read the
                # same free slot and both write it (Label Studio's SQLite bypass double-assigns).
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # A file, not Django's shared-cache in-memory database, so that the concurrency
            # tests' threads share one database with SQLite's real locking (busy timeout,
            # IMMEDIATE transactions) instead of shared-cache table locks.
            "TEST": {"NAME": BASE_DIR / "test_db.sqlite3"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Password guessing (annotations/ratelimit.py) -------------------------------------------
# Django's ModelBackend, refusing logins over the limits before any password is checked.
AUTHENTICATION_BACKENDS = ["annotations.ratelimit.RateLimitedModelBackend"]
FACTCHECK_AUTH_FAILURES_PER_ACCOUNT = env_int("FACTCHECK_AUTH_FAILURES_PER_ACCOUNT", default=10)
FACTCHECK_AUTH_FAILURES_PER_ADDRESS = env_int("FACTCHECK_AUTH_FAILURES_PER_ADDRESS", default=50)
FACTCHECK_AUTH_FAILURE_WINDOW = env_int("FACTCHECK_AUTH_FAILURE_WINDOW", default=15 * 60)
# Behind the reverse proxy every request comes from the proxy: read the client's address from
# the header it sets (compose's nginx sets X-Real-IP). Unset: REMOTE_ADDR.
FACTCHECK_CLIENT_ADDRESS_HEADER = env_str("FACTCHECK_CLIENT_ADDRESS_HEADER", None)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(
    env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")) or BASE_DIR / "staticfiles"
)
if PRODUCTION:
    # Production serves the collected static files itself (WhiteNoise), so the admin and the
    # API docs are styled even without the proxy; in compose, nginx serves them first.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )
# The frontend's login; the admin keeps its own for staff.
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

# --- Security (production values; `check --deploy` must be clean) ---------------------------
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "annotations.api.authentication.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "annotations.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_METADATA_CLASS": "annotations.api.metadata.Metadata",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "annotations.exceptions.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "factcheck API",
    "DESCRIPTION": "Span-level fact-check annotation: documents, review queue, spans, evidence.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Two models have a `state` field with different choices; name each enum explicitly.
    "ENUM_NAME_OVERRIDES": {
        "AssignmentStateEnum": "annotations.models.review.AssignmentState",
        # Jobs' states have the same values, so the schema names them RunStateEnum too.
        "RunStateEnum": "annotations.models.preannotation.RunState",
        "DisputeKindEnum": "annotations.models.adjudication.DisputeKind",
        "DisputeStatusEnum": "annotations.models.adjudication.DisputeStatus",
        "DocumentStatusEnum": "annotations.models.documents.DocumentStatus",
        "ResolutionKindEnum": "annotations.models.adjudication.ResolutionKind",
    },
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the app's own static files, not a CDN: the docs work with no internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "annotations.api.schema.add_common_errors",
    ],
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Cache: shared by every process through Redis when there is one ------------------------
REDIS_URL = env_str("REDIS_URL", required=PRODUCTION)
# Token users (annotations/api/authentication.py) and login-failure counts
# (annotations/ratelimit.py) live here.
CACHES: dict[str, dict[str, Any]] = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Fail fast when Redis is down: callers fall back to the database, or go unlimited.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
    # Apart from Celery's keys when both share one Redis database.
    | {"KEY_PREFIX": "factcheck"}
}

# --- Celery ---------------------------------------------------------------------------------
# A host in the in-memory URL, or kombu warns "No hostname was supplied" on every start.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
# Without a broker, development runs tasks in-process. With REDIS_URL set we never fall back
# to synchronous execution: a task that cannot be sent stays recorded as queued and is sent
# again by the dispatcher (label-studio's core/redis.py silently runs them inline instead).
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "factcheck") or "factcheck"
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
# Redis hands an unacknowledged task to another worker after this long: it must exceed the
# longest task (the hard time limit), or a slow task would be run twice (harmless, but waste).
_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT * 2)
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {
    # Publishing must fail fast when Redis is down so a request never hangs on the broker.
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "visibility_timeout": _VISIBILITY_TIMEOUT,
    # kombu sweeps for a dead worker's messages every interval x throttle seconds (10 x 10 by
    # default, whatever the timeout); sweep a few times per timeout instead, so work comes back
    # soon after it is due. The sweep is one indexed Redis range query.
    "unacked_restore_interval": max(1, min(10, _VISIBILITY_TIMEOUT // 3)),
    "unacked_restore_throttle": 1,
}
# The periodic schedule, in one place.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "preannotation-dispatch-pending": {
        "task": "annotations.preannotation_dispatch_pending",
        "schedule": 60.0,
    },
    # Claims expire leases lazily too; this keeps statuses right in quiet projects.
    "expire-review-leases": {
        "task": "annotations.review.expire_leases",
        "schedule": 60.0,
    },
    # Background jobs: re-send unsent, lost or abandoned ones; remove expired result files.
    "jobs-dispatch-pending": {"task": "annotations.jobs.dispatch_pending", "schedule": 60.0},
    "jobs-remove-expired": {"task": "annotations.jobs.remove_expired", "schedule": 600.0},
}
CELERY_TIMEZONE = TIME_ZONE

# --- Size limits: one set of numbers (README "Limits"; nginx's client_max_body_size matches) --
# One document's text, from any source (file, JSON body, CLI).
FACTCHECK_IMPORT_MAX_BYTES = env_int("FACTCHECK_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
# One request body: room for a largest document escaped into JSON with its metadata. Larger
# declared bodies get a JSON 413 before they are read (annotations.middleware).
FACTCHECK_REQUEST_MAX_BYTES = env_int(
    "FACTCHECK_REQUEST_MAX_BYTES", default=FACTCHECK_IMPORT_MAX_BYTES + 3 * 1024 * 1024
)
# Django's own limit on a non-file body read into memory: the same number. The whole body of an
# upload, files included, is bounded by the middleware's check of the declared length.
DATA_UPLOAD_MAX_MEMORY_SIZE = FACTCHECK_REQUEST_MAX_BYTES
# A file upload (POST /projects/{id}/documents/upload) is streamed to disk and, past one import
# batch, imported by a background job: it may be this large (nginx's upload location agrees).
FACTCHECK_UPLOAD_MAX_BYTES = env_int("FACTCHECK_UPLOAD_MAX_BYTES", default=256 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default: larger uploads spill to a temp file.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 100
# Background jobs: uploads waiting to be imported and finished exports live in this folder
# (shared by web and workers); export files are removed this many hours after they are made.
FACTCHECK_JOB_FILES_DIR = Path(
    env_str("FACTCHECK_JOB_FILES_DIR", str(BASE_DIR / "var" / "jobs")) or BASE_DIR / "var" / "jobs"
)
FACTCHECK_JOB_RESULT_HOURS = env_int("FACTCHECK_JOB_RESULT_HOURS", default=24)
# API exports of more documents than this run as a background job (a file to download).
FACTCHECK_EXPORT_INLINE_MAX_DOCUMENTS = env_int(
    "FACTCHECK_EXPORT_INLINE_MAX_DOCUMENTS", default=5000
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One line per task is noise at INFO; failures are still logged.
        "celery.app.trace": {"level": "WARNING"},
    },
}

STARTUP_SUMMARY = (
    f"factcheck {DJANGO_ENV} mode; database {DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}; "
    f"Celery {'via Redis' if REDIS_URL else 'eager in-process (REDIS_URL is unset)'}"
)
