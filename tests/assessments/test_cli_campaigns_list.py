"""``thuocdo campaigns list``: every campaign with its set, area, year, status and counts."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from thuocdo.cli import main


@pytest.mark.django_db
def test_lists_campaigns_with_counts_and_filters(
    make_campaign: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    hanoi = make_campaign(area="01", name="Hà Nội 2025", status="draft")
    danang = make_campaign(area="48", name="Đà Nẵng 2025", status="open")

    assert main(["campaigns", "list"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert set(rows) >= {hanoi.pk, danang.pk}
    row = rows[hanoi.pk]
    assert row["name"] == "Hà Nội 2025" and row["area"] == {"code": "01", "name": hanoi.area.name}
    assert row["framework"] == hanoi.framework.label and row["year"] == hanoi.year
    assert row["status"] == "draft" and row["responses"]["total"] == 0

    assert main(["campaigns", "list", "--status", "open"]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == [danang.pk]
    assert main(["campaigns", "list", "--area", "01"]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == [hanoi.pk]


@pytest.mark.django_db
def test_counts_responses_by_status(populated: Any, capsys: pytest.CaptureFixture[str]) -> None:
    campaign, expected = populated
    assert main(["campaigns", "list"]) == 0
    row = next(r for r in json.loads(capsys.readouterr().out) if r["id"] == campaign.pk)
    assert row["responses"] == expected


@pytest.fixture
def populated(db: Any) -> tuple[Any, dict[str, int]]:
    from tests.analytics import factories as f

    campaign, responses = f.populated_campaign(per_commune=2)
    counts: dict[str, int] = {"total": 0, "draft": 0, "submitted": 0, "verified": 0, "rejected": 0}
    for r in responses:
        counts[r.status] += 1
        counts["total"] += 1
    return campaign, counts


@pytest.mark.django_db
def test_an_unknown_area_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["campaigns", "list", "--area", "99999"]) == 1
    assert "99999" in capsys.readouterr().err
