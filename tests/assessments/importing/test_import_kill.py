"""SIGKILL while `thuocdo import` writes, then re-run: exactly one copy of every row.

The importer runs as a real subprocess against a fresh database of the same engine as the
suite (a SQLite file, or a PostgreSQL database created and dropped here).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from tests.assessments.importing.factories import (
    communes_in,
    framework_version,
    header_for,
    rows_for,
    write_csv,
)

ROOT = Path(__file__).resolve().parents[3]
ROWS = 4000

SETUP = """
import django, json
django.setup()
from tests.assessments.importing.factories import make_campaign
print(json.dumps({"id": make_campaign().pk}))
"""


def _env(url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.update(
        DATABASE_URL=url,
        THUOCDO_DATA_DIR=str(data_dir),
        THUOCDO_ENV="development",
        DJANGO_SETTINGS_MODULE="thuocdo.config.settings",
        PYTHONPATH=f"{ROOT / 'src'}{os.pathsep}{ROOT}",
    )
    return env


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "thuocdo.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    """A database URL and a function counting rows of a table in it."""
    if connection.vendor == "postgresql":
        import psycopg

        settings = connection.settings_dict
        name = f"thuocdo_importer_kill_{uuid.uuid4().hex[:8]}"
        server = (
            f"host={settings['HOST'] or '127.0.0.1'} port={settings['PORT'] or 5432} "
            f"user={settings['USER']} dbname=postgres"
        )
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        url = (
            f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
            f"{settings['PORT'] or 5432}/{name}"
        )

        def count(sql: str) -> int:
            with psycopg.connect(server.replace("dbname=postgres", f"dbname={name}")) as c:
                row = c.execute(sql).fetchone()
                return int(row[0]) if row else 0

        yield url, count
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp_path / "kill.sqlite3"

        def count(sql: str) -> int:
            with sqlite3.connect(path) as c:
                return int(c.execute(sql).fetchone()[0])

        yield f"sqlite:///{path}", count


@pytest.mark.slow
@pytest.mark.fault
@pytest.mark.django_db
def test_sigkill_mid_write_then_rerun_leaves_one_copy_of_every_row(
    tmp_path: Path, fresh_database: tuple[str, Any]
) -> None:
    url, count = fresh_database
    env = _env(url, tmp_path)
    for step in (["migrate"], ["load-builtins"]):
        done = _cli(env, *step)
        assert done.returncode == 0, done.stderr[-2000:]
    made = subprocess.run(
        [sys.executable, "-c", SETUP], env=env, cwd=ROOT, capture_output=True, text=True,
        timeout=120, check=True,
    )  # fmt: skip
    campaign_id = json.loads(made.stdout.strip().splitlines()[-1])["id"]
    fw = framework_version().engine()
    path = write_csv(
        tmp_path / "big.csv", header_for(fw), rows_for(fw, ROWS, communes=communes_in(k=20))
    )
    where = f" FROM assessments_response WHERE campaign_id = {int(campaign_id)}"
    responses = "SELECT count(*)" + where
    distinct = "SELECT count(DISTINCT organisation_id)" + where

    proc = subprocess.Popen(
        [sys.executable, "-m", "thuocdo.cli", "import", str(campaign_id), str(path),
         "--chunk-size", "10"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stderr is not None
    seen: list[dict[str, Any]] = []
    for line in proc.stderr:
        event = json.loads(line)
        seen.append(event)
        if event["phase"] == "writing" and 0 < event["processed"] < event["total"]:
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, seen
    assert proc.stdout is not None and proc.stdout.read() == ""  # killed before it reported
    assert count(responses) == 0
    assert count("SELECT count(*) FROM assessments_organisation") == 0

    done = _cli(env, "import", str(campaign_id), str(path))
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["imported"] == ROWS
    assert count(responses) == ROWS
    assert count(distinct) == ROWS

    again = _cli(env, "import", str(campaign_id), str(path))
    assert again.returncode == 0
    out = json.loads(again.stdout)
    assert (out["imported"], out["duplicates"]) == (0, ROWS)
    assert count(responses) == ROWS
    assert count("SELECT count(*) FROM assessments_organisation") == ROWS
