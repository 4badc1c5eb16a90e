"""Background jobs of the analytics app."""

from __future__ import annotations

from typing import Any

from huey.contrib.djhuey import db_task

from thuocdo.core.worker import on_worker_start


# A refresh is all or nothing and may run again at any time: a failed one (its database
# connection lost, say) is simply retried.
@db_task(retries=3, retry_delay=2)
def refresh_campaign_task(campaign_id: int) -> dict[str, Any]:
    """Refresh a campaign's columnar copy in the background (queued for every stale copy when
    a worker starts; dashboards and exports refresh a stale copy themselves as they read it)."""
    from thuocdo.analytics.services import refresh_campaign

    result = refresh_campaign(campaign_id)
    return {"campaign": result.campaign_id, "version": result.version, "rows": result.rows}


@on_worker_start
def refresh_stale_snapshots() -> list[int]:
    """When a worker starts: queue a refresh of every columnar copy older than its responses
    (a refresh interrupted with the previous worker is done again)."""
    from thuocdo.analytics.models import Snapshot
    from thuocdo.analytics.selectors import is_stale

    stale = [snap.campaign_id for snap in Snapshot.objects.all() if is_stale(snap)]
    for campaign_id in stale:
        refresh_campaign_task(campaign_id)
    return stale
