"""Django settings for Personal Secretary.

Everything is read from the environment (see ``.env.example`` and the README).
With no environment at all the project runs on the *embedded default*: a SQLite
file, Celery tasks executed inline, a local-memory cache and the ``local`` AI
provider, so a newcomer needs nothing but Python to try it.
"""

from __future__ import annotations

import logging
import warnings
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _
from kombu import Queue

from secretary.env import ConfigError, Env

BASE_DIR = Path(__file__).resolve().parent.parent
env = Env()

# ------------------------------------------------------------------------------
# Core
# ------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", "django-insecure-dev-only-never-use-in-production")
else:
    SECRET_KEY = env.required("SECRET_KEY", "when DEBUG is off (set DEBUG=1 for development)")

PUBLIC_URL = env.url("PUBLIC_URL")

_dev_hosts = ["localhost", "127.0.0.1", "[::1]", "testserver"]
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=_dev_hosts if DEBUG else [])
if PUBLIC_URL:
    _public_host = urlsplit(PUBLIC_URL).hostname or ""
    if _public_host and _public_host not in ALLOWED_HOSTS:
        ALLOWED_HOSTS.append(_public_host)
CSRF_TRUSTED_ORIGINS: list[str] = [PUBLIC_URL] if PUBLIC_URL else []

ROOT_URLCONF = "secretary.urls"
WSGI_APPLICATION = "secretary.wsgi.application"
ASGI_APPLICATION = "secretary.asgi.application"
AUTH_USER_MODEL = "secretary.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ------------------------------------------------------------------------------
# Applications
# ------------------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Full-text search fields and functions (notes.search); inert on SQLite.
    "django.contrib.postgres",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_prometheus",
    "django_structlog",
]
LOCAL_APPS = [
    "secretary",
    "topics",
    "notes",
    "telegram_bot",
    "webapp",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

# Paths served by an ASGI app of their own, before Django's handler and its middleware
# (secretary.asgi): the webhook Telegram waits on. URL name → dotted path of the app.
ASGI_ENDPOINTS = {"telegram_bot:webhook": "telegram_bot.views.webhook_endpoint"}

MIDDLEWARE = [
    "secretary.middleware.ProbeMiddleware",
    # Request logging (django-structlog) with the request id as the correlation id.
    "secretary.logs.RequestMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

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
                "secretary.context_processors.deployment",
            ],
        },
    },
]

# ------------------------------------------------------------------------------
# Database
# ------------------------------------------------------------------------------
DATABASES = {
    "default": env.database(
        "DATABASE_URL",
        default={"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"},
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The app runs under ASGI, where persistent connections leak across threads;
    # psycopg's pool hands a connection to each request and takes it back.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    if env.bool("DATABASE_POOL", default=True):
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN_SIZE", 1),
            "max_size": env.int("DATABASE_POOL_MAX_SIZE", 10),
            "timeout": env.int("DATABASE_POOL_TIMEOUT", 10),
        }
else:
    # The embedded default: WAL lets readers work beside the writer, IMMEDIATE takes
    # the write lock when a transaction starts (so simultaneous writers queue for up
    # to ``timeout`` seconds instead of failing with "database is locked").
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
# A connection the server dropped (a restart, pg_terminate_backend) is found out before
# use and replaced: with the pool Django passes psycopg's ``check_connection`` to it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False

# ------------------------------------------------------------------------------
# Redis: cache, broker, rate limits. Without it everything stays in process.
# ------------------------------------------------------------------------------
REDIS_URL = env.redis_url("REDIS_URL")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", "secretary"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# ------------------------------------------------------------------------------
# Celery
# ------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=REDIS_URL is None)
CELERY_TASK_EAGER_PROPAGATES = env.bool("CELERY_TASK_EAGER_PROPAGATES", default=False)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", 120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", 150)
if CELERY_TASK_SOFT_TIME_LIMIT >= CELERY_TASK_TIME_LIMIT:
    raise ConfigError("CELERY_TASK_SOFT_TIME_LIMIT must be below CELERY_TASK_TIME_LIMIT")
# A message not acknowledged within the visibility timeout is redelivered to
# another worker; it must outlive the longest task or tasks run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_TASK_TIME_LIMIT * 4,
    "socket_connect_timeout": 2,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request that hands work to a broker that is down must not hang: two quick tries,
