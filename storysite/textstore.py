"""Rendered fan texts, kept in an unnamed temporary file rather than in memory.

At 100,000 memories the rendered texts weigh a couple of hundred megabytes, and
every forked page worker would start with them. They are written once, as they
arrive, into a temporary file that has no name (nothing is left behind, even if
the build is killed); the build keeps only where each text is. Forked workers
inherit the file and read a text with ``os.pread`` when its page is rendered;
texts are written with ``os.pwrite`` and nothing is buffered, so no process
depends on a file position or on what another has not flushed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO


class TextStore:
    """Byte strings by key, in a temporary file; use as a context manager (closes it)."""

    def __init__(self, folder: Path | None = None) -> None:
        """``folder``: where the file is made (default: the system's temporary folder, which
        may be memory itself, as a tmpfs; a build that writes gives its cache folder)."""
        self._folder = folder
        self._file: IO[bytes] | None = None  # made at the first put: a build that stops early makes nothing
        self._spans: dict[str, tuple[int, int]] = {}
        self._end = 0

    def __enter__(self) -> TextStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def put(self, key: str, data: bytes) -> None:
        """Keep ``data`` under ``key`` (a key given twice keeps its first data: keys are
        content hashes, so the data is the same)."""
        if key in self._spans:
            return
        if self._file is None:
            if self._folder is not None:
                self._folder.mkdir(parents=True, exist_ok=True)
            self._file = tempfile.TemporaryFile(buffering=0, dir=self._folder)  # noqa: SIM115 - closed by close()
        view = memoryview(data)
        offset = self._end
        while view:
            written = os.pwrite(self._file.fileno(), view, offset)
            view, offset = view[written:], offset + written
        self._spans[key] = (self._end, len(data))
        self._end += len(data)

    def __contains__(self, key: object) -> bool:
        return key in self._spans

    def get(self, key: str) -> bytes:
        """The data kept under ``key`` (KeyError when there is none)."""
        offset, length = self._spans[key]
        assert self._file is not None  # made by the put that recorded the key
        data = os.pread(self._file.fileno(), length, offset)
        if len(data) != length:
            raise OSError(f"the temporary text file is short at {offset}")
        return data

    def close(self) -> None:
        self._spans.clear()
        if self._file is not None:
            self._file.close()


class StoredTexts(Mapping[str, bytes]):
    """A read-only mapping of names (memory slugs) to the texts of a :class:`TextStore`."""

    def __init__(self, store: TextStore, keys: Mapping[str, str]) -> None:
        self._store = store
        self._keys = keys

    def __getitem__(self, name: str) -> bytes:
        return self._store.get(self._keys[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)
