"""Follow-through after a submission: the organisation's result by e-mail and a reminder to
assess itself again.

When the organisation gave an e-mail address, a submission queues (after its commit) the job
:func:`thuocdo.assessments.tasks.followup_task`, which writes, in the respondent's language:

- the result: level, overall score and pillar scores, the criteria not met, the plan to the
  next level and the matching offers of the solutions catalogue, with a link back to the
  result page and to the certificate;
- a reminder to re-assess, due ``campaign.reassess_months`` after the submission; a newer
  submission of the same organisation replaces the waiting reminder.

Both go through the shared outbox (``core.mail``): sent by its job with retries, never to an
unsubscribed or bounced address. A message speaks of one response of one organisation only.
"""

from __future__ import annotations

import calendar
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from thuocdo.assessments.models import Response, ResponseStatus
from thuocdo.core.mail import mail_cancel, mail_queue_template, site_url
from thuocdo.core.models import MailMessage

RESULT_KIND = "assessments.result"
REMINDER_KIND = "assessments.reassess"


def language_of(code: str | None) -> str:
    """The site language closest to ``code`` (``vi`` when unknown)."""
    known = {c for c, _n in settings.LANGUAGES}
    base = (code or "").split("-")[0].lower()
    return base if base in known else settings.LANGUAGE_CODE


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus ``months`` calendar months (the day clipped to the month's end)."""
    total = moment.month - 1 + months
    year, month = moment.year + total // 12, total % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def result_ref(response: Response) -> str:
    stamp = response.submitted_at.isoformat() if response.submitted_at else ""
    return f"assessments.response:{response.pk}@{stamp}"


def reminder_ref(response: Response) -> str:
    return f"assessments.organisation:{response.organisation_id}"


def result_urls(response: Response) -> dict[str, str]:
    """The absolute addresses of the response's result page and certificate (with its
    resume code; a response submitted through the API gets one here)."""
    from thuocdo.assessments.services.responses import _new_resume_code

    code = _new_resume_code(response)  # the existing code, or a new one
    args = [response.campaign.public_token, code]
    return {
        "result_url": site_url(reverse("assessments:result", args=args)),
        "certificate_url": site_url(reverse("assessments:certificate", args=args)),
    }


def _context(response: Response, language: str) -> dict[str, Any]:
    from thuocdo.assessments.selectors import result_view
    from thuocdo.ecosystem.recommend import advice_for_response

    view = result_view(response, language)
    advice = advice_for_response(response, lang=language, limit=5)
    solutions = []
    for m in advice.matches:
        info = m.entry.extra
        name = info.name_en if language == "en" and info.name_en else info.name_vi
        solutions.append(
            {
                "name": name,
                "provider": info.provider,
                "url": site_url(reverse("ecosystem:solution", args=[info.id])),
            }
        )
    context: dict[str, Any] = {
        "organisation": response.organisation.name,
        "campaign": response.campaign.name,
        "year": response.campaign.year,
        "submitted_at": response.submitted_at,
        "view": view,
        "plan_lines": advice.plan_text,
        "next_level": advice.next_level,
        "reason": advice.reason,
        "solutions": solutions,
        **result_urls(response),
        "start_url": site_url(reverse("assessments:start", args=[response.campaign.public_token])),
        "reassess_months": response.campaign.reassess_months,
    }
    return context


@transaction.atomic
def followup_queue(response_id: int, language: str) -> list[MailMessage]:
    """Queue the result e-mail and the re-assessment reminder of a submitted response
    (nothing when the organisation gave no address, or the result was already written for
    this submission). May run twice without harm."""
    response = (
        Response.objects.select_related("organisation", "campaign", "framework")
        .filter(pk=response_id)
        .first()
    )
    if response is None or response.status not in (
        ResponseStatus.SUBMITTED,
        ResponseStatus.VERIFIED,
    ):
        return []
    address = (response.organisation.email or "").strip()
    if not address:
        return []
    ref = result_ref(response)
    if MailMessage.objects.filter(kind=RESULT_KIND, ref=ref).exists():
        return []
    language = language_of(language)
    with translation.override(language):
        context = _context(response, language)
    queued = [
        mail_queue_template(
            to=address,
            template="assessments/mail/result",
            context=context,
            kind=RESULT_KIND,
            language=language,
            ref=ref,
        )
    ]
    mail_cancel(kind=REMINDER_KIND, ref=reminder_ref(response))
    months = response.campaign.reassess_months
    if months and response.submitted_at is not None:
        queued.append(
            mail_queue_template(
                to=address,
                template="assessments/mail/reassess",
                context=context,
                kind=REMINDER_KIND,
                language=language,
                ref=reminder_ref(response),
                send_at=add_months(response.submitted_at, months),
            )
        )
    return queued
