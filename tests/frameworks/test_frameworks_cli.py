"""The command-line contract (DESIGN §4): JSON shapes, exit codes, every problem printed."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from tests.frameworks.sets import set_text

from thuocdo.cli import main
from thuocdo.frameworks.builtins import BUILTIN_DIR
from thuocdo.frameworks.models import FrameworkVersion, Status

pytestmark = pytest.mark.django_db
INVALID = Path(__file__).parent / "engine" / "fixtures" / "invalid"


def run(capsys: Any, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write_json(tmp_path: Path, data: Any, name: str = "answers.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


ANSWERS = {"W1": "basic", "W2": ["zalo"], "O1": True, "O3": 4}


def test_score_prints_exactly_the_contract(capsys: Any, write_set: Any, tmp_path: Path) -> None:
    code, out, err = run(capsys, "score", str(write_set()), str(write_json(tmp_path, ANSWERS)))
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert list(result) == ["overall", "level", "pillars", "pillar_levels", "criteria", "unmet"]
    # web = (2·50 + 1·40)/3 = 46.67; ops = (1·100 + 1·75)/2 = 87.5 (O2 optional, unanswered)
    # overall = (2·46.67 + 87.5)/3 = 60.28 ≥ 60, but level 2 needs two pillars ≥ 50 → 1
    assert result["overall"] == pytest.approx((2 * 140 / 3 + 87.5) / 3)
    assert isinstance(result["overall"], float)
    assert result["level"] == 1
    assert result["pillars"] == {"web": pytest.approx(140 / 3), "ops": 87.5}
    assert result["criteria"] == {"W1": 50.0, "W2": 40.0, "O1": 100.0, "O2": None, "O3": 75.0}
    # unmet by w·W·gap: W1 2·2·50 = 200, W2 1·2·60 = 120, O3 1·1·25 = 25
    assert result["unmet"] == ["W1", "W2", "O3"]


def test_score_by_label_of_a_builtin(capsys: Any, tmp_path: Path) -> None:
    fw = FrameworkVersion.objects.get(code="household-dx").engine()
    answers: dict[str, Any] = {}
    for c in fw.criteria():
        q = c.question
        if q.type == "single":
            answers[c.code] = q.options[-1].code
        elif q.type == "multi":
            answers[c.code] = [o.code for o in q.options if not o.exclusive][:1]
        elif q.type == "boolean":
            answers[c.code] = True
        elif q.type == "scale":
            answers[c.code] = q.max
        else:
            answers[c.code] = q.thresholds[-1].min
    code, out, err = run(capsys, "score", "household-dx@2025.1", str(write_json(tmp_path, answers)))
    assert code == 0, err
    result = json.loads(out)
    assert set(result["criteria"]) == {c.code for c in fw.criteria()}
    assert 0 <= result["overall"] <= 100 and result["level"] >= 0


def test_score_names_every_bad_or_missing_answer(
    capsys: Any, write_set: Any, tmp_path: Path
) -> None:
    bad = {"W1": "basic", "W2": ["zalo", "none"], "O1": "yes", "ZZ": 3, "O3": 9}
    code, out, err = run(capsys, "score", str(write_set()), str(write_json(tmp_path, bad)))
    assert (code, out) == (1, "")
    lines = err.strip().splitlines()
    assert len(lines) == 4
    assert "'W2'" in lines[0] and "'none'" in lines[0]
    assert "'O1'" in lines[1] and "true/false" in lines[1]
    assert "'ZZ'" in lines[2]
    assert "'O3'" in lines[3] and "[1, 5]" in lines[3]
    # incomplete: W1, O1 and O3 are missing, and W2 too (its condition W1 != 'none' holds
    # for a missing W1: every comparison with a missing answer is false except !=)
    code, out, err = run(capsys, "score", str(write_set()), str(write_json(tmp_path, {})))
    assert code == 1
    assert [line.split("'")[1] for line in err.strip().splitlines()] == ["W1", "W2", "O1", "O3"]
    assert "chưa được trả lời" in err
    code, _, err = run(
        capsys, "score", "--lang", "en", str(write_set()), str(write_json(tmp_path, {}))
    )
    assert code == 1 and "Required criterion 'W1' is not answered." in err


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"[1, 2]", "JSON"),
        (b'{"W1": ', "JSON"),
        (b"\xff\xfe{}", "UTF-8"),
        (b'{"W1": "basic", "W1": "shop"}', "'W1'"),
        (b"[" * 100_000 + b"]" * 100_000, "JSON"),
        (b'{"O3": "4"}', "'O3'"),  # a number given as a string is a wrong type
        (b'{"O3": NaN}', "'O3'"),
    ],
)
def test_score_refuses_bad_answers_files(
    capsys: Any, write_set: Any, tmp_path: Path, content: bytes, needle: str
) -> None:
    path = tmp_path / "answers.json"
    path.write_bytes(content)
    code, out, err = run(capsys, "score", str(write_set()), str(path))
    assert (code, out) == (1, "")
    assert needle in err


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        # too large for a float: named as the answer to O3 (scale) and O2 (number)
        (b'{"O3": 1' + b"0" * 400 + b"}", "'O3': the number is too large"),
        (b'{"O2": -1' + b"0" * 400 + b"}", "'O2': the number is too large"),
        # over Python's 4,300-digit limit: refused while reading the JSON
        (b'{"O3": ' + b"1" * 5000 + b"}", "answers.json: a number in the JSON has too many"),
    ],
)
def test_score_refuses_numbers_too_large_for_a_float(
    capsys: Any, write_set: Any, tmp_path: Path, content: bytes, needle: str
) -> None:
    path = tmp_path / "answers.json"
    path.write_bytes(content)
    code, out, err = run(capsys, "score", "--lang", "en", str(write_set()), str(path))
    assert (code, out) == (1, "")
    assert needle in err
    assert "Traceback" not in err


def test_score_refuses_an_oversized_answers_file_without_reading_it(
    capsys: Any, write_set: Any, tmp_path: Path
) -> None:
    path = tmp_path / "answers.json"
    with path.open("wb") as fh:
        fh.write(b'{"W1": "' + b"x" * (6 * 1024 * 1024) + b'"}')
    tracemalloc.start()
    code, _, err = run(capsys, "score", str(write_set()), str(path))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert code == 1 and "5242880" in err
    assert peak < 2 * 1024 * 1024


def test_score_with_an_invalid_set_prints_its_problems(capsys: Any, tmp_path: Path) -> None:
    answers = write_json(tmp_path, {})
    code, out, err = run(capsys, "score", str(INVALID / "several_problems.yaml"), str(answers))
    assert (code, out) == (1, "")
    assert len(err.strip().splitlines()) == 5
    assert "pillars[0].criteria[0].question.options[1].score" in err
    code, _, err = run(capsys, "score", "no-such-set@1", str(answers))
    assert code == 1 and "no-such-set@1" in err
    code, _, err = run(capsys, "score", "not a label", str(answers))
    assert code == 1 and "sme-dx@2025.1" in err and "not a label" in err


def test_validate_exit_codes_and_every_problem(capsys: Any, write_set: Any) -> None:
    code, out, _ = run(capsys, "frameworks", "validate", str(write_set()))
    assert code == 0 and "thu-nghiem@1" in out and "hợp lệ" in out
    path = str(INVALID / "several_problems.yaml")
    code, out, _ = run(capsys, "frameworks", "validate", path)
    assert code == 1
    lines = out.strip().splitlines()
    assert len(lines) == 6  # five problems and a count
    assert lines[1] == (
        f"{path}:20: pillars[0].criteria[0].question.options[1].score: "
        "Điểm phải trong khoảng [0, 100], nhận được 101. [score.out_of_range]"
    )
    code, out, _ = run(capsys, "frameworks", "validate", "--lang", "en", path)
    assert code == 1 and "The score must be within [0, 100], got 101." in out
    code, out, _ = run(capsys, "frameworks", "validate", "--json", path)
    data = json.loads(out)
    assert code == 1 and data["valid"] is False
    assert [p["path"] for p in data["problems"]] == [
        "version",
        "pillars[0].criteria[0].question.options[1].score",
        "pillars[0].criteria[1].weight",
        "pillars[1].criteria[0].required_for_level",
        "pillars[1].criteria[2].question.type",
    ]


def test_validate_every_builtin(capsys: Any) -> None:
    for path in sorted(BUILTIN_DIR.glob("*-*.yaml")):
        code, out, _ = run(capsys, "frameworks", "validate", str(path))
        assert code == 0, out


@pytest.mark.parametrize(
    ("content", "code_"),
    [
        (b"a: &a [1]\nb: *a\n", "yaml.alias_not_allowed"),
        (b"x: " + b"[" * 200 + b"]" * 200 + b"\n", "yaml.too_deep"),
        (b'code: x\nname: {vi: "\xe0"}\n', "file.not_utf8"),
        (set_text().replace("weight: 2\n", 'weight: "hai"\n', 1).encode(), "type.wrong"),
        (b"", "file.empty"),
    ],
)
def test_validate_refuses_bad_files(
    capsys: Any, tmp_path: Path, content: bytes, code_: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    code, out, _ = run(capsys, "frameworks", "validate", str(path))
    assert code == 1 and f"[{code_}]" in out


def test_validate_refuses_a_file_over_5_mb_without_reading_it(capsys: Any, tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as fh:
        fh.write(b"# " + b"x" * (5 * 1024 * 1024 + 10) + b"\n")
    tracemalloc.start()
    code, out, _ = run(capsys, "frameworks", "validate", str(path))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert code == 1 and "[file.too_large]" in out
    assert peak < 1024 * 1024


def test_load_list_show_and_diff(capsys: Any, write_set: Any, tmp_path: Path) -> None:
    code, out, _ = run(capsys, "frameworks", "load", str(write_set()))
    data = json.loads(out)
    assert code == 0 and (data["label"], data["status"], data["created"]) == (
        "thu-nghiem@1",
        "draft",
        True,
    )
    code, out, _ = run(capsys, "frameworks", "load", "--publish", str(write_set()))
    assert code == 0 and json.loads(out)["status"] == "published"
    # a published version never changes
    changed = write_set("changed.yaml", basic=70)
    code, out, err = run(capsys, "frameworks", "load", str(changed))
    assert (code, out) == (1, "") and "thu-nghiem@1" in err
    assert FrameworkVersion.objects.get(code="thu-nghiem").status == Status.PUBLISHED
    code, out, _ = run(capsys, "frameworks", "load", str(INVALID / "negative_weight.yaml"))
    assert code == 1

    code, out, _ = run(capsys, "frameworks", "list", "--code", "thu-nghiem")
    (row,) = json.loads(out)
    assert (row["label"], row["pillars"], row["criteria"]) == ("thu-nghiem@1", 2, 5)
    code, out, _ = run(capsys, "frameworks", "list", "--entity-type", "farm")
    assert [r["label"] for r in json.loads(out)] == ["farm-dx@2025.1"]

    code, out, _ = run(capsys, "frameworks", "show", "thu-nghiem@1")
    shown = json.loads(out)
    assert code == 0 and shown["definition"]["pillars"][0]["criteria"][0]["code"] == "W1"
    code, out, _ = run(capsys, "frameworks", "show", "--yaml", "thu-nghiem@1")
    assert out == set_text()
    code, _, err = run(capsys, "frameworks", "show", "thu-nghiem@9")
    assert code == 1 and "thu-nghiem@9" in err

    v2 = write_set("v2.yaml", version="2", basic=60, web_weight=3)
    code, out, _ = run(capsys, "frameworks", "diff", "thu-nghiem@1", str(v2))
    d = json.loads(out)
    assert code == 0 and (d["old"], d["new"]) == ("thu-nghiem@1", "thu-nghiem@2")
    assert d["pillars"]["changed"] == {"web": {"weight": {"old": 2, "new": 3}}}
    (w1,) = d["criteria"]["changed"]
    assert w1["options"]["changed"] == {"basic": {"score": {"old": 50, "new": 60}}}
    assert d["affects_scores"] is True
    code, _, err = run(
        capsys, "frameworks", "diff", "thu-nghiem@1", str(INVALID / "negative_weight.yaml")
    )
    assert code == 1 and "weight.not_positive" in err


def test_files_are_read_in_bounded_chunks() -> None:
    from io import BytesIO

    from thuocdo.frameworks.engine.loader import read_bounded

    assert read_bounded(BytesIO(b"x" * 10), 4) == b"xxxxx"  # one byte more than the limit
    assert read_bounded(BytesIO(b"abc"), 4) == b"abc"
    assert read_bounded(BytesIO(b""), 4) == b""


def test_score_falls_back_to_the_builtin_file(
    capsys: Any, tmp_path: Path, forget_sets: Any
) -> None:
    fw = FrameworkVersion.objects.get(code="farm-dx").engine()
    forget_sets("farm-dx")  # as before `load-builtins`
    assert not FrameworkVersion.objects.filter(code="farm-dx").exists()
    answers = {c.code: None for c in fw.criteria()}
    code, out, err = run(capsys, "score", "farm-dx@2025.1", str(write_json(tmp_path, answers)))
    # the set is found (from its file); the empty answers are reported as missing
    assert code == 1 and out == ""
    assert "farm-dx" not in err and "chưa được trả lời" in err


BUILTIN_CODES = [
    "agency-commune-dx", "agency-dept-dx", "cooperative-dx", "dbi-1970", "destination-dx", "farm-dx", "household-dx", "logistics-dx",
    "manufacturing-readiness", "market-dx", "retail-dx", "shop-dx", "sme-dx",
]  # fmt: skip


def test_load_builtins_publishes_every_set_on_a_fresh_database(
    capsys: Any, forget_sets: Any
) -> None:
    forget_sets()
    assert not FrameworkVersion.objects.exists()
    code, out, err = run(capsys, "load-builtins")
    assert (code, err) == (0, "")
    assert json.loads(out)["frameworks"] == {"criteria_sets": 13, "created": 13}
    code, out, _ = run(capsys, "frameworks", "list")
    rows = json.loads(out)
    assert code == 0
    assert sorted(r["code"] for r in rows) == BUILTIN_CODES
    assert all(r["status"] == "published" and r["builtin"] for r in rows)
    assert all(r["pillars"] >= 4 and r["criteria"] >= 20 for r in rows)
    types = {r["code"]: r["entity_types"] for r in rows}
    assert types["agency-dept-dx"] == ["agency_department", "public_service_unit"]
    assert types["agency-commune-dx"] == ["agency_commune"]
    # a second run changes nothing
    code, out, _ = run(capsys, "load-builtins")
    assert code == 0 and json.loads(out)["frameworks"] == {"criteria_sets": 13, "created": 0}


@pytest.mark.parametrize("label", ["agency-dept-dx@2025.1", "agency-commune-dx@2025.1"])
def test_agency_sets_score_by_hand(label: str, capsys: Any, tmp_path: Path) -> None:
    fw = FrameworkVersion.objects.get(code=label.split("@")[0]).engine()
    assert (
        "không phải văn bản chính thức"
        in (FrameworkVersion.objects.get(code=label.split("@")[0]).definition["source"])
    )
    best: dict[str, Any] = {}
    for c in fw.criteria():
        q = c.question
        if q.type in ("single", "multi"):
            best[c.code] = q.options[-1].code if q.type == "single" else [q.options[0].code]
        elif q.type == "boolean":
            best[c.code] = True
        else:
            best[c.code] = 100
        assert c.description is not None and c.description.vi.startswith("Minh chứng:")
    code, out, err = run(capsys, "score", label, str(write_json(tmp_path, best)))
    assert code == 0, err
    assert (json.loads(out)["overall"], json.loads(out)["level"]) == (100.0, 5)
    # awareness by hand: A1 "delegated to a deputy" 40 × weight 2, A2 yes 100 × weight 1 → 60
    mid = {**best, "A1": "b", "A2": True}
    code, out, _ = run(capsys, "score", label, str(write_json(tmp_path, mid)))
    assert json.loads(out)["pillars"]["awareness"] == pytest.approx((40 * 2 + 100) / 3)
