"""The shared e-mail outbox: queued messages and the addresses they go to (see ``core.mail``)."""

from __future__ import annotations

from django.db import models


class MailRecipient(models.Model):
    """One e-mail address the product writes to: its one-click unsubscribe token, and whether
    it unsubscribed or bounced (then nothing more is sent to it)."""

    address = models.CharField(max_length=254, unique=True)  # lower-cased, NFC
    token = models.CharField(max_length=64, unique=True)
    language = models.CharField(max_length=8, default="vi")
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    bounce_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.address


class MailMessage(models.Model):
    """One queued message to one recipient. The outbox job sends it, retries a temporary
    refusal with growing delays and stops on a permanent one (the address is marked bounced)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        SENDING = "sending", "sending"
        SENT = "sent", "sent"
        BOUNCED = "bounced", "bounced"  # permanent refusal: the address is marked
        FAILED = "failed", "failed"  # temporary refusals until the attempts ran out
        SUPPRESSED = "suppressed", "suppressed"  # unsubscribed or bounced before: never sent

    recipient = models.ForeignKey(MailRecipient, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=60)  # what the message is, e.g. "assessments.result"
    language = models.CharField(max_length=8, default="vi")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    html = models.TextField(blank=True)
    # what the message is about ("assessments.response:42"), so a sender can avoid duplicates
    ref = models.CharField(max_length=120, blank=True, db_index=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="core_mail_due")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id} ({self.status})"


class DemoData(models.Model):
    """Present when ``thuocdo demo`` loaded synthetic data into this database: every page then
    says so (the "Illustrative data" badge of the base template). One row at most."""

    loaded_at = models.DateTimeField(auto_now_add=True)

    objects: models.Manager[DemoData] = models.Manager()

    def __str__(self) -> str:
        return f"demo data loaded at {self.loaded_at:%Y-%m-%d %H:%M}"
