"""The load test runs its whole mix for a few seconds and reports it honestly.

``bench/load.py`` runs against a fresh database of the suite's vendor, with gunicorn and a
real ``thuocdo worker``; on PostgreSQL it also uses Redis for the cache and the queue when
``TEST_REDIS_URL`` names a Redis database the run may use (its cache and queue keys there are
deleted). Every action of the mix must run without an error, the background imports must be
run by the worker, and the report must have every figure the operations guide quotes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from tests.ops.fresh import ROOT, VENDOR, FreshDb, fresh_database

REDIS = os.environ.get("TEST_REDIS_URL", "") if VENDOR == "postgresql" else ""
STEPS = ("open link", "tax-code look-up", "page", "autosave", "next page", "submit", "result")


def _run(db: FreshDb) -> dict[str, Any]:
    cmd = [
        sys.executable, str(ROOT / "bench" / "load.py"),
        "--seconds", "6", "--warmup", "2", "--baseline-seconds", "1", "--threads", "4",
        "--sample-every", "2", "--drain-seconds", "40", "--pool-rate", "40",
    ]  # fmt: skip
    if VENDOR == "postgresql":
        cmd += ["--database-url", db.url]
    if REDIS:
        cmd += ["--redis-url", REDIS]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO"))}
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr[-3000:]
    return dict(json.loads(out.stdout))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with fresh_database(tmp_path_factory.mktemp("load"), "load") as db:
        yield _run(db)


def test_every_action_ran_without_error(report: dict[str, Any]) -> None:
    assert report["mix"], "the mix is empty"
    assert set(report["per_action"]) == set(report["mix"])
    for name, row in report["per_action"].items():
        assert row["requests"] >= 1, name
        assert row["errors"] == 0, (name, row.get("error_samples"))
        assert row["persona"] == report["mix"][name]["persona"]
        assert row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"]
    assert {row["persona"] for row in report["per_action"].values()} == {
        "respondent",
        "officer",
        "public",
    }
    assert report["total"]["error_rate"] == 0
    assert report["baseline"]["errors"] == 0
    assert report["tracebacks_in_logs"] == {"gunicorn": {"count": 0}, "worker-1": {"count": 0}}


def test_the_web_form_and_the_imports_went_through(report: dict[str, Any]) -> None:
    for step in STEPS:
        assert report["per_step"][f"web form: {step}"]["requests"] >= 1, step
    jobs = report["jobs"]
    assert jobs["enqueued"] >= 1
    assert jobs["completed"] == jobs["enqueued"] and jobs["pending_after_drain"] == 0
    assert jobs["rows_imported"] == 5 * jobs["enqueued"] and jobs["rows_refused"] == 0
    assert jobs["queue_wait_s"]["max"] is not None and jobs["queue_wait_s"]["max"] >= 0


def test_the_report_has_every_figure(report: dict[str, Any]) -> None:
    assert report["setup"]["database"] == ("postgres" if VENDOR == "postgresql" else "sqlite")
    assert report["setup"]["redis"] is bool(REDIS)
    assert "bench/load.py" in report["command"] and "--seconds 6" in report["command"]
    machine = report["machine"]
    assert machine["cpus"] >= 1
    assert len(machine["load_average_start"]) == len(machine["load_average_end"]) == 3
    total = report["total"]
    assert total["http_requests"] >= total["actions"]["requests"] > 0
    assert total["http_throughput_vs_baseline"] > 0 and total["p50_vs_baseline"] > 0
    for persona in ("respondent", "officer", "public"):
        assert report["per_persona"][persona]["per_s"] > 0
    memory = report["memory"]
    assert len(memory["series"]) >= 3  # start, at least one period, end
    for part in ("server", "workers"):
        row = memory[part]
        assert row["before_warmup_mb"] > 0 and 0 < row["after_warmup_mb"] <= row["max_mb"]
        growth = 100 * (row["end_mb"] - row["after_warmup_mb"]) / row["after_warmup_mb"]
        assert row["growth_pct"] == pytest.approx(growth, abs=0.1)
    assert memory["growth_within_limit"] is (
        memory["server"]["growth_pct"] <= 10 and memory["workers"]["growth_pct"] <= 10
    )
    if REDIS:
        assert all(isinstance(s["queue"], int) for s in memory["series"])
