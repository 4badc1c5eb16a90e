from __future__ import annotations

import pytest

from thuocdo.assessments.demo import load_demo
from thuocdo.assessments.models import Campaign, Organisation, Response
from thuocdo.frameworks.engine import score

pytestmark = pytest.mark.django_db


def test_demo_is_scored_by_the_engine_and_idempotent() -> None:
    first = load_demo()
    assert first["created"] is True
    published = Campaign.objects.filter(status="published", year=2025)
    assert {c.framework.code for c in published} == {"sme-dx", "household-dx"}
    assert {c.area.code for c in published} == {"01", "48"}
    assert Organisation.objects.count() >= 300
    assert Organisation.objects.values("commune").distinct().count() >= 10
    sample = Response.objects.filter(campaign__framework__code="sme-dx").first()
    assert sample is not None
    expected = score(sample.framework.engine(), sample.answers)
    assert sample.overall == pytest.approx(expected.overall)
    assert sample.level == expected.level
    assert all(r.unit_path.startswith(r.campaign.unit_path) for r in Response.objects.all()[:50])
    count = Response.objects.count()
    assert load_demo()["created"] is False
    assert Response.objects.count() == count
