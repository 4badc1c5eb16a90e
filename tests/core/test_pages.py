"""The web shell: home page, languages, security headers, vendored assets only."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

import thuocdo

pytestmark = pytest.mark.django_db
PACKAGE = Path(thuocdo.__file__).parent


def test_home_is_vietnamese_by_default(client: Client) -> None:
    res = client.get("/")
    assert res.status_code == 200
    html = res.content.decode()
    assert '<html lang="vi">' in html
    assert "Tiêu chí" in html or "Bộ tiêu chí" in html


def test_english_switch(client: Client) -> None:
    res = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert res.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Criteria sets" in html


def test_officer_home_shows_scope(client: Client, make_user: object) -> None:
    user = make_user("province", "48")  # type: ignore[operator]
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "Thành phố Đà Nẵng" in html


def test_security_headers(client: Client) -> None:
    res = client.get("/")
    csp = res.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert res.headers["X-Frame-Options"] == "DENY"
    assert res.headers["X-Content-Type-Options"] == "nosniff"


def test_no_inline_scripts_or_external_assets_in_templates() -> None:
    for template in PACKAGE.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), f"inline script in {template}"
        assert not re.search(r"""(src|href)=["']https?://""", text), f"external asset in {template}"


def test_vendored_assets_are_served(client: Client) -> None:
    for path in [
        "thuocdo/app.css",
        "thuocdo/vendor/htmx.min.js",
        "thuocdo/vendor/fonts/be-vietnam-pro-vietnamese-400-normal.woff2",
    ]:
        assert (PACKAGE / "core" / "static" / path).is_file()


def test_error_pages_are_friendly(client: Client) -> None:
    res = client.get("/no-such-page/")
    assert res.status_code == 404
    assert "không tồn tại" in res.content.decode()


def test_health(client: Client) -> None:
    assert client.get("/health").json() == {"status": "ok"}


def _links(html: str) -> set[str]:
    return set(re.findall(r'href="(/[^"#?]*)', html))


def test_public_portal_is_linked_from_home_and_navigation(client: Client) -> None:
    html = client.get("/").content.decode()
    assert html.count('href="/public/"') == 2  # the top navigation and the home-page card
    assert "Kết quả đã công bố" in html


@pytest.mark.parametrize("role", ["respondent", "provider"])
def test_signed_in_non_officers_are_not_sent_to_officer_pages(
    client: Client, make_user: Any, role: str
) -> None:
    client.force_login(make_user(role))
    links = _links(client.get("/").content.decode())
    assert "/public/" in links and "/assessments/" in links
    assert not links & {"/analytics/", "/indicators/", "/plans/"}
    for link in {link for link in links if not link.startswith("/static/")}:
        assert client.get(link).status_code == 200, link


def test_officers_keep_their_dashboards_in_the_navigation(client: Client, make_user: Any) -> None:
    client.force_login(make_user("province", "48"))
    links = _links(client.get("/").content.decode())
    assert {"/analytics/", "/indicators/", "/plans/", "/public/"} <= links


def test_every_page_names_its_icon_so_browsers_do_not_ask_for_a_missing_favicon(
    client: Client,
) -> None:
    html = client.get("/").content.decode()
    icon = re.search(r'<link rel="icon" href="/static/([^"]+)"', html)
    assert icon, "no icon link"
    assert (PACKAGE / "core" / "static" / icon.group(1)).is_file()
