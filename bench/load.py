"""Load test on loopback: respondents, officers and public readers at once.

Prepares a fresh database (SQLite in a temporary folder, or the empty database given with
--database-url) with the built-ins and the demo data, an officer of Hà Nội, a live campaign
with organisations to answer it and published campaigns for the portal (bench/_load_data.py);
starts gunicorn with the production settings on 127.0.0.1 (no worker recycling, so a leak
shows) and --queue-workers ``thuocdo worker`` processes on the same environment (on Redis
with --redis-url, else on the SQLite queue); measures a ``/health``-only baseline; then runs
the mix of bench/_load_mix.py from --threads client threads: a warm-up, then the measured
phase until --seconds pass or --max-requests HTTP requests were sent. Memory of the server
(master + workers) and of the job workers is sampled every --sample-every seconds.

Prints one JSON report: throughput, p50/p95/p99 latency and error rate overall, per action and
per step of the multi-request actions, ratios to the baseline; background jobs queued and
completed with their worst queue wait; the memory series and its growth after the warm-up
with the soak verdict (growth <= --memory-limit %); the machine's CPUs and load average at the
start and the end; the command line.

    .venv/bin/python bench/load.py --seconds 60            # SQLite, local queue
    .venv/bin/python bench/load.py --seconds 600 --warmup 120 \\
        --database-url postgres://postgres@127.0.0.1:5432/thuocdo_load \\
        --redis-url redis://127.0.0.1:6379/12               # an empty database, made beforehand

--redis-url names a Redis database for this run: the product's cache keys and job queue there
are deleted at the start. Extend the mix by adding a ``Spec`` to ``MIX`` in bench/_load_mix.py.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shlex
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _load_http import Session, Unexpected
from _load_mix import BASELINE, IMPORT_ROWS, MIX, RESPONDENT, Pools, Spec, Visitor
from _load_stats import Sampler, Stats, latency, memory_report, per_action, per_step, percentile

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "_load_data.py"
SECRET = "b" * 30 + "Zq8#pL2@vX9!mN4$rT6&yW1*uI3^oP5"
QUEUE_KEY = "huey.redis.thuocdo"


def _env(data_dir: Path, url: str, redis_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "PYTEST"))}
    env.pop("REDIS_URL", None)
    env.update(
        THUOCDO_ENV="production",
        DJANGO_SETTINGS_MODULE="thuocdo.config.settings",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1",
        CSRF_TRUSTED_ORIGINS="https://127.0.0.1",
        THUOCDO_DATA_DIR=str(data_dir),
        DATABASE_URL=url,
        LOG_LEVEL="WARNING",
        LOGIN_FAILURE_LIMIT="1000000",
        **({"REDIS_URL": redis_url} if redis_url else {}),
    )
    return env


def _data(env: dict[str, str], *args: str) -> Any:
    """Run a command of bench/_load_data.py and return the JSON it prints last."""
    out = subprocess.run(
        [sys.executable, str(DATA), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"_load_data.py {args[0]} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _pool_sizes(args: argparse.Namespace) -> tuple[int, int]:
    """Organisations for respondents and rows for imports, enough for --pool-rate actions/s."""
    actions = (args.seconds + args.warmup) * args.pool_rate
    if args.max_requests:
        actions = min(actions, args.max_requests + args.warmup * args.pool_rate)
    total = sum(s.weight for s in MIX)
    answering = sum(s.weight for s in MIX if s.persona == RESPONDENT) / total
    importing = sum(s.weight for s in MIX if "import" in s.name) / total
    return math.ceil(actions * answering) + 200, IMPORT_ROWS * (math.ceil(actions * importing) + 20)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _log(work: Path, name: str) -> Any:
    return (work / f"{name}.log").open("wb")


def _log_errors(work: Path) -> dict[str, Any]:
    """Tracebacks written by the server and the job workers (their logs are at WARNING):
    how many, and the last lines of the first one."""
    out: dict[str, Any] = {}
    for path in sorted(work.glob("*.log")):
        text = path.read_text(errors="replace")
        row: dict[str, Any] = {"count": text.count("Traceback")}
        if row["count"]:
            first = text[text.index("Traceback") :].split("\n\n", 1)[0].splitlines()
            row["first"] = first[-8:]
        out[path.stem] = row
    return out


def _start_server(
    env: dict[str, str], workers: int, work: Path
) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    log = _log(work, "gunicorn")
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "thuocdo.config.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "60",
            "--forwarded-allow-ips", "127.0.0.1", "--log-level", "warning",
        ],
        env=env, cwd=ROOT, stdout=log, stderr=log,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if Session(base).get("/health").status == 200:
                return server, base
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not answer /health within 60 s")


def _start_workers(
    env: dict[str, str], n: int, threads: int, work: Path
) -> list[subprocess.Popen[bytes]]:
    cmd = [sys.executable, "-m", "thuocdo.cli", "worker", "--workers", str(threads)]
    procs = []
    for i in range(n):
        log = _log(work, f"worker-{i + 1}")
        procs.append(subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=log))
    return procs


def _queue_length(redis_url: str, data_dir: Path) -> Callable[[], int | None]:
    """Tasks waiting in the job queue (Redis list, or the SQLite queue's task table)."""
    if redis_url:
        import redis

        client = redis.Redis.from_url(redis_url)
        return lambda: int(client.llen(QUEUE_KEY))

    def sqlite_length() -> int | None:
        try:
            with sqlite3.connect(data_dir / "queue.sqlite3", timeout=1) as conn:
                return int(conn.execute("SELECT count(*) FROM task").fetchone()[0])
        except sqlite3.Error:
            return None

    return sqlite_length


def _act(spec: Spec, v: Visitor, stats: Stats) -> None:
    started = time.perf_counter()
    error = None
    try:
        spec.run(v)
    except Unexpected as exc:
        error = str(exc)
    except Exception as exc:  # the server closed, timed out…: an error too
        error = f"{type(exc).__name__}: {exc}"
    stats.add(spec.name, time.perf_counter() - started, error)


@dataclass
class Phase:
    """One timed run of some specs from every visitor thread: first every spec once (spread
    over the threads, so each is measured and warmed up), then specs drawn by weight."""

    specs: tuple[Spec, ...]
    seconds: float
    max_requests: int = 0

    def run(self, visitors: list[Visitor]) -> tuple[Stats, float]:
        stats = Stats()
        weights = [s.weight for s in self.specs]
        barrier = threading.Barrier(len(visitors) + 1)
        stop = [0.0]

        def going() -> bool:
            within = not self.max_requests or stats.http_requests < self.max_requests
            return within and time.monotonic() < stop[0]

        def client(i: int, v: Visitor) -> None:
            v.record = stats.request
            barrier.wait()
            for spec in self.specs[i :: len(visitors)]:
                _act(spec, v, stats)
            while going():
                _act(v.rng.choices(self.specs, weights)[0], v, stats)

        threads = [threading.Thread(target=client, args=iv) for iv in enumerate(visitors)]
        for t in threads:
            t.start()
        stop[0] = time.monotonic() + self.seconds
        started = time.monotonic()
        barrier.wait()
        for t in threads:
            t.join()
        return stats, time.monotonic() - started


def _drain(env: dict[str, str], seconds: float) -> tuple[float, int]:
    """Wait (at most ``seconds``) for the queued imports to finish; returns (waited, pending)."""
    started = time.monotonic()
    pending = int(_data(env, "pending"))
    while pending and time.monotonic() - started < seconds:
        time.sleep(2)
        pending = int(_data(env, "pending"))
    return round(time.monotonic() - started, 1), pending


def _totals(stats: Stats, seconds: float, health: dict[str, Any]) -> dict[str, Any]:
    every = [x for values in stats.actions.values() for x in values]
    errors = sum(stats.errors.values())
    http_per_s = stats.http_requests / seconds
    return {
        "actions": {**latency(every, seconds), "errors": errors},
        "http_requests": stats.http_requests,
        "http_per_s": round(http_per_s, 1),
        "error_rate": round(errors / len(every), 4),
        "http_throughput_vs_baseline": round(http_per_s / health["per_s"], 3),
        "p50_vs_baseline": round(1000 * percentile(every, 0.5) / health["p50_ms"], 1),
    }


def _persona_totals(stats: Stats, seconds: float) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for persona in sorted({s.persona for s in MIX}):
        names = [s.name for s in MIX if s.persona == persona and s.name in stats.actions]
        values = [x for n in names for x in stats.actions[n]]
        if values:
            errors = sum(stats.errors.get(n, 0) for n in names)
            out[persona] = {
                **latency(values, seconds),
                "error_rate": round(errors / len(values), 4),
            }
    return out


# (option, type, default, help)
OPTIONS: tuple[tuple[str, type, Any, str], ...] = (
    ("--seconds", float, 60.0, "length of the measured mix (s)"),
    ("--warmup", float, 10.0, "mix before measuring (s)"),
    ("--baseline-seconds", float, 10.0, "/health-only phase (s)"),
    ("--threads", int, 8, "client threads (visitors)"),
    ("--max-requests", int, 0, "stop the mix after this many HTTP requests (0: no cap)"),
    ("--workers", int, 2, "gunicorn worker processes"),
    ("--queue-workers", int, 1, "`thuocdo worker` processes"),
    ("--queue-threads", int, 2, "threads per `thuocdo worker`"),
    ("--sample-every", float, 30.0, "memory sample period (s)"),
    ("--memory-limit", float, 10.0, "soak verdict: growth after the warm-up at most this %%"),
    ("--drain-seconds", float, 60.0, "wait at most this long for queued jobs after the mix"),
    ("--pool-rate", float, 60.0, "actions/s the prepared organisations cover"),
    ("--seed", int, 1, "seed of the clients' random choices"),
    ("--database-url", str, "", "an empty database to fill (default: SQLite, temporary)"),
    ("--redis-url", str, "", "Redis database for cache and queue (default: none)"),
)


def _arguments() -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=(__doc__ or "").splitlines()[0],
        epilog="See the module docstring and docs/operations.md (Load test).",
    )
    for flag, kind, default, text in OPTIONS:
        p.add_argument(flag, type=kind, default=default, help=f"{text} (default {default!r})")
    p.add_argument("--keep", action="store_true", help="keep the data folder and the logs")
    return p.parse_args()


