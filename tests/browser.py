"""Headless Chromium for the browser tests: the switches of every run here and a chromedriver
session at a given window size (a phone is emulated below Chromium's 500 px minimum)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: Switches of every Chromium run here (screenshots, DOM dumps, chromedriver sessions).
HEADLESS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def chrome_driver(width: int, height: int, profile: str, *switches: str) -> Any:
    """A chromedriver session of ``width`` × ``height`` with its own profile folder, the
    Vietnamese locale and ``switches`` added; skips the test when chromedriver is missing."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    if not (CHROMEDRIVER.exists() and CHROMIUM.exists()):
        pytest.skip("needs /usr/bin/chromium and /usr/bin/chromedriver")
    options = webdriver.ChromeOptions()
    for arg in (
        *HEADLESS,
        *switches,
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
        "--lang=vi",
    ):
        options.add_argument(arg)
    if width < 500:  # a headless window is at least 500 px wide: emulate the phone
        options.add_experimental_option(
            "mobileEmulation",
            {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0}},
        )
    options.add_experimental_option("prefs", {"intl.accept_languages": "vi,vi-VN"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    return driver
