"""Background jobs of the analytics app."""

from __future__ import annotations

from typing import Any

from huey.contrib.djhuey import db_task


@db_task()
def refresh_campaign_task(campaign_id: int) -> dict[str, Any]:
    """Refresh a campaign's columnar copy (queued by the assessment services on commit)."""
    from thuocdo.analytics.services import refresh_campaign

    result = refresh_campaign(campaign_id)
    return {"campaign": result.campaign_id, "version": result.version, "rows": result.rows}
