"""Files of the columnar store and the in-process cache of loaded frames.

Each refresh writes a new Parquet file (``<db>-campaign-<id>-v<version>-<random>.parquet``)
under ``ANALYTICS_STORE_DIR`` (default ``<data dir>/analytics``) and then removes the previous
one, so readers holding the old path finish their read. The database name is part of the file
name so several databases (test workers, PostgreSQL and SQLite) never share files. The random
part makes every attempt's file its own: a refresh that is rolled back (its process killed, its
connection lost) leaves a file no snapshot names, never one that a later refresh of the same
version would overwrite under a reader's cached copy; the next refresh deletes such leftovers.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import threading
from collections import OrderedDict
from pathlib import Path

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


def store_dir() -> Path:
    base = getattr(settings, "ANALYTICS_STORE_DIR", None) or Path(settings.DATA_DIR) / "analytics"
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path


def db_tag() -> str:
    name = str(connection.settings_dict.get("NAME") or "")
    vendor = connection.vendor
    return hashlib.sha1(f"{vendor}:{name}".encode(), usedforsecurity=False).hexdigest()[:10]


def _prefix(campaign_id: int) -> str:
    return f"{db_tag()}-campaign-{campaign_id}-v"


def file_for(campaign_id: int, version: int) -> Path:
    """A new file name for this version of the campaign's copy (unique to this attempt)."""
    return store_dir() / f"{_prefix(campaign_id)}{version}-{secrets.token_hex(4)}.parquet"


def leftovers(campaign_id: int, keep: str) -> list[Path]:
    """The campaign's files other than ``keep``: superseded versions and files (or partial
    ``.tmp`` files) of refreshes that never committed. Call while holding the snapshot lock,
    when no other refresh of the campaign is writing."""
    return [
        p
        for p in store_dir().glob(f"{_prefix(campaign_id)}*")
        if p.suffix in (".parquet", ".tmp") and str(p) != keep
    ]


def write_frame(frame: pl.DataFrame, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    frame.write_parquet(tmp, compression="zstd", statistics=True)
    os.replace(tmp, path)
    with _LOCK:
        _FRAMES[str(path)] = frame
        _trim()


def read_frame(path: str) -> pl.DataFrame | None:
    with _LOCK:
        frame = _FRAMES.get(path)
        if frame is not None:
            _FRAMES.move_to_end(path)
            return frame
    if not path:
        return None
    try:
        frame = pl.read_parquet(path)
    except FileNotFoundError:  # superseded and removed by a refresh in another process
        return None
    with _LOCK:
        _FRAMES[path] = frame
        _trim()
    return frame


def cube_for(path: str, frame: pl.DataFrame, layout: Layout) -> Cube:
    """The per-cell sums of a snapshot file, computed once per process."""
    with _LOCK:
        cube = _CUBES.get(path)
    if cube is None:
        cube = cube_of(frame, layout)
        with _LOCK:
            _CUBES[path] = cube
            while len(_CUBES) > MAX_FRAMES:
                _CUBES.popitem(last=False)
    return cube


def forget(path: str) -> None:
    with _LOCK:
        _FRAMES.pop(path, None)
        _CUBES.pop(path, None)
    with contextlib.suppress(FileNotFoundError):
        Path(path).unlink()


def _trim() -> None:
    while len(_FRAMES) > MAX_FRAMES:
        _FRAMES.popitem(last=False)


def layout_for(fv: FrameworkVersion) -> Layout:
    fw = fv.engine()
    criteria = fw.criteria()
    return Layout(
        pillars=tuple(p.code for p in fw.pillars),
        criteria=tuple(c.code for c in criteria),
        levels=tuple(lv.code for lv in fw.levels),
        targets={c.code: float(c.target) for c in criteria},
    )
