"""Every setting the product reads is documented in docs/settings.md."""

from __future__ import annotations

import re
from pathlib import Path

from thuocdo.config.env import SETTINGS

DOC = Path(__file__).resolve().parents[2] / "docs" / "settings.md"


def test_every_setting_is_documented() -> None:
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", DOC.read_text(encoding="utf-8"), re.M))
    declared = {s.name for s in SETTINGS}
    assert declared == documented


def test_settings_module_reads_environment_only_through_env() -> None:
    config = Path(__file__).resolve().parents[2] / "src" / "thuocdo" / "config"
    for path in config.rglob("*.py"):
        if path.name == "env.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "os.environ" not in text or path.name in {"wsgi.py", "__init__.py"}, path
