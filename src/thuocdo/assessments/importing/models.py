"""Background imports: one ``ImportJob`` per uploaded file."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Imported")
    REFUSED = "refused", _("Refused: nothing written")
    FAILED = "failed", _("Failed: nothing written")


class ImportJob(models.Model):
    """An import of one file into one campaign, run by a worker; ``errors`` keeps the problems
    (row, column, value, code, params) so the report renders in either language. ``worker``
    names the process (host:pid) of the current or last run, which holds the job's lease
    while it runs (``jobs.lease_path``)."""

    campaign = models.ForeignKey(
        "assessments.Campaign", on_delete=models.CASCADE, related_name="import_jobs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(_("file name"), max_length=255)
    stored_path = models.CharField(max_length=500)
    mode = models.CharField(_("mode"), max_length=20, default="all-or-nothing")
    on_edit = models.CharField(_("edited submissions"), max_length=10, default="update")
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    phase = models.CharField(max_length=20, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)  # responses of edited submissions
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)
    message = models.TextField(blank=True)
    # Runs so far; a run whose worker died (its lease was found free) is queued again, up to
    # jobs.MAX_ATTEMPTS runs, and interrupted_at says when that was last seen.
    attempts = models.PositiveSmallIntegerField(default=0)
    interrupted_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.filename} {self.status}"

    @property
    def finished(self) -> bool:
        return self.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING)


class PullCursor(models.Model):
    """Where the last successful pull of a campaign from one field server's form stopped:
    ``cursor`` is the server's own latest timestamp seen (Kobo's ``_submission_time``,
    Central's ``submissionDate``/``updatedAt``), sent back as the next pull's filter. It is
    written in the transaction of the import, so a pull that writes nothing moves nothing."""

    campaign = models.ForeignKey(
        "assessments.Campaign", on_delete=models.CASCADE, related_name="pull_cursors"
    )
    kind = models.CharField(max_length=10)  # kobo | central
    server = models.CharField(max_length=300)
    form = models.CharField(max_length=200)  # Kobo asset uid, or Central's project/form
    cursor = models.CharField(max_length=40, blank=True)
    pulls = models.PositiveIntegerField(default=0)
    fetched = models.PositiveIntegerField(default=0)  # submissions fetched by the last pull
    pulled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "kind", "server", "form"], name="pull_cursor_unique_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.kind}:{self.server}/{self.form} > {self.cursor}"
