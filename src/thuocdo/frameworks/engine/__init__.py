"""Criteria-set engine: load, validate, score and compare criteria sets (no Django here).

See DESIGN §4 for the file format and the scoring contract.
"""

from .batch import BatchResult, BatchScorer, EncodedAnswers
from .diff import CriterionChange, FrameworkDiff, OptionChanges, diff
from .expr import Condition, ExprError
from .expr import parse as parse_condition
from .messages import AnswerProblem, AnswersInvalid, FrameworkInvalid, Problem
from .model import (
    Criterion,
    Framework,
    Level,
    LocalText,
    Option,
    Pillar,
    Question,
    Threshold,
    reaches,
)
from .scoring import (
    ScoreResult,
    check_answers,
    criterion_score,
    missing_answers,
    overall_level,
    pillar_level,
    points_of,
    score,
    validate_answers,
)
from .serialize import (
    canonical_json,
    content_hash,
    framework_from_dict,
    framework_to_dict,
    load_framework_file,
    load_framework_text,
)

__all__ = [
    "AnswerProblem",
    "AnswersInvalid",
    "BatchResult",
    "BatchScorer",
    "Condition",
    "Criterion",
    "CriterionChange",
    "EncodedAnswers",
    "ExprError",
    "Framework",
    "FrameworkDiff",
    "FrameworkInvalid",
    "Level",
    "LocalText",
    "Option",
    "OptionChanges",
    "Pillar",
    "Problem",
    "Question",
    "ScoreResult",
    "Threshold",
    "canonical_json",
    "check_answers",
    "content_hash",
    "criterion_score",
    "diff",
    "framework_from_dict",
    "framework_to_dict",
    "load_framework_file",
    "load_framework_text",
    "missing_answers",
    "overall_level",
    "parse_condition",
    "pillar_level",
    "points_of",
    "reaches",
    "score",
    "validate_answers",
]
