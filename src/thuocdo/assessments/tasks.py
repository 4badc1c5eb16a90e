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
