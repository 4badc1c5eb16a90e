"""DTI structures and scorecards without a database: hand-computed examples for 922 and 405,
complete ministry files, and every refusal naming its field."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from thuocdo.dti.domain import files
from thuocdo.dti.domain.scorecard import (
    StructureError,
    ValuesError,
    check_completes,
    check_values,
    compute,
    legacy_to_current,
    load_structure,
    movers,
    rank,
)


def builtin(label: str) -> tuple[dict[str, Any], Any]:
    for data, s in files.builtin_structures():
        if s.label == label:
            return data, s
    raise AssertionError(label)


def full_922() -> dict[str, Any]:
    """A ministry file for 922 with 98 components: 10 of 10 points for each foundation index,
    20 of 10 for government, 15 of 10 for economy, 12 of 12 and one of 6 for society."""
    data, _s = builtin("dti-province@922-2022")
    data = copy.deepcopy(data)
    data["components_published"] = True
    methods = [
        ("submission", {"indicator": "dvc-online-share"}),
        ("survey", {"entity_type": "enterprise", "min_level": 2}),
        ("agency", {"criteria_set": "agency-dept-dx"}),
        ("entered", {}),
    ]
    plan = {
        "awareness": [10] * 10,
        "institutions": [10] * 10,
        "infrastructure": [10] * 10,
        "workforce": [10] * 10,
        "cybersecurity": [10] * 10,
        "smart_city": [],
        "gov_activity": [10] * 20,
        "economy_activity": [10] * 15,
        "society_activity": [12] * 12 + [6],
    }
    n = 0
    for idx in data["indices"]:
        comps = []
        for m, mx in enumerate(plan[idx["code"]], start=1):
            method, source = methods[n % 4]
            n += 1
            comps.append(
                {"code": f"{idx['code']}.{m}", "max": mx, "method": method, "source": source}
            )
        idx["components"] = comps
    assert n == 98
    return data


def test_922_builtin_by_hand() -> None:
    _data, s = builtin("dti-province@922-2022")
    assert (s.total, s.main_indices, s.components_declared) == (Decimal(1000), 9, 98)
    assert [i.max for i in s.indices if i.group == "foundation"] == [100] * 5 + [0]
    values = check_values(
        s,
        {
            "awareness": {"points": 80, "evidence": "https://so.example.gov.vn/bc/1.pdf"},
            "institutions": {"points": "70.5", "evidence": "https://so.example.gov.vn/2.pdf"},
            "infrastructure": {"points": 90, "evidence": "https://so.example.gov.vn/3.pdf"},
            "workforce": {"points": 60, "evidence": "https://so.example.gov.vn/4.pdf"},
            "cybersecurity": {"points": 75.25, "evidence": "https://so.example.gov.vn/5.pdf"},
            "gov_activity": {"points": 150, "evidence": "https://so.example.gov.vn/6.pdf"},
            "economy_activity": {"points": 100, "evidence": "https://so.example.gov.vn/7.pdf"},
            "society_activity": {"points": 120, "evidence": "https://so.example.gov.vn/8.pdf"},
        },
    )
    card = compute(s, {k: v.points for k, v in values.items()})
    # 80 + 70.5 + 90 + 60 + 75.25 + 150 + 100 + 120 = 745.75 → 0.74575 → 0.7458 (half up)
    assert card.points == Decimal("745.75")
    assert card.value == Decimal("0.7458")
    assert card.missing == ()


def test_922_complete_file_by_hand() -> None:
    known = builtin("dti-province@922-2022")[1]
    s = load_structure(full_922())
    assert len(s.components()) == 98 and check_completes(known, s) == []
    methods = {c.method for _i, c in s.components()}
    assert methods == {"submission", "survey", "agency", "entered"}
    values = {
        "awareness.1": Decimal(10),
        "awareness.2": Decimal("7.5"),
        "gov_activity.20": Decimal("9.25"),
        "society_activity.13": Decimal(6),
        "society_activity.1": Decimal("11.5"),
    }
    card = compute(s, values)
    # 10 + 7.5 + 9.25 + 6 + 11.5 = 44.25 → 0.04425 → 0.0443
    assert card.points == Decimal("44.25") and card.value == Decimal("0.0443")
    by = {i.code: i.points for i in card.indices}
    assert by["awareness"] == Decimal("17.5") and by["society_activity"] == Decimal("17.5")
    assert len(card.missing) == 93


def test_405_province_and_ministry_by_hand() -> None:
    _d, s = builtin("dti-province@405-2025")
    assert (s.main_indices, s.components_declared) == (8, 47)
    card = compute(
        s,
        {
            "awareness": Decimal(95),
            "institutions": Decimal(88),
            "infrastructure": Decimal("79.5"),
            "workforce": Decimal(70),
            "cybersecurity": Decimal(91),
            "gov_activity": Decimal("182.4"),
            "economy_activity": Decimal("110.1"),
            "society_activity": Decimal(133),
        },
    )
    # 95 + 88 + 79.5 + 70 + 91 + 182.4 + 110.1 + 133 = 849 → 0.8490
    assert card.points == Decimal(849) and card.value == Decimal("0.8490")
    _d, m = builtin("dti-ministry@405-2025")
    assert (m.kind, m.main_indices, m.components_declared) == ("ministry", 6, 31)
    card = compute(m, {"awareness": Decimal(50), "gov_activity": Decimal("333.33")})
    assert card.value == Decimal("0.3833")  # 383.33 / 1000


def test_405_complete_file_of_47_components() -> None:
    data, known = builtin("dti-province@405-2025")
    data = copy.deepcopy(data)
    data["components_published"] = True
    sizes = {"gov_activity": 10, "economy_activity": 6, "society_activity": 6}
    for idx in data["indices"]:
        k = sizes.get(idx["code"], 5)
        step = Decimal(idx["max"]) / k
        idx["components"] = [
            {"code": f"{idx['code']}.{n}", "max": str(step), "method": "entered"}
            for n in range(1, k + 1)
        ]
    s = load_structure(data)
    assert len(s.components()) == 47 and check_completes(known, s) == []
    card = compute(s, {"gov_activity.1": Decimal(20), "economy_activity.6": Decimal(25)})
    assert card.value == Decimal("0.0450")


def fields(exc: pytest.ExceptionInfo[Any]) -> dict[str, str]:
    return {p.field: p.key for p in exc.value.problems}


def test_structure_not_summing_to_total_is_refused_naming_the_field() -> None:
    data = copy.deepcopy(builtin("dti-province@922-2022")[0])
    data["indices"][0]["max"] = 90
    with pytest.raises(StructureError) as exc:
        load_structure(data)
    assert fields(exc) == {"total": "sum"}
    assert exc.value.problems[0].params == {"sum": Decimal(990), "total": Decimal(1000)}

    full = full_922()
    full["indices"][1]["components"][0]["max"] = 11
    with pytest.raises(StructureError) as exc:
        load_structure(full)
    assert fields(exc) == {"indices[1].components": "sum"}

    full = full_922()
    full["indices"][0]["components"].pop()
    full["indices"][0]["max"] = 90
    full["total"] = 990
    with pytest.raises(StructureError) as exc:
        load_structure(full)
    assert fields(exc) == {"components": "count"}
    assert check_completes(builtin("dti-province@922-2022")[1], load_structure(full_922())) == []


def test_structure_other_refusals() -> None:
    full = full_922()
    full["indices"][6]["components"][0]["method"] = "guess"
    full["indices"][6]["components"][1].update(method="submission", source={})
    full["indices"][5]["max"] = 5
    full["main_indices"] = 8
    with pytest.raises(StructureError) as exc:
        load_structure(full)
    got = fields(exc)
    assert got["indices[6].components[0].method"] == "method"
    assert got["indices[6].components[1].source.indicator"] == "missing"
    assert got["indices[5].max"] == "observed"
    assert got["main_indices"] == "count"


def test_values_outside_range_and_without_evidence_are_refused() -> None:
    s = builtin("dti-province@922-2022")[1]
    with pytest.raises(ValuesError) as exc:
        check_values(
            s,
            {
                "awareness": {"points": 101, "evidence": "https://x.gov.vn/a"},
                "institutions": {"points": -1, "evidence": "https://x.gov.vn/a"},
                "infrastructure": 50,
                "workforce": {"points": 5, "evidence": "ổ đĩa D"},
                "nope": 1,
                "gov_activity": {"points": "1.234", "evidence": "https://x.gov.vn/a"},
                "economy_activity": "nhiều",
            },
        )
    assert fields(exc) == {
        "awareness": "range",
        "institutions": "range",
        "infrastructure": "evidence",
        "workforce": "evidence_link",
        "nope": "unknown_component",
        "gov_activity": "precision",
        "economy_activity": "not_number",
    }


def test_rank_movers_and_legacy_mean() -> None:
    assert rank({"a": Decimal(3), "b": Decimal(5), "c": Decimal(3), "d": Decimal(1)}) == {
        "b": 1,
        "a": 2,
        "c": 2,
        "d": 4,
    }
    s = builtin("dti-province@405-2025")[1]
    before = compute(s, {"awareness": Decimal(50), "workforce": Decimal(40)})
    after = compute(s, {"awareness": Decimal(55), "workforce": Decimal(20), "gov_activity": 3})
    assert [(m["index"], m["delta"]) for m in movers(before, after)] == [
        ("workforce", -20),
        ("awareness", 5),
        ("gov_activity", 3),
    ]
    got = legacy_to_current(
        {"1": Decimal("0.5"), "2": Decimal("0.7"), "3": Decimal("0.6")},
        [("1", "A"), ("2", "A"), ("3", "B"), ("4", "C")],
    )
    assert got == {"A": Decimal("0.6000"), "B": Decimal("0.6")}
