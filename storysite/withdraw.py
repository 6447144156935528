"""Honour a fan's withdrawal: find their memories and mark them withdrawn, in place.

The memory files are edited as text, so that the rest of the file (comments,
order, the editor's formatting) is left exactly as it was. A key's whole value
is replaced, continuation lines included, and the fan's private fields
(``author.name``, ``email``, ``phone``, ``consent.ref``, ``original``,
``notes``) are erased. Every edit is checked by parsing the edited text again:
an edit that would not give exactly the intended fields is refused, never
written.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storysite import load
from storysite.diagnostics import Diagnostic, error
from storysite.privatestore import normalised
from storysite.validate.fields import resolve_media_path
from storysite.validate.memory import validate_memory
from storysite.yamlio import YamlList, YamlMap

_KEY_LINE = re.compile(r"^(?P<indent>\s*(?:-\s+)?)(?P<key>[A-Za-z_]+)\s*:(?P<rest>.*)$")
# Private fields erased from the content file on withdrawal: (parent key or "", key).
PRIVATE_KEYS = (("author", "name"), ("author", "email"), ("author", "phone"), ("consent", "ref"),
                ("", "original"), ("", "notes"))


KEYS = {"slug": "that memory alone", "author.id": "every memory of that fan",
        "consent.ref": "the memories of that consent", "email": "every memory of the fan with that email"}
"""What an ID can name, and what withdrawing by it takes down: a memory by its slug, a fan by
``author.id`` or by email (the private store's records and ``author.email`` fields), a consent
by its ``consent.ref``."""


@dataclass(frozen=True, slots=True)
class Match:
    """A memory to withdraw: its file, slug and where its fields stand, and the keys that matched."""

    path: str
    slug: str
    item: load.RawItem
    keys: tuple[str, ...] = ()


def find_memories(site_dir: Path, max_bytes: int, ident: str, author_ids: set[str],
                  by: str | None = None) -> list[Match]:
    """Memories whose slug, ``author.id``, ``consent.ref`` or ``author.email`` is ``ident``
    (or whose ``author.id`` is in ``author_ids``, an email's fans in the private store), each
    with the keys (of :data:`KEYS`) it matched by; only by ``by`` when given. Empty fields
    never match."""
    ident = ident.strip()
    if not ident:
        return []
    email = normalised(ident) if "@" in ident else None
    sources, _ = load.discover(site_dir, max_bytes)
    found: list[Match] = []
    for source in sources:
        if source.kind != "memories":
            continue
        items, _ = load.parse(source)
        for item in items:
            memory, _ = validate_memory(item, site_dir)
            if memory is None:
                continue
            ref = memory.consent.ref if memory.consent else ""
            matched = {
                "slug": memory.slug == ident,
                "author.id": memory.author.id == ident,
                "consent.ref": ref == ident,
                "email": bool(memory.author.id and memory.author.id in author_ids) or bool(
                    email is not None and memory.author.email and normalised(memory.author.email) == email),
            }
            keys = tuple(key for key in KEYS if matched[key] and by in (None, key))
            if keys:
                found.append(Match(source.path, memory.slug, item, keys))
    return found


@dataclass(frozen=True, slots=True)
class Erasure:
    """Which private records a withdrawal erases: every record of the fans in ``fans``, and of
    the others only those of the withdrawn memories (``memories``: (author id, memory file);
    ``refs``: (author id, consent ref))."""

    fans: frozenset[str]
    memories: frozenset[tuple[str, str]] = frozenset()
    refs: frozenset[tuple[str, str]] = frozenset()

    def covers(self, record: dict[str, Any]) -> bool:
        """Whether this withdrawal erases ``record`` (a private store's submission record)."""
        author = str(record.get("author_id", ""))
        if author in self.fans:
            return True
        ref = f"c-{str(record.get('fingerprint', ''))[:10]}"
        return (author, str(record.get("memory", ""))) in self.memories or (author, ref) in self.refs


def _author_id(item: load.RawItem) -> str:
    author = item.fields.get("author")
    value = author.get("id") if isinstance(author, dict) else None
    return str(value) if value else ""


def _consent_ref(item: load.RawItem) -> str:
    consent = item.fields.get("consent")
    value = consent.get("ref") if isinstance(consent, dict) else None
    return str(value) if value else ""


def _withdrawn_already(item: load.RawItem) -> bool:
    return item.fields.get("status") == "withdrawn" or item.fields.get("withdrawn") is not None


def erasure(site_dir: Path, max_bytes: int, matches: list[Match], author_ids: set[str]) -> Erasure:
    """The private records a withdrawal of ``matches`` erases. A fan named by ``author.id`` or email
    (``author_ids``: an email's fans in the private store) loses every record. A memory named by its
    slug or consent ref is that memory alone: its fan's records go with it only when no other memory
    of theirs stays, since the others still need their consent evidence (and the fan's email, to be
    found when they ask to be forgotten in turn)."""
    fans = set(author_ids)
    fans.update(_author_id(m.item) for m in matches if {"author.id", "email"} & set(m.keys))
    withdrawn = {(m.path, m.item.index) for m in matches}
    memories: set[tuple[str, str]] = set()
    refs: set[tuple[str, str]] = set()
    for author in sorted({_author_id(m.item) for m in matches} - fans):
        if not author:
            continue
        others = [m for m in find_memories(site_dir, max_bytes, author, set(), "author.id")
                  if (m.path, m.item.index) not in withdrawn and not _withdrawn_already(m.item)]
        if not others:
            fans.add(author)
            continue
        for match in matches:
            if _author_id(match.item) == author:
                memories.add((author, match.path))
                if ref := _consent_ref(match.item):
                    refs.add((author, ref))
    fans.discard("")
    return Erasure(frozenset(fans), frozenset(memories), frozenset(refs))


def photos_left(site_dir: Path, matches: list[Match]) -> list[str]:
    """The files the withdrawn memories' ``media`` name (photos, posters, local videos) that are
    still in the site, sorted: the site no longer shows them, but git keeps them."""
    found: set[str] = set()
    for match in matches:
        media = match.item.fields.get("media")
        for entry in media if isinstance(media, YamlList) else ():
            if not isinstance(entry, YamlMap):
                continue
            for key in ("src", "poster", "video"):
                value = entry.get(key)
                if isinstance(value, str) and value:
                    path, _ = resolve_media_path(value, match.path, site_dir)
                    if path is not None:
                        found.add(path)
    return sorted(found)


def ambiguous(matches: list[Match]) -> bool:
    """Whether the ID names different sets of memories by different keys (the slug of one memory,
    the ``author.id`` of another fan's): then which was meant cannot be known."""
    by_key: dict[str, set[tuple[str, int | None]]] = {}
    for match in matches:
        for key in match.keys:
            by_key.setdefault(key, set()).add((match.path, match.item.index))
    return len({frozenset(memories) for memories in by_key.values()}) > 1


def _extent(lines: list[str], index: int, column: int) -> int:
    """The line after the value of the key on line ``index`` (its continuation lines are
    blank or indented deeper than ``column``, the key's own column). Trailing blank lines
    are not part of the value."""
    end = index + 1
    last = index + 1
    while end < len(lines):
        line = lines[end]
        if line.strip():
            if len(line) - len(line.lstrip(" \t")) <= column:
                break
            last = end + 1
        end += 1
    return last


def _flow(value: Any) -> str:
    """A value in YAML flow style (JSON is valid YAML), keys and text quoted."""
    return json.dumps(value, ensure_ascii=False)


def mark_withdrawn(text: str, item: load.RawItem, on: str) -> tuple[str | None, Diagnostic | None]:
    """``text`` with the item's ``status: withdrawn`` and ``withdrawn: <on>`` set and its
    private fields erased (pure); or a diagnostic when that cannot be done safely."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    fields = item.fields
    by_hand = "set 'status: withdrawn' and remove the fan's private fields by hand"
    if "title" not in fields.key_lines:
        return None, error(item.path, item.line, f"cannot find this memory's fields; {by_hand}")
    anchor = fields.key_lines["title"] - 1
    match = _KEY_LINE.match(lines[anchor]) if anchor < len(lines) else None
    if match is None or match["key"] != "title":
        return None, error(item.path, anchor + 1, "this memory is written in a form that cannot be edited "
                           f"automatically; {by_hand}")
    column = len(match["indent"])
    indent = " " * column
    # Edits as (first line, line after the last, replacement lines), on the original lines.
    edits: list[tuple[int, int, list[str]]] = []

    def key_span(key: str, mapping: YamlMap) -> tuple[int, int, re.Match[str]] | None:
        index = mapping.key_lines[key] - 1
        current = _KEY_LINE.match(lines[index]) if 0 <= index < len(lines) else None
        if current is None or current["key"] != key:
            return None
        return index, _extent(lines, index, len(current["indent"])), current

    for key, value in (("status", "withdrawn"), ("withdrawn", on)):
        if key not in fields.key_lines:
            continue
        span = key_span(key, fields)
        if span is None:
            return None, error(item.path, fields.key_lines[key], f"cannot edit '{key}' here; {by_hand}")
        start, end, current = span
        comment = re.search(r"\s+#.*$", current["rest"]) if end == start + 1 else None
        edits.append((start, end, [f"{current['indent']}{key}: {value}{comment.group(0) if comment else ''}"]))
    missing = [f"{indent}{key}: {value}" for key, value in (("status", "withdrawn"), ("withdrawn", on))
               if key not in fields.key_lines]
    if missing:
        title_end = _extent(lines, anchor, column)
        edits.append((title_end, title_end, missing))
    # The fan's private fields leave the file too.
    for parent in ("author", "consent"):
        sub = fields.get(parent)
        private = [k for p, k in PRIVATE_KEYS if p == parent]
        if not isinstance(sub, YamlMap) or not any(k in sub for k in private):
            continue
        spans = [key_span(k, sub) for k in private if k in sub]
        if all(span is not None for span in spans):
            edits.extend((start, end, []) for start, end, _ in (s for s in spans if s is not None))
            continue
        # A flow mapping (``author: {id: x, email: y}``): written again without the private keys.
        outer = key_span(parent, fields)
        if outer is None or outer[1] != outer[0] + 1:
            return None, error(item.path, fields.key_lines.get(parent, item.line),
                               f"cannot erase the private fields of '{parent}' here; {by_hand}")
        start, end, current = outer
        kept = {k: v for k, v in sub.items() if k not in private}
        edits.append((start, end, [f"{current['indent']}{parent}: {_flow(kept)}"]))
    for parent, key in PRIVATE_KEYS:
        if parent or key not in fields.key_lines:
            continue
        span = key_span(key, fields)
        if span is None:
            return None, error(item.path, fields.key_lines[key], f"cannot erase '{key}' here; {by_hand}")
        edits.append((span[0], span[1], []))
    edits.sort(key=lambda e: (e[0], e[1]))
    for (_, end, _), (start, _, _) in itertools.pairwise(edits):
        if start < end:
            return None, error(item.path, start + 1, f"cannot edit this memory safely; {by_hand}")
    for start, end, replacement in reversed(edits):
        lines[start:end] = replacement
    edited = newline.join(lines)
    problem = _verify(text, edited, item, on)
    if problem is not None:
        return None, error(item.path, item.line, f"{problem}; {by_hand}")
    return edited, None


def _plain(value: Any) -> Any:
    """A parsed value without line numbers, for comparisons."""
    if isinstance(value, YamlMap):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, YamlList):
        return [_plain(v) for v in value]
    return value


def _items(text: str, source: load.SourceFile) -> list[load.RawItem] | None:
    items, problems = load.parse(load.SourceFile(source.path, source.kind, text.encode("utf-8"), source.bundle))
    return None if problems else items


def _verify(before: str, after: str, item: load.RawItem, on: str) -> str | None:
    """Why ``after`` is not ``before`` with exactly this withdrawal made, or ``None``."""
    old = _items(before, item.source)
    new = _items(after, item.source)
    if old is None or new is None or len(old) != len(new):
        return "the edited file would not read back correctly"
    for was, now in zip(old, new, strict=True):
        if was.index != item.index:
            if _plain(was.fields) != _plain(now.fields) or was.body != now.body:
                return "the edit would change another memory of the file"
            continue
        expected = _plain(was.fields)
        expected["status"] = "withdrawn"
        expected["withdrawn"] = on
        for parent, key in PRIVATE_KEYS:
            holder = expected.get(parent) if parent else expected
            if isinstance(holder, dict):
                holder.pop(key, None)
        if _plain(now.fields) != expected or was.body != now.body:
            return "the edit would not give the intended fields"
    return None
