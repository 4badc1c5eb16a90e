"""The criteria-set engine is pure Python: no module of it imports Django."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import thuocdo
import thuocdo.frameworks.engine as engine


def test_no_engine_module_imports_django() -> None:
    modules = [f"thuocdo.frameworks.engine.{m.name}" for m in pkgutil.iter_modules(engine.__path__)]
    assert "thuocdo.frameworks.engine.batch" in modules and len(modules) >= 10
    code = (
        f"import sys, importlib; [importlib.import_module(m) for m in {modules!r}]; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    src = str(Path(thuocdo.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": src}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    assert subprocess.run([sys.executable, "-c", code], check=False, env=env).returncode == 0
