"""Knight Lab TimelineJS JSON → milestone files (``content/timeline/*.yaml``).

A pure function of the file's bytes: :func:`convert_timelinejs` returns the
milestone documents (a file name and its YAML text) and every problem found,
each at the line of the JSON file it concerns. Writing them is the command
line's job.

What is carried over, event by event: ``start_date`` (year, month, day) →
``date``; ``display_date`` → ``date_display``; ``text.headline`` → ``title``;
``text.text`` (HTML) → Markdown; ``group`` → a tag; ``unique_id`` → ``slug``;
a YouTube or Vimeo ``media.url`` → a video. TimelineJS text is HTML, and
HTML never passes as it is: paragraphs, line breaks, lists, emphasis and
http(s)/mailto links become Markdown, everything else becomes plain text
(scripts, styles and embeds are dropped). Remote images are not fetched:
they become a link in the text and a note at the top of the file, so an
editor can download them and list them under ``media:``. Eras become a
suggestion for ``timeline.eras`` in storysite.yaml.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from storysite.dates import PartialDate, parse_partial_date
from storysite.diagnostics import Diagnostic, error, warning
from storysite.markdown import link_scheme
from storysite.routing import slugify
from storysite.validate.fields import VIDEO_HOSTS
from storysite.yamlio import YamlList, YamlMap, decode_text, number_or_text


@dataclass(frozen=True, slots=True)
class MilestoneDocument:
    """One milestone file to write: its name in the output folder and its YAML text."""

    filename: str
    text: str
    title: str
    date: PartialDate


@dataclass(frozen=True, slots=True)
class SuggestedEra:
    name: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Conversion:
    """What a TimelineJS file gives: milestone documents, eras to suggest, problems."""

    documents: tuple[MilestoneDocument, ...] = ()
    eras: tuple[SuggestedEra, ...] = ()
    title: str = ""
    diagnostics: tuple[Diagnostic, ...] = ()
    fatal: bool = False
    """The file could not be read as TimelineJS at all: nothing may be written."""


def convert_timelinejs(data: bytes, source: str) -> Conversion:
    """Convert the bytes of a TimelineJS JSON file; ``source`` names it in messages."""
    problems: list[Diagnostic] = []
    text, problem = decode_text(data)
    if text is None or problem is not None:
        assert problem is not None
        return Conversion(diagnostics=(error(source, problem.line, problem.message),), fatal=True)
    root, reason, line = _load_located_json(text)
    if reason is not None:
        return Conversion(diagnostics=(error(source, line, reason),), fatal=True)
    if not isinstance(root, YamlMap):
        return Conversion(diagnostics=(error(source, 1, "expected a TimelineJS object with an 'events' list"),),
                          fatal=True)
    events = root.get("events")
    if "events" not in root:
        return Conversion(diagnostics=(error(source, root.line or 1,
                                             "no 'events' list: this is not a TimelineJS file"),), fatal=True)
    if not isinstance(events, YamlList):
        return Conversion(diagnostics=(error(source, root.line_of("events"), "'events' must be a list of events"),),
                          fatal=True)
    if not events:
        problems.append(warning(source, root.line_of("events"), "'events' is empty: no milestone to import"))

    documents: list[MilestoneDocument] = []
    names: set[str] = set()
    for index, event in enumerate(events):
        where = f"events[{index}]"
        line = events.line_of(index)
        if not isinstance(event, YamlMap):
            problems.append(error(source, line, f"{where}: expected an event object"))
            continue
        document = _convert_event(event, where, source, index, problems)
        if document is None:
            continue
        filename = document.filename
        number = 2
        while filename in names:
            filename = document.filename.removesuffix(".yaml") + f"-{number}.yaml"
            number += 1
        names.add(filename)
        documents.append(MilestoneDocument(filename, document.text, document.title, document.date))

    eras = _eras(root, source, problems)
    title = ""
    slide = root.get("title")
    if isinstance(slide, YamlMap) and isinstance(slide.get("text"), YamlMap):
        title = html_to_text(_str(slide["text"].get("headline")))
    return Conversion(tuple(documents), tuple(eras), title, tuple(problems))


def _str(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return ""
    return str(value)


def _date(raw: Any, where: str, source: str, line: int, problems: list[Diagnostic]) -> PartialDate | None:
    if not isinstance(raw, YamlMap):
        problems.append(error(source, line, f"{where}: no start_date {{year, month, day}}; the event is left out"))
        return None
    parts: list[str] = []
    for key, width in (("year", 4), ("month", 2), ("day", 2)):
        value = raw.get(key)
        text = _str(value).strip()
        if not text:
            break
        if not text.isdigit():
            problems.append(error(source, raw.line_of(key),
                                  f"{where}: start_date.{key} '{text}' is not a number; the event is left out"))
            return None
        parts.append(text.zfill(width))
    if not parts:
        problems.append(error(source, raw.line, f"{where}: start_date has no year; the event is left out"))
        return None
    date, reason = parse_partial_date("-".join(parts))
    if date is None:
        problems.append(error(source, raw.line, f"{where}: start_date: {reason}; the event is left out"))
    return date


def _convert_event(event: YamlMap, where: str, source: str, index: int,
                   problems: list[Diagnostic]) -> MilestoneDocument | None:
    line = event.line
    date = _date(event.get("start_date"), f"{where}", source, event.line_of("start_date"), problems)
    text_part = event.get("text")
    text_map = text_part if isinstance(text_part, YamlMap) else YamlMap(line)
    title = html_to_text(_str(text_map.get("headline")))
    if not title:
        problems.append(error(source, text_map.line_of("headline") if text_map.line else line,
                              f"{where}: no text.headline, and a milestone needs a title; the event is left out"))
    if date is None or not title:
        return None
    body = html_to_markdown(_str(text_map.get("text")))
    fields: dict[str, Any] = {"date": date.year if date.precision == "year" else date.iso(), "title": title}
    display = html_to_text(_str(event.get("display_date")))
    if display:
        fields["date_display"] = display
    unique = slugify(_str(event.get("unique_id")))
    if unique:
        fields["slug"] = unique
    group = html_to_text(_str(event.get("group")))
    if group:
        fields["tags"] = [group]
    notes = [f"Imported from {source.rsplit('/', 1)[-1]} (TimelineJS), {where}."]
    if isinstance(event.get("end_date"), YamlMap):
        problems.append(warning(source, event.line_of("end_date"),
                                f"{where}: end_date is not kept (a milestone has one date)"))
    media = event.get("media")
    if isinstance(media, YamlMap):
        url = _str(media.get("url")).strip()
        caption = html_to_text(_str(media.get("caption")))
        credit = html_to_text(_str(media.get("credit")))
        parts = urlsplit(url)
        if url and link_scheme(url) in ("http", "https") and parts.hostname in VIDEO_HOSTS:
            video: dict[str, Any] = {"video": url}
            if caption:
                video["caption"] = caption
            if credit:
                video["credit"] = credit
            fields["media"] = [video]
        elif url and link_scheme(url) in ("http", "https"):
            label = caption or "Media"
            body = (body + "\n\n" if body else "") + f"[{_escape_markdown(label)}]({_link_target(url)})" + (
                f" ({_escape_markdown(credit)})" if credit else "")
            notes.append(f"Remote media not fetched: {url}")
            notes.append("Download it beside this file and list it under media: to show it here.")
            problems.append(warning(source, media.line_of("url"),
                                    f"{where}: media {url} was not fetched; it is kept as a link in the text"))
        elif url:
            problems.append(warning(source, media.line_of("url"),
                                    f"{where}: media.url is neither an http(s) link nor a video; left out"))
    if body:
        fields["text"] = body
    slug = unique or slugify(title) or f"event-{index + 1}"
    filename = f"{date.iso()}-{slug}.yaml"
    header = "".join(f"# {note}\n" for note in notes)
    return MilestoneDocument(filename, header + _dump(fields), title, date)


def _eras(root: YamlMap, source: str, problems: list[Diagnostic]) -> list[SuggestedEra]:
    raw = root.get("eras")
    if not isinstance(raw, YamlList):
        return []
    eras: list[SuggestedEra] = []
    for index, era in enumerate(raw):
        if not isinstance(era, YamlMap):
            continue
        start = era.get("start_date")
        end = era.get("end_date")
        text = era.get("text")
        name = html_to_text(_str(text.get("headline"))) if isinstance(text, YamlMap) else ""
        first = _str(start.get("year")).strip() if isinstance(start, YamlMap) else ""
        last = _str(end.get("year")).strip() if isinstance(end, YamlMap) else ""
        # ASCII digits only: "²" is a digit to str.isdigit, and not a number to int().
        if not (name and first.isascii() and first.isdigit() and last.isascii() and last.isdigit()):
            problems.append(warning(source, raw.line_of(index),
                                    f"eras[{index}]: needs text.headline and start and end years; left out"))
            continue
        eras.append(SuggestedEra(name, int(first), int(last)))
    return eras


def write_milestones(documents: tuple[MilestoneDocument, ...], folder: Path) -> tuple[list[str], list[str]]:
    """Write each document into ``folder``; a file that exists is never replaced.

    Returns the names written and the names left as they were.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    kept: list[str] = []
    for document in documents:
        target = folder / document.filename
        try:
            with target.open("x", encoding="utf-8", newline="\n") as handle:
                handle.write(document.text)
        except FileExistsError:
            kept.append(document.filename)
            continue
        written.append(document.filename)
    return written, kept


