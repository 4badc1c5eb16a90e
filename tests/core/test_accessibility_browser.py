"""Every page type checked by axe-core in headless Chromium at 360 px and 1280 px, on the demo
database: public pages (home, public index, a dashboard, the map of units, the DTI rankings, the
national ranking and a province drill-down, the verification page), the respondent's pages
(start, a pillar page, the result page) and the officer's (analytics dashboard, campaign page,
import page). No serious or critical violation is allowed. Screenshots of the national
dashboard, a province drill-down and the result page (phone and desktop) are saved.

axe-core is vendored under tests/vendor/axe-core (MPL-2.0, with its licence) and injected by
the test; it is never shipped with the product nor loaded from a network."""

from __future__ import annotations

import base64
import json
import os
import random
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from tests.browser import chrome_driver

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(
    os.environ.get("THUOCDO_ARTIFACTS") or Path(__file__).resolve().parents[2] / "test-artifacts"
)
BLOCKING = ("serious", "critical")
#: page → screenshot name (``<name>-phone.png``, ``<name>-desktop.png``)
SHOTS = {
    "national-ranking": "national-dashboard",
    "province-drill-down": "province-drill-down",
    "result": "result",
}
_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
  .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))))
  .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));
"""


@pytest.fixture(scope="module", autouse=True)
def _builtins_back_after_flush(django_db_blocker: Any) -> Any:
    """A transactional test empties every table when it ends; later tests need the built-ins."""
    yield
    from thuocdo.core.builtins import load_builtins

    with django_db_blocker.unblock():
        load_builtins()


def _driver(width: int, height: int) -> Iterator[Any]:
    profile = tempfile.mkdtemp(prefix="td-axe-")
    driver = chrome_driver(width, height, profile)
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def phone() -> Iterator[Any]:
    yield from _driver(360, 740)


@pytest.fixture
def desktop() -> Iterator[Any]:
    yield from _driver(1280, 900)


def _shot(driver: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 6000), "scale": 1}
    data = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    (ARTIFACTS / f"{name}.png").write_bytes(base64.b64decode(data["data"]))


def _axe(driver: Any, url: str) -> list[dict[str, Any]]:
    driver.get(url)
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = driver.execute_async_script(_RUN)
    return [v for v in found if v.get("impact") in BLOCKING]


def _respondent_pages() -> tuple[str, str, str, str]:
    """The open pilot's start page, a pillar page of a draft, the result page of a submitted
    response and the verification page of its certificate."""
    from thuocdo.accounts.scopes import Scope
    from thuocdo.assessments import certificates, selectors, services
    from thuocdo.assessments.demo import PILOT_LINK
    from thuocdo.assessments.domain.synthetic import synthetic_answers
    from thuocdo.assessments.models import Campaign, Organisation

    anon = Scope(role="anonymous")
    campaign = Campaign.objects.get(public_token=PILOT_LINK)
    orgs = list(
        Organisation.objects.filter(
            unit_path__startswith=campaign.unit_path, entity_type="enterprise"
        ).order_by("id")[:2]
    )
    done = services.response_save_draft(
        scope=anon, actor=None, campaign=campaign, organisation=orgs[0], answers={}
    )
    code = selectors.resume_code_of(done)
    answers = synthetic_answers(campaign.framework.engine(), random.Random(7), 0.45)
    response = services.response_submit(
        scope=anon,
        actor=None,
        campaign=campaign,
        organisation=orgs[0],
        answers=answers,
        resume_code=code,
    )
    pending = services.response_save_draft(
        scope=anon, actor=None, campaign=campaign, organisation=orgs[1], answers={}
    )
    cert = certificates.certificate_issue(response.response)
    assert cert is not None and code
    base = f"/assessments/c/{PILOT_LINK}"
    return (
        f"{base}/",
        f"{base}/r/{selectors.resume_code_of(pending)}/1/",
        f"{base}/r/{code}/result/",
        f"/verify/{cert.code}/",
    )


@pytest.mark.django_db(transaction=True)
def test_every_page_type_has_no_serious_accessibility_violation(
    settings: Any, live_server: Any, phone: Any, desktop: Any
) -> None:
    from tests.plans import browser_urls

    from thuocdo.accounts.demo import ensure_demo_users
    from thuocdo.accounts.models import User
    from thuocdo.assessments.demo import HANOI_LINK
    from thuocdo.assessments.demo_national import SME_2025
    from thuocdo.assessments.models import Campaign
    from thuocdo.core.builtins import load_demo_data

    settings.ROOT_URLCONF = "tests.plans.browser_urls"
    ensure_demo_users(password="mật-khẩu-đủ-dài-1")
    load_demo_data()
    national = Campaign.objects.get(public_token=SME_2025).pk
    hanoi = Campaign.objects.get(public_token=HANOI_LINK).pk
    start, pillar, result, verify = _respondent_pages()
    public = {
        "home": "/",
        "public-index": "/public/",
        "dashboard": f"/public/{hanoi}/",
        "map": "/geo/",
        "rankings": "/dti/",
        "national-ranking": f"/public/{national}/",
        "province-drill-down": f"/public/{national}/?province=01",
        "verification": verify,
        "start": start,
        "pillar": pillar,
        "result": result,
    }
    officer = {
        "officer-dashboard": f"/analytics/{hanoi}/",
        "campaign": f"/assessments/campaigns/{hanoi}/",
        "import": f"/assessments/import/campaigns/{hanoi}/",
    }
    base = live_server.url
    problems: dict[str, list[dict[str, Any]]] = {}
    for driver, label in ((phone, "phone"), (desktop, "desktop")):
        for name, path in public.items():
            if found := _axe(driver, base + path):
                problems[f"{name} ({label})"] = found
            if name in SHOTS:
                _shot(driver, f"{SHOTS[name]}-{label}")
        token = secrets.token_urlsafe(16)
        browser_urls.TOKENS[token] = User.objects.get(username="so.hanoi").pk
        driver.get(f"{base}/__browser-login__/{token}/?next={quote('/')}")
        for name, path in officer.items():
            if found := _axe(driver, base + path):
                problems[f"{name} ({label})"] = found
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)
