"""Follow-through e-mail after a submission, against a real SMTP server on loopback: the
result with its plan and offers in the respondent's language, a link back, the re-assessment
reminder the campaign sets, one-click unsubscribe, a retry after one refusal, a bounce that
stops, and nothing of another organisation in any message."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation
from huey.contrib.djhuey import HUEY
from tests.ecosystem import factories as eco
from tests.mailserver import SmtpServer, smtp_server  # noqa: F401 (fixture)

from thuocdo.accounts.scopes import Scope
from thuocdo.assessments import followup, selectors, services
from thuocdo.assessments.domain.synthetic import synthetic_answers
from thuocdo.assessments.models import Response
from thuocdo.core import mail
from thuocdo.core.models import MailMessage, MailRecipient

pytestmark = pytest.mark.django_db

Commit = Callable[..., Any]
ANON = Scope(role="anonymous")


@pytest.fixture(autouse=True)
def _empty_schedule() -> None:
    HUEY.flush()


def _submit(
    commit: Commit, campaign: Any, org: Any, seed: int, language: str = "vi"
) -> tuple[Response, str]:
    answers = synthetic_answers(campaign.framework.engine(), random.Random(seed), 0.3)
    draft = Response.objects.filter(campaign=campaign, organisation=org).first()
    if draft is None:
        draft = services.response_save_draft(
            scope=ANON, actor=None, campaign=campaign, organisation=org, answers={}
        )
    code = selectors.resume_code_of(draft)
    assert code
    with translation.override(language), commit(execute=True):
        services.response_submit(
            scope=ANON,
            actor=None,
            campaign=campaign,
            organisation=org,
            answers=answers,
            resume_code=code,
        )
    return Response.objects.get(pk=draft.pk), code


def _text(message: Any) -> str:
    return str(message.get_body(("plain",)).get_content())


def test_result_email_in_vietnamese_with_plan_offers_and_link_back(
    smtp_server: SmtpServer,  # noqa: F811
    django_capture_on_commit_callbacks: Commit,
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    client: Client,
) -> None:
    campaign = make_campaign(reassess_months=6)
    org = make_org(email="giamdoc@congty-mot.vn")
    solution = eco.solution(
        eco.provider(),
        criteria=[
            f"{campaign.framework.code}:{c.code}" for c in campaign.framework.engine().criteria()
        ],
        name_vi="Phần mềm Kế toán Điện tử Thử Nghiệm",
    )
    response, code = _submit(django_capture_on_commit_callbacks, campaign, org, seed=5)
    assert response.unmet
    [received] = smtp_server.to("giamdoc@congty-mot.vn")
    assert received["Content-Language"] == "vi"
    subject = str(received["Subject"])
    assert "Kết quả chuyển đổi số" in subject and org.name in subject
    text = _text(received)
    view = selectors.result_view(response, "vi")
    assert f"Mức độ chuyển đổi số: {response.level} — {view['level_name']}" in text
    overall = f"{response.overall:.2f}".replace(".", ",")
    assert f"Điểm tổng hợp: {overall} / 100" in text
    for pillar in view["pillars"]:
        assert pillar["name"] in text
    for criterion in view["unmet"]:
        assert criterion["name"] in text
    assert solution.name_vi in text
    assert f"https://thuocdo.example.vn/ecosystem/solutions/{solution.pk}/" in text
    link = f"https://thuocdo.example.vn/assessments/c/{campaign.public_token}/r/{code}/result/"
    assert link in text
    assert link.replace("/result/", "/certificate.pdf") in text
    assert client.get(link.removeprefix("https://thuocdo.example.vn")).status_code == 200
    assert "6 tháng" in text
    # the reminder waits: due six months after the submission, not sent now
    reminder = MailMessage.objects.get(kind=followup.REMINDER_KIND)
    assert reminder.status == MailMessage.Status.QUEUED
    assert reminder.next_attempt_at == followup.add_months(response.submitted_at, 6)
    assert mail.mail_send_due(now=timezone.now()) == {}
    assert mail.mail_send_due(now=reminder.next_attempt_at + timedelta(seconds=1)) == {"sent": 1}
    [_result, later] = smtp_server.to("giamdoc@congty-mot.vn")
    assert "Đã đến lúc đánh giá lại" in str(later["Subject"])
    assert f"/assessments/c/{campaign.public_token}/" in _text(later)


def test_result_email_in_english_for_an_english_respondent(
    smtp_server: SmtpServer,  # noqa: F811
    django_capture_on_commit_callbacks: Commit,
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
) -> None:
    campaign = make_campaign()
    org = make_org(email="director@example.com")
    response, _code = _submit(django_capture_on_commit_callbacks, campaign, org, 9, "en")
    [received] = smtp_server.messages
    assert received["Content-Language"] == "en"
    text = _text(received)
    assert str(received["Subject"]).strip().startswith("Digital transformation result of")
    assert f"Overall score: {response.overall:.2f} / 100" in text
    assert "To receive no more e-mails from Thước đo:" in text
    assert MailMessage.objects.get(kind=followup.REMINDER_KIND).language == "en"


def test_no_address_no_message_and_resubmission_replaces_the_reminder(
    smtp_server: SmtpServer,  # noqa: F811
    django_capture_on_commit_callbacks: Commit,
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
) -> None:
    campaign = make_campaign()
    _submit(django_capture_on_commit_callbacks, campaign, make_org(), 3)
    assert not MailMessage.objects.exists()
    org = make_org(email="ketoan@htx-lua.vn")
    _submit(django_capture_on_commit_callbacks, campaign, org, 3)
    _submit(django_capture_on_commit_callbacks, campaign, org, 4)
    reminders = MailMessage.objects.filter(kind=followup.REMINDER_KIND)
    assert sorted(reminders.values_list("status", flat=True)) == ["queued", "suppressed"]
    assert MailMessage.objects.filter(kind=followup.RESULT_KIND, status="sent").count() == 2
    # the job running twice for one submission writes nothing more
    response = Response.objects.get(organisation=org)
    assert followup.followup_queue(response.pk, "vi") == []
    # a campaign without reminders
    quiet = make_campaign(reassess_months=0, name="Khảo sát không nhắc")
    _submit(django_capture_on_commit_callbacks, quiet, make_org(email="a@b.vn"), 5)
    assert not MailMessage.objects.filter(kind=followup.REMINDER_KIND, recipient__address="a@b.vn")


def test_unsubscribe_stops_the_reminder(
    smtp_server: SmtpServer,  # noqa: F811
    django_capture_on_commit_callbacks: Commit,
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    client: Client,
) -> None:
    campaign = make_campaign()
    org = make_org(email="chutich@ubnd-xa.vn")
    _submit(django_capture_on_commit_callbacks, campaign, org, 6)
    [received] = smtp_server.messages
    url = str(received["List-Unsubscribe"]).strip("<> ")
    assert url in _text(received)
    reply = client.post(
        url.removeprefix("https://thuocdo.example.vn"), {"List-Unsubscribe": "One-Click"}
    )
    assert reply.status_code == 200
    assert MailRecipient.objects.get(address="chutich@ubnd-xa.vn").unsubscribed_at is not None
    reminder = MailMessage.objects.get(kind=followup.REMINDER_KIND)
    assert reminder.status == MailMessage.Status.SUPPRESSED
    assert mail.mail_send_due(now=reminder.next_attempt_at + timedelta(days=1)) == {}
    assert len(smtp_server.messages) == 1


def test_retry_after_one_refusal_and_bounce_is_not_retried(
    smtp_server: SmtpServer,  # noqa: F811
    django_capture_on_commit_callbacks: Commit,
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
) -> None:
    campaign = make_campaign()
    smtp_server.refuse("tamthoi@example.vn", "451 4.3.0 Try again later")
    _submit(django_capture_on_commit_callbacks, campaign, make_org(email="tamthoi@example.vn"), 7)
    result = MailMessage.objects.get(kind=followup.RESULT_KIND)
    assert result.status == MailMessage.Status.QUEUED and result.attempts == 1
    assert "451" in result.last_error
    assert mail.mail_send_due(now=result.next_attempt_at) == {"sent": 1}
    assert len(smtp_server.to("tamthoi@example.vn")) == 1

    smtp_server.refuse("khongco@example.vn", "550 5.1.1 No such user")
    _submit(django_capture_on_commit_callbacks, campaign, make_org(email="khongco@example.vn"), 8)
    bounced = MailMessage.objects.get(
        kind=followup.RESULT_KIND, recipient__address="khongco@example.vn"
    )
    assert bounced.status == MailMessage.Status.BOUNCED
    assert MailRecipient.objects.get(address="khongco@example.vn").bounced_at is not None
    reminder = MailMessage.objects.get(
        kind=followup.REMINDER_KIND, recipient__address="khongco@example.vn"
    )
    assert reminder.status == MailMessage.Status.SUPPRESSED
    assert mail.mail_send_due(now=timezone.now() + timedelta(days=800)) == {"sent": 1}
    assert smtp_server.rcpt_seen.count("khongco@example.vn") == 1


def test_no_other_organisations_data_in_any_message(
    smtp_server: SmtpServer,  # noqa: F811
    django_capture_on_commit_callbacks: Commit,
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
) -> None:
    campaign = make_campaign()
    orgs = [
        make_org(name="Hợp tác xã Nông nghiệp Bình Minh", email="binhminh@htx.vn"),
        make_org(name="Công ty Cổ phần Sông Hồng", email="songhong@cty.vn"),
        make_org(name="Công ty TNHH Ánh Dương", email="anhduong@cty.vn"),
    ]
    codes = {}
    for n, org in enumerate(orgs):
        _response, codes[org.pk] = _submit(
            django_capture_on_commit_callbacks, campaign, org, 20 + n
        )
    mail.mail_send_due(now=timezone.now() + timedelta(days=800))
    assert len(smtp_server.messages) == 6
    for org in orgs:
        mine = smtp_server.to(org.email)
        assert len(mine) == 2
        for message in mine:
            blob = str(message["Subject"]) + _text(message)
            assert org.name in blob and codes[org.pk] in blob
            for other in orgs:
                if other.pk != org.pk:
                    assert other.name not in blob
                    assert other.email not in blob
                    assert codes[other.pk] not in blob
