"""Backups hold no live session and no throttling counters, are written 0600, and restore to
a working database whose users log in again; a session key from before the backup no longer
logs in after the restore."""

from __future__ import annotations

import gzip
import stat
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.ops.fresh import FreshDb

pytestmark = pytest.mark.slow

SEED = """
import json
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from thuocdo.accounts.models import LoginFailure, User
user = User(username="so.hanoi", role="admin", is_superuser=True)
user.set_password("mật-khẩu-đủ-dài-1")
user.save()
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store.create()
LoginFailure.objects.create(username="so.hanoi", ip="203.0.113.9")
print(json.dumps(store.session_key))
"""

WHO = """
import json
from django.test import Client
client = Client()
client.cookies["sessionid"] = %(key)r
print(json.dumps(client.get("/api/v1/accounts/me", HTTP_HOST="localhost").status_code))
"""


def test_backup_leaves_out_sessions_is_private_and_restores(
    fresh_db: Callable[[str], FreshDb], tmp_path: Path
) -> None:
    source = fresh_db("source")
    assert source.run("migrate").returncode == 0
    key = source.python(SEED)
    assert source.python(WHO % {"key": key}) == 200  # the session works before

    archive = tmp_path / "sao-luu.tdbk"
    res = source.run("backup", "create", "-o", str(archive))
    assert res.returncode == 0, res.stderr
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            assert member.mode == 0o600, member.name
            data = tar.extractfile(member)
            assert data is not None
            raw = data.read()
            if member.name.endswith(".gz"):
                raw = gzip.decompress(raw)
            assert key.encode() not in raw, member.name
            assert b"203.0.113.9" not in raw, member.name

    target = fresh_db("target")
    res = target.run("backup", "restore", str(archive))
    assert res.returncode == 0, res.stderr
    assert target.run("backup", "verify", str(archive)).returncode == 0
    counts = target.python(
        "import json\nfrom django.contrib.sessions.models import Session\n"
        "from thuocdo.accounts.models import LoginFailure, User\n"
        "u = User.objects.get(username='so.hanoi')\n"
        "print(json.dumps([Session.objects.count(), LoginFailure.objects.count(),"
        " u.check_password('mật-khẩu-đủ-dài-1')]))"
    )
    assert counts == [0, 0, True]
    # the session key of the source does not log in on the restored copy
    assert target.python(WHO % {"key": key}) == 401


def test_rotation_copies_are_private_too(
    fresh_db: Callable[[str], FreshDb], tmp_path: Path
) -> None:
    source = fresh_db("source")
    assert source.run("migrate").returncode == 0
    first, second = tmp_path / "a", tmp_path / "b"
    res = source.run(
        "backup", "rotate", "--dir", str(first), "--keep", "2", "--copy-to", str(second)
    )
    assert res.returncode == 0, res.stderr
    files = [*first.glob("*.tdbk"), *second.glob("*.tdbk")]
    assert len(files) == 2
    assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o600}
