"""Computed indicators: formulas recomputed when inputs change, cycle refusal, survey sources."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from thuocdo.indicators import services
from thuocdo.indicators.models import Indicator, Submission
from thuocdo.indicators.sources import (
    register_survey_source,
    survey_source_names,
    unregister_survey_source,
)

pytestmark = pytest.mark.django_db


def _count_indicator(scope: Any, user: Any, code: str, name: str) -> Indicator:
    return services.indicator_create(
        scope=scope,
        actor=user,
        code=code,
        name_vi=name,
        unit_symbol="doanh nghiệp",
        unit_kind="count",
    )


@pytest.fixture
def formula_setup(officer: Any) -> tuple[Any, Any]:
    admin, scope = officer("admin")
    _count_indicator(scope, admin, "sme-total", "Tổng số doanh nghiệp nhỏ và vừa")
    _count_indicator(scope, admin, "sme-on-platform", "Số DNNVV dùng nền tảng số")
    services.indicator_create(
        scope=scope,
        actor=admin,
        code="sme-platform-share",
        name_vi="Tỷ lệ DNNVV dùng nền tảng số (tính toán)",
        kind="formula",
        formula="sme-on-platform / sme-total × 100",
    )
    return admin, scope


def _submit(scope: Any, user: Any, code: str, value: float, **kw: Any) -> None:
    services.submission_submit(
        scope=scope,
        actor=user,
        indicator_code=code,
        unit_code=kw.pop("unit_code", "01"),
        period=kw.pop("period", "2025Q3"),
        value=value,
        **kw,
    )


def test_formula_is_recomputed_when_its_inputs_change(
    formula_setup: tuple[Any, Any], django_capture_on_commit_callbacks: Any
) -> None:
    admin, scope = formula_setup
    with django_capture_on_commit_callbacks(execute=True):
        _submit(scope, admin, "sme-total", 20000)
    assert not Submission.objects.filter(indicator__code="sme-platform-share").exists()
    with django_capture_on_commit_callbacks(execute=True):
        _submit(scope, admin, "sme-on-platform", 9000, provisional=True)
    share = Submission.objects.get(indicator__code="sme-platform-share", unit__code="01")
    assert share.value == pytest.approx(45.0)
    assert share.computed and share.provisional  # one input is provisional
    assert share.inputs["inputs"]["sme-total"]["value"] == 20000
    with django_capture_on_commit_callbacks(execute=True):
        _submit(scope, admin, "sme-on-platform", 11000)
    share.refresh_from_db()
    assert share.value == pytest.approx(55.0) and not share.provisional
    assert [r.value for r in share.revisions.all()] == [pytest.approx(45.0)]
    with pytest.raises(ValidationError) as err:
        _submit(scope, admin, "sme-platform-share", 60)
    assert "tính toán" in str(err.value)


def test_chained_formulas_follow_dependencies(
    formula_setup: tuple[Any, Any], django_capture_on_commit_callbacks: Any
) -> None:
    admin, scope = formula_setup
    services.indicator_create(
        scope=scope,
        actor=admin,
        code="sme-platform-gap",
        name_vi="Khoảng cách tới mục tiêu 50%",
        kind="formula",
        formula="max(50 - {sme-platform-share}, 0)",
        unit_kind="index",
        unit_symbol="điểm %",
    )
    with django_capture_on_commit_callbacks(execute=True):
        _submit(scope, admin, "sme-total", 1000, unit_code="48")
        _submit(scope, admin, "sme-on-platform", 300, unit_code="48")
    gap = Submission.objects.get(indicator__code="sme-platform-gap", unit__code="48")
    assert gap.value == pytest.approx(20.0)


@pytest.mark.parametrize(
    ("formula", "fragment"),
    [
        ("sme-platform-share + 1", "vòng tròn"),
        ("khong-co-ma / sme-total", "không tồn tại"),
        ("sme-on-platform / (sme-total", "Thiếu dấu ')'"),
        ("__import__('os')", "không"),
    ],
)
def test_bad_formulas_are_refused(
    formula_setup: tuple[Any, Any], formula: str, fragment: str
) -> None:
    admin, scope = formula_setup
    with pytest.raises(ValidationError) as err:
        services.indicator_set_formula(
            scope=scope, actor=admin, code="sme-platform-share", formula=formula
        )
    assert fragment in " ".join(err.value.message_dict["formula"])
    assert Indicator.objects.get(code="sme-platform-share").formula == (
        "sme-on-platform / sme-total × 100"
    )


def test_a_formula_error_names_its_position_in_the_active_language(
    formula_setup: tuple[Any, Any],
) -> None:
    from django.utils import translation

    admin, scope = formula_setup
    for lang, word in (("vi", "(vị trí 10)"), ("en", "(position 10)")):
        with translation.override(lang), pytest.raises(ValidationError) as err:
            services.indicator_set_formula(
                scope=scope, actor=admin, code="sme-platform-share", formula="sme-total $ 2"
            )
        assert word in " ".join(err.value.message_dict["formula"]), lang


def test_cycle_across_two_formulas_is_refused(formula_setup: tuple[Any, Any]) -> None:
    admin, scope = formula_setup
    services.indicator_create(
        scope=scope,
        actor=admin,
        code="ratio-b",
        name_vi="Chỉ tiêu B",
        kind="formula",
        formula="sme-platform-share / 2",
    )
    with pytest.raises(ValidationError) as err:
        services.indicator_set_formula(
            scope=scope, actor=admin, code="sme-platform-share", formula="ratio-b * 2"
        )
    message = " ".join(err.value.message_dict["formula"])
    assert "ratio-b" in message and "sme-platform-share" in message


def test_a_computed_share_outside_its_range_is_refused(
    formula_setup: tuple[Any, Any], django_capture_on_commit_callbacks: Any
) -> None:
    from thuocdo.accounts.models import AuditEvent

    admin, scope = formula_setup
    with django_capture_on_commit_callbacks(execute=True):
        _submit(scope, admin, "sme-total", 20000)
        _submit(scope, admin, "sme-on-platform", 9000)
    assert Submission.objects.get(indicator__code="sme-platform-share").value == 45
    # more SMEs on platforms than SMEs: 110%, not a possible share
    with django_capture_on_commit_callbacks(execute=True):
        _submit(scope, admin, "sme-on-platform", 22000)
    assert not Submission.objects.filter(indicator__code="sme-platform-share").exists()
    refused = AuditEvent.objects.filter(action="submission.compute-refused").get()
    assert refused.object_id == "sme-platform-share"
    assert refused.after["value"] == pytest.approx(110.0) and "100" in refused.after["reason"]
    with django_capture_on_commit_callbacks(execute=True):
        _submit(scope, admin, "sme-total", 40000)
    assert Submission.objects.get(indicator__code="sme-platform-share").value == pytest.approx(55)


def test_survey_source_registry_feeds_survey_indicators(officer: Any) -> None:
    admin, scope = officer("admin")
    answers = {("01", 2025): (412, 800), ("48", 2025): (150, 500)}

    def criterion_share(indicator: Any, unit_code: str | None, year: int) -> float | None:
        counts = answers.get((unit_code or "VN", year))
        if counts is None:
            return None
        met, total = counts
        return met / total * 100

    register_survey_source("test.criterion-share", criterion_share)
    try:
        assert "test.criterion-share" in survey_source_names()
        services.indicator_create(
            scope=scope,
            actor=admin,
            code="sme-platform-survey",
            name_vi="Tỷ lệ DNNVV dùng nền tảng số (khảo sát)",
            kind="survey",
            survey_source="test.criterion-share",
        )
        assert services.survey_refresh(
            code="sme-platform-survey", unit_code="01", year=2025
        ) == pytest.approx(51.5)
        sub = Submission.objects.get(indicator__code="sme-platform-survey", unit__code="01")
        assert sub.period == "2025" and sub.computed and sub.value == pytest.approx(51.5)
        assert (
            services.survey_refresh(code="sme-platform-survey", unit_code="79", year=2025) is None
        )
        assert not Submission.objects.filter(
            indicator__code="sme-platform-survey", unit__code="79"
        ).exists()
    finally:
        unregister_survey_source("test.criterion-share")
    with pytest.raises(ValidationError):
        services.survey_refresh(code="sme-platform-survey", unit_code="01", year=2025)


def test_new_formula_is_computed_from_existing_inputs(
    officer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    admin, scope = officer("admin")
    _count_indicator(scope, admin, "households-total", "Tổng số hộ")
    _count_indicator(scope, admin, "households-with-fibre", "Số hộ có cáp quang")
    with django_capture_on_commit_callbacks(execute=True):
        _submit(scope, admin, "households-total", 800, unit_code="48", period="2025")
        _submit(scope, admin, "households-with-fibre", 660, unit_code="48", period="2025")
    with django_capture_on_commit_callbacks(execute=True):
        services.indicator_create(
            scope=scope,
            actor=admin,
            code="fibre-share-computed",
            name_vi="Tỷ lệ hộ có cáp quang (tính toán)",
            kind="formula",
            formula="households-with-fibre / households-total * 100",
        )
    sub = Submission.objects.get(indicator__code="fibre-share-computed", unit__code="48")
    assert sub.period == "2025" and sub.value == pytest.approx(82.5)
    with django_capture_on_commit_callbacks(execute=True):
        services.indicator_set_formula(
            scope=scope,
            actor=admin,
            code="fibre-share-computed",
            formula="100 - households-with-fibre / households-total * 100",
        )
    sub.refresh_from_db()
    assert sub.value == pytest.approx(17.5)
