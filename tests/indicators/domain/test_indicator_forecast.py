import math

import numpy as np
import pytest

from thuocdo.indicators.domain.forecast import (
    ForecastError,
    Target,
    Verdict,
    VerdictRules,
    annualise,
    backtest,
    fit,
    forecast_to_target,
    partial_years,
    rolling_origin_mae,
    select_method,
    student_t_cdf,
    student_t_ppf,
)

LINEAR = [(2015 + i, 10.0 + 2.0 * i) for i in range(8)]  # reaches 30 in 2025
EXPONENTIAL = [(2015 + i, 10.0 * 1.2**i) for i in range(8)]


# --------------------------------------------------------------------------- distributions


@pytest.mark.parametrize(
    ("dof", "q975"),
    [(1, 12.7062), (2, 4.3027), (5, 2.5706), (10, 2.2281), (30, 2.0423), (math.inf, 1.95996)],
)
def test_student_t_quantiles_match_tables(dof: float, q975: float) -> None:
    assert student_t_ppf(0.975, dof) == pytest.approx(q975, abs=1e-3)
    assert student_t_cdf(q975, dof) == pytest.approx(0.975, abs=1e-4)
    assert student_t_ppf(0.025, dof) == pytest.approx(-q975, abs=1e-3)


def test_student_t_against_scipy() -> None:
    stats = pytest.importorskip("scipy.stats")
    for dof in (1, 3, 7.5, 40):
        for x in (-3.0, -0.4, 0.0, 1.1, 5.0):
            assert student_t_cdf(x, dof) == pytest.approx(stats.t.cdf(x, dof), abs=1e-9)


# --------------------------------------------------------------------------- selection


def test_selection_picks_linear_on_a_linear_series() -> None:
    method, scores, rule = select_method(LINEAR)
    assert (method, rule) == ("linear", "rolling-origin")
    assert scores["linear"] == pytest.approx(0.0, abs=1e-9)
    assert scores["loglinear"] > 0.1


def test_selection_picks_loglinear_on_an_exponential_series() -> None:
    method, scores, _ = select_method(EXPONENTIAL)
    assert method == "loglinear"
    assert scores["loglinear"] < 1e-6 < scores["linear"]


def test_selection_with_mild_noise() -> None:
    rng = np.random.default_rng(7)
    lin_picks = exp_picks = 0
    for _ in range(40):
        lin = [(2010 + i, 20 + 3 * i + rng.normal(0, 0.3)) for i in range(10)]
        exp = [(2010 + i, 5 * 1.3**i * math.exp(rng.normal(0, 0.01))) for i in range(10)]
        lin_picks += select_method(lin)[0] == "linear"
        exp_picks += select_method(exp)[0] == "loglinear"
    assert lin_picks >= 28
    assert exp_picks >= 34


def test_short_histories_fall_back() -> None:
    assert select_method([(2024, 5.0)])[0] == "naive"
    assert select_method([(2022, 1.0), (2023, 2.0)])[:3:2] == ("linear", "short-history")
    assert select_method([(2021, 1.0), (2022, 2.0), (2023, 2.5), (2024, 4.0)])[0] == "linear"


def test_loglinear_is_skipped_for_non_positive_series() -> None:
    series = [(2015 + i, -5.0 + i) for i in range(7)]
    assert "loglinear" not in rolling_origin_mae(series)
    with pytest.raises(ForecastError):
        fit("loglinear", series)


def test_holt_needs_consecutive_years() -> None:
    gappy = [(2010, 1.0), (2012, 2.0), (2013, 3.5), (2016, 4.0), (2017, 5.0)]
    assert "holt" not in rolling_origin_mae(gappy)
    assert forecast_to_target(gappy, Target(2020, 5)).method in ("linear", "loglinear", "naive")


def test_holt_follows_a_linear_trend() -> None:
    model = fit("holt", LINEAR)
    assert model.point(2025) == pytest.approx(30.0, abs=1e-9)
    damped = fit("holt_damped", LINEAR)
    assert damped.point(2025) < 30.0  # the damped trend flattens out


# --------------------------------------------------------------------------- verdicts


def test_exactly_on_track_is_on_track() -> None:
    fc = forecast_to_target(LINEAR, Target(2025, 30, "higher", ">="))
    assert fc.method == "linear"
    assert fc.value == pytest.approx(30.0)
    assert fc.p_meet > 0.99
    assert fc.verdict is Verdict.ON_TRACK


def test_plans_landing_on_the_target() -> None:
    # three points on a line landing exactly on a "> 80%" target
    fc = forecast_to_target([(2022, 50), (2023, 60), (2024, 70)], Target(2025, 80, "higher", ">"))
    assert fc.verdict is Verdict.ON_TRACK


def test_far_above_is_far_ahead() -> None:
    fc = forecast_to_target(LINEAR, Target(2025, 20, "higher", ">="))
    assert fc.verdict is Verdict.FAR_AHEAD
    assert fc.lower >= 22


