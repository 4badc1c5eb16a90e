"""The built-in indicator set follows seed 001 §II.1, seed 000 §II and Decision 411."""

from pathlib import Path

import pytest

from thuocdo.indicators.domain.catalog import (
    SEED001_ROWS,
    CatalogError,
    builtin_backtest,
    builtin_forecasts,
    history_series,
    load_builtin,
    main,
    parse_number,
    parse_target_text,
)
from thuocdo.indicators.domain.forecast import Verdict
from thuocdo.indicators.domain.validation import UnitKind, validate_value

CAT = load_builtin()
BY_CODE = CAT.by_code()

# seed 001 §II.1: 6 digital-economy rows (1.1–1.6) and 11 digital-society rows (2.1–2.11)
SEED001_COUNT = 17


def test_every_seed001_row_is_present_once() -> None:
    rows = [i.seed001_row or "" for i in CAT.seed001_indicators()]
    assert len(rows) == SEED001_COUNT == len(SEED001_ROWS)
    assert sorted(rows) == sorted(SEED001_ROWS)


def test_total_and_origin_counts() -> None:
    # 17 rows + ICT sub-row of 1.2 + 2 new from seed 000 + 7 of the 2025 plan frame (seed 003)
    assert len(CAT.indicators) == 27
    seed000 = [i for i in CAT.indicators if any(o.startswith("seed-000") for o in i.origin)]
    assert len(seed000) == 7
    new = {i.code for i in seed000 if i.seed001_row is None}
    assert new == {"digital-tech-enterprises-per-1000", "adults-vneid-account"}


def test_seed000_targets_merged_with_the_same_indicator() -> None:
    for code in (
        "de-share-gdp",
        "de-share-sector",
        "ecommerce-share-retail",
        "account-ownership-15plus",
        "adults-digital-signature",
    ):
        target = BY_CODE[code].targets[2025]
        assert "seed-000 §II" in target.origin
        assert "seed-001 §II.1" in target.origin


@pytest.mark.parametrize(
    ("code", "row", "estimate", "plans", "target", "comparator"),
    [
        ("de-share-gdp", "1.1", 14.26, (15.5, 17.5), 20, ">="),
        ("de-share-sector", "1.2", 4.36, (None, None), 10, ">="),
        ("ecommerce-share-retail", "1.3", 7.5, (None, None), 10, ">"),
        ("enterprises-e-contract", "1.4", 50, (60, 70), 80, ">"),
        ("sme-digital-platform", "1.5", 30.07, (38, 45), 50, ">"),
        ("de-workforce-share", "1.6", 2.29, (None, None), 2, ">"),
        ("adults-smartphone", "2.1", 85, (87, 90), 80, ">="),
        ("account-ownership-15plus", "2.2", 74.63, (None, None), 80, ">="),
        ("adults-digital-signature", "2.3", 0.34, (15, 30), 50, ">"),
        ("workforce-basic-digital-skills", "2.4", 37.94, (50, 60), 70, ">"),
        ("households-fibre", "2.5", 75, (77, 79), 80, ">="),
        ("people-basic-cyber-protection", "2.6", None, (30, 50), 70, ">"),
        ("adults-online-public-services", "2.7", None, (30, 40), 50, ">"),
        ("adults-telehealth", "2.8", None, (None, None), 30, ">"),
        ("people-e-health-record", "2.9", None, (None, None), 90, ">="),
        ("tertiary-vet-digital-model", "2.10", None, (None, None), 80, ">="),
        ("schools-digital-model", "2.11", None, (None, None), 70, ">="),
    ],
)
def test_seed001_table_values(
    code: str,
    row: str,
    estimate: float | None,
    plans: tuple[float | None, float | None],
    target: float,
    comparator: str,
) -> None:
    ind = BY_CODE[code]
    assert ind.seed001_row == row
    if estimate is None:
        assert 2022 not in ind.values
    else:
        assert ind.values[2022].value == pytest.approx(estimate)
        assert ind.values[2022].status == "estimate"
    assert (ind.plans[2023].value, ind.plans[2024].value) == plans
    assert ind.targets[2025].value == target
    assert ind.targets[2025].comparator == comparator
    assert ind.responsible_unit
    assert ind.reporting_unit


def test_units_and_reporting_units_as_written() -> None:
    assert BY_CODE["de-share-gdp"].responsible_unit == "Bộ Kế hoạch và Đầu tư (Tổng cục Thống kê)"
    assert BY_CODE["de-share-gdp"].reporting_unit == "Vụ KTS và XHS"
    assert BY_CODE["enterprises-e-contract"].reporting_unit == "Trung tâm NEAC"
    assert BY_CODE["people-basic-cyber-protection"].reporting_unit == "Cục ATTT"
    # the seed's own spelling is kept
    assert BY_CODE["adults-digital-signature"].responsible_unit == "Bộ Thông tin và Truyền thòng"


