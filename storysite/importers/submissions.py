"""Fan submissions (a form's CSV or JSON export) → memories to review.

Each row becomes ``content/memories/<slug>.md`` with ``status: submitted`` and
an opaque ``author.id``; the fan's name, email, phone, original words and
consent evidence go to the private store, never into the content tree.
Importing the same export again adds nothing twice and never touches a file
that already exists. Rows are streamed, so memory stays flat on big exports.

Each memory file is followed at once by its private record (flushed), and a
memory whose record cannot be written is removed again: an import that stops
part-way (a row that cannot be read, a full disk, Ctrl-C) never leaves a
memory without its record, which ``withdraw`` needs to find it by email and a
second import needs to skip it.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io
import itertools
import json
import re
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from storysite import load, photometa
from storysite.dates import parse_partial_date
from storysite.diagnostics import Diagnostic, error, notice, shortened, warning
from storysite.markdown import summarize
from storysite.model import CONSENT_SCOPES
from storysite.names import display_name, folded_words, hidden_name_words
from storysite.personaldata import EMAIL, personal_data_in, without_personal_data
from storysite.privacyguard import StoreFiles
from storysite.privatestore import PrivateStore, RecordAppender
from storysite.routing import is_windows_device, slugify
from storysite.textclean import without_controls
from storysite.validate.fields import FieldReader, item_slug, long_title
from storysite.yamlio import YamlMap, decode_text, load_yaml, number_or_text

SCOPE_FIELDS = tuple(f"consent_{scope}" for scope in CONSENT_SCOPES)
"""A yes/no column per scope (``consent_share``: may the label image and share card be made?)."""
FIELDS = ("title", "text", "date", "display", "location", "label", "photo", "name", "email", "phone",
          "consent", "consent_timestamp", "consent_scope", *SCOPE_FIELDS, "id")
"""The fields a mapping may feed. ``id`` is the form's own id of each submission (private): a row
whose id was imported before is the same submission, its answers perhaps edited since."""
PUBLISHED_FIELDS = ("title", "text", "date", "display", "location", "label")
_PERSONAL_COLUMN = re.compile(r"e-?mail|courriel|mail\b|phone|t[ée]l[ée]?phone|\btel\b|portable|mobile|"
                              r"adresse|address|nom de famille|last ?name|surname", re.IGNORECASE)
_PHONE = re.compile(r"^\+?[\d\s().-]{8,}$")
_FRENCH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
MAX_DATE_DISPLAY = 80
"""The longest date in words an import keeps as a memory's ``date_display``."""
_MONTH_YEAR = re.compile(r"(0?[1-9]|1[0-2])[/.-](\d{4})")
_WORDED_YEAR = re.compile(r"(?<![\d/.-])(1[0-9]{3}|20[0-9]{2})(?![\d/.-])")
_WORDED_DECADE = re.compile(r"(?i)\bann[ée]es\s+((?:19)?[0-9]0)\b|\b((?:19|20)[0-9]0)s\b")
_TIMESTAMP = re.compile(r"(\d{4})-(\d{2})-(\d{2})|(\d{1,2})/(\d{1,2})/(\d{4})")
# libyaml's emitter when present: the pure-Python one is most of an import's time.
_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
SITE_MAPPING = "import-mapping.yaml"
"""The site's own mapping (``storysite new`` writes one), used when no other is given."""
DEFAULT_ACCEPTED = ("oui", "yes", "true", "1", "x", "on", "vrai", "ja", "sí", "si", "accepted", "j'accepte")


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """Which column feeds which field, and how consent and labels are read."""

    columns: Mapping[str, str]
    lines: Mapping[str, int]
    accepted: tuple[str, ...] = DEFAULT_ACCEPTED
    scope: tuple[str, ...] = ("site",)
    label_design: str = ""
    path: str = ""
    scope_words: Mapping[str, str] = field(default_factory=dict)
    """The form's answers (case-folded) that name a scope, besides the scopes' own names."""
    form: str = ""
    """The form's name (``form:``): its submission ids are its own, told apart from another
    form's same ids (forms that number their answers 1, 2, 3…)."""


@dataclass
class ImportResult:
    """What an import did: counts, and each row's problem as ``FILE:row N: message``."""

    created: list[str] = field(default_factory=list)
    duplicates: int = 0
    changed: int = 0
    """Rows skipped as submissions imported before (by their ``id``) whose answers differ now."""
    reported: int = 0
    """Rows skipped so that an earlier import reported already (the same edited answers)."""
    rejected: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    fatal: bool = False
    """The export could not be read at all (nothing was imported)."""
    stopped: bool = False
    """The import stopped part-way at an error: the rows before it were imported."""
    site_mapping_used: bool = False
    """The site's own mapping (``site_mapping``) was the one used."""


