"""XLSForm generation (checked with pyxform) and the import of a Kobo-style export of it;
import templates (CSV and XLSX)."""

from __future__ import annotations

import csv
import io
import json
import random
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert
from tests.assessments.importing.factories import communes_in, make_campaign, tax_code, write_csv

from thuocdo.assessments.importing.columns import CONTRACT
from thuocdo.assessments.models import Response
from thuocdo.assessments.xlsform import condition_to_xpath, xlsform_bytes
from thuocdo.cli import main
from thuocdo.frameworks.builtins import builtin_files
from thuocdo.frameworks.engine import load_framework_file, load_framework_text

XF = "{http://www.w3.org/2002/xforms}"

CONDITIONS_YAML = """
code: dieu-kien
version: "1"
name: {vi: "Bộ thử điều kiện", en: "Condition test set"}
levels:
  - {code: 0, name: {vi: "Mức 0"}, min: 0}
pillars:
  - code: p1
    name: {vi: "Trụ cột 1", en: "Pillar 1"}
    weight: 1
    criteria:
      - code: B1
        name: {vi: "B1"}
        question: {type: boolean, text: {vi: "Có website?", en: "Website?"}}
      - code: S1
        name: {vi: "S1"}
        question:
          type: single
          text: {vi: "Mức độ", en: "Level"}
          options:
            - {code: a, text: {vi: "=HYPERLINK(\\"http://x\\")"}, score: 0}
            - {code: b, text: {vi: "Có"}, score: 100}
      - code: N1
        name: {vi: "N1"}
        relevant: "B1 and not (S1 == 'a' or S1 == \\"b\\")"
        question:
          type: number
          text: {vi: "Số nhân viên"}
          min: 0
          max: 500
          thresholds: [{min: 0, score: 0}, {min: 5, score: 100}]
      - code: M1
        name: {vi: "M1"}
        relevant: "B1 == false or N1 >= 2.5"
        question:
          type: multi
          text: {vi: "Kênh"}
          options:
            - {code: web, text: {vi: "Web"}, score: 50}
            - {code: none, text: {vi: "Không"}, score: 0, exclusive: true}
      - code: V1
        name: {vi: "V1"}
        relevant: "'web' in M1 and N1 != 3"
        question: {type: scale, text: {vi: "Thang"}, min: 1, max: 5}
"""


def test_conditions_become_xpath() -> None:
    fw = load_framework_text(CONDITIONS_YAML, "dieu-kien.yaml")
    got = {c.code: condition_to_xpath(c.relevant, fw) for c in fw.criteria() if c.relevant}
    assert got == {
        "N1": "${B1} = 'yes' and not(${S1} = 'a' or ${S1} = 'b')",
        "M1": "${B1} = 'no' or ${N1} >= 2.5",
        "V1": "selected(${M1}, 'web') and ${N1} != 3",
    }


def _xform(data: bytes, tmp_path: Path) -> ET.Element:
    path = tmp_path / "form.xlsx"
    path.write_bytes(data)
    warnings: list[str] = []
    result = convert(xlsform=str(path), validate=False, warnings=warnings)
    return ET.fromstring(result.xform)  # noqa: S314 - our own generated XML


@pytest.mark.parametrize("path", builtin_files(), ids=lambda p: p.stem)
def test_every_builtin_set_converts_to_a_valid_xform(path: Path, tmp_path: Path) -> None:
    fw = load_framework_file(path)
    root = _xform(xlsform_bytes(fw, title=fw.name.vi), tmp_path)
    binds = {b.get("nodeset", ""): b for b in root.iter(f"{XF}bind")}
    pillar_of = {c.code: p.code for p in fw.pillars for c in p.criteria}
    expected_type = {"single": "string", "multi": "string", "boolean": "string", "scale": "int"}
    for c in fw.criteria():
        bind = binds[f"/data/{pillar_of[c.code]}/{c.code}"]
        if c.question.type in expected_type:
            assert bind.get("type") == expected_type[c.question.type], c.code
        else:
            assert bind.get("type") in ("int", "decimal")
        assert (bind.get("required") == "true()") == c.required
        assert (bind.get("relevant") is not None) == (c.relevant is not None)
    languages = {t.get("lang") for t in root.iter(f"{XF}translation")}
    assert languages == {"Tiếng Việt (vi)", "English (en)"}
    ranges = list(root.iter(f"{XF}range"))
    assert len(ranges) == sum(c.question.type == "scale" for c in fw.criteria())