# then the row stays stored and the sweeper enqueues it again (secretary.work).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# Queues, so that slow work never holds up quick work in a queue: a worker started without
# -Q serves them all (the default); `-Q transcription` etc. gives a queue workers of its own.
CELERY_TASK_QUEUES = [Queue(name) for name in ("notes", "telegram", "links", "transcription")]
CELERY_TASK_DEFAULT_QUEUE = "notes"  # updates, preparing and previews, the beat jobs
CELERY_TASK_ROUTES = {
    "notes.tasks.note_transcribe": {"queue": "transcription"},
    "notes.tasks.note_fetch_links": {"queue": "links"},
    # Sending into groups and bulk preview updates, paced per group.
    "notes.tasks.note_publish": {"queue": "telegram"},
    "notes.tasks.previews_mark_expired": {"queue": "telegram"},
    "notes.tasks.note_report_failure": {"queue": "telegram"},
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_WORKER_SEND_TASK_EVENTS = True
CELERY_TASK_SEND_SENT_EVENT = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# A worker's main process serves its pool's metrics on this port (0: not served); the
# pool processes write them to PROMETHEUS_MULTIPROC_DIR (compose's start-worker sets both).
CELERY_METRICS_PORT = env.int("CELERY_METRICS_PORT", 0)
CELERY_TIMEZONE = "UTC"

# ------------------------------------------------------------------------------
# Internationalization
# ------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# ------------------------------------------------------------------------------
# Static files
# ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "webapp.storage.StaticStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Under ASGI Django reads WhiteNoise's file iterators in a thread and warns about
# it on every static file; that is the intended trade-off for admin assets.
warnings.filterwarnings(
    "ignore", message="StreamingHttpResponse must consume synchronous iterators"
)

# ------------------------------------------------------------------------------
# Security
# ------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
# The Mini App is shown inside Telegram's iframe; the admin stays unframeable.
X_FRAME_OPTIONS = "DENY"

# ------------------------------------------------------------------------------
# REST framework and OpenAPI
# ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["webapp.auth.TelegramInitDataAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "webapp.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
}
# Mini App init data older than this is refused (Telegram signs it when the app opens).
WEBAPP_AUTH_MAX_AGE = env.duration("WEBAPP_AUTH_MAX_AGE", timedelta(hours=1))
# The API's requests are small JSON; a bigger body is refused with 413 before it is read.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", 64 * 1024)
SPECTACULAR_SETTINGS = {
    "TITLE": "Personal Secretary API",
    "DESCRIPTION": "The API behind the Telegram Mini App.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# ------------------------------------------------------------------------------
# Logging
# ------------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", "INFO").upper()
# json: one JSON object a line (production); console: readable columns (development).
LOG_FORMAT = env.str("LOG_FORMAT", "console" if DEBUG else "json").lower()
if LOG_FORMAT not in ("json", "console"):
    raise ConfigError("LOG_FORMAT must be json or console")
# Every record of every logger goes through structlog (secretary.logs): time, level, logger,
# message and the context (correlation_id …); the bot token and the API keys are blanked
# in every line, tracebacks included.
LOGGING_CONFIG = "secretary.logs.logging_configure"  # dictConfig, and warnings captured
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "secretary.logs.json_formatter"},
        "console": {"()": "secretary.logs.console_formatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # httpx logs every request URL, and the Bot API puts the token in the URL.
        "httpx": {"level": "WARNING"},
        "httpx2": {"level": "WARNING"},  # the AI SDKs' transport: one line per request
        "aiogram.event": {"level": "WARNING"},
        # Python's warnings (captured) and Django's own lines reach the root handler only:
        # Django's default console handler writes plain text.
        "py.warnings": {"level": "WARNING"},
        "django": {"level": "INFO"},
        # uvicorn's lines in the same format once the app is loaded; its access log says
        # less than django-structlog's request_finished (which has the request id).
        "uvicorn": {"handlers": ["console"], "propagate": False},
        "uvicorn.access": {"level": "WARNING", "propagate": True},
    },
}
# django-structlog: request_finished at INFO (request_started only at DEBUG), with the
# request id from X-Request-ID once secretary.logs.RequestMiddleware has checked it.
DJANGO_STRUCTLOG_STATUS_START_LOG_LEVEL = logging.DEBUG
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = True
DJANGO_STRUCTLOG_CELERY_ENABLED = False  # secretary.logs carries the correlation id itself

