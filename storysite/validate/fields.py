"""Field readers shared by the validators: raw YAML value → clean value or diagnostic."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import posixpath
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import regex

from storysite.config.options import describe
from storysite.dates import PartialDate, parse_full_date, parse_partial_date
from storysite.diagnostics import Diagnostic, error, shortened, warning
from storysite.load import RawItem, is_inside
from storysite.model import Alias, MediaRef, Origin
from storysite.routing import MAX_SLUG_CHARS, alias_url, slugify
from storysite.textclean import clean_tag, clean_text_and_pile, drop_bidi, mark_pile_message
from storysite.video import LOCAL_TYPES, parse_video_url
from storysite.video import (
    VIDEO_HOSTS as VIDEO_HOSTS,  # re-exported: the importers check links with it
)
from storysite.yamlio import YamlList, YamlMap

MAX_TITLE_CHARS = 200
"""The longest title, in user-visible characters, that is not warned about. Search engines and
social networks show about 60, the share card what fits in its lines; a longer
"title" is a paragraph typed into the wrong field of a form (or a fan testing the site)."""
_COUNTED_CHARS = 10_000  # a longer title is said to be "over" that long, not counted
_CHARACTER = regex.compile(r"\X")  # a user-visible character (an extended grapheme cluster)
# A title is one line wherever it goes (<title>, og:title, JSON-LD, the feed): a line break
# (YAML's `title: |`, a form's cell where a fan pressed Enter) is a space, as HTML shows it.
_LINE_BREAK = re.compile(r"[ \t]*[\n\u2028\u2029]\s*")


def long_title(title: str) -> str | None:
    """Why ``title`` is too long for a title (a message, after the field's name), or ``None``.

    Counting stops after :data:`_COUNTED_CHARS` characters, so that the check costs no more for a
    fan's 400,000-letter title than for a long one."""
    if len(title) <= MAX_TITLE_CHARS:  # never fewer code points than characters
        return None
    count = 0
    for count, _ in enumerate(_CHARACTER.finditer(title), start=1):
        if count > _COUNTED_CHARS:
            break
    if count <= MAX_TITLE_CHARS:
        return None
    length = f"over {_COUNTED_CHARS:,}" if count > _COUNTED_CHARS else f"{count:,}"
    return (f"{length} characters long; a title should have at most {MAX_TITLE_CHARS} (search engines show "
            "about 60, the share card what fits): shorten it, and move the rest into the text")


class FieldReader:
    """Reads the fields of one mapping, recording each problem with its line."""

    def __init__(self, path: str, fields: YamlMap, problems: list[Diagnostic], prefix: str = ""):
        self.path = path
        self.fields = fields
        self.problems = problems
        self.prefix = prefix

    def line(self, key: str) -> int:
        return self.fields.line_of(key)

    def fail(self, key: str, message: str) -> None:
        self.problems.append(error(self.path, self.line(key), f"{self.prefix}{key}: {message}"))

    def warn(self, key: str, message: str) -> None:
        self.problems.append(warning(self.path, self.line(key), f"{self.prefix}{key}: {message}"))

    def item_line(self, key: str, text: str) -> int:
        """The line of the first item of the list ``key`` that reads ``text`` (the key's line
        when the list is written on one line, or is no list): where a bad item is reported."""
        value = self.fields.get(key)
        if isinstance(value, YamlList):
            for index, item in enumerate(value):
                if isinstance(item, (str, int, float)) and str(item).strip() == text:
                    return value.line_of(index) or self.line(key)
        return self.line(key)

    def has(self, key: str) -> bool:
        return key in self.fields and self.fields[key] is not None

    def text(self, key: str, *, required: bool = False, default: str = "", path: bool = False) -> str:
        """A text field, cleaned (:func:`~storysite.textclean.clean_text_and_pile`), its bidi
        controls dropped unless it is a ``path``, which must name the very file."""
        value = self.fields.get(key)
        if value is None:
            if required:
                self.problems.append(
                    error(self.path, self.fields.line or 1, f"'{self.prefix}{key}' is required")
                )
            return default
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.fail(key, f"expected text, got {describe(value)}")
            return default
        result, pile, _ = clean_text_and_pile(str(value))
        result = (result if path else drop_bidi(result)).strip()
        if pile:
            self.warn(key, mark_pile_message(pile))
        if required and not result:
            self.fail(key, "must not be empty")
        return result

    def boolean(self, key: str, default: bool = False) -> bool:
        value = self.fields.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            hint = " (YAML 1.1 words such as yes/no/on/off are not booleans here)" if isinstance(
                value, str) and value.lower() in ("yes", "no", "on", "off", "y", "n") else ""
            self.fail(key, f"expected true or false, got {describe(value)}{hint}")
            return default
        return value

    def integer(self, key: str) -> int | None:
        value = self.fields.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"expected a whole number, got {describe(value)}")
            return None
        return value

    def choice(self, key: str, choices: Iterable[str], default: str) -> str:
        options = tuple(choices)
        value = self.fields.get(key)
        if value is None:
            return default
        if not isinstance(value, str) or value not in options:
            self.fail(key, f"expected one of {', '.join(options)}, got {describe(value)}")
            return default
        return value

    def partial_date(self, key: str) -> PartialDate | None:
        if not self.has(key):
            return None
        date, reason = parse_partial_date(self.fields[key])
        if date is None:
            self.fail(key, reason or "not a date")
        return date

    def full_date(self, key: str) -> dt.date | None:
        if not self.has(key):
            return None
        date, reason = parse_full_date(self.fields[key])
        if date is None:
            self.fail(key, reason or "not a date")
        return date

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.fields.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.fail(key, f"expected a list of text, got {describe(value)}")
            return ()
        items: list[str] = []
        seen: set[str] = set()  # (a list's `in` made thousands of items cost millions of comparisons)
        for index, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                # At the item's own line: in a list written one item a line, the key's line is
                # not where the mapping or list to fix stands.
                line = value.line_of(index) if isinstance(value, YamlList) else self.line(key)
                self.problems.append(error(self.path, line or self.line(key),
                                           f"{self.prefix}{key}: expected a list of text, found {describe(item)}"))
                continue
            text, pile, _ = clean_text_and_pile(str(item))
            text = text.strip()
            if pile:
                self.warn(key, mark_pile_message(pile))
            if text and text not in seen:
                seen.add(text)
                items.append(text)
        return tuple(items)

    def tag_list(self, key: str) -> tuple[str, ...]:
        """:meth:`text_list`, each tag cleaned of what draws nothing (:func:`clean_tag`), warning
        about a tag that gives no slug (it can have no page)."""
        kept: list[str] = []
        raw = self.fields.get(key)
        if isinstance(raw, str) and "," in raw:
            # One text is one tag (as in Eleventy): Pelican's "a, b" gives a tag with a comma.
            parts = ", ".join(part.strip() for part in raw.split(",") if part.strip())
            self.warn(key, f"'{shortened(raw)}' is one tag; to give several, write them as a list: "
                           f"{key}: [{shortened(parts)}]")
        seen: set[str] = set()
        for written in self.text_list(key):
            tag = clean_tag(written)
            if tag in seen:
                continue
            seen.add(tag)
            if not tag:
                self.warn(key, f"{written!a} draws nothing (invisible characters only), so it is left out")
            elif slugify(tag):
                kept.append(tag)
            else:
                self.warn(key, f"'{shortened(tag)}' gives an empty slug, so it has no tag page and is left out; "
                               "use letters or digits")
        return tuple(kept)

    def mapping(self, key: str) -> YamlMap | None:
        value = self.fields.get(key)
        if value is None:
            return None
        if not isinstance(value, YamlMap):
            self.fail(key, f"expected a mapping of fields, got {describe(value)}")
            return None
        return value

    def sub(self, key: str) -> FieldReader | None:
        value = self.mapping(key)
        if value is None:
            return None
        return FieldReader(self.path, value, self.problems, f"{self.prefix}{key}.")

    def unknown(self, known: Iterable[str], *, why_error: str = "") -> None:
        """Warn about keys that are not in ``known`` (typos are otherwise silent).

        With ``why_error``, an unknown key is an error, for that reason: where a typo
        could publish what must not be (``consent.expire``)."""
        allowed = set(known)
        for key in self.fields:
            if key not in allowed:
                hint = difflib.get_close_matches(key, sorted(allowed), n=1)
                suggestion = f"; did you mean '{self.prefix}{hint[0]}'?" if hint else ""
                message = f"unknown field '{self.prefix}{key}'{suggestion}"
                if why_error:
                    self.problems.append(error(self.path, self.line(key), f"{message} ({why_error})"))
                else:
                    self.problems.append(warning(self.path, self.line(key), message))