# -- YAML output -----------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Block style, multi-line text as ``|`` literal blocks, short lists inline."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def _dump(fields: dict[str, Any]) -> str:
    return yaml.dump(fields, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100,
                     default_flow_style=None)


# -- HTML → Markdown ------------------------------------------------------------

_DROP = {"script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math", "video",
         "audio", "canvas", "select", "textarea", "button", "head", "title"}
_BLOCKS = {"p", "div", "section", "article", "header", "footer", "figure", "figcaption", "blockquote",
           "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "dl", "dt", "dd", "pre", "hr", "address"}
_VOID = {"br", "hr", "img", "input", "wbr", "meta", "link", "source", "track", "area", "col", "param", "base"}
# Characters markdown-it gives a meaning to inside a line; escaped so text stays text.
_OPEN = "\x00"  # marks an opening "**", "*" or "[" until the block is written (text cannot hold NUL)
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
_LINE_START = re.compile(r"^(\s*(?:\d+)?)([#>+=.)-])")


def _escape_markdown(text: str) -> str:
    return _INLINE_SPECIAL.sub(r"\\\1", text)


def _link_target(url: str) -> str:
    # Angle brackets allow spaces and parentheses in a link target; escape the brackets themselves.
    return "<" + url.replace("\\", "%5C").replace("<", "%3C").replace(">", "%3E").replace("\n", "") + ">"


class _MarkdownWriter(HTMLParser):
    """Collects Markdown blocks from HTML, keeping only a safe, small set of structure."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.inline: list[str] = []
        self.prefix = ""
        self.lists: list[list[Any]] = []  # [tag, next number]
        self.links: list[str | None] = []
        self.dropping = 0
        self.quote = 0

    def flush(self) -> None:
        text = "".join(self.inline).replace(_OPEN, "")
        self.inline = []
        # Collapse whitespace, but keep hard line breaks (written as "\\\n").
        lines = [" ".join(part.split()) for part in text.split("\\\n")]
        while lines and not lines[-1]:
            lines.pop()
        while lines and not lines[0]:
            lines.pop(0)
        if not lines:
            return
        lines = [_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), line) for line in lines]
        body = "\\\n".join(lines)
        indent = "  " * max(0, len(self.lists) - 1)
        block = indent + self.prefix + body
        if self.quote:
            block = "\n".join("> " + row for row in block.split("\n"))
        self.blocks.append(block)
        self.prefix = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP:
            if tag not in _VOID:
                self.dropping += 1
            return
        if self.dropping:
            return
        if tag in _BLOCKS:
            self.flush()
            if tag == "blockquote":
                self.quote += 1
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6", "dt"):
                self.inline.append(_OPEN + "**")
        elif tag == "br":
            self.inline.append("\\\n")
        elif tag in ("ul", "ol"):
            self.flush()
            self.lists.append([tag, 1])
        elif tag == "li":
            self.flush()
            if self.lists:
                kind = self.lists[-1]
                self.prefix = f"{kind[1]}. " if kind[0] == "ol" else "- "
                kind[1] += 1
            else:
                self.prefix = "- "
        elif tag in ("strong", "b"):
            self.inline.append(_OPEN + "**")
        elif tag in ("em", "i", "cite"):
            self.inline.append(_OPEN + "*")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            safe = href if link_scheme(href) in ("http", "https", "mailto") else None
            self.links.append(safe)
            if safe:
                self.inline.append(_OPEN + "[")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP:
            if tag not in _VOID:
                self.dropping = max(0, self.dropping - 1)
            return
        if self.dropping:
            return
        if tag in _BLOCKS:
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6", "dt"):
                self.close_marker("**")
            self.flush()
            if tag == "blockquote":
                self.quote = max(0, self.quote - 1)
        elif tag in ("ul", "ol"):
            self.flush()
            if self.lists:
                self.lists.pop()
        elif tag == "li":
            self.flush()
        elif tag in ("strong", "b"):
            self.close_marker("**")
        elif tag in ("em", "i", "cite"):
            self.close_marker("*")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href:
                self.inline.append(f"]({_link_target(href)})")

    def close_marker(self, marker: str) -> None:
        # CommonMark emphasis must hug its text: "<b> a </b>" gives " **a** ", and "<b></b>" nothing.
        if self.inline and self.inline[-1].strip() == _OPEN + marker:
            self.inline.pop()
            return
        if self.inline and self.inline[-1] != self.inline[-1].rstrip():
            self.inline[-1] = self.inline[-1].rstrip()
            self.inline.append(marker + " ")
            return
        self.inline.append(marker)

    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        if self.inline and self.inline[-1].startswith(_OPEN) and data[:1].isspace():
            self.inline[-1] = " " + self.inline[-1]
            data = data.lstrip()
        self.inline.append(_escape_markdown(data))

    def close(self) -> None:
        super().close()
        while self.links:
            if self.links.pop():
                self.inline.append("]")
        self.flush()


def html_to_markdown(html: str) -> str:
    """TimelineJS HTML → safe Markdown: structure kept, no raw HTML, text escaped."""
    writer = _MarkdownWriter()
    writer.feed(html)
    writer.close()
    return "\n\n".join(writer.blocks).strip()


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.dropping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP and tag not in _VOID:
            self.dropping += 1
        elif tag in _BLOCKS or tag == "br":
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP and tag not in _VOID:
            self.dropping = max(0, self.dropping - 1)

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """TimelineJS HTML (a headline, a caption) → one line of plain text."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return " ".join("".join(collector.parts).split())


# -- JSON with lines ---------------------------------------------------------------

_WS = re.compile(r"[ \t\n\r]*")


def _load_located_json(text: str) -> tuple[Any, str | None, int]:
    """Strict JSON, as :class:`YamlMap`/:class:`YamlList` that know their lines.

    Returns ``(value, None, 0)`` or ``(None, reason, line)``.
    """
    try:
        json.loads(text, parse_int=number_or_text)
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno
    except RecursionError:
        return None, "not readable: the JSON is nested too deeply", 1
    newlines = [i for i, c in enumerate(text) if c == "\n"]
    decoder = json.JSONDecoder(parse_int=number_or_text)

    def line_at(pos: int) -> int:
        return bisect.bisect_left(newlines, pos) + 1

    def value_at(pos: int) -> tuple[Any, int]:
        pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
        char = text[pos]
        if char == "{":
            mapping = YamlMap(line_at(pos))
            pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
            if text[pos] == "}":
                return mapping, pos + 1
            while True:
                pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
                key_line = line_at(pos)
                key, pos = decoder.raw_decode(text, pos)
                pos = _WS.match(text, pos).end() + 1  # type: ignore[union-attr]  # the ':'
                item, pos = value_at(pos)
                mapping[key] = item
                mapping.key_lines[key] = key_line
                pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
                if text[pos] == ",":
                    pos += 1
                    continue
                return mapping, pos + 1
        if char == "[":
            sequence = YamlList(line_at(pos))
            pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
            if text[pos] == "]":
                return sequence, pos + 1
            while True:
                pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
                sequence.item_lines.append(line_at(pos))
                item, pos = value_at(pos)
                sequence.append(item)
                pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
                if text[pos] == ",":
                    pos += 1
                    continue
                return sequence, pos + 1
        scalar, end = decoder.raw_decode(text, pos)
        return scalar, end

    try:
        value, _end = value_at(0)
    except RecursionError:
        return None, "not readable: the JSON is nested too deeply", 1
    return value, None, 0


__all__ = ["Conversion", "MilestoneDocument", "SuggestedEra", "convert_timelinejs", "html_to_markdown",
           "html_to_text", "write_milestones"]