def test_the_form_of_the_condition_set_is_valid(tmp_path: Path) -> None:
    fw = load_framework_text(CONDITIONS_YAML, "dieu-kien.yaml")
    root = _xform(xlsform_bytes(fw, title="Thử"), tmp_path)
    binds = {b.get("nodeset", "").rsplit("/", 1)[-1]: b for b in root.iter(f"{XF}bind")}
    assert " ".join(binds["N1"].get("relevant", "").split()) == (
        "/data/p1/B1 = 'yes' and not( /data/p1/S1 = 'a' or /data/p1/S1 = 'b')"
    )
    assert binds["M1"].get("constraint") == "not(selected(., 'none') and count-selected(.) > 1)"
    assert binds["N1"].get("constraint") == ". >= 0 and . <= 500"
    assert binds["B1"].get("required") == "true()"


@pytest.mark.django_db
def test_xlsform_command_and_kobo_export_of_it_imports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign = make_campaign()
    out = tmp_path / "form.xlsx"
    assert main(["campaigns", "xlsform", str(campaign.pk), "-o", str(out)]) == 0
    capsys.readouterr()
    _xform(out.read_bytes(), tmp_path)  # pyxform accepts the file the command wrote
    survey = load_workbook(out).worksheets[0]
    columns = [c.value for c in next(survey.iter_rows(max_row=1))]
    name_col, type_col = columns.index("name"), columns.index("type")
    fw = campaign.framework.engine()
    header: list[str] = ["start", "end"]
    group: list[str] = []
    for row in survey.iter_rows(min_row=2, values_only=True):
        kind, name = str(row[type_col] or ""), str(row[name_col] or "")
        if kind == "begin_group":
            group.append(name)
        elif kind == "end_group":
            group.pop()
        elif kind not in ("start", "end", ""):
            header.append("/".join([*group, name]))
    assert header[2:8] == list(CONTRACT)
    assert "customer/KH1" in header
    header += ["_id", "_uuid", "_submission_time", "_validation_status", "_index"]
    rng = random.Random(3)
    communes = communes_in()
    rows = []
    for i in range(6):
        cells = ["2025-09-01T08:00:00+07:00", "2025-09-01T08:30:00+07:00", tax_code(900 + i),
                 f"Hợp tác xã {i}", "enterprise", communes[i % len(communes)], "", "micro"]  # fmt: skip
        for c in fw.criteria():
            q = c.question
            if q.type == "single":
                cells.append(rng.choice(q.options).code)
            elif q.type == "multi":
                plain = [o.code for o in q.options if not o.exclusive]
                cells.append(" ".join(rng.sample(plain, 2)))  # ODK separates with spaces
            elif q.type == "boolean":
                cells.append(rng.choice(["yes", "no"]))
            else:
                cells.append(str(int(q.min or 0) + 1))
        cells += [str(100 + i), f"uuid-{i}", "2025-09-01T09:00:00", "", str(i + 1)]
        rows.append(cells)
    export = write_csv(tmp_path / "kobo.csv", header, rows, delimiter=";")
    assert main(["import", str(campaign.pk), str(export)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["imported"] == 6, result
    assert Response.objects.filter(campaign=campaign).count() == 6


@pytest.mark.django_db
def test_templates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    campaign = make_campaign(entity_types=["enterprise"])
    fw = campaign.framework.engine()
    out_csv = tmp_path / "mau.csv"
    assert (
        main(["campaigns", "template", str(campaign.pk), "--format", "csv", "-o", str(out_csv)])
        == 0
    )
    header = next(csv.reader(io.StringIO(out_csv.read_text(encoding="utf-8-sig"))))
    assert header == [*CONTRACT, *(c.code for c in fw.criteria())]
    out_xlsx = tmp_path / "mau.xlsx"
    assert (
        main(["campaigns", "template", str(campaign.pk), "--format", "xlsx", "-o", str(out_xlsx)])
        == 0
    )
    wb = load_workbook(out_xlsx)
    assert wb.sheetnames == ["Dữ liệu", "Mã hợp lệ"]
    assert [c.value for c in next(wb["Dữ liệu"].iter_rows(max_row=1))] == header
    text = "\n".join(
        " | ".join(str(v) for v in row if v is not None)
        for row in wb["Mã hợp lệ"].iter_rows(values_only=True)
    )
    assert "Hướng dẫn điền mẫu nhập liệu" in text
    assert "KH1 | web | Website của doanh nghiệp" in text
    assert "household_business | Hộ kinh doanh | không" in text
    assert "1, có, yes, true" in text
    assert "KH3 |" in text and "[0, 100]" in text
    # the filled template imports as it is
    from tests.assessments.importing.factories import rows_for

    ws = wb["Dữ liệu"]
    for row in rows_for(fw, 3, communes=communes_in()):
        ws.append(row)
    wb.save(out_xlsx)
    capsys.readouterr()
    assert main(["import", str(campaign.pk), str(out_xlsx)]) == 0
    assert json.loads(capsys.readouterr().out)["imported"] == 3


def test_template_neutralises_formula_like_texts() -> None:
    from thuocdo.assessments.importing.template import template_xlsx

    fw = load_framework_text(CONDITIONS_YAML, "dieu-kien.yaml")
    wb = load_workbook(io.BytesIO(template_xlsx(fw, title="=cmd")))
    cells = [c for row in wb["Mã hợp lệ"].iter_rows() for c in row if c.value is not None]
    texts = [str(c.value) for c in cells]
    assert "'=cmd" in texts
    assert '\'=HYPERLINK("http://x")' in texts
    assert not any(t.startswith(("=", "+", "@")) for t in texts)
    assert all(c.data_type == "s" for c in cells if isinstance(c.value, str))


@pytest.mark.django_db
def test_dbi_1970_template_imports_with_pillar_levels(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The import template of the points-scored set: the filled file imports, and each stored
    response carries the pillar levels and scores the engine gives its answers."""
    from tests.assessments.importing.factories import rows_for

    from thuocdo.frameworks.engine import score

    campaign = make_campaign(framework="dbi-1970@2021.1", entity_types=["enterprise"])
    fw = campaign.framework.engine()
    out_csv = tmp_path / "mau.csv"
    assert (
        main(["campaigns", "template", str(campaign.pk), "--format", "csv", "-o", str(out_csv)])
        == 0
    )
    header = next(csv.reader(io.StringIO(out_csv.read_text(encoding="utf-8-sig"))))
    assert (
        header == [*CONTRACT, *(c.code for c in fw.criteria())]
        and len(header) == len(CONTRACT) + 60
    )
    filled = write_csv(tmp_path / "du-lieu.csv", header, rows_for(fw, 4, communes=communes_in()))
    capsys.readouterr()
    assert main(["import", str(campaign.pk), str(filled)]) == 0
    assert json.loads(capsys.readouterr().out)["imported"] == 4
    for r in Response.objects.filter(campaign=campaign):
        expected = score(fw, r.answers)
        assert r.pillar_levels == expected.pillar_levels
        assert r.level == expected.level and r.overall == pytest.approx(expected.overall)
    # the XLSForm of the set is a valid form too
    _xform(xlsform_bytes(fw, title=fw.name.vi), tmp_path)
