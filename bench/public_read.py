"""Benchmark: anonymous readers of the public results on PostgreSQL.

Starts gunicorn on 127.0.0.1 against a PostgreSQL database this script creates (and drops at
the end), loads the demo (its published campaigns get their release on publication or on
the first public read), then 32 client threads read, for a bounded time, the public
dashboard, the map and the rankings (public API and chart CSVs) and the open-data files of
the published campaigns, in turn; the same clients then call ``GET /health`` for the same
time as the baseline. Reports throughput, p50/p95/p99 latency and the ratio to the baseline.

Run: .venv/bin/python bench/public_read.py [--seconds 20] [--clients 32]
     [--workers N] [--pg postgres://postgres@127.0.0.1:5432]
Target: >= 200 requests/s with p99 <= 300 ms at 32 readers.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_load import ROOT, SETTINGS, Load, _admin_sql, _free_port, _wait_up

PREPARE = """
import json, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from thuocdo.core.builtins import load_builtins, load_demo_data
load_builtins()
load_demo_data()
from thuocdo.assessments.models import Campaign
ids = list(Campaign.objects.filter(status="published").values_list("id", flat=True))
json.dump({"campaigns": ids}, sys.stdout)
"""


def urls_of(campaigns: list[int]) -> list[str]:
    out: list[str] = []
    for c in campaigns:
        api = f"/api/v1/public/campaigns/{c}"
        out += [
            f"/public/{c}/",
            f"{api}/aggregates",
            f"{api}/aggregates?by=province",
            f"{api}/aggregates?by=commune",
            f"{api}/rankings?level=commune",
            f"/public/{c}/csv/map/",
            f"/public/{c}/csv/units/",
            f"/public/{c}/data/commune.csv",
            f"/public/{c}/data/province-sector.csv",
        ]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    ap.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    args = ap.parse_args()

    db = f"thuocdo_bench_public_{os.getpid()}"
    tmp = tempfile.mkdtemp(prefix="td-bench-")
    Path(tmp, "bench_settings.py").write_text(SETTINGS)
    env = {
        **os.environ,
        "DATABASE_URL": f"{args.pg}/{db}",
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join([tmp, str(ROOT / "src")]),
        "THUOCDO_DATA_DIR": tmp,
        "SECRET_KEY": "bench-" + uuid.uuid4().hex * 2,
        "DB_CONN_MAX_AGE": "300",
    }
    _admin_sql(args.pg, f'CREATE DATABASE "{db}"')
    server = None
    try:
        t = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", PREPARE], env=env, check=True, capture_output=True, text=True
        )
        campaigns: list[int] = json.loads(out.stdout.strip().splitlines()[-1])["campaigns"]
        setup_s = time.perf_counter() - t
        port = _free_port()
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "thuocdo.config.wsgi:application",
                "--bind", f"127.0.0.1:{port}",
                "--workers", str(args.workers),
                "--keep-alive", "30",
                "--backlog", "256",
                "--log-level", "warning",
            ],
            env=env,
        )  # fmt: skip
        _wait_up(port)
        urls = urls_of(campaigns)

        def reader(i: int, seq: int) -> tuple[str, str, None, dict[str, str]]:
            return "GET", urls[(i + seq) % len(urls)], None, {}

        def health(_i: int, _seq: int) -> tuple[str, str, None, dict[str, str]]:
            return "GET", "/health", None, {}

        # warm-up: the first public read of a campaign may make its release
        Load(port, args.clients, 3).run(reader)
        reads = Load(port, args.clients, args.seconds).run(reader)
        base = Load(port, args.clients, args.seconds).run(health)
        load1 = os.getloadavg()[0]
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        _admin_sql(args.pg, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    summary: dict[str, Any] = {
        "clients": args.clients,
        "machine": {"cpus": os.cpu_count(), "load_average_1min_after": round(load1, 1)},
        "gunicorn": f"{args.workers} sync workers",
        "setup_seconds": round(setup_s, 1),
        "urls": len(urls),
        "public_reads": reads,
        "baseline_health": base,
        "ratio_to_health": {
            "throughput": round(reads["throughput_per_s"] / base["throughput_per_s"], 3),
            "p99": round(reads["p99_ms"] / base["p99_ms"], 2) if base["p99_ms"] else None,
        },
        "target": {
            "throughput_per_s": ">= 200",
            "p99_ms": "<= 300",
            "met": reads["throughput_per_s"] >= 200 and reads["p99_ms"] <= 300,
        },
    }
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
