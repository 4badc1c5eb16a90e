"""Components filled from the product's own data: an indicator submission and the share of
enterprises at level ≥ 2 in a published campaign of the province."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from tests.assessments.conftest import admin_scope, make_campaign, make_org, sme  # noqa: F401

from thuocdo.accounts.scopes import Scope
from thuocdo.assessments import services as assessments
from thuocdo.assessments.domain.synthetic import synthetic_answers
from thuocdo.assessments.models import Response
from thuocdo.dti import selectors, services
from thuocdo.dti.domain import files
from thuocdo.indicators import services as indicators

pytestmark = pytest.mark.django_db
ADMIN = Scope(role="admin")


def _structure_with_sources(tmp_path: Path) -> str:
    data = next(d for d, s in files.builtin_structures() if s.label == "dti-province@922-2022")
    data = copy.deepcopy(data)
    data.update(version="922-sources", components_published=True, components=9)
    for idx in data["indices"]:
        if idx["code"] == "smart_city":
            idx["components"] = []
        elif idx["code"] == "economy_activity":
            idx["components"] = [
                {
                    "code": "sme-level2",
                    "max": 50,
                    "method": "survey",
                    "source": {"entity_type": "enterprise", "min_level": 2},
                },
                {
                    "code": "smartphones",
                    "max": 100,
                    "method": "submission",
                    "source": {"indicator": "adults-smartphone", "full_at": 90},
                },
            ]
        else:
            idx["components"] = [
                {"code": idx["code"] + ".1", "max": idx["max"], "method": "entered"}
            ]
    path = tmp_path / "sources.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return services.dti_structure_load(scope=ADMIN, actor=None, path=path).label


def test_fill_from_indicator_and_published_campaign(
    tmp_path: Path,
    make_campaign: Callable[..., Any],  # noqa: F811
    make_org: Callable[..., Any],  # noqa: F811
    sme: Any,  # noqa: F811
) -> None:
    label = _structure_with_sources(tmp_path)
    result = services.dti_values_fill(
        scope=ADMIN, actor=None, structure=label, code="01", year=2024
    )
    assert result["filled"] == [] and result["without_data"] == ["sme-level2", "smartphones"]

    indicators.submission_submit(
        scope=ADMIN,
        actor=None,
        indicator_code="adults-smartphone",
        unit_code="01",
        period="2024",
        value=81,
        source="Sở KH&CN",
    )
    campaign = make_campaign(year=2024, entity_types=["enterprise"])
    fw = sme.engine()
    for n, quality in enumerate((0.1, 0.4, 0.7, 0.9)):
        assessments.response_submit(
            scope=ADMIN,
            actor=None,
            campaign=campaign,
            organisation=make_org(),
            answers=synthetic_answers(fw, random.Random(n), quality),
        )
    for step in ("closed", "published"):
        campaign = assessments.campaign_transition(
            scope=ADMIN, actor=None, campaign=campaign, to=step
        )
    levels = list(Response.objects.filter(campaign=campaign).values_list("level", flat=True))
    share = Decimal(sum(1 for lv in levels if lv >= 2)) / len(levels)
    assert 0 < share < 1, levels
    result = services.dti_values_fill(
        scope=ADMIN, actor=None, structure=label, code="01", year=2024
    )
    assert result["filled"] == ["smartphones", "sme-level2"] and result["without_data"] == []
    card = selectors.scorecard(scope=ADMIN, structure=label, kind="province", code="01", year=2024)
    econ = next(i for i in card["indices"] if i["code"] == "economy_activity")
    expected_survey = (share * 50).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    # 81 of the 90 that give full points → 90 of 100
    assert econ["components"] == {"sme-level2": str(expected_survey), "smartphones": "90.00"}
