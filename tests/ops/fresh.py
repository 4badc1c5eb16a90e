"""Fresh databases of the suite's vendor, outside the test database, for backup round trips.

The suite runs on SQLite or on PostgreSQL (``DATABASE_URL``); these helpers make databases of
the same vendor that subprocesses (the real ``thuocdo`` command) use and that are removed at
the end of each test.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
SUITE_URL = os.environ.get("DATABASE_URL", "")
VENDOR = "postgresql" if SUITE_URL.startswith("postgres") else "sqlite"


def _server_url(name: str) -> str:
    base, _, _ = SUITE_URL.rpartition("/")
    return f"{base}/{name}"


@dataclass
class FreshDb:
    """One database plus its data folder; ``env`` runs ``thuocdo`` against it."""

    data_dir: Path
    url: str
    name: str
    env: dict[str, str] = field(default_factory=dict)

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "thuocdo.cli", *args],
            capture_output=True,
            text=True,
            env=self.env,
            cwd=ROOT,
            timeout=timeout,
            check=False,
        )

    def popen(self, code: str) -> subprocess.Popen[str]:
        """A Python process with Django set up against this database, running ``code``."""
        prelude = "import django; django.setup()\n"
        return subprocess.Popen(
            [sys.executable, "-c", prelude + code],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def python(self, code: str, timeout: float = 300) -> Any:
        """Run ``code`` (which prints one JSON value last) and return that value."""
        proc = self.popen(code)
        out, err = proc.communicate(timeout=timeout)
        assert proc.returncode == 0, err
        return json.loads(out.strip().splitlines()[-1])

    def stats(self, *, without_restore_events: bool = False) -> dict[str, Any]:
        """Row count and content hash of every table, computed in a separate process.

        ``without_restore_events`` first removes the audit events that restores add after
        their own comparison (one per restore), and checks there was exactly one.
        """
        return dict(
            self.python(
                "import json\n"
                "from thuocdo.accounts.models import AuditEvent\n"
                "from thuocdo.ops.dbdump import table_stats\n"
                f"if {without_restore_events}:\n"
                "    assert AuditEvent.objects.filter(action='backup.restore').delete()[0] == 1\n"
                "print(json.dumps(table_stats('default')))\n"
            )
        )


def _make(tmp: Path, label: str, *, template: FreshDb | None = None) -> FreshDb:
    """A new database; with ``template``, a copy of that one (which nobody may be using)."""
    data_dir = tmp / label
    data_dir.mkdir(parents=True)
    if VENDOR == "postgresql":
        name = f"thuocdo_ops_t_{uuid.uuid4().hex[:10]}"
        _create_database(name, template.name if template else None)
        url = _server_url(name)
    else:
        name = str(data_dir / "thuocdo.sqlite3")
        url = f"sqlite:///{name}"
        if template is not None:
            with sqlite3.connect(template.name) as src, sqlite3.connect(name) as dst:
                src.backup(dst)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "thuocdo.config.settings",
            "THUOCDO_ENV": "development",
            "THUOCDO_DATA_DIR": str(data_dir),
            "DATABASE_URL": url,
            "REDIS_URL": "",
        }
    )
    return FreshDb(data_dir=data_dir, url=url, name=name, env=env)


def _create_database(name: str, template: str | None) -> None:
    sql = f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
    deadline = time.monotonic() + 30
    while True:
        try:
            with psycopg.connect(_server_url("postgres"), autocommit=True) as conn:
                conn.execute(sql)
            return
        except psycopg.errors.ObjectInUse:
            # the last session of a process that just ended may not be gone yet
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _drop(db: FreshDb) -> None:
    if VENDOR != "postgresql":
        return
    with psycopg.connect(_server_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)')


@contextlib.contextmanager
def fresh_database(tmp: Path, label: str) -> Iterator[FreshDb]:
    """One fresh, empty database (no tables) for a block, e.g. a module-scoped fixture."""
    db = _make(tmp, label)
    try:
        yield db
    finally:
        _drop(db)


@pytest.fixture
def fresh_db(tmp_path: Path) -> Iterator[Callable[[str], FreshDb]]:
    """Factory of fresh, empty databases (no tables) of the suite's vendor."""
    made: list[FreshDb] = []

    def make(label: str) -> FreshDb:
        db = _make(tmp_path, label)
        made.append(db)
        return db

    yield make
    for db in made:
        _drop(db)


@pytest.fixture(scope="session")
def builtins_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FreshDb]:
    """One migrated database with the built-in data per test process, copied by
    ``builtin_db`` (never used directly, so that it can be copied)."""
    db = _make(tmp_path_factory.mktemp("builtins"), "template")
    for step in ("migrate", "load-builtins"):
        res = db.run(step)
        assert res.returncode == 0, res.stderr[-3000:]
    yield db
    _drop(db)


@pytest.fixture
def builtin_db(builtins_template: FreshDb, tmp_path: Path) -> Iterator[Callable[[str], FreshDb]]:
    """Factory of fresh databases of the suite's vendor holding the tables and the built-in
    data (copies of ``builtins_template``), removed at the end of the test."""
    made: list[FreshDb] = []

    def make(label: str) -> FreshDb:
        db = _make(tmp_path, label, template=builtins_template)
        made.append(db)
        return db

    yield make
    for db in made:
        _drop(db)


# Inserts audit events, one per transaction, until the file ``stop`` appears; writes the count
# to ``done`` at the end.
WRITER = """
import sys, time
from pathlib import Path
from thuocdo.accounts.services import audit_record
from django.db import transaction
stop, done = Path(sys.argv[1]), Path(sys.argv[2])
n = 0
while not stop.exists():
    with transaction.atomic():
        audit_record(actor=None, action="load.write", object_type="ops.test", object_id=n,
                     after={"n": n, "text": "ghi trong lúc sao lưu"})
    n += 1
    if n == 50:
        Path(str(done) + ".started").write_text("1")
done.write_text(str(n))
"""


def start_writer(db: FreshDb, workdir: Path) -> tuple[subprocess.Popen[str], Path, Path]:
    stop, done = workdir / "stop", workdir / "done"
    prelude = "import django; django.setup()\n"
    proc = subprocess.Popen(
        [sys.executable, "-c", prelude + WRITER, str(stop), str(done)],
        env=db.env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return proc, stop, done
