"""Counting of the load test: latencies and errors per action and per step, memory samples.

An action is one run of a ``Spec`` (one or more HTTP requests); a step is one labelled HTTP
request inside a multi-request action. Memory is the resident set (VmRSS) of a process and
its children, summed (forked workers share pages, so the sum overstates the total; its
growth is what matters here).
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ERROR_SAMPLES = 3


@dataclass
class Stats:
    actions: dict[str, list[float]] = field(default_factory=dict)
    steps: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    error_samples: dict[str, list[str]] = field(default_factory=dict)
    http_requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.actions.setdefault(name, []).append(seconds)
            if error is not None:
                self.errors[name] = self.errors.get(name, 0) + 1
                samples = self.error_samples.setdefault(name, [])
                if len(samples) < ERROR_SAMPLES:
                    samples.append(error[:300])

    def request(self, label: str, seconds: float) -> None:
        with self.lock:
            self.http_requests += 1
            if label:
                self.steps.setdefault(label, []).append(seconds)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def latency(values: list[float], seconds: float) -> dict[str, Any]:
    return {
        "requests": len(values),
        "per_s": round(len(values) / seconds, 2),
        "p50_ms": round(1000 * statistics.median(values), 1),
        "p95_ms": round(1000 * percentile(values, 0.95), 1),
        "p99_ms": round(1000 * percentile(values, 0.99), 1),
    }


def per_action(stats: Stats, seconds: float, persona: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, values in sorted(stats.actions.items(), key=lambda kv: (persona[kv[0]], kv[0])):
        errors = stats.errors.get(name, 0)
        out[name] = {
            "persona": persona[name],
            **latency(values, seconds),
            "errors": errors,
            "error_rate": round(errors / len(values), 4),
            **({"error_samples": stats.error_samples[name]} if errors else {}),
        }
    return out


def per_step(stats: Stats, seconds: float) -> dict[str, Any]:
    return {name: latency(values, seconds) for name, values in sorted(stats.steps.items())}


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (all threads' children), MiB."""
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            pids += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    total = 0
    for p in set(pids):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


@dataclass
class Sampler:
    """Samples memory (and the queue length) every ``every`` seconds in a thread."""

    server: int
    workers: list[int]
    every: float
    queue_length: Callable[[], int | None]
    samples: list[dict[str, Any]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _t0: float = 0.0

    def sample(self) -> dict[str, Any]:
        row = {
            "t_s": round(time.monotonic() - self._t0, 1),
            "server_mb": round(rss_mb(self.server), 1),
            "worker_mb": round(sum(rss_mb(p) for p in self.workers), 1) if self.workers else None,
            "queue": self.queue_length(),
            "load_1min": round(os.getloadavg()[0], 2),
        }
        self.samples.append(row)
        return row

    def start(self) -> None:
        self._t0 = time.monotonic()
        self.sample()

        def loop() -> None:
            while not self._stop.wait(self.every):
                self.sample()

        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.sample()


def growth(series: list[float], before_warmup: float | None) -> dict[str, Any]:
    """Warm-up value (first sample after the warm-up), last, max, and growth in % of the
    warm-up value: last vs first, max vs first."""
    first, last, top = series[0], series[-1], max(series)
    return {
        "before_warmup_mb": before_warmup,
        "after_warmup_mb": first,
        "end_mb": last,
        "max_mb": top,
        "growth_pct": round(100 * (last - first) / first, 1),
        "max_growth_pct": round(100 * (top - first) / first, 1),
    }


def memory_report(
    samples: list[dict[str, Any]], before: dict[str, Any], limit_pct: float
) -> dict[str, Any]:
    """Growth of the server and of the workers after the warm-up, and the soak verdict:
    both grew (last vs first sample after the warm-up) by at most ``limit_pct``."""
    out: dict[str, Any] = {"series": samples}
    out["server"] = growth([s["server_mb"] for s in samples], before["server_mb"])
    verdicts = [out["server"]["growth_pct"] <= limit_pct]
    if samples[0]["worker_mb"] is not None:
        out["workers"] = growth([s["worker_mb"] for s in samples], before["worker_mb"])
        verdicts.append(out["workers"]["growth_pct"] <= limit_pct)
    out["limit_pct"] = limit_pct
    out["growth_within_limit"] = all(verdicts)
    return out
