"""The shared e-mail outbox.

Any app writes an e-mail by queueing it here, inside its own transaction::

    mail_queue_template(to=address, template="assessments/mail/result", context={...},
                        language="vi", kind="assessments.result", ref=f"response:{pk}")

The message is a row (``core.models.MailMessage``) committed with the caller's data; once the
transaction commits, the background job (``core.tasks.mail_send_task``) sends it through
Django's configured e-mail backend (SMTP in production). A temporary refusal (4xx, a lost
connection) is retried with growing delays (``RETRY_DELAYS``) until ``MAX_ATTEMPTS``; a
permanent refusal of the recipient (5xx on RCPT) marks the address bounced and nothing more
is sent to it. A periodic sweep (every minute, and when a worker starts) sends whatever is due,
so a message whose job was lost is sent all the same.

Every message carries its recipient's one-click unsubscribe link: a ``List-Unsubscribe``
header (RFC 2369) with ``List-Unsubscribe-Post`` (RFC 8058), and the same link in its footer.
An unsubscribed or bounced address gets no more messages (they are kept as ``suppressed``).
Subject and body are rendered in the message's own language, not the sender's.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.template.exceptions import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from thuocdo.core.models import MailMessage, MailRecipient
from thuocdo.core.text import nfc

log = logging.getLogger(__name__)

# Delay before attempt n+1 after n temporary refusals: 1, 5, 15, 60 minutes, then 3 hours.
RETRY_DELAYS = (60, 300, 900, 3600, 10800)
MAX_ATTEMPTS = 8
# A message claimed by a worker that died while sending is put back after this long.
SENDING_STALE_SECONDS = 600

Status = MailMessage.Status


def _languages() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def normalise_address(address: str) -> str:
    return nfc(address or "").strip().lower()


def retry_delay(attempts: int) -> int:
    """Seconds to wait after ``attempts`` temporary refusals."""
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1] if attempts > 0 else 0


def site_url(path: str) -> str:
    """The absolute address of a path of this site (links in e-mails, certificates, QR codes)."""
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_url(recipient: MailRecipient, language: str = "") -> str:
    url = site_url(reverse("core:unsubscribe", args=[recipient.token]))
    return f"{url}?lang={language}" if language and language != settings.LANGUAGE_CODE else url


# --------------------------------------------------------------------------- reads


def recipient_get(address: str) -> MailRecipient | None:
    return MailRecipient.objects.filter(address=normalise_address(address)).first()


def mail_allowed(address: str) -> bool:
    """Whether a message to ``address`` would be sent (not unsubscribed, not bounced)."""
    recipient = recipient_get(address)
    return recipient is None or (recipient.unsubscribed_at is None and recipient.bounced_at is None)


# --------------------------------------------------------------------------- writes


def _recipient(address: str, language: str) -> MailRecipient:
    clean = normalise_address(address)
    try:
        validate_email(clean)
    except ValidationError as exc:
        raise ValidationError(
            {"to": _("“%(address)s” is not a valid e-mail address.") % {"address": address}}
        ) from exc
    recipient, created = MailRecipient.objects.get_or_create(
        address=clean, defaults={"token": secrets.token_urlsafe(32), "language": language}
    )
    if not created and recipient.language != language:
        recipient.language = language
        recipient.save(update_fields=["language"])
    return recipient


def _footer(recipient: MailRecipient, language: str) -> str:
    with translation.override(language):
        return "\n\n-- \n" + _("To receive no more e-mails from Thước đo: %(url)s") % {
            "url": unsubscribe_url(recipient, language)
        }


@transaction.atomic
def mail_queue(
    *,
    to: str,
    subject: str,
    body: str,
    kind: str,
    language: str = "vi",
    html: str = "",
    ref: str = "",
    send_at: datetime | None = None,
) -> MailMessage:
    """Queue one message to one address; it is sent after the caller's transaction commits
    (or, with ``send_at`` in the future, by the periodic sweep once that time has come).

    To an unsubscribed or bounced address the message is kept as ``suppressed`` and never
    sent. The body gets the recipient's unsubscribe link as its footer."""
    from thuocdo.accounts.services import audit_record

    if language not in _languages():
        raise ValidationError({"language": _("Unknown language: %(code)s.") % {"code": language}})
    recipient = _recipient(to, language)
    blocked = recipient.unsubscribed_at is not None or recipient.bounced_at is not None
    now = timezone.now()
    message = MailMessage.objects.create(
        recipient=recipient,
        kind=kind,
        language=language,
        subject=nfc(" ".join(subject.split()))[:300],
        body=nfc(body).rstrip() + _footer(recipient, language),
        html=nfc(html),
        ref=ref,
        status=Status.SUPPRESSED if blocked else Status.QUEUED,
        next_attempt_at=max(send_at, now) if send_at is not None else now,
        last_error=(
            ("unsubscribed" if recipient.unsubscribed_at else "bounced") if blocked else ""
        ),
    )
    audit_record(
        actor=None,
        action="mail.queue",
        object_type="core.mail",
        object_id=message.pk,
        after={"kind": kind, "ref": ref, "language": language, "status": message.status},
    )
    if not blocked and message.next_attempt_at <= now:
        transaction.on_commit(lambda: _enqueue(message.pk), robust=True)
    return message


