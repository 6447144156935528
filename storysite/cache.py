"""Build state kept between builds in ``.storysite/cache/``, for incremental builds.

Two records, both written only after a successful build:

- the *input fingerprint*: every file the build may read (the site folder but
  its output, caches and private store; the bundled theme; storysite's own
  code), by path, size, modification and change times and inode, plus the build date. When
  nothing changed and the output is still as it was left, a build has nothing
  to do (git's index makes the same bet on stat data).
- the *page record*: for every rendered page, a key hashing its template set,
  settings and view-model context, with what was written. A page whose key is
  unchanged is not rendered again: its previous file is hard-linked into the
  new output. Any change to a template, a theme string, the config or
  storysite itself changes every key, so "unsure" always means "render".

Every record is versioned and checked; a missing, stale or unreadable record
simply means a full build.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import itertools
import json
import os
import pickle
import re
import shutil
import stat
import struct
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import storysite
from storysite.diagnostics import Severity
from storysite.load import DigestIndex
from storysite.theme import theme_files
from storysite.write import MARKER, RecycledListing, changed_after, replace_file

CACHE_DIR = ".storysite/cache"
# Staging and old output folders of builds under way (see storysite.write).
_LEFTOVER = re.compile(r"\..+\.(?:staging|old)-")
FORMAT = 3
_SKIPPED_DIRS = {".git", ".storysite", "node_modules", "__pycache__", ".venv", ".mypy_cache", ".ruff_cache",
                 ".pytest_cache"}
"""Folders no build reads, outside content/, static/ and themes/ (and anywhere in storysite's own code)."""
_NEVER_READ_DIRS = {".git", ".hg", ".svn"}
"""Folders no build reads wherever they are in a site: version control. (A ``node_modules`` or
``__pycache__`` inside ``static/`` is published, and one inside ``content/`` is read.)"""
_READ_FOLDERS = {"content", "static", "themes"}
"""The site's folders a build reads: tools' folders in them are read too, and they (and a kind
folder of ``content``, a theme of ``themes``) may be symbolic links out of the site."""


#: The libraries whose code decides what a build writes (how Markdown, templates, YAML and
#: images come out), by distribution and module: an upgrade of one is a change of every page it made.
RENDERING_LIBRARIES = {"jinja2": "jinja2", "markupsafe": "markupsafe", "markdown-it-py": "markdown_it",
                       "mdit-py-plugins": "mdit_py_plugins", "pyyaml": "yaml", "pillow": "PIL"}


@functools.lru_cache(maxsize=1)
def library_versions() -> str:
    """Python's version and those of :data:`RENDERING_LIBRARIES`, as one line.

    Read from the name of each one's ``.dist-info`` folder beside it, as ``importlib.metadata``
    would, without importing that (a tenth of a second's start-up for every build); a library
    installed otherwise (from a source folder) is known by its module file's size and time."""
    versions = [f"python {sys.version}"]
    listings: dict[str, list[str]] = {}
    for name, module in RENDERING_LIBRARIES.items():
        spec = importlib.util.find_spec(module)
        origin = spec.origin if spec is not None else None
        if origin is None:
            versions.append(f"{name} ?")
            continue
        folder = os.path.dirname(os.path.dirname(origin))
        if folder not in listings:
            try:
                listings[folder] = sorted(os.listdir(folder))
            except OSError:
                listings[folder] = []
        wanted = re.sub(r"[-_.]+", "-", name).lower()
        found = [entry[:-len(".dist-info")].partition("-")[2] for entry in listings[folder]
                 if entry.endswith(".dist-info")
                 and re.sub(r"[-_.]+", "-", entry[:-len(".dist-info")].partition("-")[0]).lower() == wanted]
        if len(found) == 1:
            versions.append(f"{name} {found[0]}")
            continue
        try:
            info = os.stat(origin)
        except OSError:
            versions.append(f"{name} ?")
            continue
        versions.append(f"{name} {origin}:{info.st_size}:{info.st_mtime_ns}")
    return "; ".join(versions)


@functools.lru_cache(maxsize=1)
def code_stamp() -> str:
    """storysite's own code, by version and the stat data of its modules, and the versions of
    the libraries it renders with: caches made by other code are not trusted."""
    package = Path(storysite.__file__).parent
    parts = [storysite.__version__, library_versions()]
    for path in sorted(package.rglob("*.py")):
        info = path.stat()
        parts.append(f"{path.relative_to(package)}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _tag(path: Path) -> str:
    """A short name for an output folder, so previews and builds keep separate records."""
    return hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]


SETTLING_NS = 20_000_000
"""How long after a file's last change its stat data is trusted to tell every later change: the
file system stamps times from a clock that ticks every few milliseconds, so an edit in the same
tick as the one read keeps its size, times and inode."""
COARSE_SETTLING_NS = 2_000_000_000
"""The same on a file system that stamps whole seconds (ext3, HFS+) or two (FAT)."""
_AHEAD_NS = 10_000_000_000
"""How far ahead of this clock a file system's may run (a network share): a file stamped
further ahead was not just changed, and an edit now would stamp it anew."""


def input_fingerprint(site_dir: Path, skip: Iterable[Path], extra_roots: Iterable[Path], salt: str,
                      leftovers_in: Iterable[Path] = (), stats: dict[str, os.stat_result] | None = None,
                      also: Iterable[str] = ()) -> tuple[str, list[str]]:
    """A hash of the stat data of every file a build may read (paths sorted), and the files
    among them changed too recently for their stat data to show a later edit (see
    :data:`SETTLING_NS`: an edit in the same tick keeps size, times and inode), which the
    caller compares by their bytes (:func:`file_hashes`).

    ``content/``, ``static/`` and ``themes/`` are walked first, as the build reads them:
    every folder in them (``node_modules`` too), and symbolic links out of the site where
    the build follows them (``content``, a kind folder of it, ``static``, anywhere in
    ``themes``). The rest of the site is walked then, without tools' folders
    (``node_modules``…), and where a link out of the site leads is only recorded (it could
    lead to the whole disk, which the build refuses to read). Each real folder is walked
    once, the first way it is reached: adding or removing a link changes the fingerprint.
    Version control is never walked, nor the leftovers of killed builds in the folders
    ``leftovers_in`` (beside an output). ``stats`` receives the stat data of every file of
    ``content/`` by path, for :func:`storysite.load.discover` to look at no file twice.
    ``also``: site-relative paths of files the last build read where this walk does not go (a
    photo or a label's font named in ``node_modules/``: see :func:`outside_the_walk`), taken in
    by their stat data too.
    """
    started = time.time_ns()
    recent: list[str] = []
    skipped = {str(p.resolve()) for p in skip}
    leftover_folders = {os.path.realpath(p) for p in leftovers_in}
    digest = hashlib.sha256(f"{FORMAT}\x00{storysite.__version__}\x00{library_versions()}\x00{salt}".encode())
    for root in (site_dir, *extra_roots):
        own_code = root != site_dir
        entries: list[str] = []
        prefix = len(os.path.join(root, ""))
        inside = os.path.join(os.path.realpath(root), "")
        seen: set[str] = set()
        walks = [(root, False)] if own_code else [*((root / name, True) for name in sorted(_READ_FOLDERS)), (root, False)]
        for start, read_area in walks:
            if read_area and os.path.islink(start):
                entries.append(f"{start.name}\x00-> {os.path.realpath(start)}")
                if os.path.realpath(start) in skipped:
                    continue
            for folder, dirs, files in os.walk(start, followlinks=True):
                real = os.path.realpath(folder)
                if real in seen:
                    dirs[:] = []  # a link back to a folder walked already
                    continue
                seen.add(real)
                kept = []
                leftovers_here = real in leftover_folders
                for name in sorted(dirs):
                    path = os.path.join(folder, name)
                    parts = path[prefix:].split(os.sep)
                    if not read_area and parts[0] in _READ_FOLDERS and len(parts) == 1:
                        continue  # walked already, as the build reads it
                    if (name in _NEVER_READ_DIRS or (name in _SKIPPED_DIRS and not read_area)
                            or (leftovers_here and _LEFTOVER.match(name))):
                        continue
                    if not read_area and not own_code and os.path.isfile(os.path.join(path, MARKER)):
                        continue  # another output of the site's (build --output): written, never read
                    target = os.path.realpath(path)
                    if os.path.islink(path):
                        # Where a link leads is an input too, even into the output or the private
                        # store (which the build refuses to publish from); one leading there is not
                        # walked, nor one out of the site but where the build follows it.
                        entries.append(f"{path[prefix:]}\x00-> {target}")
                        followed = read_area and (parts[0] == "themes" or len(parts) <= (1 if parts[0] == "static"
                                                                                          else 2))
                        if target in skipped or not (followed or os.path.join(target, "").startswith(inside)):
                            continue
                    elif target in skipped:
                        continue
                    kept.append(name)
                dirs[:] = kept
                for name in files:
                    path = os.path.join(folder, name)
                    relpath = path[prefix:].replace(os.sep, "/")
                    try:
                        info = os.stat(path)
                    except OSError:
                        # A link to nothing (or a file gone since): where it leads is an input too,
                        # the build refusing one that leads out of the site.
                        with contextlib.suppress(OSError):
                            entries.append(f"{relpath}\x00-> {os.readlink(path)}")
                        continue
                    entries.append(_stat_entry(relpath, info))
                    if stats is not None and read_area and relpath.startswith("content/"):
                        stats[path] = info
                    if _changed_recently(info, started):
                        recent.append(path)
        entries.sort()
        digest.update(str(root).encode() + b"\x00" + "\n".join(entries).encode("utf-8", "surrogateescape"))
    named = []
    for relpath in sorted(set(also)):
        path = os.path.join(site_dir, relpath)
        try:
            info = os.stat(path)
        except OSError:
            named.append(f"{relpath}\x00-")
            continue
        named.append(_stat_entry(relpath, info))
        if _changed_recently(info, started):
            recent.append(path)
    digest.update(b"\x00also\x00" + "\n".join(named).encode("utf-8", "surrogateescape"))
    return digest.hexdigest(), sorted(set(recent))


def _stat_entry(relpath: str, info: os.stat_result) -> str:
    """A file's line in the fingerprint: its path and the stat data an edit changes."""
    return f"{relpath}\x00{info.st_size}\x00{info.st_mtime_ns}\x00{info.st_ctime_ns}\x00{info.st_ino}"


def _changed_recently(info: os.stat_result, started: int) -> bool:
    """Whether a file changed too recently, before ``started`` (ns), for its stat data to show
    an edit made in the same tick (see :data:`SETTLING_NS`)."""
    coarse = not info.st_mtime_ns % 1_000_000_000 or not info.st_ctime_ns % 1_000_000_000
    since = started - (COARSE_SETTLING_NS if coarse else SETTLING_NS)
    # A time far ahead (touch -d 2030) is no tick an edit made now could share.
    return stat.S_ISREG(info.st_mode) and any(since <= when <= started + _AHEAD_NS
                                              for when in (info.st_mtime_ns, info.st_ctime_ns))


def outside_the_walk(site_dir: Path, relpath: str) -> bool:
    """Whether the site file ``relpath`` (``/``-separated) is one :func:`input_fingerprint`
    walks past: in version control, in a tools' folder (``node_modules``, ``.venv``...) out of
    ``content/``, ``static/`` and ``themes/``, or in another output of the site's. The build
    reads such a file all the same when content names it (``src: /node_modules/brand/jar.jpg``,
    a label's font or artwork), and records it for the next fingerprint to take in."""
    folders = relpath.split("/")[:-1]
    if any(name in _NEVER_READ_DIRS for name in folders):
        return True
    if not folders or folders[0] in _READ_FOLDERS:
        return False
    if any(name in _SKIPPED_DIRS for name in folders):
        return True
    return any(os.path.isfile(os.path.join(site_dir, *folders[:depth], MARKER))
               for depth in range(1, len(folders) + 1))


def file_hashes(paths: Iterable[str]) -> dict[str, str]:
    """:func:`file_hash` of each path."""
    return {path: file_hash(path) for path in paths}


def file_hash(path: str | Path) -> str:
    """The SHA-256 of a regular file's bytes, or "" for one that cannot be read or is not a
    regular file (it is opened without blocking, so a pipe never holds a build)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return ""
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return ""
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return ""
    finally:
        os.close(fd)


@dataclass
class BuildState:
    """What the last successful build into one output folder looked like."""

    fingerprint: str = ""
    files: dict[str, int] = field(default_factory=dict)
    diagnostics: list[tuple[str, int, int, str]] = field(default_factory=list)
    """Its diagnostics as (path, line, severity, message): kept apart, never parsed back from
    their printed form (a file name may hold ": ")."""
    summary: dict[str, Any] = field(default_factory=dict)
    output_marker: tuple[int, int, int] | None = None
    """The identity of the output's marker file this build committed (see
    :func:`storysite.write.marker_identity`): its output is the very folder found there."""
    finished_ns: int = 0
    """When the build had written its output (the state file's own modification time, by the
    file system's clock, as the output's are): a file modified later was edited by hand."""
    unsettled: dict[str, str] = field(default_factory=dict)
    """The inputs changed too recently for their stat data to be trusted when its fingerprint
    was taken (see :func:`input_fingerprint`), with the hash of their bytes then: compared by
    their bytes until a build finds them settled (:func:`mark_settled`)."""
    named_inputs: list[str] = field(default_factory=list)
    """Files the build read that the fingerprint's walk leaves out (see :func:`outside_the_walk`),
    site-relative: the next build's fingerprint takes in their stat data."""


