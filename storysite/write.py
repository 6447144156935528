"""Write the built site aside, then swap it in; a failed build leaves the old output.

Files are written into a staging folder beside the output as they are
rendered (so memory stays bounded). Only when the whole build succeeded does
:meth:`Staging.commit` put the staging folder in place of the output; any
failure discards it. Stale files cannot survive: the new output holds exactly
what this build wrote, except for a version-control folder (``.git``, a
gh-pages worktree, say), which is carried over from the old output. The old
output is then deleted, or kept (cut down to the files it shares with the new
one) as the next build's staging folder: see :class:`Staging`.

The output carries a marker file, :data:`MARKER`; a folder that has none and
is not empty was not written by storysite, and :func:`foreign_files` lets the
build refuse to replace it rather than delete someone's files.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from storysite.diagnostics import StorysiteError

BACKGROUND_DELETE_FILES = 2000
MARKER = ".storysite-output"
"""The file that marks a folder as storysite's output, replaced whole by every build."""
MARKER_TEXT = b"This folder is written by storysite: every build replaces it whole (a .git folder is kept).\n"
KEPT = (".git",)
"""Names at the top of the output carried over from one build to the next."""
FILE_MODE = 0o644
FOLDER_MODE = 0o755
"""The permissions of every file and folder of the output, whatever the umask of the build: a
site is built to be served, by a web server that reads it as another user (files of 0600,
from a build under umask 077, would not be served), and the same input gives the same output,
permissions included (the old output's files are linked into the new one, so a build under
another umask would otherwise leave its modes to every later build)."""


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
    """A staging folder for one build's output; use as a context manager.

    With ``recycle_dir``, the folder left there by the previous build (the output
    before last, cut down to the files the last build kept unchanged) is taken as
    the staging folder instead of a new one: its files and folders are reused
    wherever they are still right, so an edit that changes ten pages of ten
    thousand creates and deletes a few files instead of ten thousand folders
    (on some file systems, creating files soon after deleting many is slow).
    Nothing in it is trusted: a file is kept only when it is the very file (same
    inode) the output has, or is replaced, and :meth:`prune` removes the rest.
    """

    def __init__(self, output_dir: Path, recycle_dir: Path | None = None,
                 previous_files: Iterable[str] | None = None,
                 previous_marker: tuple[int, int, int] | None = None,
                 recycled_listing: RecycledListing | None = None) -> None:
        self.output_dir = output_dir
        self._token = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.root = output_dir.parent / f".{output_dir.name}.staging-{self._token}"
        self.recycle_dir = recycle_dir
        self.recycled = False
        self.written: dict[str, int] = {}
        self.unchanged: set[str] = set()
        """Files that are the previous output's own (hard links to the same inode)."""
        self.expected: set[str] | None = None
        """Every file the build means to write, when it says so before writing (see :meth:`prune_unexpected`)."""
        self._pruned_for: set[str] | None = None
        self._committed = False
        self.left_behind: list[tuple[Path, OSError]] = []
        """Old outputs (or a recycled folder given up) that could not be removed, each with why."""
        self.previous_files = None if previous_files is None else frozenset(previous_files)
        """Every file the last build wrote into the output, when known, with ``previous_marker``,
        the identity of the marker that build committed (see :func:`marker_identity`): an old
        output that still has that very marker is cut down by this list instead of a walk."""
        self.previous_marker = previous_marker
        self._marker_seen = marker_identity(output_dir)
        self._listing_given = recycled_listing
        self._known_files: frozenset[str] | None = None
        self._known_folders: set[str] = set()
        self._touched = False
        """Whether anything was removed from the staging folder or written there yet."""

    def __enter__(self) -> Staging:
        self.output_dir.parent.mkdir(parents=True, exist_ok=True)
        if self.recycle_dir is not None and _is_folder_of_mode(self.recycle_dir):
            # (Checked before the rename, which changes the folder's change time.)
            given = self._listing_given
            known = given.files if given is not None and given.holds(self.recycle_dir) else None
            try:
                os.rename(self.recycle_dir, self.root)
                self.recycled = True
                if given is not None and known is not None:
                    self.take_listing(known, {relpath for relpath, *_ in given.folders if relpath})
            except OSError:  # another file system, or another build took it first
                shutil.rmtree(self.recycle_dir, ignore_errors=True)
        if not self.recycled:
            make_folder(self.root)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if not self._committed:
            if self.recycled and not self._touched and self.recycle_dir is not None:
                # A build that stopped before writing (an error in the content) gives the
                # recycled folder back as it found it, for the next build.
                with contextlib.suppress(OSError):
                    os.rename(self.root, self.recycle_dir)
                    return
            shutil.rmtree(self.root, ignore_errors=True)

    def take_listing(self, files: frozenset[str], folders: Iterable[str]) -> None:
        """What the recycled folder holds, known otherwise than by a walk (a listing made by
        another process, see :class:`BackgroundListing`): :meth:`prune_unexpected` removes
        what this build does not write by that list."""
        if self.recycled:
            self._known_files, self._known_folders = files, set(folders)

    def _claim(self, relpath: str) -> None:
        """Check that ``relpath`` is written once, inside the output (else it is a bug of the caller)."""
        if relpath in self.written:
            raise StorysiteError(f"internal error: {relpath} was written twice")
        self._touched = True
        if not (self.root / relpath).resolve().is_relative_to(self.root.resolve()):
            raise StorysiteError(f"internal error: {relpath} is outside the output")

    def write(self, relpath: str, data: bytes) -> None:
        """Write one output file; two writes to one path are a bug in the caller.

        A file identical to the previous output's is linked to it instead."""
        self._claim(relpath)
        previous = self.output_dir / relpath
        if _same_bytes(previous, data) and place_link(previous, self.root, relpath) is not None:
            self.unchanged.add(relpath)
        else:
            place_bytes(self.root, relpath, data, self.recycled)
        self.written[relpath] = len(data)

    def place(self, relpath: str, source: Path, size: int, link: bool = True) -> None:
        """Put the file ``source`` (a cache's, never changed in place, of ``size`` bytes) at
        ``relpath``, as :meth:`write` writes bytes, without reading it into memory: a hard link
        to it (the previous output's very file when that is one too), else, or unless ``link``,
        a streamed copy."""
        self._claim(relpath)
        if link and place_link(source, self.root, relpath) is not None:
            if _same_file(self.output_dir / relpath, source):
                self.unchanged.add(relpath)
        else:
            place_copy(self.root, relpath, source, self.recycled)
        self.written[relpath] = size

    def record(self, relpath: str, size: int, unchanged: bool = False) -> None:
        """Note a file put into the staging folder by other means (a worker process);
        ``unchanged`` when it is a hard link to the previous output's file."""
        if relpath in self.written:
            raise StorysiteError(f"internal error: {relpath} was written twice")
        self._touched = True
        self.written[relpath] = size
        if unchanged:
            self.unchanged.add(relpath)

    def files(self) -> Iterator[tuple[str, bytes]]:
        """Every file written so far, read back in sorted order."""
        for relpath in sorted(self.written):
            yield relpath, (self.root / relpath).read_bytes()

    def prune_unexpected(self) -> None:
        """Remove from a recycled folder every file not in :attr:`expected`, before anything
        is written there (then :meth:`prune` has nothing left to do).

        A recycled folder that cannot be pruned or written all through (a folder of the old
        output made read-only, then recycled with it) is given up for a new one, so that it
        never holds back the build, nor a withdrawal with it; it is removed, else reported
        in :attr:`left_behind` (it still holds what an earlier build published)."""
        self._touched = True  # (from here on, workers write there)
        if self.recycled and self.expected is not None:
            try:
                if self._known_files is not None:
                    for relpath in sorted(self._known_files - self.expected):
                        _unlink_within(self.root, relpath)
                    # Folders that hold no file to write (left empty by hand): removed, as a walk would.
                    for relpath in sorted(self._known_folders - _folders_of(self.expected), reverse=True):
                        with contextlib.suppress(FileNotFoundError):
                            os.rmdir(self.root / relpath)
                else:
                    _remove_unlisted(self.root, self.expected, writable=True)
            except OSError:
                self._give_up_recycled()
                return
            self._pruned_for = set(self.expected)

    def _give_up_recycled(self) -> None:
        aside = self.output_dir.parent / f".{self.output_dir.name}.old-{uuid.uuid4().hex[:8]}"
        os.rename(self.root, aside)  # beside the output, where later builds clean what is left
        make_folder(self.root)
        self.recycled = False
        left = remove_tree(aside)
        if left is not None:
            self.left_behind.append((aside, left))

    def prune(self) -> None:
        """Remove from a recycled folder everything this build did not write."""
        if self.recycled and self._pruned_for != set(self.written):
            _remove_unlisted(self.root, self.written.keys())

    def commit(self) -> None:
        """Swap the staging folder in place of the output folder (keeping its ``.git``).

        The old output is deleted, or, with ``recycle_dir``, cut down to the files
        the new output shares with it and kept there for the next build: it then
        holds nothing the new output does not (a withdrawn memory's page is gone
        from it too). When most of it changed, it is deleted in the background.
        """
        self.prune()
        # Named after the staging folder: found with it, they tell of a build killed between
        # its two renames (see restore_set_aside).
        old = self.output_dir.parent / f".{self.output_dir.name}.old-{self._token}"
        had_output = self.output_dir.exists()
        place_bytes(self.root, MARKER, MARKER_TEXT)
        kept: list[str] = []
        set_aside = exchanged = False
        try:
            for name in KEPT:
                if had_output and os.path.lexists(self.output_dir / name):
                    os.replace(self.output_dir / name, self.root / name)
                    kept.append(name)
            # One atomic swap where the system has it: a build killed at any moment (SIGKILL)
            # leaves an output, old or new. Else two renames, and a build killed between them
            # leaves the old output set aside, which the next build puts back (see
            # restore_set_aside); a .git moved into a staging folder left so is given back by
            # clean_leftovers.
            exchanged = had_output and exchange_folders(self.root, self.output_dir)
            if had_output and not exchanged:
                os.replace(self.output_dir, old)
                set_aside = True
            if not exchanged:
                os.replace(self.root, self.output_dir)
        except BaseException:
            # Stopped on the way (a failure, or Ctrl-C or SIGTERM between two swaps): the old
            # output is put back as it was, its .git included (the staging folder is deleted).
            if exchanged:
                raise  # (nothing after the swap can fail)
            if set_aside:
                os.replace(old, self.output_dir)
            for name in kept:
                os.replace(self.root / name, self.output_dir / name)
            raise
        self._committed = True
        if exchanged:
            # The old output is where the staging folder was: set aside under its usual name.
            try:
                os.replace(self.root, old)
            except OSError:
                old = self.root
        if had_output:
            self._dispose(old)

    def _dispose(self, old: Path) -> None:
        many = False
        marker = marker_identity(old)
        # The old output is the very one the file list describes and this build linked its
        # unchanged files from (its marker, made anew by every build, is the same file, made at
        # the same time, as when the list was saved and when this build began): what it holds
        # besides them is what the last build wrote and this one did not keep. Files put there
        # by hand are left to the next build, which removes whatever it does not expect first.
        if (self.recycle_dir is not None and self.previous_files is not None and marker is not None
                and marker == self.previous_marker == self._marker_seen):
            recorded = sorted((self.previous_files - self.unchanged) | {MARKER})
            if all(_plain_relpath(r) for r in recorded) and _recycle(old, recorded, self.recycle_dir):
                return
        if self.recycle_dir is not None:
            # Kept: only the files that are the very files (same inode) the new output has at
            # the same path. Not trusted by path alone: another build may have swapped in between.
            try:
                stale = _files_except(old, self.unchanged, BACKGROUND_DELETE_FILES, self.output_dir)
            except OSError:  # a folder of it cannot be listed: never kept, removed here and now
                self._remove_now(old)
                return
            if stale is not None and _recycle(old, stale, self.recycle_dir):
                return
            many = stale is None  # the walk stopped at the limit: no need to count again
        try:
            many = many or _count_files(old, BACKGROUND_DELETE_FILES) >= BACKGROUND_DELETE_FILES
        except OSError:
            self._remove_now(old)
            return
        if many:
            # The new output is in place; removing tens of thousands of old files
            # need not hold anyone up. A removal cut short is finished by the next
            # build (clean_leftovers).
            subprocess.Popen([sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], True)",
                              str(old)], start_new_session=True, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        else:
            self._remove_now(old)

    def _remove_now(self, old: Path) -> None:
        problem = remove_tree(old)
        if problem is not None:
            self.left_behind.append((old, problem))


