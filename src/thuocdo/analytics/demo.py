"""Demo data of the analytics capability, loaded by `thuocdo demo`.

The assessments demo runs first and creates the demo campaigns and responses; this step only
builds (or rebuilds) their columnar copies and makes the public release of every published
campaign (as publishing it through the campaign's transition would). With no campaigns it does
nothing.
"""

from __future__ import annotations

from typing import Any


def load_demo() -> dict[str, Any]:
    """Refresh the columnar store of every campaign that has responses and release the
    published ones (idempotent)."""
    from thuocdo.analytics.models import Release
    from thuocdo.analytics.release import publish_release
    from thuocdo.analytics.services import refresh_campaign
    from thuocdo.assessments.models import Campaign, CampaignStatus

    campaigns = 0
    rows = 0
    for campaign_id in (
        Campaign.objects.filter(responses__isnull=False).distinct().values_list("id", flat=True)
    ):
        result = refresh_campaign(campaign_id, full=True)
        campaigns += 1
        rows += result.rows
    released = 0
    for campaign in (
        Campaign.objects.filter(status=CampaignStatus.PUBLISHED, responses__isnull=False)
        .exclude(pk__in=Release.objects.values("campaign_id"))
        .distinct()
        .select_related("framework")
    ):
        publish_release(campaign)
        released += 1
    out: dict[str, Any] = {"campaigns": campaigns, "rows": rows}
    if released:
        out["released"] = released
    return out
