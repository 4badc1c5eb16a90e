"""Huey jobs of the assessments app (the worker loads each app's ``tasks`` module)."""

from thuocdo.assessments.importing.tasks import (
    import_job_task,
    import_jobs_resume,
    import_jobs_sweep,
)

__all__ = ["import_job_task", "import_jobs_resume", "import_jobs_sweep"]
