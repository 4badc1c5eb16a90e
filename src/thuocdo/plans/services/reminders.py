"""Reminders to a task's lead unit: before its deadline and once it is overdue, by e-mail
through the core outbox (``core.mail``: queued with the transaction, sent by the background
job over SMTP). At most one reminder per task, kind, deadline and address: running the job
twice sends nothing more; a new deadline is reminded again."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from thuocdo.core.mail import mail_queue
from thuocdo.core.text import fold
from thuocdo.plans import selectors
from thuocdo.plans.models import Task, TaskReminder
from thuocdo.plans.services.common import today

__all__ = ["REMIND_DAYS_BEFORE", "lead_unit_addresses", "tasks_remind"]

#: Days before a deadline the lead unit is reminded.
REMIND_DAYS_BEFORE = 7


def lead_unit_addresses(task: Task) -> list[tuple[str, str]]:
    """(address, language) of the active officers of the department leading ``task`` in the
    plan's area (a department merged in 2025 reaches its successor's officers)."""
    users = get_user_model().objects.filter(is_active=True, role="province").exclude(email="")
    out: dict[str, str] = {}
    lead = {fold(task.lead_unit), fold(task.lead_unit_name)} - {""}
    for user in users.select_related("unit"):
        path = user.unit.path if user.unit_id and user.unit else ""
        if task.plan.unit_path and not task.plan.unit_path.startswith(path):
            continue
        names = set(selectors._user_department(user, task.plan))
        if names and (lead & names or any(n and n in fold(task.lead_unit_name) for n in names)):
            out.setdefault(user.email.strip().lower(), getattr(user, "language", "") or "vi")
    agency = task.lead_organisation
    if agency is not None and agency.email:
        out.setdefault(agency.email.strip().lower(), "vi")
    return sorted(out.items())


def _kind(task: Task, on: date, days_before: int) -> str | None:
    if task.deadline is None or task.deadline_kind != "fixed":
        return None
    if task.deadline < on:
        return "overdue"
    if task.deadline <= on + timedelta(days=days_before):
        return "due_soon"
    return None


@transaction.atomic
def tasks_remind(
    *, on: date | None = None, days_before: int = REMIND_DAYS_BEFORE, unit_path: str = ""
) -> int:
    """Queue the reminders due on ``on``; returns how many messages were queued."""
    day = on or today()
    qs = (
        Task.objects.filter(status__in=selectors.OPEN_STATUSES, deadline__isnull=False)
        .filter(deadline__lte=day + timedelta(days=days_before))
        .select_related("plan", "plan__framework", "plan__unit", "lead_organisation")
    )
    if unit_path:
        qs = qs.filter(plan__unit_path__startswith=unit_path)
    queued = 0
    for task in qs.order_by("deadline", "id"):
        kind = _kind(task, day, days_before)
        if kind is None or task.deadline is None:
            continue
        for address, language in lead_unit_addresses(task):
            _reminder, created = TaskReminder.objects.get_or_create(
                task=task,
                kind=kind,
                deadline=task.deadline,
                address=address,
                defaults={"sent_on": day},
            )
            if not created:
                continue
            with translation.override(language):
                values = {
                    "code": task.code,
                    "title": task.title_vi,
                    "plan": task.plan.title,
                    "due": task.deadline.strftime("%d/%m/%Y"),
                    "lead": task.lead_unit_name or task.lead_unit,
                }
                if kind == "overdue":
                    subject = _("Task %(code)s is overdue") % values
                    body = (
                        _(
                            "Task %(code)s “%(title)s” of plan “%(plan)s”, led by %(lead)s, was due "
                            "on %(due)s and is not done. Report its progress or complete it."
                        )
                        % values
                    )
                else:
                    subject = _("Task %(code)s is due on %(due)s") % values
                    body = (
                        _(
                            "Task %(code)s “%(title)s” of plan “%(plan)s”, led by %(lead)s, is due "
                            "on %(due)s."
                        )
                        % values
                    )
            mail_queue(
                to=address,
                subject=subject,
                body=body,
                kind=f"plans.task.{kind}",
                language=language,
                ref=f"plans.task:{task.pk}:{kind}:{task.deadline.isoformat()}",
            )
            queued += 1
    return queued