class _StopImport(Exception):
    """The export cannot be read further (or the site written to): reported at ``line``, the import stops."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


# Deeper than this, a JSON export is not a list of submissions (said when the parser gave up).
_JSON_DEPTH = 100
_JSON_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[\[\]{}\n]')
_SURROGATE = re.compile("[\ud800-\udfff]")


MAPPING_KEYS = ("columns", "consent_accepted", "consent_scope", "consent_scope_words", "label_design", "form")
"""What an import mapping may say."""


def read_mapping(path: Path | None, display_path: str) -> tuple[ColumnMapping | None, list[Diagnostic]]:
    """Read a mapping file; without one, each field is fed by the column of its own name."""
    if path is None:
        return ColumnMapping({name: name for name in FIELDS}, {}), []
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [error(display_path, 0, f"cannot be read: {exc.strerror}")]
    text, problem = decode_text(data)
    if text is None or problem is not None:
        assert problem is not None
        return None, [error(display_path, problem.line, problem.message)]
    raw, problem = load_yaml(text)
    if problem is not None:
        return None, [error(display_path, problem.line, problem.message)]
    if not isinstance(raw, YamlMap) or not isinstance(raw.get("columns"), YamlMap):
        return None, [error(display_path, 1, "expected 'columns:' mapping fields to column names")]
    problems: list[Diagnostic] = []
    columns_raw: YamlMap = raw["columns"]
    columns: dict[str, str] = {}
    lines: dict[str, int] = {}
    for name, column in columns_raw.items():
        line = columns_raw.line_of(name)
        if name not in FIELDS:
            problems.append(error(display_path, line, f"unknown field '{name}'; use {', '.join(FIELDS)}"))
            continue
        if not isinstance(column, str) or not column.strip():
            problems.append(error(display_path, line, f"{name}: expected a column name"))
            continue
        if name in PUBLISHED_FIELDS and _PERSONAL_COLUMN.search(column):
            problems.append(error(display_path, line, f"{name}: column '{column}' holds personal data and "
                                  f"'{name}' is published; map it to name, email or phone instead"))
            continue
        columns[name] = column
        lines[name] = line
    if "text" not in columns:
        problems.append(error(display_path, raw.line_of("columns"), "columns: 'text' must be mapped"))
    # Each key said wrong at its own line: the editor fixes them all in one go.
    accepted = raw.get("consent_accepted", list(DEFAULT_ACCEPTED))
    if not isinstance(accepted, list):
        problems.append(error(display_path, raw.line_of("consent_accepted"), "consent_accepted: expected a list "
                              "of the answers that mean yes, such as [\"yes\", oui, \"1\"]"))
        accepted = []
    scope = raw.get("consent_scope", ["site"])
    if not isinstance(scope, list):
        problems.append(error(display_path, raw.line_of("consent_scope"), "consent_scope: expected a list of "
                              f"scopes, such as [site, share] (scopes: {', '.join(CONSENT_SCOPES)})"))
        scope = []
    design = raw.get("label_design", "")
    if not isinstance(design, str):
        problems.append(error(display_path, raw.line_of("label_design"), "label_design: expected the name of "
                              "a label design (a file of content/labels/), such as classic"))
        design = ""
    unknown = [warning(display_path, raw.line_of(key), f"unknown key '{key}'; a mapping has {', '.join(MAPPING_KEYS)}")
               for key in raw if key not in MAPPING_KEYS]
    for word in scope:
        # Written into every memory as it is: a misspelt scope would fail every build.
        if str(word) not in CONSENT_SCOPES:
            problems.append(error(display_path, raw.line_of("consent_scope"), f"consent_scope: unknown scope "
                                  f"'{word}'; use {', '.join(CONSENT_SCOPES)}"))
    words = _scope_words(raw, display_path, problems)
    form = raw.get("form", "")
    if isinstance(form, bool) or not isinstance(form, str | int) or ("form" in raw and not str(form).strip()):
        problems.append(error(display_path, raw.line_of("form"), "form: expected the form's name (such as "
                              "fan-days-2026), which tells its submission ids from another form's"))
    if problems:
        return None, sorted(unknown + problems, key=lambda problem: problem.line)
    return ColumnMapping(columns, lines, tuple(str(a).casefold() for a in accepted), tuple(str(s) for s in scope),
                         design, display_path, words, str(form).strip()), unknown


def _scope_words(raw: YamlMap, display_path: str, problems: list[Diagnostic]) -> dict[str, str]:
    """The mapping's ``consent_scope_words`` (the form's answer → a scope), case-folded."""
    given = raw.get("consent_scope_words")
    if given is None:
        return {}
    if not isinstance(given, YamlMap):
        problems.append(error(display_path, raw.line_of("consent_scope_words"), "consent_scope_words: expected "
                              "the form's answers, each with the scope it grants (`Sur l'étiquette: share`)"))
        return {}
    words: dict[str, str] = {}
    for answer, scope in given.items():
        if scope not in CONSENT_SCOPES:
            problems.append(error(display_path, given.line_of(answer), f"consent_scope_words: '{answer}': unknown "
                                  f"scope '{scope}'; use {', '.join(CONSENT_SCOPES)}"))
        else:
            words[_folded_answer(str(answer))] = scope
    return words


def _folded_answer(text: str) -> str:
    """A form's answer as compared: case-folded, spaces collapsed."""
    return " ".join(text.casefold().split())


_SCOPE_SEPARATORS = re.compile(r"[,;|/+\n]")


def row_scope(mapping: ColumnMapping, cells: Mapping[str, str]) -> tuple[tuple[str, ...], str | None]:
    """The scopes one row consents to, in the order of :data:`CONSENT_SCOPES`, or why its answer
    cannot be read. ``cells`` are the row's scope cells by field, for the columns the export has:
    a scope column lists them (``site;share``, ``site, share``, the answers of
    ``consent_scope_words``); a yes/no column per scope grants its scope when the answer is one
    of ``consent_accepted``. Without either, every row has the mapping's ``consent_scope``."""
    if not cells:
        return mapping.scope, None
    known = {scope: scope for scope in CONSENT_SCOPES} | dict(mapping.scope_words)
    granted = {scope for scope in CONSENT_SCOPES if cells.get(f"consent_{scope}", "").casefold() in mapping.accepted}
    for piece in _SCOPE_SEPARATORS.split(cells.get("consent_scope", "")):
        answer = _folded_answer(piece)
        if not answer:
            continue
        # "site share": the scopes' names with spaces between them.
        words = [answer] if answer in known else answer.split()
        unknown = [word for word in words if word not in known]
        if unknown:
            # A word among scopes' names is named alone; an answer of other words whole.
            named = f"'{unknown[0]}' in '{piece.strip()}'" if len(unknown) < len(words) else f"'{piece.strip()}'"
            return (), (f"consent_scope: unknown scope {named}; use {', '.join(CONSENT_SCOPES)}, or give the "
                        "form's answer its scope under consent_scope_words in the mapping")
        granted.update(known[word] for word in words)
    return tuple(scope for scope in CONSENT_SCOPES if scope in granted), None


def _reading_encoding(path: Path, encoding: str) -> str:
    """The codec to read ``path`` with when the editor said ``encoding``: UTF-8 (under any of its
    names) skips a byte-order mark, and a UTF-16 or UTF-32 byte-order mark, which no UTF-8 text
    starts with (Excel's "Unicode text" export), says the file's encoding itself."""
    if codecs.lookup(encoding).name not in ("utf-8", "utf-8-sig"):
        return encoding
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8-sig"