def load_digests(site_dir: Path) -> DigestIndex:
    """The content files' stat data and hashes when last read (see :func:`storysite.load.discover`)."""
    found = _load_entries(site_dir / CACHE_DIR / "digests.pickle")
    if found is not None and found[0].get("format") == FORMAT:
        files: DigestIndex = found[1]
        return files
    return {}


def save_digests(site_dir: Path, files: DigestIndex) -> None:
    """Record the content files' stat data and hashes (entries with no stat data are left out)."""
    _atomic_pickle_entries(site_dir / CACHE_DIR / "digests.pickle", {"format": FORMAT},
                           {path: entry for path, entry in sorted(files.items()) if entry[0] != (0, 0, 0, 0)})


def recycle_dir(site_dir: Path, output_dir: Path) -> Path:
    """Where the previous output, cut down to what the last build kept unchanged, waits to
    be reused as the next build's staging folder (see :class:`storysite.write.Staging`)."""
    return site_dir / CACHE_DIR / f"output-{_tag(output_dir)}"


def _state_path(site_dir: Path, output_dir: Path, suffix: str = ".json") -> Path:
    return site_dir / CACHE_DIR / f"state-{_tag(output_dir)}{suffix}"


def load_state(site_dir: Path, output_dir: Path) -> BuildState | None:
    path = _state_path(site_dir, output_dir)
    try:
        data = json.loads(path.read_text("utf-8"))
        if data.get("format") != FORMAT:
            return None
        marker = data.get("output_marker")
        diagnostics = [(str(where), int(line), int(Severity(int(severity))), str(message))
                       for where, line, severity, message in data["diagnostics"]]
        unsettled = {str(name): str(digest) for name, digest in dict(data.get("unsettled", {})).items()}
        for name in _settled_for(site_dir, output_dir, data["fingerprint"]):
            unsettled.pop(name, None)
        return BuildState(data["fingerprint"], dict(data["files"]), diagnostics,
                          dict(data["summary"]), (int(marker[0]), int(marker[1]), int(marker[2])) if marker else None,
                          path.stat().st_mtime_ns, unsettled, [str(name) for name in data.get("named_inputs", [])])
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def _settled_for(site_dir: Path, output_dir: Path, fingerprint: str) -> list[str]:
    """The files :func:`mark_settled` found settled for the state of ``fingerprint``."""
    try:
        note = json.loads(_state_path(site_dir, output_dir, ".settled").read_text("utf-8"))
        return [str(name) for name in note["settled"]] if note.get("fingerprint") == fingerprint else []
    except (OSError, ValueError, KeyError, TypeError):
        return []


