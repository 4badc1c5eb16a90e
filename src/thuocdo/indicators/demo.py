"""Demo data of the indicators capability, loaded by `thuocdo demo`.

Synthetic but plausible values for eight provinces: annual values 2022–2024, then every
quarter from 2025Q1 up to the quarter in progress (the latest one provisional), a few
provincial targets, and a digital-economy measurement per province. Everything goes through
the services (validated and audited); re-running changes nothing.
"""

from __future__ import annotations

import random
from typing import Any

from thuocdo.accounts.scopes import Scope
from thuocdo.indicators import services
from thuocdo.indicators.digital_economy import de_declare
from thuocdo.indicators.domain.periods import period_for
from thuocdo.indicators.reporting import today

# level factor per province: the big cities ahead, mountain and Central Highlands provinces
# behind (their forecasts warn)
PROVINCES = {
    "01": 1.08,
    "48": 1.04,
    "79": 1.1,
    "22": 0.9,
    "31": 1.02,
    "92": 0.96,
    "38": 0.86,
    "66": 0.82,
}
# code: (2022 level, yearly gain in points, quarterly noise)
SERIES: dict[str, tuple[float, float, float]] = {
    "adults-smartphone": (84.0, 2.2, 0.4),
    "households-fibre": (74.0, 2.0, 0.3),
    "adults-online-public-services": (22.0, 9.0, 1.0),
    "adults-digital-signature": (2.0, 9.5, 0.8),
    "workforce-basic-digital-skills": (35.0, 7.5, 1.0),
    "enterprises-e-contract": (48.0, 8.0, 1.2),
    "sme-digital-platform": (29.0, 5.0, 0.8),
    "ecommerce-share-retail": (7.0, 0.9, 0.2),
}
OWN_TARGETS = {("01", "adults-online-public-services"): 60.0, ("79", "households-fibre"): 90.0}
DE_CORE = {"01": 9.6, "48": 6.1, "79": 8.9, "22": 24.5}  # ICT share of GRDP (%)


def _periods() -> list[str]:
    current = period_for(today())
    labels = ["2022", "2023", "2024"]
    for year in range(2025, current.year + 1):
        for q in (1, 2, 3, 4):
            if (year, q) > (current.year, current.quarter or 4):
                break
            labels.append(f"{year}Q{q}")
    return labels


def _value(code: str, factor: float, label: str, rng: random.Random) -> float:
    base, gain, noise = SERIES[code]
    year = int(label[:4])
    t = year - 2022 + (int(label[-1]) / 4 - 1 if "Q" in label else 0)
    v = base * factor + gain * t + rng.uniform(-noise, noise)
    return round(max(0.0, min(v, 99.5)), 2)


def load_demo() -> dict[str, Any]:
    """Load (idempotently) this capability's demo data; returns counts for the report."""
    scope = Scope(role="admin")
    counts = {"submissions": 0, "targets": 0, "measurements": 0}
    labels = _periods()
    for unit, factor in PROVINCES.items():
        rng = random.Random(f"thuocdo-demo-{unit}")
        for code in SERIES:
            for label in labels:
                result = services.submission_submit(
                    scope=scope,
                    actor=None,
                    indicator_code=code,
                    unit_code=unit,
                    period=label,
                    value=_value(code, factor, label, rng),
                    provisional=label == labels[-1],
                    source="Dữ liệu minh họa (demo)",
                )
                counts["submissions"] += int(result.created)
    for (unit, code), value in OWN_TARGETS.items():
        services.target_set(
            scope=scope, actor=None, indicator_code=code, unit_code=unit, year=2025, value=value
        )
        counts["targets"] += 1
    for unit, ict in DE_CORE.items():
        grdp = 100_000.0
        de_declare(
            scope=scope,
            actor=None,
            unit_code_=unit,
            period="2024",
            grdp=grdp,
            grdp_source="Dữ liệu minh họa (demo): GRDP quy đổi 100.000 tỷ đồng",
            core=[
                {
                    "label": "Công nghiệp điện tử, viễn thông, CNTT",
                    "value": grdp * ict / 100,
                    "source": "Dữ liệu minh họa (demo)",
                    "vsic_codes": ["26", "61", "62"],
                }
            ],
            platform=[
                {
                    "label": "Nền tảng số, thương mại điện tử",
                    "value": grdp * 0.012,
                    "source": "demo",
                }
            ],
            sectoral=[
                {
                    "sector": "Bán buôn, bán lẻ",
                    "source": "Dữ liệu minh họa (demo)",
                    "sector_value_added": grdp * 0.11,
                    "digital_share_pct": 9.5,
                }
            ],
        )
        counts["measurements"] += 1
    return counts
