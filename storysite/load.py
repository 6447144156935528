"""Find the content files of a site and parse them into raw items with lines.

``discover`` walks ``content/`` (the only place that touches the disk here);
``parse`` is a pure function of a file's bytes, so it can be cached by
content hash and run in a process pool.
"""

from __future__ import annotations

import difflib
import errno
import functools
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storysite.diagnostics import Diagnostic, error, warning
from storysite.privacyguard import SiteAreas, content_hard_links, content_link_problem
from storysite.yamlio import (
    YamlList,
    YamlMap,
    decode_text,
    load_yaml_reporting,
    split_front_matter,
)

CONTENT_DIR = "content"
KINDS = ("pages", "memories", "campaigns", "galleries", "timeline", "labels")
TEXT_SUFFIXES = (".md", ".yaml", ".yml")
BUNDLE_INDEXES = ("index.md", "index.yaml", "index.yml")


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A content file: its site-relative path, kind and bytes."""

    path: str
    kind: str
    data: bytes
    bundle: bool = False
    digest: str = ""
    """SHA-256 of the bytes, when known without keeping them (``data`` is then empty);
    empty when the file must be read to know it."""
    stat: tuple[int, int, int, int] = (0, 0, 0, 0)
    """(size, mtime_ns, ctime_ns, inode) when the file was found, for a :data:`DigestIndex`."""

    @property
    def default_slug_source(self) -> str:
        """The name a slug is made from: the bundle folder, else the file's stem."""
        parts = self.path.split("/")
        name = parts[-2] if self.bundle else parts[-1]
        return name.rsplit(".", 1)[0] if not self.bundle else name


@dataclass(frozen=True, slots=True)
class RawItem:
    """One item's fields as written, before validation."""

    source: SourceFile
    fields: YamlMap
    body: str
    body_line: int
    line: int
    index: int | None = None

    @property
    def path(self) -> str:
        return self.source.path


def is_inside(path: Path, root: Path) -> bool:
    """Whether ``path`` (symlinks resolved) stays within ``root``."""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, RuntimeError, OSError):  # outside, or a symbolic link loop
        return False
    return True


def is_link_loop(path: Path) -> bool:
    """Whether ``path`` is a symbolic link that leads back to itself."""
    try:
        path.resolve(strict=True)
    except RuntimeError:
        return True
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


# Junk that version control and operating systems leave in folders: never published.
# Everything else in static/ is copied as it is, dotfiles (.well-known/, .nojekyll) and
# _redirects or _headers included.
STATIC_JUNK = frozenset({".git", ".hg", ".svn", ".DS_Store", "Thumbs.db", "desktop.ini"})


def skip_content_name(name: str) -> bool:
    """Hidden, ``_``-prefixed and editor temporary files are not content."""
    return name.startswith((".", "_", "~")) or name.endswith("~")


def skip_static_name(name: str) -> bool:
    """Only version-control and operating-system junk is left out of static/."""
    return name in STATIC_JUNK


def _walk(root: Path, site_dir: Path, problems: list[Diagnostic],
          skip: Callable[[str], bool] = skip_content_name,
          refuse: Callable[[Path], str | None] | None = None) -> Iterator[Path]:
    """Files below ``root``, sorted, without the names ``skip`` refuses; symlinks checked.

    ``refuse``, given what a file or folder is (symbolic links resolved), says why it must not be
    read: an error at its path, and nothing below it is."""
    return map(Path, _walk_paths(root, site_dir, problems, skip, refuse))


