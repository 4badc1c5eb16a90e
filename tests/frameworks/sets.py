"""Small criteria-set files for the frameworks tests."""

from __future__ import annotations

TEMPLATE = """\
# Bộ tiêu chí thử (test set)
code: {code}
version: "{version}"
name: {{vi: "{name}", en: "Test set {code}"}}
sector: {sector}
entity_types: [{entity}]
source: "Bộ tiêu chí thử; mẫu có thể chỉnh sửa."
levels:
  - {{code: 0, name: {{vi: "Chưa bắt đầu", en: "Not started"}}, min: 0}}
  - {{code: 1, name: {{vi: "Khởi động", en: "Beginner"}}, min: 30}}
  - {{code: 2, name: {{vi: "Bắt đầu", en: "Beginning"}}, min: 60, min_pillars: 2, pillar_min: 50}}
pillars:
  - code: web
    name: {{vi: "Hiện diện trực tuyến", en: "Online presence"}}
    weight: {web_weight}
    criteria:
      - code: W1
        name: {{vi: "Có website", en: "Has a website"}}
        weight: 2
        solution_tags: [website]
        question:
          type: single
          text: {{vi: "Doanh nghiệp có website không?", en: "Does the business have a website?"}}
          options:
            - {{code: none, text: {{vi: "Không", en: "No"}}, score: 0}}
            - {{code: basic, text: {{vi: "Trang giới thiệu", en: "A brochure site"}}, score: {basic}}}
            - {{code: shop, text: {{vi: "Có bán hàng trực tuyến", en: "Sells online"}}, score: 100}}
      - code: W2
        name: {{vi: "Kênh bán hàng", en: "Sales channels"}}
        relevant: "W1 != 'none'"
        required_for_level: 2
        question:
          type: multi
          text: {{vi: "Doanh nghiệp bán qua kênh nào?", en: "Which channels does it sell through?"}}
          options:
            - {{code: zalo, text: {{vi: "Zalo", en: "Zalo"}}, score: 40}}
            - {{code: san, text: {{vi: "Sàn thương mại điện tử", en: "Marketplace"}}, score: 70}}
            - {{code: none, text: {{vi: "Không có", en: "None"}}, score: 0, exclusive: true}}
  - code: ops
    name: {{vi: "Vận hành", en: "Operations"}}
    weight: 1
    criteria:
      - code: O1
        name: {{vi: "Hóa đơn điện tử", en: "E-invoices"}}
        question:
          type: boolean
          text: {{vi: "Có dùng hóa đơn điện tử?", en: "Does it use e-invoices?"}}
      - code: O2
        name: {{vi: "Số nhân viên dùng phần mềm", en: "Staff using software"}}
        required: false
        target: 50
        question:
          type: number
          text: {{vi: "Bao nhiêu nhân viên dùng phần mềm?", en: "How many staff use software?"}}
          min: 0
          thresholds: [{{min: 0, score: 0}}, {{min: 1, score: 50}}, {{min: 5, score: 100}}]
      - code: O3
        name: {{vi: "Mức tự tin", en: "Confidence"}}
        question:
          type: scale
          text: {{vi: "Mức tự tin về công nghệ (1–5)?", en: "Confidence with technology (1–5)?"}}
          min: 1
          max: 5
"""


def set_text(
    code: str = "thu-nghiem",
    version: str = "1",
    *,
    sector: str = "retail",
    entity: str = "shop",
    name: str = "Bộ thử nghiệm",
    basic: int = 50,
    web_weight: int = 2,
) -> str:
    return TEMPLATE.format(
        code=code,
        version=version,
        sector=sector,
        entity=entity,
        name=name,
        basic=basic,
        web_weight=web_weight,
    )
