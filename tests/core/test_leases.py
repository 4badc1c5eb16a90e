"""Leases: exclusive while held (across threads and processes), free once the holder ends,
however it ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from thuocdo.core.leases import Lease, lease_held

HOLD = """
import sys, time
from pathlib import Path
from thuocdo.core.leases import Lease
lease = Lease(Path(sys.argv[1]))
assert lease.acquire(wait=False)
print("held", flush=True)
time.sleep(600)
"""


def test_a_lease_is_exclusive_and_freed_by_release_or_removal(tmp_path: Path) -> None:
    path = tmp_path / "job-1.lease"
    assert not lease_held(path)  # never taken
    first, second = Lease(path), Lease(path)
    assert first.acquire(wait=False)
    assert lease_held(path)
    assert not second.acquire(wait=False)
    first.release()
    assert not lease_held(path)
    assert second.acquire(wait=False)
    got: list[bool] = []
    waiter = threading.Thread(target=lambda: got.append(first.acquire()))
    waiter.start()  # waits while the second holds it, then finds the file removed and retakes it
    second.remove()
    waiter.join(timeout=30)
    assert got == [True] and lease_held(path)
    first.remove()
    assert not path.exists() and not lease_held(path)


def test_a_killed_holder_frees_its_lease(tmp_path: Path) -> None:
    path = tmp_path / "job-2.lease"
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        assert lease_held(path)
        assert not Lease(path).acquire(wait=False)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert not lease_held(path)
    lease = Lease(path)
    assert lease.acquire(wait=False)
    lease.release()