@dataclass(frozen=True)
class RecycledListing:
    """A recycled folder surveyed whole (:func:`survey_recycled`): every file in it (links and
    special files included) and the identity of every folder in it. A folder's change time
    moves whenever an entry is added to it, removed or renamed (a link put in place of a
    folder, a file planted deep down), so while every folder has the identity surveyed, the
    folder holds exactly those files, and the next build prunes it by the list, not by a walk."""

    files: frozenset[str]
    folders: tuple[tuple[str, int, int, int], ...]
    """(relative path, device, inode, change time in ns) of each folder, the top one as ""."""

    def holds(self, root: Path) -> bool:
        """Whether ``root`` is still the folder surveyed, no folder in it changed since."""
        for relpath, device, inode, changed in self.folders:
            try:
                info = os.lstat(os.path.join(root, relpath) if relpath else root)
            except OSError:
                return False
            if (info.st_dev, info.st_ino, info.st_ctime_ns) != (device, inode, changed) or not stat.S_ISDIR(info.st_mode):
                return False
        return True


def survey_recycled(folder: Path) -> RecycledListing | None:
    """What ``folder`` holds (see :class:`RecycledListing`), or None when it cannot be listed or
    its clock is too coarse to show a change made within its tick (a whole-second change time).

    For the preview server, once its pages have reloaded: its next build then checks a change
    time per folder instead of listing each folder, off the path from a save to its reload."""
    folders: list[tuple[str, int, int, int]] = []

    def note(relpath: str, path: str) -> None:
        info = os.lstat(path)  # before the listing: a change made while listing moves it on
        if not stat.S_ISDIR(info.st_mode) or not info.st_ctime_ns % 1_000_000_000:
            raise _Unsurveyable(path)
        folders.append((relpath, info.st_dev, info.st_ino, info.st_ctime_ns))

    try:
        # (A folder this process cannot write is left to the walk, which gives it up.)
        files, _ = _list_tree(folder, note)
    except (OSError, _Unsurveyable):
        return None
    return RecycledListing(frozenset(files), tuple(folders))


