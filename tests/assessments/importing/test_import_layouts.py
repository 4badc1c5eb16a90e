"""Every export layout of KoboToolbox and ODK Central imports with every answer and score right."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.assessments.importing.factories import communes_in, make_campaign, write_csv
from tests.assessments.importing.field_exports import (
    central_export,
    expected_answers,
    kobo_export,
    submissions,
)

from thuocdo.assessments.models import Response
from thuocdo.cli import main
from thuocdo.frameworks.engine import score

pytestmark = pytest.mark.django_db
N = 8

KOBO = [
    pytest.param({"groups": False, "multiple": "options"}, id="xml-nogroups-options"),
    pytest.param({"groups": True, "sep": ".", "multiple": "both"}, id="xml-dot-both"),
    pytest.param({"groups": True, "sep": "-", "multiple": "single", "fmt": "xlsx"}, id="xml-dash-xlsx"),
    pytest.param({"groups": True, "sep": ":", "multiple": "options"}, id="xml-colon-options"),
    pytest.param({"lang": "vi", "groups": True, "multiple": "both"}, id="labels-vi-groups"),
    pytest.param({"lang": "en", "groups": False, "multiple": "single", "fmt": "xlsx"}, id="labels-en"),
    pytest.param({"lang": "vi", "groups": False, "multiple": "options"}, id="labels-vi-options"),
]  # fmt: skip


def _import(campaign_id: int, path: Path, capsys: pytest.CaptureFixture[str]) -> dict:
    code = main(["import", str(campaign_id), str(path)])
    result = json.loads(capsys.readouterr().out)
    assert code == 0, result["errors"][:5]
    return result


def _check(campaign, subs) -> None:  # type: ignore[no-untyped-def]
    fw = campaign.framework.engine()
    stored = {
        r.organisation.tax_code: r
        for r in Response.objects.filter(campaign=campaign).select_related("organisation")
    }
    assert len(stored) == len(subs)
    for s in subs:
        r = stored[s["org_tax_code"]]
        want = expected_answers(fw, s)
        assert r.answers == want
        res = score(fw, want)
        assert r.overall == res.overall
        assert r.level == res.level
        assert r.pillar_scores == res.pillars


@pytest.mark.parametrize("options", KOBO)
def test_kobo_layouts_import(
    options: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign = make_campaign()
    fw = campaign.framework.engine()
    subs = submissions(fw, communes_in(), N)
    path = kobo_export(fw, subs, tmp_path / f"kobo.{options.get('fmt', 'csv')}", **options)
    result = _import(campaign.pk, path, capsys)
    assert result["imported"] == N
    _check(campaign, subs)


def test_central_csv_imports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    campaign = make_campaign()
    fw = campaign.framework.engine()
    subs = submissions(fw, communes_in(), N, seed=9)
    result = _import(campaign.pk, central_export(fw, subs, tmp_path / "central.csv"), capsys)
    assert result["imported"] == N
    _check(campaign, subs)


def test_an_unrecognised_layout_gets_one_message_naming_the_export_setting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign = make_campaign()
    header = ["Question 1", "Question 2", "Question 3", "Question 4"]
    path = write_csv(tmp_path / "other.csv", header, [["a", "b", "c", "d"]])
    assert main(["import", str(campaign.pk), str(path), "--lang", "en"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["error_count"] == 1
    assert "XML values and headers" in result["errors"][0]["message"]
    assert Response.objects.filter(campaign=campaign).count() == 0
