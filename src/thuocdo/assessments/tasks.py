"""Background jobs of the assessments app, as the worker finds them.

``thuocdo worker`` (huey's ``run_huey``) imports the ``tasks`` module of every installed app
and knows only the jobs those imports register; the import jobs live in ``importing/``, so
they are imported here or the worker would refuse every queued import.
"""

from thuocdo.assessments.importing.tasks import (
    import_job_task,
    import_jobs_resume,
    import_jobs_sweep,
)

__all__ = ["import_job_task", "import_jobs_resume", "import_jobs_sweep"]


from huey.contrib.djhuey import db_task


@db_task(retries=3, retry_delay=60)
def followup_task(response_id: int, language: str) -> int:
    """Queue the result e-mail and the re-assessment reminder of a submitted response (see
    :mod:`thuocdo.assessments.followup`); returns how many messages were queued."""
    from thuocdo.assessments.followup import followup_queue

    return len(followup_queue(response_id, language))


__all__ += ["followup_task"]
