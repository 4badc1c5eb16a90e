"""Background jobs of the plans app (huey): the daily overdue sweep."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from thuocdo.plans.services import tasks_mark_overdue


@db_periodic_task(crontab(hour="0", minute="15"))
def plans_mark_overdue() -> int:
    """Every night, move open tasks past their deadline (or missing a report) to overdue."""
    return tasks_mark_overdue(on=timezone.localdate())


@db_periodic_task(crontab(hour="7", minute="0"))
def plans_send_reminders() -> dict[str, int]:
    """Every morning, e-mail lead units about tasks due within a week or overdue, and
    agencies about overdue security inspections (each reminder once)."""
    from thuocdo.plans.services.register import systems_remind_overdue
    from thuocdo.plans.services.reminders import tasks_remind

    day = timezone.localdate()
    return {"tasks": tasks_remind(on=day), "systems": systems_remind_overdue(on=day)}
