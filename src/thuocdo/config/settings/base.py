"""Settings shared by every environment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url

from thuocdo.config import env

PACKAGE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = env.data_dir()

SECRET_KEY = env.get("SECRET_KEY") or "dev-only-insecure-key-change-me"
DEBUG = False
ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.get_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "huey.contrib.djhuey",
    "thuocdo.core",
    "thuocdo.geo",
    "thuocdo.accounts",
    "thuocdo.frameworks",
    "thuocdo.assessments",
    "thuocdo.analytics",
    "thuocdo.publishing",
    "thuocdo.ecosystem",
    "thuocdo.indicators",
    "thuocdo.plans",
    "thuocdo.dti",
    "thuocdo.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "thuocdo.core.middleware.Utf8QueryMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "thuocdo.core.middleware.IdleSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "thuocdo.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "thuocdo.config.urls"
WSGI_APPLICATION = "thuocdo.config.wsgi.application"

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
                "thuocdo.core.context_processors.shell",
            ],
        },
    },
]


def database_config(url: str) -> dict[str, Any]:
    """Database settings from a URL; SQLite gets WAL and immediate transactions."""
    if not url:
        url = f"sqlite:///{DATA_DIR / 'thuocdo.sqlite3'}"
    # persistent connections (checked before reuse) spare each request a new connection
    config: dict[str, Any] = dict(
        dj_database_url.parse(
            url, conn_max_age=env.get_int("DB_CONN_MAX_AGE"), conn_health_checks=True
        )
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
    else:
        config.setdefault("OPTIONS", {})
    return config


DATABASES = {"default": database_config(env.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_FAILURE_LIMIT = env.get_int("LOGIN_FAILURE_LIMIT")
ANALYTICS_READER_WAIT_AFTER = env.get_int("ANALYTICS_READER_WAIT_AFTER")
WEB_NODES = env.get_int("THUOCDO_WEB_NODES")
LOGIN_DELAY_SECONDS = env.get_int("LOGIN_DELAY_SECONDS")
LOGIN_LOCK_MINUTES = env.get_int("LOGIN_LOCK_MINUTES")
LOGIN_ADDRESS_LIMIT = env.get_int("LOGIN_ADDRESS_LIMIT")
TRUSTED_PROXIES = env.get_list("THUOCDO_TRUSTED_PROXIES")
SESSION_IDLE_MINUTES = env.get_int("SESSION_IDLE_MINUTES")
SESSION_COOKIE_AGE = env.get_int("SESSION_MAX_HOURS") * 3600
RESUME_FAILURE_LIMIT = env.get_int("RESUME_FAILURE_LIMIT")
CONTACT_LIMIT_PER_RESPONSE = env.get_int("CONTACT_LIMIT_PER_RESPONSE")
CONTACT_LIMIT_PER_ADDRESS = env.get_int("CONTACT_LIMIT_PER_ADDRESS")

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
# dates and numbers written the Vietnamese way (07/12/2026, 47,99), the English way under en
FORMAT_MODULE_PATH = ["thuocdo.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

MAX_UPLOAD_BYTES = env.get_int("MAX_UPLOAD_MB") * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

REDIS_URL = env.get("REDIS_URL")
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "thuocdo", "url": REDIS_URL, "immediate": False}
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "thuocdo",
        "filename": str(DATA_DIR / "queue.sqlite3"),
        "immediate": False,
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

EMAIL_BACKEND = env.get("EMAIL_BACKEND")
EMAIL_HOST = env.get("EMAIL_HOST")
EMAIL_PORT = env.get_int("EMAIL_PORT")
EMAIL_HOST_USER = env.get("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env.get("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env.get("EMAIL_USE_TLS") == "1"
EMAIL_TIMEOUT = env.get_int("EMAIL_TIMEOUT")
DEFAULT_FROM_EMAIL = env.get("DEFAULT_FROM_EMAIL")
SITE_URL = env.get("SITE_URL").rstrip("/")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

NINJA_PAGINATION_MAX_LIMIT = 500

BACKUP_DIR = env.get("BACKUP_DIR") or str(DATA_DIR / "backups")
BACKUP_KEEP = env.get_int("BACKUP_KEEP")
BACKUP_COPY_TO = env.get("BACKUP_COPY_TO")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.get("LOG_LEVEL")},
    # The worker's own logger, configured here so that huey's consumer does not add a second
    # handler of its own (every line would be printed twice, once through the root).
    "loggers": {
        "huey": {"handlers": ["console"], "level": env.get("LOG_LEVEL"), "propagate": False}
    },
}
