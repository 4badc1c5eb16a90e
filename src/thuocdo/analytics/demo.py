"""Demo data of the analytics capability, loaded by `thuocdo demo`.

The assessments demo runs first and creates the demo campaigns and responses; this step only
builds (or rebuilds) their columnar copies. With no campaigns it does nothing.
"""

from __future__ import annotations

from typing import Any


def load_demo() -> dict[str, Any]:
    """Refresh the columnar store of every campaign that has responses (idempotent)."""
    from thuocdo.analytics.services import refresh_campaign
    from thuocdo.assessments.models import Campaign

    campaigns = 0
    rows = 0
    for campaign_id in (
        Campaign.objects.filter(responses__isnull=False).distinct().values_list("id", flat=True)
    ):
        result = refresh_campaign(campaign_id, full=True)
        campaigns += 1
        rows += result.rows
    return {"campaigns": campaigns, "rows": rows}