def _visitors(base: str, data: dict[str, Any], args: argparse.Namespace) -> list[Visitor]:
    pools = Pools(data["orgs"], data["import_orgs"])
    visitors = [
        Visitor(base, data, pools, random.Random(args.seed * 1000 + i), lambda s, t: None)
        for i in range(args.threads)
    ]
    for v in visitors:
        v.log_in_officer()
    return visitors


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()


@dataclass
class Run:
    """What the measured phase left for the report."""

    args: argparse.Namespace
    url: str
    data: dict[str, Any]
    prepare_s: float
    redis_keys_cleared: int
    health: dict[str, Any]
    stats: Stats
    elapsed: float
    memory: dict[str, Any]
    jobs: dict[str, Any]


def _report(run: Run, load_start: list[float], work: Path) -> dict[str, Any]:
    args, stats, elapsed, health = run.args, run.stats, run.elapsed, run.health
    persona = {s.name: s.persona for s in MIX}
    return {
        "command": shlex.join(sys.orig_argv),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_start": load_start,
            "load_average_end": [round(x, 2) for x in os.getloadavg()],
        },
        "setup": {
            "database": run.url.split(":", 1)[0],
            "redis": bool(args.redis_url),
            "redis_keys_cleared": run.redis_keys_cleared,
            "gunicorn": f"{args.workers} sync workers, no recycling (--max-requests)",
            "queue_workers": f"{args.queue_workers} × {args.queue_threads} threads",
            "threads": args.threads,
            "prepare_s": round(run.prepare_s, 1),
            "organisations_prepared": len(run.data["orgs"]),
        },
        "mix": {s.name: {"persona": s.persona, "weight": s.weight} for s in MIX},
        "seconds": round(elapsed, 1),
        "warmup_s": args.warmup,
        "max_requests": args.max_requests or None,
        "baseline": health,
        "total": _totals(stats, elapsed, health),
        "per_persona": _persona_totals(stats, elapsed),
        "per_action": {
            name: {**row, "p50_vs_baseline": round(row["p50_ms"] / health["p50_ms"], 1)}
            for name, row in per_action(stats, elapsed, persona).items()
        },
        "per_step": per_step(stats, elapsed),
        "jobs": run.jobs,
        "tracebacks_in_logs": _log_errors(work),
        "memory": {"sample_every_s": args.sample_every, **run.memory},
    }