class _Unsurveyable(Exception):
    """A folder of a recycled folder whose change time cannot tell a change (see :func:`survey_recycled`)."""


class BackgroundListing:
    """Every file and folder below a folder, listed by a forked process while the build goes on.

    A one-shot build (``storysite build``) takes its recycled folder as its staging folder as
    soon as it knows it will write (see :meth:`Staging.take_listing`), and needs to know what
    the folder holds only when it starts writing, after a second or so of loading and planning
    that leaves the machine's other core idle: listing ten thousand folders (about 0.1 s) is
    done there meanwhile. The folder is the build's own by then (named for its process), so
    the listing is as good as a walk made later. Use as a context manager: leaving it stops
    and reaps the process if it is still running."""

    def __init__(self, folder: Path) -> None:
        self._pid = 0
        self._pipe = -1
        if not hasattr(os, "fork") or not folder.is_dir():
            return
        read, write = os.pipe()
        try:
            with warnings.catch_warnings():
                # (Python 3.12 warns of a fork in a process with threads, a test runner's say: the
                # child only lists a folder and writes to a pipe, taking none of their locks.)
                warnings.simplefilter("ignore", DeprecationWarning)
                pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # pragma: no cover - the child, which never returns to the build
            code = 1
            try:
                os.close(read)
                files, folders = _list_tree(folder)
                data = b"%d\n" % len(files) + b"\0".join(os.fsencode(name) for name in (*files, *folders))
                with os.fdopen(write, "wb") as out:
                    out.write(data)
                code = 0
            except BaseException:
                pass
            os._exit(code)  # no exit handlers, no flushing of the parent's buffers
        os.close(write)
        self._pid, self._pipe = pid, read

    def result(self) -> tuple[frozenset[str], frozenset[str]] | None:
        """The files and the folders (relative paths), once the process is done; None when it
        failed (a folder it could not list or write: the build walks it, and gives it up)."""
        if not self._pid:
            return None
        try:
            with os.fdopen(self._pipe, "rb") as pipe:
                self._pipe = -1
                data = pipe.read()
        except OSError:
            data = b""
        if self._reap() != 0 or not data:
            return None
        count, _, names = data.partition(b"\n")
        listed = [os.fsdecode(name) for name in names.split(b"\0")] if names else []
        if not count.isdigit() or int(count) > len(listed):
            return None
        return frozenset(listed[:int(count)]), frozenset(listed[int(count):])

    def _reap(self) -> int:
        pid, self._pid = self._pid, 0
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:
            return -1
        return os.waitstatus_to_exitcode(status)

    def __enter__(self) -> BackgroundListing:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._pipe >= 0:
            os.close(self._pipe)
            self._pipe = -1
        if self._pid:
            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGKILL)
            self._reap()


