"""schemathesis against the OpenAPI schema of the app served on loopback.

A real server process (``thuocdo serve``) runs on a free port of 127.0.0.1 against a fresh
database with the built-in data. Every operation of the schema gets up to 20 derandomized
examples, once without credentials and once as an administrator, inside a total time bound:
no 500s, responses conform to the schema, and state-changing calls without authentication are
refused (401/403) unless the operation is declared public. Error statuses the schema does not
list (404, 401, 422 from the shared handlers) are not failures: ninja documents only the
success responses; their bodies are still checked to be JSON.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from tests.ops.fresh import ROOT, FreshDb
from tests.security.routes import UNSAFE, api_routes

pytestmark = [pytest.mark.slow, pytest.mark.fuzz]

MAX_EXAMPLES = 20
TIME_BUDGET_S = 240.0  # for the whole run, both passes, shared fairly by the operations

MAKE_ADMIN = """
import json
from thuocdo.accounts.models import User
from thuocdo.accounts.services import token_create
user = User.objects.create(username="fuzz-admin", role="admin", is_superuser=True)
print(json.dumps(token_create(actor=user, user=user, name="fuzz")[1]))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(fresh_db: Callable[[str], FreshDb]) -> Iterator[tuple[str, str]]:
    db = fresh_db("fuzz")
    for step in ("migrate", "load-builtins"):
        res = db.run(step)
        assert res.returncode == 0, res.stderr
    token = str(db.python(MAKE_ADMIN))
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "thuocdo.cli", "serve", "--addr", f"127.0.0.1:{port}"],
        env={**db.env, "THUOCDO_ENV": "development"},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/health", timeout=2) as res:  # noqa: S310
                    if res.status == 200:
                        break
            except OSError:
                pass
            assert server.poll() is None, "the server did not start"
            assert time.monotonic() < deadline, "the server did not answer in time"
            time.sleep(0.2)
        yield base, token
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_api_fuzzing_finds_no_errors(served: tuple[str, str]) -> None:
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
    )

    base, token = served
    schema = schemathesis.openapi.from_url(base + "/api/v1/openapi.json")
    public = {(r.method, r.template) for r in api_routes() if r.policy == "public"}
    checks = [
        not_a_server_error,
        response_schema_conformance,
        content_type_conformance,
    ]
    started = time.monotonic()
    problems: list[str] = []
    seen: list[str] = []
    calls: dict[str, int] = {}

    operations = list(schema.get_all_operations())
    # each operation pass gets its share of the budget, and always its first example: a
    # slow machine runs fewer examples, never skips an operation
    share = TIME_BUDGET_S / max(1, 2 * len(operations))
    op_started = [started]

    def runner(operation: Any, label: str, headers: dict[str, str]) -> Callable[[], None]:
        key = (operation.method.upper(), operation.path)
        name = f"{label} {key[0]} {key[1]}"
        seen.append(name)

        @settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            if name in calls and time.monotonic() - op_started[0] > share:
                return
            response = case.call(base_url=base, headers=headers, timeout=30)
            calls[name] = calls.get(name, 0) + 1
            case.validate_response(response, checks=checks)
            refused = response.status_code in (401, 403)
            if not headers and key[0] in UNSAFE and key not in public and not refused:
                raise AssertionError(f"{response.status_code}: not refused without credentials")

        def call() -> None:
            op_started[0] = time.monotonic()
            try:
                run()
            except Exception as exc:  # one entry per failing operation
                problems.append(f"{name}: {type(exc).__name__}: {exc}"[:800])

        return call

    for label, headers in (("anonymous", {}), ("admin", {"Authorization": f"Bearer {token}"})):
        for result in operations:
            runner(result.ok(), label, headers)()
    assert not problems, "\n".join(dict.fromkeys(problems))
    assert len(seen) >= 2 * len(api_routes()) - 2
    assert set(calls) == set(seen), "operations never called: " + ", ".join(set(seen) - set(calls))
    assert sum(calls.values()) >= len(seen)
    print(f"fuzzing: {sum(calls.values())} calls over {len(seen)} operation passes")
