"""Killing a restore or a bulk load midway (SIGKILL) loses and duplicates nothing.

After the kill the database is either exactly the old state or exactly the complete new one;
running the command again finishes the job.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.ops.fresh import ROOT, VENDOR, FreshDb

pytestmark = [pytest.mark.slow, pytest.mark.fault]

FILL = """
import json
from django.db import transaction
from thuocdo.accounts.models import AuditEvent
with transaction.atomic():
    AuditEvent.objects.bulk_create(
        AuditEvent(action="%(label)s", object_type="ops.fault", object_id=str(i),
                   after={"i": i, "ghi chú": "trạng thái %(label)s"}, unit_path="2025/48/")
        for i in range(%(rows)d)
    )
print(json.dumps(AuditEvent.objects.count()))
"""

# Natural keys of the built-in units and mappings (ids may differ between databases).
GEO_KEYS = """
import hashlib, json
from thuocdo.geo.models import Unit, UnitMapping
units = sorted(Unit.objects.values_list("structure", "code", "path", "name", "level"))
pairs = sorted(UnitMapping.objects.values_list("legacy__code", "current__code", "primary"))
print(json.dumps({"units": len(units), "pairs": len(pairs),
    "sha": hashlib.sha256(json.dumps([units, pairs]).encode()).hexdigest()}))
"""


def _spawn(db: FreshDb, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "thuocdo.cli", *args],
        env=db.env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _restoring(db: FreshDb) -> bool:
    """True once the database is being written by the restore."""
    if VENDOR == "postgresql":
        import psycopg

        with psycopg.connect(db.url) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pg_restore'"
                " AND datname = current_database()"
            ).fetchone()
            return bool(row and row[0])
    return any(db.data_dir.glob(".thuocdo-restore-*/database.sqlite3"))


def test_killed_restore_leaves_the_old_or_the_new_state(
    fresh_db: Callable[[str], FreshDb], tmp_path: Path
) -> None:
    source = fresh_db("new-state")
    assert source.run("migrate").returncode == 0
    source.python(FILL % {"label": "mới", "rows": 60000})
    archive = tmp_path / "moi.tdbk"
    res = source.run("backup", "create", "-o", str(archive))
    assert res.returncode == 0, res.stderr
    new_state = json.loads(res.stdout)

    target = fresh_db("old-state")
    assert target.run("migrate").returncode == 0
    target.python(FILL % {"label": "cũ", "rows": 3000})
    old_stats = target.stats()

    proc = _spawn(target, "backup", "restore", "--force", str(archive))
    deadline = time.monotonic() + 120
    while not _restoring(target):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the restore did not start"
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    time.sleep(0.5)  # the database notices the dead client and rolls back

    after = target.stats()
    import tarfile

    with tarfile.open(archive) as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        manifest = json.loads(member.read())
    assert after in (old_stats, manifest["tables"]), "a half-restored database"
    if after == old_stats:
        verify = target.run("backup", "verify", str(archive))
        assert "gián đoạn" in verify.stderr  # the interrupted restore is pointed out

    again = target.run("backup", "restore", "--force", str(archive))
    assert again.returncode == 0, again.stderr
    assert target.stats(without_restore_events=True) == manifest["tables"]
    assert new_state["rows"] == sum(t["rows"] for t in manifest["tables"].values())
    assert not list(target.data_dir.glob(".thuocdo-restore-*"))
    assert target.run("backup", "verify", str(archive)).stderr == ""


def test_killed_builtin_load_is_all_or_nothing_and_completes_on_rerun(
    fresh_db: Callable[[str], FreshDb],
) -> None:
    reference = fresh_db("reference")
    killed = fresh_db("killed")
    for db in (reference, killed):
        assert db.run("migrate").returncode == 0
    assert reference.run("load-builtins").returncode == 0
    expected = reference.python(GEO_KEYS)

    proc = _spawn(killed, "load-builtins")
    time.sleep(1.5)  # Django is set up and the load is under way (it takes a few seconds)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    partial = killed.python(GEO_KEYS)
    assert partial in (expected, {"units": 0, "pairs": 0, "sha": partial["sha"]})
    assert killed.run("load-builtins").returncode == 0
    assert killed.python(GEO_KEYS) == expected
    assert killed.run("load-builtins").returncode == 0  # idempotent
    assert killed.python(GEO_KEYS) == expected
