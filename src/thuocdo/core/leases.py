"""Leases on background work: proof that the process running a job is still alive.

A lease is an exclusive ``flock`` on a small file. The runner of a job holds it for as long as
it works; the operating system releases it the moment the process ends, however it ends
(finished, crashed, SIGKILL, machine lost: on NFS the server releases it when the client's
own lease runs out). A job recorded as *running* whose lease is free was therefore
interrupted, and whoever sees that may take the lease and put the job back in the queue.

The files live next to the work they guard (the imports folder of ``THUOCDO_DATA_DIR``),
which web and worker processes share. ``flock`` locks belong to an open file, so two threads
of one process exclude each other as two processes do.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from types import TracebackType


class Lease:
    """An exclusive lease on ``path``: ``acquire()`` (waiting, or not), ``release()``,
    ``remove()`` once the guarded work is over; also a context manager (waiting)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self, *, wait: bool = True) -> bool:
        """Take the lease; without ``wait``, return False at once when someone holds it."""
        flags = fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, flags)
            except BlockingIOError:
                os.close(fd)
                return False
            # The holder may have removed the file while we waited: the lock we got is on a
            # file nobody else will open, so start again on the current one.
            try:
                current = os.stat(self.path).st_ino
            except FileNotFoundError:
                current = -1
            if current == os.fstat(fd).st_ino:
                self._fd = fd
                return True
            os.close(fd)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the file releases the lock
            self._fd = None

    def remove(self) -> None:
        """Delete the lease file (while holding it: nobody can take it in between), then
        release it; waiters notice the file is gone and start again."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self.release()

    def __enter__(self) -> Lease:
        self.acquire()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def lease_held(path: Path) -> bool:
    """True while a live process holds the lease on ``path`` (a missing file is free)."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