# ------------------------------------------------------------------------------
# Product
# ------------------------------------------------------------------------------
TELEGRAM_BOT_TOKEN = env.str("TELEGRAM_BOT_TOKEN")
TELEGRAM_WEBHOOK_SECRET = env.str("TELEGRAM_WEBHOOK_SECRET")
TELEGRAM_API_BASE = env.url("TELEGRAM_API_BASE") or "https://api.telegram.org"
TELEGRAM_GROUP_ID = env.int("TELEGRAM_GROUP_ID", 0) or None
# The bot waits this long after the last part of an album before showing its one preview.
TELEGRAM_ALBUM_WAIT = env.float("TELEGRAM_ALBUM_WAIT", 2.0)
# How long "↩️ undo" stays offered after a note is filed.
TELEGRAM_UNDO_WINDOW = env.duration("TELEGRAM_UNDO_WINDOW", timedelta(minutes=5))
# TELEGRAM_API_BASE is a telegram-bot-api server run with --local: files are read from the
# absolute path its getFile answers with, up to 2 GB (the public Bot API stops at 20 MB).
TELEGRAM_LOCAL_API = env.bool("TELEGRAM_LOCAL_API", False)
# The largest file downloaded (voice for transcription). Bigger files are still filed (by
# file_id): only their content is out of reach.
TELEGRAM_DOWNLOAD_LIMIT = env.int(
    "TELEGRAM_DOWNLOAD_LIMIT", (2000 if TELEGRAM_LOCAL_API else 20) * 1024 * 1024
)

PENDING_TTL = env.duration("PENDING_TTL", timedelta(hours=24))
# Messages sent within this many seconds of the previous one (a comment and its forwards)
# join its note while the owner has not acted on it; 0 turns bursts off.
NOTE_BURST_SECONDS = env.float("NOTE_BURST_SECONDS", 2.0)
if NOTE_BURST_SECONDS < 0:
    raise ConfigError("NOTE_BURST_SECONDS must be 0 (off) or more")
# An owner's notes prepared at once per minute; past it a note is saved, the owner is told,
# and it is prepared when its turn comes (notes.services.quota).
NOTE_RATE_LIMIT = env.int("NOTE_RATE_LIMIT", 30)
if NOTE_RATE_LIMIT < 1:
    raise ConfigError("NOTE_RATE_LIMIT must be at least 1")

# Pacing (secretary.pacing): at most TELEGRAM_GROUP_RATE messages per
# TELEGRAM_GROUP_RATE_PERIOD into one group (Telegram's limit is about 20 a minute),
# counted across all workers; a burst waits its turn. Bulk updates to owners' chats
# (expired previews) go at TELEGRAM_BULK_RATE a second.
TELEGRAM_GROUP_RATE = env.int("TELEGRAM_GROUP_RATE", 20)
TELEGRAM_GROUP_RATE_PERIOD = env.duration("TELEGRAM_GROUP_RATE_PERIOD", timedelta(minutes=1))
TELEGRAM_BULK_RATE = env.int("TELEGRAM_BULK_RATE", 20)
if TELEGRAM_GROUP_RATE < 1 or TELEGRAM_BULK_RATE < 1:
    raise ConfigError("TELEGRAM_GROUP_RATE and TELEGRAM_BULK_RATE must be at least 1")
if TELEGRAM_GROUP_RATE_PERIOD.total_seconds() <= 0:
    raise ConfigError("TELEGRAM_GROUP_RATE_PERIOD must be positive")

# Where the owner sees a note and where filed notes go (notes.ports): a factory that
# opens both for one operation. Telegram by default; `manage.py chat` uses the terminal.
NOTE_PORTS = env.str("NOTE_PORTS", "telegram_bot.ports.telegram_ports")

