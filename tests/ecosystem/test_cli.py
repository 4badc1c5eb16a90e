"""`thuocdo recommend` and `thuocdo catalogue import`."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from thuocdo.cli import main
from thuocdo.ecosystem.models import Provider, Solution, SolutionStatus
from thuocdo.frameworks.builtins import BUILTIN_DIR
from thuocdo.frameworks.engine import score

from . import factories as f

pytestmark = pytest.mark.django_db


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_recommend_stored_response(capsys: pytest.CaptureFixture[str]) -> None:
    fv = f.framework("sme-dx")
    fw = fv.engine()
    resp = f.response(f.organisation(), f.campaign(fv))
    code_ = resp.unmet[0]
    sol = f.solution(f.provider(), criteria=[f"sme-dx:{code_}"])
    f.promotion(sol, months=6)
    code, out, err = run(capsys, "recommend", str(resp.pk), "--limit", "100")
    assert code == 0, err
    data = json.loads(out)
    assert list(data) == ["level", "next_level", "solutions"]
    assert data["level"] == resp.level
    plan = data["next_level"]
    assert plan["level"] == (resp.level or 0) + 1
    changed = dict(resp.answers)
    for ch in plan["changes"]:
        assert set(ch) == {"criterion", "from", "to"}
        assert ch["from"] == resp.answers.get(ch["criterion"])
        changed[ch["criterion"]] = ch["to"]
    assert score(fw, changed).level >= plan["level"]
    mine = next(s for s in data["solutions"] if s["id"] == sol.pk)
    assert code_ in mine["covers"] and mine["name"] == sol.name_vi
    assert mine["promotion"]["free_trial_months"] == 6


def test_recommend_from_a_file_at_the_top_level(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fw_file = tmp_path / "tiny.yaml"
    fw_file.write_text(
        """
code: tiny
version: "1"
name: {vi: "Nhỏ"}
levels:
  - {code: 0, name: {vi: "0"}, min: 0}
  - {code: 1, name: {vi: "1"}, min: 50}
pillars:
  - code: p
    name: {vi: "P"}
    weight: 1
    criteria:
      - code: S1
        name: {vi: "S1"}
        solution_tags: [crm]
        question: {type: boolean, text: {vi: "Có CRM?"}}
