"""A field submission keeps its identity across imports: edits, conflicts, re-sends."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from tests.assessments.importing.factories import communes_in, make_campaign
from tests.assessments.importing.field_exports import (
    central_export,
    expected_answers,
    kobo_export,
    submissions,
)

from thuocdo.accounts.models import AuditEvent
from thuocdo.assessments.models import Organisation, Response, ResponseRevision
from thuocdo.cli import main
from thuocdo.frameworks.engine import Framework, score

pytestmark = pytest.mark.django_db
N = 6


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["import", *args])
    return code, json.loads(capsys.readouterr().out)


def _edit(fw: Framework, sub: dict[str, Any]) -> None:
    """Change the first single-choice answer of a submission to another option."""
    c = next(c for c in fw.criteria() if c.question.type == "single")
    others = [o.code for o in c.question.options if o.code != sub[c.code]]
    sub[c.code] = others[0]


def _stored(campaign) -> dict[str, Response]:  # type: ignore[no-untyped-def]
    return {
        r.submission_id: r
        for r in Response.objects.filter(campaign=campaign).select_related("organisation")
    }


def _assert_scored(fw: Framework, r: Response, sub: dict[str, Any]) -> None:
    want = expected_answers(fw, sub)
    assert r.answers == want
    res = score(fw, want)
    assert (r.overall, r.level, r.pillar_scores) == (res.overall, res.level, res.pillars)


def test_an_edited_export_updates_the_edited_responses_and_keeps_their_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign = make_campaign()
    fw = campaign.framework.engine()
    subs = submissions(fw, communes_in(), N)
    first = kobo_export(fw, subs, tmp_path / "first.csv", groups=False, multiple="options")
    code, out = _run(capsys, str(campaign.pk), str(first))
    assert (code, out["imported"], out["updated"]) == (0, N, 0)
    before = {s["_uuid"]: copy.deepcopy(_stored(campaign)[s["_uuid"]].answers) for s in subs}

    edited = copy.deepcopy(subs)
    for s in edited[:3]:
        _edit(fw, s)
    second = kobo_export(fw, edited, tmp_path / "second.csv", groups=False, multiple="options")
    code, out = _run(capsys, str(campaign.pk), str(second))
    assert code == 0, out["errors"]
    assert (out["imported"], out["updated"], out["duplicates"]) == (0, 3, 3)

    stored = _stored(campaign)
    assert len(stored) == N == len({s["_uuid"] for s in subs})
    for s in edited:
        _assert_scored(fw, stored[s["_uuid"]], s)
    revisions = ResponseRevision.objects.filter(response__campaign=campaign)
    assert sorted(r.submission_id for r in revisions) == sorted(s["_uuid"] for s in subs[:3])
    for rev in revisions:
        assert rev.answers == before[rev.submission_id]
    events = AuditEvent.objects.filter(action="response.import_edit")
    assert events.count() == 3
    # the same export again: nothing changes
    code, out = _run(capsys, str(campaign.pk), str(second))
    assert (out["imported"], out["updated"], out["duplicates"]) == (0, 0, N)
    assert ResponseRevision.objects.filter(response__campaign=campaign).count() == 3


def test_in_conflict_mode_an_edit_is_reported_and_nothing_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign = make_campaign()
    fw = campaign.framework.engine()
    subs = submissions(fw, communes_in(), N, seed=3)
    _run(capsys, str(campaign.pk), str(central_export(fw, subs, tmp_path / "a.csv")))
    edited = copy.deepcopy(subs)
    _edit(fw, edited[1])
    _edit(fw, edited[4])
    path = central_export(fw, edited, tmp_path / "b.csv")
    code, out = _run(capsys, str(campaign.pk), str(path), "--on-edit", "conflict", "--lang", "en")
    assert code == 1
    assert out["error_count"] == 2
    assert {e["column"] for e in out["errors"]} == {"meta-instanceID"}
    assert {e["value"] for e in out["errors"]} == {subs[1]["_uuid"], subs[4]["_uuid"]}
    assert "--on-edit update" in out["errors"][0]["message"]
    stored = _stored(campaign)
    for s in subs:
        _assert_scored(fw, stored[s["_uuid"]], s)
    code, out = _run(
        capsys, str(campaign.pk), str(path), "--on-edit", "conflict", "--mode", "valid-rows"
    )
    assert (code, out["imported"], out["updated"], out["duplicates"]) == (0, 0, 0, N - 2)
    assert ResponseRevision.objects.filter(response__campaign=campaign).count() == 0


def test_a_resent_submission_with_a_corrected_name_is_not_a_second_organisation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign = make_campaign()
    fw = campaign.framework.engine()
    subs = submissions(fw, communes_in(), N, seed=11)
    for s in subs:
        s["org_tax_code"] = ""  # found by name + commune
    _run(capsys, str(campaign.pk), str(kobo_export(fw, subs, tmp_path / "a.csv")))
    orgs = Organisation.objects.count()
    resent = copy.deepcopy(subs)
    resent[2]["org_name"] = "Công ty Cổ phần Số 2 Hà Nội"
    extra = submissions(fw, communes_in(), N + 2, seed=12)[N:]
    for s in extra:
        s["org_tax_code"] = ""
    path = kobo_export(fw, resent + extra, tmp_path / "b.csv")
    code, out = _run(capsys, str(campaign.pk), str(path))
    assert code == 0, out["errors"]
    assert (out["imported"], out["updated"], out["duplicates"]) == (2, 1, N - 1)
    assert Organisation.objects.count() == orgs + 2
    keys = {s["_uuid"] for s in resent + extra}
    assert Response.objects.filter(campaign=campaign).count() == len(keys)
    renamed = _stored(campaign)[subs[2]["_uuid"]]
    assert renamed.organisation.name == "Công ty Cổ phần Số 2 Hà Nội"


def test_deprecated_id_chains_are_followed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign = make_campaign()
    fw = campaign.framework.engine()
    subs = submissions(fw, communes_in(), N, seed=21)
    _run(capsys, str(campaign.pk), str(kobo_export(fw, subs, tmp_path / "a.csv")))
    first_id = subs[0]["_uuid"]
    # an edit in Kobo: a new instanceID, the old one as deprecatedID
    v2 = copy.deepcopy(subs)
    _edit(fw, v2[0])
    v2[0]["_deprecated"], v2[0]["_uuid"] = first_id, "7f000000-0000-4000-8000-000000000002"
    code, out = _run(capsys, str(campaign.pk), str(kobo_export(fw, v2, tmp_path / "b.csv")))
    assert (code, out["imported"], out["updated"]) == (0, 0, 1), out["errors"]
    # edited again, and an export that still carries the first id as deprecated one
    v3 = copy.deepcopy(v2)
    v3[0]["org_name"] = "Công ty Cổ phần Số 0 (sửa lần 2)"
    v3[0]["_deprecated"], v3[0]["_uuid"] = v2[0]["_uuid"], "7f000000-0000-4000-8000-000000000003"
    code, out = _run(capsys, str(campaign.pk), str(kobo_export(fw, v3, tmp_path / "c.csv")))
    assert (code, out["imported"], out["updated"]) == (0, 0, 1), out["errors"]
    stored = _stored(campaign)
    assert len(stored) == N
    r = stored["7f000000-0000-4000-8000-000000000003"]
    _assert_scored(fw, r, v3[0])
    assert [x.submission_id for x in r.revisions.order_by("id")] == [first_id, v2[0]["_uuid"]]
    # the export of the second version, imported late, is an older version: nothing changes
    code, out = _run(capsys, str(campaign.pk), str(kobo_export(fw, v2, tmp_path / "b.csv")))
    assert (out["imported"], out["updated"], out["duplicates"]) == (0, 0, N)
    assert Response.objects.filter(campaign=campaign).count() == N
    assert Response.objects.get(pk=r.pk).organisation.name == v3[0]["org_name"]
