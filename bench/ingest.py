"""Benchmark: `thuocdo import` of 100,000 responses of a 50-criterion set from CSV.

The criteria set is the synthetic 50-criterion, 6-pillar set of ``bench/_synth.py`` (single,
multi, boolean, number and scale questions, conditions and gates), loaded as a published
version. The script writes the CSV (valid 10-digit tax codes, communes of Hà Nội), creates a
fresh SQLite file and a fresh PostgreSQL database (dropped at the end), migrates them, loads
the built-in data, creates a campaign, then runs, each as a subprocess timed end to end:

- baseline: reading and validating the same CSV without writing (``import_validate``);
- the import itself: ``thuocdo import CAMPAIGN FILE``.

Children run with the production settings (``THUOCDO_ENV=production``: DEBUG off).

Peak memory is the child's maximum resident set (``wait4``). Bars: ≤ 60 s on PostgreSQL and
≤ 90 s on SQLite for 100,000 rows.

Run: .venv/bin/python bench/ingest.py [--rows 100000] [--runs 1] [--no-postgres]
     [--pg postgres://postgres@127.0.0.1:5432]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import secrets
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import yaml
from stdnum.vn import mst

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _synth import framework_dict
from thuocdo.assessments.importing.columns import CONTRACT
from thuocdo.frameworks.engine import Criterion, framework_from_dict

ROOT = Path(__file__).resolve().parent.parent
BARS = {"sqlite": 90.0, "postgresql": 60.0}

SETUP = """
import django, json, sys, secrets
django.setup()
from thuocdo.frameworks.services import framework_version_load
from thuocdo.assessments.models import Campaign
from thuocdo.geo.models import Unit
fv, _ = framework_version_load(actor=None, text=open(sys.argv[1], "rb").read(),
                               source_name="bench.yaml", publish=True)
area = Unit.objects.get(structure="2025", code="01")
ids = []
for run in range(int(sys.argv[2])):
    c = Campaign.objects.create(name=f"Bench {run}", framework=fv, area=area,
        unit_path=area.path, year=2025, status="open", public_token=secrets.token_hex(16))
    ids.append(c.pk)
communes = list(Unit.objects.filter(structure="2025", level="commune",
    path__startswith=area.path).values_list("code", flat=True)[:200])
print(json.dumps({"campaigns": ids, "communes": communes}))
"""

VALIDATE = """
import django, json, sys
from pathlib import Path
django.setup()
from thuocdo.assessments.models import Campaign
from thuocdo.assessments.importing.services import import_validate
p = import_validate(campaign=Campaign.objects.get(pk=int(sys.argv[1])), path=Path(sys.argv[2]))
print(json.dumps({"valid": len(p.orgs), "problems": len(p.problems)}))
"""


def tax_code(n: int) -> str:
    k = n
    while True:
        base = f"{(k * 7919 + 100_000_000) % 1_000_000_000:09d}"
        if base[:2] == "00":
            base = "01" + base[2:]
        check = mst.calc_check_digit(base)
        if len(check) == 1:
            return base + check
        k += 1_000_003


def cell(c: Criterion, rng: random.Random) -> str:
    q = c.question
    if q.type == "single":
        return rng.choice(q.options).code
    if q.type == "multi":
        plain = [o.code for o in q.options if not o.exclusive]
        return ";".join(rng.sample(plain, rng.randint(1, len(plain))))
    if q.type == "boolean":
        return rng.choice(("1", "0", "có", "không"))
    lo = int(q.min if q.min is not None else 0)
    hi = int(q.max if q.max is not None else lo + 100)
    return str(rng.randint(lo, min(hi, lo + 50)))


def write_csv(path: Path, rows: int, communes: list[str], start: int) -> None:
    fw = framework_from_dict(framework_dict())
    rng = random.Random(7 + start)
    criteria = fw.criteria()
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([*CONTRACT, *(c.code for c in criteria)])
        for i in range(start, start + rows):
            w.writerow(
                [tax_code(i + 1), f"Công ty TNHH Thử nghiệm {i + 1}", "enterprise",
                 communes[i % len(communes)], "4711", "small",
                 *(cell(c, rng) for c in criteria)]
            )  # fmt: skip


def env_for(url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DATABASE_URL=url,
        THUOCDO_DATA_DIR=str(data_dir),
        THUOCDO_ENV="production",  # DEBUG off, as a real import runs
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SETTINGS_MODULE="thuocdo.config.settings",
        PYTHONPATH=str(ROOT / "src"),
        MAX_UPLOAD_MB="500",
    )
    return env


PHASES: dict[str, float] = {}


def _phases(stream: Any, t0: float) -> None:
    """Seconds from start at which the importer first reported each phase (its stderr
    progress), and when it handed the last chunk to the database (``written``)."""
    for line in stream:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        at = round(time.perf_counter() - t0, 2)
        PHASES.setdefault(event["phase"], at)  # first report of the phase
        if event["phase"] == "writing":
            PHASES["written"] = at  # the last chunk handed to the database


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MiB) and stdout of a child process."""
    t = time.perf_counter()
    PHASES.clear()
    proc = subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    reader = threading.Thread(target=_phases, args=(proc.stderr, t), daemon=True)
    reader.start()
    out = proc.stdout.read()
    reader.join()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])}… failed ({proc.returncode}): {out[-2000:]}")
    return wall, usage.ru_maxrss / 1024, out


