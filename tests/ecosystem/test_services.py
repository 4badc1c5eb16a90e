"""Catalogue writes: validation, the approval workflow, promotions and the built-in platforms."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from thuocdo.accounts.selectors import scope_for
from thuocdo.ecosystem import builtins, selectors, services
from thuocdo.ecosystem.models import Solution, SolutionStatus

from . import factories as f

pytestmark = pytest.mark.django_db


def messages(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict


def test_national_platforms_are_built_in_and_public_and_loading_is_idempotent() -> None:
    built = Solution.objects.filter(builtin=True)
    assert built.count() == 35
    assert set(built.values_list("status", flat=True)) == {SolutionStatus.APPROVED}
    again = builtins.load()
    assert again == {"national_platforms": 35, "created": 0}
    assert Solution.objects.filter(builtin=True).count() == 35
    public = selectors.solution_list(scope=scope_for(None))
    assert public.filter(code="np-gov-cloud").exists()


def test_unknown_tag_and_unknown_criterion_are_refused() -> None:
    p = f.provider()
    with pytest.raises(ValidationError) as err:
        f.solution(p, tags=["crm", "no-such-tag"], criteria=["sme-dx:NOPE"])
    problems = messages(err.value)
    assert "no-such-tag" in problems["solution_tags"][0]
    assert "sme-dx:NOPE" in problems["criteria"][0]
    assert not Solution.objects.filter(provider=p).exists()


def test_known_criterion_code_is_accepted() -> None:
    fw = f.framework("sme-dx").engine()
    code = fw.criteria()[0].code
    s = f.solution(f.provider(), criteria=[f"sme-dx:{code}"])
    assert s.criteria == [f"sme-dx:{code}"]


def test_negative_price_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        f.solution(f.provider(), tags=["crm"], price="-1000")
    assert "price" in messages(err.value)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"discount": 101}, "discount_percent"),
        ({"discount": -5}, "discount_percent"),
        ({"start": date(2026, 3, 1), "end": date(2026, 2, 28)}, "valid_to"),
    ],
)
def test_bad_promotions_are_refused(kwargs: dict[str, object], field: str) -> None:
    s = f.solution(f.provider(), tags=["crm"])
    with pytest.raises(ValidationError) as err:
        f.promotion(s, **kwargs)  # type: ignore[arg-type]
    assert field in messages(err.value)
    assert not s.promotions.exists()


def test_six_month_trial_meets_the_policy_and_five_does_not() -> None:
    s = f.solution(f.provider(), tags=["crm"])
    assert f.promotion(s, months=6).meets_policy
    assert not f.promotion(s, months=5, discount=10).meets_policy


def test_workflow_refuses_skips_and_reversals(make_user: object) -> None:
    owner = make_user(role="provider")  # type: ignore[operator]
    officer = make_user(role="ministry")  # type: ignore[operator]
    p = f.provider(users=[owner])
    own = scope_for(owner)
    s = services.solution_create(
        scope=own,
        actor=owner,
        provider=p,
        code="crm-thu",
        data={"name_vi": "CRM thử", "category": "business", "solution_tags": ["crm"]},
    )
    assert s.status == SolutionStatus.DRAFT
    with pytest.raises(PermissionDenied):
        services.solution_review(scope=own, actor=owner, solution=s, approve=True)
    with pytest.raises(ValidationError) as err:  # draft → approved skips pending
        services.solution_review(scope=scope_for(officer), actor=officer, solution=s, approve=True)
    assert "status" in messages(err.value)
    services.solution_submit(scope=own, actor=owner, solution=s)
    assert not selectors.solution_list(scope=scope_for(None)).filter(pk=s.pk).exists()
    provincial = make_user(role="province", unit="01")  # type: ignore[operator]
    with pytest.raises(PermissionDenied):  # the catalogue is national
        services.solution_review(
            scope=scope_for(provincial), actor=provincial, solution=s, approve=True
        )
    services.solution_review(scope=scope_for(officer), actor=officer, solution=s, approve=True)
    assert selectors.solution_list(scope=scope_for(None)).filter(pk=s.pk).exists()
    with pytest.raises(ValidationError):  # approved → pending by submit is a reversal
        services.solution_submit(scope=own, actor=owner, solution=s)
    s.refresh_from_db()
    assert s.status == SolutionStatus.APPROVED


def test_rejection_needs_a_reason_and_can_be_resubmitted(make_user: object) -> None:
    officer = make_user(role="ministry")  # type: ignore[operator]
    s = f.solution(f.provider(), tags=["crm"], approved=False)
    services.solution_submit(scope=f.ADMIN, actor=None, solution=s)
    with pytest.raises(ValidationError):
        services.solution_review(scope=scope_for(officer), actor=officer, solution=s, approve=False)
    services.solution_review(
        scope=scope_for(officer), actor=officer, solution=s, approve=False, note="Thiếu mô tả"
    )
    assert s.status == SolutionStatus.REJECTED
    services.solution_submit(scope=f.ADMIN, actor=None, solution=s)
    assert s.status == SolutionStatus.PENDING


def test_another_provider_cannot_edit_a_listing(make_user: object) -> None:
    mine = make_user(role="provider")  # type: ignore[operator]
    other = make_user(role="provider")  # type: ignore[operator]
    s = f.solution(f.provider(users=[mine]), tags=["crm"])
    with pytest.raises(PermissionDenied):
        services.solution_update(
            scope=scope_for(other), actor=other, solution=s, data={"name_vi": "Đổi"}
        )
    services.solution_update(
        scope=scope_for(mine), actor=mine, solution=s, data={"name_vi": "Đổi tên"}
    )
    s.refresh_from_db()
    assert s.name_vi == "Đổi tên"
    assert s.status == SolutionStatus.PENDING  # a changed listing is reviewed again


def test_messages_are_in_vietnamese_by_default() -> None:
    from django.utils import translation

    with translation.override("vi"), pytest.raises(ValidationError) as err:
        f.solution(f.provider(), tags=["crm"], price="-1")
    assert messages(err.value)["price"] == ["Giá không được âm."]
    s = f.solution(f.provider(), tags=["crm"])
    with translation.override("vi"), pytest.raises(ValidationError) as err:
        f.promotion(s, start=date(2026, 3, 1), end=date(2026, 1, 1))
    assert messages(err.value)["valid_to"] == ["Khuyến mại không thể kết thúc trước khi bắt đầu."]


@pytest.mark.parametrize(
    ("price", "stored"),
    [("150.000", 150000), ("1.500.000", 1500000), ("1 500 000", 1500000), ("120000", 120000)],
)
def test_vietnamese_price_formats_are_read_as_whole_dong(price: str, stored: int) -> None:
    s = f.solution(f.provider(), tags=["crm"], price=price)
    s.refresh_from_db()
    assert s.price == stored


@pytest.mark.parametrize(
    ("price", "words"),
    [
        ("150,5", "không có phần thập phân"),
        ("150.5", "không có phần thập phân"),
        ("100000000000000", "không được vượt quá 99.999.999.999.999 đồng"),
        ("100.000.000.000.000", "không được vượt quá"),
        ("abc", "Giá phải là một số."),
    ],
)
def test_ambiguous_fractional_or_too_large_prices_are_refused(price: str, words: str) -> None:
    with pytest.raises(ValidationError) as err:
        f.solution(f.provider(), tags=["crm"], price=price)
    assert any(words in m for m in messages(err.value)["price"])
