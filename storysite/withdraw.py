"""Honour a fan's withdrawal: find their memories and mark them withdrawn, in place.

The memory files are edited as text, so that the rest of the file (comments,
order, the editor's formatting) is left exactly as it was. A key's whole value
is replaced, continuation lines included, and the fan's private fields
(``author.name``, ``email``, ``phone``, ``consent.ref``, ``original``,
``notes``) are erased. In a flow mapping (``{title: X, author: {id: y, email: z}}``) the
edit is made inside the braces, where the YAML parser's marks place each key and value.
Every edit is checked by parsing the edited text again:
an edit that would not give exactly the intended fields is refused, never
written.
"""

from __future__ import annotations

import bisect
import collections
import datetime as dt
import difflib
import itertools
import os
import re
import unicodedata
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from storysite import load, routing
from storysite.bodyimages import image_target, rendered_bodies
from storysite.config.schema import SiteConfig
from storysite.curate import publication_problem, publish
from storysite.diagnostics import Diagnostic, error
from storysite.markdown import IMAGE_BLOCK
from storysite.model import MediaRef, Memory
from storysite.privatestore import normalised
from storysite.routing import slugify
from storysite.validate import validate_content
from storysite.validate.fields import resolve_media_path
from storysite.validate.memory import validate_memory
from storysite.yamlio import YamlList, YamlMap

# (A key may be quoted, ``"status": approved``: YAML reads it as the same key.)
_KEY_LINE = re.compile(r"""^(?P<indent>\s*(?:-\s+)?)(?P<quote>["']?)(?P<key>[A-Za-z_]+)(?P=quote)\s*:(?P<rest>.*)$""")
# Private fields erased from the content file on withdrawal: (parent key or "", key).
PRIVATE_KEYS = (("author", "name"), ("author", "email"), ("author", "phone"), ("consent", "ref"),
                ("", "original"), ("", "notes"))


_PAGE = re.compile(r"(?:https?://[^/?#]+)?(?:/[^?#]*)?/memories/(?P<slug>[^/?#]+)/?(?:index\.html)?(?:[?#].*)?")

def _alias_named(ident: str, base_path: str) -> str | None:
    """The site path a URL or path names, normalised and in lower case as aliases are compared
    (its query and fragment left out), or None for neither. ``base_path`` (that of ``base_url``)
    starts a whole URL's path, and may start a path's."""
    parts = urlsplit(ident)
    whole = parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
    if not whole and not (ident.startswith("/") and not ident.startswith("//")):
        return None
    path = parts.path or "/"
    if (path + "/").startswith(base_path):
        path = "/" + path[len(base_path):]
    elif whole:
        return None  # another site's address, or this host's outside the site
    alias, _ = routing.alias_url(path)
    return alias.lower() or None


KEYS = {"slug": "that memory alone", "author.id": "every memory of that fan",
        "consent.ref": "the memories of that consent", "email": "every memory of the fan with that email"}
"""What an ID can name, and what withdrawing by it takes down: a memory by its slug (or its page's
URL, as a fan sends it, or one of its ``aliases:``), a fan by ``author.id`` or by email (the private store's records and
``author.email`` fields), a consent by its ``consent.ref``."""


@dataclass(frozen=True, slots=True)
class Match:
    """A memory to withdraw: its file, slug and where its fields stand, and the keys that matched."""

    path: str
    slug: str
    item: load.RawItem
    keys: tuple[str, ...] = ()


def _memories(site_dir: Path, max_bytes: int) -> Iterator[tuple[load.RawItem, Memory]]:
    """Every memory of the content tree that validates, with its raw item."""
    sources, _ = load.discover(site_dir, max_bytes)
    for source in sources:
        if source.kind != "memories":
            continue
        items, _ = load.parse(source)
        for item in items:
            memory, _ = validate_memory(item, site_dir)
            if memory is not None:
                yield item, memory


def find_memories(site_dir: Path, max_bytes: int, ident: str, author_ids: set[str],
                  by: str | None = None, base_path: str = "/") -> list[Match]:
    """Memories whose slug, ``author.id``, ``consent.ref`` or ``author.email`` is ``ident``
    (or whose ``author.id`` is in ``author_ids``, an email's fans in the private store), each
    with the keys (of :data:`KEYS`) it matched by; only by ``by`` when given. Empty fields
    never match, and nothing matches but exactly (see :func:`close_matches`)."""
    ident = ident.strip()
    if not ident:
        return []
    email = normalised(ident) if "@" in ident else None
    page = _PAGE.fullmatch(ident)  # the memory's page, as a fan sends it: https://example.org/memories/<slug>/
    # Or the URL it had before a rename, still shared (one of its aliases); ``base_path``: that of base_url.
    alias = _alias_named(ident, base_path)
    found: list[Match] = []
    for item, memory in _memories(site_dir, max_bytes):
        ref = memory.consent.ref if memory.consent else ""
        matched = {
            "slug": memory.slug == ident or (page is not None and memory.slug == page["slug"]) or (
                alias is not None and any(a.url.lower() == alias for a in memory.aliases)),
            "author.id": memory.author.id == ident,
            "consent.ref": ref == ident,
            "email": bool(memory.author.id and memory.author.id in author_ids) or bool(
                email is not None and memory.author.email and normalised(memory.author.email) == email),
        }
        keys = tuple(key for key in KEYS if matched[key] and by in (None, key))
        if keys:
            found.append(Match(item.path, memory.slug, item, keys))
    return found