def test_2030_targets_from_the_strategy() -> None:
    expected = {
        "de-share-gdp": (30, ">="),
        "de-share-sector": (20, ">="),
        "ecommerce-share-retail": (20, ">"),
        "enterprises-e-contract": (100, ">="),
        "sme-digital-platform": (70, ">"),
        "de-workforce-share": (3, ">"),
        "adults-smartphone": (95, ">="),
        "adults-digital-signature": (70, ">"),
        "adults-online-public-services": (70, ">"),
        "people-e-health-record": (95, ">="),
    }
    for code, (value, comp) in expected.items():
        t = BY_CODE[code].targets[2030]
        assert (t.value, t.comparator) == (value, comp), code
        assert "qd-411-2022" in t.origin
    # targets marked "not found" in the reference are left empty
    for code in ("households-fibre", "account-ownership-15plus", "workforce-basic-digital-skills"):
        assert 2030 not in BY_CODE[code].targets


def test_every_target_text_parses_to_its_value_and_comparator() -> None:
    for ind in CAT.indicators:
        implied = ">=" if ind.direction == "higher" else "<="
        for year, t in ind.targets.items():
            value, comp = parse_target_text(t.text)
            assert value == pytest.approx(t.value), (ind.code, year, t.text)
            assert (comp or implied) == t.comparator, (ind.code, year, t.text)
            assert t.origin, (ind.code, year)


@pytest.mark.parametrize(
    ("text", "value", "comparator"),
    [
        ("Trên 10%", 10.0, ">"),
        ("Tối thiểu 10%", 10.0, ">="),
        ("at least 20%", 20.0, ">="),
        ("≥ 20%", 20.0, ">="),
        ("> 80%", 80.0, ">"),
        ("Ngành TTTT khoảng 6%", 6.0, "~"),
        ("80%", 80.0, None),
        ("Tỷ trọng kinh tế số đạt 20% GDP", 20.0, None),
        ("Tỷ lệ doanh nghiệp công nghệ số/1.000 dân đạt trên 0,7", 0.7, ">"),
        ("Dưới 5%", 5.0, "<"),
        ("Tối đa 3,5%", 3.5, "<="),
    ],
)
def test_parse_target_text(text: str, value: float, comparator: str | None) -> None:
    assert parse_target_text(text) == (pytest.approx(value), comparator)


def test_parse_number_forms() -> None:
    assert parse_number("14,26") == 14.26
    assert parse_number("74.63") == 74.63
    assert parse_number("1.000") == 1000
    assert parse_number("1.234,5") == 1234.5
    with pytest.raises(CatalogError):
        parse_target_text("theo kế hoạch")


def test_units_and_values_validate() -> None:
    for ind in CAT.indicators:
        if ind.unit.kind is UnitKind.PERCENT:
            assert ind.unit.bounds == (0.0, 100.0)
        for v in [*ind.values.values(), *ind.plans.values()]:
            if v.value is not None:
                assert validate_value(v.value, ind.unit) == [], (ind.code, v)
        for t in ind.targets.values():
            assert validate_value(t.value, ind.unit) == [], (ind.code, t)


def test_bilingual_names_and_source_header() -> None:
    for ind in CAT.indicators:
        assert ind.name_vi
        assert ind.name_en
        assert ind.name_vi != ind.name_en
    ids = {d["id"] for d in CAT.source["documents"]}
    assert {"qd-466-2023", "cv-5473-2024", "qd-411-2022"} <= ids
    assert CAT.reporting["data_due_day"] == 5
    assert CAT.reporting["consolidation_due_day"] == 10


def test_published_series_are_kept_apart() -> None:
    series, notes = history_series(CAT)
    assert series["de-share-gdp[ptit-de-series]"][1] == (2022, 14.26)
    assert series["de-share-gdp[gso-de-series]"][-1] == (2024, 13.17)
    assert "no measured values" in notes["enterprises-e-contract"]


def test_builtin_backtest_and_verdicts_run() -> None:
    report = builtin_backtest(CAT)
    assert report.n_forecasts >= 10
    assert report.mae_chosen < report.mae_naive
    verdicts = builtin_forecasts(CAT)
    assert verdicts["enterprises-e-contract"].verdict is Verdict.ON_TRACK
    assert verdicts["adults-digital-signature"].verdict is Verdict.OFF_TRACK


def test_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary"]) == 0
    assert "seed 001 §II.1 numbered rows: 17" in capsys.readouterr().out
    assert main(["backtest"]) == 0
    assert "pooled" in capsys.readouterr().out


def test_bad_file(tmp_path: Path) -> None:
    p = tmp_path / "x.yaml"
    p.write_text("indicators: []\n", encoding="utf-8")
    with pytest.raises(CatalogError):
        load_builtin(p)
