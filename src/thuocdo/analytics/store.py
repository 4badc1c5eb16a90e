"""The columnar copy of each campaign: parts in the database, cached on every node.

A campaign's copy is one Parquet part per province (:class:`SnapshotPart`: the bytes, their
SHA-256 and row count) and a manifest on its :class:`Snapshot` row naming the current part of
each province. Parts never change once written. A refresh writes new parts only for the
provinces whose rows or weights changed and commits the new manifest in one transaction, so
every web node, whatever its disk, reads the same version, and a refresh that dies leaves the
previous version in place.

Each node keeps the parts it has read under ``ANALYTICS_STORE_DIR`` (default ``<data
dir>/analytics``), named by database, part id and hash, and the assembled frames of the last
few versions in memory. A part whose bytes do not match their hash — in the cache or in the
database — is never read: a cached copy is fetched again, a damaged database part raises
:class:`CorruptPartError` and the caller rebuilds the copy.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import secrets
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.db import connection

from thuocdo.analytics.domain.columnar import Layout, cube_of
from thuocdo.analytics.domain.stats import Cube
from thuocdo.frameworks.models import FrameworkVersion

_FRAMES: OrderedDict[str, pl.DataFrame] = OrderedDict()
_CUBES: OrderedDict[str, Cube] = OrderedDict()
_LOCK = threading.Lock()
MAX_FRAMES = 6
# the order of a copy's rows: the cells of the cube (commune × sector × entity type × size)
# are contiguous
GRAIN = ["commune", "sector", "entity_type", "size", "response_id"]
CATEGORICAL = ("province", "commune", "sector", "entity_type", "size", "stratum")
# the columns whose rows decide whether a province's part changed (a response's content
# changes with its updated_at; its weight and cell with the population)
FINGERPRINT = ("response_id", "updated_at", "commune", "sector", "entity_type", "size", "weight",
               "stratum")  # fmt: skip


class CorruptPartError(Exception):
    """A part in the database does not match its hash: the copy must be rebuilt."""


class PartGoneError(Exception):
    """A part named by a manifest that was read is no longer there (a newer copy replaced it)."""


def store_dir() -> Path:
    base = getattr(settings, "ANALYTICS_STORE_DIR", None) or Path(settings.DATA_DIR) / "analytics"
    path = Path(base) / "parts"
    path.mkdir(parents=True, exist_ok=True)
    return path


def db_tag() -> str:
    name = str(connection.settings_dict.get("NAME") or "")
    vendor = connection.vendor
    return hashlib.sha1(f"{vendor}:{name}".encode(), usedforsecurity=False).hexdigest()[:10]


def encode(part: pl.DataFrame) -> tuple[bytes, str]:
    """A province's rows as Parquet bytes and their SHA-256."""
    buf = io.BytesIO()
    part.write_parquet(buf, compression="zstd", statistics=True)
    data = buf.getvalue()
    return data, hashlib.sha256(data).hexdigest()


def fingerprint(part: pl.DataFrame) -> str:
    """What a province's part holds, independent of row order: unchanged rows, cells and
    weights give the same text."""
    if part.height == 0:
        return "0"
    h = part.select(pl.struct(list(FINGERPRINT)).hash(seed=0).bitwise_xor()).item()
    return f"{part.height}:{h}"


def plain(frame: pl.DataFrame) -> pl.DataFrame:
    """The copy's text columns as strings (the form parts are written in)."""
    return frame.with_columns(pl.col(k).cast(pl.Utf8) for k in CATEGORICAL if k in frame.columns)


def finish(frame: pl.DataFrame) -> pl.DataFrame:
    """The copy as readers use it: rows in grain order, text columns categorical."""
    return frame.sort(GRAIN).with_columns(
        pl.col(k).cast(pl.Categorical) for k in CATEGORICAL if k in frame.columns
    )


def empty(layout: Layout) -> pl.DataFrame:
    schema: dict[str, Any] = {**layout.schema(), "weight": pl.Float64, "stratum": pl.Utf8}
    return finish(pl.DataFrame(schema=schema))


