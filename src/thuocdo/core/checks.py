"""Production checks of ``thuocdo check --deploy``: each insecure setting is refused with its
own message, in Vietnamese and English (the check runs outside any request language)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from thuocdo.config import env

# The SECRET_KEY of deploy/thuocdo.env.example: copying the example must not pass the check.
PLACEHOLDER_SECRET_KEY = "change-me-to-at-least-50-random-characters-from-a-password-generator"  # noqa: S105


def _production() -> bool:
    return env.get("THUOCDO_ENV") == "production"


@checks.register(checks.Tags.security, deploy=True)
def insecure_production_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.Error]:
    if not _production():
        return []
    errors: list[checks.Error] = []
    key = str(settings.SECRET_KEY)
    if key == PLACEHOLDER_SECRET_KEY or "change-me" in key.lower():
        errors.append(
            checks.Error(
                "SECRET_KEY vẫn là giá trị mẫu của deploy/thuocdo.env.example / SECRET_KEY is "
                "still the placeholder of deploy/thuocdo.env.example.",
                hint="Tạo khóa mới / make a new key: python -c 'import secrets; "
                "print(secrets.token_urlsafe(50))'",
                id="thuocdo.E001",
            )
        )
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        errors.append(
            checks.Error(
                "DATABASE_URL trống hoặc trỏ tới SQLite; môi trường production cần PostgreSQL / "
                "DATABASE_URL is empty or SQLite; production needs PostgreSQL.",
                hint="DATABASE_URL=postgres://thuocdo:…@127.0.0.1:5432/thuocdo",
                id="thuocdo.E002",
            )
        )
    if not str(getattr(settings, "REDIS_URL", "") or ""):
        errors.append(
            checks.Error(
                "REDIS_URL trống: hàng đợi và bộ đệm không dùng chung giữa các tiến trình / "
                "REDIS_URL is empty: the queue, the cache and the throttles are not shared by "
                "the processes.",
                hint="REDIS_URL=redis://127.0.0.1:6379/0",
                id="thuocdo.E003",
            )
        )
    if "*" in settings.ALLOWED_HOSTS:
        errors.append(
            checks.Error(
                "ALLOWED_HOSTS chứa '*': máy chủ trả lời mọi tên miền / ALLOWED_HOSTS holds "
                "'*': the server answers any host name.",
                hint="ALLOWED_HOSTS=thuocdo.example.vn",
                id="thuocdo.E004",
            )
        )
    plain = [o for o in settings.CSRF_TRUSTED_ORIGINS if str(o).lower().startswith("http://")]
    if plain:
        errors.append(
            checks.Error(
                "CSRF_TRUSTED_ORIGINS có nguồn không mã hóa (http://): {o} / "
                "CSRF_TRUSTED_ORIGINS holds an unencrypted (http://) origin: {o}.".format(
                    o=", ".join(plain)
                ),
                hint="CSRF_TRUSTED_ORIGINS=https://thuocdo.example.vn",
                id="thuocdo.E005",
            )
        )
    return errors
