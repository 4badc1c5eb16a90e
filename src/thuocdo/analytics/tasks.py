"""Background jobs of the analytics app."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import transaction
from huey.contrib.djhuey import db_task

from thuocdo.core.worker import on_worker_start

# How long a queued refresh holds back further ones (a job normally starts much sooner; if
# it never runs, readers still refresh a stale copy themselves).
PENDING_SECONDS = 300


def _pending_key(campaign_id: int) -> str:
    from thuocdo.analytics.store import db_tag

    return f"analytics:{db_tag()}:refresh-pending:{campaign_id}"


def queue_refresh(campaign_id: int) -> None:
    """Once the current transaction commits, queue a refresh of the campaign's columnar copy
    (the assessment services call this when a counted response is submitted or changed).

    A burst queues one job: while a job is queued and not yet started, further calls queue
    nothing; the job, once started, reads everything committed before it started, and a
    change committed after that queues the next one. A queue that cannot be reached never
    fails the submission (readers refresh a stale copy anyway)."""
    transaction.on_commit(lambda: _enqueue(campaign_id), robust=True)


def _enqueue(campaign_id: int) -> None:
    if cache.add(_pending_key(campaign_id), 1, timeout=PENDING_SECONDS):
        try:
            refresh_campaign_task(campaign_id)
        except Exception:
            cache.delete(_pending_key(campaign_id))
            raise


def request_refresh(campaign_id: int) -> bool:
    """Ask for a refresh of the campaign's copy now (a reader found it stale): True when a
    job is queued for it (just now or before), False when the queue cannot be reached."""
    try:
        _enqueue(campaign_id)
    except Exception:
        return False
    return True


# A refresh is all or nothing and may run again at any time: a failed one (its database
# connection lost, say) is simply retried.
@db_task(retries=3, retry_delay=2)
def refresh_campaign_task(campaign_id: int) -> dict[str, Any]:
    """Refresh a campaign's columnar copy in the background (queued after a submission by
    :func:`queue_refresh` and for every stale copy when a worker starts; dashboards and
    exports refresh a stale copy themselves as they read it)."""
    from thuocdo.analytics.services import refresh_campaign

    cache.delete(_pending_key(campaign_id))  # changes committed from now on queue a new job
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
