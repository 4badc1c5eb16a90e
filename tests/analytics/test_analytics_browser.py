"""Dashboards drawn by headless Chromium at desktop and phone widths (screenshots kept).

The page is rendered by the real view (public dashboard, so no login is needed), saved with
its own static files (ECharts, the dashboard script and styles) and opened from disk, so the
browser runs exactly the HTML, CSS and JavaScript the server sends.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from tests.analytics import factories as f
from tests.browser import CHROMIUM, HEADLESS

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "analytics"
FLAGS = [*HEADLESS, "--hide-scrollbars", "--virtual-time-budget=8000"]


CHARTS = {"map", "levels", "pillars", "unmet", "trend"}


def _on_phone(driver: Any, page: Path, shot: Path) -> str:
    """Open ``page`` in the 360 px phone emulation, wait for every chart, check the document is
    no wider than the screen, save a full-page screenshot; return the drawn DOM."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(page.as_uri())
    drawn = (
        "return [...document.querySelectorAll('[data-chart]')].every(e => e.querySelector('svg'))"
    )
    WebDriverWait(driver, 30).until(lambda d: d.execute_script(drawn))
    inner = driver.execute_script("return window.innerWidth")
    scroll = driver.execute_script("return document.documentElement.scrollWidth")
    assert inner == 360
    assert scroll <= inner, f"{page.parent.name}: the page is {scroll} px wide on a 360 px screen"
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 6000), "scale": 1}
    data = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot.write_bytes(base64.b64decode(data["data"]))
    assert shot.stat().st_size > 20_000
    return str(driver.page_source)


def _check_charts(dom: str) -> None:
    charts = re.findall(r'data-chart="(\w+)"[^>]*>(.*?)</div>\s*<details', dom, re.S)
    drawn = {n for n, _ in charts}
    if "trend" not in drawn:  # one year of results: a notice instead of a one-dot chart
        assert 'id="trend-short"' in dom
        drawn.add("trend")
    assert drawn == CHARTS
    for chart_name, inner in charts:
        assert "<svg" in inner, f"{chart_name} was not drawn"
        if chart_name != "map":
            _texts_inside(chart_name, inner)
    # labelled tile-grid map: province names are drawn inside the map
    map_svg = next(inner for n, inner in charts if n == "map")
    assert "Hà Nội" in map_svg


def _save_page(html: str, folder: Path) -> Path:
    def local(match: re.Match[str]) -> str:
        rel = match.group(2)
        found = finders.find(rel)
        assert found, rel
        target = folder / "static" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(str(found), target)
        return f'{match.group(1)}="{target.as_uri()}"'

    html = re.sub(r'(src|href)="/static/([^"]+)"', local, html)
    page = folder / "page.html"
    page.write_text(html, encoding="utf-8")
    return page


TEXT = re.compile(
    r'<text[^>]*text-anchor="(\w+)"[^>]*transform="translate\(([-\d.]+) [-\d.]+\)"'
    r"[^>]*font-size: 12px[^>]*>([^<]+)</text>"
)


def _texts_inside(chart: str, svg: str) -> None:
    """Axis names and labels in 12 px text stay inside the chart (none cut at an edge)."""
    width = float(re.search(r'<svg[^>]*width="([\d.]+)"', svg).group(1))  # type: ignore[union-attr]
    for anchor, x, text in TEXT.findall(svg):
        extent = len(text) * 6.5  # generous mean advance of 12 px sans-serif
        left = {"start": 0.0, "middle": extent / 2, "end": extent}.get(anchor, 0.0)
        assert float(x) - left >= -1, f"{chart}: {text!r} starts left of the chart"
        assert float(x) - left + extent <= width + 1, f"{chart}: {text!r} ends past the chart"


def _chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _public_pages(client: Client, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The public dashboard of a published campaign, for the nation and for Hà Nội, each saved
    with its assets in a folder of its own: (label, page)."""
    c, _ = f.populated_campaign(per_commune=6, status="published")
    for params, label in (({}, "nation"), ({"province": "01"}, "province")):
        resp = client.get(f"/public/{c.pk}/", params)
        assert resp.status_code == 200
        folder = tmp_path / label
        folder.mkdir()
        yield label, _save_page(resp.content.decode(), folder)


@pytest.mark.browser
@pytest.mark.django_db
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs headless Chromium")
def test_dashboard_draws_its_charts_on_desktop(tmp_path: Path, client: Client) -> None:
    for label, page in _public_pages(client, tmp_path):
        size = "--window-size=1280,2400"
        dom = _chromium(page, tmp_path / f"profile-{label}-dom", size, "--dump-dom")
        assert dom.returncode == 0, dom.stderr[-2000:]
        _check_charts(dom.stdout)
        shot = ARTIFACTS / f"dashboard-{label}-desktop.png"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        run = _chromium(page, tmp_path / f"profile-{label}-shot", size, f"--screenshot={shot}")
        assert run.returncode == 0, run.stderr[-2000:]
        assert shot.stat().st_size > 20_000


@pytest.mark.browser
@pytest.mark.django_db
def test_public_dashboard_fits_a_phone(tmp_path: Path, client: Client, phone: Any) -> None:
    for label, page in _public_pages(client, tmp_path):
        _check_charts(_on_phone(phone, page, ARTIFACTS / f"dashboard-{label}-phone.png"))


@pytest.mark.browser
@pytest.mark.django_db
def test_officer_dashboard_fits_a_phone(
    tmp_path: Path, client: Client, make_user: Any, phone: Any
) -> None:
    c, _ = f.populated_campaign(per_commune=6)
    client.force_login(make_user("admin"))
    resp = client.get(f"/analytics/{c.pk}/", {"province": "01"})
    assert resp.status_code == 200
    page = _save_page(resp.content.decode(), tmp_path)
    _check_charts(_on_phone(phone, page, ARTIFACTS / "officer-dashboard-province-phone.png"))
