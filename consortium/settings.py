"""Settings for the consortium platform, read from the environment.

Every variable is documented in `.env.example`. With nothing set the project runs as a
development demo: SQLite under var/, Celery tasks run eagerly, e-mails written to var/mail/.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _refuse(message: str) -> None:
    # One clear line instead of a traceback: this is what an operator sees first.
    sys.stderr.write(f"Configuration error: {message}\n")
    raise SystemExit(2)


DEBUG = env_bool("DJANGO_DEBUG", True)

# Development only: with DJANGO_DEBUG off the settings refuse to start with this key.
_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105
SECRET_KEY = env_str("DJANGO_SECRET_KEY", _DEV_SECRET_KEY)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "testserver"}
if SECRET_KEY == _DEV_SECRET_KEY and set(ALLOWED_HOSTS) - LOCAL_HOSTS:
    # A forgotten DJANGO_DEBUG must not put a public site on the published key.
    _refuse("DJANGO_ALLOWED_HOSTS names a public host: set DJANGO_SECRET_KEY to a random string of 50+ characters.")
if not DEBUG:
    if SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        _refuse("DJANGO_DEBUG is off: set DJANGO_SECRET_KEY to a random string of 50+ characters.")
    if not ALLOWED_HOSTS:
        _refuse("DJANGO_DEBUG is off: set DJANGO_ALLOWED_HOSTS to the site's host names.")
    if not os.environ.get("SITE_URL"):
        _refuse("DJANGO_DEBUG is off: set SITE_URL to the site's address, e.g. https://careers.example.org.")

SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.forms",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.usersessions",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_countries",
    "csp",
    "consortium",
    "jobs",
    "guides",
    "training",
    "summerschools",
    "matching",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "consortium.middleware.StaffSessionLimitMiddleware",
    "consortium.middleware.UserPreferencesMiddleware",
    "consortium.middleware.RequestSizeLimitMiddleware",
    "consortium.middleware.RequireMfaMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "consortium.urls"
WSGI_APPLICATION = "consortium.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "consortium.context_processors.navigation",
            ],
        },
    },
]

# Widgets take Bootstrap's classes from the overrides in templates/django/forms/.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: SQLite under var/ unless DATABASE_URL names another.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Our queries are short: compiling them to machine code (JIT) costs more than it saves,
    # 190 ms on a facet count that runs in 110 ms without it (bench/jobs_search.py).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Template fragments that never change while the process runs (base.html's links, per language and role):
# kept in the process's own memory, nearer than Redis.
CACHES["fragments"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments"}

AUTH_USER_MODEL = "consortium.User"
AUTHENTICATION_BACKENDS = [
    "consortium.backends.ModelBackend",
    "consortium.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# Sessions. Staff sessions are further limited by StaffSessionLimitMiddleware.
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
# With Redis, sessions are read from the cache and written to both it and the database: one query fewer
# on every page of a signed-in person. Without it, not: a session ended in one process would live on in
# the local memory of the others.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
STAFF_SESSION_MAX_AGE = timedelta(hours=12)
STAFF_SESSION_IDLE_TIMEOUT = timedelta(minutes=30)

# django-allauth
ACCOUNT_ADAPTER = "consortium.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "consortium.adapters.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_FORMS = {"signup": "consortium.forms.StudentSignupForm"}
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Consortium] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
MFA_ADAPTER = "consortium.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Career Consortium"
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
# Sessions are recorded at sign-in (so that deactivation can end them all); tracking each request's
# activity would cost five queries on every page.
USERSESSIONS_TRACK_ACTIVITY = False

# Internationalisation
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("it", _("Italian")),
    ("fr", _("French")),
    ("de", _("German")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files, served by WhiteNoise in every environment.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# The largest body any request may carry, refused before anything reads it (RequestSizeLimitMiddleware):
# Django keeps form fields to DATA_UPLOAD_MAX_MEMORY_SIZE but writes files of any size to disk before a
# form can refuse them. The largest file a form takes (the resource library's, 20 MB) with room for the
# form's other fields.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 21 * 1024 * 1024)

# E-mail: files under var/mail/ unless an SMTP server is configured.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Career Consortium <no-reply@consortium.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# Celery: eager in-process unless a broker is configured.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Django REST framework and the OpenAPI schema
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "consortium.api.framework.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "consortium.api.framework.HasScope",
    ],
    "DEFAULT_PARSER_CLASSES": ["consortium.api.framework.LimitedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["consortium.api.framework.FastJSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["consortium.api.framework.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "consortium.api.framework.SyncCursorPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "consortium.api.framework.problem_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "consortium.api.framework.ApiKeyRateThrottle",
        "consortium.api.framework.UserRateThrottle",
        "consortium.api.framework.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_key": env_str("API_RATE_PER_KEY", "1200/min"),
        "user": env_str("API_RATE_PER_USER", "300/min"),
        "anon": env_str("API_RATE_ANONYMOUS", "60/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # OPTIONS answers 405: the schema at /api/schema/ describes every endpoint instead.
    "DEFAULT_METADATA_CLASS": None,
}
API_MAX_BODY_BYTES = 1024 * 1024
# Sync lists hold back rows changed this recently (see SyncCursorPagination).
SYNC_SETTLE_SECONDS = env_int("SYNC_SETTLE_SECONDS", 5)

# Support desk: the consortium's agreed service levels.
SUPPORT_FIRST_RESPONSE_WORKING_DAYS = env_int("SUPPORT_FIRST_RESPONSE_WORKING_DAYS", 3)
SUPPORT_AUTO_CLOSE_DAYS = env_int("SUPPORT_AUTO_CLOSE_DAYS", 14)

# Weekly digest: due on this ISO weekday (1 = Monday) at this hour (UTC); sent in chunks of people.
DIGEST_WEEKDAY = env_int("DIGEST_WEEKDAY", 1)
DIGEST_HOUR = env_int("DIGEST_HOUR", 7)
DIGEST_CHUNK_SIZE = env_int("DIGEST_CHUNK_SIZE", 500)
if not (1 <= DIGEST_WEEKDAY <= 7 and 0 <= DIGEST_HOUR <= 23 and DIGEST_CHUNK_SIZE >= 1):
    raise ImproperlyConfigured("DIGEST_WEEKDAY must be 1–7, DIGEST_HOUR 0–23 and DIGEST_CHUNK_SIZE at least 1.")

# Webhooks. Plain HTTP and private addresses are for development: in production they would let a
# partner admin make the platform call into its own network.
WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", DEBUG)
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", DEBUG)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
API_DESCRIPTION = """The REST API for the systems of member universities.

