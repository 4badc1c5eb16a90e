"""Load test on loopback: a weighted mix of pages and API calls against gunicorn.

Prepares a fresh database (SQLite in a temporary folder, or DATABASE_URL when it is set and
--database-url is given), starts gunicorn with the production settings on 127.0.0.1, runs a
baseline phase (``/health`` only) and then the mix from several threads for a bounded time,
and reports throughput, p50/p95/p99 latency, error rate per request kind and the memory
growth of the server processes (master + workers) between the end of the warm-up and the end.

    .venv/bin/python bench/load.py                 # 60 s mix, 8 threads, 2 gunicorn workers
    .venv/bin/python bench/load.py --seconds 600 --threads 16 --workers 4 \
        --database-url postgres://postgres@127.0.0.1:5432/thuocdo_load \
        --redis-url redis://127.0.0.1:6379/0          # an empty database, made beforehand

Extend the mix by adding a ``Spec`` to ``MIX`` (a name, a weight, and a function that
performs one request with a ``Session`` and returns the response status).
"""

from __future__ import annotations

import argparse
import http.cookies
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
USER, PASSWORD = "nguoi-dung-tai", "mat-khau-tai-thu-2025"
SECRET = "b" * 30 + "Zq8#pL2@vX9!mN4$rT6&yW1*uI3^oP5"


