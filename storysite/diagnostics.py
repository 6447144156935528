"""Errors and warnings as values, collected across a whole build.

Every stage returns what it made together with the diagnostics it found, so
that one run reports every problem at once, each as ``path:line: message``.
Exceptions are kept for faults of the environment (an unreadable site folder,
a full disk) and are turned into an exit code only at the command line.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass


class Severity(enum.IntEnum):
    """How bad a diagnostic is. Errors fail the build; warnings do not, except with
    ``--strict``; notices never do."""

    NOTICE = 0
    """Something the build left out on purpose to protect a fan (a block showing a
    withdrawn memory): reported, but even ``--strict`` must not hold back the
    build that takes the memory offline."""
    WARNING = 1
    ERROR = 2


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    """One problem found in a site, located by a site-relative path and a line.

    ``line`` is 1-based; 0 means the problem concerns the whole file (or a
    folder), and is shown as line 1 so that every message reads ``path:line:``.
    """

    path: str
    line: int
    severity: Severity
    message: str

    def format(self) -> str:
        """Render as ``path:line: message`` (warnings and notices say so after the line)."""
        location = f"{printable(self.path)}:{self.line or 1}"
        prefix = {Severity.WARNING: "warning: ", Severity.NOTICE: "note: "}.get(self.severity, "")
        return f"{location}: {prefix}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def printable(path: str) -> str:
    """``path`` on one line, as it can be printed: bytes that are not UTF-8 and control
    characters (a line break in a file name could forge a diagnostic) are escaped."""
    if path.isprintable():
        return path
    text = path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def error(path: str, line: int, message: str) -> Diagnostic:
    """An error diagnostic at ``path:line``."""
    return Diagnostic(path, line, Severity.ERROR, message)


def warning(path: str, line: int, message: str) -> Diagnostic:
    """A warning diagnostic at ``path:line``."""
    return Diagnostic(path, line, Severity.WARNING, message)


def notice(path: str, line: int, message: str) -> Diagnostic:
    """A notice at ``path:line``: reported, never failing a build (not even with ``--strict``)."""
    return Diagnostic(path, line, Severity.NOTICE, message)


class Diagnostics:
    """An append-only collector of diagnostics.

    Stages receive one, add what they find and carry on; nothing here stops a
    build. The report is sorted by path and line so that output is stable.
    """

    def __init__(self, items: Iterable[Diagnostic] = ()) -> None:
        self._items: list[Diagnostic] = list(items)

    def add(self, diagnostic: Diagnostic) -> None:
        self._items.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self._items.extend(diagnostics)

    def error(self, path: str, line: int, message: str) -> None:
        self.add(error(path, line, message))

    def warning(self, path: str, line: int, message: str) -> None:
        self.add(warning(path, line, message))

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.sorted())

    def __len__(self) -> int:
        return len(self._items)

    def sorted(self) -> list[Diagnostic]:
        """Unique diagnostics ordered by path, line, then message."""
        return sorted(set(self._items), key=lambda d: (d.path, d.line, d.message, d.severity))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.sorted() if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        """Warnings and notices (everything that does not fail a build by itself)."""
        return [d for d in self.sorted() if not d.is_error]

    @property
    def fails_strict(self) -> bool:
        """Whether ``--strict`` fails the build: any error or warning (notices do not count)."""
        return any(d.severity >= Severity.WARNING for d in self._items)

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self._items)


class StorysiteError(Exception):
    """A fault that stops everything (no site here, output not writable).

    Raised deep down, shown only by the command line, which exits with
    ``exit_code``.
    """

    exit_code = 1

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code
