from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from thuocdo.accounts.scopes import Scope
from thuocdo.assessments import services
from thuocdo.assessments.models import Campaign
from thuocdo.cli import main

pytestmark = pytest.mark.django_db


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, (json.loads(out.out) if out.out.strip() else None), out.err


def test_create_show_and_workflow(
    capsys: pytest.CaptureFixture[str],
    make_org: Callable[..., Any],
    good_answers: dict[str, Any],
    tmp_path: Path,
) -> None:
    code, data, _ = _run(
        capsys,
        "campaigns",
        "create",
        "--framework",
        "sme-dx@2025.1",
        "--area",
        "01",
        "--year",
        "2025",
        "--name",
        "Khảo sát Hà Nội 2025",
        "--entity-types",
        "enterprise,cooperative",
        "--pilot",
    )
    assert code == 0
    cid = data["id"]
    assert data["status"] == "draft" and data["pilot"] is True
    assert data["entity_types"] == ["enterprise", "cooperative"]
    assert data["area"]["code"] == "01" and data["framework"] == "sme-dx@2025.1"
    assert Campaign.objects.filter(pk=cid).exists()

    code, data, _ = _run(capsys, "campaigns", "open", str(cid))
    assert code == 0 and data["status"] == "open"
    campaign = Campaign.objects.get(pk=cid)
    for _ in range(2):
        services.response_submit(
            scope=Scope(role="admin"),
            actor=None,
            campaign=campaign,
            organisation=make_org(),
            answers=good_answers,
        )
    code, data, _ = _run(capsys, "campaigns", "show", str(cid))
    assert code == 0
    assert data["responses"]["total"] == 2 and data["responses"]["submitted"] == 2
    assert data["responses"]["verified"] == 0

    code, _data, err = _run(capsys, "campaigns", "publish", str(cid))
    assert code == 1 and err.strip()
    strata = tmp_path / "strata.csv"
    strata.write_text("commune_code,entity_type,size_class,population\n00004,enterprise,small,40\n")
    code, data, _ = _run(capsys, "campaigns", "strata", str(cid), str(strata))
    assert code == 0 and data["imported"] == 1
    assert _run(capsys, "campaigns", "close", str(cid))[1]["status"] == "closed"
    assert _run(capsys, "campaigns", "publish", str(cid))[1]["status"] == "published"


def test_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(
        capsys,
        "campaigns",
        "create",
        "--framework",
        "nope@1",
        "--area",
        "01",
        "--year",
        "2025",
        "--name",
        "x",
    )
    assert code == 1 and "nope@1" in err
    code, _, err = _run(
        capsys,
        "campaigns",
        "create",
        "--framework",
        "sme-dx@2025.1",
        "--area",
        "777",
        "--year",
        "2025",
        "--name",
        "x",
    )
    assert code == 1 and "777" in err
    code, _, err = _run(capsys, "campaigns", "show", "999999")
    assert code == 1 and "999999" in err
