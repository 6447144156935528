"""Where the private store may not be, and files that must never be published from it.

The private store holds every fan's name, email, phone and original words, and
the key that makes ``author.id`` irreversible. A store inside a folder that is
published (``static/``, a theme, the output) or read as content (``content/``)
would put all of it on the public site, so such a location is a config error;
and whatever the configuration says, no file that resolves into the store is
ever copied to the output (a symbolic link in ``static/`` cannot smuggle it out).

Files copied as they are (``static/``, a site theme's ``static/``) are refused the same way
when they lead into any other part of the site that is not for publication
(:func:`unpublishable`: ``content/``, whose raw files hold unpublished memories and private
fields, ``.storysite/``, the output, ``storysite.yaml``, version control), or when they are,
by a hard link, the very file of one of them (:func:`same_files`).
"""

from __future__ import annotations

import contextlib
import functools
import os
import stat as stat_kinds
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from storysite.diagnostics import Diagnostic, error

# Folders whose files are published or read as content, and what each is for.
_PUBLISHED = {"content": "read as content", "static": "published", "themes": "published with the theme"}


def store_location_problem(store: str, output: str) -> str | None:
    """Why the private store may not live at ``store`` (normalised, site-relative), or ``None``."""
    parts = store.casefold().split("/")
    # The folder to suggest instead: the default, unless that is the very folder in question.
    other = "private" if parts[0] != "private" and output.casefold().split("/")[0] != "private" else "fans-private"
    for folder, use in _PUBLISHED.items():
        if parts[0] == folder:
            return (f"privacy.private_store '{store}' is inside {folder}/, which is {use}: fans' personal data "
                    f"would be published; keep it outside, such as {other}")
    if parts[0] == ".storysite":
        # The build's own folder: its cache is pruned by every build, documented as safe to
        # delete, and restored in CI, where a store kept there would travel with it.
        return (f"privacy.private_store '{store}' is inside .storysite/, storysite's cache, which builds prune, "
                f"editors delete and CI caches copy: fans' personal data would be lost or copied; keep it "
                f"outside, such as {other}")
    out = output.casefold().split("/")
    if parts[: len(out)] == out or out[: len(parts)] == parts:
        return (f"privacy.private_store '{store}' overlaps the output folder '{output}', which is published "
                f"(and replaced on every build); keep it outside, such as {other}")
    return None


