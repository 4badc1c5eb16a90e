"""Synthetic criteria set and columnar responses for the scoring benchmark."""

from __future__ import annotations

from typing import Any

import numpy as np

PILLARS = [
    ("strategy", "Chiến lược", 8, 1.5),
    ("customers", "Khách hàng", 9, 1.0),
    ("operations", "Vận hành", 9, 1.0),
    ("data", "Dữ liệu", 8, 1.0),
    ("technology", "Công nghệ", 8, 1.0),
    ("people", "Con người", 8, 1.2),
]
TYPES = ["single", "multi", "boolean", "single", "number", "scale", "single", "boolean"]
GATES = {"S3": 3, "O4": 4, "D2": 5}


def _t(vi: str) -> dict[str, str]:
    return {"vi": vi, "en": vi}


def _question(qtype: str, i: int) -> dict[str, Any]:
    q: dict[str, Any] = {"type": qtype, "text": _t(f"Câu hỏi {i}")}
    if qtype == "single":
        q["options"] = [
            {"code": f"o{k}", "text": _t(f"Mức {k}"), "score": s}
            for k, s in enumerate([0, 25, 50, 75, 100])
        ]
    elif qtype == "multi":
        q["options"] = [
            {"code": f"o{k}", "text": _t(f"Kênh {k}"), "score": s}
            for k, s in enumerate([30, 30, 25, 40])
        ] + [{"code": "none", "text": _t("Không có"), "score": 0, "exclusive": True}]
    elif qtype == "boolean":
        q["yes_score"] = 100
        q["no_score"] = 0 if i % 3 else 20
    elif qtype == "number":
        q["min"] = 0
        q["max"] = 1000
        q["thresholds"] = [
            {"min": 0, "score": 0},
            {"min": 1, "score": 30},
            {"min": 5, "score": 60},
            {"min": 20, "score": 100},
        ]
    else:
        q["min"] = 1
        q["max"] = 5
    return q


def framework_dict() -> dict[str, Any]:
    """A realistic 50-criterion, 6-pillar set with conditions, gates and min_pillars levels."""
    pillars: list[dict[str, Any]] = []
    earlier: list[tuple[str, str]] = []
    n = 0
    for pcode, pname, count, pweight in PILLARS:
        criteria: list[dict[str, Any]] = []
        for j in range(count):
            qtype = TYPES[(n + j) % len(TYPES)]
            code = f"{pcode[0].upper()}{j + 1}"
            crit: dict[str, Any] = {
                "code": code,
                "name": _t(f"Tiêu chí {code}"),
                "weight": 1 + (n + j) % 3,
                "question": _question(qtype, n + j),
            }
            if (n + j) % 11 == 5:
                crit["required"] = False
            if j in (5, 7) and earlier:
                ref, rtype = earlier[(n + j) % len(earlier)]
                crit["relevant"] = {
                    "single": f"{ref} != 'o0'",
                    "multi": f"'o1' in {ref} or 'o2' in {ref}",
                    "boolean": f"{ref} == true",
                    "number": f"{ref} >= 1",
                    "scale": f"not {ref} < 2",
                }[rtype]
            if code in GATES:
                crit["required_for_level"] = GATES[code]
                crit["target"] = 75
            criteria.append(crit)
            earlier.append((code, qtype))
        n += count
        pillars.append({"code": pcode, "name": _t(pname), "weight": pweight, "criteria": criteria})
    levels = [{"code": 0, "name": _t("Chưa bắt đầu"), "min": 0}]
    for code, lmin in [(1, 20), (2, 35), (3, 50), (4, 65), (5, 80)]:
        level: dict[str, Any] = {"code": code, "name": _t(f"Mức {code}"), "min": lmin}
        if code >= 2:
            level["min_pillars"] = 4
            level["pillar_min"] = lmin - 5
        levels.append(level)
    return {
        "code": "bench-sme",
        "version": "1",
        "name": _t("Bộ tiêu chí thử tải"),
        "sector": "general",
        "entity_types": ["enterprise"],
        "source": "synthetic benchmark set",
        "levels": levels,
        "pillars": pillars,
    }


def columns(
    fw_dict: dict[str, Any], n: int, seed: int = 20250101
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Random answers as columns (a few percent unanswered), plus multi "answered" columns."""
    rng = np.random.default_rng(seed)
    cols: dict[str, np.ndarray] = {}
    answered: dict[str, np.ndarray] = {}
    for p in fw_dict["pillars"]:
        for c in p["criteria"]:
            q = c["question"]
            code = c["code"]
            skip = rng.random(n) < (0.02 if c.get("required", True) else 0.2)
            if q["type"] == "single":
                col = rng.integers(0, len(q["options"]), n, dtype=np.int16)
                col[skip] = -1
            elif q["type"] == "multi":
                col = rng.integers(0, 16, n, dtype=np.uint64)
                col[col == 0] = np.uint64(1 << 4)  # the exclusive "none" option alone
                col[skip] = 0
                answered[code] = ~skip
            elif q["type"] == "boolean":
                col = rng.integers(0, 2, n, dtype=np.int8)
                col[skip] = -1
            elif q["type"] == "number":
                col = np.floor(rng.exponential(8.0, n))
                col[skip] = np.nan
            else:
                col = rng.integers(1, 6, n).astype(np.float64)
                col[skip] = np.nan
            cols[code] = col
    return cols, answered