""",
        encoding="utf-8",
    )
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({"S1": True}), encoding="utf-8")
    code, out, err = run(capsys, "recommend", "--framework", str(fw_file), str(answers))
    assert code == 0, err
    data = json.loads(out)
    assert data["level"] == 1 and data["next_level"] is None and data["reason"]
    assert data["solutions"] == []
    answers.write_text(json.dumps({"S1": False}), encoding="utf-8")
    code, out, _ = run(capsys, "recommend", "--framework", str(fw_file), str(answers))
    data = json.loads(out)
    assert data["next_level"] == {
        "level": 1,
        "changes": [{"criterion": "S1", "from": False, "to": True}],
        "exact": True,
    }


def test_recommend_builtin_code_and_bad_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fv = f.framework("shop-dx")
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps(f.low_answers(fv)), encoding="utf-8")
    code, out, err = run(capsys, "recommend", "--framework", f"shop-dx@{fv.version}", str(answers))
    assert code == 0, err
    assert json.loads(out)["level"] == score(fv.engine(), f.low_answers(fv)).level
    answers.write_text(json.dumps({"NOPE": 1}), encoding="utf-8")
    code, _, err = run(capsys, "recommend", "--framework", f"shop-dx@{fv.version}", str(answers))
    assert code == 1 and "NOPE" in err
    code, _, err = run(capsys, "recommend", "999999")
    assert code == 1 and "999999" in err
    assert (BUILTIN_DIR / "shop-dx.yaml").exists()


HEADER = [
    "provider_code",
    "provider_name",
    "code",
    "name_vi",
    "category",
    "price_model",
    "price",
    "solution_tags",
    "criteria",
    "sectors",
]


def write_csv(path: Path, rows: list[list[Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(rows)


def test_catalogue_import_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cat.csv"
    write_csv(
        path,
        [
            [
                "cong-ty-a",
                "Công ty A",
                "a-crm",
                "Quản lý khách hàng A",
                "business",
                "monthly",
                "150000",
                "crm",
                "",
                "retail;general",
            ],
            [
                "cong-ty-a",
                "",
                "a-ketoan",
                "Kế toán A",
                "business",
                "yearly",
                "2000000",
                "accounting",
                "",
                "",
            ],
        ],
    )
    code, out, err = run(capsys, "catalogue", "import", str(path))
    assert code == 0, err
    assert json.loads(out) == {"providers": 1, "solutions": 2}
    assert set(
        Solution.objects.filter(provider__code="cong-ty-a").values_list("status", flat=True)
    ) == {SolutionStatus.PENDING}


def test_catalogue_import_reports_every_bad_row_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.xlsx"
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADER)
    ws.append(
        [
            "cong-ty-b",
            "Công ty B",
            "b-ok",
            "Giải pháp tốt",
            "business",
            "monthly",
            1000,
            "crm",
            "",
            "",
        ]
    )
    ws.append(
        ["cong-ty-b", "Công ty B", "b-neg", "Giá âm", "business", "monthly", -5, "crm", "", ""]
    )
    ws.append(
        [
            "cong-ty-b",
            "Công ty B",
            "b-tag",
            "Sai thẻ",
            "business",
            "monthly",
            5,
            "khong-co",
            "sme-dx:ZZ9",
            "",
        ]
    )
    wb.save(path)
    code, _, err = run(capsys, "catalogue", "import", str(path))
    assert code == 1
    assert "dòng 3, cột price" in err
    assert "dòng 4, cột solution_tags" in err and "khong-co" in err
    assert "dòng 4, cột criteria" in err and "sme-dx:ZZ9" in err
    assert not Provider.objects.filter(code="cong-ty-b").exists()
    assert not Solution.objects.filter(code="b-ok").exists()


def test_recommend_unknown_criteria_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = tmp_path / "a.json"
    answers.write_text("{}", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        main(["recommend", "--framework", "khong-co@1", str(answers)])
    assert exit_.value.code == 1
    assert "khong-co@1" in capsys.readouterr().err


GATED = """
code: gated
version: "1"
name: {vi: "Có cổng"}
levels:
  - {code: 0, name: {vi: "0"}, min: 0}
  - {code: 1, name: {vi: "1"}, min: 10}
pillars:
  - code: p
    name: {vi: "P"}
    weight: 1
    criteria:
      - code: S1
        name: {vi: "S1"}
        question: {type: boolean, text: {vi: "Có?"}}
      - code: S2
        name: {vi: "S2"}
        target: 80
        required_for_level: 1
        question:
          type: single
          text: {vi: "Mức?"}
          options:
            - {code: a, text: {vi: "a"}, score: 0}
            - {code: b, text: {vi: "b"}, score: 60}
"""


def test_recommend_unreachable_gate_gives_no_plan_and_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fw_file = tmp_path / "gated.yaml"
    fw_file.write_text(GATED, encoding="utf-8")
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({"S1": False, "S2": "a"}), encoding="utf-8")
    for lang, words in (("vi", "S2"), ("en", "criterion S2, required for it, cannot be met")):
        code, out, err = run(
            capsys, "recommend", "--framework", str(fw_file), str(answers), "--lang", lang
        )
        assert code == 0, err
        data = json.loads(out)
        assert data["level"] == 0 and data["next_level"] is None
        assert words in data["reason"]


def test_recommend_errors_follow_lang_and_usage_names_the_argument(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "none.json")
    code, _, err = run(capsys, "recommend", "--framework", "shop-dx", missing, "--lang", "en")
    assert code == 1 and "Cannot read the file" in err and "none.json" in err
    code, _, err = run(capsys, "recommend", "--framework", "shop-dx", missing)
    assert code == 1 and "Không đọc được tệp" in err
    code, _, err = run(capsys, "recommend", "abc", "--lang", "en")
    assert code == 1 and "Give a response id" in err
    code, _, err = run(capsys, "recommend", "999999", "--lang", "en")
    assert code == 1 and "No response with id 999999." in err
    with pytest.raises(SystemExit) as stop:
        main(["recommend", "--framework", "nope@1", missing, "--lang", "en"])
    assert stop.value.code == 1
    assert "No published criteria set nope@1." in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["recommend", "--help"])
    assert "RESPONSE_ID|ANSWERS.json" in capsys.readouterr().out
