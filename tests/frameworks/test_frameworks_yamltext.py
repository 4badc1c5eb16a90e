"""Copying a criteria-set file under a new version keeps the author's text when it can."""

from __future__ import annotations

import json

from tests.frameworks.sets import set_text

from thuocdo.frameworks.engine import content_hash, framework_to_dict, load_framework_text
from thuocdo.frameworks.yamltext import canonical_text, retarget_version


def expected(text: str, version: str) -> tuple[dict, str]:  # type: ignore[type-arg]
    d = framework_to_dict(load_framework_text(text))
    d["version"] = version
    fw = load_framework_text(canonical_text(d))
    return d, content_hash(fw)


def test_only_the_version_line_changes() -> None:
    text = set_text()
    d, h = expected(text, "2026.1")
    out = retarget_version(text, "2026.1", d, h)
    assert out == text.replace('version: "1"', 'version: "2026.1"')


def test_flow_style_falls_back_to_the_canonical_form() -> None:
    d = framework_to_dict(load_framework_text(set_text()))
    flow = json.dumps(d, ensure_ascii=False)  # JSON is YAML: no "version:" line to edit
    d2, h = expected(flow, "3")
    out = retarget_version(flow, "3", d2, h)
    assert out.startswith("# Bộ tiêu chí")
    fw = load_framework_text(out)
    assert fw.version == "3" and content_hash(fw) == h
    assert "Hiện diện trực tuyến" in out  # UTF-8 kept, not escaped
