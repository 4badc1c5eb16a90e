"""Set-up mistakes, told in one line that names the fix (Vietnamese, or English when asked).

Settings raise :class:`SetupError` for what they can see themselves (a missing secret key, an
unwritable data folder); :func:`explain` turns those, and the database errors that mean the
database is unreachable, missing or not migrated, into one line. Anything else is a real fault
and is not explained away.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

from thuocdo.config import env

MESSAGES: dict[str, tuple[str, str]] = {
    "not_migrated": (
        "Cơ sở dữ liệu chưa được tạo bảng hoặc chưa cập nhật: chạy `thuocdo migrate` rồi thử lại.",
        "The database has no tables yet or is not up to date: run `thuocdo migrate` and try again.",
    ),
    "db_unreachable": (
        "Không kết nối được cơ sở dữ liệu tại {where}: kiểm tra máy chủ PostgreSQL đang chạy "
        "và biến DATABASE_URL.",
        "Cannot connect to the database at {where}: check that the PostgreSQL server is running "
        "and DATABASE_URL.",
    ),
    "db_missing": (
        "Cơ sở dữ liệu {name} chưa có trên {where}: tạo nó (`createdb {name}`) hoặc sửa "
        "DATABASE_URL.",
        "Database {name} does not exist on {where}: create it (`createdb {name}`) or correct "
        "DATABASE_URL.",
    ),
    "data_dir": (
        "Không ghi được vào thư mục dữ liệu {path}: đặt THUOCDO_DATA_DIR là một thư mục có quyền "
        "ghi.",
        "The data folder {path} cannot be written: set THUOCDO_DATA_DIR to a writable folder.",
    ),
    "secret_key": (
        "Môi trường sản xuất cần SECRET_KEY là một chuỗi ngẫu nhiên ít nhất 50 ký tự: đặt biến "
        'SECRET_KEY (ví dụ `python -c "import secrets; print(secrets.token_urlsafe(50))"`).',
        "Production needs SECRET_KEY set to a random string of at least 50 characters: set it "
        '(for example `python -c "import secrets; print(secrets.token_urlsafe(50))"`).',
    ),
    "allowed_hosts": (
        "Môi trường sản xuất cần ALLOWED_HOSTS: đặt biến ALLOWED_HOSTS là tên miền của máy chủ "
        "(ví dụ thuocdo.example.vn).",
        "Production needs ALLOWED_HOSTS: set it to the server's host names "
        "(for example thuocdo.example.vn).",
    ),
    "port_in_use": (
        "Cổng {port} trên {host} đang có chương trình khác dùng: dừng chương trình đó hoặc chạy "
        "với --addr {host}:{other}.",
        "Port {port} on {host} is already in use: stop the program using it or run with "
        "--addr {host}:{other}.",
    ),
    "bad_address": (
        "Địa chỉ {addr} không dùng được ({reason}): dùng dạng HOST:PORT, ví dụ 127.0.0.1:8000.",
        "Address {addr} cannot be used ({reason}): use HOST:PORT, for example 127.0.0.1:8000.",
    ),
}


class SetupError(ImproperlyConfigured):
    """A set-up mistake with a known fix; ``key`` names its message in :data:`MESSAGES`."""

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        vi, en = MESSAGES[self.key]
        return (en if lang == "en" else vi).format(**self.params)


def language() -> str:
    return env.locale_language()


def _where() -> tuple[str, str]:
    from django.conf import settings

    db = settings.DATABASES["default"]
    host = db.get("HOST") or "localhost"
    port = db.get("PORT") or "5432"
    return f"{host}:{port}", str(db.get("NAME") or "")


def _pending_migrations() -> bool | None:
    try:
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except Exception:
        return None


def classify(exc: BaseException) -> SetupError | None:
    """The set-up mistake behind ``exc``, or None when it is not one."""
    if isinstance(exc, SetupError):
        return exc
    from django.db import DatabaseError

    if not isinstance(exc, DatabaseError):
        return None
    text = str(exc)
    lowered = text.lower()
    if "database" in lowered and "does not exist" in lowered and "relation" not in lowered:
        where, name = _where()
        return SetupError("db_missing", where=where, name=name)
    if any(
        marker in lowered
        for marker in (
            "connection refused",
            "connection failed",
            "could not connect",
            "could not translate host name",
            "name or service not known",
            "timeout expired",
            "no route to host",
        )
    ):
        where, _name = _where()
        return SetupError("db_unreachable", where=where)
    if "unable to open database file" in lowered:
        from django.conf import settings

        return SetupError("data_dir", path=str(settings.DATA_DIR))
    if _pending_migrations():
        return SetupError("not_migrated")
    return None


def explain(exc: BaseException) -> str | None:
    """One line for a set-up mistake, in the locale's language; None for anything else."""
    found = classify(exc)
    return found.message(language()) if found else None
