"""Enterprise size classes by Decree 80/2021/NĐ-CP, Article 5 (no Django here).

Criteria: the average number of employees taking part in social insurance in the year, and
either the total revenue of the year or the total capital (nguồn vốn). An enterprise belongs
to a class when its employees are within the class limit **and** its revenue **or** its
capital is within the class limit. Limits by field group (amounts in VND):

| group | micro | small | medium |
|---|---|---|---|
| agriculture, forestry, fishing; industry and construction | ≤ 10 employees; revenue ≤ 3 bn or capital ≤ 3 bn | ≤ 100; revenue ≤ 50 bn or capital ≤ 20 bn | ≤ 200; revenue ≤ 200 bn or capital ≤ 100 bn |
| trade and services | ≤ 10; revenue ≤ 10 bn or capital ≤ 3 bn | ≤ 50; revenue ≤ 100 bn or capital ≤ 50 bn | ≤ 100; revenue ≤ 300 bn or capital ≤ 100 bn |

Anything above the medium limits is ``large``. When neither revenue nor capital is known,
the class follows the number of employees alone.
"""

from __future__ import annotations

from typing import Literal

SizeClass = Literal["micro", "small", "medium", "large"]
Group = Literal["agri_industry", "trade_services"]

BN = 1_000_000_000
# group → [(class, max employees, max revenue, max capital)], smallest first
LIMITS: dict[str, tuple[tuple[SizeClass, int, int, int], ...]] = {
    "agri_industry": (
        ("micro", 10, 3 * BN, 3 * BN),
        ("small", 100, 50 * BN, 20 * BN),
        ("medium", 200, 200 * BN, 100 * BN),
    ),
    "trade_services": (
        ("micro", 10, 10 * BN, 3 * BN),
        ("small", 50, 100 * BN, 50 * BN),
        ("medium", 100, 300 * BN, 100 * BN),
    ),
}


def size_class(
    *,
    employees: int,
    revenue: int | None = None,
    capital: int | None = None,
    group: str = "trade_services",
) -> SizeClass:
    """The size class of an enterprise; raises ``ValueError`` for negative figures or an
    unknown group."""
    if group not in LIMITS:
        raise ValueError(f"unknown group {group!r}")
    for figure in (employees, revenue, capital):
        if figure is not None and figure < 0:
            raise ValueError("figures must not be negative")
    for name, max_employees, max_revenue, max_capital in LIMITS[group]:
        if employees > max_employees:
            continue
        if revenue is None and capital is None:
            return name
        if (revenue is not None and revenue <= max_revenue) or (
            capital is not None and capital <= max_capital
        ):
            return name
    return "large"
