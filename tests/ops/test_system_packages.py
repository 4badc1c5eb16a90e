"""``make test`` sets up the system packages the suite uses, or stops with one line."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _bin_without_the_packages(tmp_path: Path) -> Path:
    """A throwaway PATH: the shell, make and id, and none of the suite's system packages (nor
    apt-get, so nothing can be installed)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "make", "id"):
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    return bin_dir


def test_make_test_stops_with_one_line_naming_the_missing_packages(tmp_path: Path) -> None:
    bin_dir = _bin_without_the_packages(tmp_path)
    res = subprocess.run(
        [str(bin_dir / "make"), "-s", "--no-print-directory", "-C", str(ROOT), "system-packages"],
        env={"PATH": str(bin_dir), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert res.returncode != 0
    lines = [line for line in res.stderr.splitlines() if line.strip() and "make:" not in line]
    assert len(lines) == 1, res.stderr
    for package in ("chromium", "chromium-driver", "libreoffice-calc-nogui", "gettext"):
        assert package in lines[0]
    assert "apt-get install" in lines[0]
    assert "Traceback" not in res.stderr


def test_make_test_runs_the_system_package_step_first() -> None:
    res = subprocess.run(
        ["make", "-n", "-C", str(ROOT), "test"], capture_output=True, text=True, check=True
    )
    assert "tools/system_packages.sh" in res.stdout
    assert res.stdout.index("system_packages.sh") < res.stdout.index("pytest")


def test_with_every_package_present_the_step_is_silent() -> None:
    res = subprocess.run(
        ["bash", str(ROOT / "tools" / "system_packages.sh")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (res.returncode, res.stdout, res.stderr) == (0, "", "")
