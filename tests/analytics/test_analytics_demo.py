"""The demo step refreshes the store of campaigns with responses; with none it does nothing."""

from __future__ import annotations

import pytest
from tests.analytics import factories as f

from thuocdo.analytics.demo import load_demo
from thuocdo.analytics.models import Snapshot


@pytest.mark.django_db
def test_demo_without_campaigns_does_nothing() -> None:
    assert load_demo() == {"campaigns": 0, "rows": 0}
    assert Snapshot.objects.count() == 0


@pytest.mark.django_db
def test_demo_refreshes_campaigns_idempotently() -> None:
    c, responses = f.populated_campaign(per_commune=2)
    f.campaign(name="trống")  # no responses: skipped
    first = load_demo()
    assert first == {"campaigns": 1, "rows": len(responses)}
    assert load_demo() == first
    assert Snapshot.objects.get(campaign=c).rows == len(responses)