# Nothing lost (secretary.work): a worker leases a note or an update while it works on
# it and renews the lease every third of WORK_LEASE; work whose lease ran out, or that
# nobody started within SWEEP_STALE_AFTER, is enqueued again by the sweeper, which beat
# runs every SWEEP_INTERVAL. A note whose work stopped WORK_MAX_ATTEMPTS times (crashes,
# killed workers; not waits for Telegram or the database) becomes failed, and its owner
# is told once, with a button that tries again.
WORK_LEASE = env.duration("WORK_LEASE", timedelta(seconds=30))
# The one retry policy of every task: a temporary failure (a 429 honouring retry_after,
# a 5xx, the network, the database) is waited out this many times in a row; then a
# publication goes back to pending with a notice, and other work waits for the sweeper.
TEMPORARY_RETRIES = env.int("TEMPORARY_RETRIES", 5)
WORK_MAX_ATTEMPTS = env.int("WORK_MAX_ATTEMPTS", 5)
SWEEP_INTERVAL = env.duration("SWEEP_INTERVAL", timedelta(minutes=1))
SWEEP_STALE_AFTER = env.duration("SWEEP_STALE_AFTER", timedelta(minutes=1))
if WORK_LEASE.total_seconds() < 3 or WORK_MAX_ATTEMPTS < 1 or SWEEP_INTERVAL.total_seconds() < 1:
    raise ConfigError(
        "WORK_LEASE must be at least 3s, WORK_MAX_ATTEMPTS and SWEEP_INTERVAL positive"
    )

# Link previews (notes.links, secretary.safefetch): each link of a note is fetched in the
# worker, within LINK_FETCH_TIMEOUT in all, and its title and description kept a day.
LINK_FETCH_TIMEOUT = env.float("LINK_FETCH_TIMEOUT", 5.0)
LINK_PREVIEW_CACHE = env.duration("LINK_PREVIEW_CACHE", timedelta(days=1))
# TEST ONLY: ``host:port`` pairs the fetcher may reach although they are not public
# (a fake website on loopback). Empty in production; nothing else relaxes the checks.
LINK_FETCH_ALLOWED_HOSTS = env.list("LINK_FETCH_ALLOWED_HOSTS", default=[])
if LINK_FETCH_TIMEOUT <= 0:
    raise ConfigError("LINK_FETCH_TIMEOUT must be positive")

# Your data (notes.archive): exports are written under EXPORT_ROOT, one folder per owner;
# one past EXPORT_DOCUMENT_LIMIT (the Bot API's 50 MB upload) is offered as a signed link
# (PUBLIC_URL/archive/download/…) that works EXPORT_LINK_TTL for its owner alone.
EXPORT_ROOT = Path(env.str("EXPORT_ROOT", str(BASE_DIR / ".exports")))
EXPORT_DOCUMENT_LIMIT = env.int("EXPORT_DOCUMENT_LIMIT", 50 * 1024 * 1024)
EXPORT_LINK_TTL = env.duration("EXPORT_LINK_TTL", timedelta(days=1))
# Raw payloads of processed Telegram updates are pruned after this many days (the row stays,
# so a late redelivery is still recognised).
UPDATE_RETENTION_DAYS = env.int("UPDATE_RETENTION_DAYS", 30)
# A Telegram Desktop export larger than this is refused with a one-line reason.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", 1024 * 1024 * 1024)
if EXPORT_DOCUMENT_LIMIT < 1 or UPDATE_RETENTION_DAYS < 1:
    raise ConfigError("EXPORT_DOCUMENT_LIMIT and UPDATE_RETENTION_DAYS must be positive")

