"""Write the built site aside, then swap it in; a failed build leaves the old output.

Files are written into a staging folder beside the output as they are
rendered (so memory stays bounded). Only when the whole build succeeded does
:meth:`Staging.commit` put the staging folder in place of the output; any
failure discards it. Stale files cannot survive: the new output holds exactly
what this build wrote, except for a version-control folder (``.git``, a
gh-pages worktree, say), which is carried over from the old output.

The output carries a marker file, :data:`MARKER`; a folder that has none and
is not empty was not written by storysite, and :func:`foreign_files` lets the
build refuse to replace it rather than delete someone's files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

from storysite.diagnostics import StorysiteError

BACKGROUND_DELETE_FILES = 2000
MARKER = ".storysite-output"
"""The file that marks a folder as storysite's output, replaced whole by every build."""
MARKER_TEXT = b"This folder is written by storysite: every build replaces it whole (a .git folder is kept).\n"
KEPT = (".git",)
"""Names at the top of the output carried over from one build to the next."""


def foreign_files(output_dir: Path, limit: int = 3) -> list[str]:
    """A few files of ``output_dir`` when it exists, is not empty and has no marker (else [])."""
    if not output_dir.is_dir() or (output_dir / MARKER).is_file():
        return []
    found: list[str] = []
    for folder, dirs, files in os.walk(output_dir):
        dirs[:] = sorted(d for d in dirs if not (Path(folder) == output_dir and d in KEPT))
        for name in sorted(files):
            if Path(folder) == output_dir and name in KEPT:
                continue
            found.append((Path(folder) / name).relative_to(output_dir).as_posix())
            if len(found) >= limit:
                return found
    return found


class Staging:
    """A staging folder for one build's output; use as a context manager."""

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = output_dir
        token = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.root = output_dir.parent / f".{output_dir.name}.staging-{token}"
        self.written: dict[str, int] = {}
        self._committed = False

    def __enter__(self) -> Staging:
        self.output_dir.parent.mkdir(parents=True, exist_ok=True)
        self.root.mkdir()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if not self._committed:
            shutil.rmtree(self.root, ignore_errors=True)

    def write(self, relpath: str, data: bytes) -> None:
        """Write one output file; two writes to one path are a bug in the caller."""
        if relpath in self.written:
            raise StorysiteError(f"internal error: {relpath} was written twice")
        target = self.root / relpath
        if not target.resolve().is_relative_to(self.root.resolve()):
            raise StorysiteError(f"internal error: {relpath} is outside the output")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.written[relpath] = len(data)

    def record(self, relpath: str, size: int) -> None:
        """Note a file put into the staging folder by other means (a link, a worker process)."""
        if relpath in self.written:
            raise StorysiteError(f"internal error: {relpath} was written twice")
        self.written[relpath] = size

    def files(self) -> Iterator[tuple[str, bytes]]:
        """Every file written so far, read back in sorted order."""
        for relpath in sorted(self.written):
            yield relpath, (self.root / relpath).read_bytes()

    def commit(self) -> None:
        """Swap the staging folder in place of the output folder (keeping its ``.git``)."""
        old = self.output_dir.parent / f".{self.output_dir.name}.old-{uuid.uuid4().hex[:8]}"
        had_output = self.output_dir.exists()
        (self.root / MARKER).write_bytes(MARKER_TEXT)
        kept = [name for name in KEPT if had_output and os.path.lexists(self.output_dir / name)]
        for name in kept:
            os.replace(self.output_dir / name, self.root / name)
        if had_output:
            os.replace(self.output_dir, old)
        try:
            os.replace(self.root, self.output_dir)
        except OSError:
            if had_output:
                os.replace(old, self.output_dir)
                for name in kept:
                    os.replace(self.root / name, self.output_dir / name)
            raise
        self._committed = True
        if had_output:
            if len(self.written) > BACKGROUND_DELETE_FILES:
                # The new output is in place; removing tens of thousands of old files
                # need not hold anyone up. A removal cut short is finished by the next
                # build (clean_leftovers).
                subprocess.Popen([sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], True)",
                                  str(old)], start_new_session=True, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            else:
                shutil.rmtree(old, ignore_errors=True)


def clean_leftovers(output_dir: Path) -> None:
    """Remove staging and old folders left by builds that were killed."""
    if not output_dir.parent.is_dir():
        return
    for entry in output_dir.parent.iterdir():
        if not entry.name.startswith((f".{output_dir.name}.staging-", f".{output_dir.name}.old-")):
            continue
        pid = entry.name.rsplit("-", 2)[-2] if ".staging-" in entry.name else ""
        if pid.isdigit() and _alive(int(pid)):
            continue  # another build (a preview server, say) is still writing there
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
