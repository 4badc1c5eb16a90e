"""Backup and restore time for a large database, against the database's own tools.

Fills a fresh database with ROWS audit events (realistic JSON before/after states, fast bulk
insert: one executemany transaction on SQLite, COPY on PostgreSQL), then times, each in its
own process:

- baseline: SQLite online-backup copy of the file / ``pg_dump -Fc`` and ``pg_restore``;
- ``thuocdo backup create``, ``thuocdo backup verify``, ``thuocdo backup restore`` (into a
  fresh, empty database).

Reports medians over --repeat runs, the ratio of each step to its baseline measured in the
same run, the archive size and each process's peak memory (max RSS).

    .venv/bin/python bench/backup.py                      # 1,000,000 rows, SQLite and PostgreSQL
    .venv/bin/python bench/backup.py --rows 200000 --vendor sqlite --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def _env(data_dir: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO")}
    env.update(THUOCDO_ENV="development", THUOCDO_DATA_DIR=str(data_dir), DATABASE_URL=url)
    env.pop("REDIS_URL", None)
    return env


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time (s) and peak memory (MiB) of one process."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {err}")
    return elapsed, usage.ru_maxrss / 1024


def _thuocdo(*args: str) -> list[str]:
    return [sys.executable, "-m", "thuocdo.cli", *args]


def _rows(n: int) -> Iterator[tuple[Any, ...]]:
    actions = ("response.submit", "response.verify", "indicator.report", "task.update")
    for i in range(n):
        unit = f"2025/{1 + i % 34:02d}/{10000 + i % 3321:05d}/"
        before = json.dumps({"status": "draft", "score": (i * 7) % 100, "answers": {"S1": "a"}})
        after = json.dumps(
            {"status": "submitted", "score": (i * 13) % 100, "note": "Đã nộp qua tổ công nghệ số"}
        )
        yield (
            f"2025-0{1 + i % 9}-1{i % 10} 0{i % 10}:1{i % 6}:00+00:00",
            "system",
            actions[i % 4],
            "assessments.response",
            str(i),
            unit,
            before,
            after,
        )


COLUMNS = "at, actor_label, action, object_type, object_id, unit_path, before, after"


class Target:
    """A fresh database of one vendor, made and removed by the benchmark."""

    def __init__(self, vendor: str, workdir: Path, label: str) -> None:
        self.vendor = vendor
        self.data_dir = workdir / label
        self.data_dir.mkdir()
        if vendor == "sqlite":
            self.path = self.data_dir / "thuocdo.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            import psycopg

            self.name = f"thuocdo_ops_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.name}"')
            self.url = f"{PG_SERVER}/{self.name}"
        self.env = _env(self.data_dir, self.url)

    def fill(self, rows: int) -> float:
        _timed(_thuocdo("migrate"), self.env)
        started = time.perf_counter()
        if self.vendor == "sqlite":
            conn = sqlite3.connect(self.path)
            with conn:
                conn.executemany(
                    f"INSERT INTO accounts_auditevent ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",  # noqa: S608
                    _rows(rows),
                )
            conn.close()
        else:
            import psycopg

            with psycopg.connect(self.url) as conn, conn.cursor() as cur:
                with cur.copy(f"COPY accounts_auditevent ({COLUMNS}) FROM STDIN") as copy:
                    for row in _rows(rows):
                        copy.write_row(row)
                cur.execute("ANALYZE accounts_auditevent")
        return time.perf_counter() - started

    def size_mb(self) -> float:
        if self.vendor == "sqlite":
            return self.path.stat().st_size / 2**20
        import psycopg

        with psycopg.connect(self.url) as conn:
            row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
            assert row is not None
            return float(row[0]) / 2**20

    def drop(self) -> None:
        if self.vendor == "postgresql":
            import psycopg

            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _baseline_create(src: Target, out: Path) -> tuple[float, float]:
    if src.vendor == "sqlite":
        code = (
            "import sqlite3,sys; s=sqlite3.connect(sys.argv[1]); d=sqlite3.connect(sys.argv[2]);"
            "s.backup(d); d.close()"
        )
        return _timed([sys.executable, "-c", code, str(src.path), str(out)], src.env)
    return _timed(["pg_dump", "-Fc", f"--file={out}", src.url], src.env)


def _baseline_restore(raw: Path, dst: Target) -> tuple[float, float]:
    if dst.vendor == "sqlite":
        code = "import shutil,sys; shutil.copyfile(sys.argv[1], sys.argv[2])"
        return _timed([sys.executable, "-c", code, str(raw), str(dst.path)], dst.env)
    return _timed(
        ["pg_restore", "--single-transaction", "--no-owner", f"--dbname={dst.url}", str(raw)],
        dst.env,
    )


def bench(vendor: str, rows: int, repeat: int) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix=f"thuocdo-bench-{vendor}-"))
    src = Target(vendor, work, "source")
    made: list[Target] = [src]
    try:
        fill_s = src.fill(rows)
        size = src.size_mb()
        times: dict[str, list[float]] = {}
        memory: dict[str, float] = {}
        archive = work / "backup.tdbk"
        raw = work / "raw.dump"

        def record(step: str, result: tuple[float, float]) -> None:
            times.setdefault(step, []).append(result[0])
            memory[step] = max(memory.get(step, 0.0), result[1])

        for _ in range(repeat):
            raw.unlink(missing_ok=True)
            record("baseline create", _baseline_create(src, raw))
            record("create", _timed(_thuocdo("backup", "create", "-o", str(archive)), src.env))
            record("verify", _timed(_thuocdo("backup", "verify", str(archive)), src.env))
            base_dst = Target(vendor, work, f"base-{uuid.uuid4().hex[:6]}")
            made.append(base_dst)
            record("baseline restore", _baseline_restore(raw, base_dst))
            dst = Target(vendor, work, f"restore-{uuid.uuid4().hex[:6]}")
            made.append(dst)
            record("restore", _timed(_thuocdo("backup", "restore", str(archive)), dst.env))
            for target in (base_dst, dst):
                target.drop()
                made.remove(target)
                shutil.rmtree(target.data_dir, ignore_errors=True)
        med = {step: statistics.median(values) for step, values in times.items()}
        return {
            "vendor": vendor,
            "rows": rows,
            "database_mb": round(size, 1),
            "fill_s": round(fill_s, 1),
            "archive_mb": round(archive.stat().st_size / 2**20, 1),
            "baseline_dump_mb": round(raw.stat().st_size / 2**20, 1),
            "median_s": {k: round(v, 2) for k, v in med.items()},
            "ratio_create": round(med["create"] / med["baseline create"], 2),
            "ratio_restore": round(med["restore"] / med["baseline restore"], 2),
            "ratio_verify_to_create": round(med["verify"] / med["create"], 2),
            "peak_mb": {k: round(v, 1) for k, v in memory.items()},
            "repeat": repeat,
        }
    finally:
        for target in made:
            target.drop()
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--vendor", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    vendors = ["sqlite", "postgresql"] if args.vendor == "both" else [args.vendor]
    for vendor in vendors:
        result = bench(vendor, args.rows, args.repeat)
        print(json.dumps(result, ensure_ascii=False, indent=2), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
