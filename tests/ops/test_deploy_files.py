"""The deployment files agree with each other, with the settings and with the docs."""

from __future__ import annotations

import re
from pathlib import Path

from thuocdo.cli import build_parser
from thuocdo.config.env import SETTINGS

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DOC = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")


def _read(name: str) -> str:
    return (DEPLOY / name).read_text(encoding="utf-8")


def test_every_deployment_file_is_referenced_from_the_doc() -> None:
    files = sorted(p.relative_to(ROOT).as_posix() for p in DEPLOY.rglob("*") if p.is_file())
    assert files
    for name in files:
        assert f"../{name}" in DOC, name


def test_environment_example_sets_only_declared_settings() -> None:
    declared = {s.name for s in SETTINGS}
    keys = set(re.findall(r"^([A-Z_]+)=", _read("thuocdo.env.example"), re.M))
    assert keys <= declared, keys - declared
    assert {"THUOCDO_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"} <= keys
    for name in keys:
        assert f"`{name}`" in DOC or name in {"EMAIL_HOST", "EMAIL_PORT"}, name


def test_units_nginx_and_logrotate_agree() -> None:
    web, worker = _read("systemd/thuocdo-web.service"), _read("systemd/thuocdo-worker.service")
    nginx, rotate = _read("nginx/thuocdo.conf"), _read("logrotate/thuocdo")
    bind = re.search(r"--bind (127\.0\.0\.1:\d+)", web)
    assert bind is not None and f"server {bind[1]}" in nginx
    assert "thuocdo.config.wsgi:application" in web
    import thuocdo.config.wsgi as wsgi_module

    assert Path(wsgi_module.__file__).is_file()
    command = re.search(r"ExecStart=\S+/thuocdo (\w+)", worker)
    assert command is not None
    assert command[1] in build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert "X-Forwarded-Proto" in nginx and "return 301 https://" in nginx
    upload = re.search(r"client_max_body_size (\d+)m;", nginx)
    default_mb = next(s.default for s in SETTINGS if s.name == "MAX_UPLOAD_MB")
    assert upload is not None and upload[1] == default_mb
    for log in re.findall(r"(/var/log/thuocdo/[\w.]+)", web + worker):
        assert log in rotate, log
    for unit in (web, worker):
        assert "EnvironmentFile=/etc/thuocdo/thuocdo.env" in unit
        assert "Restart=always" in unit
