"""Pure domain logic of action plans (no Django): deadlines and shared vocabularies."""

from __future__ import annotations

from typing import Final

__all__ = ["SURVEY_ROLES"]

#: Roles a task can play in the organisation self-assessment survey programme
#: (criteria sets → online tool → guided self-assessment → pilot → scale-up → yearly
#: publication), with their names. Built-in plan files tag tasks with these codes.
SURVEY_ROLES: Final[dict[str, dict[str, str]]] = {
    "criteria_set": {
        "vi": "Xây dựng, ban hành, cập nhật bộ tiêu chí",
        "en": "Build, issue or update the criteria set",
    },
    "assessment_tool": {
        "vi": "Xây dựng công cụ đánh giá trực tuyến",
        "en": "Build the online assessment tool",
    },
    "self_assessment": {
        "vi": "Hướng dẫn tổ chức, doanh nghiệp tự đánh giá",
        "en": "Guide organisations to self-assess",
    },
    "pilot": {"vi": "Thí điểm khảo sát", "en": "Pilot the survey"},
    "scale_up": {"vi": "Nhân rộng khảo sát", "en": "Scale up the survey"},
    "annual_publication": {
        "vi": "Khảo sát, đo lường và công bố kết quả hằng năm",
        "en": "Survey, measure and publish results every year",
    },
}
