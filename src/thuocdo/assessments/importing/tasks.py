"""Huey jobs of imports: running an uploaded import, and taking back interrupted ones."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from thuocdo.core.worker import on_worker_start


@db_task()
def import_job_task(job_id: int) -> None:
    from .jobs import import_job_run

    import_job_run(job_id=job_id)


@on_worker_start
def import_jobs_resume() -> list[int]:
    """When a worker starts: queue again the imports a stopped worker was running, and send
    the queued ones again (their messages may have been lost with the queue)."""
    from .jobs import import_jobs_recover

    return import_jobs_recover(requeue_waiting=True)


@db_periodic_task(crontab(minute="*"))
def import_jobs_sweep() -> list[int]:
    """Every minute: queue again the imports whose worker stopped (on any machine)."""
    from .jobs import import_jobs_recover

    return import_jobs_recover()
