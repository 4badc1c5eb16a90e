"""Scheduled jobs of the ops app: the nightly backup rotation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from thuocdo.ops.services import backup_rotate


def rotate_now() -> dict[str, Any] | None:
    """One rotation with the configured folder, generations and second location."""
    if settings.BACKUP_KEEP <= 0:
        return None
    copy_to = Path(settings.BACKUP_COPY_TO) if settings.BACKUP_COPY_TO else None
    return backup_rotate(
        directory=Path(settings.BACKUP_DIR), keep=settings.BACKUP_KEEP, copy_to=copy_to
    )


@db_periodic_task(crontab(hour="2", minute="15"))
def nightly_backup() -> dict[str, Any] | None:
    """Every night at 02:15 (server time): a new generation, copied to BACKUP_COPY_TO."""
    return rotate_now()
