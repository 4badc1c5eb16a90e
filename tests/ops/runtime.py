"""Running processes of the product for the fault tests: gunicorn and the worker on a
``FreshDb``, a small HTTP client, direct queries, and bounded waits.

Each process starts in a session of its own, so that killing its process group (SIGKILL)
takes every child with it, as a crash of the machine's service would.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from tests.ops.fresh import ROOT, VENDOR, FreshDb

T = TypeVar("T")


def wait_for(check: Callable[[], T], *, timeout: float, what: str, every: float = 0.05) -> T:
    """Poll ``check`` until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def query(db: FreshDb, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows of one query on the database, from this process (``%s`` placeholders)."""
    if VENDOR == "postgresql":
        with psycopg.connect(db.url, autocommit=True) as conn:
            return list(conn.execute(sql, params).fetchall())  # type: ignore[arg-type]
    with sqlite3.connect(db.name, timeout=30) as conn:
        return list(conn.execute(sql.replace("%s", "?"), params).fetchall())


def scalar(db: FreshDb, sql: str, params: tuple[Any, ...] = ()) -> Any:
    rows = query(db, sql, params)
    return rows[0][0] if rows else None


def write_lock_held(db: FreshDb) -> bool:
    """SQLite: True while some connection holds the write lock (a write transaction is open;
    the product opens every transaction with BEGIN IMMEDIATE)."""
    conn = sqlite3.connect(db.name, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc):
            raise
        return True
    else:
        conn.execute("ROLLBACK")
        return False
    finally:
        conn.close()


def terminate_backend(db: FreshDb, pid: int) -> None:
    with psycopg.connect(db.url, autocommit=True) as conn:
        row = conn.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()
        assert row is not None and row[0] is True


def waiting_backend(db: FreshDb, application: str, statement: str) -> int | None:
    """PostgreSQL: the backend of ``application`` waiting for a lock in the statement that
    starts with ``statement`` (a LIKE pattern: a leading ``%`` matches it anywhere)."""
    rows = query(
        db,
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        " AND application_name = %s AND wait_event_type = 'Lock' AND query ILIKE %s",
        (application, statement + "%"),
    )
    return int(rows[0][0]) if rows else None


class Service:
    """One product process (and its children) in its own session; output goes to a log."""

    stop_signal = signal.SIGTERM

    def __init__(self, db: FreshDb, name: str, env: dict[str, str]) -> None:
        self.db = db
        self.name = name
        self.env = env
        self.log = db.data_dir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                self.command(),
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        """SIGKILL to the whole process group, as a crash would."""
        assert self.proc is not None and self.proc.poll() is None, self.output()
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.proc = None

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, self.stop_signal)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
        self.proc = None

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


class Worker(Service):
    """``thuocdo worker`` as deployed (two worker threads; stopped with SIGINT, which lets
    the running jobs finish, as the systemd unit does)."""

    stop_signal = signal.SIGINT

    def __init__(self, db: FreshDb) -> None:
        env = dict(db.env)
        if VENDOR == "postgresql":
            env["DATABASE_URL"] = f"{db.url}?application_name=thuocdo-worker"
        super().__init__(db, "worker", env)

    def command(self) -> list[str]:
        return [sys.executable, "-m", "thuocdo.cli", "worker", "--workers", "2"]


class Web(Service):
    """gunicorn with the production settings and persistent database connections, as the
    systemd unit runs it, on a free port of 127.0.0.1 (behind a pretend HTTPS proxy)."""

    def __init__(self, db: FreshDb, workers: int = 3) -> None:
        env = dict(db.env)
        env.update(
            THUOCDO_ENV="production",
            SECRET_KEY=secrets.token_urlsafe(48),
            ALLOWED_HOSTS="127.0.0.1",
            LOG_LEVEL="WARNING",
        )
        if VENDOR == "postgresql":
            env["DATABASE_URL"] = f"{db.url}?application_name=thuocdo-web"
        super().__init__(db, "web", env)
        self.workers = workers
        self.port = 0

    def command(self) -> list[str]:
        return [
            str(Path(sys.executable).parent / "gunicorn"),
            "thuocdo.config.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--timeout",
            "60",
            "--graceful-timeout",
            "30",
        ]

    def start(self) -> None:
        self.port = free_port()
        super().start()

        def up() -> bool:
            assert self.proc is not None and self.proc.poll() is None, self.output()
            try:
                return self.call("GET", "/health")[0] == 200
            except OSError:
                return False

        wait_for(up, timeout=90, what="gunicorn to answer", every=0.2)

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> tuple[int, Any]:
        """One request on a new connection: (status, decoded JSON or None)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(
                method,
                path,
                body=None if body is None else json.dumps(body),
                headers={
                    "X-Forwarded-Proto": "https",
                    "Content-Type": "application/json",
                    **(headers or {}),
                },
            )
            res = conn.getresponse()
            data = res.read()
        finally:
            conn.close()
        try:
            decoded = json.loads(data) if data else None
        except ValueError:
            decoded = None
        return res.status, decoded