def _list_tree(folder: Path, before_listing: Callable[[str, str], None] | None = None
               ) -> tuple[list[str], list[str]]:
    """The files (links and special files included) and the folders below ``folder``; a
    folder this process cannot write raises, as :func:`_walk_files` with ``writable``.
    ``before_listing`` is called with each folder's relative path ("" for ``folder``) and its
    path, before the folder is listed."""
    files: list[str] = []
    folders: list[str] = []
    pending = [""]
    while pending:
        relpath = pending.pop()
        path = os.path.join(folder, relpath) if relpath else str(folder)
        if not os.access(path, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        if before_listing is not None:
            before_listing(relpath, path)
        if relpath:
            folders.append(relpath)
        with os.scandir(path) as entries:
            for entry in entries:
                inner = f"{relpath}/{entry.name}" if relpath else entry.name
                (pending if entry.is_dir(follow_symlinks=False) else files).append(inner)
    return files, folders


def replace_file(path: Path, write: Callable[[BinaryIO], object], mode: int | None = None, sync: bool = False) -> None:
    """Write ``path`` through a new file beside it, renamed over it once ``write`` has written it
    whole: a crash, a full disk or an interrupt midway leaves ``path`` as it was (and the new
    file is removed, but after a kill). ``mode``: the new file's permissions (else ``mkstemp``'s
    0600); ``sync``: its bytes are on disk before the name points at them."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _recycle(old: Path, stale: list[str], recycle_dir: Path) -> bool:
    """Remove the ``stale`` files from ``old`` and keep what is left as ``recycle_dir``.

    Each is removed through its folders without following a symbolic link: the list may
    come from a record rather than a walk of ``old``, and no file outside it is removed."""
    try:
        for relpath in stale:
            _unlink_within(old, relpath)
        recycle_dir.parent.mkdir(parents=True, exist_ok=True)
        if recycle_dir.exists():
            shutil.rmtree(recycle_dir)
        os.rename(old, recycle_dir)
    except OSError:
        return False  # then deleted, like any old output
    return True


FileIdentity = tuple[int, int, int]
"""(inode, size, modification time in ns) of a written file: a file still so is as written
(a restored copy is another inode, an edit in place another time)."""


def identity_of(info: os.stat_result) -> FileIdentity:
    return (info.st_ino, info.st_size, info.st_mtime_ns)


def changed_after(info: os.stat_result, when_ns: int) -> bool:
    """Whether a file or folder changed after ``when_ns``: its modification time, or its change
    time, which an edit whose modification time was put back still moves on."""
    return max(info.st_mtime_ns, info.st_ctime_ns) > when_ns


def place_bytes(root: Path, relpath: str, data: bytes, replace: bool = True) -> FileIdentity:
    """Write ``data`` as ``root/relpath``, making its folders; the identity of the file written.

    With ``replace`` (a recycled folder), whatever is there is removed first, never
    overwritten in place: it may be a hard link to a file of the live output.
    """
    def fill(fd: int) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]

    return _place_file(root, relpath, replace, fill)


def place_copy(root: Path, relpath: str, source: Path, replace: bool = True) -> FileIdentity:
    """Copy the file ``source`` to ``root/relpath`` as :func:`place_bytes` writes bytes, a piece
    at a time (a video of hundreds of megabytes is never held whole)."""
    with open(source, "rb") as reading:
        def fill(fd: int) -> None:
            with os.fdopen(os.dup(fd), "wb") as writing:
                shutil.copyfileobj(reading, writing, 1 << 20)

        return _place_file(root, relpath, replace, fill)


def _place_file(root: Path, relpath: str, replace: bool, fill: Callable[[int], None]) -> FileIdentity:
    """Create ``root/relpath`` (and its folders), have ``fill`` write it through its descriptor,
    give it the output's mode; the identity of the file written. See :func:`place_bytes`."""
    target = os.path.join(root, relpath)
    if replace:
        _remove_target(root, relpath)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    except (FileNotFoundError, NotADirectoryError):
        _make_parent(root, relpath)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        fill(fd)
        info = os.fstat(fd)
        if stat.S_IMODE(info.st_mode) != FILE_MODE:  # a umask that takes more than write access away
            os.fchmod(fd, FILE_MODE)  # (changes no part of the file's identity)
        return identity_of(info)
    finally:
        os.close(fd)


def place_link(source: Path | str, root: Path, relpath: str, expect: FileIdentity | None = None,
               unchanged_since: int | None = None) -> int | None:
    """Make ``root/relpath`` a hard link to ``source`` (kept when it is one already).

    The size, or None when ``source`` is gone, is not the file ``expect`` says it was
    written as, changed after ``unchanged_since`` (ns: an edit in place whose modification
    time was put back still changes the change time), or cannot be linked (then nothing is
    placed, and the caller writes the file itself). With both ``expect`` and
    ``unchanged_since``, a file already at ``root/relpath`` that is the one ``expect`` names,
    untouched since, is kept as it is, wherever ``source`` went: its bytes are the same."""
    target = os.path.join(root, relpath)
    try:
        there: os.stat_result | None = os.stat(target, follow_symlinks=False)
    except OSError:
        there = None
    if (there is not None and expect is not None and unchanged_since is not None and _is_output_file(there)
            and identity_of(there) == expect and not changed_after(there, unchanged_since)):
        # A recycled folder's link to that very file (same inode, untouched since): an edit
        # build finds most pages so, and needs no look at the source.
        return there.st_size
    try:
        found = os.stat(source, follow_symlinks=False)
    except OSError:
        return None
    if not _is_output_file(found):  # a link to anywhere is never linked into the output, nor a
        return None                 # file of other permissions (written under another umask)
    if expect is not None and identity_of(found) != expect:
        return None
    if unchanged_since is not None and changed_after(found, unchanged_since):
        return None
    if there is not None:
        if there.st_ino == found.st_ino and there.st_dev == found.st_dev:
            return found.st_size
        try:
            _remove_target(root, relpath)
        except OSError:
            return None
    try:
        try:
            os.link(source, target)
        except (FileNotFoundError, NotADirectoryError):  # its folder is not made yet
            _make_parent(root, relpath)
            os.link(source, target)
    except OSError:
        return None
    return found.st_size


def _is_output_file(info: os.stat_result) -> bool:
    """Whether ``info`` is a plain file with the output's permissions (:data:`FILE_MODE`)."""
    return stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) == FILE_MODE


