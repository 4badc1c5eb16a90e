"""Check a runtime-only install: the wheel without extras runs every capability.

Run with the Python of a clean virtual environment into which only the built wheel was
installed (``pip install dist/thuocdo-*.whl``, no extras); ``.ci/runtime-install`` does both.

The script imports every module of the package, runs ``migrate``, ``load-builtins`` and
``demo --no-serve`` on a fresh SQLite data folder, starts gunicorn on a free loopback port and
requests the home page, a public dashboard, an officer dashboard (logged in), the report as PDF
and XLSX and the OpenAPI schema, then runs ``thuocdo aggregate``. Only the standard library is
used here, so nothing the dev extras bring can hide a missing runtime dependency.
"""

from __future__ import annotations

import http.cookiejar
import importlib
import json
import os
import pkgutil
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent


def step(title: str) -> None:
    print(f"-- {title}", flush=True)


def import_everything() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thuocdo.config.settings")
    import django

    django.setup()
    import thuocdo

    # the production settings module refuses to load without these (tested on its own)
    os.environ.setdefault("SECRET_KEY", "runtime-check-" + "x" * 50)
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")

    failed: list[str] = []
    count = 0
    for info in pkgutil.walk_packages(thuocdo.__path__, "thuocdo."):
        if info.name.endswith(".__main__"):  # runs the command when imported
            continue
        count += 1
        try:
            importlib.import_module(info.name)
        except Exception as exc:
            failed.append(f"{info.name}: {type(exc).__name__}: {exc}")
    if failed:
        raise SystemExit("modules that do not import:\n  " + "\n  ".join(failed))
    return count


def run(*args: str, env: dict[str, str]) -> str:
    proc = subprocess.run(
        [str(BIN / "thuocdo"), *args], env=env, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(
            f"thuocdo {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        )
    return proc.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Client:
    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str, bytes]:
        with self.opener.open(self.base + path, timeout=60) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()

    def login(self, username: str, password: str) -> None:
        self.get("/accounts/login/")
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        body = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token}
        ).encode()
        req = urllib.request.Request(  # noqa: S310 (the loopback server this script started)
            self.base + "/accounts/login/", data=body, headers={"Referer": self.base + "/"}
        )
        with self.opener.open(req, timeout=60):
            pass
        if not any(c.name == "sessionid" for c in self.jar):
            raise SystemExit(f"logging in as {username} did not give a session")


def expect(client: Client, path: str, content_type: str, marker: bytes) -> None:
    try:
        status, ctype, body = client.get(path)
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"GET {path} → {exc.code}\n{exc.read()[:2000]!r}") from exc
    if status != 200 or content_type not in ctype or marker not in body:
        raise SystemExit(f"GET {path} → {status} {ctype}, {len(body)} bytes without {marker!r}")
    print(f"   GET {path} → {status} {ctype} ({len(body):,} bytes)", flush=True)


def main() -> int:
    data_dir = Path(tempfile.mkdtemp(prefix="thuocdo-runtime-"))
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "PYTHONPATH", "DJANGO_SETTINGS_MODULE"}
    }
    env["THUOCDO_DATA_DIR"] = str(data_dir)
    os.environ.update({"THUOCDO_DATA_DIR": str(data_dir)})
    os.environ.pop("DATABASE_URL", None)

    step("import every module")
    print(f"   {import_everything()} modules imported", flush=True)

    step("migrate, load-builtins, demo --no-serve")
    run("migrate", env=env)
    run("load-builtins", env=env)
    demo = run("demo", "--no-serve", env=env)
    match = re.search(r"Admin: admin\s+mật khẩu / password: (\S+)", demo)
    if match is None:
        raise SystemExit("demo printed no admin password:\n" + demo)
    password = match.group(1)
    campaigns = json.loads(run("campaigns", "list", "--status", "published", env=env))
    if not campaigns:
        raise SystemExit("the demo has no published campaign")
    campaign = campaigns[0]["id"]

    step("gunicorn")
    port = free_port()
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "thuocdo.config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "120",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(data_dir / "gunicorn.log").open("w"),
    )
    try:
        client = Client(f"http://127.0.0.1:{port}")
        for _ in range(120):
            try:
                client.get("/health")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        expect(client, "/", "text/html", b"<html")
        expect(client, "/public/", "text/html", b"<html")
        expect(client, f"/public/{campaign}/", "text/html", b"<html")
        expect(client, f"/public/{campaign}/report/?format=pdf", "application/pdf", b"%PDF")
        expect(client, f"/public/{campaign}/report/?format=xlsx", "spreadsheetml", b"PK")
        expect(client, "/api/v1/openapi.json", "application/json", b'"openapi"')
        client.login("admin", password)
        expect(client, f"/analytics/{campaign}/", "text/html", b"<html")
    finally:
        server.terminate()
        server.wait(timeout=30)
    log = (data_dir / "gunicorn.log").read_text(encoding="utf-8", errors="replace")
    if "Traceback" in log:
        raise SystemExit("gunicorn logged a traceback:\n" + log)

    step("thuocdo aggregate")
    rows = json.loads(run("aggregate", str(campaign), "--by", "province", env=env))
    if not rows:
        raise SystemExit("thuocdo aggregate returned no rows")
    print(f"   {len(rows)} rows", flush=True)
    print("runtime-only install: every check passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