def open_item(item: RawItem, known: Iterable[str]) -> tuple[FieldReader, list[Diagnostic], str]:
    """Start validating an item: its reader (unknown keys already warned about), the problem
    list, and its required title. The Markdown ``text`` is only reached here when it is not text."""
    problems: list[Diagnostic] = []
    read = FieldReader(item.path, item.fields, problems)
    read.unknown(known)
    if "text" in item.fields and item.path.lower().endswith(".md"):
        read.warn("text", "is not used in a .md file, whose text is the Markdown after the front matter; "
                          "move it there")
    elif "text" in item.fields:
        read.text("text")
    title = _LINE_BREAK.sub(" ", read.text("title", required=True))
    if (too_long := long_title(title)) is not None:
        read.warn("title", too_long)
    return read, problems, title


def media_entries(value: YamlList) -> Iterator[tuple[int, YamlMap | None]]:
    """Each entry of a media list as a mapping (a bare path is shorthand for ``{src: path}``),
    or ``None`` for an entry of neither form, with its line."""
    for index, entry in enumerate(value):
        line = value.line_of(index)
        if isinstance(entry, str):
            entry_map = YamlMap(line)
            entry_map["src"] = entry
            entry_map.key_lines["src"] = line
            entry = entry_map
        yield line, entry if isinstance(entry, YamlMap) else None


