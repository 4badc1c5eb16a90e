"""Background jobs of the web shell (huey): the e-mail outbox."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from thuocdo.core.worker import on_worker_start


@db_task()
def mail_send_task(message_id: int) -> str:
    """Send one queued message (queued after the commit that wrote it, and again after a
    temporary refusal with the retry delay); see :mod:`thuocdo.core.mail`."""
    from thuocdo.core.mail import mail_deliver

    return mail_deliver(message_id)


@db_periodic_task(crontab(minute="*"))
def mail_send_due_task() -> dict[str, int]:
    """Every minute: send what is due (a message whose job was lost is sent all the same)."""
    from thuocdo.core.mail import mail_send_due

    return mail_send_due()


@on_worker_start
def mail_send_due_at_start() -> None:
    """When a worker starts: queue the sweep of due messages."""
    mail_send_due_task()