def mark_settled(site_dir: Path, output_dir: Path, fingerprint: str, settled: Iterable[str]) -> None:
    """Record that these inputs, which the state of ``fingerprint`` compares by their bytes,
    were found unchanged once settled: their stat data tells every later change. (A file of
    its own, so that the state file, whose time says when the output was written, is left as
    it is.)"""
    names = sorted({*_settled_for(site_dir, output_dir, fingerprint), *settled})
    with contextlib.suppress(OSError):  # only saves a few hashes next time
        _atomic_write(_state_path(site_dir, output_dir, ".settled"),
                      json.dumps({"fingerprint": fingerprint, "settled": names}).encode())


def save_state(site_dir: Path, output_dir: Path, state: BuildState) -> None:
    data = {"format": FORMAT, "fingerprint": state.fingerprint, "files": state.files,
            "diagnostics": state.diagnostics, "summary": state.summary,
            "output_marker": list(state.output_marker) if state.output_marker else None,
            "unsettled": state.unsettled, "named_inputs": state.named_inputs, "output": str(output_dir)}
    _state_path(site_dir, output_dir, ".settled").unlink(missing_ok=True)
    _atomic_write(_state_path(site_dir, output_dir), json.dumps(data, sort_keys=True).encode())


def restamp_state(site_dir: Path, output_dir: Path) -> None:
    """Record the last build of ``output_dir`` as finished now (its files were linked elsewhere
    since, which changed their change time, by storysite itself)."""
    with contextlib.suppress(OSError):  # (then the next build only writes more)
        os.utime(_state_path(site_dir, output_dir))