def mail_cancel(*, kind: str, ref: str) -> int:
    """Withdraw the messages of ``kind`` about ``ref`` that are still waiting (a reminder made
    obsolete by a newer one); returns how many."""
    return MailMessage.objects.filter(kind=kind, ref=ref, status=Status.QUEUED).update(
        status=Status.SUPPRESSED, last_error="replaced"
    )


def mail_render(*, template: str, context: dict[str, Any], language: str) -> tuple[str, str, str]:
    """Subject, text body and HTML body (empty when there is no ``.html``) of ``template``
    (``<template>_subject.txt``, ``<template>.txt``, optional ``<template>.html``), rendered
    in ``language``."""
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}.txt", context)
        try:
            html = get_template(f"{template}.html").render(context)
        except TemplateDoesNotExist:
            html = ""
    return subject, body, html


def mail_queue_template(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    kind: str,
    language: str = "vi",
    ref: str = "",
    send_at: datetime | None = None,
) -> MailMessage:
    """Render ``template`` in ``language`` and queue it (see :func:`mail_queue`); the context
    gets ``unsubscribe_url`` and ``site_url``."""
    with transaction.atomic():
        recipient = _recipient(to, language)
        ctx = {
            **context,
            "unsubscribe_url": unsubscribe_url(recipient, language),
            "site_url": settings.SITE_URL.rstrip("/"),
        }
        subject, body, html = mail_render(template=template, context=ctx, language=language)
        return mail_queue(
            to=to,
            subject=subject,
            body=body,
            html=html,
            kind=kind,
            language=language,
            ref=ref,
            send_at=send_at,
        )


@transaction.atomic
def recipient_unsubscribe(*, token: str) -> MailRecipient | None:
    """Unsubscribe the address of ``token`` (idempotent); its queued messages are suppressed.
    ``None`` for an unknown token."""
    from thuocdo.accounts.services import audit_record

    recipient = MailRecipient.objects.select_for_update().filter(token=token).first()
    if recipient is None:
        return None
    if recipient.unsubscribed_at is None:
        recipient.unsubscribed_at = timezone.now()
        recipient.save(update_fields=["unsubscribed_at"])
        recipient.messages.filter(status=Status.QUEUED).update(
            status=Status.SUPPRESSED, last_error="unsubscribed"
        )
        audit_record(
            actor=None,
            action="mail.unsubscribe",
            object_type="core.mail_recipient",
            object_id=recipient.pk,
        )
    return recipient


@transaction.atomic
def recipient_mark_bounced(*, address: str, reason: str) -> MailRecipient | None:
    """Mark an address as bouncing (a permanent refusal, or a bounce report read later):
    nothing more is sent to it and its queued messages are suppressed."""
    from thuocdo.accounts.services import audit_record

    recipient = (
        MailRecipient.objects.select_for_update().filter(address=normalise_address(address)).first()
    )
    if recipient is None:
        return None
    if recipient.bounced_at is None:
        recipient.bounced_at = timezone.now()
        recipient.bounce_reason = reason[:500]
        recipient.save(update_fields=["bounced_at", "bounce_reason"])
        recipient.messages.filter(status=Status.QUEUED).update(
            status=Status.SUPPRESSED, last_error="bounced"
        )
        audit_record(
            actor=None,
            action="mail.bounce",
            object_type="core.mail_recipient",
            object_id=recipient.pk,
            after={"reason": reason[:500]},
        )
    return recipient


# --------------------------------------------------------------------------- delivery


@dataclass(frozen=True)
class _Refusal:
    permanent: bool
    bounce: bool  # the recipient itself was refused: mark the address
    reason: str


def _classify(exc: Exception) -> _Refusal:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        text = "; ".join(
            f"{code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
            for code, msg in exc.recipients.values()
        )
        permanent = bool(codes) and all(code >= 500 for code in codes)
        return _Refusal(permanent, permanent, text)
    if isinstance(exc, smtplib.SMTPDataError) and exc.smtp_code >= 500:
        msg = exc.smtp_error
        text = msg.decode(errors="replace") if isinstance(msg, bytes) else str(msg)
        return _Refusal(True, False, f"{exc.smtp_code} {text}")
    # 4xx, a refused sender or login (our configuration), a lost or refused connection
    return _Refusal(False, False, f"{type(exc).__name__}: {exc}")


