"""A database made and filled by the previous release migrates forward with its data kept.

The previous release's source comes out of the repository's own history (``git archive``), runs
``demo`` on a fresh database of the suite's vendor, and this release then runs ``migrate`` and
``load-builtins`` on it: every table keeps its rows, every response its scores, every uploaded
file its bytes, and loading the built-ins again changes no user data.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.ops.fresh import ROOT, FreshDb

pytestmark = pytest.mark.slow

#: The release before the runtime-install and set-up work (main at the time).
PREVIOUS_RELEASE = "6dbd4a5c1b5381383328f1546dbe7e3d304f7b89"

#: Tables people fill (not the built-ins): they must not change when built-ins load again.
USER_TABLES = (
    "accounts_user",
    "assessments_organisation",
    "assessments_campaign",
    "assessments_stratum",
    "assessments_response",
    "indicators_submission",
    "plans_plan",
    "plans_task",
    "ecosystem_solution",
    "ecosystem_connectionrequest",
)

#: Django's own bookkeeping: a release's new models add their permissions and content types.
GROW_WITH_NEW_MODELS = frozenset({"auth_permission", "django_content_type", "django_migrations"})

SCORES = (
    "SELECT id, status, overall, level, pillar_scores, criterion_scores, unmet, answers"
    " FROM assessments_response ORDER BY id"
)


def _old_source(tmp_path: Path) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", PREVIOUS_RELEASE, "src"],
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout
    target = tmp_path / "previous"
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target / "src"


def _files(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _scores(db: FreshDb) -> Any:
    return _scores_with(db.env, db.data_dir)


def test_previous_release_database_migrates_forward_with_every_row_kept(
    fresh_db: Callable[[str], FreshDb], tmp_path: Path
) -> None:
    db = fresh_db("upgrade")
    old_env = {**db.env, "PYTHONPATH": str(_old_source(tmp_path))}
    old = _python(old_env, tmp_path, "-m", "thuocdo.cli", "demo", "--no-serve")
    assert old.returncode == 0, old.stderr[-3000:]
    before = _stats_with(old_env, tmp_path)
    assert before["assessments_response"]["rows"] > 100  # the old demo filled it
    media = db.data_dir / "media"
    files_before = _files(media) if media.exists() else {}

    res = db.run("migrate")
    assert res.returncode == 0, res.stderr
    after = db.stats()
    for table, stat in before.items():
        assert table in after, f"{table} was dropped"
        if table in GROW_WITH_NEW_MODELS:
            assert after[table]["rows"] >= stat["rows"], table
        else:
            assert after[table]["rows"] == stat["rows"], table
    old_scores = _scores_with(old_env, tmp_path)
    assert _scores(db) == old_scores

    res = db.run("load-builtins")
    assert res.returncode == 0, res.stderr
    again = db.stats()
    for table in USER_TABLES:
        if table in after:
            assert again[table] == after[table], f"load-builtins changed {table}"
    assert _scores(db) == old_scores
    assert (_files(media) if media.exists() else {}) == files_before


def _python(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _stats_with(env: dict[str, str], cwd: Path) -> dict[str, Any]:
    """Row counts of every table, computed by the previous release's own code."""
    return dict(
        _run_json(
            env,
            cwd,
            "import json\nfrom thuocdo.ops.dbdump import table_stats\n"
            "print(json.dumps(table_stats('default')))\n",
        )
    )


def _scores_with(env: dict[str, str], cwd: Path) -> Any:
    return _run_json(
        env,
        cwd,
        "import json, hashlib\n"
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        f"    c.execute({SCORES!r})\n"
        "    rows = [[str(v) for v in row] for row in c.fetchall()]\n"
        "print(json.dumps([len(rows), hashlib.sha256(json.dumps(rows).encode()).hexdigest()]))\n",
    )


def _run_json(env: dict[str, str], cwd: Path, code: str) -> Any:
    proc = _python(env, cwd, "-c", "import django; django.setup()\n" + code)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])
