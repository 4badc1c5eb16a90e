"""Demo data of the plans capability, loaded by `thuocdo demo`.

Five provinces (Hà Nội, Đà Nẵng, Thành phố Hồ Chí Minh, Hải Phòng, Đắk Lắk) get a plan from ``province-dx`` for
the current year, with progress reported through the same services as the pages, so the task
tables, timelines, overdue lists and dashboards show realistic, reproducible data.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from thuocdo.plans import services
from thuocdo.plans.models import Plan, Task

# province code → how far along it is
DEMO_PROVINCES = {"01": 0.72, "48": 0.55, "79": 0.38, "31": 0.6, "66": 0.3}
NOTES = (
    "Đã giao phòng chuyên môn chủ trì, đang xây dựng dự thảo.",
    "Đã tổ chức họp với các đơn vị phối hợp.",
    "Đã hoàn thành khảo sát hiện trạng.",
    "Đang chờ ý kiến góp ý của các sở, ngành.",
    "Đã trình UBND tỉnh xem xét.",
)


def _report_day(rng: random.Random, task: Task, today: date) -> date:
    start = task.start or date(today.year, 1, 1)
    end = min(today, task.deadline or today)
    if end <= start:
        return start
    return start + timedelta(days=rng.randint(0, (end - start).days))


@transaction.atomic
def load_demo() -> dict[str, Any]:
    """Load (idempotently) this capability's demo data; returns counts for the report."""
    today = timezone.localdate()
    year = today.year
    created = updates = 0
    for code, pace in DEMO_PROVINCES.items():
        if Plan.objects.filter(framework_code="province-dx", unit__code=code, year=year).exists():
            continue
        plan = services.plan_instantiate(
            actor=None, framework="province-dx", unit_code=code, year=year
        )
        created += 1
        rng = random.Random(f"plans-demo-{code}-{year}")
        for task in plan.tasks.select_related("plan").order_by("position"):
            roll = rng.random()
            if roll > pace + 0.25:
                continue  # not started
            day = _report_day(rng, task, today)
            note = rng.choice(NOTES)
            if roll < 0.03:
                services.task_update(actor=None, task=task, status="cancelled", on=day)
                updates += 1
                continue
            services.task_update(
                actor=None,
                task=task,
                status="in_progress",
                progress=rng.choice((20, 30, 40, 50, 60, 70, 80)),
                note=note,
                on=day,
            )
            updates += 1
            if roll < pace:
                services.task_update(
                    actor=None,
                    task=task,
                    status="done",
                    note="Đã hoàn thành, có sản phẩm kèm theo.",
                    on=min(today, day + timedelta(days=rng.randint(5, 60))),
                )
                updates += 1
        updates += services.tasks_mark_overdue(on=today, unit_path=plan.unit_path)
    return {"plans": created, "updates": updates}
