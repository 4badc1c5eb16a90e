"""Under production settings every page and API answer carries the security headers.

The development headers are checked in ``tests/core/test_pages.py`` and ``check --deploy`` in
``tests/cli/test_cli_core.py``; this test loads the production settings in a process of its
own (they are chosen at import time) and walks every route that needs no object id.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.ops.fresh import FreshDb

pytestmark = pytest.mark.slow

HOST = "thuocdo.example.vn"
WALK = """
import json
from django.test import Client
from thuocdo.accounts.models import User
from tests.security.routes import all_routes

admin = User.objects.create(username="kiem-tra", role="admin", is_superuser=True)
out = {}
for route in all_routes():
    if route.params or route.method != "GET":
        continue
    for who in ("anonymous", "admin"):
        client = Client(HTTP_HOST="%(host)s")
        if who == "admin":
            client.force_login(admin)
        res = client.get(route.template, secure=True)
        out[f"{who} {route.template}"] = {"status": res.status_code, **{
            k: res.headers.get(k) for k in (
                "Content-Security-Policy", "Strict-Transport-Security", "X-Frame-Options",
                "X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy")}}
plain = Client(HTTP_HOST="%(host)s").get("/accounts/login/")
login = Client(HTTP_HOST="%(host)s").get("/accounts/login/", secure=True)
out["http"] = {"status": plain.status_code, "location": plain.headers.get("Location")}
out["cookies"] = {name: {"secure": bool(m["secure"]), "httponly": bool(m["httponly"]),
                         "samesite": m["samesite"]} for name, m in login.cookies.items()}
print(json.dumps(out))
"""


def test_production_pages_send_csp_hsts_and_frame_denial(
    fresh_db: Callable[[str], FreshDb],
) -> None:
    db = fresh_db("prod")
    db.env.update(
        THUOCDO_ENV="production",
        SECRET_KEY="p" * 30 + "Zq8#pL2@vX9!mN4$rT6&yW1*uI3^oP5",
        ALLOWED_HOSTS=HOST,
    )
    for step in (["migrate"], ["load-builtins"], ["manage", "collectstatic", "--noinput", "-v0"]):
        res = db.run(*step)
        assert res.returncode == 0, res.stderr
    result = db.python(WALK % {"host": HOST})
    http, cookies = result.pop("http"), result.pop("cookies")
    assert len(result) >= 20
    for name, answer in result.items():
        assert answer["status"] < 500, name
        csp = answer["Content-Security-Policy"] or ""
        directives = dict(
            ([*part.split(" ", 1), ""])[:2] for part in (p.strip() for p in csp.split(";")) if part
        )
        assert directives.get("script-src") == "'self'", (name, csp)
        assert "unsafe-inline" not in directives["script-src"], name
        assert directives.get("frame-ancestors") == "'none'", name
        assert directives.get("object-src") == "'none'", name
        assert answer["X-Frame-Options"] == "DENY", name
        assert answer["X-Content-Type-Options"] == "nosniff", name
        hsts = answer["Strict-Transport-Security"] or ""
        assert "max-age=31536000" in hsts and "includeSubDomains" in hsts, (name, hsts)
        assert answer["Referrer-Policy"] == "same-origin", name
    # Plain HTTP is sent to HTTPS; the CSRF cookie is HTTPS-only.
    assert http["status"] == 301 and http["location"].startswith(f"https://{HOST}/")
    assert cookies["csrftoken"]["secure"] and cookies["csrftoken"]["samesite"] == "Lax"