def _run(
    args: argparse.Namespace, work: Path, url: str, procs: list[subprocess.Popen[bytes]]
) -> Run:
    env = _env(work, url, args.redis_url)
    cleared = _data(env, "clear-redis", args.redis_url)["deleted"] if args.redis_url else 0
    t = time.monotonic()
    data = _data(env, "prepare", *map(str, _pool_sizes(args)))
    prepare_s = time.monotonic() - t
    server, base = _start_server(env, args.workers, work)
    procs.append(server)
    workers = _start_workers(env, args.queue_workers, args.queue_threads, work)
    procs += workers
    visitors = _visitors(base, data, args)
    baseline, baseline_s = Phase((BASELINE,), args.baseline_seconds).run(visitors)
    health = {**latency(baseline.actions[BASELINE.name], baseline_s)}
    health["errors"] = sum(baseline.errors.values())
    queue = _queue_length(args.redis_url, work)
    sampler = Sampler(server.pid, [w.pid for w in workers], args.sample_every, queue)
    before = sampler.sample()
    Phase(MIX, args.warmup).run(visitors)
    sampler.samples.clear()
    sampler.start()
    stats, elapsed = Phase(MIX, args.seconds, args.max_requests).run(visitors)
    sampler.stop()
    drained_s, pending = _drain(env, args.drain_seconds)
    jobs = {**_data(env, "jobs"), "drain_s": drained_s, "pending_after_drain": pending}
    memory = memory_report(sampler.samples, before, args.memory_limit)
    return Run(args, url, data, prepare_s, cleared, health, stats, elapsed, memory, jobs)


def main() -> int:
    args = _arguments()
    load_start = [round(x, 2) for x in os.getloadavg()]
    work = Path(tempfile.mkdtemp(prefix="thuocdo-load-"))
    url = args.database_url or f"sqlite:///{work / 'thuocdo.sqlite3'}"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        run = _run(args, work, url, procs)
        _stop(procs)
        procs.clear()
        print(json.dumps(_report(run, load_start, work), ensure_ascii=False, indent=2))
    finally:
        _stop(procs)
        if args.keep:
            print(f"data folder and logs kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
