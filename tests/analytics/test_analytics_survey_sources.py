"""Indicators computed from published assessment results (the criterion-met source)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from tests.analytics import factories as f

from thuocdo.analytics import selectors
from thuocdo.indicators.selectors import indicator_latest
from thuocdo.indicators.services import survey_refresh

_indicator = f.survey_indicator


def _expected_share(campaign_id: int, criterion: str, province: str | None) -> float:
    """By hand from the responses and the weights of the columnar copy."""
    from thuocdo.assessments.models import Campaign, Response

    loaded = selectors.load(Campaign.objects.get(pk=campaign_id))
    weights = dict(
        zip(loaded.frame["response_id"].to_list(), loaded.frame["weight"].to_list(), strict=True)
    )
    met = total = 0.0
    for r in Response.objects.filter(pk__in=list(weights)):
        s = r.criterion_scores.get(criterion)
        if s is None or (province and not r.unit_path.startswith(f"2025/{province}/")):
            continue
        total += weights[r.pk]
        met += weights[r.pk] * (s >= 100)
    return 100 * met / total


@pytest.mark.django_db
def test_share_meeting_a_criterion_from_published_results() -> None:
    c, _ = f.populated_campaign(per_commune=6, status="published")
    _indicator("sme-online-sales-survey", "assessments.criterion-met:sme-dx:KH2")
    national = survey_refresh(code="sme-online-sales-survey", unit_code=None, year=2025)
    hanoi = survey_refresh(code="sme-online-sales-survey", unit_code="01", year=2025)
    assert national == pytest.approx(_expected_share(c.pk, "KH2", None))
    assert hanoi == pytest.approx(_expected_share(c.pk, "KH2", "01"))
    assert 0 <= hanoi <= 100
    latest = indicator_latest(code="sme-online-sales-survey", unit_code="01")
    assert latest is not None and latest["value"] == pytest.approx(hanoi)


@pytest.mark.django_db
def test_unpublished_campaigns_give_no_value() -> None:
    f.populated_campaign(per_commune=3, status="closed")
    _indicator("sme-online-sales-draft", "assessments.criterion-met:sme-dx:KH2")
    assert survey_refresh(code="sme-online-sales-draft", unit_code=None, year=2025) is None


@pytest.mark.django_db
def test_malformed_or_unknown_criterion_is_refused() -> None:
    f.populated_campaign(per_commune=2, status="published")
    _indicator("bad-source-form", "assessments.criterion-met:sme-dx")
    with pytest.raises(ValidationError) as info:
        survey_refresh(code="bad-source-form", unit_code=None, year=2025)
    assert "survey_source" in info.value.message_dict
    _indicator("bad-source-code", "assessments.criterion-met:sme-dx:NOPE")
    with pytest.raises(ValidationError) as info:
        survey_refresh(code="bad-source-code", unit_code=None, year=2025)
    assert "NOPE" in str(info.value)