def _is_folder_of_mode(path: Path) -> bool:
    """Whether ``path`` is a folder (not a link) with the output's permissions: a recycled
    folder that is not was made under another umask (by an earlier version), and so may be
    the folders in it, which the new output would keep."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and stat.S_IMODE(info.st_mode) == FOLDER_MODE


def make_folder(path: str | Path) -> None:
    """Make the folder ``path`` (its parent exists) with :data:`FOLDER_MODE`, whatever the umask."""
    os.mkdir(path, FOLDER_MODE)
    os.chmod(path, FOLDER_MODE)  # (mkdir's mode is cut by the umask)


def make_folders(path: str) -> None:
    """``os.makedirs(path, exist_ok=True)``, every folder it makes with :data:`FOLDER_MODE`."""
    try:
        make_folder(path)
    except FileNotFoundError:
        make_folders(os.path.dirname(path))
        make_folder(path)
    except FileExistsError:
        if not os.path.isdir(path):
            raise


def _remove_target(root: Path, relpath: str) -> None:
    """Remove whatever stands at ``root/relpath`` (a file, a link, a folder)."""
    target = os.path.join(root, relpath)
    try:
        os.unlink(target)
    except FileNotFoundError:
        pass
    except NotADirectoryError:  # a file stands where one of its folders should be
        _make_parent(root, relpath)
    except (IsADirectoryError, PermissionError):
        if not os.path.isdir(target) or os.path.islink(target):
            raise
        shutil.rmtree(target)


def _make_parent(root: Path, relpath: str) -> None:
    """Make the folders of ``root/relpath``, removing any file that stands in their way."""
    folder = str(root)
    for name in relpath.split("/")[:-1]:
        folder = os.path.join(folder, name)
        try:
            make_folder(folder)
        except FileExistsError:
            if os.path.islink(folder) or not os.path.isdir(folder):
                os.unlink(folder)
                make_folder(folder)


def marker_identity(output_dir: Path) -> tuple[int, int, int] | None:
    """(device, inode, change time) of the marker file of ``output_dir``, or None.

    Every build makes its marker anew and never links it: an output folder restored from
    elsewhere, or replaced by another build since, has another marker."""
    try:
        info = os.stat(output_dir / MARKER, follow_symlinks=False)
    except OSError:
        return None
    return (info.st_dev, info.st_ino, info.st_ctime_ns) if stat.S_ISREG(info.st_mode) else None


def _plain_relpath(relpath: str) -> bool:
    """Whether ``relpath`` names a file below a folder: relative, no ``.`` or ``..`` part."""
    parts = relpath.split("/")
    return not relpath.startswith("/") and "\\" not in relpath and all(p not in ("", ".", "..") for p in parts)


def _unlink_within(root: Path, relpath: str) -> None:
    """Remove ``root/relpath`` and the folders it leaves empty, going down folder by folder
    without following a symbolic link (a link in the way: nothing is removed). A file that
    is there and cannot be removed (a read-only folder) raises: it may be a withdrawn page."""
    parts = relpath.split("/")
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
    folders = [os.open(root, flags)]
    try:
        try:
            for name in parts[:-1]:
                folders.append(os.open(name, flags, dir_fd=folders[-1]))
        except OSError as exc:
            if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP):
                return  # a folder gone, or a link or a file in the way: the file is not there
            raise  # a folder that cannot be opened (no read permission) may still hold it
        try:
            os.unlink(parts[-1], dir_fd=folders[-1])
        except FileNotFoundError:
            return
        for name, parent in zip(reversed(parts[:-1]), reversed(folders[:-1]), strict=True):
            try:
                os.rmdir(name, dir_fd=parent)
            except OSError:
                break  # not empty: the first folder that is not stops it
    finally:
        for fd in folders:
            os.close(fd)


def _folders_of(relpaths: Iterable[str]) -> set[str]:
    """Every folder the files ``relpaths`` go into, at any depth (the top one left out)."""
    folders: set[str] = set()
    for relpath in relpaths:
        folder = relpath.rpartition("/")[0]
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return folders


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _walk_files(root: Path, empty: list[str] | None = None, writable: bool = False) -> Iterator[str]:
    """Every file (or symlink) below ``root``, relative, with ``/`` separators; the empty
    folders found are added to ``empty`` (as ``folder/-``, so that their own folder is removed).
    With ``writable``, a folder this process cannot write raises PermissionError."""
    stack = [("", str(root))]
    while stack:
        prefix, folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            continue
        # Any other failure raises: a folder that cannot be listed may hold a withdrawn page.
        if writable and not os.access(folder, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), folder)
        if not entries and prefix and empty is not None:
            empty.append(prefix + "-")
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append((prefix + entry.name + "/", entry.path))
            else:
                yield prefix + entry.name


def _files_except(root: Path, keep: set[str], limit: int, twin: Path) -> list[str] | None:
    """The files below ``root`` other than those in ``keep`` that are the same file (inode)
    as in ``twin``, or None when there are ``limit`` or more."""
    found = []
    for relpath in _walk_files(root):
        if relpath not in keep or not _same_file(root / relpath, twin / relpath):
            found.append(relpath)
            if len(found) >= limit:
                return None
    return found


def _same_file(first: Path, second: Path) -> bool:
    try:
        a, b = os.stat(first, follow_symlinks=False), os.stat(second, follow_symlinks=False)
    except OSError:
        return False
    return a.st_ino == b.st_ino and a.st_dev == b.st_dev and stat.S_ISREG(a.st_mode)


def _count_files(root: Path, limit: int) -> int:
    count = 0
    for _ in _walk_files(root):
        count += 1
        if count >= limit:
            break
    return count


def _remove_unlisted(root: Path, listed: Iterable[str], writable: bool = False) -> None:
    """Remove every file below ``root`` that is not listed, then the folders left empty
    (never one a listed file goes into: it would only be made again). With ``writable``, a
    folder this process cannot write raises PermissionError before anything is removed."""
    keep = set(listed)
    removed: list[str] = []
    for relpath in list(_walk_files(root, removed, writable)):
        if relpath not in keep:
            try:
                os.unlink(root / relpath)
            except FileNotFoundError:
                continue
            # Any other failure raises: a file left here would be published with the new output.
            removed.append(relpath)
    needed = set()
    for relpath in keep:
        while "/" in relpath:
            relpath = relpath.rsplit("/", 1)[0]
            if relpath in needed:
                break
            needed.add(relpath)
    _remove_empty_folders(root, removed, needed)


def _remove_empty_folders(root: Path, removed: Iterable[str], needed: set[str] | None = None) -> None:
    """Remove the folders of the ``removed`` files, and their parents, that are left empty
    (except the ``needed`` ones)."""
    folders = {relpath.rsplit("/", 1)[0] for relpath in removed if "/" in relpath}
    # Deepest first, so that a parent is looked at once its children are gone.
    for folder in sorted(folders, key=lambda f: (-f.count("/"), f)):
        while folder and not (needed and folder in needed):
            try:
                os.rmdir(root / folder)
            except OSError:  # not empty (or gone already)
                break
            folder = folder.rsplit("/", 1)[0] if "/" in folder else ""


def prime_recycled(output_dir: Path, recycle_dir: Path) -> bool:
    """Give ``recycle_dir`` hard links to the files of ``output_dir`` when it has none yet, so
    that the next build recycles a folder rather than making one per page (see
    :class:`Staging`); whether it did. Safe whatever the output holds: a recycled folder is
    never trusted, only reused where its files are the very files the new output needs."""
    if recycle_dir.exists() or not output_dir.is_dir():
        return False
    # Made aside, then renamed into place: a half-made folder is never taken for one.
    priming = recycle_dir.parent / f"{recycle_dir.name}.staging-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        for relpath in _walk_files(output_dir):
            if relpath == MARKER or relpath.split("/", 1)[0] in KEPT:
                continue
            source = os.path.join(output_dir, relpath)
            if not stat.S_ISREG(os.lstat(source).st_mode):
                continue
            target = os.path.join(priming, relpath)
            make_folders(os.path.dirname(target))
            os.link(source, target)
        make_folders(str(priming))
        os.rename(priming, recycle_dir)
    except OSError:
        shutil.rmtree(priming, ignore_errors=True)
        return False
    return True


_RENAME_EXCHANGE = 2  # (linux/fs.h)


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    try:
        # The C library this process already has (glibc 2.28 and later have renameat2).
        function: Callable[..., int] = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    return function


def exchange_folders(first: Path, second: Path) -> bool:
    """Swap ``first`` and ``second`` in one atomic step (Linux's ``renameat2``); whether it was
    done: not where the system or the file system cannot (then nothing has moved)."""
    function = _renameat2()
    if function is None:
        return False
    at_cwd = -100  # (AT_FDCWD: paths relative to the current folder, as os.replace takes them)
    done = function(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), _RENAME_EXCHANGE)
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # not supported here: the caller renames twice
    raise OSError(code, os.strerror(code), str(second))


def restore_set_aside(output_dir: Path) -> bool:
    """Put back the output a build set aside and was killed before replacing with its own
    (where folders cannot be swapped in one step): an old folder beside the missing
    ``output_dir`` whose staging folder, of the same name, is still there, its build gone.
    Whether one was put back."""
    if os.path.lexists(output_dir) or not output_dir.parent.is_dir():
        return False
    prefix = f".{output_dir.name}.old-"
    for entry in sorted(output_dir.parent.iterdir()):
        token = entry.name[len(prefix):]
        if not entry.name.startswith(prefix) or entry.is_symlink() or not entry.is_dir():
            continue
        pid = token.split("-", 1)[0]
        staging = output_dir.parent / f".{output_dir.name}.staging-{token}"
        if pid.isdigit() and not _alive(int(pid)) and staging.is_dir() and not staging.is_symlink():
            try:
                os.rename(entry, output_dir)
            except OSError:
                return False
            return True
    return False


def clean_leftovers(output_dir: Path) -> list[tuple[Path, OSError]]:
    """Remove staging and old folders left by builds that were killed, or whose removal
    failed; those that cannot be removed, each with why (an old output still holds what an
    earlier build published: withdrawn memories). A ``.git`` folder in one, which a killed
    commit moved there from the output, goes back into the output when it has none."""
    if not output_dir.parent.is_dir():
        return []
    failed = []
    for entry in sorted(output_dir.parent.iterdir()):
        if not entry.name.startswith((f".{output_dir.name}.staging-", f".{output_dir.name}.old-")):
            continue
        pid = entry.name.rsplit("-", 2)[-2] if ".staging-" in entry.name else ""
        if pid.isdigit() and _alive(int(pid)):
            continue  # another build (a preview server, say) is still writing there
        if entry.is_dir() and not entry.is_symlink():
            if output_dir.is_dir() and not output_dir.is_symlink():
                for name in KEPT:
                    if os.path.lexists(entry / name) and not os.path.lexists(output_dir / name):
                        with contextlib.suppress(OSError):
                            os.rename(entry / name, output_dir / name)
            problem = remove_tree(entry)
            if problem is not None:
                failed.append((entry, problem))
    return failed


def remove_tree(folder: Path) -> OSError | None:
    """Remove ``folder`` and everything in it; None when it is gone, else why it is not
    (the first error met: a read-only folder, say)."""
    errors: list[BaseException] = []
    if sys.version_info >= (3, 12):
        shutil.rmtree(folder, onexc=lambda function, path, exc: errors.append(exc))
    else:  # onerror, deprecated from 3.12 on
        shutil.rmtree(folder, onerror=lambda function, path, info: errors.append(info[1]))
    if not os.path.lexists(folder):
        return None
    found = [e for e in errors if isinstance(e, OSError) and not isinstance(e, FileNotFoundError)]
    return found[0] if found else OSError(errno.ENOTEMPTY, os.strerror(errno.ENOTEMPTY), str(folder))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
