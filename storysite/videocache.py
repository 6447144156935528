"""Local videos stripped of their metadata once, kept in ``.storysite/cache/videos/``.

A video is large (a phone's clip: hundreds of megabytes), and stripping it
(:func:`storysite.video.strip_video_metadata`) reads it whole. A build reads it
only when it is new or changed: what a source file holds is known from its
stat data (size, modification and change times, inode) when that is what the
last build recorded, as for content files (git's index makes the same bet);
a file changed too recently for its stat data to show a later edit in the same
tick is not recorded, so the next build hashes it again (see
:data:`storysite.cache.COARSE_SETTLING_NS`). The stripped file is kept by the
hash of the source's bytes and the container it is read as, and placed in the
output by a hard link (or a copy made a piece at a time), never held in memory.

Each stripped file and the record are written beside their place and renamed
into it, so a build killed at any moment leaves a usable cache. A build that
writes keeps only the videos it published: a withdrawn memory's video leaves the
cache with its page.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storysite import cache
from storysite.video import blanked_place, strip_video_metadata
from storysite.write import FILE_MODE, replace_file

VIDEO_CACHE_DIR = ".storysite/cache/videos"
_INDEX = "index.json"
_FORMAT = 1
_ABANDONED_NS = 3600 * 1_000_000_000
"""How old a temporary file of the cache must be to be taken for one a killed build left."""


@dataclass(frozen=True)
class StrippedVideo:
    """A video as it is published: its file in the cache (never changed in place), size and hash."""

    file: Path
    size: int
    sha256: str
    """The SHA-256 of the published bytes (hex): the output's name is made from it."""
    blanked_place: bool
    """Whether stripping blanked where the video was recorded (see :func:`storysite.video.blanked_place`)."""


def _container(suffix: str) -> str:
    # As strip_video_metadata reads it: Matroska, else ISO base media.
    return ".webm" if suffix.lower() == ".webm" else ".mp4"


class VideoCache:
    """The stripped videos of earlier builds, and those of this one (see the module's text)."""

    def __init__(self, site_dir: Path, store_dir: Path | None = None) -> None:
        """The cache of ``site_dir``. New stripped files go to ``store_dir`` when given (a
        scratch folder: ``check`` writes nothing), else into the cache."""
        self.folder = site_dir / VIDEO_CACHE_DIR
        self.store = store_dir if store_dir is not None else self.folder
        self._sources: dict[str, list[Any]] = {}
        self._entries: dict[str, dict[str, Any]] = {}
        self._used_sources: dict[str, list[Any]] = {}
        self._used_entries: dict[str, dict[str, Any]] = {}
        try:
            data = json.loads((self.folder / _INDEX).read_text("utf-8"))
            if data.get("format") == _FORMAT and data.get("code") == cache.code_stamp():
                self._sources = {str(k): list(v) for k, v in dict(data["sources"]).items()}
                self._entries = {str(k): dict(v) for k, v in dict(data["entries"]).items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass  # none, damaged, or of other code: every video is stripped again

    def stripped(self, source: Path, suffix: str) -> StrippedVideo | str:
        """``source`` with its metadata blanked, read as ``suffix`` says (``.webm``, else MP4),
        or why it cannot be published. Read only when its stat data is not the recorded one
        and the bytes it holds were never stripped before; an :class:`OSError` when it cannot
        be read."""
        container = _container(suffix)
        where = os.path.abspath(source)
        info = os.stat(source)
        facts = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
        known = self._sources.get(where)
        digest = str(known[4]) if known is not None and len(known) == 5 and tuple(known[:4]) == facts else ""
        if not digest:
            digest = cache.file_hash(source)  # streamed: a file only touched is not stripped again
        found = self._cached(f"{digest}{container}") if digest else None
        if found is None:
            data = source.read_bytes()  # (raises as the caller reports; "" above was a file unread)
            digest = hashlib.sha256(data).hexdigest()
            found = self._cached(f"{digest}{container}")
            if found is None:
                made = self._strip(data, container, f"{digest}{container}")
                if isinstance(made, str):
                    return made
                found = made
            del data
        settled = time.time_ns() - cache.COARSE_SETTLING_NS
        if stat.S_ISREG(info.st_mode) and max(info.st_mtime_ns, info.st_ctime_ns) < settled:
            # (A file changed within the last two seconds may change again in its time's tick
            # unseen: not recorded, so the next build hashes it again.)
            self._used_sources[where] = [*facts, digest]
        return found

    def _cached(self, name: str) -> StrippedVideo | None:
        entry = self._used_entries.get(name) or self._entries.get(name)
        if entry is None:
            return None
        path = self.folder / name
        try:
            info = os.stat(path, follow_symlinks=False)
            size, sha256, place, file = int(entry["size"]), str(entry["sha256"]), bool(entry["place"]), entry["file"]
        except (OSError, KeyError, TypeError, ValueError):
            return None
        # The very file written (an edit in place moves its modification time), of the output's mode.
        if (not stat.S_ISREG(info.st_mode) or stat.S_IMODE(info.st_mode) != FILE_MODE or info.st_size != size
                or [info.st_ino, info.st_size, info.st_mtime_ns] != file):
            return None
        self._used_entries[name] = entry
        return StrippedVideo(path, size, sha256, place)

    def _strip(self, data: bytes, container: str, name: str) -> StrippedVideo | str:
        cleaned, reason = strip_video_metadata(data, container)
        if cleaned is None:
            return reason or "cannot be read through"
        place = blanked_place(data, cleaned)
        path = self.store / name
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(path, lambda handle: handle.write(cleaned), mode=FILE_MODE)
        info = os.stat(path)
        found = StrippedVideo(path, len(cleaned), hashlib.sha256(cleaned).hexdigest(), place)
        if self.store == self.folder:
            self._used_entries[name] = {"size": found.size, "sha256": found.sha256, "place": place,
                                        "file": [info.st_ino, info.st_size, info.st_mtime_ns]}
        return found

    def save(self) -> None:
        """Record what this build used, and remove every other stripped file (a withdrawn
        memory's video leaves the cache too)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        record = {"format": _FORMAT, "code": cache.code_stamp(), "sources": dict(sorted(self._used_sources.items())),
                  "entries": dict(sorted(self._used_entries.items()))}
        replace_file(self.folder / _INDEX, lambda handle: handle.write(json.dumps(record, sort_keys=True).encode()))
        abandoned = time.time_ns() - _ABANDONED_NS
        for path in self.folder.iterdir():
            name = path.name
            if name == _INDEX or name in self._used_entries:
                continue
            with contextlib.suppress(OSError):
                # A temporary file is another build's under way, unless a killed one left it long ago.
                if not name.startswith(".") or path.stat().st_mtime_ns < abandoned:
                    path.unlink()
