"""Benchmark: the columnar copy of a national campaign, built from PostgreSQL.

The script creates a fresh PostgreSQL database (``bench_refresh``, dropped at the end unless
``--keep``), migrates it, loads the built-in data, and creates a campaign over the nation with
the built-in ``sme-dx`` criteria set and population strata. It then puts ``--rows`` scored
responses (and their organisations) straight into the tables through ``COPY`` — a generator
fast path, not the import: a handful of distinct answer sets scored by
``thuocdo.frameworks.engine.score``, spread over every commune of ``--provinces`` provinces,
statuses mostly submitted.

Then, each step in its own process (so its peak resident set is its own, read by ``wait4``)
with the production settings:

- baseline: ``COPY (SELECT <the columns the refresh reads> …) TO STDOUT`` consumed and
  discarded — the floor of reading the data (the lower of two runs);
- full: ``refresh_campaign(id, full=True)``;
- dashboard after full: the first answer of the officer dashboard
  (``/analytics/<id>/``, Django test client, an admin logged in) in a fresh process with an
  empty node cache, so every part is read from the database;
- incremental: ``--changes`` responses of a few provinces get new scores and a new
  ``updated_at``, then ``refresh_campaign(id)`` in a fresh process (``cold``: the previous
  copy is read from its parts in the database), and once more in the same process after another
  ``--changes`` (``warm``: the previous copy is in memory, as in a long-running worker);
- dashboard after incremental: as above.

Targets (printed with the figures): full refresh ≤ 2× the baseline, incremental ≤ 1 s at
5,000,000 rows, peak RSS ≤ 4 GB. The JSON goes to stdout and ``bench/out/refresh-<rows>.json``.

Run: .venv/bin/python bench/refresh.py [--rows 1000000] [--changes 1000] [--provinces 6]
     [--keep] [--pg postgres://postgres@127.0.0.1:5432] [--db bench_refresh]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
FULL_RATIO_BAR = 2.0
INCREMENTAL_BAR_S = 1.0  # at 5,000,000 rows
RSS_BAR_MB = 4096.0
ANSWER_SETS = 8
# statuses of the generated responses, out of 100
STATUSES = (("submitted", 88), ("verified", 6), ("draft", 4), ("rejected", 2))
SIZES = ("micro", "small", "medium", "large")


# ---------------------------------------------------------------- children (inside Django)


def _django() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def _answer_sets(fv: Any, n: int) -> list[dict[str, Any]]:
    """``n`` distinct answer sets of the criteria set and their scores."""
    from thuocdo.frameworks.engine import score

    fw = fv.engine()
    rng = random.Random(15)
    out: list[dict[str, Any]] = []
    while len(out) < n:
        answers: dict[str, Any] = {}
        for c in fw.criteria():
            q = c.question
            if q.type == "single":
                answers[c.code] = rng.choice(q.options).code
            elif q.type == "multi":
                plain = [o.code for o in q.options if not getattr(o, "exclusive", False)]
                answers[c.code] = rng.sample(plain, rng.randint(1, len(plain)))
            elif q.type == "boolean":
                answers[c.code] = rng.random() < 0.5 + len(out) / (2 * n)
            elif q.type == "scale":
                lo, hi = int(q.min or 1), int(q.max or 5)
                answers[c.code] = rng.randint(lo, hi)
            else:
                lo = int(q.min if q.min is not None else 0)
                hi = int(q.max if q.max is not None else lo + 100)
                answers[c.code] = rng.randint(lo, min(hi, lo + 50))
        res = score(fw, answers, validate=False)
        out.append({"answers": answers, **res.to_json_dict()})
    return out


def _csv_field(value: Any) -> str:
    """One CSV field for COPY (FORMAT csv): empty is NULL, text quoted."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return '"' + text.replace('"', '""') + '"'


