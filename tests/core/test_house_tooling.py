"""The pre-commit hooks run what CI runs, and `make test-fast` leaves out only fault and fuzz runs."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]

# Each check of `.ci/run` (directly or through the Makefile target it calls) and the text a
# pre-commit hook's entry must hold to run the same check.
CI_CHECKS = {
    "make lint": ["ruff check", "ruff format --check"],
    "make typecheck": ["mypy"],
    "makemigrations --check": ["makemigrations --check"],
    "thuocdo.cli.docs": ["thuocdo.cli.docs"],
    "thuocdo.api.schema": ["thuocdo.api.schema"],
}


def _hook_entries() -> list[str]:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    return [hook["entry"] for repo in config["repos"] for hook in repo["hooks"]]


def test_every_ci_check_has_a_pre_commit_hook() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    entries = _hook_entries()
    for ci_text, hook_texts in CI_CHECKS.items():
        assert ci_text in ci, f"CI no longer runs {ci_text!r}: update this table"
        for hook_text in hook_texts:
            assert any(hook_text in entry for entry in entries), f"no hook runs {hook_text!r}"


def test_pre_commit_fetches_nothing() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    assert {hook["language"] for repo in config["repos"] for hook in repo["hooks"]} == {"system"}


def test_fast_target_leaves_out_only_the_fault_and_fuzz_markers() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    fast = re.search(r"^test-fast:.*\n\t(.+)$", makefile, re.MULTILINE)
    assert fast is not None
    assert '-m "not fault and not fuzz"' in fast.group(1)
    markers = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"fault:' in markers
    assert '"fuzz:' in markers
    marked = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "tests").rglob("test_*.py")
        if re.search(r"pytest\.mark\.(fault|fuzz)\b", path.read_text(encoding="utf-8"))
    ]
    assert "tests/ops/test_faults.py" in marked
    assert "tests/security/test_api_fuzz.py" in marked
