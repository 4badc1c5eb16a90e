"""Publishing a campaign recomputes the survey indicators that read its criteria set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.analytics import factories as f

from thuocdo.accounts.scopes import Scope
from thuocdo.assessments.models import Campaign
from thuocdo.assessments.services.campaigns import campaign_publish
from thuocdo.indicators.models import Submission
from thuocdo.indicators.services import (
    survey_refresh,
    survey_refresh_for_campaign,
)

pytestmark = pytest.mark.django_db
ADMIN = Scope(role="admin", user_id=None)


@pytest.fixture(autouse=True)
def _analytics_store(tmp_path: Path, settings: Any) -> None:
    from django.core.cache import cache

    settings.ANALYTICS_STORE_DIR = tmp_path / "analytics-store"
    cache.clear()


def _values(code: str) -> dict[str, float]:
    rows = Submission.objects.filter(indicator__code=code).select_related("unit")
    return {(s.unit.code if s.unit else "VN"): s.value for s in rows if s.period == "2025"}


def _province_campaign(province: str, per_commune: int) -> Campaign:
    c, _ = f.populated_campaign(provinces=(province,), per_commune=per_commune, status="closed")
    Campaign.objects.filter(pk=c.pk).update(unit_path=f.unit(province).path)
    return Campaign.objects.get(pk=c.pk)


def test_publishing_a_campaign_computes_its_survey_indicators(
    django_capture_on_commit_callbacks: Any,
) -> None:
    c = _province_campaign("01", 6)
    f.survey_indicator("sme-online-sales-survey", "assessments.criterion-met:sme-dx:KH2")
    f.survey_indicator("other-set-survey", "assessments.criterion-met:other-set:KH2")
    assert _values("sme-online-sales-survey") == {}
    with django_capture_on_commit_callbacks(execute=True):
        campaign_publish(scope=ADMIN, actor=None, campaign=c)
    values = _values("sme-online-sales-survey")
    # the nation and the campaign's province
    assert set(values) == {"VN", "01"}
    assert values["01"] == pytest.approx(
        survey_refresh(code="sme-online-sales-survey", unit_code="01", year=2025)
    )
    assert all(0 <= v <= 100 for v in values.values())
    # an indicator reading another criteria set is left alone
    assert _values("other-set-survey") == {}


def test_a_national_campaign_covers_every_province_and_a_broken_source_is_skipped() -> None:
    c, _ = f.populated_campaign(per_commune=3, status="published")
    f.survey_indicator("a-bad-criterion", "assessments.criterion-met:sme-dx:NOPE")
    f.survey_indicator("b-good-criterion", "assessments.criterion-met:sme-dx:KH2")
    result = survey_refresh_for_campaign(campaign_id=c.pk)
    assert result["indicators"] == 2 and result["errors"] > 0
    assert _values("a-bad-criterion") == {}
    # responses exist in 01 and 79 only: the other provinces get no value
    assert set(_values("b-good-criterion")) == {"VN", "01", "79"}
    assert survey_refresh_for_campaign(campaign_id=c.pk)["values"] == 3