def is_private(path: Path, store_root: Path) -> bool:
    """Whether ``path`` (symbolic links resolved) is the private store or inside it."""
    try:
        path.resolve().relative_to(store_root.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


class StoreFiles:
    """The files of the private store: a photo, a video or a label's artwork that is one of
    them, by a symbolic or a hard link, is as private as they are. Their (device, inode) are
    read once, when a file with more than one link is first asked about."""

    def __init__(self, store_root: Path, shown: str) -> None:
        self.store_root = store_root
        self.shown = shown
        """The store as the configuration names it (``private``)."""
        self._inodes: set[tuple[int, int]] | None = None

    def refusal(self, written: str) -> str:
        """What is said of a file, ``written`` as the editor named it, that :meth:`holds` holds."""
        return (f"'{written}' is in the private store ({self.shown}/, fans' personal data; by a symbolic or a "
                "hard link, perhaps), which is never published")

    def holds(self, path: Path) -> bool:
        """Whether ``path`` is in the store or leads there (:func:`is_private`), or is, by a hard
        link, one of its files (a file with one link is not)."""
        if is_private(path, self.store_root):
            return True
        try:
            info = path.stat()
        except OSError:
            return False
        if info.st_nlink < 2:
            return False
        if self._inodes is None:
            self._inodes = set()
            for folder, _, names in os.walk(self.store_root):
                for name in names:
                    with contextlib.suppress(OSError):
                        found = os.stat(os.path.join(folder, name), follow_symlinks=False)
                        if stat_kinds.S_ISREG(found.st_mode):
                            self._inodes.add((found.st_dev, found.st_ino))
        return (info.st_dev, info.st_ino) in self._inodes


CONFIG_FILE = "storysite.yaml"
_CACHE_FOLDER = ".storysite"
_VERSION_CONTROL = frozenset({".git", ".hg", ".svn"})
_NEVER = "it is never published: remove it"


@dataclass(frozen=True)
class SiteAreas:
    """The parts of a site folder that are never published as they are, for :func:`unpublishable`."""

    site_dir: Path
    store: str
    """``privacy.private_store`` (normalised, site-relative)."""
    output: str
    """``output`` (normalised, site-relative)."""

    @functools.cached_property
    def real_site_dir(self) -> Path:
        return self.site_dir.resolve()

    @functools.cached_property
    def _folded_store(self) -> list[str]:
        return self.store.casefold().split("/")

    @functools.cached_property
    def _folded_output(self) -> list[str]:
        return self.output.casefold().split("/")

    def area(self, target: Path) -> tuple[str, str] | None:
        """Which area ``target`` (an absolute path, symbolic links resolved) is or lies in, as
        (the path it is named by, what it is), or ``None``."""
        try:
            parts = target.relative_to(self.real_site_dir).parts
        except ValueError:
            return None  # outside the site: refused elsewhere (a link that leads outside the site)
        folded = [part.casefold() for part in parts]  # as on a case-insensitive file system
        store, output = self._folded_store, self._folded_output
        if not folded:
            return ".", "the site folder itself (its content, configuration and private store)"
        if folded[: len(store)] == store:
            return self.store, "the private store (fans' personal data)"
        if folded[0] == "content":
            return "content", ("content/, the site's sources (the raw files of every memory, unpublished ones "
                               "and private fields included)")
        if folded[0] == _CACHE_FOLDER:
            return _CACHE_FOLDER, ".storysite/, storysite's caches and build records (private fields included)"
        if folded[: len(output)] == output or (
                folded[: len(output) - 1] == output[:-1] and len(folded) >= len(output)
                and folded[len(output) - 1].startswith((f".{output[-1]}.staging-", f".{output[-1]}.old-"))):
            return self.output, f"the output folder '{self.output}', which every build replaces"
        if folded == [CONFIG_FILE]:
            return CONFIG_FILE, "storysite.yaml, the site's configuration"
        if _VERSION_CONTROL.intersection(folded):
            return next(p for p, f in zip(parts, folded, strict=True) if f in _VERSION_CONTROL), \
                "version control, whose history keeps withdrawn memories"
        return None


def unpublishable(target: Path, areas: SiteAreas) -> str | None:
    """Why a file or folder copied to the output as it is (a file of ``static/``), which is or
    leads to ``target`` (symbolic links resolved), must not be, or ``None``."""
    found = areas.area(target)
    if found is None:
        return None
    name, what = found
    verb = "leads to" if name in (".", CONFIG_FILE) else "leads into"
    return f"{verb} {what}; {_NEVER}"


def content_link_problem(target: Path, areas: SiteAreas) -> str | None:
    """Why a symbolic link in ``content/`` that leads to ``target`` (resolved) must not be read as
    content, or ``None``: it leads into the private store, the caches, the output, version
    control or the configuration, whose files would then be published."""
    found = areas.area(target)
    if found is None or found[0] in ("content", "."):
        return None
    return f"leads, by a symbolic link, into {found[1]}; {_NEVER} from content/"


def content_hard_links(files: Mapping[str, Path], areas: SiteAreas) -> list[Diagnostic]:
    """An error for each content file of ``files`` (shown path → path) that is, by a hard link,
    a file of the private store, the caches or the configuration."""
    return [error(shown, 1, f"is the same file as {other} (a hard link, not a copy), in {what}; {_NEVER} from content/")
            for shown, other, what in same_files(files, areas, (areas.store, _CACHE_FOLDER, CONFIG_FILE))]


def same_files(files: Mapping[str, Path], areas: SiteAreas, among: tuple[str, ...] | None = None,
               ) -> Iterator[tuple[str, str, str]]:
    """The files of ``files`` (shown path → path) that are, by a hard link, the very file of one
    in the private store, ``content/``, ``.storysite/`` or ``storysite.yaml`` (or only ``among``
    these): (shown path, the other file's site-relative path, what its area is).

    Only a file with more than one link can be; when none is, nothing else is read."""
    linked: dict[tuple[int, int], list[str]] = {}
    for shown, path in files.items():
        try:
            stat = path.stat()
        except OSError:
            continue
        if stat.st_nlink > 1:
            linked.setdefault((stat.st_dev, stat.st_ino), []).append(shown)
    if not linked:
        return
    inodes = {inode for _, inode in linked}
    site_dir = areas.site_dir
    for name in among or (areas.store, "content", _CACHE_FOLDER, CONFIG_FILE):
        found = areas.area(areas.real_site_dir / name)
        what = found[1] if found is not None else name
        for path, stat in _files_below(site_dir / name, inodes):
            for shown in linked.get((stat.st_dev, stat.st_ino), ()):
                yield shown, path.relative_to(site_dir).as_posix(), what


def _files_below(root: Path, inodes: set[int]) -> Iterator[tuple[Path, os.stat_result]]:
    """The regular files at or below ``root`` (symbolic links not followed) whose inode number is
    one of ``inodes``, with their stat data (a directory entry gives the number without a stat)."""
    try:
        stat = root.lstat()
    except OSError:
        return
    if not stat_kinds.S_ISDIR(stat.st_mode):
        if stat.st_ino in inodes and stat_kinds.S_ISREG(stat.st_mode):
            yield root, stat
        return
    stack = [root]
    while stack:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(Path(entry.path))
                    elif entry.inode() in inodes and entry.is_file(follow_symlinks=False):
                        yield Path(entry.path), entry.stat(follow_symlinks=False)
        except OSError:
            continue


def without_unpublishable(files: Mapping[str, Path], areas: SiteAreas, label: str
                          ) -> tuple[dict[str, Path], list[Diagnostic]]:
    """``files`` (output path → source, from the folder ``label``) minus those that lead into a part
    of the site that is never published or are, by a hard link, one of its files: each an error.
    (A walk that checked each entry with :func:`unpublishable` needs only :func:`without_hard_links`.)"""
    problems: list[Diagnostic] = []
    kept: dict[str, Path] = {}
    for rel, source in files.items():
        try:
            reason = unpublishable(source.resolve(), areas)
        except (OSError, RuntimeError):
            reason = None
        if reason is not None:
            problems.append(error(f"{label}/{rel}", 1, reason))
        else:
            kept[rel] = source
    kept, found = without_hard_links(kept, areas, label)
    return kept, problems + found


def without_hard_links(files: Mapping[str, Path], areas: SiteAreas, label: str
                       ) -> tuple[dict[str, Path], list[Diagnostic]]:
    """``files`` (output path → source, from the folder ``label``) minus those that are, by a hard
    link, a file of a part of the site that is never published: each an error."""
    problems: list[Diagnostic] = []
    refused: set[str] = set()
    for rel, other, what in same_files(files, areas):
        if rel not in refused:
            refused.add(rel)
            where = "the site's configuration" if other == CONFIG_FILE else f"in {what}"
            problems.append(error(f"{label}/{rel}", 1, f"is the same file as {other} (a hard link, not a copy), "
                                  f"{where}; {_NEVER}"))
    return {rel: path for rel, path in files.items() if rel not in refused}, problems
