"""The wheel ships the bundled themes and the skeleton, and installs a working command."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(REPO)],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0 and "No module named 'hatchling'" in result.stderr:
        pytest.skip("hatchling is not installed in this environment")
    assert result.returncode == 0, result.stderr
    return next(out.glob("storysite-*.whl"))


def test_wheel_contains_themes_and_skeleton(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("storysite/themes/default/templates/base.html",
                     "storysite/themes/default/strings/fr.yaml",
                     "storysite/themes/default/static/css/site.css",
                     "storysite/skeleton/storysite.yaml",
                     "storysite/skeleton/gitignore",
                     "storysite/py.typed"):
        assert required in names, required
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "storysite = storysite.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_wheel_builds_a_new_site(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "installed"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import storysite.theme as t; assert t.__file__.startswith(sys.argv[1]), t.__file__;"
        "from storysite.cli import main; main(args=sys.argv[2:])"
    )
    site = tmp_path / "site"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    created = subprocess.run([sys.executable, "-c", code, str(target), "new", str(site)], capture_output=True,
                             text=True, env=env, cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    built = subprocess.run([sys.executable, "-c", code, str(target), "build", str(site)], capture_output=True,
                           text=True, env=env, cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert (site / "public/index.html").exists()
    assert any((site / "public/assets/css").glob("site.*.css"))