def output_intact(output_dir: Path, files: Mapping[str, int], finished_ns: int) -> bool:
    """Whether every file of the last build is still in the output with its size, and neither
    a file nor a folder of it changed after ``finished_ns``: not an edit by hand that kept the
    size (and restored the modification time: the change time cannot be set), nor a file
    added or removed beside them (which changes its folder)."""
    root = str(output_dir)
    folders = {root}
    try:
        for relpath, size in files.items():
            info = os.stat(os.path.join(root, relpath))
            if info.st_size != size or changed_after(info, finished_ns):
                return False
            folder, _, _ = relpath.rpartition("/")
            while folder and (path := os.path.join(root, folder)) not in folders:
                folders.add(path)
                folder, _, _ = folder.rpartition("/")
        for folder in folders:
            if changed_after(os.stat(folder), finished_ns):
                return False
    except OSError:
        return False
    return bool(files)


@dataclass(frozen=True, slots=True)
class PageFacts:
    """What was written for one page: its render key, content hash and the memories it shows."""

    key: str
    sha256: str
    memories: tuple[str, ...]
    media: tuple[str, ...]
    file: tuple[int, int, int] = (0, 0, 0)
    """The identity of the file as written (see :data:`storysite.write.FileIdentity`): a page
    is reused only while the previous output's file is still that very file, so that an
    output edited by hand or restored from elsewhere is never carried into a new one."""

    def __reduce__(self) -> tuple[type[PageFacts], tuple[str, str, tuple[str, ...], tuple[str, ...], tuple[int, int, int]]]:
        # As a plain tuple: a site's record holds one per page, and a slotted dataclass's own
        # pickling looks up its fields for every instance (a fifth of loading the record).
        return (PageFacts, (self.key, self.sha256, self.memories, self.media, self.file))


