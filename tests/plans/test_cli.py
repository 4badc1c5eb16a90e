"""``thuocdo plans …`` through ``thuocdo.cli.main``: output shapes, errors, XLSX round trip."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from thuocdo.cli import main
from thuocdo.plans.models import Plan, Task

pytestmark = pytest.mark.django_db


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = main(["plans", *argv])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 and out.strip() else out), err


def exported(capsys: pytest.CaptureFixture[str], plan: Plan, target: Path) -> Any:
    """The workbook ``thuocdo plans export`` writes for ``plan``."""
    main(["plans", "export", str(plan.pk), "-o", str(target)])
    capsys.readouterr()
    return load_workbook(target)


def test_frameworks(capsys: pytest.CaptureFixture[str]) -> None:
    code, data, _ = run(capsys, "frameworks")
    assert code == 0
    assert isinstance(data, list)
    by_code = {f["code"]: f for f in data}
    assert set(by_code) == {"province-dx", "sector-de-2025", "national-2023", "plan-2025"}
    assert (by_code["province-dx"]["groups"], by_code["province-dx"]["tasks"]) == (12, 36)
    assert by_code["province-dx"]["assignable"] is True
    assert by_code["national-2023"]["assignable"] is False


def test_instantiate_prints_the_plan(capsys: pytest.CaptureFixture[str]) -> None:
    code, data, _ = run(capsys, "instantiate", "province-dx", "--unit", "48", "--year", "2025")
    assert code == 0
    assert Plan.objects.filter(pk=data["id"], unit__code="48", year=2025).exists()
    assert len(data["tasks"]) == 36
    assert len({t["group"] for t in data["tasks"]}) == 12
    for t in data["tasks"]:
        assert {"code", "group", "deadline", "lead_unit"} <= set(t)
        if t["deadline"] is not None:
            assert date.fromisoformat(t["deadline"]).year == 2025
    first = data["tasks"][0]
    assert (first["code"], first["group"], first["deadline"], first["lead_unit"]) == (
        "1.1",
        "1",
        "2025-03-30",  # seed 002's 30/3/2024 in the plan year
        "vp-ubnd",
    )


def test_instantiate_the_national_sector_plan(capsys: pytest.CaptureFixture[str]) -> None:
    code, data, err = run(capsys, "instantiate", "sector-de-2025", "--year", "2025")
    assert (code, err) == (0, "")
    assert len(data["tasks"]) == 70
    by_code = {t["code"]: t for t in data["tasks"]}
    assert by_code["9.a.P3"]["deadline"] == "2024-12-31"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["instantiate", "province-dx", "--unit", "77", "--year", "2025"], "Không có tỉnh mã 77"),
        (["instantiate", "khong-co", "--unit", "01", "--year", "2025"], "khong-co"),
        (["instantiate", "province-dx", "--unit", "01", "--year", "1900"], "Năm phải"),
    ],
)
def test_instantiate_errors(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    before = Plan.objects.count()
    code, _, err = run(capsys, *argv)
    assert code == 1
    assert message in err
    assert Plan.objects.count() == before


def test_overdue(capsys: pytest.CaptureFixture[str], make_plan: Callable[..., Plan]) -> None:
    make_plan(unit="01")
    make_plan(unit="48")
    code, data, _ = run(capsys, "overdue", "--unit", "48", "--on", "2025-04-01")
    assert code == 0
    assert isinstance(data, list)
    assert {t["code"] for t in data} == {"1.1", "1.2", "1.3", "1.4", "4.1", "10.1"}
    assert {t["unit"] for t in data} == {"48"}
    assert all(t["on"] == "2025-04-01" for t in data)
    code, data, _ = run(capsys, "overdue", "--on", "2025-03-01")
    assert (code, data) == (0, [])
    code, _, err = run(capsys, "overdue", "--on", "1/4/2025")
    assert code == 1
    assert "1/4/2025" in err
    code, data, _ = run(capsys, "overdue", "--unit", "so-tc", "--on", "2025-04-01")
    assert (code, {t["code"] for t in data}) == (0, {"1.2"})  # a lead unit code
    code, out, err = run(capsys, "overdue", "--unit", "99", "--on", "2025-04-01")
    assert (code, out) == (1, "")
    assert "Không có đơn vị 99" in err


def test_export_then_import_round_trip(
    capsys: pytest.CaptureFixture[str], make_plan: Callable[..., Plan], tmp_path: Path
) -> None:
    plan = make_plan(unit="01")
    target = tmp_path / "ke-hoach.xlsx"
    code, data, _ = run(capsys, "export", str(plan.pk), "-o", str(target))
    assert (code, data["tasks"]) == (0, 36)
    wb = load_workbook(target)
    sheet = wb["Nhiệm vụ"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Mã", "Nhóm", "Tên nhóm", "Nhiệm vụ"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == 36
    assert rows["1.1"][4] == "Văn phòng Ủy ban nhân dân tỉnh"
    # Edit: start 2.1 with 30 %, add a task, then import.
    status_col, progress_col, note_col = (
        header.index("Trạng thái"),
        header.index("Tiến độ (%)"),
        header.index("Ghi chú cập nhật"),
    )
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "2.1":
            row[status_col].value = "Đang thực hiện"
            row[progress_col].value = 30
            row[note_col].value = "Đã đo 120 điểm"
    sheet.append(
        ["12.2", "12", "", "Phòng trải nghiệm số lưu động", "Sở KH&CN", "", None, "Quý III"]
    )
    wb.save(target)
    code, data, err = run(capsys, "import", str(target))
    assert code == 0, err
    assert (data["plan"], data["created"], data["updated"], data["unchanged"]) == (
        plan.pk,
        1,
        1,
        35,
    )
    t = plan.tasks.get(code="2.1")
    assert (t.status, t.progress) == ("in_progress", 30)
    assert t.updates.first().note == "Đã đo 120 điểm"
    new = plan.tasks.get(code="12.2")
    assert (new.lead_unit, new.deadline) == ("so-khcn", date(2025, 9, 30))


def test_import_is_all_or_nothing_with_row_errors(
    capsys: pytest.CaptureFixture[str], make_plan: Callable[..., Plan], tmp_path: Path
) -> None:
    plan = make_plan(unit="01")
    target = tmp_path / "sai.xlsx"
    wb = exported(capsys, plan, target)
    sheet = wb["Nhiệm vụ"]
    header = [c.value for c in sheet[1]]
    col = {name: header.index(name) for name in header}
    lines = {}
    for row in sheet.iter_rows(min_row=2):
        lines[row[0].value] = row[0].row
        if row[0].value == "1.1":  # a valid change that must not survive
            row[col["Trạng thái"]].value = "Đang thực hiện"
        if row[0].value == "1.2":
            row[col["Trạng thái"]].value = "Hoàn thành"  # skips in_progress
        if row[0].value == "1.3":
            row[col["Tiến độ (%)"]].value = 140
        if row[0].value == "1.4":
            row[col["Đơn vị chủ trì"]].value = "Sở Ngoại vụ"
        if row[0].value == "2.1":
            row[col["Bắt đầu"]].value = date(2025, 12, 1)
            row[col["Thời hạn"]].value = "Quý II"
    wb.save(target)
    code, _, err = run(capsys, "import", str(target))
    assert code == 1
    assert f"Dòng {lines['1.2']}, cột “Trạng thái”" in err
    assert f"Dòng {lines['1.3']}, cột “Tiến độ (%)”" in err
    assert "140" in err
    assert f"Dòng {lines['1.4']}, cột “Đơn vị chủ trì”" in err
    assert "Sở Ngoại vụ" in err
    assert f"Dòng {lines['2.1']}, cột “Thời hạn”" in err
    assert f"Dòng {lines['1.1']}" not in err
    assert set(Task.objects.filter(plan=plan).values_list("status", flat=True)) == {"not_started"}
    assert not Task.objects.filter(plan=plan, updates__isnull=False).exists()


def test_import_refuses_a_file_that_is_not_xlsx(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"not a workbook")
    code, _, err = run(capsys, "import", str(bad))
    assert code == 1
    assert "XLSX" in err
    code, _, err = run(capsys, "import", str(tmp_path / "khong-co.xlsx"))
    assert code == 1


def test_import_creates_a_new_plan(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    meta = wb.active
    assert meta is not None
    meta.title = "Kế hoạch"
    meta.append(["Khóa", "Mục", "Giá trị"])
    meta.append(["title", "Tên kế hoạch", "Kế hoạch chuyển đổi số xã Ba Đình 2025"])
    meta.append(["unit", "Mã đơn vị", "01"])
    meta.append(["year", "Năm", 2025])
    tasks = wb.create_sheet("Nhiệm vụ")
    tasks.append(["Mã", "Nhóm", "Tên nhóm", "Nhiệm vụ", "Đơn vị chủ trì", "Thời hạn"])
    tasks.append(["1", "A", "Hạ tầng", "Phủ sóng 5G", "Sở KH&CN", "30/9/2025"])
    tasks.append(["2", "A", "Hạ tầng", "Wi-Fi công cộng", "UBND phường", "Hằng quý"])
    data = io.BytesIO()
    wb.save(data)
    path = tmp_path / "moi.xlsx"
    path.write_bytes(data.getvalue())
    code, report, err = run(capsys, "import", str(path))
    assert code == 0, err
    plan = Plan.objects.get(pk=report["plan"])
    assert (plan.level, plan.unit.code if plan.unit else None, plan.year) == (
        "province",
        "01",
        2025,
    )
    assert report["created"] == 2
    assert plan.tasks.get(code="1").deadline == date(2025, 9, 30)
    assert plan.tasks.get(code="2").deadline_kind == "recurring"
    assert plan.tasks.get(code="2").lead_unit == "UBND phường"  # no framework: free text


def new_plan_workbook(path: Path, meta_rows: list[list[Any]], task_rows: list[list[Any]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    meta = wb.active
    assert meta is not None
    meta.title = "Kế hoạch"
    meta.append(["Khóa", "Mục", "Giá trị"])
    for r in meta_rows:
        meta.append(r)
    tasks = wb.create_sheet("Nhiệm vụ")
    tasks.append(["Mã", "Nhóm", "Tên nhóm", "Nhiệm vụ", "Đơn vị chủ trì", "Thời hạn"])
    for r in task_rows:
        tasks.append(r)
    wb.save(path)
    return path


HANOI_2025 = [["title", "", "Kế hoạch 2025"], ["unit", "", "01"], ["year", "", 2025]]
ONE_TASK = [["1", "A", "Hạ tầng", "Phủ sóng 5G", "Sở KH&CN", "Quý III"]]


def test_import_refuses_a_second_plan_without_framework_for_the_same_unit_and_year(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = new_plan_workbook(tmp_path / "moi.xlsx", HANOI_2025, ONE_TASK)
    code, _, err = run(capsys, "import", str(path))
    assert code == 0, err
    code, _, err = run(capsys, "import", str(path))
    assert code == 1
    assert "Kế hoạch" in err
    assert "đã có kế hoạch không theo khung" in err
    assert Plan.objects.filter(unit__code="01", year=2025).count() == 1
    other_year = [["title", "", "Kế hoạch 2026"], ["unit", "", "01"], ["year", "", 2026]]
    code, _, err = run(
        capsys, "import", str(new_plan_workbook(tmp_path / "b.xlsx", other_year, ONE_TASK))
    )
    assert code == 0, err


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ([*HANOI_2025, ["level", "", "national"]], "Cấp national không hợp với đơn vị “01”"),
        ([["title", "", "KH"], ["year", "", 2025], ["level", "", "province"]], "province"),
    ],
)
def test_import_refuses_a_level_that_does_not_fit_the_unit(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, meta: list[list[Any]], message: str
) -> None:
    code, _, err = run(
        capsys, "import", str(new_plan_workbook(tmp_path / "x.xlsx", meta, ONE_TASK))
    )
    assert code == 1
    assert message in err
    assert not Plan.objects.filter(title__startswith="K").exists()


def test_import_checks_the_coordinating_units_of_new_rows(
    capsys: pytest.CaptureFixture[str], make_plan: Callable[..., Plan], tmp_path: Path
) -> None:
    plan = make_plan(unit="01")
    target = tmp_path / "ke-hoach.xlsx"
    wb = exported(capsys, plan, target)
    sheet = wb["Nhiệm vụ"]
    sheet.append(["12.2", "12", "", "Phòng trải nghiệm số", "Sở KH&CN", "Sở TC, Sở Ngoại vụ"])
    wb.save(target)
    code, _, err = run(capsys, "import", str(target))
    assert code == 1
    assert f"Dòng {sheet.max_row}, cột “Đơn vị phối hợp”" in err
    assert "Sở Ngoại vụ" in err
    assert not plan.tasks.filter(code="12.2").exists()
    sheet.cell(row=sheet.max_row, column=6).value = "Sở TC, so-nv"
    wb.save(target)
    code, _, err = run(capsys, "import", str(target))
    assert code == 0, err
    assert plan.tasks.get(code="12.2").coordinating_units == ["so-tc", "so-nv"]


def test_import_sets_and_checks_the_indicator(
    capsys: pytest.CaptureFixture[str], make_plan: Callable[..., Plan], tmp_path: Path
) -> None:
    plan = make_plan(unit="01")
    target = tmp_path / "chi-tieu.xlsx"
    wb = exported(capsys, plan, target)
    sheet = wb["Nhiệm vụ"]
    column = [c.value for c in sheet[1]].index("Mã chỉ tiêu") + 1
    lines = {row[0].value: row[0].row for row in sheet.iter_rows(min_row=2)}
    sheet.cell(row=lines["2.1"], column=column).value = "khong-co"
    sheet.append(["12.2", "12", "", "Phòng trải nghiệm số", "Sở KH&CN"])
    sheet.cell(row=sheet.max_row, column=column).value = "chi-tieu-la"
    wb.save(target)
    code, _, err = run(capsys, "import", str(target))
    assert code == 1
    assert f"Dòng {lines['2.1']}, cột “Mã chỉ tiêu”: Không có chỉ tiêu khong-co" in err
    assert f"Dòng {sheet.max_row}, cột “Mã chỉ tiêu”: Không có chỉ tiêu chi-tieu-la" in err
    sheet.cell(row=lines["2.1"], column=column).value = "de-share-gdp"
    sheet.cell(row=sheet.max_row, column=column).value = "de-share-gdp"
    wb.save(target)
    code, _, err = run(capsys, "import", str(target))
    assert code == 0, err
    assert plan.tasks.get(code="2.1").indicator_code == "de-share-gdp"
    assert plan.tasks.get(code="12.2").indicator_code == "de-share-gdp"


def test_import_makes_a_commune_plan_under_its_province_plan(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, province, err = run(
        capsys, "import", str(new_plan_workbook(tmp_path / "tinh.xlsx", HANOI_2025, ONE_TASK))
    )
    assert code == 0, err
    commune_meta = [["title", "", "Kế hoạch xã 2025"], ["unit", "", "00004"], ["year", "", 2025]]
    wrong = [*commune_meta, ["level", "", "province"]]
    code, _, err = run(
        capsys, "import", str(new_plan_workbook(tmp_path / "sai.xlsx", wrong, ONE_TASK))
    )
    assert code == 1
    assert "Cấp province không hợp với đơn vị “00004”; cần: commune" in err
    code, report, err = run(
        capsys, "import", str(new_plan_workbook(tmp_path / "xa.xlsx", commune_meta, ONE_TASK))
    )
    assert code == 0, err
    plan = Plan.objects.get(pk=report["plan"])
    assert plan.level == "commune"
    assert plan.unit is not None
    assert plan.unit.code == "00004"
    assert plan.unit_path == plan.unit.path
    assert plan.parent_id == province["plan"]
    district = [["title", "", "KH"], ["unit", "", "999999"], ["year", "", 2025]]
    code, _, err = run(
        capsys, "import", str(new_plan_workbook(tmp_path / "x.xlsx", district, ONE_TASK))
    )
    assert code == 1
    assert "Không có tỉnh, xã mã 999999" in err
