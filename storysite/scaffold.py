"""``storysite new``: copy the skeleton site shipped with the package."""

from __future__ import annotations

import shutil
from pathlib import Path

from storysite.diagnostics import StorysiteError

SKELETON = Path(__file__).parent / "skeleton"


def create_site(target: Path) -> None:
    """Copy the skeleton into ``target``, which must not exist or be empty."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise StorysiteError(f"{target} is not empty; choose a new folder")
    shutil.copytree(SKELETON, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("gitignore"))
    shutil.copy2(SKELETON / "gitignore", target / ".gitignore")
    (target / "private").mkdir(exist_ok=True)
    (target / "private" / "README.txt").write_text(
        "Fans' personal data (names, emails, phone numbers, consent evidence), keyed by author.id.\n"
        "This folder is ignored by git: never commit it.\n",
        encoding="utf-8",
    )
