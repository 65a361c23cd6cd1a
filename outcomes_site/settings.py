"""Settings for Outcomes, all read from the environment (see README, "Configuration").

With nothing set the app runs for development on SQLite with tasks run in-process; production
sets DATABASE_URL (PostgreSQL), CELERY_BROKER_URL (Redis), SECRET_KEY and ALLOWED_HOSTS.
"""

from pathlib import Path

import plotly
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from outcomes_site.env import (
    env_bool,
    env_broker_url,
    env_cache,
    env_clock_time,
    env_database,
    env_int,
    env_int_map,
    env_list,
    env_path,
    env_single_sign_on,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = env_path("OUTCOMES_VAR_DIR", BASE_DIR / "var")

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "development-only-insecure-key"  # noqa: S105 - only with DEBUG on
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1"])

# Data visible to anonymous visitors: published indicators only, when switched on.
PUBLIC_READ = env_bool("PUBLIC_READ", default=False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "axes",
    "csp",
    "ninja",  # the API docs' templates and Swagger UI static files
    "indicators",
    "ingest",
    "reporting",
    "explorer",
    "demo",
    "outcomes_site.apps.OutcomesSiteConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "outcomes_site.middleware.RejectNullCharactersMiddleware",
    "outcomes_site.middleware.RejectUnreadableRequestDataMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "outcomes_site.access.AccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "outcomes_site.middleware.SessionTimeoutMiddleware",
    "indicators.audit.AuditContextMiddleware",
    "indicators.system.SystemMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "outcomes_site.urls"
WSGI_APPLICATION = "outcomes_site.wsgi.application"

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
                "outcomes_site.context_processors.data_status",
                "outcomes_site.context_processors.system",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# A session lasts at most SESSION_COOKIE_AGE from sign-in, ends after SESSION_IDLE_TIMEOUT
# without a request (outcomes_site.middleware) and when the browser closes. Changing a
# password ends the user's other sessions (Django's session auth hash).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60, minimum=60)
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Repeated failed sign-ins (the site's and the admin's) lock out that username from that
# address for AXES_COOLOFF_MINUTES: django-axes, which also counts attempts in the database.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "outcomes_site.views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
# The client address comes from REMOTE_ADDR unless a trusted proxy sets a header
# (AXES_IPWARE_META_PRECEDENCE_ORDER); a client-supplied header must never be believed.
AXES_IPWARE_META_PRECEDENCE_ORDER = tuple(env_list("CLIENT_IP_HEADERS", ["REMOTE_ADDR"]))
# The single sign-on reply's code and state are single-use, but not for the sign-in records.
AXES_SENSITIVE_PARAMETERS = ["code", "state"]

# Single sign-on with OpenID Connect (README, "Single sign-on"): off unless OIDC_ISSUER is set.
# With LOCAL_LOGIN off, passwords sign in superusers only (the break-glass account).
SINGLE_SIGN_ON = env_single_sign_on()
LOCAL_LOGIN = env_bool("LOCAL_LOGIN", default=True)
if not LOCAL_LOGIN and SINGLE_SIGN_ON is None:
    raise ImproperlyConfigured("LOCAL_LOGIN=false needs single sign-on: set OIDC_ISSUER too")
if not LOCAL_LOGIN:
    AUTHENTICATION_BACKENDS[1] = "outcomes_site.sso.PasswordBackend"
if SINGLE_SIGN_ON is not None:
    AUTHENTICATION_BACKENDS.append("outcomes_site.sso.SingleSignOnBackend")

# --- HTTPS and browser protections ------------------------------------------------------
# HTTPS defaults on unless DEBUG: secure cookies, redirect to https and HSTS. TLS usually
# ends at a proxy that sets X-Forwarded-Proto (PROXY_SSL_HEADER); the proxy must overwrite
# any such header a client sends. `make demo` (DEBUG on) and the test suite run over http.
HTTPS = env_bool("HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # compose and load balancers probe over http
_proxy_ssl_header = env_str("PROXY_SSL_HEADER", "X-Forwarded-Proto")
if HTTPS and _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _proxy_ssl_header.upper().replace("-", "_"),
        "https",
    )
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 365 * 24 * 60 * 60, minimum=0) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp): scripts only from our own static files, never
# inline. plotly.js adds <style> elements for its charts, so styles need 'unsafe-inline'
# (README, "Security"); it needs no eval and no workers for the trace types we draw.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# plotly.js is served from the installed plotly package (no CDN), at /static/plotly/.
STATICFILES_DIRS = [BASE_DIR / "static", ("plotly", Path(plotly.__file__).parent / "package_data")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploaded extracts live outside the static root, never served directly.
MEDIA_ROOT = env_path("MEDIA_ROOT", VAR_DIR / "media")
if any(
    Path(MEDIA_ROOT).resolve().is_relative_to(Path(static).resolve())
    for static in [STATIC_ROOT, BASE_DIR / "static"]
):
    raise ImproperlyConfigured("MEDIA_ROOT must not be inside the static files folders")
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 200 * 1024 * 1024, minimum=1024)
INGEST_DROP_DIR = env_path("INGEST_DROP_DIR", VAR_DIR / "drop")
# An extract that validates waits for an analyst to review and publish it, unless this is on
# (automated feeds keep going live as they validate).
INGEST_AUTO_PUBLISH = env_bool("INGEST_AUTO_PUBLISH", default=False)

