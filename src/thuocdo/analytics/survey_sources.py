"""Indicator values computed from published assessment results.

Registered with the indicators app (``indicators.sources``) when the analytics app starts:

``assessments.criterion-met:<criteria-set code>:<criterion code>``
    The weighted share (%) of respondents that meet the criterion (score ≥ its target) among
    those to whom it applies, over every published campaign of that criteria set in the year,
    for the nation or one province. Weights are the post-stratification weights of each
    campaign's columnar copy (docs/statistics.md). ``None`` when nothing is published.
    The copy keeps criterion scores rounded down to whole points, so the comparison is exact
    for whole-number targets (every built-in set uses them).
"""

from __future__ import annotations

from typing import Any

import polars as pl
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CRITERION_MET = "assessments.criterion-met"


def _parameters(name: str) -> tuple[str, str]:
    parts = [p.strip() for p in name.split(":")]
    if len(parts) != 3 or parts[0] != CRITERION_MET or not parts[1] or not parts[2]:
        raise ValidationError(
            {
                "survey_source": _("Write the source as %(form)s, e.g. %(example)s.")
                % {
                    "form": f"{CRITERION_MET}:<criteria set>:<criterion>",
                    "example": f"{CRITERION_MET}:sme-dx:KH2",
                }
            }
        )
    return parts[1], parts[2]


def criterion_met_share(indicator: Any, unit_code: str | None, year: int) -> float | None:
    from thuocdo.analytics import selectors
    from thuocdo.assessments.models import Campaign, CampaignStatus

    set_code, criterion = _parameters(indicator.survey_source)
    campaigns = Campaign.objects.filter(
        status=CampaignStatus.PUBLISHED, year=year, framework__code=set_code
    ).select_related("framework")
    met = total = 0.0
    for campaign in campaigns:
        loaded = selectors.load(campaign)
        column = loaded.layout.criterion_col(criterion)
        if column not in loaded.frame.columns:
            raise ValidationError(
                {
                    "survey_source": _("Criteria set %(set)s has no criterion %(code)s.")
                    % {"set": campaign.framework.label, "code": criterion}
                }
            )
        frame = loaded.frame.filter(pl.col(column).is_not_null())
        if unit_code is not None:
            frame = frame.filter(pl.col("province").cast(pl.Utf8) == unit_code)
        target = float(loaded.layout.targets[criterion])
        weights = frame["weight"].cast(pl.Float64)
        met += float((weights * (frame[column].cast(pl.Float64) >= target)).sum())
        total += float(weights.sum())
    return None if total == 0 else 100.0 * met / total


def register() -> None:
    from thuocdo.indicators.sources import register_survey_source

    register_survey_source(CRITERION_MET, criterion_met_share)
