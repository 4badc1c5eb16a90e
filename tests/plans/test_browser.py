"""The completion dashboard in headless Chromium at desktop and phone widths (live server)."""

from __future__ import annotations

import re
import secrets
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from tests.browser import CHROMIUM, HEADLESS, chrome_driver

from thuocdo.plans import services
from thuocdo.plans.models import Plan

#: Switches of every Chromium run of this file (screenshots, DOM dumps, chromedriver sessions).
SWITCHES = (*HEADLESS, "--hide-scrollbars", "--lang=vi")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "plans"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium"),
]


@pytest.fixture(scope="module", autouse=True)
def _builtins_back_after_flush(django_db_blocker: Any) -> Any:
    """A transactional test empties every table when it ends; later tests need the built-ins."""
    yield
    from thuocdo.core.builtins import load_builtins

    with django_db_blocker.unblock():
        load_builtins()


def chromium(*args: str, width: int, height: int) -> str:
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [
                str(CHROMIUM),
                *SWITCHES,
                "--accept-lang=vi",
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                "--virtual-time-budget=5000",
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.fixture
def browser_site(settings: Any, live_server: Any) -> Callable[[Any, str], str]:
    """A function giving a one-time URL that logs ``user`` in and opens ``path``."""
    from tests.plans import browser_urls

    settings.ROOT_URLCONF = "tests.plans.browser_urls"

    def url(user: Any, path: str) -> str:
        token = secrets.token_urlsafe(16)
        browser_urls.TOKENS[token] = user.pk
        return f"{live_server.url}/__browser-login__/{token}/?next={quote(path)}"

    return url


@pytest.mark.django_db(transaction=True)
def test_completion_dashboard_in_chromium(
    browser_site: Callable[[Any, str], str], make_user: Callable[..., Any]
) -> None:
    from thuocdo.core.builtins import load_builtins

    load_builtins()  # a transactional test before this one may have emptied the tables
    plan: Plan = services.plan_instantiate(
        actor=None, framework="province-dx", unit_code="48", year=2025
    )
    for code in ("1.1", "1.2", "1.3", "2.1", "6.2"):
        task = plan.tasks.get(code=code)
        services.task_update(actor=None, task=task, status="in_progress", progress=50)
        services.task_update(actor=None, task=task, status="done")
    services.task_update(
        actor=None, task=plan.tasks.get(code="11.7"), status="in_progress", progress=40
    )
    officer = make_user(role="province", unit="48")
    path = f"/plans/{plan.pk}/dashboard/"

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, width, height in (("desktop", 1280, 1600), ("phone", 360, 2400)):
        shot = ARTIFACTS / f"dashboard-{name}.png"
        shot.unlink(missing_ok=True)
        chromium(f"--screenshot={shot}", browser_site(officer, path), width=width, height=height)
        assert shot.stat().st_size > 10_000
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

        dom = chromium("--dump-dom", browser_site(officer, path), width=width, height=height)
        assert "Mức độ hoàn thành theo nhóm nhiệm vụ" in dom  # the page, not the login form
        for group in ("1. Thể chế số", "2. Hạ tầng số", "6. Dữ liệu số", "11. Xã hội số"):
            assert group in dom
        percents = dict(re.findall(r'<tr data-group="(\d+)">.*?data-percent="(\d+)"', dom, re.S))
        assert percents["1"] == "50"  # 3 of 6
        assert percents["2"] == "25"  # 1 of 4
        assert percents["6"] == "33"  # 1 of 3
        assert percents["11"] == "0"
        assert 'data-kpi="percent">14%' in dom  # 5 of 36
        # ECharts drew the chart (an SVG inside the chart element).
        chart = re.search(
            r'<div class="chart"[^>]*data-drawn="1"[^>]*>(.*?)</div>\s*<script', dom, re.S
        )
        assert chart is not None
        assert "<svg" in chart.group(1)


def _driver(width: int, height: int, profile: str) -> Any:
    return chrome_driver(width, height, profile, "--hide-scrollbars")


# What the page looks like to the reader: overflow, the cells shown, the chart's labels and series.
LAYOUT = """
const chart = document.querySelector('[data-chart="groups"]');
const drawn = window.echarts && chart && window.echarts.getInstanceByDom(chart);
const hidden = Array.from(document.querySelectorAll(".completion-table .hide-sm"))
  .filter((el) => getComputedStyle(el).display === "none").length;
return {
  width: window.innerWidth,
  scroll: document.documentElement.scrollWidth,
  hideSm: document.querySelectorAll(".completion-table .hide-sm").length,
  hidden: hidden,
  labels: drawn ? Array.from(chart.querySelectorAll("svg text")).map((t) => t.textContent) : null,
  series: drawn ? drawn.getOption().series.map((x) => [x.type, x.stack, x.data]) : null,
};
"""


@pytest.mark.django_db(transaction=True)
def test_completion_dashboard_layout_on_desktop_and_phone(
    browser_site: Callable[[Any, str], str], make_user: Callable[..., Any]
) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    from thuocdo.core.builtins import load_builtins

    load_builtins()
    plan: Plan = services.plan_instantiate(
        actor=None, framework="province-dx", unit_code="48", year=2025
    )
    services.task_update(actor=None, task=plan.tasks.get(code="1.1"), status="overdue")
    services.task_update(actor=None, task=plan.tasks.get(code="1.2"), status="cancelled")
    officer = make_user(role="province", unit="48")
    path = f"/plans/{plan.pk}/dashboard/"
    seen = {}
    for name, width in (("desktop", 1280), ("phone", 360)):
        with tempfile.TemporaryDirectory(prefix="td-plans-") as profile:
            driver = _driver(width, 900, profile)
            try:
                driver.get(browser_site(officer, path))
                WebDriverWait(driver, 30).until(
                    lambda d: d.execute_script(
                        "return !!document.querySelector('[data-chart][data-drawn=\"1\"] svg text');"
                    )
                )
                seen[name] = driver.execute_script(LAYOUT)
            finally:
                driver.quit()
    desktop, phone = seen["desktop"], seen["phone"]
    assert phone["width"] == 360
    assert phone["scroll"] <= 360  # nothing sticks out sideways
    assert desktop["scroll"] <= 1280
    assert phone["hideSm"] == desktop["hideSm"] > 0
    assert (desktop["hidden"], phone["hidden"]) == (0, phone["hideSm"])
    assert any("Thể chế số" in label for label in desktop["labels"])
    assert not any("Thể chế số" in label for label in phone["labels"])
    assert {"1", "12"} <= set(phone["labels"])  # the group numbers only
    for layout in (desktop, phone):
        bars = layout["series"]
        assert [(kind, stack) for kind, stack, _data in bars] == [("bar", "tasks")] * 5
        # done, in progress, not started, overdue, cancelled: each task once per group
        per_group = [sum(column) for column in zip(*(data for _k, _s, data in bars), strict=True)]
        assert per_group == [6, 4, 3, 1, 2, 3, 1, 1, 3, 3, 8, 1]
        assert bars[3][2][0] >= 1  # 1.1 is overdue and shows in its own bar
        assert bars[4][2][0] == 1