# Fingertips refresh (README, "Fingertips refresh"): the public API, an optional proxy (NHS
# networks), how long to wait for an answer, Fingertips' area type ids for ours (Fingertips
# renumbers local authority types as they change: override with local_authority=NNN), and an
# optional daily time for Celery beat to refresh every indicator with a Fingertips id.
FINGERTIPS_API_URL = env_url("FINGERTIPS_API_URL", "https://fingertips.phe.org.uk/api")
FINGERTIPS_PROXY = env_url("FINGERTIPS_PROXY")
FINGERTIPS_TIMEOUT_SECONDS = env_int("FINGERTIPS_TIMEOUT_SECONDS", 60, minimum=1)
FINGERTIPS_AREA_TYPES = env_int_map(
    "FINGERTIPS_AREA_TYPES",
    {"ons_region": 6, "icb": 221, "sub_icb": 66, "local_authority": 502, "district": 501},
)
FINGERTIPS_REFRESH_AT = env_clock_time("FINGERTIPS_REFRESH_AT")

# Celery: a real Redis broker when CELERY_BROKER_URL is set; otherwise tasks run in-process.
CELERY_BROKER_URL = env_broker_url("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_broker_url("CELERY_RESULT_BACKEND") or CELERY_BROKER_URL or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "outcomes")
CELERY_TIMEZONE = TIME_ZONE  # beat's crontab times (FINGERTIPS_REFRESH_AT) are local time
CELERY_BEAT_SCHEDULE = {
    "scan-drop-folder": {
        "task": "ingest.scan_drop_folder",
        "schedule": env_int("INGEST_DROP_SCAN_SECONDS", 60, minimum=5),
    },
    # Extracts uploaded while Redis was down wait, kept, until this hands them over.
    "dispatch-waiting-extracts": {"task": "ingest.dispatch_waiting_extracts", "schedule": 60},
    # Scheduled publications, at the start of every minute; their times are in the database.
    "publish-due-extracts": {"task": "ingest.publish_due_extracts", "schedule": crontab()},
}
if FINGERTIPS_REFRESH_AT is not None:
    CELERY_BEAT_SCHEDULE["fingertips-refresh"] = {
        "task": "ingest.fingertips_refresh",
        "schedule": crontab(hour=FINGERTIPS_REFRESH_AT[0], minute=FINGERTIPS_REFRESH_AT[1]),
    }

# One cache for every web process and worker: Redis (REDIS_URL, else a Redis broker), which
# being down costs speed, never an answer; the in-process cache otherwise.
CACHES = {"default": env_cache("REDIS_URL", broker_url=CELERY_BROKER_URL)}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
}
