"""Declarative option types for ``storysite.yaml`` (after MkDocs' config_options).

Each option checks one raw YAML value and returns the clean value, or raises
:class:`OptionError` with a message that names what was expected. The loader
turns that into ``storysite.yaml:LINE: message`` and keeps going.
"""

from __future__ import annotations

import ipaddress
import posixpath
import re
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from storysite.personaldata import contact_kind
from storysite.textclean import clean_text, drop_bidi

T = TypeVar("T")


class OptionError(ValueError):
    """A raw value does not fit its option.

    ``line`` points inside the value (an item of a list) when that is more
    precise than the key's own line; ``also`` carries further problems found
    in the same value, so that all of them are reported in one run.
    """

    def __init__(self, message: str, *, line: int = 0, also: Sequence[OptionError] = ()) -> None:
        super().__init__(message)
        self.line = line
        self.also = tuple(also)


def describe(value: Any) -> str:
    """A short, editor-friendly rendering of a raw value for messages."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


class Option(Generic[T]):
    """Base option: ``check`` maps a raw value to a clean one."""

    expected = "a value"

    def check(self, raw: Any) -> T:
        raise NotImplementedError


class Text(Option[str]):
    expected = "text"

    def __init__(self, *, allow_empty: bool = True, as_written: bool = False) -> None:
        self.allow_empty = allow_empty
        self.as_written = as_written
        """A name or a path (a theme, a file): kept as written, to name the very thing."""

    def check(self, raw: Any) -> str:
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            raw = str(raw)  # a title such as 2026 is text to the editor who wrote it
        if not isinstance(raw, str):
            raise OptionError(f"expected {self.expected}, got {describe(raw)}")
        if not self.allow_empty and not raw.strip():
            raise OptionError("must not be empty")
        return raw if self.as_written else _cleaned(raw)


class OptionalText(Option["str | None"]):
    expected = "text"

    def __init__(self, *, as_written: bool = False) -> None:
        self.as_written = as_written
        """A name or a path (a file): kept as written, to name the very thing."""

    def check(self, raw: Any) -> str | None:
        if raw is None:
            return None
        if not isinstance(raw, str):
            raise OptionError(f"expected {self.expected}, got {describe(raw)}")
        return raw if self.as_written else _cleaned(raw)


def _cleaned(text: str) -> str:
    # As fans' fields are: a control character in the site's title made every feed invalid XML,
    # a bidi override reordered what follows it in every page's <title>.
    return drop_bidi(clean_text(text))


class Boolean(Option[bool]):
    expected = "true or false"

    def check(self, raw: Any) -> bool:
        if not isinstance(raw, bool):
            raise OptionError(f"expected true or false, got {describe(raw)}")
        return raw


class Integer(Option[int]):
    def __init__(self, minimum: int | None = None, maximum: int | None = None) -> None:
        self.minimum = minimum
        self.maximum = maximum

    @property
    def expected(self) -> str:  # type: ignore[override]
        if self.minimum is not None and self.maximum is not None:
            return f"a whole number from {self.minimum} to {self.maximum}"
        if self.minimum is not None:
            return f"a whole number of at least {self.minimum}"
        return "a whole number"

    def check(self, raw: Any) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise OptionError(f"expected {self.expected}, got {describe(raw)}")
        if (self.minimum is not None and raw < self.minimum) or (
            self.maximum is not None and raw > self.maximum
        ):
            raise OptionError(f"expected {self.expected}, got {raw}")
        return raw


class Choice(Option[str]):
    def __init__(self, choices: Sequence[str]) -> None:
        self.choices = tuple(choices)

    @property
    def expected(self) -> str:  # type: ignore[override]
        return "one of " + ", ".join(self.choices)

    def check(self, raw: Any) -> str:
        if not isinstance(raw, str) or raw not in self.choices:
            raise OptionError(f"expected {self.expected}, got {describe(raw)}")
        return raw


class ListOf(Option[tuple[Any, ...]]):
    def __init__(self, item: Option[Any], *, unique_sorted: bool = False, min_items: int = 0):
        self.item = item
        self.unique_sorted = unique_sorted
        self.min_items = min_items

    @property
    def expected(self) -> str:  # type: ignore[override]
        return f"a list of {self.item.expected}"

    def check(self, raw: Any) -> tuple[Any, ...]:
        if not isinstance(raw, list):
            raise OptionError(f"expected {self.expected}, got {describe(raw)}")
        values = []
        problems: list[OptionError] = []  # every bad item, each at its own line
        for position, item in enumerate(raw, start=1):
            try:
                values.append(self.item.check(item))
            except OptionError as exc:
                problems.append(OptionError(f"item {position}: {exc}", line=_line_of(raw, position - 1)))
        if problems:
            raise OptionError(str(problems[0]), line=problems[0].line, also=problems[1:])
        if len(values) < self.min_items:
            raise OptionError(f"expected at least {self.min_items} item(s)")
        if self.unique_sorted:
            values = sorted(set(values))
        return tuple(values)


_HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})\Z")


class Color(Option[str]):
    expected = "a colour such as \"#7b3f00\" (quoted: # starts a YAML comment)"

    def check(self, raw: Any) -> str:
        if not isinstance(raw, str) or not _HEX_COLOR.match(raw):
            raise OptionError(f"expected {self.expected}, got {describe(raw)}")
        if len(raw) == 4:
            raw = "#" + "".join(c * 2 for c in raw[1:])
        return str(raw).lower()


# What RFC 3986 lets a URL hold literally (unreserved, sub-delimiters, ':', '@', '/', and '?' and '#',
# which the shape check below refuses with its own message), less the quote it counts among
# sub-delimiters: base_url is pasted as it is into robots.txt, and into attributes and scripts
# elsewhere, so a quote, an angle bracket or a space there could end the value and start markup.
_URL_CHARACTER = re.compile(r"[A-Za-z0-9\-._~!$&()*+,;=:@/?#]|%[0-9A-Fa-f]{2}")


class BaseUrl(Option[str]):
    """An absolute http(s) URL or a path, written with URL-safe characters only."""

    expected = "an absolute http(s) URL such as https://example.org/ or a path such as /"

    def check(self, raw: Any) -> str:
        if not isinstance(raw, str) or not raw.strip():
            raise OptionError(f"expected {self.expected}, got {describe(raw)}")
        url = raw.strip()
        # Scheme and host are case-insensitive (RFC 3986): written in lower case. An IPv6
        # address keeps its brackets, the one place they may stand, and is checked as one.
        ipv6 = ""
        parts = re.match(r"([A-Za-z][A-Za-z0-9+.-]*)://(\[[^\]/]*\])?([^/?#]*)", url)
        if parts and parts.group(1).lower() in ("http", "https"):
            ipv6, rest = (parts.group(2) or "").lower(), parts.group(3).lower()
            if "@" in ipv6 + rest:
                raise OptionError("must not hold a user name or password (before '@'): it would be published "
                                  "in every page, the feed and the sitemap")
            if ipv6:
                try:
                    ipaddress.IPv6Address(ipv6[1:-1])
                except ValueError:
                    raise OptionError(f"'{ipv6}' is not an IPv6 address") from None
            if not re.fullmatch(r"(?:[^:]*)(?::\d{1,5})?" if not ipv6 else r"(?::\d{1,5})?", rest):
                raise OptionError(f"expected {self.expected}, got {describe(raw)} (a port is a number)")
            host, _, port = rest.rpartition(":") if ":" in rest else (rest, "", "")
            if not ipv6 and not host:
                raise OptionError(f"{describe(raw)} has no host name; give the domain, such as https://example.org/")
            if port and not 0 < int(port) <= 65535:
                raise OptionError(f"{describe(raw)} has the port {port}; a port is a number from 1 to 65535")
            url = f"{parts.group(1).lower()}://{ipv6}{rest}{url[parts.end():]}"
        checked = url.replace(ipv6, "", 1) if ipv6 else url
        position = 0
        while position < len(checked):
            match = _URL_CHARACTER.match(checked, position)
            if match is None:
                raise OptionError(_bad_character(checked[position]))
            position = match.end()
        if not (re.match(r"https?://(\[[0-9a-f:.]+\])?[^/\s?#]*(/[^\s?#]*)?\Z", url)
                and not url.startswith(("http:///", "https:///"))) and not re.match(r"/(?!/)[^\s?#]*\Z", url):
            raise OptionError(f"expected {self.expected}, got {describe(raw)}")
        _check_base_path(url.split("://", 1)[1].partition("/")[2] if "://" in url else url[1:])
        return url if url.endswith("/") else url + "/"


class Origin(BaseUrl):
    """An http(s) origin another site serves from (``https://cdn.example``)."""

    expected = "an http(s) address such as https://cdn.example"

    def check(self, raw: Any) -> str:
        url = super().check(raw)
        if not url.startswith(("http://", "https://")):
            raise OptionError(f"expected {self.expected}, got {describe(raw)}")
        return url


class Contact(Option[str]):
    """An email address or a phone number, written alone (``contact@maison-tartine.fr``)."""

    expected = "an email address or a phone number (such as contact@example.org or +33 4 72 00 00 00)"

    def check(self, raw: Any) -> str:
        if isinstance(raw, int) and not isinstance(raw, bool):
            raw = str(raw)  # a number written without spaces or a leading zero
        if not isinstance(raw, str) or contact_kind(raw) is None:
            raise OptionError(f"expected {self.expected}, got {describe(raw)}")
        return " ".join(raw.split())


def _check_base_path(path: str) -> None:
    """Refuses a base path (after the host's '/', without it) that browsers would not keep as
    written: the site's own links start with it, so '//sub/' would make every link of every page
    protocol-relative (another host's), and '/a/../b/' or '/./b/' would be published, unresolved,
    in the sitemap, the feed and canonical links."""
    parts = path.removesuffix("/").split("/") if path else []
    for part in parts:
        if not part:
            raise OptionError("has an empty part ('//') in its path; write each '/' once, such as "
                              "https://example.org/marque/")
        if urllib.parse.unquote(part) in (".", ".."):
            raise OptionError(f"has a '{urllib.parse.unquote(part)}' part in its path, which browsers resolve away; "
                              "write the path it leads to, such as https://example.org/marque/")


def _bad_character(char: str) -> str:
    """Why ``char`` cannot stand in a URL, naming it so that it can be found in the file."""
    if char == "%":
        return "'%' must be followed by two hex digits (an escape such as %20)"
    if char == " ":
        shown = "a space"
    elif char.isprintable():
        shown = f'"{char}"' if char == "'" else f"'{char}'"
    else:
        shown = f"the character U+{ord(char):04X}"
    hint = f" (write {char} %-encoded, or a domain name in its xn-- form)" if ord(char) > 127 and char.isprintable() else ""
    return (f"{shown} is not allowed in a URL{hint}; use letters, digits, - . _ ~ ! $ & ( ) * + , ; = : @ / "
            "and %XX escapes (a space is %20)")


class LanguageCode(Option[str]):
    expected = "a language code such as fr or en"

    def check(self, raw: Any) -> str:
        if not isinstance(raw, str) or not re.match(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*\Z", raw):
            raise OptionError(f"expected {self.expected}, got {describe(raw)}")
        # Language tags are read whatever their case (BCP 47): FR is fr, whose strings the
        # themes have. (What follows, a region, is kept as written: it names a strings file.)
        language, dash, rest = raw.partition("-")
        return language.lower() + dash + rest


class SitePath(Option[str]):
    """A relative path that must stay inside the site folder."""

    expected = "a path inside the site folder"

    def __init__(self, *, forbid_root: bool = False) -> None:
        self.forbid_root = forbid_root

    def check(self, raw: Any) -> str:
        if not isinstance(raw, str) or not raw.strip():
            raise OptionError(f"expected {self.expected}, got {describe(raw)}")
        path = raw.strip().replace("\\", "/")
        control = next((char for char in path if ord(char) < 32 or ord(char) == 127), None)
        if control is not None:
            # A NUL cannot be in any file name (the system refuses it), and other control
            # characters make a folder no one can type or see.
            raise OptionError(f"{describe(raw)} holds the control character U+{ord(control):04X}, "
                              "which cannot be in a folder's name; remove it")
        normal = posixpath.normpath(path)
        if path.startswith("/") or re.match(r"[A-Za-z]:", path) or normal.split("/")[0] == "..":
            raise OptionError(f"{describe(raw)} leaves the site folder; use a path inside it")
        if self.forbid_root and normal == ".":
            raise OptionError("must be a folder inside the site, not the site folder itself")
        return normal


@dataclass(frozen=True, slots=True)
class Era:
    """A named span of the brand's history, from one year to another (both included)."""

    name: str
    start: int
    end: int
    line: int = 0
    """The line of the era in storysite.yaml, for messages about it."""

    def contains(self, year: int) -> bool:
        return self.start <= year <= self.end


class EraList(Option[tuple[Era, ...]]):
    """``[{name: Les années télé, from: 1980, to: 1994}, ...]``: every problem, each at its item's line."""

    expected = "a list of eras, each with name, from and to (years)"

    def check(self, raw: Any) -> tuple[Era, ...]:
        if not isinstance(raw, list):
            raise OptionError(f"expected {self.expected}, got {describe(raw)}")
        eras: list[Era] = []
        problems: list[OptionError] = []
        for index, item in enumerate(raw):
            line = _line_of(raw, index)
            if not isinstance(item, dict):
                problems.append(OptionError(f"item {index + 1}: expected name, from and to, got {describe(item)}",
                                            line=line))
                continue
            found = len(problems)
            for key in sorted(set(item) - {"name", "from", "to"}):
                problems.append(OptionError(f"item {index + 1}: unknown key '{key}'; an era has name, from and to",
                                            line=_line_of(item, key) or line))
            name = item.get("name")
            if name is None or (isinstance(name, str) and not name.strip()):
                # An era's name is its heading on the timeline: one without is no era.
                problems.append(OptionError(f"item {index + 1}: 'name' is required: the era's heading on the "
                                            "timeline", line=_line_of(item, "name") or line))
            elif not isinstance(name, str):
                problems.append(OptionError(f"item {index + 1}: 'name' must be text, got {describe(name)}",
                                            line=_line_of(item, "name") or line))
            years: dict[str, int] = {}
            for key in ("from", "to"):
                value = item.get(key)
                if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 9999:
                    problems.append(OptionError(f"item {index + 1}: '{key}' must be a year such as 1980, "
                                                f"got {describe(value)}", line=_line_of(item, key) or line))
                else:
                    years[key] = value
            if len(years) == 2 and years["from"] > years["to"]:
                problems.append(OptionError(
                    f"item {index + 1}: '{name}' runs backwards (from {years['from']} to {years['to']}); "
                    f"write from: {years['to']}, to: {years['from']}", line=_line_of(item, "from") or line))
            if len(problems) == found:
                eras.append(Era(str(name).strip(), years["from"], years["to"], line))
        for index, era in enumerate(eras):
            for other in eras[:index]:
                if era.start <= other.end and other.start <= era.end:
                    problems.append(OptionError(
                        f"'{era.name}' ({era.start}–{era.end}) overlaps '{other.name}' ({other.start}–{other.end}); "
                        "a year belongs to one era at most", line=era.line))
        if problems:
            raise OptionError(str(problems[0]), line=problems[0].line, also=problems[1:])
        return tuple(sorted(eras, key=lambda e: e.start))


def _line_of(container: Any, key: Any) -> int:
    """The line storysite.yaml gives ``container[key]`` (0 when the value does not know)."""
    line_of = getattr(container, "line_of", None)
    return int(line_of(key)) if callable(line_of) else 0
