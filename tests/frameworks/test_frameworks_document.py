"""A criteria set as a readable document; conditions in plain language (pure module)."""

from __future__ import annotations

import pytest
from tests.frameworks.sets import set_text

from thuocdo.frameworks.document import describe_condition, document, num, source_in
from thuocdo.frameworks.engine import (
    Condition,
    Framework,
    framework_from_dict,
    framework_to_dict,
    load_framework_text,
)

FW = load_framework_text(set_text())


def cond(text: str) -> tuple[Condition, Framework]:
    """Attach a condition to a new last criterion, so it may refer to every other one."""
    data = framework_to_dict(FW)
    data["pillars"][1]["criteria"].append(
        {
            "code": "Z9",
            "name": {"vi": "Cuối", "en": "Last"},
            "relevant": text,
            "question": {"type": "boolean", "text": {"vi": "?", "en": "?"}},
        }
    )
    fw = framework_from_dict(data)
    relevant = fw.criterion("Z9").relevant
    assert relevant is not None
    return relevant, fw


@pytest.mark.parametrize(
    ("text", "vi", "en"),
    [
        (
            "W1 == 'shop'",
            "câu trả lời «Có website» (W1) là «Có bán hàng trực tuyến»",
            "the answer to «Has a website» (W1) is «Sells online»",
        ),
        (
            "'zalo' in W2 and O1",
            "câu trả lời «Kênh bán hàng» (W2) có chọn «Zalo» và «Hóa đơn điện tử» (O1) là Có",
            "the answer to «Sales channels» (W2) includes «Zalo» and «E-invoices» (O1) is Yes",
        ),
        (
            "not (O2 >= 2.5 or O3 < 3)",
            "không đúng rằng (câu trả lời «Số nhân viên dùng phần mềm» (O2) từ 2,5 trở lên"
            " hoặc câu trả lời «Mức tự tin» (O3) nhỏ hơn 3)",
            "it is not the case that (the answer to «Staff using software» (O2) is at least 2.5"
            " or the answer to «Confidence» (O3) is less than 3)",
        ),
        ("O1 == false", "câu trả lời «Hóa đơn điện tử» (O1) là Không", None),
        ("true", "luôn áp dụng", "always applies"),
    ],
)
def test_conditions_in_plain_language(text: str, vi: str, en: str | None) -> None:
    relevant, fw = cond(text)
    assert describe_condition(relevant, fw, "vi") == vi
    if en is not None:
        assert describe_condition(relevant, fw, "en") == en


def test_document_numbers_and_rules() -> None:
    doc = document(FW, "vi")
    web, ops = doc["pillars"]
    assert (web["weight"], web["share"], ops["share"]) == ("2", 66.7, 33.3)
    w2 = web["criteria"][1]
    assert w2["relevant"] == "câu trả lời «Có website» (W1) không phải là «Không»"
    assert w2["gate"] == "phải đạt thì mới được xếp từ mức 2 (Bắt đầu) trở lên"
    assert [o["exclusive"] for o in w2["question"]["options"]] == [False, False, True]
    o2 = ops["criteria"][1]
    assert o2["question"]["scoring"] == [
        "từ 0 trở lên: 0 điểm",
        "từ 1 trở lên: 50 điểm",
        "từ 5 trở lên: 100 điểm",
    ]
    assert (o2["required"], o2["target"]) == (False, "50")
    assert doc["levels"][2]["rule"] == "tổng điểm từ 60 và ít nhất 2 trụ cột đạt từ 50 điểm"
    assert doc["levels"][2]["gates"] == [{"code": "W2", "name": "Kênh bán hàng"}]
    assert doc["gate_count"] == 1 and doc["criterion_count"] == 5


def test_numbers_and_bilingual_sources() -> None:
    assert (num(6.25, "vi"), num(6.25, "en"), num(100.0, "vi")) == ("6,25", "6.25", "100")
    assert source_in("Mẫu tiếng Việt. / English template.", "en") == "English template."
    assert source_in("Mẫu tiếng Việt. / English template.", "vi") == "Mẫu tiếng Việt."
    assert source_in("Chỉ tiếng Việt.", "en") == "Chỉ tiếng Việt."
