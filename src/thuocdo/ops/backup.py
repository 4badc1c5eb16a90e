"""The backup archive format: writing, reading and verifying, and the canonical table hash.

A backup is an uncompressed tar whose members are compressed one by one:

- ``database.pgdump`` (PostgreSQL, ``pg_dump`` custom format, compressed by ``pg_dump``) or
  ``database.sqlite3.gz`` (SQLite, an online-backup copy, gzip);
- ``media.tar.gz``: the uploaded files (``MEDIA_ROOT``);
- ``settings.json``: the settings needed to restore, without secrets;
- ``manifest.json`` (last): format version, creation time, database vendor, migration state,
  row count and content hash per table, and the size and SHA-256 of every other member.

This module knows nothing about the database: the table statistics are computed elsewhere
(``ops/dbdump.py``) and handed in; the only Django import is ``gettext`` for messages.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.utils.translation import gettext as _

FORMAT = "thuocdo-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SETTINGS = "settings.json"
MEDIA = "media.tar.gz"
DB_MEMBERS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3.gz"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup that cannot be written, verified or restored; the message says why (translated)."""


# --- canonical values and table hashes ------------------------------------------------------


def canonical(value: Any) -> Any:
    """A JSON-able form of a database value that is the same on SQLite and PostgreSQL."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return (value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    return str(value)


@dataclass
class TableHasher:
    """Row count and SHA-256 of a table's rows in primary-key order, canonically serialised."""

    columns: tuple[str, ...]
    rows: int = 0

    def __post_init__(self) -> None:
        self._hash = hashlib.sha256()
        self._hash.update(json.dumps(list(self.columns)).encode() + b"\n")

    def add(self, row: Iterable[Any]) -> None:
        # JSON types go through as they are (floats as their shortest repr, dict keys sorted);
        # the others (instants, decimals, bytes, …) get their canonical form.
        line = json.dumps(
            list(row),
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
            default=canonical,
            allow_nan=True,
        )
        self._hash.update(line.encode() + b"\n")
        self.rows += 1

    def result(self) -> dict[str, Any]:
        return {"rows": self.rows, "sha256": self._hash.hexdigest()}


