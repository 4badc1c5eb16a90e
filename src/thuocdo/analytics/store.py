"""Files of the columnar store and the in-process cache of loaded frames.

Each refresh writes a new Parquet file (``<db>-campaign-<id>-v<version>.parquet``) under
``ANALYTICS_STORE_DIR`` (default ``<data dir>/analytics``) and then removes the previous one,
so readers holding the old path finish their read. The database name is part of the file
name so several databases (test workers, PostgreSQL and SQLite) never share files.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
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


def file_for(campaign_id: int, version: int) -> Path:
    return store_dir() / f"{db_tag()}-campaign-{campaign_id}-v{version}.parquet"


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
    if not path or not Path(path).exists():
        return None
    frame = pl.read_parquet(path)
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