def test_clearly_below_is_off_track() -> None:
    fc = forecast_to_target(LINEAR, Target(2025, 40, "higher", ">="))
    assert fc.p_meet < 0.01
    assert fc.verdict is Verdict.OFF_TRACK


def test_noisy_series_centred_on_target_is_at_risk() -> None:
    rng = np.random.default_rng(3)
    history = [(2015 + i, 10 + 2 * i + rng.normal(0, 1.5)) for i in range(8)]
    fc0 = forecast_to_target(history, Target(2025, 0))
    fc = forecast_to_target(history, Target(2025, fc0.value))  # target = central projection
    assert 0.45 < fc.p_meet < 0.55
    assert fc.verdict is Verdict.AT_RISK
    slightly_high = forecast_to_target(
        history, Target(2025, fc0.value + 0.12 * (fc0.upper - fc0.value))
    )
    assert 0.3 <= slightly_high.p_meet < 0.5
    assert slightly_high.verdict is Verdict.AT_RISK


def test_lower_is_better_direction() -> None:
    falling = [(2015 + i, 50.0 - 3.0 * i) for i in range(8)]  # 20 in 2025
    assert forecast_to_target(falling, Target(2025, 20, "lower")).verdict is Verdict.ON_TRACK
    assert forecast_to_target(falling, Target(2025, 10, "lower")).verdict is Verdict.OFF_TRACK
    assert forecast_to_target(falling, Target(2025, 30, "lower")).verdict is Verdict.FAR_AHEAD
    # an explicit comparator wins over the direction
    fc = forecast_to_target(falling, Target(2025, 10, "higher", "<="))
    assert fc.verdict is Verdict.OFF_TRACK


def test_far_ahead_margin_is_capped_by_the_bound() -> None:
    series = [(2020 + i, 90.0 + 1.5 * i) for i in range(5)]  # 97.5 in 2025
    fc = forecast_to_target(series, Target(2025, 94, "higher", ">="), bounds=(0, 100))
    # a 10% margin would need a lower bound of 103.4; capped at half the headroom (3)
    assert fc.verdict is Verdict.FAR_AHEAD
    at_cap = forecast_to_target(series, Target(2025, 100, "higher", ">="), bounds=(0, 100))
    assert at_cap.verdict is not Verdict.FAR_AHEAD
    assert at_cap.upper <= 100


def test_thresholds_are_configurable() -> None:
    rng = np.random.default_rng(11)
    history = [(2015 + i, 10 + 2 * i + rng.normal(0, 1)) for i in range(8)]
    fc = forecast_to_target(history, Target(2025, 30.8))
    strict = forecast_to_target(
        history, Target(2025, 30.8), rules=VerdictRules(on_track_p=0.99, off_track_p=0.98)
    )
    assert strict.p_meet == pytest.approx(fc.p_meet)
    assert strict.verdict is Verdict.OFF_TRACK


def test_single_point_uses_naive_with_a_note() -> None:
    fc = forecast_to_target([(2022, 60.0)], Target(2025, 80))
    assert fc.method == "naive"
    assert fc.selection == "single-point"
    assert any("fallback" in n for n in fc.notes)
    assert fc.verdict is Verdict.OFF_TRACK


def test_observed_target_year() -> None:
    fc = forecast_to_target([(2023, 70.0), (2024, 81.0), (2025, 82.0)], Target(2025, 80))
    assert (fc.method, fc.p_meet, fc.verdict) == ("observed", 1.0, Verdict.ON_TRACK)
    with pytest.raises(ForecastError):
        forecast_to_target([(2020, 1.0), (2024, 2.0)], Target(2022, 1))


@pytest.mark.parametrize(
    "history",
    [[], [(2020, float("nan"))], [(2020, 1.0), (2020, 2.0)], [(2020, None)]],
)
def test_bad_history(history: list[tuple[int, float]]) -> None:
    with pytest.raises(ForecastError) as info:
        forecast_to_target(history, Target(2025, 1))
    assert info.value.message_vi
    assert info.value.message_en


def test_bad_comparator() -> None:
    with pytest.raises(ForecastError):
        forecast_to_target(LINEAR, Target(2025, 1, "higher", "!="))


def test_interval_widens_with_horizon() -> None:
    rng = np.random.default_rng(5)
    history = [(2015 + i, 10 + 2 * i + rng.normal(0, 1)) for i in range(8)]
    for method in ("linear", "loglinear", "holt", "holt_damped", "naive"):
        model = fit(method, history)
        widths = []
        for year in (2023, 2025, 2028):
            lo, hi = model.predict(year).interval
            widths.append(hi - lo)
        assert widths[0] < widths[1] < widths[2], method


# --------------------------------------------------------------------------- coverage