def load_pages(site_dir: Path, output_dir: Path) -> dict[str, PageFacts]:
    found = _load_entries(site_dir / CACHE_DIR / f"pages-{_tag(output_dir)}.pickle")
    # Records made by other code may lack what this code reads (a field added since): they
    # are not trusted, and every page is rendered.
    if found is None or found[0].get("format") != FORMAT or found[0].get("code") != code_stamp():
        return {}
    pages: dict[str, PageFacts] = found[1]
    return pages


def recorded_outputs(site_dir: Path) -> list[Path]:
    """Every output folder a build of the site wrote whose record is kept (the configured one,
    those of ``build --output``, a preview's while it runs), sorted."""
    found: set[Path] = set()
    for path in (site_dir / CACHE_DIR).glob("state-*.json"):
        try:
            output = json.loads(path.read_text("utf-8")).get("output")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(output, str) and output:
            found.add(Path(output))
    return sorted(found)


def forget_output_records(site_dir: Path, output_dir: Path) -> None:
    """Drop the page record and build state of an output about to be replaced: a build
    killed between the swap and saving the new ones must not leave records that describe
    the output before (the next build then renders everything)."""
    for path in (site_dir / CACHE_DIR / f"pages-{_tag(output_dir)}.pickle",
                 site_dir / CACHE_DIR / f"state-{_tag(output_dir)}.json"):
        path.unlink(missing_ok=True)


def save_pages(site_dir: Path, output_dir: Path, pages: Mapping[str, PageFacts]) -> None:
    _atomic_pickle_entries(site_dir / CACHE_DIR / f"pages-{_tag(output_dir)}.pickle",
                           {"format": FORMAT, "code": code_stamp()}, pages)


def compiled_templates_dir(site_dir: Path, parts: Iterable[str], prune: bool) -> Path:
    """The folder of compiled templates for this code, Jinja and ``parts`` (what the
    environment's filters depend on: they are run while compiling). With ``prune``, the
    folders of other versions are removed."""
    digest = hashlib.sha256(f"{FORMAT}\x00{code_stamp()}".encode())  # Jinja's version: in code_stamp
    for part in parts:
        digest.update(part.encode() + b"\x00")
    root = site_dir / CACHE_DIR / "templates"
    folder = root / digest.hexdigest()[:20]
    if prune and root.is_dir():
        for other in root.iterdir():
            if other != folder:
                shutil.rmtree(other, ignore_errors=True)
    return folder


def context_key(salt: bytes, template: str, context: Mapping[str, Any]) -> str | None:
    """A key for one page render, or ``None`` when its context cannot be hashed (always render)."""
    try:
        payload = pickle.dumps((template, sorted(context.items())), protocol=5)
    except Exception:
        return None
    return hashlib.sha256(salt + payload).hexdigest()


def inputs_key(salt: bytes, template: str, inputs: tuple[Any, ...]) -> str | None:
    """A key for one page render from what its context is made of (see ``PageJob.inputs``),
    or ``None`` when they cannot be hashed. Never equal to a :func:`context_key`."""
    try:
        payload = pickle.dumps((template, inputs), protocol=5)
    except Exception:
        return None
    return hashlib.sha256(salt + b"inputs\x00" + payload).hexdigest()


