"""Checks of the built-in plan and platform files against their source documents (no Django)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

import thuocdo
from thuocdo.plans.domain import SURVEY_ROLES
from thuocdo.plans.domain.deadlines import FixedDeadline, parse

PACKAGE = Path(thuocdo.__file__).parent
PLANS = PACKAGE / "plans" / "builtin"
PROVINCE_DX = PLANS / "province-dx.yaml"
SECTOR_DE = PLANS / "sector-de-2025.yaml"
NATIONAL = PLANS / "national-2023.yaml"
PLATFORMS = PACKAGE / "ecosystem" / "builtin" / "national_platforms.yaml"
SOLUTION_TAGS = PACKAGE / "frameworks" / "builtin" / "solution_tags.yaml"
ALL_FILES = [PROVINCE_DX, SECTOR_DE, NATIONAL, PLATFORMS]


def load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    assert isinstance(data, dict)
    return data


def tasks_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [task for group in data["groups"] for task in group["tasks"]]


def strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def names(node: Any) -> Iterator[dict[str, Any]]:
    """Every mapping with a "vi" or "en" key: a name pair {vi, en} (abbreviations add "abbr")."""
    if isinstance(node, dict):
        if {"vi", "en"} & set(node):
            # A comma inside an unquoted flow mapping would add stray keys here.
            # nested mappings (e.g. a platform owner's ``how_to_use`` pair) are checked below
            nested = {k for k, v in node.items() if isinstance(v, dict)}
            assert set(node) - {"abbr"} - nested == {"vi", "en"}, node
            yield node
        for value in node.values():
            yield from names(value)
    elif isinstance(node, list):
        for item in node:
            yield from names(item)


# --------------------------------------------------------------------------- every file


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_file_starts_with_its_source(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("source:")
    source = load(path)["source"]
    assert "bản sao dựng sẵn" in source
    assert "built-in copy" in source.lower()


@pytest.mark.parametrize(
    ("path", "citation"),
    [
        (PROVINCE_DX, "Phụ lục I"),
        (SECTOR_DE, "5473/BTTTT-KTS&XHS ngày 21/12/2024"),
        (NATIONAL, "466/QĐ-BTTTT ngày 28/3/2023"),
        (PLATFORMS, "466/QĐ-BTTTT ngày 28/3/2023"),
    ],
)
def test_source_cites_the_document(path: Path, citation: str) -> None:
    assert citation in load(path)["source"]


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_text_is_nfc_utf8_vietnamese(path: Path) -> None:
    data = load(path)
    for s in strings(data):
        assert unicodedata.is_normalized("NFC", s), s
        assert "\ufffd" not in s, s
    for pair in names(data):
        if pair["vi"] is None:
            continue
        assert isinstance(pair["vi"], str)
        assert pair["vi"].strip(), pair
        assert isinstance(pair["en"], str)
        assert pair["en"].strip(), pair


def keys(node: Any) -> Iterator[object]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from keys(value)
    elif isinstance(node, list):
        for item in node:
            yield from keys(item)


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_mapping_keys_are_identifiers(path: Path) -> None:
    # Text that slipped into a key (e.g. a comma in an unquoted flow mapping) fails here.
    for key in keys(load(path)):
        assert isinstance(key, str), key
        assert re.fullmatch(r"[A-Za-z0-9_.-]+", key), key


@pytest.mark.parametrize("path", [PROVINCE_DX, SECTOR_DE, NATIONAL], ids=lambda p: p.name)
def test_plan_files_have_unique_codes_and_titles(path: Path) -> None:
    data = load(path)
    assert re.fullmatch(r"[a-z0-9-]+", data["code"])
    codes = [t["code"] for t in tasks_of(data)]
    assert [c for c, n in Counter(codes).items() if n > 1] == []
    group_codes = [g["code"] for g in data["groups"]]
    assert len(set(group_codes)) == len(group_codes)
    for task in tasks_of(data):
        assert isinstance(task["code"], str)
        assert task["title"]["vi"]
        assert task["title"]["en"]
        assert any(ord(ch) > 127 for ch in task["title"]["vi"]), task["code"]


@pytest.mark.parametrize("path", [PROVINCE_DX, SECTOR_DE, NATIONAL], ids=lambda p: p.name)
def test_every_deadline_parses(path: Path) -> None:
    data = load(path)
    year = data["default_year"]
    for task in tasks_of(data):
        specs = [task["deadline"]] + [m["deadline"] for m in task.get("milestones", [])]
        for spec in specs:
            if spec is not None:
                parse(spec)  # raises with a message naming the text
        if "start" in task:
            assert date.fromisoformat(task["start"]) >= date(2022, 1, 1)
        if task["deadline"] is None:
            continue
        assert task["deadline_text"], task["code"]
        spec = parse(task["deadline"])
        if isinstance(spec, FixedDeadline):
            assert spec.due(year) >= date(2022, 1, 1)


@pytest.mark.parametrize("path", [PROVINCE_DX, SECTOR_DE, NATIONAL], ids=lambda p: p.name)
def test_survey_roles_are_from_the_vocabulary(path: Path) -> None:
    for task in tasks_of(load(path)):
        assert "survey_role" in task, task["code"]
        assert task["survey_role"] is None or task["survey_role"] in SURVEY_ROLES, task["code"]


# --------------------------------------------------------------------------- province-dx


def test_province_dx_has_12_groups_and_36_tasks() -> None:
    data = load(PROVINCE_DX)
    assert data["code"] == "province-dx"
    assert [g["number"] for g in data["groups"]] == list(range(1, 13))
    assert [g["code"] for g in data["groups"]] == [str(n) for n in range(1, 13)]
    assert len(tasks_of(data)) == 36
    counts = [len(g["tasks"]) for g in data["groups"]]
    assert counts == [6, 4, 3, 1, 2, 3, 1, 1, 3, 3, 8, 1]


def test_province_dx_groups_match_the_counts_stated_in_the_annex() -> None:
    for group in load(PROVINCE_DX)["groups"]:
        stated = group["stated_task_count"]
        if stated is not None:
            assert len(group["tasks"]) == stated, group["code"]


def test_province_dx_codes_follow_their_group() -> None:
    for group in load(PROVINCE_DX)["groups"]:
        for i, task in enumerate(group["tasks"], start=1):
            assert task["code"] == f"{group['code']}.{i}"


def test_province_dx_supporting_units_are_defined() -> None:
    data = load(PROVINCE_DX)
    units = {u["code"] for u in data["units"]}
    for task in tasks_of(data):
        assert task["supporting_units"], task["code"]
        assert set(task["supporting_units"]) <= units, task["code"]


def test_province_dx_deadlines_as_written() -> None:
    by_code = {t["code"]: t for t in tasks_of(load(PROVINCE_DX))}
    assert by_code["1.1"]["deadline"] == "30/3/2024"
    assert by_code["1.5"]["deadline"] == "30/5/2024"
    assert by_code["4.1"]["deadline"] == "Thường xuyên"
    assert by_code["6.2"]["deadline"] == "30/6/2024"
    assert by_code["6.3"]["deadline"] == "Tháng 6/2024"
    assert by_code["10.1"]["deadline"] == "Hằng quý"
    assert by_code["10.3"]["survey_role"] == "self_assessment"
    assert {c for c, t in by_code.items() if t["survey_role"]} == {"10.3"}


# --------------------------------------------------------------------------- sector-de-2025


def test_sector_framework_tasks() -> None:
    data = load(SECTOR_DE)
    assert data["code"] == "sector-de-2025"
    assert [g["code"] for g in data["groups"]] == [str(n) for n in range(1, 11)]
    tasks = tasks_of(data)
    assert len(tasks) == 70
    orgs = {o["code"] for o in data["organisations"]}
    sectors = {s["code"] for s in data["focus_sectors"]}
    assert sectors == {"retail", "tourism", "agriculture", "manufacturing", "logistics"}
    for task in tasks:
        assert task["audience"] in data["audiences"], task["code"]
        assert task["lead"], task["code"]
        assert set(task["lead"]) <= orgs, task["code"]
        assert set(task["coordinating"]) <= orgs, task["code"]
        assert set(task["sectors"]) <= sectors, task["code"]
        if task["code"].startswith("7."):
            assert len(task["sectors"]) == 1, task["code"]


def test_sector_survey_programme_is_tagged() -> None:
    roles = {t["code"]: t["survey_role"] for t in tasks_of(load(SECTOR_DE))}
    assert roles["2.a"] == "criteria_set"
    assert roles["2.b"] == "criteria_set"
    assert roles["2.c"] == "assessment_tool"
    assert roles["3.a"] == "self_assessment"
    assert roles["3.b"] == "pilot"
    assert roles["3.c"] == "scale_up"
    assert roles["3.d"] == "annual_publication"
    for sector in ("a", "b", "c", "d", "dd"):
        assert roles[f"7.{sector}.M1"] == "criteria_set"
        assert roles[f"7.{sector}.P1"] == "annual_publication"


def test_sector_entity_types_match_their_focus_sector() -> None:
    data = load(SECTOR_DE)
    allowed = {s["code"]: set(s["entity_types"]) for s in data["focus_sectors"]}
    for task in tasks_of(data):
        for sector in task["sectors"]:
            assert set(task.get("entity_types", [])) <= allowed[sector], task["code"]


def test_default_assignments_from_the_provincial_plan() -> None:
    data = load(SECTOR_DE)
    assignments = data["default_assignments"]
    departments = {d["code"] for d in assignments["departments"]}
    assert {"so-khcn", "so-ct", "so-vhttdl", "so-nnmt", "ubnd-xa"} <= departments
    assert assignments["coordinator"] in departments
    tasks = {t["code"]: t for t in tasks_of(data)}
    for code, rows in assignments["tasks"].items():
        assert code in tasks, code
        assert tasks[code]["audience"] in {"provinces", "both"}, code
        for row in rows:
            assert row["lead"] in departments, code
            assert set(row["coordinating"]) <= departments, code
            if row["deadline"] is not None:
                parse(row["deadline"])
                assert row["deadline_text"], code
    for code in assignments["not_assigned"]:
        assert code in tasks
        assert code not in assignments["tasks"]
    for code, task in tasks.items():
        if task["audience"] in {"provinces", "both"}:
            assert code in assignments["tasks"] or code in assignments["not_assigned"], code


def test_default_assignments_follow_the_provincial_plan() -> None:
    rows = load(SECTOR_DE)["default_assignments"]["tasks"]
    assert rows["1"][0]["lead"] == "so-khcn"
    assert rows["3.b"][0]["lead"] == "so-khcn"
    assert rows["7.a.P1"][0]["lead"] == "so-ct"
    assert rows["7.b.P1"][0]["lead"] == "so-vhttdl"
    assert rows["7.c.P1"][0]["lead"] == "so-nnmt"
    assert rows["7.d.P1"][0]["deadline"] == "Quý IV/2025"
    assert rows["7.dd.P1"][0]["deadline"] == "Quý III/2025"
    assert rows["9.c.P2"][0]["lead"] == "cong-an"


# --------------------------------------------------------------------------- national-2023


def test_national_plan_rows() -> None:
    data = load(NATIONAL)
    assert data["code"] == "national-2023"
    tasks = tasks_of(data)
    platform_rows = [t for t in tasks if "platform" in t]
    assert len(platform_rows) == 35
    assert len(tasks) - len(platform_rows) == 100
    parts = {p["code"] for p in data["parts"]}
    assert parts == {"A", "B", "C"}
    for group in data["groups"]:
        assert group["part"] in parts
        for task in group["tasks"]:
            assert task["code"].startswith(group["code"] + "."), task["code"]
    abbreviations = {a["abbr"] for a in data["abbreviations"]}
    assert {"NEAC", "Cục CĐSQG", "Vụ KTS và XHS"} <= abbreviations


def test_national_plan_periods_are_year_ranges() -> None:
    for task in tasks_of(load(NATIONAL)):
        if task["period"] is None:
            assert task["code"] == "C.I.3"  # the only row whose period cell is empty
            continue
        spec = parse(task["period"])
        assert isinstance(spec, FixedDeadline)
        assert spec.start_year is not None, task["code"]


def test_national_plan_deadlines_resolve_in_2023() -> None:
    for task in tasks_of(load(NATIONAL)):
        if task["deadline"] is None:
            continue
        spec = parse(task["deadline"])
        assert isinstance(spec, FixedDeadline)
        assert spec.due(2023).year == 2023, task["code"]


# --------------------------------------------------------------------------- platforms


def test_35_national_platforms() -> None:
    platforms = load(PLATFORMS)["platforms"]
    assert len(platforms) == 35
    assert [p["number"] for p in platforms] == list(range(1, 36))
    codes = [p["code"] for p in platforms]
    assert len(set(codes)) == 35
    for p in platforms:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", p["code"])
        assert p["name"]["vi"].startswith("Nền tảng")
        assert p["ownership"] == ("state" if p["number"] <= 20 else "enterprise")
        assert p["lead"]
        assert p["managing_units"]
        if p["deadline"] is not None:
            parse(p["deadline"])


def test_platform_categories_are_defined() -> None:
    data = load(PLATFORMS)
    for p in data["platforms"]:
        assert p["category"] in data["categories"], p["code"]
        assert p["ownership"] in data["ownership"], p["code"]


def test_platform_tags_are_in_the_shared_vocabulary() -> None:
    vocabulary = {t["code"] for t in load(SOLUTION_TAGS)["tags"]}
    tagged = 0
    for p in load(PLATFORMS)["platforms"]:
        assert isinstance(p["solution_tags"], list)
        assert len(set(p["solution_tags"])) == len(p["solution_tags"])
        assert set(p["solution_tags"]) <= vocabulary, p["code"]
        tagged += bool(p["solution_tags"])
    assert tagged >= 20


def test_platforms_and_plan_rows_point_at_each_other() -> None:
    platforms = {p["code"]: p for p in load(PLATFORMS)["platforms"]}
    rows = {t["code"]: t for t in tasks_of(load(NATIONAL)) if "platform" in t}
    assert {r["platform"] for r in rows.values()} == set(platforms)
    for code, platform in platforms.items():
        row = rows[platform["national_task"]]
        assert row["platform"] == code
        assert row["title"] == platform["name"]
        assert row["deadline"] == platform["deadline"]
