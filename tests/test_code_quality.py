"""The code base stays typed and linted (mypy strict, ruff), as CI would check it."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO


def _tool(name: str) -> str:
    path = shutil.which(name, path=str(REPO / ".venv/bin")) or shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path


def test_mypy_strict_passes() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental"], cwd=REPO, capture_output=True,
                            text=True, check=False)
    if "No module named mypy" in result.stderr:
        pytest.skip("mypy is not installed")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_passes() -> None:
    result = subprocess.run([_tool("ruff"), "check", "storysite", "tests"], cwd=REPO, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