def child_setup(rows: int, provinces: int) -> dict[str, Any]:
    """Campaign, admin, strata, then ``rows`` organisations and responses through COPY."""
    from django.db import connection
    from django.utils import timezone

    from thuocdo.accounts.models import User
    from thuocdo.assessments.models import Campaign, Organisation, Response, Stratum
    from thuocdo.frameworks.models import FrameworkVersion
    from thuocdo.geo.models import Unit

    fv = FrameworkVersion.objects.get(code="sme-dx", version="2025.1")
    provs = list(
        Unit.objects.filter(structure="2025", level="province").order_by("code")[:provinces]
    )
    communes: list[tuple[int, str]] = []
    for p in provs:
        communes += list(
            Unit.objects.filter(structure="2025", level="commune", path__startswith=p.path)
            .order_by("code")
            .values_list("id", "path")
        )
    nation = provs[0].path.split("/")[0] + "/"  # the structure's root: every province
    campaign = Campaign.objects.create(
        name="Đánh giá chuyển đổi số doanh nghiệp toàn quốc (thử tải)",
        framework=fv,
        area=provs[0],
        unit_path=nation,
        year=2025,
        status="open",
        entity_types=["enterprise"],
        public_token=secrets.token_hex(16),
    )
    admin = User(username="bench-admin", role="admin", is_superuser=True)
    admin.set_password(secrets.token_urlsafe(16))
    admin.save()
    sets = _answer_sets(fv, ANSWER_SETS)
    # the constant CSV text of each answer set's columns
    scored = [
        ",".join(
            _csv_field(v)
            for v in (s["answers"], s["overall"], s["level"], s["pillars"], s["criteria"])
        )
        for s in sets
    ]
    unmet = [_csv_field(s["unmet"]) for s in sets]
    draft = ",".join(_csv_field(v) for v in ({}, None, None, {}, {}))
    no_unmet = _csv_field([])
    statuses = [s for s, w in STATUSES for _ in range(w)]
    now = timezone.now()
    stamp = now.isoformat()
    # population: about 3 businesses per response in every cell that has responses
    cells: dict[tuple[int, str], int] = {}
    for i in range(rows):
        key = (communes[i % len(communes)][0], SIZES[(i // len(communes)) % len(SIZES)])
        cells[key] = cells.get(key, 0) + 1
    Stratum.objects.bulk_create(
        [
            Stratum(
                campaign=campaign,
                commune_id=c,
                entity_type="enterprise",
                size_class=s,
                population=3 * n + 5,
            )
            for (c, s), n in cells.items()
        ],
        batch_size=5000,
    )
    org_cols = [
        "registry_id", "name", "name_folded", "sort_key", "entity_type", "vsic", "sector",
        "size_class", "commune_id", "unit_path", "address", "contact_name", "phone", "email",
        "created_at", "updated_at",
    ]  # fmt: skip
    resp_cols = [
        "campaign_id", "organisation_id", "framework_id", "status", "answers", "overall",
        "level", "pillar_scores", "criterion_scores", "unmet", "commune_id", "unit_path",
        "entity_type", "size_class", "sector", "channel", "rejection_reason", "submitted_at",
        "evidence_links", "created_at", "updated_at",
    ]  # fmt: skip
    t0 = time.perf_counter()
    org_table = Organisation._meta.db_table
    resp_table = Response._meta.db_table
    with connection.cursor() as cursor:
        raw = cursor.cursor
        raw.execute(f"SELECT coalesce(max(id), 0) FROM {org_table}")  # noqa: S608
        first_org = int(raw.fetchone()[0]) + 1
        raw.execute(f"SELECT setval(pg_get_serial_sequence('{org_table}', 'id'), %s)", [first_org])
        copy_sql = f"COPY {org_table} ({', '.join(org_cols)}) FROM STDIN (FORMAT csv)"
        with raw.copy(copy_sql) as copy:
            buf = io.StringIO()
            for i in range(rows):
                cid, path = communes[i % len(communes)]
                name = f"Công ty TNHH Thử tải {i + 1}"
                buf.write(
                    f'BENCH{i + 1:012d},"{name}","cong ty tnhh thu tai {i + 1}",'
                    f'"cong ty tnhh thu tai {i + 1:09d}",enterprise,4711,general,'
                    f'{SIZES[(i // len(communes)) % len(SIZES)]},{cid},{path},"","","","",'
                    f"{stamp},{stamp}\n"
                )
                if i % 20000 == 19999:
                    copy.write(buf.getvalue())
                    buf = io.StringIO()
            copy.write(buf.getvalue())
        raw.execute(
            f"SELECT setval(pg_get_serial_sequence('{org_table}', 'id'), "  # noqa: S608
            f"(SELECT max(id) FROM {org_table}))"
        )
        orgs_s = time.perf_counter() - t0
        raw.execute(f"SELECT min(id) FROM {org_table} WHERE registry_id LIKE 'BENCH%%'")  # noqa: S608
        org0 = int(raw.fetchone()[0])
        copy_sql = f"COPY {resp_table} ({', '.join(resp_cols)}) FROM STDIN (FORMAT csv)"
        rng = random.Random(5)
        with raw.copy(copy_sql) as copy:
            buf = io.StringIO()
            for i in range(rows):
                cid, path = communes[i % len(communes)]
                status = statuses[rng.randrange(100)]
                k = rng.randrange(ANSWER_SETS)
                body = draft if status == "draft" else scored[k]
                sub = "" if status == "draft" else stamp
                buf.write(
                    f"{campaign.pk},{org0 + i},{fv.pk},{status},{body},"
                    f"{no_unmet if status == 'draft' else unmet[k]},{cid},{path},enterprise,"
                    f"{SIZES[(i // len(communes)) % len(SIZES)]},general,import,"
                    f'"",{sub},{{}},{stamp},{stamp}\n'
                )
                if i % 20000 == 19999:
                    copy.write(buf.getvalue())
                    buf = io.StringIO()
            copy.write(buf.getvalue())
    gen_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {org_table}")
        cursor.execute(f"VACUUM ANALYZE {resp_table}")
    return {
        "campaign": campaign.pk,
        "admin": admin.pk,
        "provinces": [p.code for p in provs],
        "communes": len(communes),
        "strata": len(cells),
        "answer_sets": len(sets),
        "generate_s": round(gen_s, 2),
        "organisations_s": round(orgs_s, 2),
        "vacuum_analyze_s": round(time.perf_counter() - t1, 2),
        "rows_per_s": round(rows / gen_s),
    }


def child_baseline(campaign_id: int) -> dict[str, Any]:
    """COPY out the columns (and rows) a full refresh reads, consumed and discarded."""
    from django.db import connection

    from thuocdo.analytics import bulk

    where, params = bulk._where(campaign_id, None, None)
    cols = [
        bulk._pg_time(bulk._col(f)) if f == "updated_at" else bulk._col(f) for _k, f in bulk._FIELDS
    ]
    sql = bulk._select(cols, where)
    t = time.perf_counter()
    size = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy,
    ):
        for block in copy:
            size += len(block)
    return {"seconds": round(time.perf_counter() - t, 3), "bytes": size}


def child_full(campaign_id: int) -> dict[str, Any]:
    from dataclasses import asdict

    from thuocdo.analytics.services import refresh_campaign

    t = time.perf_counter()
    res = refresh_campaign(campaign_id, full=True)
    return {"seconds": round(time.perf_counter() - t, 3), **asdict(res)}


def _change(campaign_id: int, changes: int, round_: int) -> int:
    """Give ``changes`` submitted responses of three provinces other scores and a new
    ``updated_at``."""
    from django.db import connection

    from thuocdo.assessments.models import Campaign, Response

    fv = Campaign.objects.select_related("framework").get(pk=campaign_id).framework
    s = _answer_sets(fv, ANSWER_SETS + round_ + 1)[-1]
    table = Response._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT split_part(unit_path, '/', 2) FROM {table} "  # noqa: S608
            "WHERE campaign_id = %s ORDER BY 1 LIMIT 3",
            [campaign_id],
        )
        provs = [r[0] for r in cursor.fetchall()]
        per = -(-changes // len(provs))
        ids: list[int] = []
        for p in provs:
            cursor.execute(
                f"SELECT id FROM {table} WHERE campaign_id = %s AND status = 'submitted' "  # noqa: S608
                "AND unit_path LIKE %s ORDER BY id OFFSET %s LIMIT %s",
                [campaign_id, f"%/{p}/%", round_ * per * 7 + 13, per],
            )
            ids += [r[0] for r in cursor.fetchall()]
        ids = ids[:changes]
        cursor.execute(
            f"UPDATE {table} SET updated_at = now(), overall = %s, level = %s, "  # noqa: S608
            "pillar_scores = %s, criterion_scores = %s, unmet = %s, answers = %s "
            "WHERE id = ANY(%s)",
            [
                s["overall"],
                s["level"],
                json.dumps(s["pillars"]),
                json.dumps(s["criteria"]),
                json.dumps(s["unmet"]),
                json.dumps(s["answers"]),
                ids,
            ],
        )
        return cursor.rowcount


def child_incremental(campaign_id: int, changes: int) -> dict[str, Any]:
    from dataclasses import asdict

    from thuocdo.analytics.services import refresh_campaign

    out: dict[str, Any] = {}
    for round_, name in enumerate(("cold", "warm")):
        updated = _change(campaign_id, changes, round_)
        t = time.perf_counter()
        res = refresh_campaign(campaign_id)
        out[name] = {
            "seconds": round(time.perf_counter() - t, 3),
            "updated": updated,
            **asdict(res),
        }
    return out


def child_dashboard(campaign_id: int, admin_id: int) -> dict[str, Any]:
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from thuocdo.accounts.models import User
    from thuocdo.analytics import store

    store._FRAMES.clear()
    store._CUBES.clear()
    client = Client()
    client.force_login(User.objects.get(pk=admin_id))
    url = reverse("analytics:dashboard", args=[campaign_id])
    # static files are not collected here: their names unhashed (the page is the same size)
    plain = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # fmt: skip
    with override_settings(STORAGES=plain):
        t = time.perf_counter()
        first = client.get(url, secure=True)
        first_s = time.perf_counter() - t
        t = time.perf_counter()
        again = client.get(url, secure=True)
        again_s = time.perf_counter() - t
    return {
        "url": url,
        "status": first.status_code,
        "bytes": len(first.content),
        "seconds": round(first_s, 3),
        "second_answer_s": round(again_s, 3),
        "second_status": again.status_code,
    }


def child(argv: list[str]) -> None:
    _django()
    step, rest = argv[0], [int(a) for a in argv[1:]]
    fn = {
        "setup": child_setup,
        "baseline": child_baseline,
        "full": child_full,
        "incremental": child_incremental,
        "dashboard": child_dashboard,
    }[step]
    print(json.dumps(fn(*rest), ensure_ascii=False, default=str))  # type: ignore[operator]


# ---------------------------------------------------------------- the parent


def env_for(url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DATABASE_URL=url,
        THUOCDO_DATA_DIR=str(data_dir),
        THUOCDO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="testserver,127.0.0.1",
        DJANGO_SETTINGS_MODULE="thuocdo.config.settings",
        PYTHONPATH=str(ROOT / "src"),
    )
    return env


def _drain(proc: subprocess.Popen[str]) -> tuple[str, str]:
    """Both pipes read to the end at once (a child writing much to stderr never blocks)."""
    assert proc.stdout is not None and proc.stderr is not None
    err: list[str] = []
    reader = threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True)
    reader.start()
    out = proc.stdout.read()
    reader.join()
    return out, "".join(err)


def run_step(step: str, env: dict[str, str], *params: Any) -> tuple[dict[str, Any], float]:
    """A child step with its own peak RSS (MB) read by wait4."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", step, *map(str, params)]
    proc = subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    out, err = _drain(proc)
    _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code:
        raise SystemExit(f"step {step} failed ({code}):\n{err[-3000:]}")
    lines = out.strip().splitlines()
    return json.loads(lines[-1]), round(usage.ru_maxrss / 1024, 1)


def cli(env: dict[str, str], *argv: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "thuocdo.cli", *argv],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def bench(args: argparse.Namespace, url: str, tmp: Path) -> dict[str, Any]:
    refresh_dir = tmp / "worker"
    env = env_for(url, refresh_dir)
    t = time.perf_counter()
    cli(env, "migrate")
    cli(env, "load-builtins")
    setup_s = time.perf_counter() - t
    made, gen_rss = run_step("setup", env, args.rows, args.provinces)
    cid = made["campaign"]
    print(f"generated {args.rows} rows: {made}", file=sys.stderr)
    base_runs = [run_step("baseline", env, cid)[0] for _ in range(2)]
    baseline = min(r["seconds"] for r in base_runs)
    full, full_rss = run_step("full", env, cid)
    print(f"full: {full}", file=sys.stderr)
    dash1, dash1_rss = run_step("dashboard", env_for(url, tmp / "web1"), cid, made["admin"])
    inc, inc_rss = run_step("incremental", env, cid, args.changes)
    print(f"incremental: {inc}", file=sys.stderr)
    dash2, dash2_rss = run_step("dashboard", env_for(url, tmp / "web2"), cid, made["admin"])
    peak = max(full_rss, inc_rss, dash1_rss, dash2_rss)
    cold = inc["cold"]
    return {
        "bench": "refresh",
        "rows": args.rows,
        "changes": args.changes,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "setup": {"migrate_and_builtins_s": round(setup_s, 2), **made, "peak_rss_mb": gen_rss},
        "baseline": {
            "what": "COPY of the refresh's columns and rows TO STDOUT, discarded",
            "seconds": baseline,
            "runs_s": [r["seconds"] for r in base_runs],
            "bytes": base_runs[0]["bytes"],
        },
        "full": {
            **full,
            "peak_rss_mb": full_rss,
            "ratio_to_baseline": round(full["seconds"] / baseline, 2),
        },
        "dashboard_after_full": {**dash1, "peak_rss_mb": dash1_rss},
        "incremental": {
            **inc,
            "peak_rss_mb": inc_rss,
            "ratio_cold_to_baseline": round(cold["seconds"] / baseline, 3),
        },
        "dashboard_after_incremental": {**dash2, "peak_rss_mb": dash2_rss},
        "peak_rss_mb": peak,
        "targets": {
            "full_ratio_max": FULL_RATIO_BAR,
            "full_ratio_met": full["seconds"] / baseline <= FULL_RATIO_BAR,
            "incremental_s_max_at_5M": INCREMENTAL_BAR_S,
            "incremental_cold_met": cold["seconds"] <= INCREMENTAL_BAR_S,
            "incremental_warm_met": inc["warm"]["seconds"] <= INCREMENTAL_BAR_S,
            "peak_rss_mb_max": RSS_BAR_MB,
            "peak_rss_met": peak <= RSS_BAR_MB,
        },
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
        return
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--changes", type=int, default=1000)
    ap.add_argument("--provinces", type=int, default=6)
    ap.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    ap.add_argument("--db", default="bench_refresh")
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = ap.parse_args()
    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{args.db}"')
    try:
        with tempfile.TemporaryDirectory(prefix="thuocdo-refresh-") as tmpdir:
            result = bench(args, f"{args.pg}/{args.db}", Path(tmpdir))
    finally:
        if not args.keep:
            with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
    OUT.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    (OUT / f"refresh-{args.rows}.json").write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
