"""Truncated, tampered and foreign files are refused by ``verify`` and ``restore``; a database
that holds data is never touched without ``--force``."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from thuocdo.cli import main

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def archive(
    tmp_path_factory: pytest.TempPathFactory, django_db_setup: None, django_db_blocker: object
) -> Path:
    path = tmp_path_factory.mktemp("backup") / "goc.tdbk"
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        from thuocdo.accounts.models import AuditEvent

        assert main(["backup", "create", "-o", str(path)]) == 0
        # The test database outlives this module: drop the event the backup recorded.
        AuditEvent.objects.filter(object_type="ops.backup", object_id=path.name).delete()
    return path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def _both_refuse(capsys: pytest.CaptureFixture[str], path: Path, *phrases: str) -> None:
    from thuocdo.geo.models import Unit

    units = Unit.objects.count()
    for command in (["backup", "verify", str(path)], ["backup", "restore", "--force", str(path)]):
        code, out, err = _run(capsys, *command)
        assert code == 1, (command, out)
        for phrase in phrases:
            assert phrase in err, (command, err)
    assert Unit.objects.count() == units


def _members(path: Path) -> list[tuple[tarfile.TarInfo, bytes]]:
    with tarfile.open(path) as tar:
        out = []
        for info in tar.getmembers():
            fh = tar.extractfile(info)
            assert fh is not None
            out.append((info, fh.read()))
        return out


def _write(path: Path, members: list[tuple[tarfile.TarInfo, bytes]]) -> Path:
    with tarfile.open(path, "w") as tar:
        for info, data in members:
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_a_fresh_backup_verifies(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from thuocdo.geo.models import Unit

    code, out, _ = _run(capsys, "backup", "verify", str(archive))
    assert code == 0
    report = json.loads(out)
    assert report["status"].startswith("nguyên vẹn")
    manifest = json.loads({i.name: d for i, d in _members(archive)}["manifest.json"])
    assert manifest["tables"]["geo_unit"]["rows"] == Unit.objects.count()
    assert ["geo", "0001_initial"] in manifest["migrations"]
    assert set(manifest["members"]) >= {"media.tar.gz", "settings.json"}
    snapshot = json.loads({i.name: d for i, d in _members(archive)}["settings.json"])
    assert snapshot["environment"]["SECRET_KEY"] == "<hidden>"
    assert "PASSWORD" not in snapshot["database"]


@pytest.mark.parametrize("keep", [0.5, 0.97, 1024])
def test_truncated_files_are_refused(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], keep: float
) -> None:
    data = archive.read_bytes()
    size = int(keep) if keep >= 1 else int(len(data) * keep)
    cut = tmp_path / "cut.tdbk"
    cut.write_bytes(data[:size])
    _both_refuse(capsys, cut, "cut.tdbk", "bị hỏng hoặc không đầy đủ")


def test_a_changed_byte_in_the_database_dump_is_named(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    members = _members(archive)
    changed = []
    for info, data in members:
        if info.name.startswith("database."):
            middle = len(data) // 2
            data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]
            name = info.name
        changed.append((info, data))
    bad = _write(tmp_path / "sua.tdbk", changed)
    _both_refuse(capsys, bad, name, "đã bị thay đổi (SHA-256 không khớp)")


def test_a_removed_or_added_member_is_named(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    members = _members(archive)
    without = _write(tmp_path / "thieu.tdbk", [m for m in members if m[0].name != "media.tar.gz"])
    _both_refuse(capsys, without, "thiếu media.tar.gz")
    extra = tarfile.TarInfo("extra.bin")
    added = _write(tmp_path / "them.tdbk", [(extra, b"x"), *members])
    _both_refuse(capsys, added, "extra.bin không có trong bản kê")


def test_an_unknown_format_version_is_refused(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    members = _members(archive)
    edited = []
    for info, data in members:
        if info.name == "manifest.json":
            manifest = json.loads(data)
            manifest["format_version"] = 99
            data = json.dumps(manifest).encode()
        edited.append((info, data))
    future = _write(tmp_path / "moi.tdbk", edited)
    _both_refuse(capsys, future, "phiên bản định dạng 99")


@pytest.mark.parametrize(
    ("name", "content", "phrase"),
    [
        ("rong.tdbk", b"", "rỗng"),
        ("ngau-nhien.tdbk", bytes(range(256)) * 64, "không phải là bản sao lưu của Thước đo"),
        ("van-ban.tdbk", "Xin chào, đây là một tệp văn bản.\n".encode() * 100, "không phải"),
    ],
)
def test_foreign_files_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes, phrase: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    _both_refuse(capsys, path, phrase)


def test_other_tar_archives_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    info = tarfile.TarInfo("readme.txt")
    plain = _write(tmp_path / "khac.tar", [(info, b"hello")])
    _both_refuse(capsys, plain, "thiếu bản kê (manifest.json)")
    manifest = tarfile.TarInfo("manifest.json")
    other = _write(tmp_path / "khac2.tar", [(manifest, b'{"format": "other"}')])
    _both_refuse(capsys, other, "không phải là bản sao lưu của Thước đo")
    broken = _write(tmp_path / "khac3.tar", [(manifest, b"{not json")])
    _both_refuse(capsys, broken, "không phải JSON hợp lệ")


def test_missing_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "backup", "verify", str(tmp_path / "khong-co.tdbk"))
    assert code == 1 and "Không tìm thấy tệp sao lưu" in err


def test_restore_refuses_a_database_with_data(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from thuocdo.accounts.models import AuditEvent
    from thuocdo.geo.models import Unit

    before = (Unit.objects.count(), AuditEvent.objects.count())
    code, _, err = _run(capsys, "backup", "restore", str(archive))
    assert code == 1
    assert (
        "Cơ sở dữ liệu không trống" in err
        and "bảng có dữ liệu: accounts_auditevent" in err
        and "--force" in err
    )
    assert (Unit.objects.count(), AuditEvent.objects.count()) == before


def test_a_backup_of_the_other_database_vendor_is_refused_by_restore(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import hashlib

    from django.db import connection

    here = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    other = "sqlite" if here == "postgresql" else "postgresql"
    other_member = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3.gz"}[other]
    members = []
    for info, data in _members(archive):
        if info.name.startswith("database."):
            info = tarfile.TarInfo(other_member)
            data = b"dump of another installation"
        members.append((info, data))
    manifest_data = json.loads({i.name: d for i, d in members}["manifest.json"])
    manifest_data["database"]["vendor"] = other
    manifest_data["database"]["member"] = other_member
    listed = manifest_data["members"]
    listed.pop(next(n for n in listed if n.startswith("database.")))
    listed[other_member] = {
        "size": len(b"dump of another installation"),
        "sha256": hashlib.sha256(b"dump of another installation").hexdigest(),
    }
    members = [
        (i, json.dumps(manifest_data).encode() if i.name == "manifest.json" else d)
        for i, d in members
    ]
    foreign = _write(tmp_path / "khac-csdl.tdbk", members)
    code, _, _ = _run(capsys, "backup", "verify", str(foreign))
    assert code == 0  # intact as a file
    code, _, err = _run(capsys, "backup", "restore", "--force", str(foreign))
    assert code == 1
    assert f"cơ sở dữ liệu {other}" in err and here in err
