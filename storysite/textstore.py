"""Rendered fan texts, kept in an unnamed temporary file rather than in memory.

At 100,000 memories the rendered texts weigh a couple of hundred megabytes, and
every forked page worker would start with them. They are written as they arrive
into a temporary file that has no name (nothing is left behind, even if the
build is killed), a megabyte at a time; the build keeps only where each text is.
Forked workers inherit the file, and the few texts not written yet with the
rest of the store's memory; they read a text with ``os.pread`` when its page is
rendered. Nothing depends on a file position, and a worker only ever asks for
texts put before it was forked (what it knows of the store is what it inherited).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

MARK = b"<a href="
"""What a rendered text holds once it links anywhere (see :attr:`TextStore.marked`)."""
PENDING_BYTES = 1 << 20
"""How many bytes of texts are gathered before they are written (one write, not one a text)."""


class TextStore:
    """Byte strings by key, in a temporary file; use as a context manager (closes it)."""

    def __init__(self, folder: Path | None = None) -> None:
        """``folder``: where the file is made (default: the system's temporary folder, which
        may be memory itself, as a tmpfs; a build that writes gives its cache folder)."""
        self._folder = folder
        self._file: IO[bytes] | None = None  # made at the first put: a build that stops early makes nothing
        self._spans: dict[str, tuple[int, int]] = {}
        self._end = 0
        self._pending = bytearray()
        """Texts put and not written yet: the file's bytes from ``_end - len(_pending)`` on."""
        self.marked: set[str] = set()
        """The keys of the texts holding :data:`MARK` (fans' texts with a link), noted as they
        are put: the few a build must look through are known without reading every text back."""

    def __enter__(self) -> TextStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def put(self, key: str, data: bytes) -> None:
        """Keep ``data`` under ``key`` (a key given twice keeps its first data: keys are
        content hashes, so the data is the same)."""
        if key in self._spans:
            return
        if MARK in data:
            self.marked.add(key)
        self._pending += data
        self._spans[key] = (self._end, len(data))
        self._end += len(data)
        if len(self._pending) >= PENDING_BYTES:
            self._write_pending()

    def _write_pending(self) -> None:
        if not self._pending:
            return
        if self._file is None:
            if self._folder is not None:
                self._folder.mkdir(parents=True, exist_ok=True)
            self._file = tempfile.TemporaryFile(buffering=0, dir=self._folder)  # noqa: SIM115 - closed by close()
        view = memoryview(self._pending)
        offset = self._end - len(self._pending)
        while view:
            written = os.pwrite(self._file.fileno(), view, offset)
            view, offset = view[written:], offset + written
        del view
        self._pending = bytearray()

    def __contains__(self, key: object) -> bool:
        return key in self._spans

    def get(self, key: str) -> bytes:
        """The data kept under ``key`` (KeyError when there is none)."""
        offset, length = self._spans[key]
        written = self._end - len(self._pending)
        if offset >= written:
            return bytes(self._pending[offset - written:offset - written + length])
        assert self._file is not None  # made by the first write
        data = os.pread(self._file.fileno(), length, offset)
        if len(data) != length:
            raise OSError(f"the temporary text file is short at {offset}")
        return data

    def close(self) -> None:
        self._spans.clear()
        self._pending = bytearray()
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
