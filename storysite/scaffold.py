"""``storysite new``: copy the skeleton site shipped with the package."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from storysite.diagnostics import StorysiteError

SKELETON = Path(__file__).parent / "skeleton"
_NOTHING_YET = frozenset({".git", ".DS_Store"})
"""What a folder may hold and still count as empty for a new site."""


def create_site(target: Path) -> None:
    """Copy the skeleton into ``target``, which must not exist or be an empty folder.

    A target that cannot be a site folder (a file, a folder with files, a path through a
    file, a place the system does not let us write) is a :class:`StorysiteError` (exit 2)
    naming the path and the reason; nothing is left half made.
    """
    _check_target(target)
    # What this call creates, and so may remove again if it fails: the first missing folder
    # on the way to the target (never a folder that was there before, nor what was in it).
    created = next((p for p in reversed((target, *target.parents)) if not p.exists()), None)
    try:
        shutil.copytree(SKELETON, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("gitignore"))
        shutil.copy2(SKELETON / "gitignore", target / ".gitignore")
        (target / "private").mkdir(exist_ok=True)
        (target / "private" / "README.txt").write_text(
            "Fans' personal data (names, emails, phone numbers, consent evidence), keyed by author.id.\n"
            "This folder is ignored by git: never commit it.\n",
            encoding="utf-8",
        )
    except OSError as exc:
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)
        raise StorysiteError(f"cannot create a site in {target}: {_reason(exc, target)}", exit_code=2) from None


def _check_target(target: Path) -> None:
    """Refuse a target that is not a new or empty folder, saying why."""
    try:
        if target.is_dir():
            # (A repository just made, ``git init`` or an empty clone, is still an empty folder.)
            if any(entry.name not in _NOTHING_YET for entry in target.iterdir()):
                raise StorysiteError(f"{target} is not empty; choose a new folder", exit_code=2)
            return
        if target.exists() or target.is_symlink():
            raise StorysiteError(f"{target} {_not_a_folder(target)}; choose a new folder", exit_code=2)
        for parent in target.parents:
            if parent.is_dir():
                break
            if parent.exists() or parent.is_symlink():
                raise StorysiteError(f"cannot create a site in {target}: {parent} {_not_a_folder(parent)}",
                                     exit_code=2)
    except OSError as exc:
        raise StorysiteError(f"cannot create a site in {target}: {_reason(exc, target)}", exit_code=2) from None


def _not_a_folder(path: Path) -> str:
    return "is a file, not a folder" if path.is_file() else "exists and is not a folder"


def _reason(exc: OSError, target: Path) -> str:
    """An OS error in words, with the path it concerns when that is not the target itself."""
    if isinstance(exc, shutil.Error):  # copytree's list of (source, destination, reason)
        problems = exc.args[0] if exc.args and isinstance(exc.args[0], list) else []
        return str(problems[0][2]) if problems else str(exc)
    reason = exc.strerror or (os.strerror(exc.errno) if exc.errno else str(exc))
    if exc.filename and Path(exc.filename) != target:
        return f"{reason} ({exc.filename})"
    return reason