def _utf16_without_mark(head: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when ``head`` (a file's first bytes) reads as UTF-16 text
    of mostly Latin letters: a zero byte in most pairs, on the same side."""
    pairs = len(head) // 2
    if pairs < 4:
        return None
    odd, even = head[1::2].count(0), head[0::2].count(0)
    if odd >= pairs * 0.6 and even == 0:
        return "utf-16-le"
    if even >= pairs * 0.6 and odd == 0:
        return "utf-16-be"
    return None


def _check_encoding(path: Path, encoding: str, display: str, named: str) -> Diagnostic | None:
    """Why ``path`` cannot be read with ``encoding`` (``named`` as the editor gave it), or ``None``."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    line = 1
    with path.open("rb") as handle:
        if encoding == "utf-8-sig" and (utf16 := _utf16_without_mark(handle.read(1 << 12))):
            # Plain ASCII in UTF-16 is valid UTF-8 with a NUL after (or before) each letter: read so,
            # its header would be 't\x00i\x00t\x00l\x00e\x00' and no column would ever match.
            return error(display, 1, f"this looks like UTF-16 text without a byte-order mark (every other byte "
                         f"is 0); run again with --encoding {utf16}")
        handle.seek(0)
        while chunk := handle.read(1 << 16):
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line += chunk[: exc.start].count(b"\n")
                # Excel on Windows writes cp1252, not latin-1: read as latin-1, its ’ œ € … would
                # become invisible control characters in the fans' words (cp1252 reads latin-1 too).
                hint = (" --encoding cp1252 (what Excel writes on Windows; it reads latin-1 exports too)"
                        if encoding == "utf-8-sig" else "")
                return error(display, line, f"not valid {named} text; if the export uses another "
                             f"encoding, run again with{hint or ' --encoding NAME'}")
            line += text.count("\n")
    return None


# A row is its cells by column, or why it cannot be read (a message, the row is left out).
Row = tuple[int, int, dict[str, Any] | str]
Rows = tuple[list[str], Iterator[Row], "io.TextIOBase | None"]


def _too_deep(text: str) -> int:
    """The line where ``text`` (JSON) nests more than ``_JSON_DEPTH`` levels, or 1."""
    depth, line = 0, 1
    for token in _JSON_TOKEN.finditer(text):
        char = token.group()
        if char == "\n":
            line += 1
        elif char in "[{":
            depth += 1
            if depth > _JSON_DEPTH:
                return line
        elif char in "]}":
            depth -= 1
    return 1


def _json_kind(value: object) -> str:
    """What a JSON value is, in words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return "a text" if isinstance(value, str) else "a number"


def _json_lists_in(data: object) -> str:
    """For a JSON object that holds the submissions under a key (``{"submissions": [...]}``), which key."""
    if not isinstance(data, dict):
        return ""
    keys = [key for key, value in data.items()
            if isinstance(value, list) and value and all(isinstance(entry, dict) for entry in value)]
    if not keys:
        return ""
    holds = "holds such a list" if len(keys) == 1 else "hold such lists"
    return f" whose {' and '.join(repr(k) for k in keys)} {holds}: export that list alone"


def _json_stream(data: list[Any]) -> Iterator[Row]:
    """The entries of a JSON export as rows; an entry that is not an object comes as a message,
    and one whose values are all empty (as a form's blank line) is left out, as a CSV's is."""
    for number, record in enumerate(data, start=1):
        if not isinstance(record, dict):
            yield number, 0, f"entry {number}: expected an object (one submission), found {_json_kind(record)}"
        elif any(value is not None and (not isinstance(value, str) or value.strip()) for value in record.values()):
            yield number, 0, record


_EXCEL_SEPARATOR = re.compile(r"sep=([^\r\n\"])\r?\n", re.IGNORECASE)
_CR_IN_CELL = "\ufdd0"
"""Stands for a carriage return inside a row while the csv module reads it: a noncharacter,
which no form's export holds."""


def _rows_at_line_feeds(handle: io.TextIOBase) -> Iterator[str]:
    """The lines of a CSV export whose rows end with a line feed (``\n`` or ``\r\n``), each
    carriage return alone inside one (text pasted from an old Mac, or a form that writes a
    cell's line break so without quoting it) as :data:`_CR_IN_CELL`. The csv module ends a row
    at it, out of quotes: the rest of the fan's text then came as a row of its own, its cells
    shifted into other fields (an email into the text of a memory). A line break inside a cell
    is what an Excel export quotes, and what the cell is read with."""
    for line in handle:
        if "\r" in line:
            end = "\r\n" if line.endswith("\r\n") else "\n" if line.endswith("\n") else ""
            body = line[: len(line) - len(end)]
            if "\r" in body:
                line = body.replace("\r", _CR_IN_CELL) + end
        yield line


def _rows_end_with_line_feeds(sample: str) -> bool:
    """Whether an export's rows end with line feeds (``\n`` or ``\r\n``), as its first line
    (the header, or Excel's "sep=" line: the form's own words) ends, out of quotes. Not whether
    the export holds a line feed anywhere: Excel for Mac ends each row with a carriage return
    alone and writes a line break inside a cell as a line feed, and read at line feeds such an
    export was one row (its header), every fan's memory lost without a word."""
    quoted = False
    for index, char in enumerate(sample):
        if char == '"':
            quoted = not quoted  # (a doubled quote inside quotes turns it twice)
        elif char in "\r\n" and not quoted:
            return char == "\n" or sample[index + 1 : index + 2] == "\n"
    return False


def _header_delimiter(sample: str) -> str:
    """The delimiter (comma, semicolon or tab) the first line of ``sample`` uses most; a comma
    when it uses none (a one-column export) or on a tie."""
    header = sample.split("\n", 1)[0]
    return max(",;\t", key=header.count)


def _rows(path: Path, encoding: str, display: str, max_cell: int) -> Rows | Diagnostic:
    """The header, a stream of (row number, line, record) and the file to close; CSV or a JSON list.

    ``line`` is where a CSV row starts in the file (a quoted cell may span lines); 0 for JSON.
    A CSV row with more (non-empty) cells than the header comes as a message instead of a
    record. The stream raises :class:`_StopImport` at a row that cannot be read (a cell longer than
    ``max_cell`` characters, broken quoting)."""
    if path.suffix.lower() == ".json":
        text = path.read_text(encoding)
        try:
            data = json.loads(text, parse_int=number_or_text)
        except json.JSONDecodeError as exc:
            return error(display, exc.lineno, f"not valid JSON: {exc.msg}")
        except RecursionError:
            # json gives up past Python's recursion limit; no submission is nested like that.
            return error(display, _too_deep(text), f"not valid JSON for an export: nested more than "
                         f"{_JSON_DEPTH} levels deep; expected a list of objects, one per submission")
        if not isinstance(data, list):
            return error(display, 1, f"expected a JSON list of objects, one per submission; found "
                         f"{_json_kind(data)}{_json_lists_in(data)}")
        if not data:
            return warning(display, 1, "the export holds no submissions (an empty list)")
        header = sorted({str(k) for r in data if isinstance(r, dict) for k in r})
        return header, _json_stream(data), None
    handle = open(path, encoding=encoding, newline="")  # noqa: SIM115 - closed by the caller
    sample = handle.read(1 << 16)
    handle.seek(0)
    lines: Iterator[str] = handle
    if _rows_end_with_line_feeds(sample):
        # Rows end with line feeds: a carriage return alone is inside a cell (else, as an old
        # Mac's export writes, each ends a row). Read at line feeds only, as the file says.
        handle.close()
        handle = open(path, encoding=encoding, newline="\n")  # noqa: SIM115 - closed by the caller
        lines = _rows_at_line_feeds(handle)
    # Excel's own line "sep=;" before the header names the delimiter (and is no header).
    said = _EXCEL_SEPARATOR.match(sample)
    # Otherwise only the delimiter is guessed (forms export with commas, semicolons or tabs). The rest is
    # standard CSV (RFC 4180: '"' quotes, a doubled '"' inside quotes is one '"'): the Sniffer's
    # guesses of those misread ordinary exports (doublequote=False split `"He said ""hi"", and
    # left"` into two cells and shifted the fan's email into the name column).
    try:
        delimiter = said[1] if said else csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        # The Sniffer wants every row to agree, and one row with a stray delimiter among a few
        # throws it: the header (which the form writes) says which delimiter the export uses.
        delimiter = _header_delimiter(sample)
    reader = csv.reader(lines, csv.excel, delimiter=delimiter)
    try:
        if said:
            next(reader)  # read through the reader, so that its line count stays the file's
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        handle.close()
        return error(display, 1, "the file is empty")
    except csv.Error as exc:
        handle.close()
        return error(display, 1, f"the header row cannot be read as CSV ({exc})")

    def stream() -> Iterator[Row]:
        start = reader.line_num + 1
        for number in itertools.count(2):
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                # The reader cannot find the next row reliably after this (a quoted cell may
                # hold line breaks), so the import stops here rather than guess.
                if "field larger than field limit" in str(exc):
                    message = (f"row {number}: a cell is longer than limits.max_file_bytes ({max_cell:,} "
                               "characters), too long for a memory")
                else:
                    message = f"row {number}: cannot be read as CSV ({exc})"
                raise _StopImport(start, message) from None
            line, start = start, reader.line_num + 1
            if any(_CR_IN_CELL in cell for cell in row):
                row = [cell.replace(_CR_IN_CELL, "\n") for cell in row]
            if not any(cell.strip() for cell in row):
                continue
            if any(cell.strip() for cell in row[len(header):]):
                # Zipped with the header, the cells after a stray delimiter would feed the wrong
                # fields (an email read as a name): the row is refused, not shifted.
                yield number, line, (f"row {number} has {len(row)} cells, more than the {len(header)} columns "
                                     "of the header (a cell with a delimiter or a quote that is not quoted?)")
                continue
            yield number, line, dict(zip(header, row, strict=False))

    return header, stream(), handle


def _parse_date(value: str) -> tuple[str | None, str | None]:
    value = value.strip()
    if not value:
        return None, None
    match = _FRENCH_DATE.fullmatch(value)
    if match:
        value = f"{match[3]}-{int(match[2]):02d}-{int(match[1]):02d}"
    elif match := _MONTH_YEAR.fullmatch(value):  # 07/1986, as a form's free field is often answered
        value = f"{match[2]}-{int(match[1]):02d}"
    date, reason = parse_partial_date(value)
    if date is None:
        return None, reason
    return (f"{date.year}s" if date.decade else date.iso()), None  # (a time of day left out)


def _worded_date(value: str) -> str | None:
    """The year (``été 1986``, four digits) or decade (``les années 80``, ``années 1980``,
    ``1980s``) a date written in words names, as a memory's ``date:``; None when it names none,
    or more than one."""
    decades = [french or english for french, english in _WORDED_DECADE.findall(value)]
    years = [] if decades else _WORDED_YEAR.findall(value)
    if len(decades) == 1:
        return f"{decades[0] if len(decades[0]) == 4 else '19' + decades[0]}s"
    if len(years) == 1 and not decades:
        return str(years[0])
    return None


def _timestamp_date(value: str) -> str | None:
    match = _TIMESTAMP.search(value)
    if not match:
        return None
    if match[1]:
        text = f"{match[1]}-{match[2]}-{match[3]}"
    elif int(match[4]) <= 12 < int(match[5]):
        # Month first, as an American form writes it ("2/13/2024 10:00:00"): no day 13 in a year.
        text = f"{match[6]}-{int(match[4]):02d}-{int(match[5]):02d}"
    else:
        text = f"{match[6]}-{int(match[5]):02d}-{int(match[4]):02d}"
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return None
    return text


def import_submissions(
    export: Path,
    site_dir: Path,
    *,
    mapping_path: Path | None,
    store_dir: str,
    display_policy: str,
    today: dt.date,
    encoding: str = "utf-8",
    max_file_bytes: int = 1_000_000,
    site_mapping: Path | None = None,
) -> ImportResult:
    """Import every row of ``export`` into ``site_dir/content/memories`` and the private store.

    A row whose memory file would be larger than ``max_file_bytes`` (``limits.max_file_bytes``,
    which the build enforces) is left out; a CSV cell longer than that stops the import.
    Without ``mapping_path``, ``site_mapping`` (the site's own) is used when the export has
    the column it names for the text, or when the export has no ``text`` column either
    (its problems are then reported); else each field comes from the column of its name.
    """
    result = ImportResult()
    shown = str(export)  # as given: relative to where the editor stands
    mapping: ColumnMapping | None = None
    if mapping_path is not None or site_mapping is None:
        mapping, found = read_mapping(mapping_path, str(mapping_path) if mapping_path else "")
        result.diagnostics.extend(found)
        if mapping is None:
            result.fatal = True
            return result
    named, encoding = encoding, _reading_encoding(export, encoding)
    problem = _check_encoding(export, encoding, shown, named)
    if problem is not None:
        result.diagnostics.append(problem)
        result.fatal = True
        return result
    # The csv module's cell limit is process-wide (128 KiB by default, less than a memory may
    # be): raised to the site's file limit for this import only.
    previous_limit = csv.field_size_limit()
    csv.field_size_limit(max_file_bytes)
    handle = None
    try:
        rows = _rows(export, encoding, shown, max_file_bytes)
        if isinstance(rows, Diagnostic):
            result.diagnostics.append(rows)
            result.fatal = rows.is_error
            return result
        header, stream, handle = rows
        if mapping_path is None and site_mapping is not None:
            # The site's mapping, unless the export was made for the default one.
            mapping, found = read_mapping(site_mapping, site_mapping.name)
            if _site_mapping_fits(mapping, header):
                mapping_path = site_mapping
                result.site_mapping_used = True
            else:
                mapping, found = read_mapping(None, "")
            result.diagnostics.extend(found)
            if mapping is None:
                result.fatal = True
                return result
        assert mapping is not None  # read above, before the export
        _import_rows(result, header, stream, export, site_dir, mapping, mapping_path, store_dir, display_policy,
                     today, max_file_bytes)
    except _StopImport as stop:
        result.diagnostics.append(error(shown, stop.line, f"{stop.message}; the import stopped here"))
        result.stopped = True
    finally:
        if handle is not None:
            handle.close()
        csv.field_size_limit(previous_limit)
    return result


def _site_mapping_fits(mapping: ColumnMapping | None, header: list[str]) -> bool:
    """Whether to use the site's mapping for an export with ``header``: unless the export has no
    column for the site's text but one named ``text`` (an export made for the default mapping).
    A mapping that cannot be read is used, so that its problems are reported."""
    if mapping is None or "text" not in mapping.columns:
        return True
    names = {column.casefold() for column in header}
    return mapping.columns["text"].casefold() in names or "text" not in names


def _import_rows(
    result: ImportResult,
    header: list[str],
    stream: Iterator[Row],
    export: Path,
    site_dir: Path,
    mapping: ColumnMapping,
    mapping_path: Path | None,
    store_dir: str,
    display_policy: str,
    today: dt.date,
    max_file_bytes: int,
) -> None:
    columns = _mapped_columns(result, header, export, mapping, mapping_path)
    if "text" not in columns or any(d.is_error for d in result.diagnostics):
        result.fatal = True
        return

    store = PrivateStore(site_dir / store_dir)
    # Each submission imported before (''), or in this import (where: "line 4", "entry 3").
    known = dict.fromkeys(store.known_fingerprints(), "")
    ids = _SubmissionIds(*store.known_submissions(), reported=store.reported_edits()) if "id" in columns \
        else _SubmissionIds({}, {})
    memories = site_dir / "content" / "memories"
    memories.mkdir(parents=True, exist_ok=True)
    # Names already used by memories (files or bundles); listed once, not probed per row.
    taken = {entry.name.rsplit(".", 1)[0] if entry.is_file() else entry.name for entry in memories.iterdir()}
    taken |= _memory_slugs(site_dir, max_file_bytes)
    counters: dict[str, int] = {}
    with store.appender() as records, store.edit_appender() as edits:
        for number, line, record in stream:
            _import_row(result, number, line, record, columns, store, known, ids, taken, counters, (records, edits),
                        export, site_dir, mapping, display_policy, today, max_file_bytes)


REQUIRED_FIELDS = ("text", "name", "email", "phone", "consent", "consent_timestamp", "consent_scope", *SCOPE_FIELDS,
                   "id")
"""The fields whose column, once mapped, must be in the export. Without the text there is no
memory; without the others a fan's identity or consent evidence (or the submission's id, by
which an edited answer is told apart) would be lost for good: a later import of the same rows,
with the column found, skips them as already imported."""


@dataclass(frozen=True, slots=True)
class _SubmissionIds:
    """The form's submission ids (``columns: id``) known to an import."""

    stored: dict[tuple[str, str], dict[str, Any]]
    """Each id imported before, by its form's name and itself, with its private record."""
    withdrawn: dict[str, tuple[str, str]]
    """The keyed hash of each withdrawn submission's id, with the day it was withdrawn and its
    fan's author id."""
    seen: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Each id imported by this import: where in the export ("line 4", "entry 3"), and its memory file."""
    reported: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The edited answers reported before (skipped with a warning), by fingerprint, with their record."""


_OTHER_FORM = ("a form's ids are told apart within that form only. If this export comes from another form, "
               "give each form's mapping a name of its own (form: fan-days-2026) and import again; if the fan "
               "changed their contact details on the form, compare the two by hand; row left out")


def _skipped_resubmission(ids: _SubmissionIds, form: str, submission: str, author_id: str, store: PrivateStore
                          ) -> tuple[str, str] | None:
    """Why a row whose answers are not those imported before (its fingerprint is new) but whose
    submission id is known is skipped, as ``(kind, message)``: ``edited`` (the same submission
    with other answers), ``withdrawn``, or ``clash`` (the id is another fan's: an error); or
    ``None`` when the id is new. The fan may have edited their answer on the form since: an editor compares
    the two, since a second memory would publish the story twice and leave the first one's
    consent evidence behind. Another fan's submission with a known id is most likely another
    form's, which numbers its answers as this one does: taken for an edit, it would be lost."""
    earlier = ids.stored.get((form, submission))
    if earlier is None and form and (legacy := ids.stored.get(("", submission))) is not None \
            and legacy.get("author_id") == author_id:
        earlier = legacy  # imported before the mapping named its form
    if earlier is not None:
        memory = str(earlier.get("memory") or "its memory")
        imported = (f"id: submission '{submission}' was imported before, from "
                    f"{earlier.get('source', 'an earlier export')} (row {earlier.get('row', '?')}) as {memory}")
        if earlier.get("author_id") != author_id:
            return "clash", f"{imported}, for another fan: {_OTHER_FORM}"
        return "edited", (f"{imported}, with other answers (edited on the form since?); skipped: compare the two by "
                       f"hand and carry what changed into {memory}")
    if (seen := ids.seen.get(submission)) is not None:
        return "edited", (f"id: submission '{submission}' is also at {seen[0]} of this export (imported as {seen[1]}), "
                       "with other answers; skipped: compare the two by hand")
    withdrawn = ids.withdrawn.get(store.submission_key(submission, form))
    if withdrawn is None and form and (legacy_tomb := ids.withdrawn.get(store.submission_key(submission))) \
            and legacy_tomb[1] == author_id:
        withdrawn = legacy_tomb
    if withdrawn is not None:
        day, fan = withdrawn
        if fan and fan != author_id:
            return "clash", (f"id: submission '{submission}' is the id of a withdrawn submission of another fan: "
                          f"{_OTHER_FORM}")
        return "withdrawn", (f"id: submission '{submission}' was withdrawn on {day} (its fan asked to be forgotten); "
                       "skipped: delete it from the form's answers too")
    return None


def _earlier_memory(ids: _SubmissionIds, form: str, submission: str, author_id: str) -> str:
    """The memory file made from the submission ``submission`` (imported before, or earlier in
    this export), for the record of its edit; ``""`` when unknown."""
    earlier = ids.stored.get((form, submission)) or ids.stored.get(("", submission))
    if earlier is not None and earlier.get("author_id") == author_id:
        return str(earlier.get("memory", ""))
    seen = ids.seen.get(submission)
    return seen[1] if seen is not None else ""


def _mapped_columns(result: ImportResult, header: list[str], export: Path, mapping: ColumnMapping,
                    mapping_path: Path | None) -> dict[str, str]:
    """Each field's column as the export's header writes it. A mapped column the export lacks is
    an error for a :data:`REQUIRED_FIELDS` field (the import then stops before any row) and a
    warning for another, which is then imported empty. Each names the export's closest column,
    and the first error lists them all."""
    by_lower = {h.casefold(): h for h in header}
    columns: dict[str, str] = {}
    listed = False

    def has_columns() -> str:
        nonlocal listed
        if listed:
            return ""
        listed = True
        if len(header) == 1 and re.search(r"[,;\t|]", header[0]):
            return "; the header is a single column: is the delimiter right?"
        return f"; {export.name} has the columns {', '.join(repr(h) for h in header if h) or '(none)'}"

    for name, column in mapping.columns.items():
        actual = by_lower.get(column.casefold())
        if actual is not None:
            columns[name] = actual
            same = [str(index) for index, h in enumerate(header, start=1) if h.casefold() == column.casefold()]
            if len(same) > 1:
                # Read as one, a row's cells would come from the last column alone (another
                # question's answers, or nothing, where the fan answered in the first).
                result.diagnostics.append(error(str(export), 1, f"columns {', '.join(same[:-1])} and {same[-1]} of "
                                                f"the header are {'both' if len(same) == 2 else 'all'} '{column}', "
                                                f"which feeds {name}: rename them "
                                                "in the export so that they differ, and map the right one"))
            continue
        if mapping_path is None:
            continue  # the default mapping: each field from a column of its name, if any
        close = _closest(column, header)
        hint = f" (did you mean '{close}'?)" if close else ""
        line = mapping.lines.get(name, 0)
        if name in REQUIRED_FIELDS:
            fix = "correct it" if name == "text" else "correct it, or remove the line if the form does not ask for it"
            result.diagnostics.append(error(mapping.path, line, f"{name}: column '{column}' is not in "
                                            f"{export.name}{hint}: {fix}{has_columns()}"))
        else:
            result.diagnostics.append(warning(mapping.path, line, f"{name}: column '{column}' is not in "
                                              f"{export.name}{hint}; imported without it"))
    if "text" not in columns and mapping_path is None:
        close = _closest("text", header)
        hint = f" (did you mean '{close}'?)" if close else ""
        result.diagnostics.append(error(str(export), 1, f"no 'text' column{hint}{has_columns()}; give a mapping "
                                        "with --map"))
    return columns


def _closest(column: str, header: list[str]) -> str | None:
    """The export's column most like ``column`` (a typo, an accent, a word more or less), if any."""
    folded = {h.casefold(): h for h in header if h}
    found = difflib.get_close_matches(column.casefold(), list(folded), n=1, cutoff=0.6)
    return folded[found[0]] if found else None


SHOWN_DUPLICATES = 10
"""How many rows already imported are named one by one."""


def _memory_slugs(site_dir: Path, max_file_bytes: int) -> set[str]:
    """The slugs of the site's memories, as the build makes them: a file name with accents
    (``Été 1986.md`` is ``ete-1986``), a ``slug:`` field, the titles of a list file's entries.
    An imported memory with one of them would give the site two memories with one URL, an
    error that fails every build until an editor renames one."""
    slugs: set[str] = set()
    sources, _ = load.discover(site_dir, max_file_bytes)
    for source in sources:
        if source.kind != "memories":
            continue
        slugs.add(slugify(source.default_slug_source))
        if b"slug" not in source.data and not source.path.endswith((".yaml", ".yml")):
            continue  # the file's name is its slug: no need to parse it
        items, _ = load.parse(source)
        for item in items:
            slugs.add(item_slug(item, FieldReader(item.path, item.fields, [])))
    slugs.discard("")
    return slugs


def _import_row(
    result: ImportResult,
    number: int,
    line: int,
    record: dict[str, Any] | str,
    columns: dict[str, str],
    store: PrivateStore,
    known: dict[str, str],
    ids: _SubmissionIds,
    taken: set[str],
    counters: dict[str, int],
    appenders: tuple[RecordAppender, RecordAppender],
    export: Path,
    site_dir: Path,
    mapping: ColumnMapping,
    display_policy: str,
    today: dt.date,
    max_file_bytes: int,
) -> None:
    """One row: a memory file and its private record, or a diagnostic saying why not. ``appenders``
    write the private records of memories and of the edited answers reported."""
    records, edits = appenders
    shown = str(export)
    memories = site_dir / "content" / "memories"
    if isinstance(record, str):
        result.rejected += 1
        result.diagnostics.append(error(shown, line or 1, f"{record}; row left out"))
        return

    def value(name: str) -> str:
        raw = record.get(columns[name], "") if name in columns else ""
        # A NUL or another control character (a damaged export) makes the memory file binary to
        # git, whose diffs then show nothing an editor could review; the build drops them anyway.
        cell = "" if raw is None else without_controls(_unix_lines(str(raw))).strip()
        # A line break in a one-line field (a fan who pressed Enter in the title's box) is a
        # space, as the build would show it: the memory file says what the page will.
        return cell if name == "text" or "\n" not in cell else " ".join(cell.split())

    # Messages read path:line: (the row's first line in a CSV; entry N of a JSON list).
    where = (shown, line or 1, "" if line else f"entry {number}: ")
    for field_name, column in columns.items():  # JSON values can be anything
        raw = record.get(column)
        if isinstance(raw, dict | list):
            problem = f"{field_name}: expected text, found {'a list' if isinstance(raw, list) else 'an object'}"
        elif isinstance(raw, str) and _SURROGATE.search(raw):
            problem = f"{field_name}: holds a broken character (an unpaired UTF-16 surrogate such as \\ud800)"
        else:
            continue
        result.rejected += 1
        result.diagnostics.append(error(where[0], where[1], f"{where[2]}{problem}; row left out"))
        return
    text = value("text")
    submission = value("id")
    if submission:
        # Checked before the row's other cells: whatever they hold now, this submission was imported.
        fan = _author_id(store, value("name"), value("email"), value("phone"), text)
        fingerprint = store.fingerprint(fan, text)
        if fingerprint not in known and (why := _skipped_resubmission(ids, mapping.form, submission, fan, store)):
            skip, message = why
            if skip == "clash":
                result.rejected += 1
                result.diagnostics.append(error(where[0], where[1], f"{where[2]}{message}"))
            elif skip == "withdrawn":  # said at every import, until it is deleted from the form's answers
                result.changed += 1
                result.diagnostics.append(warning(where[0], where[1], f"{where[2]}{message}"))
            elif (reported := ids.reported.get(fingerprint)) is not None:
                # The same edited answers, in an export imported again: warned about once (the
                # editor has compared them, or has the warning still to act on), noted after.
                result.reported += 1
                result.diagnostics.append(notice(where[0], where[1], (
                    f"{where[2]}id: submission '{submission}' has the edited answers reported on "
                    f"{reported.get('reported', '?')} (from {reported.get('source', 'an earlier export')}, row "
                    f"{reported.get('row', '?')}); skipped: compare them with {reported.get('memory') or 'its memory'} "
                    "by hand, if not done yet")))
            else:
                result.changed += 1
                result.diagnostics.append(warning(where[0], where[1], f"{where[2]}{message}"))
                memory = _earlier_memory(ids, mapping.form, submission, fan)
                entry = {"fingerprint": fingerprint, "author_id": fan, "memory": memory, "reported": today.isoformat(),
                         "source": export.name, "row": number}
                edits.add(entry)
                ids.reported[fingerprint] = entry
            return
    if not text:
        result.rejected += 1
        result.diagnostics.append(error(where[0], where[1], f"{where[2]}the memory text is empty; row left out"))
        return
    date, reason = _parse_date(value("date"))
    date_display = ""
    if reason:
        # A fan's date in words is kept as they wrote it, dated by the year it names: their
        # memory is not left out for it (an editor reviews every submission anyway).
        date = _worded_date(value("date"))
        if date is not None:
            date_display = " ".join(value("date").split())[:MAX_DATE_DISPLAY]
            result.diagnostics.append(notice(where[0], where[1], f"{where[2]}date: '{shortened(value('date'))}' "
                                             f"imported as date: {date}, shown as written (date_display)"))
        else:
            result.diagnostics.append(warning(where[0], where[1], f"{where[2]}date: {reason}; imported without a "
                                              f"date: add it by hand from '{shortened(value('date'))}'"))
    scope_cells = {name: value(name) for name in ("consent_scope", *SCOPE_FIELDS) if name in columns}
    scope, reason = row_scope(mapping, scope_cells)
    if reason:
        result.rejected += 1
        result.diagnostics.append(error(where[0], where[1], f"{where[2]}{reason}; row left out"))
        return
    leaked = [name for name in ("title", "location", "display", "label") if EMAIL.search(value(name))
              or (name != "title" and _PHONE.match(value(name)))]
    if leaked:
        result.rejected += 1
        result.diagnostics.append(error(where[0], where[1], f"{where[2]}{leaked[0]} looks like an email address or phone "
                                        "number, which would be published; row left out"))
        return
    name, email, phone = value("name"), value("email"), value("phone")
    author_id = _author_id(store, name, email, phone, text)
    fingerprint = store.fingerprint(author_id, text)
    if fingerprint in known:
        result.duplicates += 1
        # A re-imported export of ten thousand rows is ten thousand of these: the first few say it.
        if result.duplicates <= SHOWN_DUPLICATES:
            # A form that sent one submission twice: the first copy is in this very export.
            what = f"the same submission as {known[fingerprint]}" if known[fingerprint] else "already imported"
            result.diagnostics.append(warning(where[0], where[1], f"{where[2]}{what} (same fan, same text); "
                                              "skipped" + (" (the next ones are counted, not listed)"
                                                           if result.duplicates == SHOWN_DUPLICATES else "")))
        return
    known[fingerprint] = f"entry {number}" if not line else f"line {line}"
    # Fields the import derives itself must not publish what the fan typed as contact details:
    # the title is made from the text without them, no display name from an email.
    title = value("title") or _title_from(without_personal_data(text)) or "Souvenir"
    if (too_long := long_title(title)) is not None:
        # Imported all the same (the row is the fan's; an editor proofreads it before approving it).
        result.diagnostics.append(warning(where[0], where[1], f"{where[2]}title: {too_long}"))
    display = value("display")
    if not display and personal_data_in(name):
        result.diagnostics.append(warning(where[0], where[1], f"{where[2]}name looks like an email address or phone "
                                          "number; no display name is derived from it"))
    elif not display:
        display = display_name(name, display_policy)
    base_slug = slugify(title, max_length=60) or "souvenir"
    published = (("title", title), ("author.display", display), ("location", value("location")),
                 ("label", value("label")), ("slug", base_slug))
    exposed = [(field_name, kind) for field_name, field_value in published
               if (kind := personal_data_in(field_value)) is not None]
    if exposed:
        result.rejected += 1
        known.pop(fingerprint, None)
        result.diagnostics.append(error(where[0], where[1], f"{where[2]}{exposed[0][0]} would publish {exposed[0][1]}; "
                                        "row left out"))
        return
    # The build cannot tell once the name is in the private store: said now, for the editor
    # who proofreads the memory before approving it.
    if name and (parts := _name_parts_in(f"{title} {base_slug.replace('-', ' ')}", name, display)):
        result.diagnostics.append(warning(where[0], where[1], f"{where[2]}the title (and the slug made from it) "
                                          f"shows {', '.join(parts)}, of the fan's name, which "
                                          f"privacy.author_display ({display_policy}) does not publish: reword the "
                                          "title and rename the file before approving"))
    slug = _unique_slug(taken, counters, base_slug)
    # A yes/no column per scope is a consent answer in itself; with a consent column, both must say yes.
    accepted = value("consent").casefold() in mapping.accepted if "consent" in columns else \
        bool(scope_cells) and bool(scope)
    if accepted and not scope:
        accepted = False
        result.diagnostics.append(warning(where[0], where[1], f"{where[2]}consent: '{value('consent')}', but no scope "
                                          "chosen (where the memory may appear); imported without consent"))
    granted = (_timestamp_date(value("consent_timestamp")) or today.isoformat()) if accepted else None
    if accepted and value("consent_timestamp") and not _timestamp_date(value("consent_timestamp")):
        # The consent is then counted from the import: later than it was given, never earlier.
        result.diagnostics.append(warning(where[0], where[1], f"{where[2]}consent_timestamp: "
                                          f"'{value('consent_timestamp')}' has no date this import can read "
                                          f"(2024-02-13, 13/02/2024 or 2/13/2024); consent.granted is the day of the "
                                          f"import, {granted}: correct it from the form if it matters"))
    document: dict[str, Any] = {"title": title}
    if date:
        document["date"] = date
    if date_display:
        document["date_display"] = date_display
    author: dict[str, str] = {"id": author_id}
    if display:
        author["display"] = display
    if value("location"):
        author["location"] = value("location")
    document["author"] = author
    document["status"] = "submitted"
    if granted:
        document["consent"] = {"granted": granted, "scope": list(scope), "ref": f"c-{fingerprint[:10]}"}
    if value("label") and mapping.label_design:
        document["label"] = {"design": mapping.label_design, "text": value("label")}
    target = memories / f"{slug}.md"
    photo = value("photo")
    if photo:
        copied = _copy_photo(photo, export.parent, memories / slug, where, result.diagnostics,
                             (site_dir / "content", StoreFiles(store.root, store.root.name)))
        if copied:
            document["media"] = [{"src": copied, "alt": ""}]
            target = memories / slug / "index.md"
    front = yaml.dump(document, Dumper=_DUMPER, allow_unicode=True, sort_keys=False, default_flow_style=False)
    content = f"---\n{front}---\n{text}\n".encode()
    if len(content) > max_file_bytes:
        result.rejected += 1
        known.pop(fingerprint, None)
        _remove_bundle(target, memories)
        result.diagnostics.append(error(where[0], where[1], f"{where[2]}the memory would be {len(content):,} bytes, "
                                        f"more than limits.max_file_bytes ({max_file_bytes:,}); row left out"))
        return
    relative = target.relative_to(site_dir).as_posix()
    private = {
        "fingerprint": fingerprint, "author_id": author_id, "name": name, "email": email, "phone": phone,
        "original": text, "consent": {"answer": value("consent"), "timestamp": value("consent_timestamp"),
                                      **scope_cells},
        "source": export.name, "row": number, "imported": today.isoformat(), "memory": relative,
    }
    if submission:
        private["submission_id"] = submission
        if mapping.form:
            private["form"] = mapping.form
    written = False
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("xb") as handle:
            written = True
            handle.write(content)
        records.add(private)
    except BaseException as exc:
        # The memory goes with its private record or not at all (Ctrl-C, a full disk): without
        # the record, withdraw could not find it by email and importing again would duplicate it.
        if written:
            target.unlink(missing_ok=True)
        _remove_bundle(target, memories)
        if isinstance(exc, OSError):
            raise _StopImport(where[1], f"{where[2]}cannot write {relative} or its private record: "
                              f"{exc.strerror or exc}") from None
        raise
    result.created.append(relative)
    if submission:
        ids.seen[submission] = (known[fingerprint], relative)


def _author_id(store: PrivateStore, name: str, email: str, phone: str, text: str) -> str:
    """The fan's opaque id: by email, else name and phone; a fan who gave none is told apart by their words."""
    if email or name or phone:
        return store.author_id(email, name, phone)
    return "fan-" + store.fingerprint("anonymous", text)[:12]


def _unix_lines(text: str) -> str:
    """``text`` with every line ending a line feed. A lone carriage return (an old Mac's line
    ending) left in a memory file is a line break to the build but a ``^M`` inside one line to
    git's diffs and many editors, so that the lines the build's messages name are not the
    lines the editor sees."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _remove_bundle(target: Path, memories: Path) -> None:
    """Remove the folder this row made for a memory with a photo (its slug was new, so nothing else is in it)."""
    if target.name == "index.md" and target.parent.parent == memories:
        shutil.rmtree(target.parent, ignore_errors=True)


DERIVED_TITLE_CHARS = 80
"""The longest title made from a memory's first words (when the export has none)."""


def _name_parts_in(text: str, name: str, display: str) -> list[str]:
    """The words of the fan's ``name`` that ``display`` (the name as published) leaves out and
    ``text`` shows, as written in the name."""
    words = set(folded_words(text))
    return sorted({written for word, written in hidden_name_words(name, display).items()
                   if len(word) >= 3 and word in words})


def _title_from(text: str) -> str:
    """The first eight words of ``text``, at most :data:`DERIVED_TITLE_CHARS` characters, with an
    ellipsis when more follows."""
    words = text.split(maxsplit=8)  # the eight words, then the rest in one piece
    title = " ".join(words[:8])
    if len(title) > DERIVED_TITLE_CHARS:
        return summarize(title, DERIVED_TITLE_CHARS)
    return title + ("…" if len(words) > 8 else "")


def _unique_slug(taken: set[str], counters: dict[str, int], base: str) -> str:
    """``base``, or ``base-2``, ``base-3``… : the first not taken (and now taken), nor a device's
    name on Windows (a memory titled "Nul"), where ``nul.md`` cannot be checked out and writing it
    writes nothing."""
    slug, counter = base, counters.get(base, 2)
    while slug in taken or is_windows_device(slug):
        slug = f"{base}-{counter}"
        counter += 1
    counters[base] = counter
    taken.add(slug)
    return slug


PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".avif", ".gif", ".tif", ".tiff", ".bmp")
"""The files an export's photo column may name: the images a site can use."""


def _copy_photo(photo: str, export_dir: Path, bundle: Path, where: tuple[str, int, str],
                problems: list[Diagnostic], kept: tuple[Path, StoreFiles]) -> str | None:
    """Copy the photo an export's cell names into ``bundle``; its name there, or ``None``.
    ``kept``: the site's content folder and its private store, whose files a cell may not name."""
    if re.match(r"[a-z][a-z0-9+.-]*://", photo, re.IGNORECASE):
        problems.append(warning(where[0], where[1], f"{where[2]}photo is a URL ({photo}); not fetched — download it and "
                                "add it to the memory by hand"))
        return None
    source = (export_dir / photo).resolve()
    if not source.is_relative_to(export_dir.resolve()) or not source.is_file():
        problems.append(warning(where[0], where[1], f"{where[2]}photo '{photo}' not found beside the export; not copied"))
        return None
    content, store = kept
    if source.is_relative_to(content.resolve()) or store.holds(export_dir / photo):
        # An export beside the site's folders (at its root, say) reaches them too: a fan's cell
        # naming another fan's photo (a withdrawn one's, say) or a scan in the private store would
        # copy it into this memory, which is versioned, and published once approved.
        problems.append(warning(where[0], where[1], f"{where[2]}photo '{photo}' is one of the site's content or "
                                "private store files, not a photo sent with the export; not copied"))
        return None
    if source.suffix.lower() not in PHOTO_SUFFIXES:
        # A fan's cell may name any file beside the export (the private store, another export):
        # only a photo is copied into the content tree, which is versioned.
        problems.append(warning(where[0], where[1], f"{where[2]}photo '{photo}' is not a photo (JPEG, PNG, WebP, "
                                "AVIF, GIF, TIFF or BMP); not copied"))
        return None
    bundle.mkdir(parents=True, exist_ok=True)
    name = "photo" + source.suffix.lower()
    # The content tree is versioned: a phone's photo comes in without where it was taken.
    data = source.read_bytes()
    stripped = photometa.jpeg_without_location(data) if name.endswith((".jpg", ".jpeg")) else None
    (bundle / name).write_bytes(stripped if stripped is not None else data)
    if stripped is None and (place := photometa.location_in(bundle / name)) is not None:
        problems.append(warning(where[0], where[1], f"{where[2]}photo '{photo}' holds {place} (where it was "
                                "taken): the site never publishes it, but git would keep it with the file; strip "
                                f"it (exiftool -gps:all= -xmp:all= {bundle.name}/{name})"))
    return name
