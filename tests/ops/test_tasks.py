"""The nightly job makes a generation and its second copy with the configured settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from tests.ops.fresh import FreshDb

from thuocdo.ops import tasks

RUN_JOB = """
import json
from thuocdo.ops import tasks
print(json.dumps([tasks.nightly_backup.call_local(), tasks.nightly_backup.call_local()]))
"""


def test_nightly_job_rotates_with_the_settings(
    fresh_db: Callable[[str], FreshDb], tmp_path: Path
) -> None:
    db = fresh_db("job")
    assert db.run("migrate").returncode == 0
    primary, second = tmp_path / "gen", tmp_path / "copy"
    db.env.update(BACKUP_DIR=str(primary), BACKUP_KEEP="1", BACKUP_COPY_TO=str(second))
    first, latest = db.python(RUN_JOB)
    assert first["created"] != latest["created"]
    assert [p.name for p in primary.iterdir()] == [Path(latest["created"]).name]
    assert [p.name for p in second.iterdir()] == [Path(latest["created"]).name]
    assert first["removed"] == [] and latest["removed"] == [Path(first["created"]).name]
    assert db.run("backup", "verify", str(second / Path(latest["created"]).name)).returncode == 0
    db.env.update(BACKUP_KEEP="0")
    assert db.python(RUN_JOB) == [None, None]


def test_the_job_is_scheduled_every_night() -> None:
    validate = tasks.nightly_backup.task_class().validate_datetime
    assert validate(dt.datetime(2026, 1, 5, 2, 15))
    assert not validate(dt.datetime(2026, 1, 5, 14, 15))
