"""Django settings. Everything that differs between a laptop and a county server comes from the
environment (see docs/deployment.md); the defaults give a zero-set-up demo on SQLite."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from bangfu.env import bangfu_home, env_bool, env_list, env_str, secret_from_env_or_file

BASE_DIR = Path(__file__).resolve().parent
HOME = bangfu_home()
KEY_DIR = HOME / "keys"

# 48 random bytes (64 characters): Django's deploy check asks for at least 50 characters
SECRET_KEY = secret_from_env_or_file("BANGFU_SECRET_KEY", KEY_DIR / "secret_key", nbytes=48)
# Key for personal data (ID and phone numbers) at rest; never stored in the database.
FIELD_KEY = secret_from_env_or_file("BANGFU_FIELD_KEY", KEY_DIR / "field_key")
DEBUG = env_bool("BANGFU_DEBUG", False)
ALLOWED_HOSTS = env_list("BANGFU_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("BANGFU_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # its static Swagger UI, so that /api/v1/docs loads nothing from a CDN
    "bangfu.core",
    "bangfu.regions",
    "bangfu.accounts",
    "bangfu.audit",
    "bangfu.registry",
    "bangfu.feeds",
    "bangfu.monitoring",
    "bangfu.cases",
    "bangfu.assistance",
    "bangfu.supervision",
    "bangfu.assessment",
    "bangfu.api",
    "bangfu.jobs",
    "bangfu.demo",
    "bangfu.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "bangfu.web.middleware.RequestSizeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "bangfu.web.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "bangfu.web.middleware.ChineseFirstLocaleMiddleware",
    "bangfu.web.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "bangfu.web.errors.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bangfu.urls"
WSGI_APPLICATION = "bangfu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bangfu.web.context.access",
                "bangfu.web.nav.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{HOME / 'bangfu.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        # a write waits this long for another's transaction (a background import holds one
        # while it writes) before it fails
        "timeout": 30,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # the to-do home (待办), by role
LOGOUT_REDIRECT_URL = "login"

# Login throttling: five failures lock the username from that address for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
# Behind a reverse proxy: the META key of the header it sets to the client's address (e.g.
# HTTP_X_FORWARDED_FOR); the abuse limits and axes key on it. Empty: the connection's address.
TRUSTED_PROXY_HEADER = env_str("BANGFU_TRUSTED_PROXY_HEADER", "")
AXES_IPWARE_META_PRECEDENCE_ORDER = [
    *([TRUSTED_PROXY_HEADER] if TRUSTED_PROXY_HEADER else []),
    "REMOTE_ADDR",
]
# failed logins from one address across usernames, per hour, before the address is refused
LOGIN_FAILURES_PER_ADDRESS = int(env_str("BANGFU_LOGIN_FAILURES_PER_ADDRESS", "30"))
# declarations tried (sent, valid or not) from one address on the public page, per hour
DECLARATION_ATTEMPTS_PER_HOUR = int(env_str("BANGFU_DECLARATION_ATTEMPTS_PER_HOUR", "10"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_SECURE = env_bool("BANGFU_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Behind an HTTPS reverse proxy (docs/deploy): with secure cookies on, plain HTTP is redirected
# and browsers are told to use HTTPS only (HSTS). The proxy must set X-Forwarded-Proto.
SECURE_SSL_REDIRECT = SESSION_COOKIE_SECURE
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the proxy's and the orchestrator's health checks
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SESSION_COOKIE_SECURE else None
SECURE_HSTS_SECONDS = 31_536_000 if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("BANGFU_HSTS_SUBDOMAINS", SESSION_COOKIE_SECURE)
SECURE_HSTS_PRELOAD = env_bool("BANGFU_HSTS_PRELOAD", False)
# Submitting the domain to the browsers' preload list cannot be undone quickly: it is the
# domain owner's decision (BANGFU_HSTS_PRELOAD=1), so the deploy check does not ask for it.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"  # filled by `bangfu collectstatic` in production
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Background jobs (imports, feed loads, monitoring runs started from the web) are rows in the
# database, run by `bangfu worker` (started by `bangfu serve` and `bangfu demo`): no extra
# server on the embedded default.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# A job still "running" this many hours after it started was cut off (the worker stopped or the
# machine went down): it is marked failed, and no longer holds back a new monitoring run.
# A running job beats every JOB_HEARTBEAT_SECONDS; one silent for JOB_STALE_SECONDS was cut off
# (its worker killed) and is marked failed, its upload removed (docs/jobs.md, "Recovery").
JOB_HEARTBEAT_SECONDS = float(env_str("BANGFU_JOB_HEARTBEAT_SECONDS", "10"))
JOB_STALE_SECONDS = float(env_str("BANGFU_JOB_STALE_SECONDS", "60"))
# Bounded input (docs/jobs.md): a request body, a spreadsheet's unpacked content (or a CSV's
# bytes), its rows and its cells. A file over a cap is refused before it is parsed, with the cap.
MAX_REQUEST_MB = float(env_str("BANGFU_MAX_REQUEST_MB", "20"))
MAX_SHEET_MB = float(env_str("BANGFU_MAX_SHEET_MB", "100"))
MAX_SHEET_ROWS = int(env_str("BANGFU_MAX_SHEET_ROWS", "200000"))
MAX_SHEET_CELLS = int(env_str("BANGFU_MAX_SHEET_CELLS", "2000000"))
# A case's attachments (入户核查表, 评议记录, 公示照片): a phone photo or a scanned PDF each, kept
# under BANGFU_HOME/attachments (back it up with the database; docs/deploy.md).
MAX_ATTACHMENT_MB = float(env_str("BANGFU_MAX_ATTACHMENT_MB", "10"))
ATTACHMENT_DIR = HOME / "attachments"
# Shared by the web server and the worker (a job's live progress, the declaration page's rate
# limit): files under BANGFU_HOME need no server either.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(HOME / "cache"),
    }
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "bangfu.core.logging.RedactPersonalData"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env_str("BANGFU_LOG_LEVEL", "WARNING")},
}