def bench_backend(name: str, url: str, tmp: Path, args: argparse.Namespace) -> dict[str, Any]:
    env = env_for(url, tmp)
    py = sys.executable
    run([py, "-m", "thuocdo.cli", "migrate"], env)
    run([py, "-m", "thuocdo.cli", "load-builtins"], env)
    fw_yaml = tmp / "bench.yaml"
    fw_yaml.write_text(yaml.safe_dump(framework_dict(), allow_unicode=True), encoding="utf-8")
    _, _, out = run([py, "-c", SETUP, str(fw_yaml), str(args.runs)], env)
    made = json.loads(out.strip().splitlines()[-1])
    validate_t: list[float] = []
    import_t: list[float] = []
    peaks: list[float] = []
    base_peaks: list[float] = []
    for k, campaign in enumerate(made["campaigns"]):
        path = tmp / f"{name}-{k}.csv"
        write_csv(path, args.rows, made["communes"], start=k * args.rows)
        wall, peak, out = run([py, "-c", VALIDATE, str(campaign), str(path)], env)
        checked = json.loads(out.strip().splitlines()[-1])
        assert checked == {"valid": args.rows, "problems": 0}, checked
        validate_t.append(wall)
        base_peaks.append(peak)
        wall, peak, out = run([py, "-m", "thuocdo.cli", "import", str(campaign), str(path)], env)
        result = json.loads(out)
        assert result["imported"] == args.rows and not result["errors"], result
        import_t.append(wall)
        peaks.append(peak)
        phases = dict(PHASES)
        path.unlink()
    imp = statistics.median(import_t)
    val = statistics.median(validate_t)
    return {
        "backend": name,
        "rows": args.rows,
        "runs": args.runs,
        "import_s_median": round(imp, 2),
        "import_s_all": [round(x, 2) for x in import_t],
        "rows_per_s": round(args.rows / imp),
        "peak_rss_mib": round(max(peaks)),
        "baseline_validate_s_median": round(val, 2),
        "baseline_peak_rss_mib": round(max(base_peaks)),
        "ratio_import_to_validate": round(imp / val, 2),
        "phases_s_last_run": phases,
        "bar_s": BARS[name],
        "meets_bar": imp <= BARS[name] * args.rows / 100_000,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true")
    ap.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="thuocdo-ingest-") as tmpdir:
        tmp = Path(tmpdir)
        if not args.no_sqlite:
            db = tmp / "bench.sqlite3"
            results.append(bench_backend("sqlite", f"sqlite:///{db}", tmp, args))
            sqlite3.connect(db).close()
        if not args.no_postgres:
            import psycopg

            name = f"thuocdo_bench_ingest_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
            try:
                results.append(bench_backend("postgresql", f"{args.pg}/{name}", tmp, args))
            finally:
                with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    for r in results:
        print(json.dumps(r, ensure_ascii=False))
    print()
    print(f"{'backend':<11} {'rows':>7} {'import s':>9} {'rows/s':>8} {'peak MiB':>9} "
          f"{'validate s':>11} {'ratio':>6} {'bar s':>6}  verdict")  # fmt: skip
    for r in results:
        print(
            f"{r['backend']:<11} {r['rows']:>7} {r['import_s_median']:>9} {r['rows_per_s']:>8} "
            f"{r['peak_rss_mib']:>9} {r['baseline_validate_s_median']:>11} "
            f"{r['ratio_import_to_validate']:>6} {r['bar_s']:>6}  "
            + ("meets the bar" if r["meets_bar"] else "MISSES the bar")
        )


if __name__ == "__main__":
    main()