AI_PROVIDER_NAMES = ("openai", "gemini", "local")
OPENAI_API_KEY = env.str("OPENAI_API_KEY")
OPENAI_MODEL = env.str("OPENAI_MODEL", "gpt-4o-mini")
OPENAI_STT_MODEL = env.str("OPENAI_STT_MODEL", "gpt-4o-mini-transcribe")
GEMINI_API_KEY = env.str("GEMINI_API_KEY")
GEMINI_MODEL = env.str("GEMINI_MODEL", "gemini-2.5-flash")
_keyed_providers = [
    name for name, key in (("openai", OPENAI_API_KEY), ("gemini", GEMINI_API_KEY)) if key
]
AI_PROVIDERS = env.list("AI_PROVIDERS", default=[*_keyed_providers, "local"])
# The local classifier learns from filings by meaning too: a small sentence-embedding
# model in every process that classifies or files (≈ 30 MB private memory, ≈ 10–40 ms
# a note on one core; README "Learning from filings").
CLASSIFIER_EMBEDDINGS = env.bool("CLASSIFIER_EMBEDDINGS", default=True)
_unknown_providers = sorted(set(AI_PROVIDERS) - set(AI_PROVIDER_NAMES))
if _unknown_providers:
    raise ConfigError(
        f"AI_PROVIDERS has unknown providers {', '.join(_unknown_providers)} "
        f"(known: {', '.join(AI_PROVIDER_NAMES)})"
    )

# Bounded behaviour of the AI providers. The SDKs' own retries are off; ours
# retry a rate limit (honouring Retry-After, capped) or a server error at most
# AI_MAX_RETRIES times, and a provider that times out hands over to the next.
AI_TIMEOUT = env.float("AI_TIMEOUT", 20.0)
AI_MAX_RETRIES = env.int("AI_MAX_RETRIES", 2)
AI_RETRY_AFTER_MAX = env.float("AI_RETRY_AFTER_MAX", 10.0)
AI_RETRY_BACKOFF = env.float("AI_RETRY_BACKOFF", 0.5)
if AI_TIMEOUT <= 0 or AI_MAX_RETRIES < 0 or AI_RETRY_AFTER_MAX < 0 or AI_RETRY_BACKOFF < 0:
    raise ConfigError(
        "AI_TIMEOUT must be positive; AI_MAX_RETRIES, AI_RETRY_AFTER_MAX and "
        "AI_RETRY_BACKOFF must not be negative"
    )


def _ai_prices(raw: str | None) -> dict[str, tuple[float, ...]]:
    """``model=input/output[/cached input],…`` in USD per 1M tokens."""
    prices: dict[str, tuple[float, ...]] = {}
    for item in (raw or "").split(","):
        if not item.strip():
            continue
        model, _, figures = item.partition("=")
        try:
            numbers = tuple(float(figure) for figure in figures.split("/"))
        except ValueError:
            numbers = ()
        if not model.strip() or len(numbers) not in (2, 3) or min(numbers) < 0:
            raise ConfigError(
                f"AI_PRICES must look like gpt-4o-mini=0.15/0.60/0.075,…, got {item.strip()!r}"
            )
        prices[model.strip()] = numbers
    return prices


# USD per 1M tokens: (input, output, cached input). Estimates for cost_usd on
# notes; AI_PRICES adds or overrides models.
AI_MODEL_PRICES: dict[str, tuple[float, ...]] = {
    "gpt-4o-mini": (0.15, 0.60, 0.075),
    "gpt-4.1-mini": (0.40, 1.60, 0.10),
    "gpt-4.1-nano": (0.10, 0.40, 0.025),
    "gpt-4o": (2.50, 10.00, 1.25),
    "gpt-4o-mini-transcribe": (3.00, 5.00),
    "gpt-4o-transcribe": (6.00, 10.00),
    "gemini-2.5-flash": (0.30, 2.50, 0.075),
    "gemini-2.5-flash-lite": (0.10, 0.40, 0.025),
    "gemini-2.5-pro": (1.25, 10.00, 0.31),
    "gemini-2.0-flash": (0.10, 0.40, 0.025),
    **_ai_prices(env.raw("AI_PRICES")),
}


# ------------------------------------------------------------------------------
# Reminders (notes.reminders)
# ------------------------------------------------------------------------------
# Due reminders go to owners' chats at REMINDERS_RATE a second at most (Telegram allows
# about 30 in all); one sent more than REMINDER_LATE_AFTER after its time (the service
# was down) says it is late.
REMINDERS_RATE = env.int("REMINDERS_RATE", 25)
REMINDER_LATE_AFTER = env.duration("REMINDER_LATE_AFTER", timedelta(minutes=5))
if REMINDERS_RATE < 1 or REMINDER_LATE_AFTER.total_seconds() <= 0:
    raise ConfigError("REMINDERS_RATE must be at least 1 and REMINDER_LATE_AFTER positive")