def compare_tables(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Differences between two ``{table: {"rows", "sha256"}}`` maps, as translated sentences."""
    problems = []
    for name in sorted(set(expected) | set(actual)):
        want, got = expected.get(name), actual.get(name)
        if got is None:
            problems.append(_("table %(table)s is missing") % {"table": name})
        elif want is None:
            problems.append(_("table %(table)s is not in the backup") % {"table": name})
        elif want["rows"] != got["rows"]:
            problems.append(
                _("table %(table)s has %(got)s rows, the backup has %(want)s")
                % {"table": name, "got": got["rows"], "want": want["rows"]}
            )
        elif want["sha256"] != got["sha256"]:
            problems.append(
                _("table %(table)s has different contents (same number of rows)") % {"table": name}
            )
    return problems


# --- files ------------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def gzip_file(source: Path, target: Path, level: int = 3) -> None:
    with source.open("rb") as src, gzip.open(target, "wb", compresslevel=level) as dst:
        shutil.copyfileobj(src, dst, CHUNK)


def gunzip_file(source: Path, target: Path) -> None:
    with gzip.open(source, "rb") as src, target.open("wb") as dst:
        shutil.copyfileobj(src, dst, CHUNK)


def pack_media(root: Path, target: Path) -> dict[str, int]:
    """Pack the uploaded files into a gzip tar; returns the file count and total size."""
    files = size = 0
    with tarfile.open(target, "w:gz", compresslevel=6) as tar:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    tar.add(path, arcname=path.relative_to(root).as_posix(), recursive=False)
                    files += 1
                    size += path.stat().st_size
    return {"files": files, "bytes": size}


def _safe_name(name: str) -> bool:
    pure = PurePosixPath(name)
    return bool(name) and not pure.is_absolute() and ".." not in pure.parts


def unpack_media(source: Path, target: Path) -> int:
    """Unpack ``media.tar.gz`` into an empty folder, refusing links and paths that escape it."""
    target.mkdir(parents=True, exist_ok=True)
    count = 0
    with tarfile.open(source, "r:gz") as tar:
        for member in tar:
            if not _safe_name(member.name) or not (member.isfile() or member.isdir()):
                raise BackupError(
                    _("The uploaded files contain a forbidden entry: %(name)s")
                    % {"name": member.name}
                )
            dest = target / member.name
            if member.isdir():
                dest.mkdir(parents=True, exist_ok=True)
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            fh = tar.extractfile(member)
            assert fh is not None
            with dest.open("wb") as out:
                shutil.copyfileobj(fh, out, CHUNK)
            count += 1
    return count


# --- writing ----------------------------------------------------------------------------------


def write_archive(target: Path, members: dict[str, Path], manifest: dict[str, Any]) -> Path:
    """Write the archive atomically (``FILE.part`` then rename); adds member checksums."""
    manifest = dict(manifest)
    manifest["members"] = {
        name: {"size": path.stat().st_size, "sha256": sha256_file(path)}
        for name, path in members.items()
    }
    data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    part.unlink(missing_ok=True)
    # 0600 from the first byte: the archive holds every account's password hash
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as raw:
        with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for name, path in members.items():
                tar.add(path, arcname=name, recursive=False, filter=_plain)
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
            info.mode = 0o600
            tar.addfile(info, io.BytesIO(data))
        raw.flush()
        os.fsync(raw.fileno())
    part.replace(target)
    return target


def _plain(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    return info


# --- reading and verifying -------------------------------------------------------------------


@dataclass(frozen=True)
class Verified:
    manifest: dict[str, Any]
    path: Path


def _damaged(path: Path, detail: str) -> BackupError:
    return BackupError(
        _("The backup %(file)s is damaged or incomplete: %(detail)s.")
        % {"file": path.name, "detail": detail}
    )


def _looks_like_tar(path: Path) -> bool:
    with path.open("rb") as fh:
        header = fh.read(512)
    return len(header) == 512 and header[257:262] == b"ustar"


def _iter_members(path: Path) -> Iterator[tuple[tarfile.TarInfo, IO[bytes] | None]]:
    if not _looks_like_tar(path):
        raise BackupError(
            _("%(file)s is not a Thước đo backup (not a tar archive).") % {"file": path.name}
        )
    try:
        with tarfile.open(path, mode="r|") as tar:
            for info in tar:
                yield info, tar.extractfile(info) if info.isfile() else None
    except (tarfile.ReadError, EOFError, OSError, zlib.error) as exc:
        raise _damaged(path, _("the file ends too early")) from exc


def read_members(
    path: Path, sink: Callable[[str, IO[bytes]], str] | None = None
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Stream the archive once: the manifest and the size and SHA-256 of each member.

    ``sink(name, stream)`` may consume a member (e.g. to extract it) and return its SHA-256.
    """
    if not path.is_file():
        raise BackupError(_("The backup file %(file)s does not exist.") % {"file": str(path)})
    if path.stat().st_size == 0:
        raise BackupError(_("The backup file %(file)s is empty.") % {"file": path.name})
    manifest: dict[str, Any] | None = None
    seen: dict[str, dict[str, Any]] = {}
    for info, stream in _iter_members(path):
        if not info.isfile() or stream is None or not _safe_name(info.name):
            raise BackupError(
                _("The backup %(file)s contains a forbidden entry: %(name)s")
                % {"file": path.name, "name": info.name}
            )
        if info.name in seen or (info.name == MANIFEST and manifest is not None):
            raise BackupError(
                _("The backup %(file)s contains %(name)s twice.")
                % {"file": path.name, "name": info.name}
            )
        if info.name == MANIFEST:
            if info.size > 10 * 1024 * 1024:
                raise _damaged(path, _("the manifest is too large"))
            raw = stream.read()
            if len(raw) != info.size:
                raise _damaged(path, _("the file ends too early"))
            manifest = _parse_manifest(path, raw)
            continue
        try:
            if sink is not None:
                digest = sink(info.name, stream)
            else:
                hasher = hashlib.sha256()
                while chunk := stream.read(CHUNK):
                    hasher.update(chunk)
                digest = hasher.hexdigest()
        except (tarfile.ReadError, EOFError, OSError, zlib.error) as exc:
            raise _damaged(path, _("the file ends too early")) from exc
        seen[info.name] = {"size": info.size, "sha256": digest}
    if manifest is None:
        if not seen:
            raise BackupError(
                _("%(file)s is not a Thước đo backup (not a tar archive).") % {"file": path.name}
            )
        raise _damaged(path, _("the manifest (manifest.json) is missing"))
    return manifest, seen


def _parse_manifest(path: Path, raw: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _damaged(path, _("the manifest is not valid JSON")) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(
            _("%(file)s is not a Thước đo backup (the manifest has no format %(format)s).")
            % {"file": path.name, "format": FORMAT}
        )
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise BackupError(
            _("The backup %(file)s has format version %(version)s; this version reads %(known)s.")
            % {"file": path.name, "version": version, "known": FORMAT_VERSION}
        )
    for key, kind in (
        ("members", dict),
        ("tables", dict),
        ("database", dict),
        ("migrations", list),
        ("created_at", str),
    ):
        if not isinstance(manifest.get(key), kind):
            raise _damaged(
                path, _("the manifest field %(field)s is missing or wrong") % {"field": key}
            )
    vendor = manifest["database"].get("vendor")
    if vendor not in DB_MEMBERS or DB_MEMBERS[vendor] not in manifest["members"]:
        raise _damaged(path, _("the manifest names no database dump"))
    return manifest


def check_members(path: Path, manifest: dict[str, Any], seen: dict[str, dict[str, Any]]) -> None:
    """Compare the members found with those the manifest lists (names, sizes, SHA-256)."""
    problems = []
    listed: dict[str, dict[str, Any]] = manifest["members"]
    for name in sorted(listed):
        if name not in seen:
            problems.append(_("%(name)s is missing") % {"name": name})
        elif seen[name]["size"] != listed[name].get("size"):
            problems.append(
                _("%(name)s has %(got)s bytes instead of %(want)s")
                % {"name": name, "got": seen[name]["size"], "want": listed[name].get("size")}
            )
        elif seen[name]["sha256"] != listed[name].get("sha256"):
            problems.append(
                _("%(name)s has been altered (SHA-256 does not match)") % {"name": name}
            )
    for name in sorted(set(seen) - set(listed)):
        problems.append(_("%(name)s is not listed in the manifest") % {"name": name})
    if problems:
        raise _damaged(path, "; ".join(problems))


def verify_archive(path: Path) -> Verified:
    """Check the whole archive without restoring anything; raises BackupError."""
    manifest, seen = read_members(path)
    check_members(path, manifest, seen)
    return Verified(manifest=manifest, path=path)


def extract_archive(path: Path, manifest: dict[str, Any], target: Path) -> dict[str, Path]:
    """Extract every member into ``target``, checking each SHA-256 again while writing."""
    target.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}

    def sink(name: str, stream: IO[bytes]) -> str:
        if name not in manifest["members"]:
            raise _damaged(path, _("%(name)s is not listed in the manifest") % {"name": name})
        dest = target / PurePosixPath(name).name
        hasher = hashlib.sha256()
        with dest.open("wb") as out:
            while chunk := stream.read(CHUNK):
                hasher.update(chunk)
                out.write(chunk)
        paths[name] = dest
        return hasher.hexdigest()

    again, seen = read_members(path, sink)
    if again != manifest:
        raise _damaged(path, _("the file changed while it was being restored"))
    check_members(path, manifest, seen)
    return paths
