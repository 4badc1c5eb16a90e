"""Plain-language next-level plans in Vietnamese and English."""

from __future__ import annotations

import pytest

from thuocdo.ecosystem.domain import next_level as nl
from thuocdo.ecosystem.plan_text import plan_lines
from thuocdo.frameworks.engine import framework_from_dict


def t(vi: str, en: str) -> dict[str, str]:
    return {"vi": vi, "en": en}


FW = framework_from_dict(
    {
        "code": "text",
        "version": "1",
        "name": t("Thử", "Test"),
        "levels": [
            {"code": 0, "name": t("0", "0"), "min": 0},
            {"code": 1, "name": t("1", "1"), "min": 90},
        ],
        "pillars": [
            {
                "code": "p",
                "name": t("P", "P"),
                "weight": 1,
                "criteria": [
                    {
                        "code": "S3",
                        "name": t("Website", "Website"),
                        "question": {
                            "type": "single",
                            "text": t("?", "?"),
                            "options": [
                                {"code": "a", "text": t("a", "a"), "score": 0},
                                {"code": "b", "text": t("b", "b"), "score": 50},
                                {"code": "c", "text": t("c", "c"), "score": 100},
                            ],
                        },
                    },
                    {
                        "code": "S7",
                        "name": t("Hóa đơn điện tử", "E-invoices"),
                        "question": {"type": "boolean", "text": t("?", "?")},
                    },
                ],
            }
        ],
    }
)


@pytest.mark.django_db
def test_plan_reads_as_sentences_in_both_languages() -> None:
    plan = nl.plan_to_level(FW, {"S3": "b", "S7": False}, 1)
    assert isinstance(plan, nl.Plan)
    assert plan_lines(FW, plan, "vi") == [
        "Nâng S3 (Website) từ phương án b lên c",
        "Đáp ứng S7 (Hóa đơn điện tử)",
    ]
    assert plan_lines(FW, plan, "en") == [
        "Raise S3 (Website) from option b to c",
        "Meet S7 (E-invoices)",
    ]
