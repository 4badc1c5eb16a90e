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


@pytest.mark.django_db
def test_plan_names_the_options_by_their_text() -> None:
    named = framework_from_dict(
        {
            "code": "named",
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
                                    {"code": "a", "text": t("Chưa có", "None"), "score": 0},
                                    {
                                        "code": "b",
                                        "text": t("Trang giới thiệu", "A page"),
                                        "score": 50,
                                    },
                                    {
                                        "code": "c",
                                        "text": t("Bán hàng trực tuyến", "Online shop"),
                                        "score": 100,
                                    },
                                ],
                            },
                        },
                        {
                            "code": "K1",
                            "name": t("Kênh", "Channels"),
                            "question": {
                                "type": "multi",
                                "text": t("?", "?"),
                                "options": [
                                    {"code": "zalo", "text": t("Zalo OA", "Zalo OA"), "score": 50},
                                    {"code": "app", "text": t("Ứng dụng", "App"), "score": 50},
                                ],
                            },
                        },
                    ],
                }
            ],
        }
    )
    plan = nl.plan_to_level(named, {"S3": "b", "K1": []}, 1)
    assert isinstance(plan, nl.Plan)
    lines = plan_lines(named, plan, "vi")
    assert (
        "Nâng S3 (Website) từ phương án b «Trang giới thiệu» lên c «Bán hàng trực tuyến»" in lines
    )
    assert "Bổ sung cho K1 (Kênh): zalo «Zalo OA», app «Ứng dụng»" in lines
