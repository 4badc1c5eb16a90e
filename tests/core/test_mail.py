"""The e-mail outbox against a real SMTP server on loopback: content and language, the
unsubscribe link and page, retry after a temporary refusal, bounces that stop for good."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from tests.mailserver import SmtpServer, smtp_server  # noqa: F401 (fixture)

from thuocdo.core import mail
from thuocdo.core.models import MailMessage, MailRecipient

pytestmark = pytest.mark.django_db

Commit = Callable[..., Any]


@pytest.fixture(autouse=True)
def _empty_schedule() -> None:
    HUEY.flush()


def _queue(commit: Commit, to: str, language: str = "vi", **extra: Any) -> MailMessage:
    with commit(execute=True):
        message = mail.mail_queue(
            to=to,
            subject=extra.pop("subject", "Kết quả đánh giá chuyển đổi số"),
            body=extra.pop("body", "Mức độ của đơn vị: Mức 2 — Đang chuyển đổi."),
            kind="test.result",
            language=language,
            **extra,
        )
    message.refresh_from_db()
    return message


def test_message_is_sent_with_unsubscribe_header_and_footer(
    smtp_server: SmtpServer,  # noqa: F811
    django_capture_on_commit_callbacks: Commit,
) -> None:
    message = _queue(
        django_capture_on_commit_callbacks, "Chu.Tich@Hop-Tac-Xa.vn", html="<p>Mức 2</p>"
    )
    assert message.status == MailMessage.Status.SENT
    assert message.attempts == 1
    [received] = smtp_server.messages
    assert str(received["Subject"]).strip() == "Kết quả đánh giá chuyển đổi số"
    assert received["To"] == "chu.tich@hop-tac-xa.vn"
    assert received["Content-Language"] == "vi"
    token = MailRecipient.objects.get(address="chu.tich@hop-tac-xa.vn").token
    url = f"https://thuocdo.example.vn/mail/unsubscribe/{token}/"
    assert str(received["List-Unsubscribe"]).strip() == f"<{url}>"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = received.get_body(("plain",)).get_content()
    assert "Mức độ của đơn vị: Mức 2" in text
    assert f"Để không nhận thêm thư từ Thước đo: {url}" in text
    assert "Mức 2" in received.get_body(("html",)).get_content()


def test_language_is_the_messages_own(
    smtp_server: SmtpServer,  # noqa: F811
    django_capture_on_commit_callbacks: Commit,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        rendered = mail.mail_queue(
            to="director@example.com",
            subject="Your result",
            body="Level 2",
            kind="test.result",
            language="en",
        )
    assert rendered.language == "en"
    [received] = smtp_server.messages
    assert received["Content-Language"] == "en"
    text = received.get_body(("plain",)).get_content()
    assert "To receive no more e-mails from Thước đo:" in text
    assert "?lang=en" in received["List-Unsubscribe"]
    with pytest.raises(ValidationError) as err:
        mail.mail_queue(to="a@example.com", subject="s", body="b", kind="k", language="fr")
    assert "language" in err.value.message_dict


def test_one_click_unsubscribe_stops_further_mail(
    smtp_server: SmtpServer,  # noqa: F811
    django_capture_on_commit_callbacks: Commit,
    client: Client,
) -> None:
    _queue(django_capture_on_commit_callbacks, "ketoan@example.vn")
    token = MailRecipient.objects.get(address="ketoan@example.vn").token
    page = client.get(f"/mail/unsubscribe/{token}/")
    assert page.status_code == 200
    assert "k•••••@example.vn" in page.content.decode()
    assert "Hủy đăng ký" in page.content.decode()
    assert MailRecipient.objects.get(token=token).unsubscribed_at is None  # a GET changes nothing
    # the mail client's one-click POST (RFC 8058) carries no CSRF token
    csrf_client = Client(enforce_csrf_checks=True)
    done = csrf_client.post(
        f"/mail/unsubscribe/{token}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert done.status_code == 200
    assert "sẽ không nhận thêm thư" in done.content.decode()
    assert MailRecipient.objects.get(token=token).unsubscribed_at is not None
    later = _queue(django_capture_on_commit_callbacks, "KeToan@example.vn")
    assert later.status == MailMessage.Status.SUPPRESSED
    assert len(smtp_server.messages) == 1
    assert not mail.mail_allowed("ketoan@example.vn")


def test_unsubscribe_page_in_english_and_unknown_token(client: Client) -> None:
    recipient = mail._recipient("someone@example.com", "en")
    html = client.get(f"/mail/unsubscribe/{recipient.token}/?lang=en").content.decode()
    assert "Stop all e-mails from Thước đo" in html
    missing = client.get("/mail/unsubscribe/not-a-real-token/")
    assert missing.status_code == 404
    assert "Liên kết hủy đăng ký này không hợp lệ" in missing.content.decode()
    forged = client.post("/mail/unsubscribe/not-a-real-token/")
    assert forged.status_code == 404


def test_retry_after_the_server_refuses_once(
    smtp_server: SmtpServer,  # noqa: F811
    django_capture_on_commit_callbacks: Commit,
) -> None:
    smtp_server.refuse("tam.thoi@example.vn", "451 4.3.0 Mailbox busy, try again later")
    before = timezone.now()
    message = _queue(django_capture_on_commit_callbacks, "tam.thoi@example.vn")
    assert message.status == MailMessage.Status.QUEUED
    assert message.attempts == 1
    assert "451" in message.last_error
    assert smtp_server.messages == []
    delay = (message.next_attempt_at - before).total_seconds()
    assert mail.RETRY_DELAYS[0] <= delay < mail.RETRY_DELAYS[0] + 30
    # the retry is in the job queue's schedule, not run at once
    assert [t.args for t in HUEY.scheduled()] == [(message.pk,)]
    assert mail.mail_send_due() == {}  # not due yet
    assert mail.mail_send_due(now=message.next_attempt_at) == {"sent": 1}
    message.refresh_from_db()
    assert message.status == MailMessage.Status.SENT
    assert message.attempts == 2
    assert len(smtp_server.to("tam.thoi@example.vn")) == 1
    assert smtp_server.rcpt_seen == ["tam.thoi@example.vn", "tam.thoi@example.vn"]


def test_bounce_is_marked_and_never_retried(
    smtp_server: SmtpServer,  # noqa: F811
    django_capture_on_commit_callbacks: Commit,
) -> None:
    smtp_server.refuse("khong.ton.tai@example.vn", "550 5.1.1 No such user")
    message = _queue(django_capture_on_commit_callbacks, "khong.ton.tai@example.vn")
    assert message.status == MailMessage.Status.BOUNCED
    recipient = MailRecipient.objects.get(address="khong.ton.tai@example.vn")
    assert recipient.bounced_at is not None
    assert "550" in recipient.bounce_reason
    assert HUEY.scheduled() == []
    assert mail.mail_send_due(now=timezone.now() + timedelta(days=30)) == {}
    again = _queue(django_capture_on_commit_callbacks, "khong.ton.tai@example.vn")
    assert again.status == MailMessage.Status.SUPPRESSED
    assert smtp_server.rcpt_seen == ["khong.ton.tai@example.vn"]
    assert smtp_server.messages == []


def test_temporary_refusals_give_up_after_the_last_attempt(
    smtp_server: SmtpServer,  # noqa: F811
    django_capture_on_commit_callbacks: Commit,
) -> None:
    smtp_server.refuse("day@example.vn", *["452 4.2.2 Mailbox full"] * (mail.MAX_ATTEMPTS + 3))
    message = _queue(django_capture_on_commit_callbacks, "day@example.vn")
    delays = []
    while message.status == MailMessage.Status.QUEUED:
        delays.append(message.next_attempt_at)
        mail.mail_send_due(now=message.next_attempt_at)
        message.refresh_from_db()
    assert message.status == MailMessage.Status.FAILED
    assert message.attempts == mail.MAX_ATTEMPTS
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(delays)]
    assert gaps == sorted(gaps) and gaps[0] < gaps[-1]  # the delays grow
    assert len(smtp_server.rcpt_seen) == mail.MAX_ATTEMPTS
    assert mail.mail_send_due(now=timezone.now() + timedelta(days=30)) == {}
    # a full mailbox is not a bounce: the address may be written to again
    assert mail.mail_allowed("day@example.vn")


def test_server_down_is_a_temporary_failure(
    smtp_server: SmtpServer,  # noqa: F811
    django_capture_on_commit_callbacks: Commit,
    settings: Any,
) -> None:
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = sock.getsockname()[1]
    message = _queue(django_capture_on_commit_callbacks, "cho@example.vn")
    assert message.status == MailMessage.Status.QUEUED
    assert "ConnectionRefusedError" in message.last_error
    settings.EMAIL_PORT = smtp_server.port
    assert mail.mail_send_due(now=message.next_attempt_at) == {"sent": 1}


def test_bad_address_and_rolled_back_transaction_leave_nothing(
    smtp_server: SmtpServer,  # noqa: F811
    django_capture_on_commit_callbacks: Commit,
) -> None:
    with pytest.raises(ValidationError) as err:
        mail.mail_queue(to="không phải thư", subject="s", body="b", kind="k")
    assert "to" in err.value.message_dict
    assert "không phải thư" in err.value.message_dict["to"][0]

    def queue_then_fail() -> None:
        with transaction.atomic():
            mail.mail_queue(to="a@example.vn", subject="s", body="b", kind="k")
            raise RuntimeError("the caller's write failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        queue_then_fail()
    assert not MailMessage.objects.exists()
    assert smtp_server.messages == []
