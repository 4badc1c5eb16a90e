"""Background jobs of the indicators app (huey): recomputation and reminders."""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def recompute_dependents_task(code: str, unit_id: int | None, period: str) -> int:
    """Recompute the formula indicators that depend on ``code`` for one unit and period."""
    from thuocdo.indicators.services import recompute_dependents

    return recompute_dependents(code=code, unit_id=unit_id, period=period)


@db_task()
def recompute_indicator_task(code: str) -> int:
    """Compute a formula indicator everywhere its inputs have values (new or changed formula)."""
    from thuocdo.indicators.services import recompute_indicator

    return recompute_indicator(code=code)


@db_task()
def survey_refresh_task(code: str, unit_code: str | None, year: int) -> float | None:
    """Re-read a survey indicator from its source; for the app that publishes the results."""
    from thuocdo.indicators.services import survey_refresh

    return survey_refresh(code=code, unit_code=unit_code, year=year)


@db_task()
def survey_campaign_published_task(campaign_id: int) -> dict[str, int]:
    """A campaign was published: recompute the survey indicators that read its criteria set."""
    from thuocdo.indicators.services import survey_refresh_for_campaign

    return survey_refresh_for_campaign(campaign_id=campaign_id)


@db_periodic_task(crontab(hour="7", minute="0"))
def reminders_daily_task() -> dict[str, Any]:
    """Every morning: remind reporting units of overdue submissions."""
    from thuocdo.indicators.services import reminders_send

    return reminders_send()
