"""A backup taken while another process writes restores to an identical database.

Runs on the suite's vendor (SQLite, or PostgreSQL when DATABASE_URL says so) with the real
``thuocdo`` command in subprocesses, against fresh databases made and dropped by the test.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.ops.fresh import FreshDb, start_writer

pytestmark = pytest.mark.slow

SEED = """
import json
from django.db import transaction
from thuocdo.accounts.models import AuditEvent, User
from thuocdo.geo.models import Unit
with transaction.atomic():
    unit = Unit.objects.create(structure="2025", code="99", name="Tỉnh Thử Nghiệm",
        short_name="Thử Nghiệm", level="province", kind="tỉnh", path="2025/99/",
        name_folded="tinh thu nghiem", sort_key="thu nghiem", lat=10.5, lon=106.25)
    User.objects.create(username="cán-bộ", role="province", unit=unit, sectors=["retail"])
    AuditEvent.objects.bulk_create(
        AuditEvent(action="seed", object_type="ops.seed", object_id=str(i),
                   after={"i": i, "tên": "Đà Nẵng", "x": i / 7}, unit_path="2025/99/")
        for i in range(%(rows)d)
    )
print(json.dumps(AuditEvent.objects.count()))
"""


def _seed(db: FreshDb, rows: int) -> int:
    res = db.run("migrate")
    assert res.returncode == 0, res.stderr
    media = db.data_dir / "media" / "evidence"
    media.mkdir(parents=True)
    (media / "biên-bản.pdf").write_bytes(b"%PDF-1.4 minh chung " * 1000)
    return int(db.python(SEED % {"rows": rows}))


def _manifest(path: Path) -> dict:
    import tarfile

    with tarfile.open(path) as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        return json.loads(member.read())


def test_backup_under_write_load_restores_identically(
    fresh_db: Callable[[str], FreshDb], tmp_path: Path
) -> None:
    source = fresh_db("source")
    seeded = _seed(source, 20000)
    writer, stop, done = start_writer(source, tmp_path)
    try:
        deadline = time.monotonic() + 60
        while not Path(str(done) + ".started").exists():
            assert writer.poll() is None, writer.stderr.read() if writer.stderr else ""
            assert time.monotonic() < deadline
            time.sleep(0.05)
        archive = tmp_path / "sao-luu.tdbk"
        created = source.run("backup", "create", "-o", str(archive))
        assert created.returncode == 0, created.stderr
    finally:
        stop.write_text("1")
        writer.wait(timeout=60)
    written = int(done.read_text())
    manifest = _manifest(archive)
    in_backup = manifest["tables"]["accounts_auditevent"]["rows"]
    # The writer's rows before the backup are in it; it kept writing during and after.
    assert seeded + 50 <= in_backup <= seeded + written + 1
    assert source.stats()["accounts_auditevent"]["rows"] > in_backup - 1

    target = fresh_db("target")
    res = target.run("backup", "verify", str(archive))
    assert res.returncode == 0, res.stderr
    res = target.run("backup", "restore", str(archive))
    assert res.returncode == 0, res.stderr

    restored = target.stats(without_restore_events=True)
    assert set(restored) == set(manifest["tables"])
    for table, expected in manifest["tables"].items():
        assert restored[table] == expected, table
    # The snapshot is a prefix of the writer's commits: no gap, no half-written row.
    ids = target.python(
        "import json\nfrom thuocdo.accounts.models import AuditEvent\n"
        "print(json.dumps(list(AuditEvent.objects.order_by('id').values_list('id', flat=True))))"
    )
    assert ids == list(range(1, len(ids) + 1))
    assert (target.data_dir / "media" / "evidence" / "biên-bản.pdf").read_bytes() == (
        source.data_dir / "media" / "evidence" / "biên-bản.pdf"
    ).read_bytes()
    names = target.python(
        "import json\nfrom thuocdo.accounts.models import User\n"
        "print(json.dumps([(u.username, u.unit.name, u.sectors) for u in User.objects.all()]))"
    )
    assert names == [["cán-bộ", "Tỉnh Thử Nghiệm", ["retail"]]]

    # A second restore finds data and refuses; --force replaces it and checks again.
    again = target.run("backup", "restore", str(archive))
    assert again.returncode == 1
    assert "--force" in again.stderr and "không trống" in again.stderr
    forced = target.run("backup", "restore", "--force", str(archive))
    assert forced.returncode == 0, forced.stderr
    assert target.stats(without_restore_events=True) == manifest["tables"]


def test_rotation_keeps_n_generations_and_a_verified_second_copy(
    fresh_db: Callable[[str], FreshDb], tmp_path: Path
) -> None:
    source = fresh_db("source")
    _seed(source, 10)
    primary, second = tmp_path / "backups", tmp_path / "usb"
    made = []
    for _ in range(4):
        res = source.run(
            "backup", "rotate", "--dir", str(primary), "--keep", "2", "--copy-to", str(second)
        )
        assert res.returncode == 0, res.stderr
        made.append(Path(json.loads(res.stdout)["created"]).name)
    assert sorted(p.name for p in primary.iterdir()) == sorted(made[-2:])
    assert sorted(p.name for p in second.iterdir()) == sorted(made[-2:])
    for name in made[-2:]:
        assert (primary / name).read_bytes() == (second / name).read_bytes()
        assert source.run("backup", "verify", str(second / name)).returncode == 0
    res = source.run("backup", "rotate", "--dir", str(primary), "--keep", "0")
    assert res.returncode == 1 and "--keep" in res.stderr
