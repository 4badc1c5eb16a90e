"""Background jobs of the ecosystem app (huey): daily reminders of stale connection requests
and recording the effect of adopted solutions once organisations re-assess."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_periodic_task(crontab(hour="7", minute="0"))
def remind_stale_connections() -> int:
    """E-mail providers about requests that have not moved for ``STALE_DAYS`` days."""
    from thuocdo.ecosystem.connections import connection_remind_stale

    return connection_remind_stale()


@db_periodic_task(crontab(hour="2", minute="30"))
def record_effects() -> int:
    """Record score changes of organisations that adopted a solution and re-assessed."""
    from thuocdo.ecosystem.effects import effects_record

    return effects_record()


@db_task()
def record_effects_for(connection_ids: list[int]) -> int:
    from thuocdo.ecosystem.effects import effects_record

    return effects_record(connection_ids=connection_ids)