def _coverage(method: str | None, n_sims: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(n_sims):
        n = int(rng.integers(8, 13))
        a, b, sd = rng.uniform(5, 50), rng.uniform(0.5, 3), rng.uniform(0.5, 3)
        history = [(2010 + i, a + b * i + rng.normal(0, sd)) for i in range(n)]
        h = int(rng.integers(1, 4))
        truth = a + b * (n - 1 + h) + rng.normal(0, sd)
        fc = forecast_to_target(history, Target(2010 + n - 1 + h, 0.0), method=method)
        hits += fc.lower <= truth <= fc.upper
    return hits / n_sims


def test_linear_interval_covers_truth_at_the_nominal_rate() -> None:
    assert 0.92 <= _coverage("linear", 600, seed=2024) <= 0.98


def test_selected_method_interval_coverage_is_sensible() -> None:
    assert 0.85 <= _coverage(None, 300, seed=99) <= 0.99


def test_p_meet_is_calibrated_on_simulated_series() -> None:
    rng = np.random.default_rng(123)
    outcomes: list[tuple[float, bool]] = []
    for _ in range(500):
        a, b, sd = rng.uniform(10, 40), rng.uniform(0.5, 2), rng.uniform(0.5, 2)
        history = [(2010 + i, a + b * i + rng.normal(0, sd)) for i in range(10)]
        truth = a + b * 12 + rng.normal(0, sd)
        target = a + b * 12 + rng.normal(0, 2 * sd)
        fc = forecast_to_target(history, Target(2022, target), method="linear")
        outcomes.append((fc.p_meet, truth >= target))
    p = np.array([o[0] for o in outcomes])
    met = np.array([o[1] for o in outcomes])
    assert abs(p.mean() - met.mean()) < 0.06
    assert met[p >= 0.7].mean() > 0.7
    assert met[p < 0.3].mean() < 0.3


# --------------------------------------------------------------------------- helpers


def test_annualise_quarters() -> None:
    points = {"2024Q1": 10.0, "2024Q2": 12.0, "2024Q3": 13.0, "2024Q4": 15.0, "2025Q1": 16.0}
    # 2025 has only Q1: it is not a year-end value under any aggregation
    assert annualise(points, "last") == [(2024, 15.0)]
    assert annualise(points, "mean") == [(2024, 12.5)]
    assert annualise(points, "sum") == [(2024, 50.0)]
    assert annualise({**points, "2024": 14.0}, "last")[0] == (2024, 14.0)
    assert annualise({**points, "2025": 17.0}, "last") == [(2024, 15.0), (2025, 17.0)]
    assert partial_years(points) == {2025: {1: 16.0}}
    assert partial_years({"2024Q1": 1.0, "2024Q4": 2.0}, "sum") == {2024: {1: 1.0, 4: 2.0}}
    assert partial_years({"2024Q1": 1.0, "2024Q4": 2.0}, "last") == {}


def test_a_partial_target_year_is_forecast_not_observed() -> None:
    points = {"2022": 30.07, "2023": 38.0, "2024": 45.0, "2025Q1": 46.0}
    fc = forecast_to_target(annualise(points), Target(2025, 50, "higher", ">"))
    assert fc.method == "linear" and fc.horizon == 1
    assert fc.value == pytest.approx(52.62, abs=0.01) and fc.verdict is Verdict.ON_TRACK
    done = forecast_to_target(annualise({**points, "2025Q4": 46.0}), Target(2025, 50))
    assert done.method == "observed" and done.verdict is Verdict.OFF_TRACK


def test_backtest_compares_with_naive() -> None:
    report = backtest(
        {"lin": LINEAR, "flat": [(2020 + i, 5.0) for i in range(5)], "one": [(2020, 1.0)]}
    )
    rows = {r.code: r for r in report.rows}
    assert rows["lin"].mae_chosen == pytest.approx(0.0, abs=1e-9)
    assert rows["lin"].mae_naive == pytest.approx(2.0)
    assert rows["flat"].mae_chosen == pytest.approx(0.0, abs=1e-9)
    assert report.skipped == ("one",)
    assert report.wins == 1
    assert report.ties == 1
    assert report.losses == 0
    assert "pooled" in report.to_text()


def test_forecast_serialises() -> None:
    d = forecast_to_target(LINEAR, Target(2025, 30)).to_dict()
    assert d["verdict"] == "on_track"
    assert d["interval"][0] <= d["value"] <= d["interval"][1]


def test_linear_interval_matches_statsmodels_ols() -> None:
    sm = pytest.importorskip("statsmodels.api")
    rng = np.random.default_rng(17)
    history = [(2012 + i, 30 + 1.7 * i + rng.normal(0, 1.2)) for i in range(9)]
    years = np.array([y for y, _ in history], dtype=float)
    values = np.array([v for _, v in history])
    ols = sm.OLS(values, sm.add_constant(years)).fit()
    frame = ols.get_prediction(np.array([[1.0, 2024.0]])).summary_frame(alpha=0.05)
    pred = fit("linear", history).predict(2024)
    lo, hi = pred.interval
    assert pred.value == pytest.approx(float(frame["mean"].iloc[0]), rel=1e-9)
    assert lo == pytest.approx(float(frame["obs_ci_lower"].iloc[0]), rel=1e-6)
    assert hi == pytest.approx(float(frame["obs_ci_upper"].iloc[0]), rel=1e-6)
