"""Data of the load test, made inside Django (run by ``bench/load.py`` as a subprocess).

``python bench/_load_data.py prepare ORGS IMPORT_ROWS`` migrates, loads the built-ins and the
demo data (published campaigns with results, plans, indicators, the solution catalogue),
creates an officer of Hà Nội with a password and an API token, opens a live campaign over
Hà Nội with ``ORGS`` organisations for the respondents, reserves ``IMPORT_ROWS`` new tax codes
for background imports, and prints what the clients need as JSON.

``python bench/_load_data.py jobs`` prints the import jobs of the run: how many were queued,
how many finished, and the time each waited in the queue and took to run.

``python bench/_load_data.py clear-redis URL`` deletes the cache and queue keys the product
writes in that Redis database (nothing else), so a run never reads a previous run's cache.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
from typing import Any

OFFICER, PASSWORD = "can-bo-tai-thu", "mat-khau-tai-thu-2025"
AREA = "01"  # Hà Nội: the officer's province, the live campaign's area, the demo's main campaign
ANSWER_SETS = 200


def _setup() -> None:
    import django

    django.setup()


def _tax_codes(n: int, taken: set[str]) -> list[str]:
    from stdnum.vn import mst

    out: list[str] = []
    k = 0
    while len(out) < n:
        body = f"01{k:07d}"
        k += 1
        check = mst.calc_check_digit(body)
        if len(check) == 1 and body + check not in taken:
            out.append(body + check)
    return out


def _officer() -> tuple[Any, str]:
    from thuocdo.accounts.models import Role, User
    from thuocdo.accounts.services import token_create
    from thuocdo.geo.models import Structure, Unit

    user = User.objects.create(
        username=OFFICER,
        role=Role.PROVINCE,
        unit=Unit.objects.get(structure=Structure.CURRENT, code=AREA),
        full_name="Cán bộ tải thử",
    )
    user.set_password(PASSWORD)
    user.save()
    return user, token_create(actor=user, user=user, name="load")[1]


def _live_campaign() -> Any:
    from thuocdo.accounts.scopes import Scope
    from thuocdo.assessments import services
    from thuocdo.frameworks.models import FrameworkVersion

    scope = Scope(role="admin")
    campaign = services.campaign_create(
        scope=scope,
        actor=None,
        framework=FrameworkVersion.objects.get(code="sme-dx", version="2025.1"),
        area_code=AREA,
        year=2025,
        name="Tự đánh giá chuyển đổi số doanh nghiệp Hà Nội (tải thử)",
    )
    services.campaign_open(scope=scope, actor=None, campaign=campaign)
    return campaign


def _organisations(codes: list[str], communes: list[Any]) -> list[tuple[int, str]]:
    from thuocdo.assessments.domain import identity
    from thuocdo.assessments.models import Organisation
    from thuocdo.core.collation import vi_collation_key

    rows = []
    for i, code in enumerate(codes):
        commune = communes[i % len(communes)]
        name = f"Công ty TNHH Tải thử {i}"
        rows.append(
            Organisation(
                registry_id=identity.new_registry_id(),
                tax_code=code,
                name=name,
                name_folded=identity.dedupe_key(name, commune.code).split(":", 1)[1],
                sort_key=vi_collation_key(name),
                entity_type="enterprise",
                vsic="4711",
                sector="retail",
                size_class="small",
                commune=commune,
                unit_path=commune.path,
            )
        )
    made = Organisation.objects.bulk_create(rows, batch_size=1000)
    return [(o.pk, code) for o, code in zip(made, codes, strict=True)]


def _answer_sets(engine: Any, rng: random.Random) -> list[dict[str, Any]]:
    """Valid answer sets; none leaves a multiple choice empty (a form cannot send that)."""
    from thuocdo.assessments.domain.synthetic import synthetic_answers

    out: list[dict[str, Any]] = []
    while len(out) < ANSWER_SETS:
        answers = synthetic_answers(engine, rng, rng.random())
        if all(v != [] for v in answers.values()):
            out.append(answers)
    return out


def prepare(orgs: int, import_rows: int) -> dict[str, Any]:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    from thuocdo.core.builtins import load_builtins, load_demo_data

    load_builtins()
    load_demo_data()

    from thuocdo.assessments.demo import DANANG_LINK, HANOI_LINK
    from thuocdo.assessments.models import Campaign, Organisation
    from thuocdo.ecosystem.models import Solution
    from thuocdo.geo.models import Level, Unit
    from thuocdo.indicators.models import Indicator
    from thuocdo.plans.models import Plan

    _, token = _officer()
    campaign = _live_campaign()
    communes = list(
        Unit.objects.filter(path__startswith=campaign.unit_path, level=Level.COMMUNE).order_by(
            "code"
        )[:50]
    )
    taken = {c for c in Organisation.objects.values_list("tax_code", flat=True) if c}
    codes = _tax_codes(orgs + import_rows, taken)
    engine = campaign.framework.engine()
    rng = random.Random(1)
    published = {c.public_token: c.pk for c in Campaign.objects.filter(status="published")}
    return {
        "officer": {"username": OFFICER, "password": PASSWORD, "token": token},
        "live": {"id": campaign.pk, "link": campaign.public_token},
        "published": {"main": published[HANOI_LINK], "other": published[DANANG_LINK]},
        "orgs": _organisations(codes[:orgs], communes),
        "import_orgs": [
            [code, f"Công ty TNHH Nhập tải {i}", communes[i % len(communes)].code]
            for i, code in enumerate(codes[orgs:])
        ],
        "communes": [u.code for u in communes[:12]],
        "pillars": [[c.code for c in p.criteria] for p in engine.pillars],
        "types": {c.code: c.question.type for c in engine.criteria()},
        "answers": _answer_sets(engine, rng),
        "plan": Plan.objects.get(unit__code=AREA, framework_code="province-dx").pk,
        "indicators": list(Indicator.objects.order_by("code").values_list("code", flat=True)[:8]),
        "solutions": list(
            Solution.objects.filter(status="approved").order_by("id").values_list("id", flat=True)
        ),
    }


def _seconds(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "max": None}
    return {"p50": round(statistics.median(values), 2), "max": round(max(values), 2)}


def jobs() -> dict[str, Any]:
    """Import jobs queued during the run: counts by status, queue wait and run time (s)."""
    from thuocdo.assessments.models import ImportJob

    rows = list(
        ImportJob.objects.values(
            "status", "created_at", "started_at", "finished_at", "imported", "error_count"
        )
    )
    by_status: dict[str, int] = {}
    for r in rows:
        by_status[r["status"]] = by_status.get(r["status"], 0) + 1
    waits = [(r["started_at"] - r["created_at"]).total_seconds() for r in rows if r["started_at"]]
    runs = [
        (r["finished_at"] - r["started_at"]).total_seconds()
        for r in rows
        if r["started_at"] and r["finished_at"]
    ]
    return {
        "enqueued": len(rows),
        "completed": by_status.get("done", 0),
        "by_status": by_status,
        "rows_imported": sum(r["imported"] for r in rows),
        "rows_refused": sum(r["error_count"] for r in rows),
        "queue_wait_s": _seconds(waits),
        "run_s": _seconds(runs),
    }


def pending_jobs() -> int:
    from thuocdo.assessments.models import ImportJob

    return ImportJob.objects.filter(status__in=("queued", "running")).count()


def clear_redis(url: str) -> int:
    """Delete the product's cache keys (Django's ``:1:`` prefix) and its queue (huey
    ``thuocdo``) in this Redis database; returns how many keys went."""
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=":1:*", count=1000))
    keys += list(client.scan_iter(match="huey.*.thuocdo", count=1000))
    if keys:
        client.delete(*keys)
    return len(keys)


def main(argv: list[str]) -> int:
    command = argv[0]
    if command == "clear-redis":
        print(json.dumps({"deleted": clear_redis(argv[1])}))
        return 0
    _setup()
    if command == "prepare":
        out: Any = prepare(int(argv[1]), int(argv[2]))
    elif command == "jobs":
        out = jobs()
    elif command == "pending":
        out = pending_jobs()
    else:
        raise SystemExit(f"unknown command {command}")
    sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