def _walk_paths(root: Path, site_dir: Path, problems: list[Diagnostic],
                skip: Callable[[str], bool] = skip_content_name,
                refuse: Callable[[Path], str | None] | None = None,
                refuse_link: Callable[[Path], str | None] | None = None) -> Iterator[str]:
    """:func:`_walk`, each file as the text of its path (tens of thousands of paths are
    looked at by name alone: made into objects, they cost more than the walk). ``refuse``
    is asked about every entry (symbolic links resolved), ``refuse_link`` about symbolic links."""
    seen: set[Path] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            real = folder.resolve()
        except (RuntimeError, OSError):
            problems.append(error(_rel(folder, site_dir), 1, "is a symbolic link that leads back to itself"))
            continue
        if real in seen:
            continue
        seen.add(real)
        if refuse_link is not None and real != folder:
            # A folder reached through a link (the starting one itself, or one below a link to a
            # folder that holds the private store): judged where it really is.
            reason = refuse_link(real)
            if reason is not None:
                problems.append(error(_rel(folder, site_dir), 1, reason))
                continue
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name, reverse=True)
        except OSError as exc:
            problems.append(error(_rel(folder, site_dir), 0, f"cannot be read: {exc.strerror}"))
            continue
        for entry in entries:
            if skip(entry.name):
                continue
            if refuse is None and not entry.is_symlink() and entry.is_file(follow_symlinks=False):
                yield entry.path  # a plain file: nothing more to check
                continue
            path = Path(entry.path)
            if entry.is_symlink() and is_link_loop(path):
                problems.append(error(_rel(path, site_dir), 1, "is a symbolic link that leads back to itself"))
                continue
            if entry.is_symlink() and not is_inside(path, site_dir):
                problems.append(
                    error(_rel(path, site_dir), 1, "is a symbolic link that leads outside the site")
                )
                continue
            if entry.is_symlink() and entry.is_dir() and (path.resolve() == real or path.resolve() in real.parents):
                problems.append(error(_rel(path, site_dir), 1, "is a symbolic link to a folder that holds it, "
                                                              "a loop: remove it"))
                continue
            if refuse is not None:
                reason = refuse(path.resolve() if entry.is_symlink() else real / entry.name)
                if reason is not None:
                    problems.append(error(_rel(path, site_dir), 1, reason))
                    continue
            if refuse_link is not None and entry.is_symlink():
                reason = refuse_link(path.resolve())
                if reason is not None:
                    problems.append(error(_rel(path, site_dir), 1, reason))
                    continue
            if entry.is_dir():
                stack.append(path)
            elif entry.is_file():
                yield entry.path
    return