def _email(message: MailMessage, connection: Any) -> EmailMultiAlternatives:
    recipient = message.recipient
    url = unsubscribe_url(recipient, message.language)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL or None,
        to=[recipient.address],
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Content-Language": message.language,
            "X-Thuocdo-Kind": message.kind,
        },
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    return email


def _claim(message_id: int, now: datetime) -> MailMessage | None:
    claimed = MailMessage.objects.filter(
        pk=message_id, status=Status.QUEUED, next_attempt_at__lte=now
    ).update(status=Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=now)
    if not claimed:
        return None
    return MailMessage.objects.select_related("recipient").get(pk=message_id)


def _finish(message: MailMessage, exc: Exception | None, now: datetime) -> str:
    from thuocdo.accounts.services import audit_record

    if exc is None:
        MailMessage.objects.filter(pk=message.pk).update(
            status=Status.SENT, sent_at=now, last_error=""
        )
        return Status.SENT
    refusal = _classify(exc)
    if refusal.permanent:
        with transaction.atomic():
            MailMessage.objects.filter(pk=message.pk).update(
                status=Status.BOUNCED, last_error=refusal.reason[:500]
            )
            if refusal.bounce:
                recipient_mark_bounced(address=message.recipient.address, reason=refusal.reason)
        return Status.BOUNCED
    if message.attempts >= MAX_ATTEMPTS:
        with transaction.atomic():
            MailMessage.objects.filter(pk=message.pk).update(
                status=Status.FAILED, last_error=refusal.reason[:500]
            )
            audit_record(
                actor=None,
                action="mail.fail",
                object_type="core.mail",
                object_id=message.pk,
                after={"attempts": message.attempts, "error": refusal.reason[:500]},
            )
        return Status.FAILED
    delay = retry_delay(message.attempts)
    MailMessage.objects.filter(pk=message.pk).update(
        status=Status.QUEUED,
        next_attempt_at=now + timedelta(seconds=delay),
        last_error=refusal.reason[:500],
    )
    _enqueue(message.pk, delay=delay)
    return Status.QUEUED


def _send_claimed(message: MailMessage, connection: Any, now: datetime) -> str:
    recipient = message.recipient
    if recipient.unsubscribed_at is not None or recipient.bounced_at is not None:
        MailMessage.objects.filter(pk=message.pk).update(
            status=Status.SUPPRESSED,
            last_error="unsubscribed" if recipient.unsubscribed_at else "bounced",
        )
        return Status.SUPPRESSED
    try:
        _email(message, connection).send()
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("mail %s to recipient %s refused: %s", message.pk, recipient.pk, exc)
        return _finish(message, exc, now)
    return _finish(message, None, now)


def mail_deliver(message_id: int, *, now: datetime | None = None) -> str:
    """Send one due message now; returns its new status (``""`` when it was not due, or
    another worker has it)."""
    now = now or timezone.now()
    message = _claim(message_id, now)
    if message is None:
        return ""
    return _send_claimed(message, get_connection(), now)


def mail_send_due(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Send every due message (oldest first, at most ``limit``) over one connection, after
    putting back the ones a dead worker left half-sent. Returns the count per new status."""
    now = now or timezone.now()
    MailMessage.objects.filter(
        status=Status.SENDING, next_attempt_at__lte=now - timedelta(seconds=SENDING_STALE_SECONDS)
    ).update(status=Status.QUEUED)
    due = list(
        MailMessage.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    counts: dict[str, int] = {}
    if not due:
        return counts
    connection = get_connection()
    try:
        connection.open()  # one connection for the batch; if it fails, each send tries again
    except (smtplib.SMTPException, OSError):
        log.warning("the SMTP server could not be reached", exc_info=True)
    try:
        for message_id in due:
            message = _claim(message_id, now)
            if message is None:
                continue
            status = _send_claimed(message, connection, now)
            counts[status] = counts.get(status, 0) + 1
    finally:
        try:
            connection.close()
        except (smtplib.SMTPException, OSError):
            log.warning("closing the SMTP connection failed", exc_info=True)
    return counts


def _enqueue(message_id: int, delay: int = 0) -> None:
    from thuocdo.core.tasks import mail_send_task

    if delay:
        mail_send_task.schedule((message_id,), delay=delay)
    else:
        mail_send_task(message_id)