def key_of(snap: Any) -> str:
    """The identity of a snapshot's version on every node (database, campaign, version and
    the refresh's own random token: ids and versions may repeat after a rollback)."""
    return f"{db_tag()}:{snap.campaign_id}:{snap.version}:{snap.token}"


def _cache_prefix(campaign_id: int) -> str:
    return f"{db_tag()}-c{campaign_id}-part-"


def _cache_path(campaign_id: int, part_id: int, sha: str) -> Path:
    return store_dir() / f"{_cache_prefix(campaign_id)}{part_id}-{sha[:16]}.parquet"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def part_frame(campaign_id: int, part_id: int, sha: str) -> pl.DataFrame:
    """One part, from this node's cache when its bytes are intact, else from the database."""
    from thuocdo.analytics.models import SnapshotPart

    path = _cache_path(campaign_id, part_id, sha)
    with contextlib.suppress(FileNotFoundError):
        data = path.read_bytes()
        if _sha(data) == sha:
            return pl.read_parquet(io.BytesIO(data))
        path.unlink()  # truncated or damaged on this disk: fetched again below
    stored = SnapshotPart.objects.filter(pk=part_id).values_list("data", flat=True).first()
    if stored is None:
        raise PartGoneError(part_id)
    data = bytes(stored)
    if _sha(data) != sha:
        raise CorruptPartError(part_id)
    tmp = path.with_name(f"{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return pl.read_parquet(io.BytesIO(data))


def read_snapshot(snap: Any, layout: Layout) -> pl.DataFrame:
    """The snapshot's frame, assembled once per node and version."""
    key = key_of(snap)
    with _LOCK:
        frame = _FRAMES.get(key)
        if frame is not None:
            _FRAMES.move_to_end(key)
            return frame
    manifest = sorted((snap.parts or {}).items())
    parts = [part_frame(snap.campaign_id, int(p[0]), str(p[1])) for _prov, p in manifest]
    frame = finish(pl.concat(parts)) if parts else empty(layout)
    remember(key, frame)
    drop_cached_parts(snap.campaign_id, {int(p[0]) for _prov, p in manifest} | set(snap.previous))
    return frame


def remember(key: str, frame: pl.DataFrame) -> None:
    with _LOCK:
        _FRAMES[key] = frame
        _FRAMES.move_to_end(key)
        while len(_FRAMES) > MAX_FRAMES:
            _FRAMES.popitem(last=False)


def forget(key: str) -> None:
    with _LOCK:
        _FRAMES.pop(key, None)
        _CUBES.pop(key, None)


def drop_cached_parts(campaign_id: int, keep: set[int]) -> None:
    """Remove this node's cached parts of the campaign other than ``keep`` (the current and
    the previous version's), and partial downloads."""
    prefix = _cache_prefix(campaign_id)
    for path in store_dir().glob(f"{prefix}*"):
        try:
            part_id = int(path.name[len(prefix) :].split("-", 1)[0])
        except ValueError:
            continue
        if part_id not in keep or path.name.endswith(".tmp"):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def cube_for(key: str, frame: pl.DataFrame, layout: Layout) -> Cube:
    """The per-cell sums of a snapshot, computed once per process."""
    with _LOCK:
        cube = _CUBES.get(key)
    if cube is None:
        cube = cube_of(frame, layout)
        with _LOCK:
            _CUBES[key] = cube
            while len(_CUBES) > MAX_FRAMES:
                _CUBES.popitem(last=False)
    return cube


def layout_for(fv: FrameworkVersion) -> Layout:
    fw = fv.engine()
    criteria = fw.criteria()
    return Layout(
        pillars=tuple(p.code for p in fw.pillars),
        criteria=tuple(c.code for c in criteria),
        levels=tuple(lv.code for lv in fw.levels),
        targets={c.code: float(c.target) for c in criteria},
    )