def _suffix(name: str) -> str:
    """A file name's suffix, as :attr:`pathlib.PurePath.suffix` has it ("" for ".md" or "a.")."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def _below_any(folder: str, folders: set[str], top: str) -> bool:
    """Whether ``folder`` is one of ``folders`` or inside one (looking no higher than ``top``)."""
    while len(folder) > len(top):
        if folder in folders:
            return True
        folder = os.path.dirname(folder)
    return folder in folders


def _rel(path: Path, site_dir: Path) -> str:
    return path.relative_to(site_dir).as_posix()


_UNSAFE_NAME = re.compile("[\x00-\x1f\x7f\udc80-\udcff]")


def _unsafe_name(rel: str) -> str | None:
    """Why a path cannot be named in messages and URLs as it is, or ``None``."""
    if _UNSAFE_NAME.search(rel) is None:
        return None
    if any("\udc80" <= c <= "\udcff" for c in rel):
        return "is not valid UTF-8"
    return "contains a control character (such as a line break)"


DigestIndex = dict[str, tuple[tuple[int, int, int, int], str]]
"""Content file path → (its stat data, the SHA-256 of its bytes) when last read."""


def discover(site_dir: Path, max_bytes: int, keep_data: bool = True,
             known: DigestIndex | None = None, areas: SiteAreas | None = None,
             stats: Mapping[str, os.stat_result] | None = None,
             ) -> tuple[list[SourceFile], list[Diagnostic]]:
    """Read every content text file under ``site_dir/content``, sorted by path.

    With ``keep_data`` false, nothing is kept (a site of 100,000 memories need not
    hold every file while parsing): each file's ``digest`` comes from ``known``
    when its stat data is unchanged (git's index makes the same bet), else it is
    left empty, for whoever reads the file next to compute.

    With ``areas``, a file that is, by a symbolic or a hard link, one of the private
    store, the caches, the output or the configuration is an error, never read.

    Bundles (a folder with an ``index.md`` or ``index.yaml``) count as one
    item; the other text files inside a bundle are its resources, not items.

    ``stats``: the stat data of files looked at already this build (by
    :func:`storysite.cache.input_fingerprint`), by path: not looked at again.
    """
    problems: list[Diagnostic] = []
    sources: list[SourceFile] = []
    linked: list[str] = []
    content = site_dir / CONTENT_DIR
    if not content.is_dir():
        # A site with no content yet is an empty site (only ``title`` is required).
        if content.exists() or content.is_symlink():
            return [], [error(CONTENT_DIR, 1, "is not a folder; content/ holds pages/, memories/ and friends")]
        return [], []
    for kind in KINDS:
        root = content / kind
        if not root.is_dir():
            continue
        files = sorted(_walk_paths(root, site_dir, problems, refuse_link=None if areas is None else
                                   functools.partial(content_link_problem, areas=areas)))
        # What precedes 'content/' in every file's path: not len(str(site_dir)) + 1, which is one
        # too many when the site is '.' (its files are 'content/...', not './content/...').
        prefix = len(str(content)) - len(CONTENT_DIR)
        top = str(root)
        bundle_dirs = {
            os.path.dirname(f) for f in files
            if os.path.basename(f).lower() in BUNDLE_INDEXES and os.path.dirname(f) != top
        }
        for file in files:
            folder, name = os.path.split(file)
            suffix = _suffix(name).lower()
            if suffix not in TEXT_SUFFIXES and suffix not in _OTHER_TEXT:
                continue
            rel = file[prefix:].replace(os.sep, "/")
            in_bundle = bool(bundle_dirs) and _below_any(folder, bundle_dirs, top)
            if suffix in _OTHER_TEXT:
                # A memory saved as .txt or .markdown would otherwise never be published, unseen.
                # (Label designs keep their word lists as .txt files: those are read by the design.)
                resource = in_bundle or (kind == "labels" and suffix in (".txt", ".text"))
                if (not resource or suffix in _OTHER_MARKDOWN) and not _team_note(name):
                    problems.append(warning(rel, 1, "is not read: content files end in .md or .yaml; rename it"))
                continue
            is_index = name.lower() in BUNDLE_INDEXES and folder in bundle_dirs
            if in_bundle and not is_index:
                if suffix == ".md":  # a page written into a bundle's folder, most likely
                    problems.append(warning(rel, 1, "is not read: its folder is a bundle (it has an index file), "
                                                    "whose other files are the bundle's media; move it out"))
                continue
            unsafe = _unsafe_name(rel)
            if unsafe is not None:
                problems.append(error(rel, 0, f"the file name {unsafe}; rename the file"))
                continue
            if not keep_data:
                source, problem = _stat_source(file, rel, kind, is_index, max_bytes, known or {}, linked,
                                               stats.get(file) if stats else None)
                if problem is not None:
                    problems.append(problem)
                elif source is not None:
                    sources.append(source)
                continue
            try:
                with open(file, "rb") as handle:
                    size = os.fstat(handle.fileno()).st_size
                    if size > max_bytes:
                        problems.append(
                            error(rel, 0, f"is {size:,} bytes, over the limit of {max_bytes:,} "
                                  "(limits.max_file_bytes in storysite.yaml)")
                        )
                        continue
                    data = handle.read()
            except OSError as exc:
                problems.append(error(rel, 0, f"cannot be read: {exc.strerror}"))
                continue
            sources.append(SourceFile(rel, kind, data, bundle=is_index))
    problems.extend(_unread_content(content))
    if linked and areas is not None:
        refused = content_hard_links({rel: site_dir / rel for rel in linked}, areas)
        problems.extend(refused)
        refused_paths = {problem.path for problem in refused}
        sources = [source for source in sources if source.path not in refused_paths]
    sources.sort(key=lambda s: s.path)
    return sources, problems


_OTHER_MARKDOWN = (".markdown", ".mdown", ".mkd", ".mkdn")
_OTHER_TEXT = (*_OTHER_MARKDOWN, ".txt", ".text", ".toml", ".json")
"""Text files a content folder never reads (a bundle's own, other than Markdown, are its resources)."""
_TEAM_NOTES = ("README", "LICENSE", "CHANGELOG", "CONTRIBUTING")
"""Files a team keeps beside its content, for itself: not warned about."""


def _team_note(name: str) -> bool:
    return name.upper().startswith(_TEAM_NOTES)


def _unread_content(content: Path) -> Iterator[Diagnostic]:
    """A warning for what stands in content/ to be read but never is: a text file beside
    the content folders, a folder named like one of them but misspelt."""
    try:
        entries = sorted(os.scandir(content), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name in KINDS or skip_content_name(entry.name):
            continue
        if entry.is_dir():
            close = difflib.get_close_matches(entry.name.lower(), KINDS, n=1, cutoff=0.75)
            if close:
                yield warning(f"{CONTENT_DIR}/{entry.name}", 1, f"is not read: did you mean {CONTENT_DIR}/{close[0]}/? "
                                                               f"(content folders: {', '.join(KINDS)})")
        elif (_suffix(entry.name).lower() in TEXT_SUFFIXES + _OTHER_MARKDOWN
              and not _team_note(entry.name)):
            yield warning(f"{CONTENT_DIR}/{entry.name}", 1, "is not read: put it in the folder of its kind "
                                                           f"({', '.join(KINDS)})")


def _stat_source(file: str, rel: str, kind: str, is_index: bool, max_bytes: int,
                 known: DigestIndex, linked: list[str], info: os.stat_result | None = None,
                 ) -> tuple[SourceFile | None, Diagnostic | None]:
    """A file as a source, its digest from ``known`` if its stat data (``info``, else looked
    up) is unchanged; a file with more than one hard link goes to ``linked`` too."""
    if info is None:
        try:
            info = os.stat(file)
        except OSError as exc:
            return None, error(rel, 0, f"cannot be read: {exc.strerror}")
    if info.st_nlink > 1:
        linked.append(rel)
    if info.st_size > max_bytes:
        return None, error(rel, 0, f"is {info.st_size:,} bytes, over the limit of {max_bytes:,} "
                           "(limits.max_file_bytes in storysite.yaml)")
    stat = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
    previous = known.get(rel)
    digest = previous[1] if previous is not None and previous[0] == stat else ""
    return SourceFile(rel, kind, b"", is_index, digest, stat), None


def parse(source: SourceFile) -> tuple[list[RawItem], list[Diagnostic]]:
    """Split a content file into raw items (pure: depends on the bytes only)."""
    path = source.path
    text, problem = decode_text(source.data)
    if problem is not None or text is None:
        assert problem is not None
        return [], [error(path, problem.line, problem.message)]
    if path.lower().endswith(".md"):
        if _team_note(path.rpartition("/")[2]) and not text.startswith("---"):
            # A folder's README (GitHub shows it beside the files): the team's note, not an item.
            return [], []
        front, problem = split_front_matter(text)
        if problem is not None or front is None:
            assert problem is not None
            return [], [error(path, problem.line, problem.message)]
        # Duplicate keys are errors, but do not hide the file's other problems: the first value
        # of each is kept and the item checked as usual.
        fields, found = load_yaml_reporting(front.yaml_text, front.yaml_line)
        duplicates = [error(path, problem.line, problem.message) for problem in found]
        if fields is None and found:
            return [], duplicates
        if fields is None:
            fields = YamlMap(1)
        if not isinstance(fields, YamlMap):
            return [], [error(path, front.yaml_line, "front matter must be a mapping (key: value lines)")]
        return [RawItem(source, fields, front.body, front.body_line, 1)], duplicates
    value, found = load_yaml_reporting(text)
    problems: list[Diagnostic] = [error(path, problem.line, problem.message) for problem in found]
    if value is None and found:
        return [], problems
    if isinstance(value, YamlMap):
        return [_from_mapping(source, value, None)], problems
    if isinstance(value, YamlList):
        items: list[RawItem] = []
        for index, entry in enumerate(value):
            if not isinstance(entry, YamlMap):
                problems.append(error(path, value.line_of(index), "each list entry must be a mapping of fields"))
                continue
            if "slug" not in entry and "title" not in entry:
                problems.append(error(path, entry.line, "a list entry needs a 'slug' or a 'title'"))
                continue
            items.append(_from_mapping(source, entry, index))
        return items, problems
    if value is None:
        return [], [error(path, 1, "the file is empty")]
    return [], [*problems, error(path, 1, "expected a mapping of fields, or a list of them")]


def _from_mapping(source: SourceFile, fields: YamlMap, index: int | None) -> RawItem:
    body: Any = fields.get("text", "")
    body_line = fields.text_line_of("text")
    rest = YamlMap(fields.line)
    for key, value in fields.items():
        if key != "text":
            rest[key] = value
            rest.key_lines[key] = fields.key_lines[key]
    rest.text_lines = {key: line for key, line in fields.text_lines.items() if key != "text"}
    if "text" in fields:
        rest.key_lines["text"] = fields.key_lines["text"]
    text = body if isinstance(body, str) else ""
    if body is not None and not isinstance(body, str):
        rest["text"] = body  # the validator reports the wrong type
    return RawItem(source, rest, text, body_line, fields.line, index)
