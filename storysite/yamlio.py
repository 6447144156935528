"""YAML that keeps line numbers and refuses YAML's traps.

PyYAML's default constructors follow YAML 1.1, where ``yes`` is a boolean and
``012345`` an octal number; they keep the last of two duplicate keys and
expand aliases without limit. Editors deserve better, so we only *compose*
the document with PyYAML (the libyaml C parser when present), then build the
values ourselves from the node tree:

- plain scalars resolve by YAML 1.2's core schema, restricted further:
  ``true``/``false`` are booleans, decimal numbers without a leading zero are
  numbers, and everything else (``yes``, ``NO``, ``012345``, ``1986-07-14``)
  stays a string for the validators to judge;
- a duplicate key, an alias, a merge key or any non-standard tag (such as
  ``!!python/object``) is an error with its line;
- mappings and sequences remember the line of each key and item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

# libyaml's parser is many times faster; fall back when PyYAML was built without it.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {
    _CORE + name for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_FLOAT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)?\.[0-9]+(?:[eE][-+]?[0-9]+)?\Z")
_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}


class YamlMap(dict[str, Any]):
    """A mapping that remembers where it and each of its keys stand (1-based lines)."""

    line: int
    key_lines: dict[str, int]
    text_lines: dict[str, int]
    """Where a text value's own first line is, when not on its key's line (a block, ``|`` or
    ``>``, starts on the next line)."""

    def __init__(self, line: int = 0) -> None:
        super().__init__()
        self.line = line
        self.key_lines = {}
        self.text_lines = {}

    def line_of(self, key: str) -> int:
        """The line of ``key``, or of the mapping itself when the key is absent."""
        return self.key_lines.get(key, self.line)

    def text_line_of(self, key: str) -> int:
        """The line where the text of ``key`` starts (where Markdown in it counts its lines from)."""
        return self.text_lines.get(key, self.line_of(key))


class YamlList(list[Any]):
    """A sequence that remembers where it and each of its items stand."""

    line: int
    item_lines: list[int]

    def __init__(self, line: int = 0) -> None:
        super().__init__()
        self.line = line
        self.item_lines = []

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


@dataclass(frozen=True, slots=True)
class YamlProblem:
    """Why a YAML text could not be read, and where (1-based line)."""

    line: int
    message: str


class _Refused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def load_yaml(text: str, first_line: int = 1) -> tuple[Any, YamlProblem | None]:
    """Parse one YAML document; lines are counted from ``first_line``.

    Returns ``(value, None)`` or ``(None, problem)``. An empty document is
    ``None``.
    """
    value, problems = load_yaml_reporting(text, first_line)
    return (None, problems[0]) if problems else (value, None)


def load_yaml_reporting(text: str, first_line: int = 1) -> tuple[Any, list[YamlProblem]]:
    """Like :func:`load_yaml`, but a duplicate key does not stop the reading: every one is
    a problem (the first value is kept), and the value is returned with them, so that the
    rest of the document can be checked too. Any other problem is returned alone, with
    ``None``."""
    offset = first_line - 1
    lines = _LineMap(text)
    deep = _too_deep(text)
    if deep is not None:
        return None, [YamlProblem(lines(deep - 1) + 1 + offset,
                                  f"invalid YAML: nested more than {MAX_DEPTH} levels deep")]
    try:
        node = yaml.compose(text, Loader=_Loader)
    except RecursionError:
        return None, [YamlProblem(first_line, "invalid YAML: nested too deeply")]
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(exc, text, offset, first_line, lines)]
    except yaml.reader.ReaderError as exc:
        # The reader stops at the first character it refuses: found in the text itself, since
        # libyaml counts its position in bytes of UTF-8 (each accent before it would shift it).
        found = text.find(chr(exc.character)) if isinstance(exc.character, int) else -1
        before = text[:found] if found >= 0 else text.encode("utf-8")[:max(0, exc.position)].decode("utf-8", "ignore")
        line = before.count("\n") + first_line
        column = len(before) - (before.rfind("\n") + 1) + 1
        return None, [YamlProblem(line, f"invalid YAML: character U+{exc.character:04X} cannot be in a YAML text "
                                        f"(column {column}); remove it" if isinstance(exc.character, int)
                                  else f"invalid YAML: {exc.reason} (column {column})")]
    except yaml.YAMLError as exc:
        return None, [YamlProblem(first_line, "invalid YAML: " + " ".join(str(exc).split()))]
    if node is None:
        return None, []
    builder = _Builder(offset, lines)
    try:
        return builder.build(node), builder.duplicates
    except _Refused as refused:
        return None, [YamlProblem(refused.line, refused.message)]
    except RecursionError:
        return None, [YamlProblem(first_line, "invalid YAML: nested too deeply")]


_TABS = "indent with spaces, not tabs"
# What libyaml says, and what an editor is to do about it.
_ADVICE = (
    ("tab", _TABS),
    ("mapping values are not allowed", "a value holding ': ' must be put in quotes, and a key must line up "
                                       "with the keys above it"),
    ("did not find expected key", "check this line's indentation against the lines above"),
    ("expected <block end>", "check this line's indentation against the lines above"),
    ("did not find expected '-' indicator", "list items ('- ') and keys cannot be mixed at one indentation"),
    ("unknown escape", "in double quotes a backslash starts an escape: write \\\\ or use single quotes"),
)
# Something opened on one line and never closed: the editor's mistake is where it opened.
_OPENED = {
    "while scanning a quoted scalar": "the quote opened here",
    "while parsing a flow sequence": "the list opened by '[' here",
    "while parsing a flow mapping": "the mapping opened by '{' here",
}


class _LineMap:
    """libyaml's 0-based line numbers as an editor counts them.

    libyaml follows YAML 1.1, where NEL (U+0085), LINE SEPARATOR (U+2028) and PARAGRAPH
    SEPARATOR (U+2029) end a line too; editors break lines at line feeds only (``decode_text``
    has made every line ending one), so each such character in a text, pasted with a fan's
    words into a quoted title say, would shift every line below it by one."""

    _BREAKS = re.compile("[\n\x85\u2028\u2029]")

    def __init__(self, text: str) -> None:
        self.editor: list[int] | None = None
        if any(char in text for char in "\x85\u2028\u2029"):
            editor = [0]
            for match in self._BREAKS.finditer(text):
                editor.append(editor[-1] + (match.group() == "\n"))
            self.editor = editor

    def __call__(self, line: int) -> int:
        if self.editor is None or line < 0:
            return line
        return self.editor[min(line, len(self.editor) - 1)]


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, offset: int, first_line: int,
                    lines: _LineMap | None = None) -> YamlProblem:
    """A YAML syntax error where the editor will look for it, with what to do about it."""
    problem = exc.problem or exc.context or "cannot be read"
    lines = lines or _LineMap(text)
    mark, start = (None if found is None else _Mark(lines(found.line), found.column)
                   for found in (exc.problem_mark, exc.context_mark))
    opened = _OPENED.get(exc.context or "")
    if opened and start is not None and mark is not None and "escape" not in problem:
        opened = f"invalid YAML: {opened} (column {start.column + 1})"
        if "end of stream" in problem:
            return YamlProblem(start.line + 1 + offset, f"{opened} is never closed")
        where = f"line {mark.line + 1 + offset}" if mark.line != start.line else f"column {mark.column + 1}"
        closing = "the closing quote" if "quote" in opened else "the closing bracket"
        return YamlProblem(start.line + 1 + offset, f"{opened} is not closed: {problem} at {where}; check {closing}")
    mark = mark or start
    line = (mark.line + 1 + offset) if mark is not None else first_line
    column = f" (column {mark.column + 1})" if mark is not None else ""
    advice = next((f"; {words}" for needle, words in _ADVICE if needle in problem), "")
    if not advice and mark is not None and _char_at(text, mark.line, mark.column) == "\t":
        advice = f"; {_TABS}"  # libyaml names no character here
    return YamlProblem(line, f"invalid YAML: {problem}{column}{advice}")


@dataclass(frozen=True, slots=True)
class _Mark:
    line: int
    column: int


def _char_at(text: str, line: int, column: int) -> str:
    """The character at a 0-based line and column of ``text`` ("" when there is none)."""
    lines = text.split("\n")
    return lines[line][column] if 0 <= line < len(lines) and 0 <= column < len(lines[line]) else ""


MAX_DEPTH = 100
"""Deepest nesting of lists and mappings accepted. libyaml's composer recurses without
limit and crashes the whole process (a segmentation fault) on a document nested some
thousands of levels deep, which a small file can be: it is refused before composing."""

# Every list or mapping needs one of these characters (``- ``, ``key:``, ``? ``, ``[``, ``{``),
# so a text with few of them cannot nest deeply and needs no scan.
_INDICATORS = ("-", ":", "?", "[", "{")
_OPENS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSES = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _too_deep(text: str) -> int | None:
    """The 0-based line where ``text`` first nests deeper than :data:`MAX_DEPTH`, else ``None``.

    libyaml's parser keeps its own stack (it does not recurse), so its event stream can be
    walked at any depth; it is only walked when the text could nest that deep at all.
    """
    if sum(text.count(c) for c in _INDICATORS) <= MAX_DEPTH:
        return None
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, _OPENS):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    return int(mark.line) + 1 if mark is not None else 1
            elif isinstance(event, _CLOSES):
                depth -= 1
    except yaml.YAMLError as exc:
        if "nesting depth" in str(exc):
            # libyaml from 0.2.6 (PyYAML 6.0.4) stops at 1,000 levels itself, and may do so while
            # reading ahead, before the events reach this depth: deeper than this still.
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            return int(mark.line) + 1 if mark is not None else 1
        return None  # composing reports it, after no more than MAX_DEPTH levels
    return None


class _Builder:
    def __init__(self, offset: int, lines: _LineMap | None = None) -> None:
        self.offset = offset
        self.lines = lines or _LineMap("")
        self.seen: set[int] = set()
        self.depth = 0
        self.duplicates: list[YamlProblem] = []

    def line(self, node: yaml.Node) -> int:
        return self.lines(int(node.start_mark.line)) + 1 + self.offset

    def build(self, node: yaml.Node) -> Any:
        # The composer hands back the very same node object for an alias, so a
        # second visit means the document used one.
        if id(node) in self.seen:
            raise _Refused(self.line(node), "YAML aliases (*name) are not allowed; repeat the value")
        self.seen.add(id(node))
        tag = node.tag or ""
        if tag not in _ALLOWED_TAGS and not (
            isinstance(node, yaml.ScalarNode) and tag == _CORE + "merge"
        ):
            shown = tag.replace(_CORE, "!!")
            raise _Refused(self.line(node), f"YAML tag {shown} is not allowed")
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            if self.depth >= MAX_DEPTH:
                raise _Refused(self.line(node), f"invalid YAML: nested too deeply (more than {MAX_DEPTH} levels)")
            self.depth += 1
            try:
                return self.mapping(node) if isinstance(node, yaml.MappingNode) else self.sequence(node)
            finally:
                self.depth -= 1
        assert isinstance(node, yaml.ScalarNode)
        return self.scalar(node)

    def sequence(self, node: yaml.SequenceNode) -> YamlList:
        result = YamlList(self.line(node))
        for item in node.value:
            result.append(self.build(item))
            result.item_lines.append(self.line(item))
        return result

    def mapping(self, node: yaml.MappingNode) -> YamlMap:
        result = YamlMap(self.line(node))
        for key_node, value_node in node.value:
            if key_node.tag == _CORE + "merge":
                raise _Refused(self.line(key_node), "YAML merge keys (<<) are not allowed")
            key = self.build(key_node)
            if isinstance(key, (YamlMap, YamlList)):
                raise _Refused(self.line(key_node), "a key must be plain text")
            key_text = "" if key is None else str(key)
            if key_text in result:
                first = result.key_lines[key_text]
                self.duplicates.append(YamlProblem(
                    self.line(key_node), f"duplicate key '{key_text}' (first given on line {first})"))
                continue
            result[key_text] = self.build(value_node)
            result.key_lines[key_text] = self.line(key_node)
            if isinstance(value_node, yaml.ScalarNode):
                starts = self.line(value_node) + (value_node.style in ("|", ">"))
                if starts != result.key_lines[key_text]:
                    result.text_lines[key_text] = starts
        return result

    def scalar(self, node: yaml.ScalarNode) -> Any:
        value: str = node.value
        if node.style not in (None, "") or node.tag == _CORE + "str":
            return value
        if value in _NULL:
            return None
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        if _INT.match(value):
            # A number longer than any setting needs is kept as written (Python refuses to read
            # one of over 4,300 digits): a text field takes it as text, a number field says so.
            return number_or_text(value)
        if _FLOAT.match(value):
            return float(value)
        return value


MAX_NUMBER_DIGITS = 64


def number_or_text(digits: str) -> int | str:
    """An integer as YAML or JSON writes it; one longer than any setting needs (Python refuses
    to read one of over 4,300 digits) is kept as written: a text field takes it as text, a
    number field says it is not one."""
    return int(digits) if len(digits) <= MAX_NUMBER_DIGITS else digits


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """A Markdown file split into its YAML header and its body."""

    yaml_text: str
    yaml_line: int
    body: str
    body_line: int


def decode_text(data: bytes) -> tuple[str | None, YamlProblem | None]:
    """Decode UTF-8 (a BOM allowed), normalising CRLF and CR line endings to LF."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        bad = data[exc.start : exc.start + 1].hex().upper()
        return None, YamlProblem(
            line, f"not valid UTF-8 (byte 0x{bad}); save the file with UTF-8 encoding"
        )
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, None


_FENCE = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$")


def split_front_matter(text: str) -> tuple[FrontMatter | None, YamlProblem | None]:
    """Split ``---`` front matter from a Markdown text.

    A text without an opening ``---`` line has an empty header. An opening
    line without a closing one is a problem, reported at the opening line.
    """
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0]):
        return FrontMatter("", 1, text, 1), None
    for index in range(1, len(lines)):
        if _CLOSE.match(lines[index]):
            yaml_text = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1 :])
            return FrontMatter(yaml_text, 2, body, index + 2), None
    return None, YamlProblem(1, "front matter is not closed: add a '---' line after it")
