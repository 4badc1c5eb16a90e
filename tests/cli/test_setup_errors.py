"""Set-up mistakes give one line naming the fix and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 30 + "Zq8#pL2@vX9!mN4$rT6&yW1*uI3^oP5"


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "THUOCDO_ENV", "LANG", "LC_ALL"}
        and not k.startswith(("PYTEST", "LANGUAGE", "LC_"))
    }
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "thuocdo.cli", *args],
        capture_output=True,
        text=True,
        env=full,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def _one_line(res: subprocess.CompletedProcess[str]) -> str:
    assert res.returncode != 0, res.stdout
    assert "Traceback" not in res.stderr + res.stdout
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, res.stderr
    return lines[0]


def test_a_database_that_was_not_migrated(tmp_path: Path) -> None:
    line = _one_line(_run(["geo", "find", "ha noi"], {"THUOCDO_DATA_DIR": str(tmp_path)}))
    assert "thuocdo migrate" in line and "Cơ sở dữ liệu" in line


def test_english_when_the_locale_asks(tmp_path: Path) -> None:
    res = _run(
        ["geo", "find", "ha noi"], {"THUOCDO_DATA_DIR": str(tmp_path), "LANG": "en_GB.UTF-8"}
    )
    line = _one_line(res)
    assert line.startswith("The database has no tables yet") and "thuocdo migrate" in line


def test_an_unreachable_postgresql(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    line = _one_line(
        _run(
            ["campaigns", "list"],
            {
                "THUOCDO_DATA_DIR": str(tmp_path),
                "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/thuocdo",
            },
        )
    )
    assert f"127.0.0.1:{port}" in line and "DATABASE_URL" in line


def test_an_unwritable_data_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    line = _one_line(_run(["migrate"], {"THUOCDO_DATA_DIR": str(blocker / "data")}))
    assert str(blocker / "data") in line and "THUOCDO_DATA_DIR" in line


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"SECRET_KEY": "", "ALLOWED_HOSTS": "thuocdo.example.vn"}, "SECRET_KEY"),
        ({"SECRET_KEY": "too-short", "ALLOWED_HOSTS": "thuocdo.example.vn"}, "SECRET_KEY"),
        ({"SECRET_KEY": GOOD_KEY}, "ALLOWED_HOSTS"),
    ],
)
def test_production_without_its_settings(tmp_path: Path, env: dict[str, str], named: str) -> None:
    env = {**env, "THUOCDO_ENV": "production", "THUOCDO_DATA_DIR": str(tmp_path)}
    if "ALLOWED_HOSTS" not in env:
        env["ALLOWED_HOSTS"] = ""
    line = _one_line(_run(["check"], env))
    assert named in line and "sản xuất" in line


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        yield s.getsockname()[1]


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_a_port_already_in_use(tmp_path: Path, busy_port: int, command: str) -> None:
    res = _run([command, "--addr", f"127.0.0.1:{busy_port}"], {"THUOCDO_DATA_DIR": str(tmp_path)})
    line = _one_line(res)
    assert f"Cổng {busy_port}" in line and "--addr" in line
    assert not (tmp_path / "thuocdo.sqlite3").exists()  # refused before any work


def test_a_bad_address(tmp_path: Path) -> None:
    line = _one_line(
        _run(["serve", "--addr", "127.0.0.1:http"], {"THUOCDO_DATA_DIR": str(tmp_path)})
    )
    assert "HOST:PORT" in line


def test_a_real_fault_is_not_explained_away() -> None:
    """Only set-up mistakes become one line: any other error still raises."""
    from thuocdo.config.setup_errors import explain

    assert explain(ValueError("boom")) is None