@dataclass(frozen=True, slots=True)
class Near:
    """A memory whose slug, ``author.id`` or ``consent.ref`` is close to an ID that matched nothing."""

    path: str
    line: int
    key: str
    value: str
    same: bool
    """The same but for capitals, accents or spelling as a slug (``Fan-7`` for ``fan-7``,
    ``ete-86`` for ``Été-86``); else only alike (``fan-8`` for ``fan-7``)."""


CLOSE_CUTOFF = 0.8
"""How alike (difflib's ratio) an ID and a memory's key must be to be suggested."""


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


def close_matches(site_dir: Path, max_bytes: int, ident: str, by: str | None = None, limit: int = 5
                  ) -> list[Near]:
    """The memories an ID that matched nothing may have meant, by slug, ``author.id`` or
    ``consent.ref`` (only ``by`` when given), for the editor to check: those equal but for
    capitals or accents (a slug: once made a slug, as a title or ``Été-86`` is) first, then
    those alike. Never acted on: a fan's id differs from another's by one character, and a
    withdrawal erases personal data for good."""
    ident = ident.strip()
    page = _PAGE.fullmatch(ident)
    wanted = {"slug": slugify(page["slug"] if page else ident, max_length=0), "author.id": _folded(ident),
              "consent.ref": _folded(ident)}
    same: list[Near] = []
    values: dict[tuple[str, str], list[Near]] = {}
    for item, memory in _memories(site_dir, max_bytes):
        keys = {"slug": memory.slug, "author.id": memory.author.id,
                "consent.ref": memory.consent.ref if memory.consent else ""}
        for key, value in keys.items():
            if not value or by not in (None, key):
                continue
            compared = value if key == "slug" else _folded(value)
            if wanted[key] and compared == wanted[key]:
                same.append(Near(item.path, item.line, key, value, True))
            else:
                values.setdefault((key, compared), []).append(Near(item.path, item.line, key, value, False))
    alike: list[Near] = []
    for key in KEYS:
        candidates = sorted(compared for k, compared in values if k == key)
        for close in difflib.get_close_matches(wanted.get(key, ""), candidates, n=limit, cutoff=CLOSE_CUTOFF):
            alike.extend(values[(key, close)])
    return (same + alike)[:limit]


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


def withdrawn_already(item: load.RawItem) -> bool:
    """Whether the memory's file says it is withdrawn already (so that it is not published)."""
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
                  if (m.path, m.item.index) not in withdrawn and not withdrawn_already(m.item)]
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
    """The files the withdrawn memories' ``media`` name (photos, posters, local videos), and those
    of their bundle folders, that are still in the site, sorted: the site no longer shows them, but
    git keeps them."""
    found: set[str] = set()
    for match in matches:
        if match.item.source.bundle:
            # A bundle's folder is the fan's, whether its media names a file or not: the build
            # leaves every file of it out (see curate.withheld_media).
            folder = (site_dir / match.path).parent
            found.update(p.relative_to(site_dir).as_posix() for p in sorted(folder.rglob("*"))
                         if p.is_file() and p.name.lower() not in ("index.md", "index.yaml", "index.yml"))
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


