"""`thuocdo import`: the JSON contract, modes, re-imports and every bad-input case."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from tests.assessments.importing.factories import (
    communes_in,
    header_for,
    make_campaign,
    rows_for,
    write_csv,
    write_xlsx,
)

from thuocdo.assessments.models import Campaign, Organisation, Response
from thuocdo.cli import main
from thuocdo.frameworks.engine import score
from thuocdo.geo.models import Unit

pytestmark = pytest.mark.django_db


def run_import(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["import", *args])
    return code, json.loads(capsys.readouterr().out)


def setup(tmp_path: Path, n: int = 20, **kw: Any) -> tuple[Campaign, list[str], list[list[str]]]:
    campaign = make_campaign(**kw)
    fw = campaign.framework.engine()
    return campaign, header_for(fw), rows_for(fw, n, communes=communes_in())


def test_sector_comes_from_the_vsic_code_as_in_the_web_registry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from thuocdo.assessments.domain import vsic

    campaign, header, rows = setup(tmp_path, 3)
    col = header.index("vsic")
    rows[0][col], rows[1][col], rows[2][col] = "4711", "5510", ""
    code, out = run_import(
        capsys, str(campaign.pk), str(write_csv(tmp_path / "v.csv", header, rows))
    )
    assert code == 0, out
    by_tax = {
        r.organisation.tax_code: r
        for r in Response.objects.filter(campaign=campaign).select_related("organisation")
    }
    for row, expected in zip(
        rows,
        (vsic.sector_of("4711"), vsic.sector_of("5510"), campaign.framework.sector),
        strict=True,
    ):
        response = by_tax[row[0]]
        assert response.organisation.sector == expected
        assert response.sector == expected
    assert vsic.sector_of("4711") != vsic.sector_of("5510")


def assert_refused(campaign: Campaign, code: int, out: dict[str, Any]) -> str:
    assert code == 1
    assert out["imported"] == 0
    assert out["errors"]
    assert Response.objects.filter(campaign=campaign).count() == 0
    return " ".join(e["message"] for e in out["errors"])


def test_import_writes_scored_responses_and_reimport_adds_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign, header, rows = setup(tmp_path, 30)
    path = write_csv(tmp_path / "in.csv", header, rows)
    code, out = run_import(capsys, str(campaign.pk), str(path))
    assert code == 0, out
    assert (out["imported"], out["duplicates"], out["errors"]) == (30, 0, [])
    fw = campaign.framework.engine()
    responses = Response.objects.filter(campaign=campaign).select_related("organisation")
    assert responses.count() == 30
    for r in responses:
        expected = score(fw, r.answers)
        assert r.overall == pytest.approx(expected.overall)
        assert r.level == expected.level
        assert r.unmet == expected.unmet
        assert r.channel == "import" and r.status == "submitted"
        assert r.commune.code in communes_in()
    first = rows[0]
    org = Organisation.objects.get(tax_code=first[0])
    assert org.name == first[1]
    answers = Response.objects.get(campaign=campaign, organisation=org).answers
    assert answers["KH2"] == first[header.index("KH2")]
    assert answers["KH1"] == first[header.index("KH1")].split(";")

    code, out = run_import(capsys, str(campaign.pk), str(path))
    assert code == 0
    assert (out["imported"], out["duplicates"]) == (0, 30)
    assert Response.objects.filter(campaign=campaign).count() == 30
    assert Organisation.objects.filter(tax_code__in=[r[0] for r in rows]).count() == 30


def test_xlsx_with_vietnamese_headers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    campaign, header, rows = setup(tmp_path, 5)
    vi = ["Mã số thuế", "Tên tổ chức", "Loại hình", "Mã xã", "Mã ngành VSIC", "QUY MÔ"]
    path = write_xlsx(tmp_path / "in.xlsx", vi + header[6:], rows)
    code, out = run_import(capsys, str(campaign.pk), str(path))
    assert code == 0, out
    assert out["imported"] == 5


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_delimiters_are_sniffed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], delimiter: str
) -> None:
    campaign, header, rows = setup(tmp_path, 4)
    path = write_csv(tmp_path / "in.csv", header, rows, delimiter=delimiter)
    code, out = run_import(capsys, str(campaign.pk), str(path))
    assert (code, out["imported"]) == (0, 4)


def test_wrong_delimiter_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    campaign, header, rows = setup(tmp_path, 3)
    path = write_csv(tmp_path / "in.csv", header, rows, delimiter="|")
    message = assert_refused(campaign, *run_import(capsys, str(campaign.pk), str(path)))
    assert "dấu phân cách" in message and "'|'" in message


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b"\xef\xbb\xbf"), ("utf-16", b""), ("cp1258", b"")],
)
def test_encodings_are_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], encoding: str, prefix: bytes
) -> None:
    campaign, header, rows = setup(tmp_path, 3)
    rows[0][1] = "Hợp tác xã Nông nghiệp Đồng Tháp"
    path = write_csv(tmp_path / "in.csv", header, rows, encoding=encoding)
    path.write_bytes(prefix + path.read_bytes())
    code, out = run_import(capsys, str(campaign.pk), str(path))
    assert (code, out["imported"]) == (0, 3), out
    assert Organisation.objects.get(tax_code=rows[0][0]).name == rows[0][1]  # NFC


def test_undecodable_bytes_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    campaign, header, rows = setup(tmp_path, 2)
    path = write_csv(tmp_path / "in.csv", header, rows)
    path.write_bytes(path.read_bytes().replace(b"small", b"sm\x81\x8a\x90ll"))
    message = assert_refused(campaign, *run_import(capsys, str(campaign.pk), str(path)))
    assert "bảng mã" in message and "UTF-8" in message


def test_broken_utf16_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    campaign, header, rows = setup(tmp_path, 2)
    path = write_csv(tmp_path / "in.csv", header, rows, encoding="utf-16")
    path.write_bytes(path.read_bytes() + b"\x00\xd8A")  # lone surrogate, odd length
    message = assert_refused(campaign, *run_import(capsys, str(campaign.pk), str(path)))
    assert "UTF-16" in message


def test_missing_and_extra_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    campaign, header, rows = setup(tmp_path, 2)
    bad_header = [h for h in header if h not in ("commune_code", "KH3")] + ["ghi_chu"]
    bad_rows = [[v for h, v in zip(header, r, strict=True) if h not in ("commune_code", "KH3")]
                + ["x"] for r in rows]  # fmt: skip
    path = write_csv(tmp_path / "in.csv", bad_header, bad_rows)
    code, out = run_import(capsys, str(campaign.pk), str(path))
    message = assert_refused(campaign, code, out)
    columns = {(e["row"], e["column"]) for e in out["errors"]}
    assert {(1, "commune_code"), (1, "KH3"), (1, "ghi_chu")} <= columns
    assert "Thiếu cột bắt buộc 'commune_code'" in message
    assert "Cột 'ghi_chu' không thuộc mẫu" in message


def test_row_problems_all_or_nothing_then_valid_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign, header, rows = setup(tmp_path, 8)
    col = header.index
    rows[1][col("KH2")] = "z"  # unknown option
    rows[2][col("KH1")] = "web;fax"  # unknown option in a multi answer
    rows[3][col("KH3")] = "140"  # percentage above 100
    rows[4][col("org_tax_code")] = "0100233489"  # wrong check digit
    rows[5][col("commune_code")] = "99999"  # unknown commune
    rows[6] = list(rows[0])  # duplicate of the first data row
    path = write_csv(tmp_path / "in.csv", header, rows)
    code, out = run_import(capsys, str(campaign.pk), str(path))
    message = assert_refused(campaign, code, out)
    by_row = {e["row"]: e for e in out["errors"]}
    assert by_row[3]["column"] == "KH2" and "'z'" in by_row[3]["message"]
    assert by_row[4]["column"] == "KH1" and "'fax'" in by_row[4]["message"]
    assert by_row[5]["column"] == "KH3" and "[0, 100]" in by_row[5]["message"]
    assert by_row[6]["column"] == "org_tax_code" and "kiểm tra" in by_row[6]["message"]
    assert by_row[7]["column"] == "commune_code" and "99999" in by_row[7]["message"]
    assert "trùng với dòng 2" in by_row[8]["message"]
    assert "Tiêu chí 'KH2'" in message

    code, out = run_import(capsys, str(campaign.pk), str(path), "--lang", "en")
    assert code == 1
    assert "Duplicate of row 2" in " ".join(e["message"] for e in out["errors"])

    code, out = run_import(capsys, str(campaign.pk), str(path), "--mode", "valid-rows")
    assert code == 0
    assert out["imported"] == 2 and len(out["errors"]) == 6
    assert Response.objects.filter(campaign=campaign).count() == 2


def test_required_answer_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    campaign, header, rows = setup(tmp_path, 3)
    rows[0][header.index("KH5")] = ""
    rows[1][header.index("KH2")] = "a"  # KH3 becomes not applicable: its answer is ignored
    path = write_csv(tmp_path / "in.csv", header, rows)
    code, out = run_import(capsys, str(campaign.pk), str(path))
    assert_refused(campaign, code, out)
    assert [(e["row"], e["column"]) for e in out["errors"]] == [(2, "KH5")]
    assert "chưa được trả lời" in out["errors"][0]["message"]


def test_formula_injection_is_stored_as_text_and_neutralised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign, header, rows = setup(tmp_path, 4)
    names = ['=HYPERLINK("http://example.invalid/x","Bấm vào đây")', "+cmd|' /C calc'!A0",
             "-2+3", "@SUM(1+1)"]  # fmt: skip
    for row, name in zip(rows, names, strict=True):
        row[1] = name
    rows[0][header.index("KH2")] = "=1+1"
    path = write_csv(tmp_path / "in.csv", header, rows)
    report = tmp_path / "errors.csv"
    code, out = run_import(
        capsys, str(campaign.pk), str(path), "--mode", "valid-rows", "--report", str(report)
    )
    assert code == 0 and out["imported"] == 3
    stored = set(Organisation.objects.filter(name__in=names).values_list("name", flat=True))
    assert stored == set(names[1:])
    cells = list(csv.reader(io.StringIO(report.read_text(encoding="utf-8-sig"))))
    assert cells[0] == ["Dòng", "Cột", "Giá trị", "Lỗi"]
    assert cells[1][:3] == ["2", "KH2", "'=1+1"]

    xlsx = tmp_path / "errors.xlsx"
    run_import(capsys, str(campaign.pk), str(path), "--report", str(xlsx))
    from openpyxl import load_workbook

    ws = load_workbook(xlsx).active
    assert ws is not None
    assert ws.cell(2, 3).value == "'=1+1" and ws.cell(2, 3).data_type == "s"


def test_empty_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    campaign, header, _ = setup(tmp_path, 1)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    message = assert_refused(campaign, *run_import(capsys, str(campaign.pk), str(empty)))
    assert "Tệp rỗng" in message
    blank = tmp_path / "blank.csv"
    blank.write_bytes(b"\xef\xbb\xbf\r\n  \r\n")
    assert "Tệp rỗng" in assert_refused(campaign, *run_import(capsys, str(campaign.pk), str(blank)))
    only_header = write_csv(tmp_path / "header.csv", header, [])
    message = assert_refused(campaign, *run_import(capsys, str(campaign.pk), str(only_header)))
    assert "không có dòng dữ liệu" in message


def test_a_200_mb_file_is_refused_by_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign = make_campaign()
    big = tmp_path / "big.csv"
    subprocess.run(["truncate", "-s", "200M", str(big)], check=True)
    message = assert_refused(campaign, *run_import(capsys, str(campaign.pk), str(big)))
    assert f"({200 * 1024 * 1024} byte)" in message and "giới hạn" in message


def test_an_xlsx_zip_bomb_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    campaign, header, rows = setup(tmp_path, 1)
    bomb = write_xlsx(tmp_path / "bomb.xlsx", header, rows)
    with zipfile.ZipFile(bomb, "a", compression=zipfile.ZIP_DEFLATED) as zf:  # noqa: SIM117
        with zf.open("xl/worksheets/sheet2.xml", "w") as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(300):
                fh.write(chunk)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    message = assert_refused(campaign, *run_import(capsys, str(campaign.pk), str(bomb)))
    assert "sheet2.xml" in message and "tỷ lệ nén" in message


def test_kobo_export_with_group_prefixes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign, header, rows = setup(tmp_path, 3)
    fw = campaign.framework.engine()
    pillar = {c.code: p.code for p in fw.pillars for c in p.criteria}
    kobo = ["start", "end", *header[:6]]
    kobo += [f"{pillar[h]}/{h}" if i % 2 else f"{pillar[h]}-{h}" for i, h in enumerate(header[6:])]
    kobo += ["customer/KH1/web", "meta/instanceID", "_id", "_uuid", "_submission_time", "_index"]
    kobo_rows = [
        [
            "2025-09-01T08:00:00",
            "2025-09-01T08:20:00",
            *r[:6],
            *[v.replace(";", " ") for v in r[6:]],
            "1",
            f"uuid:x{i}",
            "7",
            f"abc{i}",
            "2025-09-01",
            "1",
        ]
        for i, r in enumerate(rows)
    ]  # fmt: skip  (each submission has its own instanceID)
    path = write_csv(tmp_path / "kobo.csv", kobo, kobo_rows, delimiter=";")
    code, out = run_import(capsys, str(campaign.pk), str(path))
    assert (code, out["imported"]) == (0, 3), out


def test_household_without_tax_code_and_legacy_commune(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from thuocdo.geo.models import UnitMapping

    campaign, header, rows = setup(tmp_path, 2)
    mapping = (
        UnitMapping.objects.filter(
            legacy__level="commune", current__path__startswith=campaign.unit_path, primary=True
        )
        .select_related("legacy", "current")
        .first()
    )
    assert mapping is not None
    rows[0][0] = ""
    rows[0][1] = "Hộ kinh doanh Bà Tư"
    rows[0][3] = mapping.legacy.code
    path = write_csv(tmp_path / "in.csv", header, rows)
    code, out = run_import(capsys, str(campaign.pk), str(path))
    assert (code, out["imported"]) == (0, 2), out
    org = Organisation.objects.get(name="Hộ kinh doanh Bà Tư")
    assert org.tax_code is None and org.registry_id.startswith("TD-")
    assert org.commune_id == mapping.current_id
    code, out = run_import(capsys, str(campaign.pk), str(path))
    assert (out["imported"], out["duplicates"]) == (0, 2)
    assert Organisation.objects.filter(name="Hộ kinh doanh Bà Tư").count() == 1


def test_outside_area_and_entity_type_not_in_campaign(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign, header, rows = setup(tmp_path, 2, entity_types=["enterprise"])
    rows[0][3] = communes_in("79", 1)[0]
    rows[1][2] = "Hộ kinh doanh"
    path = write_csv(tmp_path / "in.csv", header, rows)
    code, out = run_import(capsys, str(campaign.pk), str(path))
    message = assert_refused(campaign, code, out)
    assert "ngoài địa bàn" in message and "không thuộc đợt đánh giá này" in message


def test_unknown_campaign_and_missing_file(tmp_path: Path) -> None:
    campaign = make_campaign()
    assert main(["import", "999999", str(tmp_path / "x.csv")]) == 1
    assert main(["import", str(campaign.pk), str(tmp_path / "missing.csv")]) == 1


def test_collation_key_matches_the_core_key() -> None:
    import random

    from thuocdo.assessments.importing.writer import collation_key, folded, registry_id
    from thuocdo.core.collation import vi_collation_key
    from thuocdo.core.text import fold

    rng = random.Random(5)
    alphabet = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạ ,.-0123456789ABĐÉ'()\t"
    names = ["Công ty TNHH Số 12", "Phường 2, Quận 10", "", "...", "O'Neil & Co.", "0", "007",
             "Số 123456789012345", "HTX  Ａ１２ ١٢", "a \u0301b", "Ｃông ty 12a 3"]  # fmt: skip
    names += [f"Công ty {rng.randint(0, 10**12)}" for _ in range(500)]
    names += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(3000)]
    assert [collation_key(n) for n in names] == [vi_collation_key(n) for n in names]
    assert [folded(n) for n in names] == [fold(n) for n in names]
    ids = {registry_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(len(i) == 13 and i.startswith("TD-") for i in ids)


def test_unmet_lists_match_the_batch_result() -> None:
    import numpy as np

    from thuocdo.assessments.importing.writer import _unmet_lists, _with_nulls
    from thuocdo.frameworks.builtins import builtin_files
    from thuocdo.frameworks.engine import BatchScorer, load_framework_file

    fw = load_framework_file(next(p for p in builtin_files() if p.stem == "sme-dx"))
    scorer = BatchScorer(fw)
    rng = np.random.default_rng(4)
    n = 500
    columns: dict[str, np.ndarray] = {}
    for c in fw.criteria():
        q = c.question
        if q.type == "single":
            columns[c.code] = rng.integers(-1, len(q.options), n)
        elif q.type == "boolean":
            columns[c.code] = rng.integers(-1, 2, n)
        elif q.type == "multi":
            plain = [i for i, o in enumerate(q.options) if not o.exclusive]
            columns[c.code] = np.array(
                [sum(1 << i for i in plain if rng.random() < 0.4) for _ in range(n)],
                dtype=np.uint64,
            )
        else:
            lo = q.min if q.min is not None else 0
            hi = q.max if q.max is not None else 100
            columns[c.code] = np.where(rng.random(n) < 0.1, np.nan, rng.uniform(lo, hi, n))
    result = scorer.score(scorer.from_columns(columns, n=n, validate=False))
    assert _unmet_lists(result, np.arange(100, 400)) == [result.unmet(i) for i in range(100, 400)]
    rows = _with_nulls(result.criteria[:50])
    assert all(
        (v is None) == bool(np.isnan(result.criteria[i, k]))
        for i, row in enumerate(rows)
        for k, v in enumerate(row)
    )


def test_xlsx_formulas_are_read_as_text_and_empty_sheets_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openpyxl import Workbook

    campaign, header, rows = setup(tmp_path, 2)
    rows[0][1] = '=HYPERLINK("http://example.invalid","Bấm")'  # openpyxl writes a formula cell
    path = write_xlsx(tmp_path / "f.xlsx", header, rows)
    code, out = run_import(capsys, str(campaign.pk), str(path))
    assert (code, out["imported"]) == (0, 2), out
    assert Organisation.objects.filter(name=rows[0][1]).count() == 1

    empty = tmp_path / "empty.xlsx"
    Workbook().save(empty)
    other = make_campaign()
    message = assert_refused(other, *run_import(capsys, str(other.pk), str(empty)))
    assert "Tệp rỗng" in message
    not_xlsx = tmp_path / "fake.xlsx"
    not_xlsx.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    message = assert_refused(other, *run_import(capsys, str(other.pk), str(not_xlsx)))
    assert "XLSX" in message


def test_rows_with_another_delimiter_or_missing_cells(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign, header, rows = setup(tmp_path, 3)
    path = write_csv(tmp_path / "in.csv", header, rows)
    lines = path.read_bytes().decode("utf-8").split("\r\n")
    lines[2] = lines[2].replace(",", ";")  # row 3 written with semicolons
    lines[3] = lines[3].rsplit(",", 2)[0]  # row 4 lost its last two cells
    path.write_bytes("\r\n".join(lines).encode("utf-8"))
    code, out = run_import(capsys, str(campaign.pk), str(path))
    assert_refused(campaign, code, out)
    by_row = {e["row"]: e["message"] for e in out["errors"]}
    assert "dấu phân cách khác" in by_row[3] and "(',')" in by_row[3]
    assert f"có {len(header) - 2} ô nhưng dòng tiêu đề có {len(header)} cột" in by_row[4]
    code, out = run_import(capsys, str(campaign.pk), str(path), "--lang", "en")
    assert "another delimiter" in " ".join(e["message"] for e in out["errors"])


def test_agency_rows_carry_their_electronic_identifier_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign, header, rows = setup(tmp_path, 3)
    known = Organisation.objects.create(
        registry_id="TD-AGENCY0001",
        agency_code="000.00.31.H01",
        name="Sở Khoa học và Công nghệ",
        name_folded="so khoa hoc va cong nghe",
        sort_key="so",
        entity_type="agency_department",
        commune=Unit.objects.get(structure="2025", code=rows[0][3]),
        unit_path=Unit.objects.get(structure="2025", code=rows[0][3]).path,
    )
    rows[0][:3] = ["000.00.31.H01", "Sở KH và CN", "agency_department"]
    rows[1][:3] = ["000.00.40.h01", "UBND phường Một", "agency_commune"]
    rows[2][:3] = ["0.40.H01", "UBND phường Hai", "agency_commune"]
    path = write_csv(tmp_path / "in.csv", header, rows)
    code, out = run_import(capsys, str(campaign.pk), str(path))
    assert code != 0 and out["imported"] == 0
    assert [(e["row"], e["column"]) for e in out["errors"]] == [(4, "org_tax_code")]
    assert "000.00.31.H26" in out["errors"][0]["message"]
    path = write_csv(tmp_path / "in.csv", header, rows[:2])
    code, out = run_import(capsys, str(campaign.pk), str(path))
    assert (code, out["imported"]) == (0, 2), out
    assert Response.objects.filter(campaign=campaign, organisation=known).count() == 1
    ward = Organisation.objects.get(agency_code="000.00.40.H01")
    assert ward.tax_code is None and ward.admin_unit_id == ward.commune_id
