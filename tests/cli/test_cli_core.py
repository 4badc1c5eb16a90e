"""The ``thuocdo`` command: help, geo find, load-builtins, check --deploy, docs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from thuocdo.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[2]


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ["demo", "serve", "migrate", "load-builtins", "createadmin", "geo", "check"]:
        assert command in out


@pytest.mark.django_db
def test_geo_find(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["geo", "find", "ha noi"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found[0] == {
        "code": "01",
        "name": "Thành phố Hà Nội",
        "level": "province",
        "structure": "2025",
        "parent": None,
        "former": None,
    }


@pytest.mark.django_db
def test_createadmin_prints_credentials(capsys: pytest.CaptureFixture[str]) -> None:
    from thuocdo.accounts.models import User

    assert main(["createadmin", "--username", "quantri", "--password", "mot-mat-khau-rat-dai"]) == 0
    assert "mot-mat-khau-rat-dai" in capsys.readouterr().out
    user = User.objects.get(username="quantri")
    assert user.is_superuser and user.check_password("mot-mat-khau-rat-dai")


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "thuocdo.cli", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_in_production(tmp_path: Path) -> None:
    res = _run(
        ["check", "--deploy"],
        {
            "THUOCDO_ENV": "production",
            "SECRET_KEY": "k" * 30 + "Zq8#pL2@vX9!mN4$rT6&yW1*uI3^oP5",
            "ALLOWED_HOSTS": "thuocdo.example.vn",
            "THUOCDO_DATA_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://thuocdo:x@127.0.0.1:5432/thuocdo",
            "REDIS_URL": "redis://127.0.0.1:6379/3",
            "CSRF_TRUSTED_ORIGINS": "https://thuocdo.example.vn",
        },
    )
    assert res.returncode == 0, res.stderr + res.stdout
    assert "no issues" in res.stdout


GOOD_KEY = "k" * 30 + "Zq8#pL2@vX9!mN4$rT6&yW1*uI3^oP5"


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        (
            {"SECRET_KEY": "change-me-to-at-least-50-random-characters-from-a-password-generator"},
            "thuocdo.E001",
            ["giá trị mẫu", "placeholder"],
        ),
        ({"DATABASE_URL": ""}, "thuocdo.E002", ["PostgreSQL", "SQLite"]),
        ({"REDIS_URL": ""}, "thuocdo.E003", ["REDIS_URL trống", "REDIS_URL is empty"]),
        ({"ALLOWED_HOSTS": "*"}, "thuocdo.E004", ["chứa '*'", "any host name"]),
        (
            {"CSRF_TRUSTED_ORIGINS": "https://a.example.vn,http://thuocdo.example.vn"},
            "thuocdo.E005",
            ["không mã hóa", "http://thuocdo.example.vn"],
        ),
    ],
)
def test_check_deploy_refuses_each_insecure_setting(
    tmp_path: Path, change: dict[str, str], code: str, words: list[str]
) -> None:
    env = {
        "THUOCDO_ENV": "production",
        "SECRET_KEY": GOOD_KEY,
        "ALLOWED_HOSTS": "thuocdo.example.vn",
        "THUOCDO_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://thuocdo:x@127.0.0.1:5432/thuocdo",
        "REDIS_URL": "redis://127.0.0.1:6379/3",
        "CSRF_TRUSTED_ORIGINS": "https://thuocdo.example.vn",
        **change,
    }
    res = _run(["check", "--deploy"], env)
    out = res.stderr + res.stdout
    assert res.returncode != 0, out
    assert code in out
    others = {f"thuocdo.E00{n}" for n in range(1, 6)} - {code}
    assert not [o for o in others if o in out], out
    for word in words:
        assert word in out


def test_production_refuses_a_missing_secret_key(tmp_path: Path) -> None:
    res = _run(
        ["check"],
        {"THUOCDO_ENV": "production", "SECRET_KEY": "", "THUOCDO_DATA_DIR": str(tmp_path)},
    )
    assert res.returncode != 0
    assert "SECRET_KEY" in res.stderr


def test_cli_reference_is_current() -> None:
    from thuocdo.cli.docs import render

    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == render()


def test_parser_builds_without_django() -> None:
    parser: Any = build_parser()
    assert parser.prog == "thuocdo"


def test_the_parser_can_be_built_again_and_again() -> None:
    """Command groups shared by several modules (``campaigns``) belong to their own parser."""
    import gc

    from thuocdo.cli import build_parser

    helps = set()
    for _ in range(5):
        parser = build_parser()
        helps.add(parser.format_help())
        del parser
        gc.collect()
    assert len(helps) == 1
    args = build_parser().parse_args(["campaigns", "template", "1", "--format", "csv", "-o", "x"])
    assert args.campaigns_command == "template"


def test_check_deploy_names_the_folders_several_machines_must_share(tmp_path: Path) -> None:
    env = {
        "THUOCDO_ENV": "production",
        "SECRET_KEY": GOOD_KEY,
        "ALLOWED_HOSTS": "thuocdo.example.vn",
        "THUOCDO_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://thuocdo:x@127.0.0.1:5432/thuocdo",
        "REDIS_URL": "redis://127.0.0.1:6379/3",
        "CSRF_TRUSTED_ORIGINS": "https://thuocdo.example.vn",
        "BACKUP_DIR": str(tmp_path / "sao-luu"),
    }
    one = _run(["check", "--deploy"], {**env, "THUOCDO_WEB_NODES": "1"})
    assert one.returncode == 0, one.stderr + one.stdout
    several = _run(["check", "--deploy"], {**env, "THUOCDO_WEB_NODES": "3"})
    out = several.stderr + several.stdout
    assert several.returncode != 0, out
    assert out.count("thuocdo.E010") == 2
    assert str(tmp_path / "media") in out and str(tmp_path / "sao-luu") in out
    assert "must be shared by every web and worker machine" in out


def test_a_folder_on_a_network_mount_counts_as_shared() -> None:
    from thuocdo.core.checks import NETWORK_FILESYSTEMS, mount_type

    mounts = (
        "/dev/vda1 / ext4 rw,relatime 0 0\n"
        "nas:/export/thuocdo /srv/thuocdo nfs4 rw,relatime 0 0\n"
        "tmpfs /srv/thuocdo/tmp tmpfs rw 0 0\n"
        "//files/backups /mnt/backup\\040copies cifs rw 0 0\n"
    )
    assert mount_type(Path("/srv/thuocdo/media/imports"), mounts) == "nfs4"
    assert mount_type(Path("/srv/thuocdo/tmp/x"), mounts) == "tmpfs"
    assert mount_type(Path("/mnt/backup copies/daily"), mounts) == "cifs"
    assert mount_type(Path("/var/lib/thuocdo"), mounts) == "ext4"
    assert {"nfs4", "cifs"} <= NETWORK_FILESYSTEMS and "ext4" not in NETWORK_FILESYSTEMS
