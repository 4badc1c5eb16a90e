"""Database side of backups: consistent snapshots, dump and restore per vendor, table hashes.

- PostgreSQL: a REPEATABLE READ transaction exports its snapshot; ``pg_dump --snapshot`` dumps
  exactly that state while the same transaction counts and hashes every table.
- SQLite: the online backup API copies the database page by page under one read transaction;
  the copy is then counted and hashed.

Table hashes go through the ORM (each backend's converters give the same Python values), rows
in primary-key order (binary collation for text keys), columns in name order.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.functions import Collate
from django.db.utils import load_backend
from django.utils.translation import gettext as _

from thuocdo.ops.backup import BackupError, TableHasher

# Tables that ``migrate`` fills by itself: a database holding rows only there is still empty.
BOOKKEEPING_TABLES = frozenset({"django_migrations", "django_content_type", "auth_permission"})

# Tables whose rows never go into a backup: live sessions (a session key from an archive would
# log in as its user) and the failed-login, resume-code and contact-request counters (client
# addresses, of no use after a restore). Their structure is kept; a restored database has them empty, so every
# user logs in again. Password hashes (Argon2) and API token hashes (SHA-256 of 256-bit
# secrets, which cannot be turned back into a token) are kept: without them a restore would
# lock every account and break every integration.
SECRET_TABLES = (
    "django_session",
    "accounts_loginfailure",
    "assessments_resumefailure",
    "ecosystem_contactattempt",
)


def vendor_of(config: dict[str, Any]) -> str:
    engine = str(config["ENGINE"])
    if "postgresql" in engine:
        return "postgresql"
    if "sqlite3" in engine:
        return "sqlite"
    raise BackupError(
        _("Backups support PostgreSQL and SQLite, not %(engine)s.") % {"engine": engine}
    )


def default_config() -> dict[str, Any]:
    return dict(settings.DATABASES["default"])


@contextlib.contextmanager
def temporary_alias(config: dict[str, Any]) -> Iterator[str]:
    """A connection of its own (outside any transaction of the caller), closed afterwards.

    The wrapper is made directly and placed in this thread's connections without a settings
    entry, so Django treats it as a dynamically created connection.
    """
    alias = f"ops_{uuid.uuid4().hex[:12]}"
    full = dict(config)
    full["OPTIONS"] = dict(full.get("OPTIONS") or {})
    for key, value in (
        ("ATOMIC_REQUESTS", False),
        ("AUTOCOMMIT", True),
        ("CONN_MAX_AGE", 0),
        ("CONN_HEALTH_CHECKS", False),
        ("TIME_ZONE", None),
        ("TEST", {}),
    ):
        full.setdefault(key, value)
    wrapper = load_backend(full["ENGINE"]).DatabaseWrapper(full, alias)
    local: Any = connections._connections  # type: ignore[attr-defined]
    setattr(local, alias, wrapper)
    try:
        yield alias
    finally:
        wrapper.close()
        with contextlib.suppress(AttributeError):
            delattr(local, alias)


def _models_by_table() -> dict[str, type[models.Model]]:
    found: dict[str, type[models.Model]] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed or model._meta.auto_created:
            found.setdefault(model._meta.db_table, model)
    found.setdefault(MigrationRecorder.Migration._meta.db_table, MigrationRecorder.Migration)
    return found


def table_names(alias: str) -> list[str]:
    conn = connections[alias]
    with conn.cursor() as cursor:
        return sorted(t.name for t in conn.introspection.get_table_list(cursor) if t.type == "t")


def _hash_model(alias: str, model: type[models.Model]) -> dict[str, Any]:
    fields = sorted(model._meta.concrete_fields, key=lambda f: str(f.column))
    hasher = TableHasher(columns=tuple(str(f.column) for f in fields))
    pk = model._meta.pk
    assert pk is not None
    order: Any = pk.attname
    if connections[alias].vendor == "postgresql" and isinstance(
        pk, models.CharField | models.TextField
    ):
        order = Collate(pk.attname, "C")
    qs = model._base_manager.using(alias).order_by(order).values_list(*(f.attname for f in fields))
    for row in qs.iterator(chunk_size=5000):
        hasher.add(row)
    return hasher.result()


def _hash_raw(alias: str, table: str) -> dict[str, Any]:
    conn = connections[alias]
    with conn.cursor() as cursor:
        columns = sorted(c.name for c in conn.introspection.get_table_description(cursor, table))
        quoted = ", ".join(conn.ops.quote_name(c) for c in columns)
        cursor.execute(f"SELECT {quoted} FROM {conn.ops.quote_name(table)} ORDER BY {quoted}")  # noqa: S608
        hasher = TableHasher(columns=tuple(columns))
        while rows := cursor.fetchmany(5000):
            for row in rows:
                hasher.add(row)
    return hasher.result()


def _hash_empty(alias: str, table: str, model: type[models.Model] | None) -> dict[str, Any]:
    if model is not None:
        columns = tuple(sorted(str(f.column) for f in model._meta.concrete_fields))
    else:
        conn = connections[alias]
        with conn.cursor() as cursor:
            desc = conn.introspection.get_table_description(cursor, table)
        columns = tuple(sorted(c.name for c in desc))
    return TableHasher(columns=columns).result()


def table_stats(alias: str, *, empty: tuple[str, ...] = ()) -> dict[str, dict[str, Any]]:
    """Row count and content hash of every table of the database behind ``alias``; the tables
    in ``empty`` (left out of a dump) are counted as they will be restored: empty."""
    known = _models_by_table()
    stats = {}
    for table in table_names(alias):
        model = known.get(table)
        if table in empty:
            stats[table] = _hash_empty(alias, table, model)
        else:
            stats[table] = (
                _hash_model(alias, model) if model is not None else _hash_raw(alias, table)
            )
    return stats


def migration_state(alias: str) -> list[list[str]]:
    if "django_migrations" not in table_names(alias):
        return []
    rows = (
        MigrationRecorder.Migration.objects.using(alias)
        .order_by("app", "name")
        .values_list("app", "name")
    )
    return [[app, name] for app, name in rows]


def nonempty_tables(alias: str) -> list[str]:
    """Tables with rows, apart from what ``migrate`` writes into a new database."""
    conn = connections[alias]
    found = []
    with conn.cursor() as cursor:
        for table in table_names(alias):
            if table in BOOKKEEPING_TABLES:
                continue
            cursor.execute(f"SELECT 1 FROM {conn.ops.quote_name(table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone() is not None:
                found.append(table)
    return found


def server_version(alias: str) -> str:
    conn = connections[alias]
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT version()" if conn.vendor == "postgresql" else "SELECT sqlite_version()"
        )
        return str(cursor.fetchone()[0])


# --- PostgreSQL --------------------------------------------------------------------------------


def _pg_env(config: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = str(config["PASSWORD"])
    return env


def _pg_args(config: dict[str, Any]) -> list[str]:
    args = []
    if config.get("HOST"):
        args += ["-h", str(config["HOST"])]
    if config.get("PORT"):
        args += ["-p", str(config["PORT"])]
    if config.get("USER"):
        args += ["-U", str(config["USER"])]
    return args


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Children (pg_dump, pg_restore) end when the command that started them is killed."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _run_tool(cmd: list[str], config: dict[str, Any]) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(  # noqa: S603
            cmd,
            env=_pg_env(config),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=_die_with_parent,
        )
    except FileNotFoundError as exc:
        raise BackupError(
            _("%(tool)s is not installed; PostgreSQL backups need it.") % {"tool": cmd[0]}
        ) from exc


def _finish(proc: subprocess.Popen[bytes], tool: str) -> None:
    _out, err = proc.communicate()
    message = (err or b"").decode(errors="replace").strip()
    if proc.returncode != 0:
        raise BackupError(
            _("%(tool)s failed (exit code %(code)s): %(error)s")
            % {"tool": tool, "code": proc.returncode, "error": message}
        )


def pg_snapshot_dump(config: dict[str, Any], target: Path) -> dict[str, Any]:
    """Dump with ``pg_dump`` and hash every table, both from one exported snapshot."""
    from psycopg import IsolationLevel

    snap_config = dict(config)
    snap_config["OPTIONS"] = {
        **dict(config.get("OPTIONS") or {}),
        "isolation_level": IsolationLevel.REPEATABLE_READ,
    }
    with temporary_alias(snap_config) as alias:
        conn = connections[alias]
        conn.ensure_connection()
        conn.set_autocommit(False)
        try:
            with conn.cursor() as cursor:
                cursor.execute("SET TRANSACTION READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            proc = _run_tool(
                [
                    "pg_dump",
                    *_pg_args(config),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    *(f"--exclude-table-data={table}" for table in SECRET_TABLES),
                    f"--file={target}",
                    str(config["NAME"]),
                ],
                config,
            )
            try:
                stats = table_stats(alias, empty=SECRET_TABLES)
                migrations = migration_state(alias)
                version = server_version(alias)
            finally:
                _finish(proc, "pg_dump")
        finally:
            conn.rollback()
            conn.set_autocommit(True)
    return {"tables": stats, "migrations": migrations, "server_version": version}


def pg_restore(config: dict[str, Any], dump: Path) -> None:
    """Restore in a single transaction: a failure or a kill leaves the database as it was."""
    proc = _run_tool(
        [
            "pg_restore",
            *_pg_args(config),
            "--single-transaction",
            "--exit-on-error",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            f"--dbname={config['NAME']}",
            str(dump),
        ],
        config,
    )
    _finish(proc, "pg_restore")


# --- SQLite ----------------------------------------------------------------------------------


def sqlite_path(config: dict[str, Any]) -> str:
    return str(config["NAME"])


def is_memory(name: str) -> bool:
    return name == ":memory:" or (name.startswith("file:") and "mode=memory" in name)


def _sqlite_source(config: dict[str, Any]) -> sqlite3.Connection:
    name = sqlite_path(config)
    if is_memory(name):
        # The test database lives in memory: copy through the open connection.
        conn = connections["default"]
        conn.ensure_connection()
        raw = conn.connection
        assert isinstance(raw, sqlite3.Connection)
        return raw
    return sqlite3.connect(name, timeout=30)


def sqlite_snapshot_copy(config: dict[str, Any], target: Path) -> dict[str, Any]:
    """Copy the live database with the online backup API, then hash the copy."""
    source = _sqlite_source(config)
    dest = sqlite3.connect(str(target))
    try:
        source.backup(dest)
        dest.execute("PRAGMA journal_mode=DELETE")
        present = {
            row[0] for row in dest.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        for table in SECRET_TABLES:
            if table in present:
                dest.execute(f'DELETE FROM "{table}"')  # noqa: S608 - a constant name
        dest.commit()
        dest.execute("VACUUM")  # no trace of the deleted rows in free pages
    finally:
        dest.close()
        if source is not connections["default"].connection:
            source.close()
    copy_config = {**config, "NAME": str(target), "OPTIONS": {}}
    with temporary_alias(copy_config) as alias:
        return {
            "tables": table_stats(alias),
            "migrations": migration_state(alias),
            "server_version": server_version(alias),
        }


def sqlite_restore(config: dict[str, Any], copy: Path) -> None:
    """Write the copy into the live database with the backup API, in one transaction."""
    name = sqlite_path(config)
    if is_memory(name):
        raise BackupError(_("Restoring into an in-memory database is not supported."))
    Path(name).parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(str(copy))
    dest = sqlite3.connect(name, timeout=30)
    try:
        mode = dest.execute("PRAGMA journal_mode").fetchone()[0]
        source.backup(dest)
        dest.execute(f"PRAGMA journal_mode={mode}")
    finally:
        source.close()
        dest.close()


def close_all() -> None:
    for conn in connections.all(initialized_only=True):
        _close(conn)


def _close(conn: BaseDatabaseWrapper) -> None:
    with contextlib.suppress(Exception):
        conn.close()
