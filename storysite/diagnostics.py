"""Errors and warnings as values, collected across a whole build.

Every stage returns what it made together with the diagnostics it found, so
that one run reports every problem at once, each as ``path:line: message``.
Exceptions are kept for faults of the environment (an unreadable site folder,
a full disk) and are turned into an exit code only at the command line.
"""

from __future__ import annotations

import enum
import re
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
        """Render as ``path:line: message`` (warnings and notices say so after the line), always on one line.

        Paths and messages can carry what fans and editors typed (a file name, a
        photo path, a quoted value); a line break there would print a second line
        that editors and CI parsers take for another diagnostic, so line breaks,
        control characters and bidi overrides are shown escaped (``\\n``, ``\\x1b``).
        """
        location = f"{printable(self.path)}:{self.line or 1}"
        prefix = {Severity.WARNING: "warning: ", Severity.NOTICE: "note: "}.get(self.severity, "")
        return f"{location}: {prefix}{one_line(self.message)}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


# What must never be printed as it is in a diagnostic: C0 and C1 controls (line breaks among
# them), DEL, the line and paragraph separators, bidi controls (which reorder what a reader
# sees), and lone surrogates (a file name that is not UTF-8, or a JSON "\\ud800").
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")


def _escaped(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    return char.encode("unicode_escape").decode("ascii")


def printable(path: str) -> str:
    """``path`` on one line, as it can be printed: bytes that are not UTF-8 and control
    characters (a line break in a file name could forge a diagnostic) are escaped;
    so is anything else a terminal would not show (a file name is worth seeing exactly)."""
    if path.isprintable():
        return path
    return "".join(c if c.isprintable() else _escaped(c) for c in path)


def one_line(text: str) -> str:
    """``text`` on one line: line breaks, control characters, bidi controls and lone
    surrogates escaped (``\\n``, ``\\x1b``, ``\\u2028``); other text, accents and
    non-breaking spaces included, left as it is."""
    return _UNSAFE.sub(lambda match: _escaped(match.group()), text)


QUOTE_CHARS = 60


def shortened(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` to quote in a message: whole when it has at most ``limit`` characters, else its
    beginning and an ellipsis (a fan's 200,000-letter title must not make a message as long)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


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
