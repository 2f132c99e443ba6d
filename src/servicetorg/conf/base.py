"""Django settings for Servicetorg: what every installation shares (issue 19 §6, as Open Zaak splits them).

Not used on its own: ``servicetorg.settings`` loads ``conf/production.py`` unless ``SERVICETORG_DEV=1``
asks for ``conf/dev.py``; the tests use ``conf/ci.py``. Those modules decide ``DEV``, ``DEBUG`` and the
keys, then call :func:`derive` for the settings that follow from them.

Everything that differs between machines comes from the environment:
``DATABASE_URL`` (SQLite file under var/ by default), ``SECRET_KEY``, ``DEBUG``, ``ALLOWED_HOSTS``,
``CELERY_BROKER_URL`` (eager tasks when unset), ``EMAIL_URL``-style settings and ``OIDC_*`` for
ID-porten or the municipality's own identity provider.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from servicetorg.core.maps import KARTVERKET_ATTRIBUTION, KARTVERKET_TILES, tile_origin

PACKAGE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("SERVICETORG_VAR_DIR", REPO_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# Decided by dev.py / production.py (fail closed: production unless SERVICETORG_DEV=1 asks otherwise).
DEV = False
DEBUG = False
#: The fixed development key: dev.py uses it, production.py refuses it.
DEV_SECRET_KEY = "dev-only-insecure-key-change-me"  # noqa: S105 (refused in production)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
# Personal data encrypted at rest (core/crypto.py): Fernet keys, comma-separated, the first encrypts
# and all decrypt (rotation: docs/operations.md), and the key of the fødselsnummer's look-up hash.
# Like SECRET_KEY: fixed development keys only in dev.py, else the process refuses to start.
FIELD_ENCRYPTION_KEYS = [k.strip() for k in os.environ.get("FIELD_ENCRYPTION_KEYS", "").split(",")]
FIELD_ENCRYPTION_KEYS = [k for k in FIELD_ENCRYPTION_KEYS if k]
NATIONAL_ID_HASH_KEY = os.environ.get("NATIONAL_ID_HASH_KEY", "")
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_FAILURE_VIEW = "servicetorg.core.errors.csrf_failure"
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "servicetorg.core.admin_site.SuperuserAdminConfig",  # django.contrib.admin, for superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "simple_history",
    "servicetorg.core",
    "servicetorg.privacy",
    "servicetorg.citizens",
    "servicetorg.catalogue",
    "servicetorg.inquiries",
    "servicetorg.surveys",
    "servicetorg.indicators",
    "servicetorg.benchmarking",
    "servicetorg.strategy",
    "servicetorg.choice",
    "servicetorg.servicetest",
    "servicetorg.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Answers the intake API's common case (a system's new inquiry) before the rest of the cycle.
    "servicetorg.inquiries.middleware.DirectIntakeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Bokmål unless the user has chosen another language (not the browser's Accept-Language).
    "servicetorg.core.locale.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.citizen: a citizen signed in with ID-porten (never a Django user; citizens/sessions.py).
    "servicetorg.citizens.middleware.CitizenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "servicetorg.urls"
WSGI_APPLICATION = "servicetorg.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "servicetorg.core.context_processors.platform",
                "servicetorg.citizens.context_processors.citizen",
            ],
            # |unlocalize, {% localize off %} and the Norwegian number filters (|percent, |number,
            # |weekday_date) in every template without a {% load %}.
            "builtins": ["django.templatetags.l10n", "servicetorg.core.templatetags.formatting"],
        },
    },
]

# Project templates override Django's form templates with Designsystemet markup.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
FORMS_URLFIELD_ASSUME_HTTPS = True

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'servicetorg.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        # A kept connection is checked before its first use in a request, so the first request
        # after a database restart reconnects instead of failing.
        conn_health_checks=True,
    )
}
#: Seconds a client is asked to wait (Retry-After) when the database is unavailable (answer 503).
DATABASE_RETRY_AFTER = int(os.environ.get("DATABASE_RETRY_AFTER", "10"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded default keeps its database file here
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django binds parameters on the client, so PostgreSQL parses and plans every statement anew. The
    # few statements of hot paths run through servicetorg.core.db.prepared_cursor() instead: bound on
    # the server, and prepared (planned once per connection) from their 5th execution on. Set
    # DB_PREPARE_THRESHOLD=off behind a pooler that cannot keep prepared statements (PgBouncer < 1.21
    # in transaction mode).
    _threshold = os.environ.get("DB_PREPARE_THRESHOLD", "5")
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = None if _threshold == "off" else int(_threshold)
    # A database that does not answer (down, frozen) fails a new connection after this many seconds
    # (answered 503) instead of holding the worker.
    DATABASES["default"]["OPTIONS"].setdefault(
        "connect_timeout", int(os.environ.get("DB_CONNECT_TIMEOUT", "5"))
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The intake's fast path (inquiries/fast_path.py, docs/adr/0003): API-key intake answered before the
# request cycle, written in one statement on PostgreSQL. INQUIRIES_FAST_INTAKE=0 turns it off.
INQUIRIES_FAST_INTAKE = env_bool("INQUIRIES_FAST_INTAKE", True)

AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
# AUTH_PASSWORD_VALIDATORS: under "Passwords" below.
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:staff-home"
LOGOUT_REDIRECT_URL = "portal:home"

# Citizens sign in with ID-porten (citizens/oidc.py, docs/operations.md "ID-porten"): on when the
# issuer and client are set. The endpoints come from the issuer's discovery document.
CITIZEN_OIDC_ISSUER = os.environ.get("CITIZEN_OIDC_ISSUER", "").rstrip("/")
CITIZEN_OIDC_CLIENT_ID = os.environ.get("CITIZEN_OIDC_CLIENT_ID", "")
CITIZEN_OIDC_CLIENT_SECRET = os.environ.get("CITIZEN_OIDC_CLIENT_SECRET", "")
CITIZEN_OIDC_SCOPES = os.environ.get("CITIZEN_OIDC_SCOPES", "openid profile")
CITIZEN_OIDC_TIMEOUT = int(os.environ.get("CITIZEN_OIDC_TIMEOUT", "10"))  # seconds per call to ID-porten
CITIZEN_OIDC_LEEWAY = 60  # seconds of clock difference allowed on exp and iat
# A citizen's session ends after this long without a request, and this long after signing in.
CITIZEN_SESSION_IDLE_TIMEOUT = int(os.environ.get("CITIZEN_SESSION_IDLE_TIMEOUT", str(30 * 60)))
CITIZEN_SESSION_ABSOLUTE_TIMEOUT = int(os.environ.get("CITIZEN_SESSION_ABSOLUTE_TIMEOUT", str(4 * 3600)))
# Synthetic test numbers (month + 80) pass the national-id checks only in development and tests.
ACCEPT_SYNTHETIC_NATIONAL_IDS = False

# OpenID Connect (ID-porten or the municipality's own IdP): switched on by OIDC_RP_CLIENT_ID.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
if OIDC_RP_CLIENT_ID:
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.insert(0, "servicetorg.core.oidc.MunicipalOIDCBackend")
    OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
    OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ["OIDC_OP_AUTHORIZATION_ENDPOINT"]
    OIDC_OP_TOKEN_ENDPOINT = os.environ["OIDC_OP_TOKEN_ENDPOINT"]
    OIDC_OP_USER_ENDPOINT = os.environ["OIDC_OP_USER_ENDPOINT"]
    OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
    OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid profile")
# A staff log-in through the IdP passes the second factor only when its ID token says so: `acr` one of
# these, or one of `amr` one of these (comma-separated); otherwise the TOTP code is asked for.
OIDC_MFA_ACR_VALUES = tuple(
    v for v in os.environ.get("OIDC_MFA_ACR_VALUES", "idporten-loa-high,Level4").split(",") if v
)
OIDC_MFA_AMR_VALUES = tuple(v for v in os.environ.get("OIDC_MFA_AMR_VALUES", "mfa,otp,hwk").split(",") if v)

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("nn", _("Norwegian Nynorsk")), ("en", _("English"))]
#: The language that content written by the municipality (services, replies, surveys) is in; pages
#: mark it with ``lang`` when the interface is in another language.
CONTENT_LANGUAGE = "nb"
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True
# Numbers as the language writes them: "12 345,6" in bokmål and nynorsk (a non-breaking space between
# thousands, a decimal comma), "12,345.6" in English. Every number a template prints is localized, so
# ids, years and counts that go into URLs, attributes, scripts or machine-readable files must be
# printed with |unlocalize (or {% localize off %}); servicetorg.core.formatting has the helpers for
# Python-made text (charts, e-mails, SMS).
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["servicetorg.formats"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Inquiry attachments: private, outside every static or media root, served only through the
    # views that check the case link or the staff member's right to the inquiry.
    "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": os.environ.get("ATTACHMENT_DIR", str(VAR_DIR / "private" / "attachments")),
            "base_url": "/no-public-url/",
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
    # "staticfiles": set by derive() (hashed names unless DEBUG)
}

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # derive(): the console with DEBUG
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "servicetorg@localhost")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))  # seconds per SMTP attempt of the outbox

# SMS (see servicetorg.core.sms): a file under var/ in development, LINK Mobility in production.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "servicetorg.core.sms.FileBackend")
SMS_FILE_PATH = os.environ.get("SMS_FILE_PATH", str(VAR_DIR / "sms.jsonl"))
SMS_SENDER = os.environ.get("SMS_SENDER", "")
SMS_TIMEOUT = int(os.environ.get("SMS_TIMEOUT", "10"))
SMS_LINKMOBILITY_URL = os.environ.get("SMS_LINKMOBILITY_URL", "https://wsx.sp247.net")
SMS_LINKMOBILITY_USERNAME = os.environ.get("SMS_LINKMOBILITY_USERNAME", "")
SMS_LINKMOBILITY_PASSWORD = os.environ.get("SMS_LINKMOBILITY_PASSWORD", "")
SMS_LINKMOBILITY_PLATFORM_ID = os.environ.get("SMS_LINKMOBILITY_PLATFORM_ID", "")
SMS_LINKMOBILITY_PLATFORM_PARTNER_ID = os.environ.get("SMS_LINKMOBILITY_PLATFORM_PARTNER_ID", "")

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
# At-least-once: a task is acknowledged when it has finished, and a task whose worker died (kill -9,
# out of memory) goes back to the queue. Every task is safe to run twice (its effects are keyed).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a worker holds one task at a time, not a hidden batch
# Redis hands an unacknowledged task to another worker after the visibility timeout: it must be
# longer than the longest task (the hard time limit below), and it is how long a dead worker's
# tasks wait before they run again (docs/operations.md).
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", "600"))
CELERY_TASK_SOFT_TIME_LIMIT = max(CELERY_TASK_TIME_LIMIT - 30, 1)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", str(CELERY_TASK_TIME_LIMIT + 300))),
    # A broker that is down or frozen must not hold a citizen's request: the web process gives up
    # publishing after about two seconds and the outbox sweep sends the message later.
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_BEAT_SCHEDULE = {
    # Mark breaches; warn contact persons one working day before a reply deadline. Hourly 06:30-21:30
    # every day: each run is idempotent and catches up what an earlier run missed (warnings marked
    # late), so a run lost on a Friday evening is made up that evening or on Saturday, not on Monday
    # (the deadline day). Beat also runs it at start (CELERY_CATCH_UP_AT_START).
    "inquiries-deadline-warnings": {
        "task": "inquiries.send_deadline_warnings",
        "schedule": crontab(hour="6-21", minute=30),
    },
    # Send due outbox messages: retries, and what a dead worker or a down broker left behind.
    "core-outbox-sweep": {"task": "core.outbox_sweep", "schedule": 60.0},
    # Delete Idempotency-Key records (REST and Open311) once they have expired (24 hours).
    "inquiries-purge-idempotency-keys": {
        "task": "inquiries.purge_idempotency_keys",
        "schedule": crontab(minute=5),
    },
    # Forget one-time form tokens after 24 hours.
    "core-purge-form-tokens": {"task": "core.purge_form_tokens", "schedule": crontab(hour=2, minute=45)},
    # Delete survey answers that were started but never finished (after their retention time).
    "surveys-purge-drafts": {"task": "surveys.purge_drafts", "schedule": crontab(hour=3, minute=15)},
    # Delete attachment files no row names (left by a rolled-back transaction), after a day.
    "inquiries-sweep-attachment-files": {
        "task": "inquiries.sweep_attachment_files",
        "schedule": crontab(hour=3, minute=45),
    },
    # User choice: end choices whose last day has passed; give freed places to the waiting lists.
    "choice-daily-sweep": {"task": "choice.daily_sweep", "schedule": crontab(hour=0, minute=20)},
    # Purge personal data whose retention period has ended (privacy.retention; per municipality and kind).
    "privacy-purge-personal-data": {
        "task": "privacy.purge_personal_data",
        "schedule": crontab(hour=2, minute=15),
    },
}

#: Tasks beat runs once when it starts (servicetorg/celery.py), so that runs lost while it was down
#: are made up at once.
CELERY_CATCH_UP_AT_START = ["inquiries.send_deadline_warnings"]

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # People: their session, after the second factor (RequireMFAMiddleware covers /api/). Systems: an
    # API key of the REST channel acting as its service account. Never a staff password (no Basic).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "servicetorg.inquiries.authentication.ApiKeyAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "servicetorg.core.api.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "servicetorg.core.api.exception_handler",
}
PORTAL_MUNICIPALITY = os.environ.get("PORTAL_MUNICIPALITY", "")
#: Open311 POSTs without an Idempotency-Key: an identical post from the same client within this many
#: seconds is a repeat (it gets the first answer again; nothing is registered twice).
OPEN311_DUPLICATE_WINDOW = int(os.environ.get("OPEN311_DUPLICATE_WINDOW", "600"))
#: Open311's discovery document: whom app makers contact, and where they ask for an API key.
OPEN311_CONTACT = os.environ.get("OPEN311_CONTACT", "")
OPEN311_KEY_SERVICE = os.environ.get("OPEN311_KEY_SERVICE", "")
#: Where case links in e-mails and SMS point when the municipality has no ``portal_host`` of its own.
#: Production must say it (links in e-mails would otherwise point to 127.0.0.1).
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "").rstrip("/")

SPECTACULAR_SETTINGS = {
    "TITLE": "Servicetorg API",
    "DESCRIPTION": "Service catalogue, inquiries, surveys and strategy for Norwegian municipalities.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "ENUM_NAME_OVERRIDES": {
        "StrategyStateEnum": "servicetorg.strategy.models.StrategyState",
        "ReportStateEnum": "servicetorg.strategy.models.ReportState",
        "GoalKindEnum": "servicetorg.strategy.models.GoalKind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No case token or fødselsnummer in any log line (core/redaction.py; the request loggers get the
    # filter too, from CoreConfig.ready).
    "filters": {"redact": {"()": "servicetorg.core.redaction.RedactingFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools log every layout step at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# --- Security (OWASP ASVS level 2; docs/security.md says where each control is met) -------------------
# Each block below is additive: it appends to the lists above rather than rewriting them.
INSTALLED_APPS += [
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "drf_spectacular_sidecar",
]


def _after(anchor: str, *names: str) -> None:
    position = MIDDLEWARE.index(anchor) + 1
    MIDDLEWARE[position:position] = list(names)


# After the intake's direct path (a JSON answer to a system needs neither CSP nor the edge checks).
_after(
    "servicetorg.inquiries.middleware.DirectIntakeMiddleware",
    "csp.middleware.CSPMiddleware",
    "servicetorg.core.security.PermissionsPolicyMiddleware",
    "servicetorg.core.security.EdgeValidationMiddleware",
)
_after("django.contrib.auth.middleware.AuthenticationMiddleware", "django_otp.middleware.OTPMiddleware")
# The pages whose map offers "Use my position": geolocation allowed for this site there, nowhere else.
PERMISSIONS_POLICY_GEOLOCATION_VIEWS = {
    "inquiries_public:contact",
    "inquiries_public:contact-service",
}
_after(
    "django.contrib.messages.middleware.MessageMiddleware",
    "servicetorg.core.security.SessionTimeoutMiddleware",
    "servicetorg.core.security.RequireMFAMiddleware",
    "servicetorg.core.security.SecurityLogMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # last, as django-axes asks
AUTHENTICATION_BACKENDS.insert(0, "axes.backends.AxesStandaloneBackend")
TEMPLATES[0]["OPTIONS"]["context_processors"].append("csp.context_processors.nonce")

# TLS ends at the reverse proxy: SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https" trusts its
# header, TRUSTED_PROXIES=<n> the last n addresses of X-Forwarded-For (client IP for throttles, axes).
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = tuple(os.environ["SECURE_PROXY_SSL_HEADER"].split(",", 1))
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", False)

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
#: A monitor that sends "Authorization: Bearer <HEALTH_TOKEN>" to /helse/ gets the queue and outbox figures.
HEALTH_TOKEN = os.environ.get("HEALTH_TOKEN", "")
# SECURE_SSL_REDIRECT, HSTS and secure (__Host-) cookies: set by derive() unless DEBUG.

# Maps (Leaflet): the tile server (a URL template), its attribution, and where maps start (zoom level;
# the municipality's own centre, else MAP_CENTER "lat,long", else all of Norway). Kartverket's open
# WMTS cache by default (docs/operations.md, "Maps").
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", KARTVERKET_TILES)
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", KARTVERKET_ATTRIBUTION)
MAP_CENTER = os.environ.get("MAP_CENTER", "")
MAP_ZOOM = int(os.environ.get("MAP_ZOOM", "13"))

# Address search (core/addresses.py): Kartverket's open address register, asked by the server (the
# browser only asks this site: connect-src stays 'self'). Empty URL: no search, the address field is
# plain text. ADDRESS_SEARCH_MUNICIPALITY searches another municipality number than the portal's
# (a demo municipality whose number is made up). docs/operations.md, "Address search".
ADDRESS_SEARCH_URL = os.environ.get("ADDRESS_SEARCH_URL", "https://ws.geonorge.no/adresser/v1")
ADDRESS_SEARCH_TIMEOUT = float(os.environ.get("ADDRESS_SEARCH_TIMEOUT", "3"))
ADDRESS_SEARCH_CACHE_SECONDS = int(os.environ.get("ADDRESS_SEARCH_CACHE_SECONDS", "600"))
ADDRESS_SEARCH_MUNICIPALITY = os.environ.get("ADDRESS_SEARCH_MUNICIPALITY", "")

# Content-Security-Policy (django-csp): scripts and styles only from this site or with the page's
# nonce; no inline event handlers or style attributes anywhere. Images also from the map's tile server.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", *([tile_origin(MAP_TILE_URL)] if tile_origin(MAP_TILE_URL) else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Sessions: idle and absolute time-outs for logged-in users (SessionTimeoutMiddleware).
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(30 * 60)))
SESSION_ABSOLUTE_TIMEOUT = int(os.environ.get("SESSION_ABSOLUTE_TIMEOUT", str(10 * 3600)))
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT

# Passwords: at least 12 characters, not a common password, not like the user's name.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # A Norwegian list and the patterns built from common words (passordpassord, Sommer2026!).
    {"NAME": "servicetorg.core.passwords.PatternPasswordValidator"},
]

# Multi-factor authentication (django-otp, TOTP) for staff pages and /admin/. MFA_REQUIRED=0 turns it
# off (the development default, so the README's demo users log in with their password alone).
MFA_REQUIRED = True  # derive() decides: on unless DEV (or MFA_REQUIRED=0)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Servicetorg")

# Log-in throttling (django-axes): after AXES_FAILURE_LIMIT failures for one user name from one
# address, that pair is locked for AXES_COOLOFF_TIME hours (log-in form and /admin/).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Password spraying (core/security.py guard_login): failed log-ins per address across user names, and
# per user name across addresses, each (limit, window in seconds); at the limit the log-in form of
# that address / for that user name answers 429 until the window has passed.
LOGIN_FAILURE_LIMITS = {
    "login_address": (
        int(os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "30")),
        int(os.environ.get("LOGIN_FAILURES_PER_ADDRESS_SECONDS", "3600")),
    ),
    "login_username": (
        int(os.environ.get("LOGIN_FAILURES_PER_USERNAME", "20")),
        int(os.environ.get("LOGIN_FAILURES_PER_USERNAME_SECONDS", "3600")),
    ),
}
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # successful log-ins go to the security log instead
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "servicetorg.core.security.client_ip"
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]
# Error reports (mails to ADMINS, DEBUG pages) hide personal data and case tokens on every view.
DEFAULT_EXCEPTION_REPORTER_FILTER = "servicetorg.core.errors.ExceptionReporterFilter"

# Request limits. Rates are "<n>/<second|minute|hour|day>"; None turns a throttle off.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(2_621_440)))
FILE_UPLOAD_MAX_SIZE = int(os.environ.get("FILE_UPLOAD_MAX_SIZE", str(5 * 1024 * 1024)))
# Attachments on inquiries (inquiries/attachments.py): per file, per submission, and the types
# accepted (checked by content: Pillow opens images, a PDF must start like one).
ATTACHMENT_MAX_SIZE = int(os.environ.get("ATTACHMENT_MAX_SIZE", str(10 * 1024 * 1024)))
ATTACHMENT_MAX_FILES = int(os.environ.get("ATTACHMENT_MAX_FILES", "5"))
ATTACHMENT_TYPES = ("jpeg", "png", "webp", "pdf")
# Images (decompression bombs, review 2 §2.8): the size is read from the file's header before any
# decoding; an image over the pixel limit, or whose decoding would take more memory than
# ATTACHMENT_MAX_DECODE_BYTES (4 bytes a pixel, twice: decoded and turned upright), is refused, and so
# is a submission whose images together exceed ATTACHMENT_MAX_REQUEST_PIXELS, before any is decoded.
ATTACHMENT_MAX_PIXELS = int(os.environ.get("ATTACHMENT_MAX_PIXELS", str(24_000_000)))  # 6000 × 4000
ATTACHMENT_MAX_REQUEST_PIXELS = int(os.environ.get("ATTACHMENT_MAX_REQUEST_PIXELS", str(40_000_000)))
ATTACHMENT_MAX_DECODE_BYTES = int(os.environ.get("ATTACHMENT_MAX_DECODE_BYTES", str(200 * 1024 * 1024)))
# A multipart body may be this large (several attachments); larger is refused at the edge. A file
# over its own limit is counted but not kept (core/uploads.py), so the form can say which it was.
UPLOAD_REQUEST_MAX_SIZE = int(os.environ.get("UPLOAD_REQUEST_MAX_SIZE", str(60 * 1024 * 1024)))
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "servicetorg.core.uploads.BoundedTemporaryFileUploadHandler",
]
JSON_MAX_DEPTH = 32
# A JSON-stat 2 dataset may hold this many cells (SSB's own limit per request is 800 000), and an
# official-statistics file (benchmarking/imports.py) this many bytes; both checked before parsing.
JSONSTAT_MAX_CELLS = int(os.environ.get("JSONSTAT_MAX_CELLS", "1000000"))
OFFICIAL_IMPORT_MAX_BYTES = int(os.environ.get("OFFICIAL_IMPORT_MAX_BYTES", str(60 * 1024 * 1024)))
# Who keeps the national data every municipality reads (official statistics, KOSTRA groupings;
# benchmarking/stewards.py): the platform's operators, and the administration of these municipalities
# (numbers, comma-separated: the host of an inter-municipal installation, or a one-municipality
# installation's own). Empty: the operators only.
NATIONAL_DATA_STEWARDS = [n.strip() for n in os.environ.get("NATIONAL_DATA_STEWARDS", "").split(",")]
NATIONAL_DATA_STEWARDS = [n for n in NATIONAL_DATA_STEWARDS if n]
# Statistics Norway's PxWebApi v2 (manage.py fetch_kostra): base URL, requests a minute (SSB allows
# 30 per address), cells per request (SSB's limit: 800 000).
SSB_API_URL = os.environ.get("SSB_API_URL", "https://data.ssb.no/api/pxwebapi/v2")
SSB_REQUESTS_PER_MINUTE = int(os.environ.get("SSB_REQUESTS_PER_MINUTE", "30"))
SSB_MAX_CELLS_PER_REQUEST = int(os.environ.get("SSB_MAX_CELLS_PER_REQUEST", "800000"))
DASHBOARD_MAX_DAYS = int(os.environ.get("DASHBOARD_MAX_DAYS", str(5 * 366)))
THROTTLE_RATES = {
    "contact": os.environ.get("THROTTLE_CONTACT", "20/hour"),  # citizen contact form posts per address
    "case_message": os.environ.get("THROTTLE_CASE_MESSAGE", "30/hour"),  # citizen replies on a case
    # One-time codes of sensitive cases: asks and tries per address (the service limits per case).
    "case_code": os.environ.get("THROTTLE_CASE_CODE", "30/hour"),
    "survey": os.environ.get("THROTTLE_SURVEY", "20/hour"),  # open-link answers started per address
    "survey_code": os.environ.get("THROTTLE_SURVEY_CODE", "30/hour"),  # code and resume attempts
    "comment": os.environ.get("THROTTLE_COMMENT", "10/hour"),  # strategy comments per address
    "address_search": os.environ.get("THROTTLE_ADDRESS_SEARCH", "300/hour"),  # suggestions per address
    # "Lost the link": per address, and per case reference and per e-mail address asked about.
    "lost_link": os.environ.get("THROTTLE_LOST_LINK", "10/hour"),
    "lost_link_reference": os.environ.get("THROTTLE_LOST_LINK_REFERENCE", "3/day"),
    "lost_link_email": os.environ.get("THROTTLE_LOST_LINK_EMAIL", "5/day"),
    "open311_post": os.environ.get("THROTTLE_OPEN311_POST", "60/hour"),  # per API key (else address)
    "open311_get": os.environ.get("THROTTLE_OPEN311_GET", "600/hour"),  # per API key if sent, else address
    "citizen_act_for": os.environ.get("THROTTLE_CITIZEN_ACT_FOR", "60/hour"),  # Min side: whom she acts for
    "citizen_export": os.environ.get("THROTTLE_CITIZEN_EXPORT", "20/hour"),  # Min side: own data export
    "api_anon": os.environ.get("THROTTLE_API_ANON", "120/minute"),
    "api_user": os.environ.get("THROTTLE_API_USER", "1200/minute"),
    "api_client": os.environ.get("THROTTLE_API_CLIENT") or None,  # API-key systems: unlimited by default
}
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = [
    "servicetorg.core.security.ApiAnonThrottle",
    "servicetorg.core.security.ApiUserThrottle",
]
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXIES
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = [
    "servicetorg.core.security.BoundedJSONParser",
    "rest_framework.parsers.FormParser",
    "rest_framework.parsers.MultiPartParser",
]
# Throttle counts and axes lock-outs must be shared by every worker: CACHE_URL=redis://host:6379/1.
# Without it each process counts alone: gunicorn.conf.py refuses to start more than one worker then.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            # A frozen Redis answers nothing: give up after half a second (throttles then fail open).
            "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
        }
    }

# API docs: Swagger UI and Redoc from drf-spectacular-sidecar (served from this site, no CDN).
SPECTACULAR_SETTINGS.update(
    {
        "SWAGGER_UI_DIST": "SIDECAR",
        "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
        "REDOC_DIST": "SIDECAR",
        # No deep links: with them each operation's summary button holds a link (axe nested-interactive);
        # no syntax colours: the example JSON's colours fall short of 4.5:1 on its dark background.
        "SWAGGER_UI_SETTINGS": {"deepLinking": False, "syntaxHighlight": False},
        # Schema naming notes are not deployment checks (tests/api checks the schema itself), so
        # `check --deploy` reports only what concerns running in production.
        "ENABLE_DJANGO_DEPLOY_CHECK": False,
    }
)

# Security events (log-ins, failures, lock-outs, refusals, reads of personal data) on their own logger.
LOGGING["loggers"]["servicetorg.security"] = {"level": "INFO"}


def derive(settings: dict) -> None:
    """Set what follows from ``DEV`` and ``DEBUG`` once dev.py or production.py has decided them
    (``derive(globals())`` at their end)."""
    debug, dev = settings["DEBUG"], settings["DEV"]
    settings["STORAGES"]["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if debug
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    }
    settings["WHITENOISE_USE_FINDERS"] = debug
    settings["EMAIL_BACKEND"] = os.environ.get(
        "EMAIL_BACKEND",
        "django.core.mail.backends.console.EmailBackend"
        if debug
        else "django.core.mail.backends.smtp.EmailBackend",
    )
    # Multi-factor authentication (django-otp, TOTP) for staff pages and /admin/. MFA_REQUIRED=0 turns
    # it off (the development default, so the README's demo users log in with their password alone).
    settings["MFA_REQUIRED"] = env_bool("MFA_REQUIRED", not dev)
    if debug:
        return
    settings["SECURE_SSL_REDIRECT"] = env_bool("SECURE_SSL_REDIRECT", True)
    settings["SECURE_REDIRECT_EXEMPT"] = [r"^helse/$"]  # a load balancer's probe over plain HTTP
    settings["SECURE_HSTS_SECONDS"] = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    settings["SECURE_HSTS_PRELOAD"] = env_bool("SECURE_HSTS_PRELOAD", True)
    secure_cookies = env_bool("SECURE_COOKIES", True)
    settings["SESSION_COOKIE_SECURE"] = settings["CSRF_COOKIE_SECURE"] = secure_cookies
    if secure_cookies:  # __Host-: secure, whole site, no Domain (a sibling host cannot set them)
        settings["SESSION_COOKIE_NAME"] = "__Host-sessionid"
        settings["CSRF_COOKIE_NAME"] = "__Host-csrftoken"
