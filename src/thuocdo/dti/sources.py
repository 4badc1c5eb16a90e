"""Component points from the product's own data, for components whose method is not a value
entered by hand: a strategy indicator's reported value (``submission``), the share of
organisations at or above a level in published campaigns (``survey``), and the mean score of
published agency assessments (``agency``). Only provinces of the current structure have them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Avg

from thuocdo.assessments.models import Campaign, CampaignStatus, Response, ResponseStatus
from thuocdo.dti.domain.scorecard import Component, points_from_share, points_from_value
from thuocdo.geo.models import Unit
from thuocdo.indicators.models import Submission

COUNTED = (ResponseStatus.SUBMITTED, ResponseStatus.VERIFIED)


def _published(province: Unit, year: int) -> Any:
    return Campaign.objects.filter(
        status=CampaignStatus.PUBLISHED, year=year, unit_path__startswith=province.path
    )


def component_points(comp: Component, province: Unit, year: int) -> Decimal | None:
    """The points of one component from its source, or None when the source has no data."""
    src = comp.source
    if comp.method == "submission":
        sub = (
            Submission.objects.filter(
                indicator__code=src["indicator"], unit=province, period_end__year=year
            )
            .order_by("-period_end", "quarter")
            .first()
        )
        if sub is None:
            return None
        return points_from_value(sub.value, Decimal(str(src.get("full_at", 100))), comp.max)
    if comp.method == "survey":
        campaigns = [
            c.pk for c in _published(province, year) if src["entity_type"] in (c.entity_types or [])
        ]
        qs = Response.objects.filter(
            campaign_id__in=campaigns, status__in=COUNTED, entity_type=src["entity_type"]
        )
        total = qs.count()
        if not total:
            return None
        at_level = qs.filter(level__gte=int(src.get("min_level", 2))).count()
        return points_from_share(at_level / total, comp.max)
    if comp.method == "agency":
        mean = (
            Response.objects.filter(
                campaign__in=_published(province, year).filter(framework__code=src["criteria_set"]),
                status__in=COUNTED,
            )
            .aggregate(m=Avg("overall"))
            .get("m")
        )
        if mean is None:
            return None
        return points_from_share(float(mean) / 100, comp.max)
    return None
