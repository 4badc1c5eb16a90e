"""Benchmark: API submissions under load on PostgreSQL.

Starts gunicorn on 127.0.0.1 against a PostgreSQL database this script creates (and drops at
the end), then 32 client threads post scored submissions, each with its own Idempotency-Key
and organisation, for a bounded time; the same clients then call ``GET /health`` for the
same time as the baseline. Reports throughput, p50/p95/p99 latency, error rate, the ratio to
the baseline, and peak memory.

Run: .venv/bin/python bench/api_load.py [--seconds 20] [--clients 32]
     [--worker-class sync|gthread] [--workers N] [--threads 16] [--pg postgres://postgres@127.0.0.1:5432]
The default server is the production one (deploy/systemd/thuocdo-web.service): gunicorn sync
workers, 2 x cores + 1 of them, each serving one request at a time from the kernel's accept
queue (first come, first served; behind nginx every request is a fresh upstream connection).
``--worker-class gthread --workers 2 --threads 16`` measures a threaded server instead.
Target (issue 4): >= 200 submissions/s with p99 <= 300 ms at 32 clients.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = """
from thuocdo.config.settings.base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _admin_sql(pg: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _prepare(env: dict[str, str], orgs: int) -> dict[str, Any]:
    """Migrate, load built-ins, and create an officer token, an open campaign, organisations
    and a valid answer set per organisation (in a child process with Django set up)."""
    code = f"""
import json, random, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from thuocdo.core.builtins import load_builtins
load_builtins()
from stdnum.vn import mst
from thuocdo.accounts.models import User
from thuocdo.accounts.scopes import Scope
from thuocdo.accounts.services import token_create
from thuocdo.assessments import services
from thuocdo.assessments.domain import identity
from thuocdo.assessments.domain.synthetic import synthetic_answers
from thuocdo.assessments.models import Organisation
from thuocdo.core.collation import vi_collation_key
from thuocdo.frameworks.models import FrameworkVersion
from thuocdo.geo.models import Unit
user = User.objects.create(username="bench", role="province",
                           unit=Unit.objects.get(structure="2025", code="01"))
token = token_create(actor=user, user=user, name="bench")[1]
fw = FrameworkVersion.objects.get(code="sme-dx", version="2025.1")
scope = Scope(role="admin")
campaign = services.campaign_create(scope=scope, actor=None, framework=fw, area_code="01",
                                    year=2025, name="Tải thử")
services.campaign_open(scope=scope, actor=None, campaign=campaign)
communes = list(Unit.objects.filter(path__startswith="2025/01/", level="commune")[:50])
rows, n = [], 0
while len(rows) < {orgs}:
    body = f"01{{n:07d}}"
    n += 1
    check = mst.calc_check_digit(body)
    if len(check) != 1:
        continue
    commune = communes[len(rows) % len(communes)]
    name = f"Công ty TNHH Tải thử {{len(rows)}}"
    rows.append(Organisation(registry_id=identity.new_registry_id(), tax_code=body + check,
        name=name, name_folded=identity.dedupe_key(name, commune.code).split(":", 1)[1],
        sort_key=vi_collation_key(name), entity_type="enterprise", sector="retail",
        size_class="small", commune=commune, unit_path=commune.path))
ids = [o.pk for o in Organisation.objects.bulk_create(rows, batch_size=1000)]
rng = random.Random(1)
engine = fw.engine()
answers = [synthetic_answers(engine, rng, rng.random()) for _ in range(200)]
json.dump({{"token": token, "campaign": campaign.pk, "orgs": ids, "answers": answers}}, sys.stdout)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    )
    return dict(json.loads(out.stdout))


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out += [int(p) for p in text]
    return out


def _pg_backends(pg: str, db: str) -> list[int]:
    import psycopg

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (db,))
        return [int(r[0]) for r in rows]


def _wait_up(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


class Load:
    """Client threads with keep-alive connections; records latency and status of each call."""

    def __init__(self, port: int, clients: int, seconds: float) -> None:
        self.port = port
        self.clients = clients
        self.seconds = seconds
        self.latencies: list[float] = []
        self.errors = 0
        self.statuses: dict[int, int] = {}
        self.lock = threading.Lock()

    def run(self, make_request: Any) -> dict[str, Any]:
        stop = time.monotonic() + self.seconds
        barrier = threading.Barrier(self.clients + 1)

        def client(i: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            lat: list[float] = []
            errors = 0
            statuses: dict[int, int] = {}
            seq = 0
            barrier.wait()
            while time.monotonic() < stop:
                method, path, body, headers = make_request(i, seq)
                seq += 1
                t = time.perf_counter()
                try:
                    conn.request(method, path, body=body, headers=headers)
                    res = conn.getresponse()
                    res.read()
                    status = res.status
                    if res.getheader("Connection", "").lower() == "close":
                        conn.close()
                        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                except (OSError, http.client.HTTPException):
                    status = 0
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                lat.append(time.perf_counter() - t)
                statuses[status] = statuses.get(status, 0) + 1
                if status not in (200, 201):
                    errors += 1
            with self.lock:
                self.latencies += lat
                self.errors += errors
                for k, v in statuses.items():
                    self.statuses[k] = self.statuses.get(k, 0) + v

        threads = [threading.Thread(target=client, args=(i,)) for i in range(self.clients)]
        for t in threads:
            t.start()
        barrier.wait()
        started = time.perf_counter()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        lat = sorted(self.latencies)
        n = len(lat)

        def pct(p: float) -> float:
            return round(lat[min(n - 1, int(p * n))] * 1000, 1) if n else float("nan")

        return {
            "requests": n,
            "seconds": round(elapsed, 2),
            "throughput_per_s": round(n / elapsed, 1),
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
            "median_ms": round(statistics.median(lat) * 1000, 1) if n else None,
            "error_rate": round(self.errors / n, 4) if n else None,
            "statuses": self.statuses,
        }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--worker-class", default="sync", choices=("sync", "gthread"))
    ap.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    ap.add_argument("--threads", type=int, default=16, help="gthread only")
    ap.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    args = ap.parse_args()

    db = f"thuocdo_bench_api_{os.getpid()}"
    tmp = tempfile.mkdtemp(prefix="td-bench-")
    Path(tmp, "bench_settings.py").write_text(SETTINGS)
    env = {
        **os.environ,
        "DATABASE_URL": f"{args.pg}/{db}",
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join([tmp, str(ROOT / "src")]),
        "THUOCDO_DATA_DIR": tmp,
        "SECRET_KEY": "bench-" + uuid.uuid4().hex * 2,
        "DB_CONN_MAX_AGE": "300",  # persistent connections, as deployed
    }
    _admin_sql(args.pg, f'CREATE DATABASE "{db}"')
    server = None
    try:
        t = time.perf_counter()
        data = _prepare(env, orgs=max(20000, int(args.seconds * 1500)))
        setup_s = time.perf_counter() - t
        port = _free_port()
        threaded = ["--threads", str(args.threads)] if args.worker_class == "gthread" else []
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "thuocdo.config.wsgi:application",
                "--bind", f"127.0.0.1:{port}",
                "--worker-class", args.worker_class,
                "--workers", str(args.workers),
                *threaded,
                "--keep-alive", "30",
                "--backlog", "256",
                "--log-level", "warning",
            ],
            env=env,
        )  # fmt: skip
        _wait_up(port)
        auth = {"Authorization": f"Bearer {data['token']}", "Content-Type": "application/json"}
        orgs: list[int] = data["orgs"]
        answers: list[dict[str, Any]] = data["answers"]
        counter = iter(range(len(orgs)))
        counter_lock = threading.Lock()
        rng = random.Random(7)
        bodies = [json.dumps(a) for a in answers]

        def submission(_i: int, _seq: int) -> tuple[str, str, str, dict[str, str]]:
            with counter_lock:
                n = next(counter)
            body = (
                f'{{"campaign_id": {data["campaign"]}, "organisation_id": {orgs[n]}, '
                f'"answers": {bodies[n % len(bodies)]}}}'
            )
            headers = {**auth, "Idempotency-Key": uuid.UUID(int=rng.getrandbits(128)).hex}
            return "POST", "/api/v1/assessments/responses", body, headers

        def health(_i: int, _seq: int) -> tuple[str, str, None, dict[str, str]]:
            return "GET", "/health", None, {}

        # a short warm-up so every worker has its connection and the criteria set parsed
        Load(port, args.clients, 2).run(submission)
        workers = _children(server.pid)
        backends = _pg_backends(args.pg, db)
        web0, db0 = _cpu_seconds(workers), _cpu_seconds(backends)
        client0 = time.process_time()
        subs = Load(port, args.clients, args.seconds).run(submission)
        web1, db1 = _cpu_seconds(workers), _cpu_seconds(backends)
        n = max(subs["requests"], 1)
        subs["cpu_ms_per_request"] = {
            "web": round((web1 - web0) / n * 1000, 2),
            "database": round((db1 - db0) / n * 1000, 2),
            "load_generator": round((time.process_time() - client0) / n * 1000, 2),
        }
        base = Load(port, args.clients, args.seconds).run(health)
        load1 = os.getloadavg()[0]
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        _admin_sql(args.pg, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    summary = {
        "clients": args.clients,
        "machine": {"cpus": os.cpu_count(), "load_average_1min_after": round(load1, 1)},
        "gunicorn": f"{args.workers} {args.worker_class} workers"
        + (f" × {args.threads} threads" if args.worker_class == "gthread" else ""),
        "setup_seconds": round(setup_s, 1),
        "submissions": subs,
        "baseline_health": base,
        "ratio_throughput_vs_health": round(subs["throughput_per_s"] / base["throughput_per_s"], 3),
        "ratio_p50_vs_health": round(subs["p50_ms"] / base["p50_ms"], 2),
        "peak_rss_mb": {"client": round(me / 1024, 1), "largest_child": round(children / 1024, 1)},
        "target_met": subs["throughput_per_s"] >= 200
        and subs["p99_ms"] <= 300
        and (subs["error_rate"] or 0) == 0,
    }
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
