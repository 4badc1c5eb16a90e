"""The worker knows every background job the product defines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.ops.fresh import FreshDb
from tests.ops.runtime import Worker, wait_for

ROOT = Path(__file__).resolve().parents[2]

# What ``thuocdo worker`` registers (huey's run_huey imports each installed app's ``tasks``),
# then what registers once every ``tasks`` module of the package is imported.
REGISTRY = """
import json, pkgutil, importlib
import django
django.setup()
from django.utils.module_loading import autodiscover_modules
from huey.contrib.djhuey import HUEY
import thuocdo
autodiscover_modules("tasks")
worker = sorted(HUEY._registry._registry)
for info in pkgutil.walk_packages(thuocdo.__path__, "thuocdo."):
    if info.name.rsplit(".", 1)[-1] == "tasks":
        importlib.import_module(info.name)
print(json.dumps({"worker": worker, "defined": sorted(HUEY._registry._registry)}))
"""


def test_the_worker_registers_every_job(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO"))}
    env.update(
        DJANGO_SETTINGS_MODULE="thuocdo.config.settings",
        THUOCDO_ENV="development",
        THUOCDO_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL="",
    )
    out = subprocess.run(
        [sys.executable, "-c", REGISTRY], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert "thuocdo.assessments.importing.tasks.import_job_task" in found["defined"]
    assert found["worker"] == found["defined"]


def test_the_worker_prints_each_log_line_once(builtin_db: Callable[[str], FreshDb]) -> None:
    worker = Worker(builtin_db("worker-log"))
    worker.start()
    try:
        wait_for(
            lambda: "consumer started" in worker.output(),
            timeout=60,
            what="the worker to start",
        )
    finally:
        worker.stop()
    started = [line for line in worker.output().splitlines() if "consumer started" in line]
    assert len(started) == 1, worker.output()