def theme_salt(template_dirs: Iterable[str], parts: Iterable[str]) -> bytes:
    """Everything every page depends on besides its context: templates, strings, settings, version."""
    digest = hashlib.sha256(f"{FORMAT}\x00{code_stamp()}".encode())
    for folder in template_dirs:
        for path in theme_files(Path(folder)):  # through linked folders, as the loader reads them
            digest.update(path.as_posix().encode() + b"\x00" + path.read_bytes() + b"\x00")
    for part in parts:
        digest.update(part.encode() + b"\x00")
    return digest.digest()


DISPLAY_CHECKS = "display-checks.json"


def load_display_checks(site_dir: Path, key: str) -> list[tuple[str, int, str]] | None:
    """The author.display warnings kept under ``key`` (see ``storysite.build._display_problems``),
    as (path, line, message); None when none are kept under it."""
    try:
        kept = json.loads((site_dir / CACHE_DIR / DISPLAY_CHECKS).read_text("utf-8"))
        if kept.get("key") != key:
            return None
        return [(str(path), int(line), str(message)) for path, line, message in kept["warnings"]]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def save_display_checks(site_dir: Path, key: str, warnings: list[tuple[str, int, str]]) -> None:
    """Keep the author.display warnings made under ``key`` (their words are the displays', as
    published: no fan's name is ever kept)."""
    with contextlib.suppress(OSError):
        _atomic_write(site_dir / CACHE_DIR / DISPLAY_CHECKS,
                      json.dumps({"key": key, "warnings": warnings}, ensure_ascii=False).encode("utf-8"))


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_file(path, lambda handle: handle.write(data))


