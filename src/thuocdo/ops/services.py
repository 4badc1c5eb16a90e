"""Backups: create, verify, restore and rotate (the operations the CLI and the scheduled job call)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thuocdo.accounts.models import User
from thuocdo.accounts.services import audit_record
from thuocdo.config import env
from thuocdo.ops import backup, dbdump
from thuocdo.ops.backup import BackupError

SECRET_SETTINGS = frozenset({"SECRET_KEY"})
STATUS_INTACT = gettext_lazy("intact: every member matches its SHA-256")
MSG_INTERRUPTED = gettext_lazy(
    "Warning: the restore of %(file)s was interrupted; run it again with --force."
)
STATUS_RESTORED = gettext_lazy("restored: every table matches the backup (rows and content hash)")
RESTORE_MARKER = ".restore-in-progress"
GENERATION_RE = re.compile(r"^thuocdo-\d{8}-\d{6}(-\d+)?\.tdbk$")


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))


def _product_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("thuocdo")
    except PackageNotFoundError:
        return "unknown"


def settings_snapshot() -> dict[str, Any]:
    """The settings a restore needs to know about, without secrets or passwords."""
    values: dict[str, Any] = {}
    for setting in env.SETTINGS:
        if setting.name in SECRET_SETTINGS:
            values[setting.name] = "<hidden>"
            continue
        value = env.get(setting.name)
        values[setting.name] = _without_password(value) if "://" in value else value
    db = dbdump.default_config()
    return {
        "environment": values,
        "database": {k: db.get(k) for k in ("ENGINE", "NAME", "HOST", "PORT", "USER")},
        "media_root": str(settings.MEDIA_ROOT),
        "time_zone": settings.TIME_ZONE,
        "language_code": settings.LANGUAGE_CODE,
        "installed_apps": list(settings.INSTALLED_APPS),
    }


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    interrupted_before: bool = False

    def summary(self) -> dict[str, Any]:
        tables = self.manifest["tables"]
        return {
            "file": str(self.path),
            "created_at": self.manifest["created_at"],
            "vendor": self.manifest["database"]["vendor"],
            "tables": len(tables),
            "rows": sum(t["rows"] for t in tables.values()),
            "media_files": self.manifest.get("media", {}).get("files", 0),
            "bytes": self.path.stat().st_size if self.path.exists() else None,
            **({"previous_restore_interrupted": True} if self.interrupted_before else {}),
        }


def backup_create(*, output: Path, actor: User | None = None) -> BackupResult:
    """Write a consistent archive of the whole database, the uploaded files and the settings.

    Not wrapped in a transaction on purpose: the snapshot is read on a connection of its own
    while writers carry on; the audit event is written afterwards, in its own transaction.
    """
    config = dbdump.default_config()
    vendor = dbdump.vendor_of(config)
    output = Path(output)
    created = timezone.now()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".thuocdo-backup-", dir=output.parent) as tmp:
        staging = Path(tmp)
        members: dict[str, Path] = {}
        db_member = backup.DB_MEMBERS[vendor]
        if vendor == "postgresql":
            db_file = staging / db_member
            snap = dbdump.pg_snapshot_dump(config, db_file)
        else:
            raw = staging / "database.sqlite3"
            snap = dbdump.sqlite_snapshot_copy(config, raw)
            db_file = staging / db_member
            backup.gzip_file(raw, db_file)
            raw.unlink()
        members[db_member] = db_file
        media_file = staging / backup.MEDIA
        media = backup.pack_media(Path(settings.MEDIA_ROOT), media_file)
        members[backup.MEDIA] = media_file
        settings_file = staging / backup.SETTINGS
        settings_file.write_text(
            json.dumps(settings_snapshot(), ensure_ascii=False, indent=2, default=str),
            encoding="utf-8",
        )
        members[backup.SETTINGS] = settings_file
        manifest = {
            "format": backup.FORMAT,
            "format_version": backup.FORMAT_VERSION,
            "created_at": created.isoformat(),
            "product_version": _product_version(),
            "database": {
                "vendor": vendor,
                "server_version": snap["server_version"],
                "member": db_member,
            },
            "migrations": snap["migrations"],
            "tables": snap["tables"],
            "media": media,
        }
        backup.write_archive(output, members, manifest)
    _audit(actor, "backup.create", output, manifest)
    return BackupResult(path=output, manifest=manifest)


@transaction.atomic
def _audit(actor: User | None, action: str, path: Path, manifest: dict[str, Any]) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="ops.backup",
        object_id=path.name,
        after={
            "file": str(path),
            "created_at": manifest["created_at"],
            "vendor": manifest["database"]["vendor"],
            "rows": sum(t["rows"] for t in manifest["tables"].values()),
        },
    )


def backup_verify(*, path: Path) -> BackupResult:
    """Check the archive's structure, manifest and every member's size and SHA-256."""
    verified = backup.verify_archive(Path(path))
    return BackupResult(path=Path(path), manifest=verified.manifest)


def _media_nonempty(root: Path) -> bool:
    return root.is_dir() and any(p.is_file() for p in root.rglob("*"))


def database_nonempty() -> list[str]:
    config = dbdump.default_config()
    if dbdump.vendor_of(config) == "sqlite":
        name = dbdump.sqlite_path(config)
        if not dbdump.is_memory(name) and not Path(name).exists():
            return []
    return dbdump.nonempty_tables("default")


def backup_restore(*, path: Path, force: bool = False, actor: User | None = None) -> BackupResult:
    """Restore the database and uploaded files from a verified archive.

    Refuses a database that already holds data (or uploaded files) unless ``force``. The
    database is replaced in one transaction, so a failure or a kill leaves the old state.
    Afterwards every table is counted and hashed again and compared with the manifest.
    A marker file says a restore is under way; if the process is killed, the marker stays and
    the next ``backup verify`` names the archive to restore again (``--force``).
    """
    path = Path(path)
    manifest = backup.verify_archive(path).manifest
    config = dbdump.default_config()
    vendor = dbdump.vendor_of(config)
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(
            _("The backup holds a %(backup)s database; this installation uses %(here)s.")
            % {"backup": manifest["database"]["vendor"], "here": vendor}
        )
    media_root = Path(settings.MEDIA_ROOT)
    if not force:
        tables = database_nonempty()
        if tables:
            shown = ", ".join(tables[:5]) + (" …" if len(tables) > 5 else "")
            raise BackupError(
                _(
                    "The database is not empty (%(count)s tables hold data: %(tables)s). "
                    "Restore into an empty database, or add --force to replace it."
                )
                % {"count": len(tables), "tables": shown}
            )
        if _media_nonempty(media_root):
            raise BackupError(
                _(
                    "The folder of uploaded files %(folder)s is not empty. "
                    "Empty it, or add --force to replace it."
                )
                % {"folder": str(media_root)}
            )
    media_root.parent.mkdir(parents=True, exist_ok=True)
    for stale in media_root.parent.glob(".thuocdo-restore-*"):  # left by an interrupted restore
        shutil.rmtree(stale, ignore_errors=True)
    marker = media_root.parent / RESTORE_MARKER
    interrupted = marker.exists()
    marker.write_text(str(path), encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix=".thuocdo-restore-", dir=media_root.parent) as tmp:
        staging = Path(tmp)
        files = backup.extract_archive(path, manifest, staging / "members")
        new_media = staging / "media"
        backup.unpack_media(files[backup.MEDIA], new_media)
        dump = files[manifest["database"]["member"]]
        dbdump.close_all()
        if vendor == "postgresql":
            dbdump.pg_restore(config, dump)
        else:
            raw = staging / "database.sqlite3"
            backup.gunzip_file(dump, raw)
            dbdump.sqlite_restore(config, raw)
        _swap_media(media_root, new_media, staging / "old-media")
    with dbdump.temporary_alias(config) as alias:
        actual = dbdump.table_stats(alias)
    problems = backup.compare_tables(manifest["tables"], actual)
    result = BackupResult(
        path=path, manifest=manifest, problems=problems, interrupted_before=interrupted
    )
    if problems:
        raise BackupError(
            _("The restored database differs from the backup: %(problems)s.")
            % {"problems": "; ".join(problems)}
        )
    marker.unlink(missing_ok=True)
    with contextlib.suppress(Exception):  # an older schema may lack the audit table
        _audit(actor, "backup.restore", path, manifest)
    return result


def restore_interrupted() -> str | None:
    """The archive of a restore that was interrupted (killed) and not redone, if any."""
    marker = Path(settings.MEDIA_ROOT).parent / RESTORE_MARKER
    return marker.read_text(encoding="utf-8") if marker.exists() else None


def _swap_media(root: Path, new: Path, old: Path) -> None:
    if root.exists():
        root.replace(old)
    new.replace(root)
    shutil.rmtree(old, ignore_errors=True)


def _generation_name(now: dt.datetime, directory: Path) -> Path:
    base = f"thuocdo-{now:%Y%m%d-%H%M%S}"
    candidate = directory / f"{base}.tdbk"
    n = 1
    while candidate.exists():
        candidate = directory / f"{base}-{n}.tdbk"
        n += 1
    return candidate


def generations(directory: Path) -> list[Path]:
    """Backups in a folder made by rotation, oldest first."""
    if not directory.is_dir():
        return []
    return sorted(
        (p for p in directory.iterdir() if p.is_file() and GENERATION_RE.match(p.name)),
        key=lambda p: (p.stat().st_mtime, p.name),
    )


def _prune(directory: Path, keep: int) -> list[str]:
    found = generations(directory)
    removed = []
    for old in found[: max(0, len(found) - keep)]:
        old.unlink()
        removed.append(old.name)
    return removed


def backup_rotate(
    *, directory: Path, keep: int, copy_to: Path | None = None, actor: User | None = None
) -> dict[str, Any]:
    """Make a new generation in ``directory``, copy it (verified) to ``copy_to``, keep ``keep``."""
    if keep < 1:
        raise BackupError(_("--keep must be at least 1."))
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if copy_to is not None and Path(copy_to).resolve() == directory.resolve():
        raise BackupError(_("The second copy must go to another folder than the first."))
    target = _generation_name(timezone.localtime(), directory)
    result = backup_create(output=target, actor=actor)
    out: dict[str, Any] = {"created": str(target), "removed": _prune(directory, keep)}
    if copy_to is not None:
        copy_dir = Path(copy_to)
        copy_dir.mkdir(parents=True, exist_ok=True)
        copy = copy_dir / target.name
        part = copy.with_name(copy.name + ".part")
        part.unlink(missing_ok=True)
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out_file, target.open("rb") as in_file:
            shutil.copyfileobj(in_file, out_file)
        try:
            backup.verify_archive(part)
        except BackupError:
            part.unlink(missing_ok=True)
            raise
        part.replace(copy)
        out["copied"] = str(copy)
        out["removed_copies"] = _prune(copy_dir, keep)
    out["rows"] = result.summary()["rows"]
    return out