_SAFE_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")


def item_origin(item: RawItem) -> Origin:
    """Where an item was written: its file, first line and ``slug:``, ``date:`` and ``title:`` lines."""
    lines = item.fields.key_lines
    return Origin(item.path, item.line, lines.get("slug", 0), lines.get("date", 0), lines.get("title", 0))


def item_slug(item: RawItem, reader: FieldReader) -> str:
    """The item's slug: ``slug:`` when given, else from the file or bundle name."""
    if reader.has("slug"):
        reported = len(reader.problems)
        raw = reader.text("slug")
        if len(reader.problems) > reported:  # not text: said once, by the reader
            return ""
        if not raw:
            reader.fail("slug", f"{str(reader.fields['slug'])!r} is blank; use letters, digits and dashes")
            return ""
        if ".." in raw:
            reader.fail("slug", f"'{shortened(raw)}' would leave its folder; use letters, digits and dashes")
            return ""
        if "/" in raw or "\\" in raw:
            # (A slug is one part of the URL: /memories/<slug>/, never a folder below it.)
            reader.fail("slug", f"'{shortened(raw)}' is not one part of a URL (it has a '/' or a '\\'); "
                        "use letters, digits and dashes")
            return ""
        # Used whole, as written (made URL-safe): an editor's slug is a URL to keep.
        slug = slugify(raw, max_length=0)
        if not slug:
            reader.fail("slug", f"'{shortened(raw)}' gives an empty slug; use letters and digits")
        elif len(slug) > MAX_SLUG_CHARS:
            # A folder's name has at most 255 bytes: cut at a word, as a derived slug is.
            slug = slugify(raw, max_length=MAX_SLUG_CHARS)
            reader.warn("slug", f"gives a slug of more than {MAX_SLUG_CHARS} characters; it is cut to "
                                f"'{shortened(slug)}': give a shorter one")
        return slug
    if item.index is not None:
        title = reader.text("title")
        slug = slugify(title)
        if not slug and title.strip():
            # A title of emoji or signs only: the entry would have no page and no word said.
            reader.fail("title", f"'{shortened(title)}' gives an empty slug; give this entry a 'slug:'")
        return slug
    slug = slugify(item.source.default_slug_source)
    if not slug:
        reader.problems.append(error(item.path, 1, "the file name gives an empty slug; add 'slug:'"))
    return slug


