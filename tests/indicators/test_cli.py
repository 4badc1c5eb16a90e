"""The ``thuocdo indicators`` command contract: JSON shapes and exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from thuocdo.cli import main
from thuocdo.indicators.models import Submission, Target

pytestmark = pytest.mark.django_db


def run(capsys: Any, *argv: str) -> tuple[int, Any, str]:
    code = main(["indicators", *argv])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


def test_list_shape(capsys: Any) -> None:
    code, data, _ = run(capsys, "list")
    assert code == 0
    by_code = {row["code"]: row for row in data}
    row = by_code["de-share-gdp"]
    assert set(row) >= {"code", "name", "unit", "direction", "targets"}
    assert row["unit"] == "%" and row["direction"] == "higher"
    years = {(t["year"], t["kind"]): t["value"] for t in row["targets"]}
    assert years[(2025, "target")] == 20 and years[(2030, "target")] == 30
    assert years[(2023, "plan")] == 15.5


def test_target_submit_forecast_round_trip(capsys: Any) -> None:
    code, data, _ = run(
        capsys, "target", "households-fibre", "--unit", "01", "--year", "2025", "--value", "90"
    )
    assert code == 0 and data["unit"] == "01" and data["value"] == 90
    assert Target.objects.get(indicator__code="households-fibre", unit__code="01", year=2025)
    for period, value in (("2022", 80), ("2023", 83), ("2024", 86.5)):
        code, data, err = run(
            capsys,
            "submit",
            "households-fibre",
            "--unit",
            "01",
            "--period",
            period,
            "--value",
            str(value),
        )
        assert code == 0, err
    code, data, _ = run(
        capsys,
        "submit",
        "households-fibre",
        "--unit",
        "01",
        "--period",
        "2025Q3",
        "--value",
        "88,5",
        "--provisional",
        "--source",
        "Sở KH&CN ước tính",
    )
    assert code == 0 and data["provisional"] and data["value"] == 88.5 and data["created"]
    code, data, _ = run(capsys, "forecast", "households-fibre", "--unit", "01", "--year", "2025")
    assert code == 0
    assert list(data) == ["target", "target_year", "forecast", "interval", "p_meet", "verdict"]
    assert data["target"] == 90 and data["target_year"] == 2025
    # 2025Q3 is provisional and partial: 2025 is forecast from 2022-2024 (linear, 89.67)
    assert data["forecast"] == pytest.approx(89.667, abs=0.001)
    lo, hi = data["interval"]
    assert lo < data["forecast"] < hi and hi - lo > 1.0
    assert 0.3 <= data["p_meet"] < 0.7 and data["verdict"] == "at_risk"


def test_national_forecast_without_unit(capsys: Any) -> None:
    code, data, _ = run(capsys, "forecast", "de-share-gdp", "--year", "2025")
    assert code == 0 and data["target"] == 20 and data["verdict"] == "on_track"


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (
            ("submit", "households-fibre", "--unit", "01", "--period", "2025Q3", "--value", "101"),
            "100%",
        ),
        (
            ("submit", "khong-co", "--unit", "01", "--period", "2025Q3", "--value", "1"),
            "không tồn tại",
        ),
        (
            ("submit", "households-fibre", "--unit", "01", "--period", "2025Q9", "--value", "1"),
            "quý",
        ),
        (
            ("submit", "households-fibre", "--unit", "999", "--period", "2025Q3", "--value", "1"),
            "999",
        ),
        (("target", "households-fibre", "--year", "2025", "--value", "-5"), "âm"),
        (("forecast", "adults-telehealth", "--unit", "01"), "Chưa có số liệu"),
    ],
)
def test_validation_errors_exit_1_with_the_problem(
    capsys: Any, argv: tuple[str, ...], fragment: str
) -> None:
    code, data, err = run(capsys, *argv)
    assert code == 1 and data is None
    assert fragment in err


def test_scoped_cli_user(capsys: Any, make_user: Any) -> None:
    make_user("province", "01", username="so.hanoi.cli")
    code, _, err = run(
        capsys,
        "submit",
        "households-fibre",
        "--unit",
        "48",
        "--period",
        "2025Q3",
        "--value",
        "80",
        "--as",
        "so.hanoi.cli",
    )
    assert code == 1 and "phạm vi" in err
    code, _, err = run(
        capsys,
        "submit",
        "households-fibre",
        "--unit",
        "01",
        "--period",
        "2025Q3",
        "--value",
        "80",
        "--as",
        "so.hanoi.cli",
    )
    assert code == 0, err
    assert (
        Submission.objects.get(
            indicator__code="households-fibre", unit__code="01"
        ).submitted_by.username
        == "so.hanoi.cli"
    )


def test_overdue_and_close_period(capsys: Any) -> None:
    code, data, _ = run(capsys, "overdue", "--period", "2025Q3", "--unit", "48")
    assert code == 0 and data and {r["unit_code"] for r in data} == {"48"}
    assert set(data[0]) == {
        "code",
        "name",
        "unit_code",
        "unit_name",
        "period",
        "due",
        "days_late",
        "missing",
    }
    code, data, _ = run(capsys, "close-period", "2025Q2")
    assert code == 0 and data == {"period": "2025Q2", "plan": "qd-466-2023", "closed": True}
    code, _, err = run(
        capsys, "submit", "households-fibre", "--unit", "48", "--period", "2025Q2", "--value", "80"
    )
    assert code == 1 and "khóa" in err


def test_deadlines_command_sets_each_plans_days(capsys: Any, tmp_path: Path) -> None:
    from datetime import date

    from openpyxl import load_workbook

    from thuocdo.indicators.models import Indicator, ReportingPlan
    from thuocdo.indicators.reporting import plan_of, plan_period

    code, data, _ = run(capsys, "deadlines")
    assert code == 0 and (data["deadline_day"], data["consolidation_day"]) == (5, 10)
    assert "households-fibre" in data["indicators"]
    code, data, _ = run(capsys, "deadlines", "--day", "15", "--consolidation-day", "20")
    assert code == 0 and (data["deadline_day"], data["consolidation_day"]) == (15, 20)
    fibre = Indicator.objects.get(code="households-fibre")
    assert plan_period(plan_of(fibre), "2025Q3").period.due == date(2025, 10, 15)
    other = ReportingPlan.objects.create(code="so-tt", name="Kế hoạch Sở TT")
    Indicator.objects.filter(code="households-fibre").update(plan=other)
    code, _, err = run(capsys, "deadlines", "--plan", "so-tt", "--day", "25")
    assert code == 1 and "consolidation_day" in err  # 25 > its consolidation day (10)
    code, data, _ = run(
        capsys, "deadlines", "--plan", "so-tt", "--day", "25", "--consolidation-day", "27"
    )
    assert code == 0 and data["deadline_day"] == 25 and data["indicators"] == ["households-fibre"]
    fibre.refresh_from_db()
    assert plan_period(plan_of(fibre), "2025Q3").period.due == date(2025, 10, 25)
    # the Annex shows the main plan's dates in section I and notes the other plan's
    out = tmp_path / "annex.xlsx"
    assert run(capsys, "export", "--period", "2025Q3", "--unit", "01", "-o", str(out))[0] == 0
    texts = [str(c.value) for row in load_workbook(out).worksheets[0].iter_rows() for c in row]
    assert any("Trước ngày 15/10/2025, cung cấp số liệu Quý III" in t for t in texts)
    assert any("households-fibre" in t and "25/10/2025" in t for t in texts)
    code, _, err = run(capsys, "deadlines", "--day", "30")
    assert code == 1 and "28" in err
    code, _, err = run(capsys, "deadlines", "--plan", "khong-co")
    assert code == 1 and "khong-co" in err


def test_export_and_import_commands(capsys: Any, tmp_path: Path) -> None:
    out = tmp_path / "annex.xlsx"
    code, data, _ = run(capsys, "export", "--period", "2025Q3", "--unit", "01", "-o", str(out))
    assert code == 0 and out.is_file() and data["bytes"] == out.stat().st_size
    code, data, _ = run(capsys, "import", str(out))
    assert code == 0 and data["created"] == 0 and data["errors"] == []
    code, _, err = run(capsys, "import", str(tmp_path / "missing.xlsx"))
    assert code == 1 and "missing.xlsx" in err


def test_measure_command_reproduces_gso_2022(capsys: Any, tmp_path: Path) -> None:
    inputs = {
        "unit": "VN",
        "period": "2022",
        "grdp": 100,
        "grdp_source": "GDP = 100 (chỉ số)",
        "currency_unit": "% GDP",
        "core": [{"label": "Kinh tế số lõi", "value": 7.77, "source": "Cục Thống kê"}],
        "platform": [],
        "sectoral": [
            {"sector": "Các ngành khác", "source": "Cục Thống kê", "digital_value_added": 4.91}
        ],
    }
    path = tmp_path / "de.json"
    path.write_text(json.dumps(inputs, ensure_ascii=False), encoding="utf-8")
    code, data, _ = run(capsys, "measure", str(path))
    assert code == 0 and abs(data["de_share_pct"] - 12.67) <= 0.01
    assert data["method_version"] == "thuocdo-de/1"
    inputs["sectoral"][0]["digital_share_pct"] = 120
    inputs["sectoral"][0].pop("digital_value_added")
    inputs["sectoral"][0]["sector_value_added"] = 50
    path.write_text(json.dumps(inputs), encoding="utf-8")
    code, _, err = run(capsys, "measure", str(path))
    assert code == 1 and "sectoral[0].digital_share_pct" in err


def test_backtest_command_on_stored_series(capsys: Any) -> None:
    assert main(["indicators", "backtest"]) == 0
    out = capsys.readouterr().out
    assert "de-share-gdp@VN" in out and "MAE chosen" in out


def test_warnings_command(capsys: Any) -> None:
    for period, value in (("2022", 5), ("2023", 7), ("2024", 9)):
        assert (
            main(
                [
                    "indicators",
                    "submit",
                    "adults-digital-signature",
                    "--unit",
                    "22",
                    "--period",
                    period,
                    "--value",
                    str(value),
                ]
            )
            == 0
        )
    capsys.readouterr()
    code, data, _ = run(capsys, "warnings", "--unit", "22")
    assert code == 0
    assert [(r["indicator"], r["verdict"]) for r in data] == [
        ("adults-digital-signature", "off_track")
    ]
    assert set(data[0]) >= {"target", "target_year", "forecast", "interval", "p_meet", "verdict"}


def test_define_an_indicator_with_its_method(capsys: Any) -> None:
    code, data, _ = run(
        capsys,
        "define",
        "fibre-minus-smartphone",
        "--name",
        "Chênh lệch cáp quang và điện thoại thông minh",
        "--unit-symbol",
        "pp",
        "--unit-kind",
        "index",
        "--method",
        "formula",
        "--formula",
        "households-fibre - adults-smartphone",
        "--reporting-unit",
        "Cục Viễn thông",
    )
    assert code == 0 and data["method"] == "formula" and data["reporting_unit"] == "Cục Viễn thông"
    code, _, err = run(
        capsys,
        "define",
        "bad-formula",
        "--name",
        "Sai",
        "--method",
        "formula",
        "--formula",
        "households-fibre + khong-co",
    )
    assert code == 1 and "formula" in err and "khong-co" in err
    code, _, err = run(capsys, "define", "no-source", "--name", "Khảo sát", "--method", "survey")
    assert code == 1 and "survey_source" in err
