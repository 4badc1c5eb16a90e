"""An organisation self-assesses on a phone-sized headless Chromium and sees its result.

Every step is saved as a screenshot under ``test-artifacts/assessments/`` (the recorded demo
flow). Needs ``/usr/bin/chromium`` and ``/usr/bin/chromedriver``; skipped without them.
"""

from __future__ import annotations

import base64
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.browser import chrome_driver

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("builtins_after_module")]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "assessments"


@pytest.fixture
def phone() -> Iterator[Any]:
    profile = tempfile.mkdtemp(prefix="td-chromium-")
    driver = chrome_driver(360, 740, profile)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _shot(driver: Any, name: str) -> None:
    """A full-page screenshot (the whole form, not only the visible part)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 6000), "scale": 1}
    data = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    (ARTIFACTS / f"{name}.png").write_bytes(base64.b64decode(data["data"]))


def _replaced(element: Any) -> Callable[[Any], bool]:
    """True once ``element`` has left the document (htmx swapped the page).

    Chromium sometimes reports a detached node as an inspector error ("Node with given id
    does not belong to the document") instead of a stale reference; both mean it is gone.
    """
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    def gone(_driver: Any) -> bool:
        try:
            element.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc):
                return True
            raise
        return False

    return gone


def _draft_has(campaign: Any, org: Any, codes: list[str]) -> bool:
    from thuocdo.assessments.models import Response

    draft = Response.objects.filter(campaign=campaign, organisation=org).first()
    return draft is not None and all(code in draft.answers for code in codes)


def _answer_visible(driver: Any) -> None:
    from selenium.webdriver.common.by import By

    for fs in driver.find_elements(By.CSS_SELECTOR, "fieldset[data-criterion]"):
        if not fs.is_displayed():
            continue
        kind = fs.get_attribute("data-type")
        labels = fs.find_elements(By.CSS_SELECTOR, "label.opt")
        if kind == "multi":
            for label in labels[:2]:
                box = label.find_element(By.TAG_NAME, "input")
                if not box.is_selected():
                    label.click()
        elif kind in ("single", "scale"):
            labels[-2 if len(labels) > 2 else -1].click()
        elif kind == "boolean":
            labels[0].click()
        else:
            field = fs.find_element(By.TAG_NAME, "input")
            field.clear()
            field.send_keys("30")


def test_household_self_assesses_on_a_phone(
    live_server: Any,
    phone: Any,
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    household: Any,
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    from thuocdo.assessments.models import Response

    campaign = make_campaign(
        framework=household, area="48", name="Khảo sát chuyển đổi số hộ kinh doanh Đà Nẵng 2025"
    )
    org = make_org(
        name="Hộ kinh doanh Tạp hoá Bà Tư",
        entity_type="household_business",
        commune_code="20275",
        vsic="4711",
    )
    wait = WebDriverWait(phone, 90)
    phone.get(f"{live_server.url}/assessments/c/{campaign.public_token}/")
    assert campaign.name in phone.page_source
    _shot(phone, "01-start")
    phone.find_element(By.ID, "identifier").send_keys(org.tax_code)
    _shot(phone, "02-tax-code")
    start_button = phone.find_element(By.CSS_SELECTOR, "#lookup button")
    start_button.click()
    wait.until(_replaced(start_button))
    wait.until(ec.presence_of_element_located((By.ID, "sa-form")))
    # nothing overflows sideways on a 360 px screen
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 362
    pages = len(household.engine().pillars)
    for n in range(1, pages + 1):
        # the page's scripts have run (conditions are live)
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#sa-form[data-ready]")))
        if n == 2:
            # BH2 applies only when the business sells online: choosing "none" hides it
            bh2 = phone.find_element(By.ID, "c-BH2")
            assert bh2.is_displayed()
            none = phone.find_element(By.CSS_SELECTOR, "#c-BH1 input[value=none]")
            phone.execute_script("arguments[0].click()", none)
            wait.until(lambda d: not d.find_element(By.ID, "c-BH2").is_displayed())
            _shot(phone, "03-condition-hidden")
            phone.execute_script("arguments[0].click()", none)
            wait.until(lambda d: d.find_element(By.ID, "c-BH2").is_displayed())
        _answer_visible(phone)
        if n == 1:
            # the draft is saved on change: once the server holds every answer of the page
            # (saves are debounced, so the first "saved" status can come before the last one),
            # reloading keeps them
            shown = [
                fs.get_attribute("data-criterion")
                for fs in phone.find_elements(By.CSS_SELECTOR, "fieldset[data-criterion]")
                if fs.is_displayed()
            ]
            wait.until(lambda d: d.find_element(By.ID, "save-status").text.strip() != "")
            wait.until(lambda d, shown=shown: _draft_has(campaign, org, shown))
            # and the page knows it (nothing left for the beacon sent when a page is left)
            wait.until(
                lambda d: d.find_element(By.ID, "sa-form").get_attribute("data-unsaved") is None
            )
            phone.refresh()
            wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#sa-form[data-ready]")))
            checked = phone.find_elements(By.CSS_SELECTOR, "#sa-form input:checked")
            assert checked, "answers were lost on reload"
        _shot(phone, f"{n + 3:02d}-pillar-{n}")
        button = phone.find_element(By.ID, "submit" if n == pages else "next")
        phone.execute_script("arguments[0].scrollIntoView(); arguments[0].click()", button)
        wait.until(_replaced(button))
    wait.until(ec.presence_of_element_located((By.ID, "score")))
    wait.until(
        lambda d: d.find_element(By.ID, "pillar-chart").get_attribute("data-rendered") == "1"
    )
    response = Response.objects.get(campaign=campaign, organisation=org)
    assert response.status == "submitted"
    overall = phone.find_element(By.ID, "overall").text
    assert overall.replace(",", ".") == f"{response.overall:.1f}"
    assert phone.find_element(By.ID, "level").text == str(response.level)
    if response.unmet:
        assert len(phone.find_elements(By.CSS_SELECTOR, "#unmet li")) == len(response.unmet)
    _shot(phone, f"{pages + 4:02d}-result")


def test_an_answer_given_just_before_leaving_the_page_is_kept(
    live_server: Any,
    phone: Any,
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    household: Any,
) -> None:
    """Autosave waits for a pause; following a step link in that pause still saves."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    campaign = make_campaign(framework=household, area="48", name="Khảo sát hộ kinh doanh 2025")
    org = make_org(
        name="Hộ kinh doanh Quán Cô Ba",
        entity_type="household_business",
        commune_code="20275",
        vsic="5610",
    )
    wait = WebDriverWait(phone, 90)
    phone.get(f"{live_server.url}/assessments/c/{campaign.public_token}/")
    phone.find_element(By.ID, "identifier").send_keys(org.tax_code)
    start_button = phone.find_element(By.CSS_SELECTOR, "#lookup button")
    start_button.click()
    wait.until(_replaced(start_button))
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#sa-form[data-ready]")))
    first = next(
        fs
        for fs in phone.find_elements(By.CSS_SELECTOR, "fieldset[data-criterion]")
        if fs.is_displayed() and fs.get_attribute("data-type") in ("single", "scale", "boolean")
    )
    code = first.get_attribute("data-criterion")
    choice = first.find_elements(By.CSS_SELECTOR, "label.opt input")[-1]
    step_two = phone.find_element(By.CSS_SELECTOR, ".steps a")
    # the change and the navigation in one go: no pause for the debounced autosave
    phone.execute_script("arguments[0].click(); arguments[1].click();", choice, step_two)
    wait.until(_replaced(choice))
    wait.until(lambda _d: _draft_has(campaign, org, [code]))