def read_aliases(reader: FieldReader, own_url: str) -> tuple[Alias, ...]:
    """The item's ``aliases:`` (a site path, or a list of them), each normalised
    (:func:`storysite.routing.alias_url`) and at its own line; one that names no page of the site,
    or the item's own URL (``own_url``; empty when the item has none), is an error at its line."""
    value = reader.fields.get("aliases")
    if value is None:
        return ()
    if isinstance(value, str):
        entries = [(value, reader.line("aliases"))]
    elif isinstance(value, YamlList):
        entries = [(entry, value.line_of(index) or reader.line("aliases")) for index, entry in enumerate(value)]
    else:
        reader.fail("aliases", f"expected a site path or a list of them (such as [/memories/old-slug/]), "
                               f"got {describe(value)}")
        return ()
    found: list[Alias] = []
    for entry, line in entries:
        if not isinstance(entry, str):
            reader.problems.append(error(reader.path, line, f"{reader.prefix}aliases: expected a site path "
                                                            f"(such as /memories/old-slug/), got {describe(entry)}"))
            continue
        url, reason = alias_url(entry)
        if not url:
            reader.problems.append(error(reader.path, line, f"{reader.prefix}aliases: '{shortened(entry.strip())}' "
                                                            f"{reason}"))
        elif own_url and url.lower() == own_url.lower():
            reader.problems.append(error(reader.path, line, f"{reader.prefix}aliases: '{shortened(entry.strip())}' is "
                                                            "this item's own URL; list only the URLs it had before"))
        elif all(alias.url != url for alias in found):
            found.append(Alias(url, line))
    return tuple(found)


def resolve_media_path(src: str, source_path: str, site_dir: Path) -> tuple[str | None, str | None]:
    """A media path, relative to the file naming it (``/`` = site root) → site-relative path.

    Returns ``(path, None)`` or ``(None, reason)`` when it leaves the site or
    does not exist.
    """
    if "\x00" in src or re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", src) or src.startswith(("//", "\\\\")):
        return None, f"'{src}' is not a path inside the site"
    if src.startswith("/"):
        joined = src.lstrip("/")
    else:
        joined = posixpath.join(posixpath.dirname(source_path), src)
    normal = posixpath.normpath(joined)
    if normal.startswith("../") or normal == ".." or posixpath.isabs(normal):
        return None, f"'{src}' leaves the site folder"
    target = site_dir / normal
    if not is_inside(target, site_dir):
        return None, f"'{src}' leads outside the site folder (through a symbolic link)"
    if not target.is_file():
        near = _names_alike(target)
        if len(near) == 1 and unicodedata.normalize("NFC", near[0]) == unicodedata.normalize("NFC", target.name):
            # The same name, its accents written in the other Unicode form (macOS writes "é" as
            # "e" and a combining accent; a text typed elsewhere has "é"): macOS finds it either
            # way, so the photo is the one meant, and Linux CI must find it too.
            found = posixpath.join(posixpath.dirname(normal), near[0])
            if is_inside(site_dir / found, site_dir):
                return found, None
        if near:
            return None, (f"'{src}' was not found (looked for {normal}); the folder has '{near[0]}': names differ "
                          "by their capitals on the server, as on Linux")
        if target.is_dir():
            return None, f"'{src}' is a folder (looked for a file at {normal}); name one of its files"
        if "\\" in src:
            # Windows writes its paths with '\\': on the web (and here) folders are parted by '/'.
            return None, (f"'{src}' was not found (looked for {normal}); write '/' between folders, not '\\': "
                          f"'{src.replace(chr(92), '/')}'")
        return None, f"'{src}' was not found (looked for {normal})"
    return normal, None


