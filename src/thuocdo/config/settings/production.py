"""Production settings: PostgreSQL, HTTPS-only cookies, HSTS, a real secret key."""

from thuocdo.config import env
from thuocdo.config.setup_errors import SetupError

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env.get("SECRET_KEY")
if len(SECRET_KEY) < 50:
    raise SetupError("secret_key")
if not env.is_set("ALLOWED_HOSTS"):
    raise SetupError("allowed_hosts")

SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
