"""Hooks run once when a worker process starts (``thuocdo worker``), before it takes jobs.

Apps register recovery work here with ``on_worker_start``: putting back in the queue what a
worker that died was doing. huey calls startup hooks in every worker thread; the hook runs
in the first one only.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from django.db import close_old_connections
from huey.contrib.djhuey import on_startup


def on_worker_start(fn: Callable[[], Any]) -> Callable[[], Any]:
    """Run ``fn`` once per worker process when it starts (its errors are logged by huey)."""
    lock = threading.Lock()
    started: list[bool] = []

    @functools.wraps(fn)
    def hook() -> None:
        with lock:
            if started:
                return
            started.append(True)
        try:
            fn()
        finally:
            close_old_connections()

    on_startup(name=f"{fn.__module__}.{fn.__qualname__}")(hook)
    return fn