def photo_users(site_dir: Path, config: SiteConfig, today: dt.date, matches: list[Match], photos: list[str]
                ) -> dict[str, list[str]]:
    """Of ``photos`` (see :func:`photos_left`), those other items still name, each with where
    (``path:line``, sorted): a published memory, a gallery, a milestone, a campaign's hero or an
    editor's Markdown. The site leaves such a photo out there too while its memory is
    withdrawn, but deleting the file would fail the build (a photo that is not found is an
    error there), so the editor is told to keep it, or to take it out of those files first.
    (An unpublished memory's missing photo is only a note: it does not count.)"""
    if not photos:
        return {}
    sources, _ = load.discover(site_dir, config.limits.max_file_bytes)
    content, _ = validate_content((item for source in sources for item in load.parse(source)[0]), site_dir)
    withdrawn = {(m.path, m.item.line) for m in matches}
    refs: list[MediaRef] = [r for m in content.memories if (m.origin.path, m.origin.line) not in withdrawn
                            and publication_problem(m, today) is None for r in m.media]
    refs += [r for g in content.galleries for r in g.images] + [r for m in content.milestones for r in m.media]
    refs += [c.hero for c in content.campaigns if c.hero is not None]
    named = [(path, r.origin.path, r.origin.line) for r in refs for path in (r.src, r.video, r.poster) if path]
    site, _ = publish(content, config, today)
    for path, rendered in rendered_bodies(site):
        for block in rendered.blocks:
            if block.name == IMAGE_BLOCK and (target := image_target(block, path, site_dir)[0]) is not None:
                named.append((target, path, block.line))
    # By the file too: a symbolic link to the photo dies with it.
    wanted = {os.path.realpath(site_dir / photo): photo for photo in photos}
    users: dict[str, set[tuple[str, int]]] = {}
    for target, path, line in named:
        photo = target if target in photos else wanted.get(os.path.realpath(site_dir / target))
        if photo is not None:
            users.setdefault(photo, set()).add((path, line))
    return {photo: [f"{path}:{line}" for path, line in sorted(where)] for photo, where in sorted(users.items())}


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


