"""A CSV re-saved in a spreadsheet that dropped leading zeros of codes is repaired when safe."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.assessments.importing.factories import tax_code, write_csv
from tests.assessments.importing.test_import_cli import run_import, setup

from thuocdo.assessments.models import Response

pytestmark = pytest.mark.django_db


def test_leading_zeros_of_tax_and_commune_codes_are_restored_with_a_warning_per_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign, header, rows = setup(tmp_path, 4)
    tax, commune = header.index("org_tax_code"), header.index("commune_code")
    zeros = [t for t in (tax_code(k) for k in range(200)) if t.startswith("0")]
    for r, t in zip(rows, zeros, strict=False):
        r[tax] = t
    assert all(r[tax].startswith("0") and r[commune].startswith("00") for r in rows)
    wanted = {r[tax]: r[commune] for r in rows}
    damaged = [list(r) for r in rows]
    for r in damaged[:3]:  # what Excel does to a number-looking cell
        r[tax] = r[tax].lstrip("0")
    for r in damaged[:2]:
        r[commune] = r[commune].lstrip("0")
    path = write_csv(tmp_path / "excel.csv", header, damaged)
    code, out = run_import(capsys, str(campaign.pk), str(path), "--lang", "en")
    assert (code, out["imported"], out["error_count"]) == (0, 4, 0), out["errors"]
    assert len(out["warnings"]) == 5
    assert {(w["row"], w["column"]) for w in out["warnings"]} == {
        (2, "org_tax_code"), (3, "org_tax_code"), (4, "org_tax_code"),
        (2, "commune_code"), (3, "commune_code"),
    }  # fmt: skip
    assert "→ " + rows[0][tax] in out["warnings"][0]["message"]
    stored = {
        r.organisation.tax_code: r.commune.code
        for r in Response.objects.filter(campaign=campaign).select_related(
            "organisation", "commune"
        )
    }
    assert stored == wanted


def test_an_ambiguous_or_invalid_short_code_is_still_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign, header, rows = setup(tmp_path, 2)
    tax = header.index("org_tax_code")
    commune = header.index("commune_code")
    rows[0][tax] = "12345678"  # 8 digits: no identifier has two leading zeros to restore
    rows[1][commune] = "25"  # 00025 without its zeros is also the code of a province
    path = write_csv(tmp_path / "excel.csv", header, rows)
    code, out = run_import(capsys, str(campaign.pk), str(path))
    assert code == 1
    assert [(e["row"], e["column"]) for e in out["errors"]] == [
        (2, "org_tax_code"),
        (3, "commune_code"),
    ]
    assert out["warnings"] == []
    assert Response.objects.filter(campaign=campaign).count() == 0