**Authentication.** Send `Authorization: Api-Key <key>` with a key a partner admin created in the
institution's admin area; what a key may write depends on its scopes. Signed-in people use their session.

**Errors** are RFC 9457 problem details (`application/problem+json`); `errors` names each invalid field.

**Sync.** Lists are ordered by `updated_at` and paginated with a cursor: pass `updated_since` to fetch
only changes, then follow `next` until it is null.

**Webhooks.** Each request carries `X-Consortium-Signature: t=<unix time>,v1=<signature>`, an
HMAC-SHA256 of `<t>.<raw body>` keyed with the endpoint's secret. Verify it before trusting the body:

```python
import hashlib, hmac, time

def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    fields = dict(part.split("=", 1) for part in header.split(","))
    timestamp, signature = int(fields["t"]), fields["v1"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature) and abs(time.time() - timestamp) <= tolerance
```

Answer with a 2xx status within 10 seconds; anything else is retried with growing pauses for 24 hours.
`X-Consortium-Delivery` is the event id: the same event may arrive twice, so ignore ids already seen.
"""
SPECTACULAR_SETTINGS = {
    "TITLE": "Career Consortium API",
    "DESCRIPTION": API_DESCRIPTION,
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets several endpoints share, under one name each.
    "ENUM_NAME_OVERRIDES": {
        "FieldOfStudyEnum": "consortium.models.people.FieldOfStudy",
        "SupportStatusEnum": "consortium.models.support.SupportStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "consortium.api.framework.add_problem_responses",
    ],
}

# Security headers. The CSP allows no inline script or style anywhere.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # Load balancers probe over plain HTTP inside the private network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INVITATION_VALIDITY = timedelta(days=7)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
