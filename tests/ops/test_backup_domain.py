"""The canonical form of database values and the table hash, without a database."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from zoneinfo import ZoneInfo

import pytest

from thuocdo.ops.backup import TableHasher, canonical, compare_tables


def _hash(rows: list[list[object]]) -> dict[str, object]:
    hasher = TableHasher(columns=("a", "b"))
    for row in rows:
        hasher.add(row)
    return hasher.result()


def test_the_same_instant_in_two_time_zones_is_one_value() -> None:
    hanoi = dt.datetime(2025, 7, 1, 7, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    utc = dt.datetime(2025, 7, 1, 0, 0, tzinfo=dt.UTC)
    assert canonical(hanoi) == canonical(utc) == "2025-07-01T00:00:00+00:00"


def test_decimals_floats_and_json_are_canonical() -> None:
    assert canonical(decimal.Decimal("1.50")) == canonical(decimal.Decimal("1.5")) == "1.5"
    assert canonical(decimal.Decimal("100")) == "100"
    assert canonical(0.1) == "0.1"
    assert _hash([[{"y": 1, "x": [1, 2]}, 1]]) == _hash([[{"x": [1, 2], "y": 1}, 1]])
    assert canonical(uuid.UUID(int=1)) == "00000000-0000-0000-0000-000000000001"
    assert canonical(memoryview(b"\x00\xff")) == canonical(b"\x00\xff")


def test_hash_depends_on_every_value_and_the_order() -> None:
    base = _hash([[1, "Hà Nội"], [2, "Huế"]])
    assert base["rows"] == 2
    assert _hash([[1, "Hà Nội"], [2, "Huế"]]) == base
    assert _hash([[2, "Huế"], [1, "Hà Nội"]]) != base
    assert _hash([[1, "Ha Noi"], [2, "Huế"]]) != base
    assert _hash([[1, None], [2, "Huế"]]) != _hash([[1, ""], [2, "Huế"]])
    assert _hash([[1, 1], [2, "Huế"]]) != _hash([[1, "1"], [2, "Huế"]])


def test_compare_tables_names_each_difference() -> None:
    a = {"t1": {"rows": 1, "sha256": "x"}, "t2": {"rows": 2, "sha256": "y"}}
    b = {"t1": {"rows": 1, "sha256": "z"}, "t3": {"rows": 0, "sha256": "w"}}
    problems = compare_tables(a, b)
    assert len(problems) == 3
    assert any("t1" in p for p in problems) and any("t2" in p for p in problems)
    assert any("t3" in p for p in problems)
    assert compare_tables(a, a) == []


def test_settings_snapshot_keeps_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    from thuocdo.ops.services import settings_snapshot

    mp = monkeypatch
    mp.setenv("SECRET_KEY", "bi-mat-tuyet-doi-" * 4)
    mp.setenv("REDIS_URL", "redis://:mat-khau-redis@10.0.0.5:6379/0")
    mp.setenv("DATABASE_URL", "postgres://thuocdo:mat-khau-db@db.local:5432/thuocdo")
    snapshot = settings_snapshot()
    text = repr(snapshot)
    assert "bi-mat" not in text and "mat-khau" not in text
    assert snapshot["environment"]["REDIS_URL"] == "redis://10.0.0.5:6379/0"
    assert snapshot["environment"]["DATABASE_URL"] == "postgres://thuocdo@db.local:5432/thuocdo"
