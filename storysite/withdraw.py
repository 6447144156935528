"""Honour a fan's withdrawal: find their memories and mark them withdrawn, in place.

The memory files are edited as text, one line at a time, so that the rest of
the file (comments, order, the editor's formatting) is left exactly as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from storysite import load
from storysite.diagnostics import Diagnostic, error
from storysite.validate.memory import validate_memory

_KEY_LINE = re.compile(r"^(?P<indent>\s*(?:-\s+)?)(?P<key>[A-Za-z_]+)\s*:(?P<rest>.*)$")


@dataclass(frozen=True, slots=True)
class Match:
    """A memory to withdraw: its file, slug and where its fields stand."""

    path: str
    slug: str
    item: load.RawItem


def find_memories(site_dir: Path, max_bytes: int, ident: str, author_ids: set[str]) -> list[Match]:
    """Memories whose slug, ``author.id`` or ``consent.ref`` is ``ident`` (or an id in ``author_ids``)."""
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
            if ident in (memory.slug, memory.author.id, ref) or memory.author.id in author_ids:
                found.append(Match(source.path, memory.slug, item))
    return found


def mark_withdrawn(text: str, item: load.RawItem, on: str) -> tuple[str | None, Diagnostic | None]:
    """``text`` with the item's ``status: withdrawn`` and ``withdrawn: <on>`` set (pure)."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    fields = item.fields
    if "title" not in fields.key_lines:
        return None, error(item.path, item.line, "cannot find this memory's fields; set 'status: withdrawn' by hand")
    anchor = fields.key_lines["title"] - 1
    match = _KEY_LINE.match(lines[anchor]) if anchor < len(lines) else None
    if match is None:
        return None, error(item.path, anchor + 1, "this memory is written in a form that cannot be edited "
                           "automatically; set 'status: withdrawn' by hand")
    indent = " " * len(match["indent"])
    edits: dict[str, str] = {"status": "withdrawn", "withdrawn": on}
    for key, value in edits.items():
        if key in fields.key_lines:
            index = fields.key_lines[key] - 1
            current = _KEY_LINE.match(lines[index])
            if current is None or current["key"] != key:
                return None, error(item.path, index + 1, f"cannot edit '{key}' here; set it by hand")
            comment = re.search(r"\s+#.*$", current["rest"])
            lines[index] = f"{current['indent']}{key}: {value}{comment.group(0) if comment else ''}"
    missing = [key for key in edits if key not in fields.key_lines]
    insert_at = anchor + 1
    for key in missing:
        lines.insert(insert_at, f"{indent}{key}: {edits[key]}")
        insert_at += 1
    return newline.join(lines), None