def _names_alike(target: Path) -> list[str]:
    """The files beside ``target`` named alike but for capitals or the Unicode form of accents."""
    try:
        names = os.listdir(target.parent)
    except OSError:
        return []
    wanted = unicodedata.normalize("NFC", target.name).casefold()
    return sorted(name for name in names if unicodedata.normalize("NFC", name).casefold() == wanted
                  and (target.parent / name).is_file())


def read_media(reader: FieldReader, key: str, site_dir: Path) -> tuple[MediaRef, ...]:
    """Read a ``media:`` list of photos (``src``) and videos (``video``)."""
    value = reader.fields.get(key)
    if value is None:
        return ()
    if not isinstance(value, YamlList):
        reader.fail(key, f"expected a list of photos and videos, got {describe(value)}")
        return ()
    refs: list[MediaRef] = []
    for line, entry in media_entries(value):
        if entry is None:
            reader.problems.append(error(reader.path, line, f"{key}: each entry needs 'src' or 'video'"))
            continue
        ref = read_media_entry(FieldReader(reader.path, entry, reader.problems, f"{key}."), site_dir)
        if ref is not None:
            refs.append(ref)
    return tuple(refs)


def read_media_entry(entry: FieldReader, site_dir: Path) -> MediaRef | None:
    """One photo or video entry; ``None`` (with a diagnostic) when unusable."""
    origin = Origin(entry.path, entry.fields.line)
    entry.unknown(("src", "video", "alt", "caption", "credit", "title", "poster"))
    if entry.has("video") and entry.has("src"):
        entry.fail("src", "an entry is a photo (src) or a video (video), not both; make them two entries")
        return None
    if entry.has("video"):
        url = entry.text("video", path=True)
        poster = None
        if entry.has("poster"):
            poster, reason = resolve_media_path(entry.text("poster", path=True), entry.path, site_dir)
            if poster is None:
                entry.fail("poster", reason or "not found")
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") or url.startswith("//"):
            _, reason = parse_video_url(url)
            if reason is not None:
                entry.fail("video", reason)
                return None
            return MediaRef(origin, video=url, title=entry.text("title"), caption=entry.text("caption"),
                            credit=entry.text("credit"), poster=poster)
        path, reason = resolve_media_path(url, entry.path, site_dir)
        if path is None:
            entry.fail("video", reason or "not found")
            return None
        if posixpath.splitext(path.lower())[1] not in LOCAL_TYPES:
            entry.fail("video", f"'{url}' is not a video file (.mp4 or .webm)")
            return None
        return MediaRef(origin, video=path, title=entry.text("title"), caption=entry.text("caption"),
                        credit=entry.text("credit"), poster=poster, written=url)
    if not entry.has("src"):
        entry.problems.append(error(entry.path, origin.line, f"{entry.prefix.rstrip('.')}: each entry needs 'src' or 'video'"))
        return None
    src = entry.text("src", path=True)
    path, reason = resolve_media_path(src, entry.path, site_dir)
    if path is None:
        entry.fail("src", reason or "not found")
        return None
    alt = entry.text("alt")
    if not alt:
        entry.problems.append(warning(entry.path, origin.line, f"{entry.prefix}alt: missing for '{src}'; describe the photo for people who cannot see it"))
    return MediaRef(origin, src=path, alt=alt, caption=entry.text("caption"), credit=entry.text("credit"),
                    written=src)


def is_http_url(value: Any) -> bool:
    return isinstance(value, str) and urlsplit(value).scheme in ("http", "https")