class Session:
    """One simulated visitor: cookies kept by hand (they are Secure; nginx would do TLS)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}
        self.token: str | None = None

    def request(
        self,
        method: str,
        path: str,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        all_headers = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        url = self.base + path  # loopback http only
        req = urllib.request.Request(url, data, all_headers, method=method)  # noqa: S310
        try:
            with _OPENER.open(req, timeout=30) as res:
                body, status, received = res.read(), res.status, res.headers
        except urllib.error.HTTPError as err:
            body, status, received = err.read(), err.code, err.headers
        for raw in received.get_all("Set-Cookie") or []:
            jar: http.cookies.SimpleCookie = http.cookies.SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
        return status, body


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _public_home(s: Session) -> int:
    return s.request("GET", "/")[0]


def _geo_page(s: Session) -> int:
    q = random.choice(["ha noi", "đà nẵng", "hue", "can tho"])
    return s.request("GET", "/geo/?q=" + urllib.parse.quote_plus(q))[0]


def _geo_unit_page(s: Session) -> int:
    return s.request("GET", "/geo/2025/" + random.choice(["01", "48", "79", "46"]) + "/")[0]


def _geo_api_list(s: Session) -> int:
    return s.request("GET", "/api/v1/geo/units?level=province&limit=50")[0]


def _geo_api_search(s: Session) -> int:
    q = random.choice(["phuong", "xã an", "thanh", "hoa"])
    return s.request("GET", f"/api/v1/geo/units?q={urllib.parse.quote_plus(q)}&limit=20")[0]


def _geo_api_unit(s: Session) -> int:
    return s.request("GET", "/api/v1/geo/units/" + random.choice(["01", "48", "79"]))[0]


def _login(s: Session) -> int:
    s.cookies.clear()
    status, body = s.request("GET", "/accounts/login/")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or match is None:
        return status if status != 200 else 599
    form = f"csrfmiddlewaretoken={match[1].decode()}&username={USER}&password={PASSWORD}"
    status, _ = s.request(
        "POST",
        "/accounts/login/",
        form.encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Referer": "https://127.0.0.1/"},
    )
    return 200 if status == 302 else status


def _api_me(s: Session) -> int:
    return s.request("GET", "/api/v1/accounts/me", headers={"Authorization": f"Bearer {s.token}"})[
        0
    ]


@dataclass(frozen=True)
class Spec:
    name: str
    weight: int
    run: Callable[[Session], int]


MIX: tuple[Spec, ...] = (
    Spec("home page", 15, _public_home),
    Spec("geo search page", 10, _geo_page),
    Spec("geo unit page", 10, _geo_unit_page),
    Spec("geo API list", 20, _geo_api_list),
    Spec("geo API search", 15, _geo_api_search),
    Spec("geo API unit", 15, _geo_api_unit),
    Spec("API me (token)", 10, _api_me),
    Spec("log in (form + POST)", 5, _login),
)
BASELINE = Spec("health (baseline)", 1, lambda s: s.request("GET", "/health")[0])


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, seconds: float, ok: bool) -> None:
        with self.lock:
            self.latencies.setdefault(name, []).append(seconds)
            if not ok:
                self.errors[name] = self.errors.get(name, 0) + 1


def _drive(base: str, specs: tuple[Spec, ...], seconds: float, threads: int, token: str) -> Stats:
    stats = Stats()
    stop = time.monotonic() + seconds
    weights = [s.weight for s in specs]

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        session = Session(base)
        session.token = token
        while time.monotonic() < stop:
            spec = rng.choices(specs, weights)[0]
            started = time.perf_counter()
            try:
                status = spec.run(session)
            except Exception:  # counted as an error; the thread goes on
                status = 598
            stats.add(spec.name, time.perf_counter() - started, status < 400)

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return stats


def _rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, MiB."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total / 1024


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _summary(stats: Stats, seconds: float) -> dict[str, Any]:
    out = {}
    for name, values in sorted(stats.latencies.items()):
        out[name] = {
            "requests": len(values),
            "per_s": round(len(values) / seconds, 1),
            "p50_ms": round(1000 * statistics.median(values), 1),
            "p95_ms": round(1000 * _percentile(values, 0.95), 1),
            "p99_ms": round(1000 * _percentile(values, 0.99), 1),
            "error_rate": round(stats.errors.get(name, 0) / len(values), 4),
        }
    return out


def _prepare(data_dir: Path, url: str, redis_url: str) -> tuple[dict[str, str], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO")}
    env.update(
        THUOCDO_ENV="production",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1",
        CSRF_TRUSTED_ORIGINS="https://127.0.0.1",
        THUOCDO_DATA_DIR=str(data_dir),
        DATABASE_URL=url,
        LOG_LEVEL="WARNING",
        LOGIN_FAILURE_LIMIT="1000000",
    )
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    cli = [sys.executable, "-m", "thuocdo.cli"]
    for args in (["migrate"], ["load-builtins"], ["manage", "collectstatic", "--no-input", "-v0"]):
        subprocess.run([*cli, *args], env=env, cwd=ROOT, check=True, capture_output=True)
    code = (
        "import django, json; django.setup()\n"
        "from thuocdo.accounts.models import User\n"
        "from thuocdo.accounts.services import token_create\n"
        f"u = User(username={USER!r}, role='province')\n"
        "from thuocdo.geo.models import Unit\n"
        "u.unit = Unit.objects.get(structure='2025', code='48')\n"
        f"u.set_password({PASSWORD!r}); u.save()\n"
        "print(token_create(actor=u, user=u, name='load')[1])\n"
    )
    env_py = {**env, "DJANGO_SETTINGS_MODULE": "thuocdo.config.settings"}
    token = subprocess.run(
        [sys.executable, "-c", code],
        env=env_py,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return env, token


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the mix phase")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--baseline-seconds", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--database-url", default="", help="database to fill and use (default: SQLite, temporary)"
    )
    parser.add_argument(
        "--redis-url", default="", help="Redis for the cache and queue (default: none, local)"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="thuocdo-load-"))
    url = args.database_url or f"sqlite:///{work / 'thuocdo.sqlite3'}"
    server = None
    try:
        env, token = _prepare(work, url, args.redis_url)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        server = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "thuocdo.config.wsgi:application",
                "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
                "--forwarded-allow-ips", "127.0.0.1", "--log-level", "warning",
            ],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if Session(base).request("GET", "/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        baseline = _drive(base, (BASELINE,), args.baseline_seconds, args.threads, token)
        _drive(base, MIX, args.warmup, args.threads, token)
        rss_start = _rss_mb(server.pid)
        started = time.monotonic()
        stats = _drive(base, MIX, args.seconds, args.threads, token)
        elapsed = time.monotonic() - started
        rss_end = _rss_mb(server.pid)
        mix = _summary(stats, elapsed)
        base_summary = _summary(baseline, args.baseline_seconds)[BASELINE.name]
        total = sum(len(v) for v in stats.latencies.values())
        every = [x for v in stats.latencies.values() for x in v]
        report = {
            "seconds": round(elapsed, 1),
            "threads": args.threads,
            "gunicorn_workers": args.workers,
            "database": url.split(":", 1)[0],
            "redis": bool(args.redis_url),
            "baseline": base_summary,
            "total": {
                "requests": total,
                "per_s": round(total / elapsed, 1),
                "p50_ms": round(1000 * statistics.median(every), 1),
                "p95_ms": round(1000 * _percentile(every, 0.95), 1),
                "p99_ms": round(1000 * _percentile(every, 0.99), 1),
                "error_rate": round(sum(stats.errors.values()) / total, 4),
                "throughput_vs_baseline": round((total / elapsed) / base_summary["per_s"], 2),
            },
            "per_request": {
                name: {**row, "p50_vs_baseline": round(row["p50_ms"] / base_summary["p50_ms"], 1)}
                for name, row in mix.items()
            },
            "server_rss_mb": {
                "after_warmup": round(rss_start, 1),
                "end": round(rss_end, 1),
                "growth_pct": round(100 * (rss_end - rss_start) / rss_start, 1),
            },
        }
        print(json.dumps(report, ensure_ascii=False, indent=2))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