def _item_node(text: str, lines: list[str], starts: list[int], item: load.RawItem
               ) -> yaml.MappingNode | None:
    """The YAML node of the item's fields in ``text`` (its file's whole text), with marks that count
    from the start of ``text``; ``None`` when it cannot be found."""
    begin, end = 0, len(text)
    if item.path.lower().endswith(".md"):
        # The front matter, found as load.parse finds it (:func:`storysite.yamlio.split_front_matter`).
        close = next((i for i in range(1, len(lines)) if re.fullmatch(r"(?:---|\.\.\.)[ \t]*", lines[i])), None)
        if not lines or not re.fullmatch(r"---[ \t]*", lines[0]) or close is None:
            return None
        begin, end = starts[1], starts[close]
    try:
        # The pure-Python composer: its marks count characters of the text (libyaml's may not).
        root = yaml.compose(text[begin:end], Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return None
    node = root
    if item.index is not None:
        if not isinstance(root, yaml.SequenceNode) or item.index >= len(root.value):
            return None
        node = root.value[item.index]
    if not isinstance(node, yaml.MappingNode):
        return None
    # (Nodes may share a mark: each is moved once.)
    marks = {id(mark): mark for child in _walk(node) for mark in (child.start_mark, child.end_mark)}
    for mark in marks.values():
        mark.index += begin
    return node


def _walk(node: yaml.Node) -> list[yaml.Node]:
    """``node`` and every node inside it."""
    found = [node]
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            found += _walk(key) + _walk(value)
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            found += _walk(child)
    return found


def _pair(mapping: yaml.MappingNode, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    return next(((k, v) for k, v in mapping.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)


Change = tuple[int, int, str]
"""A character edit of a file's text: (first character, character after the last, replacement)."""


def _without_pairs(mapping: yaml.MappingNode, keys: Collection[str]) -> list[Change]:
    """The edits that take the pairs of ``keys`` out of a flow mapping (``{id: x, email: y}``), each
    with its comma, leaving the others as written."""
    pairs = mapping.value
    gone = [i for i, (key, _) in enumerate(pairs) if isinstance(key, yaml.ScalarNode) and key.value in keys]
    kept = [i for i in range(len(pairs)) if i not in gone]
    if not gone:
        return []
    if not kept:
        return [(pairs[0][0].start_mark.index, pairs[-1][1].end_mark.index, "")]
    last = kept[-1]
    # A pair before the last kept one goes up to the next key; those after it, from its value on.
    changes = [(pairs[i][0].start_mark.index, pairs[i + 1][0].start_mark.index, "") for i in gone if i < last]
    if gone[-1] > last:
        changes.append((pairs[last][1].end_mark.index, pairs[-1][1].end_mark.index, ""))
    return changes


def _line_edit(lines: list[str], starts: list[int], newline: str, changes: list[Change]
               ) -> tuple[int, int, list[str]]:
    """The character edits ``changes`` (sorted, none overlapping) as one edit of whole lines."""
    first = bisect.bisect_right(starts, changes[0][0]) - 1
    last = max(bisect.bisect_right(starts, max(end for _, end, _ in changes) - 1), first + 1)
    origin = starts[first]
    segment = newline.join(lines[first:last])
    for start, end, new in reversed(changes):
        segment = segment[: start - origin] + new + segment[end - origin:]
    return first, last, segment.split(newline)


def _overlap(changes: list[Change]) -> bool:
    return any(start < end for (_, end, _), (start, _, _) in itertools.pairwise(changes))


def _flow_item_changes(node: yaml.MappingNode, on: str) -> list[Change]:
    """The character edits that withdraw a memory written as one flow mapping (``- {title: X, …}``)."""
    changes: list[Change] = []
    missing: list[str] = []
    for key, value in (("status", "withdrawn"), ("withdrawn", on)):
        pair = _pair(node, key)
        if pair is None:
            missing.append(f"{key}: {value}")
        else:
            changes.append((pair[1].start_mark.index, pair[1].end_mark.index, value))
    if missing:
        after = _pair(node, "status") or _pair(node, "title") or node.value[0]
        changes.append((after[1].end_mark.index, after[1].end_mark.index, "".join(f", {m}" for m in missing)))
    for parent in ("author", "consent"):
        pair = _pair(node, parent)
        if pair is not None and isinstance(pair[1], yaml.MappingNode):
            changes += _without_pairs(pair[1], [k for p, k in PRIVATE_KEYS if p == parent])
    changes += _without_pairs(node, [k for p, k in PRIVATE_KEYS if not p])
    return sorted(changes, key=lambda c: (c[0], c[1]))


def mark_withdrawn(text: str, item: load.RawItem, on: str) -> tuple[str | None, Diagnostic | None]:
    """``text`` with the item's ``status: withdrawn`` and ``withdrawn: <on>`` set and its
    private fields erased (pure); or a diagnostic when that cannot be done safely."""
    # (Lines may end as on Windows, or as on classic Mac OS: a lone CR, which the build reads too.
    # A file whose lines end in several ways, pasted together from several editors, is edited
    # with the way most of its lines end, as the build reads any of them.)
    endings = collections.Counter(re.findall(r"\r\n|\r|\n", text))
    newline = max(("\n", "\r\n", "\r"), key=lambda ending: endings[ending])
    if len(endings) > 1:
        text = re.sub(r"\r\n|\r|\n", lambda _: newline, text)
    lines = text.split(newline)
    starts = list(itertools.accumulate((len(line) + len(newline) for line in lines[:-1]), initial=0))
    fields = item.fields
    by_hand = "set 'status: withdrawn' and remove the fan's private fields by hand"
    if "title" not in fields.key_lines:
        return None, error(item.path, item.line, f"cannot find this memory's fields; {by_hand}")
    anchor = fields.key_lines["title"] - 1
    match = _KEY_LINE.match(lines[anchor]) if anchor < len(lines) else None
    if match is None or match["key"] != "title":
        # A memory written as one flow mapping (``- {title: X, status: approved, …}``) is edited
        # inside its braces, the rest of the file left as it was.
        node = _item_node(text, lines, starts, item)
        changes = _flow_item_changes(node, on) if node is not None and node.flow_style else []
        if not changes or _overlap(changes):
            return None, error(item.path, anchor + 1, "this memory is written in a form that cannot be edited "
                               f"automatically; {by_hand}")
        return _checked(text, [_line_edit(lines, starts, newline, changes)], newline, item, on, by_hand)
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
        outer = key_span(parent, fields)
        # (The lines of a flow mapping may start with a key too: ``author: {id: x,⏎  email: y}``.)
        flow = outer is not None and (outer[2]["rest"] + "".join(lines[outer[0] + 1:outer[1]])).lstrip()[:1] == "{"
        spans = [key_span(k, sub) for k in private if k in sub]
        if not flow and all(span is not None for span in spans):
            edits.extend((start, end, []) for start, end, _ in (s for s in spans if s is not None))
            continue
        # A flow mapping (``author: {id: x, email: y}``): the private pairs are taken out of it.
        node = _item_node(text, lines, starts, item)
        pair = _pair(node, parent) if node is not None else None
        changes = _without_pairs(pair[1], private) if pair is not None and isinstance(pair[1], yaml.MappingNode) \
            else []
        if not changes or _overlap(changes):
            return None, error(item.path, fields.key_lines.get(parent, item.line),
                               f"cannot erase the private fields of '{parent}' here; {by_hand}")
        edits.append(_line_edit(lines, starts, newline, changes))
    for parent, key in PRIVATE_KEYS:
        if parent or key not in fields.key_lines:
            continue
        span = key_span(key, fields)
        if span is None:
            return None, error(item.path, fields.key_lines[key], f"cannot erase '{key}' here; {by_hand}")
        edits.append((span[0], span[1], []))
    return _checked(text, edits, newline, item, on, by_hand)


def _checked(text: str, edits: list[tuple[int, int, list[str]]], newline: str, item: load.RawItem, on: str,
             by_hand: str) -> tuple[str | None, Diagnostic | None]:
    """``text`` with ``edits`` (first line, line after the last, replacement lines) made, once the
    edited text is read back as ``text`` with exactly this withdrawal made; else a diagnostic."""
    edits = sorted(edits, key=lambda e: (e[0], e[1]))
    for (_, end, _), (start, _, _) in itertools.pairwise(edits):
        if start < end:
            return None, error(item.path, start + 1, f"cannot edit this memory safely; {by_hand}")
    lines = text.split(newline)
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