def _atomic_pickle(path: Path, value: Any) -> None:
    """Pickle ``value`` straight into a new file, then swap it in (never one big bytes object)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_file(path, lambda handle: pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL))


_CHUNK_ENTRIES = 4096
_FRAME_HEAD = struct.Struct(">Q32s")  # a frame's length and SHA-256, before its pickle


def _atomic_pickle_entries(path: Path, header: dict[str, Any], entries: Mapping[str, Any]) -> None:
    """Like :func:`_atomic_pickle`, for a large mapping: ``header`` (with the count of entries),
    then the entries in chunks, each pickled on its own (a pickler keeps every object it
    wrote alive until it is done: at 100,000 pages, a record pickled whole added a hundred
    megabytes to the build's peak memory). Each pickle is framed by its length and hash, so
    that a damaged file is known before anything is unpickled from it."""
    def write(handle: BinaryIO) -> None:
        remaining = iter(entries.items())
        chunk: dict[str, Any] = {**header, "entries": len(entries)}
        while chunk:
            data = pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL)
            handle.write(_FRAME_HEAD.pack(len(data), hashlib.sha256(data).digest()))
            handle.write(data)
            chunk = dict(itertools.islice(remaining, _CHUNK_ENTRIES))

    path.parent.mkdir(parents=True, exist_ok=True)
    replace_file(path, write)


def _load_entries(path: Path) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The header and entries written by :func:`_atomic_pickle_entries`, or None when the file
    is missing, unreadable, or not whole and as written."""
    try:
        with path.open("rb") as handle:
            data = handle.read()
    except OSError:
        return None
    frames: list[Any] = []
    offset = 0
    while offset < len(data):
        if len(data) - offset < _FRAME_HEAD.size:
            return None
        length, digest = _FRAME_HEAD.unpack_from(data, offset)
        offset += _FRAME_HEAD.size
        payload = data[offset:offset + length]
        if len(payload) != length or hashlib.sha256(payload).digest() != digest:
            return None
        offset += length
        try:
            frames.append(pickle.loads(payload))
        except Exception:  # written by other code (a class since renamed, say): not trusted
            return None
    if not frames or not all(isinstance(frame, dict) for frame in frames):
        return None
    header, entries = frames[0], {}
    for chunk in frames[1:]:
        entries.update(chunk)
    if header.get("entries") != len(entries) or len(entries) != sum(len(chunk) for chunk in frames[1:]):
        return None
    return header, entries


ShardIdentity = tuple[int, int, int, int]
"""(inode, size, modification and change times in ns) of a cache shard file."""
ShardRecords = dict[str, tuple[ShardIdentity, frozenset[str]]]
"""Each shard of a :class:`ValueCache` by name: its file's identity and the keys it holds."""


def _identity_of(info: os.stat_result) -> ShardIdentity:
    return (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def _shard_identity(path: Path) -> ShardIdentity | None:
    try:
        return _identity_of(os.stat(path))
    except OSError:
        return None


class BuildMemo:
    """What a long-lived process (the preview) keeps in memory from one of its builds to the
    next, instead of reading it back from the cache folder: the parsed content files, and the
    page records of its output (which no other process uses, so they are never saved)."""

    def __init__(self) -> None:
        self.parsed = ParsedMemo()
        self.pages: dict[str, PageFacts] | None = None
        """The page records of the output the last build committed (None before the first)."""
        self.parsed_shards: ShardRecords | None = None
        """The parse cache's shard files as the last build left them (see :class:`ValueCache`)."""
        self.digests: DigestIndex | None = None
        """The content files' stat data and hashes as the last build found them."""
        self.digests_saved = True
        """Whether :attr:`digests` are saved in the cache folder already."""
        self.recycled: RecycledListing | None = None
        """The recycled folder as the last build left it (see :class:`storysite.write.Staging`)."""


class ParsedMemo:
    """Parsed content files kept as values by a long-lived process (the preview) from one of
    its builds to the next: a rebuild after one save unpickles one file, not every one.

    Keyed as the parse cache is (path, kind and the hash of the bytes), a value is the very
    one that cache would give. Items are frozen and only read by validation, so the same
    values can serve build after build. Each build keeps only the values it used, so that
    what a withdrawn or deleted memory said is let go with it.
    """

    def __init__(self) -> None:
        self._values: dict[str, Any] = {}
        self._used: dict[str, Any] = {}

    def begin(self) -> None:
        """A build starts: what an earlier one used and never settled (it stopped on an
        exception) is not kept on its behalf."""
        self._used = {}

    def take(self, key: str, parsed: ValueCache, remake: Callable[[], Any]) -> Any:
        """The value of ``key``: the one kept from the previous build, else taken from
        ``parsed`` (the parse cache), else made by ``remake`` (damaged in the cache), and kept
        from now on."""
        value = self._values.get(key)
        if value is None:
            value = parsed.take(key)
        if value is None:
            value = remake()
        self._used[key] = value
        return value

    def __contains__(self, key: str) -> bool:
        return key in self._values

    def settle(self) -> None:
        """A build is done with its content: keep what it used, and only that."""
        self._values, self._used = self._used, {}

    def __len__(self) -> int:
        return len(self._values)


class ValueCache:
    """A content-addressed cache of pure results (parsed files, rendered Markdown).

    Values are kept pickled, as they are stored: loading and saving the cache
    costs a copy of bytes, and a value made in a worker process arrives ready
    to store (:meth:`put_raw`). Saved with only the entries this build used, so
    that what a withdrawn memory said leaves the cache on the next successful
    build. The entries are spread over shard files by the first two characters
    of their key, and a save rewrites only the shards whose entries changed:
    after one edit, one or two small files rather than the whole cache.
    """

    SHARD_CHARS = 2

    def __init__(self, site_dir: Path, name: str, known: ShardRecords | None = None) -> None:
        """The cache ``name`` of ``site_dir``. With ``known`` (the :meth:`records` of an earlier
        build of this process), a shard file still the very file recorded (same inode, size and
        times: every save writes a new one) is not read until a key of it is asked for: which
        keys it holds is known already."""
        self.folder = site_dir / CACHE_DIR / name
        self._legacy = site_dir / CACHE_DIR / f"{name}.pickle"
        self.entries: dict[str, bytes] = {}
        self.used: dict[str, bytes | None] = {}
        """The entries this build uses, by key; None for one kept unread (see :meth:`keep`)."""
        self._shards: dict[str, set[str]] = {}
        self._identities: dict[str, ShardIdentity] = {}
        self._unread: dict[str, Path] = {}
        try:
            names = sorted(os.listdir(self.folder))
        except OSError:
            names = []
        for filename in names:
            shard, _, extension = filename.partition(".")
            if extension != "pickle" or len(shard) != self.SHARD_CHARS:
                continue
            path = self.folder / filename
            record = known.get(shard) if known else None
            if record is not None and _shard_identity(path) == record[0]:
                self._shards[shard], self._identities[shard] = set(record[1]), record[0]
                self._unread[shard] = path
            else:
                self._read(shard, path)

    def _read(self, shard: str, path: Path) -> None:
        try:
            with open(path, "rb") as handle:
                identity = _identity_of(os.fstat(handle.fileno()))
                data = pickle.load(handle)
        except Exception:  # damaged, or written by other code: rewritten by the next save
            data, identity = None, None
        # An unreadable or stale shard is rewritten (or removed) by the next save.
        self._shards[shard] = {""}
        self._identities.pop(shard, None)
        if (isinstance(data, dict) and data.get("format") == FORMAT and data.get("code") == code_stamp()
                and isinstance(data.get("entries"), dict)):
            entries = {key: raw for key, raw in data["entries"].items()
                       if isinstance(key, str) and key[:self.SHARD_CHARS] == shard and isinstance(raw, bytes)}
            self.entries.update(entries)
            if len(entries) == len(data["entries"]):
                self._shards[shard] = set(entries)
                if identity is not None:
                    self._identities[shard] = identity
            # (Else it holds entries of other shards, copied there: rewritten with its own only.)

    def _read_shard_of(self, key: str) -> None:
        path = self._unread.pop(key[:self.SHARD_CHARS], None)
        if path is not None:
            self._read(key[:self.SHARD_CHARS], path)

    @property
    def stored(self) -> bool:
        """Whether the cache holds any entry (read or not)."""
        return bool(self.entries or self._unread)

    def records(self) -> ShardRecords:
        """Each shard file as this cache last read or wrote it, with the keys it holds: given
        to the next build of this process, its unchanged shards are not read again."""
        return {shard: (identity, frozenset(self._shards[shard])) for shard, identity in self._identities.items()}

    def keep(self, key: str) -> bool:
        """Whether ``key`` is cached, as :meth:`claim`, without reading its value when its shard
        is not read yet (for a value the caller holds already)."""
        shard = key[:self.SHARD_CHARS]
        if key not in self.used and shard in self._unread and key in self._shards.get(shard, ()):
            self.used[key] = None
            return True
        return self.claim(key)

    @staticmethod
    def key(*parts: bytes | str) -> str:
        digest = hashlib.sha256()
        for part in parts:
            digest.update(part.encode() if isinstance(part, str) else part)
            digest.update(b"\x00")
        return digest.hexdigest()

    def claim(self, key: str) -> bool:
        """Whether ``key`` is cached; if so, it is kept by the next :meth:`save`."""
        if self.used.get(key) is not None:
            return True
        self._read_shard_of(key)
        raw = self.entries.get(key)
        if raw is None:
            return False
        self.used[key] = raw
        return True

    def take(self, key: str) -> Any:
        """A value, let go from memory (after :meth:`save`, for values used once); None when
        there is none, or it cannot be unpickled (a damaged cache: the caller makes it again)."""
        self._read_shard_of(key)
        used, stored = self.used.pop(key, None), self.entries.pop(key, None)
        raw = used if used is not None else stored
        del used, stored  # both dicts let go of it: it is freed once unpickled
        if raw is None:
            return None
        try:
            return pickle.loads(raw)
        except Exception:  # damaged inside a shard that itself loaded: the shard is dropped (its
            shard = key[:self.SHARD_CHARS]  # other files are parsed again by the next build)
            with contextlib.suppress(OSError):
                (self.folder / f"{shard}.pickle").unlink(missing_ok=True)
            self._identities.pop(shard, None)
            self._shards[shard] = {""}
            return None

    def get_raw(self, key: str) -> bytes | None:
        """A value as stored (pickled), or None."""
        raw = self.used.get(key)
        if raw is None:
            self._read_shard_of(key)
            raw = self.entries.get(key)
            if raw is not None:
                self.used[key] = raw
        return raw

    def put_raw(self, key: str, raw: bytes) -> None:
        """Store a value already pickled (by a worker process)."""
        self.used[key] = raw

    def save(self) -> None:
        """Keep exactly the entries used since loading, rewriting only the shards that changed."""
        by_shard: dict[str, dict[str, bytes | None]] = {}
        for key in sorted(self.used):
            by_shard.setdefault(key[:self.SHARD_CHARS], {})[key] = self.used[key]
        for shard in sorted(set(by_shard) | set(self._shards)):
            entries = by_shard.get(shard, {})
            if set(entries) == self._shards.get(shard, set()):
                continue
            path = self.folder / f"{shard}.pickle"
            if any(raw is None for raw in entries.values()):  # kept unread: read now, to be written again
                self._read_shard_of(shard)
            kept = {key: raw if raw is not None else self.entries.get(key) for key, raw in entries.items()}
            written = {key: raw for key, raw in kept.items() if raw is not None}
            if written:
                _atomic_pickle(path, {"format": FORMAT, "code": code_stamp(), "entries": written})
                identity = _shard_identity(path)
                if identity is not None:
                    self._identities[shard] = identity
                else:  # (gone already: read again, or found missing, by the next build)
                    self._identities.pop(shard, None)
            else:
                path.unlink(missing_ok=True)
                self._identities.pop(shard, None)
            self._shards[shard] = set(written)
            self._unread.pop(shard, None)
        self._legacy.unlink(missing_ok=True)
