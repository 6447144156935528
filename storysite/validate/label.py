"""Validate a personalised-label design (SPEC: Personalised labels).

Files the design names are checked here, each problem at the line that names
it: the artwork (an image whose size bounds the zones), the fonts (a path
relative to the design; when there is no such file, the theme's static files
are searched later, in :mod:`storysite.labels.design`) and the word lists.
"""

from __future__ import annotations

import posixpath
import re
import warnings
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError

from storysite import routing
from storysite.config.options import describe
from storysite.diagnostics import Diagnostic, error, warning
from storysite.images import decode_problem, image_dimensions
from storysite.labels.policy import entry_keys
from storysite.load import RawItem, is_inside
from storysite.model import LabelDesign, LabelFontRef, LabelZone, Origin, WordList
from storysite.validate.fields import (
    FieldReader,
    item_origin,
    item_slug,
    open_item,
    read_aliases,
    resolve_media_path,
)
from storysite.yamlio import YamlList, YamlMap, decode_text

KNOWN_FIELDS = ("title", "slug", "description", "artwork", "alt", "example", "zones", "emoji",
                "blocked_words", "allowed_names", "text", "aliases")
ZONE_FIELDS = ("name", "box", "font", "size", "color", "align", "uppercase", "max_chars", "lines",
               "line_height", "optional", "prompt")
EMOJI_POLICIES = ("reject", "strip")
ALIGNMENTS = ("left", "center", "right")
DEFAULT_LIST = "default"
BUNDLED_LISTS = Path(__file__).resolve().parent.parent / "labels" / "lists"
ARTWORK_FORMATS = ("PNG", "JPEG", "WEBP")
MAX_ARTWORK = 4000
MAX_SIZE = 2000
MAX_CHARS = 200
_ZONE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})\Z")


def validate_label(item: RawItem, site_dir: Path) -> tuple[LabelDesign | None, list[Diagnostic]]:
    """A :class:`LabelDesign` from raw fields, or ``None`` when it cannot be used."""
    read, problems, title = open_item(item, KNOWN_FIELDS)
    slug = item_slug(item, read)
    artwork, size = _artwork(read, site_dir)
    zones, fonts = _zones(read, size, site_dir)
    design = LabelDesign(
        origin=item_origin(item),
        slug=slug,
        title=title,
        artwork=artwork or "",
        artwork_size=size or (0, 0),
        zones=zones,
        description=read.text("description"),
        alt=read.text("alt"),
        example=read.text("example"),
        example_line=read.line("example"),
        description_line=read.line("description") if read.has("description") else 0,
        alt_line=read.line("alt") if read.has("alt") else 0,
        emoji=read.choice("emoji", EMOJI_POLICIES, "reject"),
        blocked_words=_lists(read, "blocked_words", site_dir),
        allowed_names=_lists(read, "allowed_names", site_dir),
        fonts=fonts,
        aliases=read_aliases(read, routing.label_url(slug) if slug else ""),
    )
    if not slug:
        return None, problems
    if not title or artwork is None or not zones or len(zones) != _zone_count(read):
        # Unusable, but kept: its fonts are looked for among the theme's files later, so that
        # every problem of the design is reported in one run.
        design = replace(design, usable=False)
    return design, problems


def _zone_count(read: FieldReader) -> int:
    value = read.fields.get("zones")
    return len(value) if isinstance(value, YamlList) else -1


def _artwork(read: FieldReader, site_dir: Path) -> tuple[str | None, tuple[int, int] | None]:
    src = read.text("artwork", required=True, path=True)
    if not src:
        return None, None
    path, reason = resolve_media_path(src, read.path, site_dir)
    if path is None:
        read.fail("artwork", reason or "not found")
        return None, None
    kind, size, problem = read_artwork(site_dir / path)
    if problem:
        read.fail("artwork", f"'{src}' {problem}")
        return None, None
    assert kind is not None and size is not None
    return path, size


def read_artwork(path: Path) -> tuple[str | None, tuple[int, int] | None, str]:
    """The artwork's format and size, decoded in full; or what is wrong with it (a message
    that follows its name).

    The size is read from the header first, without Pillow's decompression-bomb check (which
    raises, or warns on standard error, for a header that claims billions of pixels): a
    picture larger than :data:`MAX_ARTWORK` on a side is refused before anything is decoded.
    Only then is it decoded whole (at most 16 megapixels, about 50 ms for a label), so that a
    damaged file is an error at its line here rather than a crash when the label is drawn.
    """
    unreadable = "is not an image that can be read (use PNG, JPEG or WebP)"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
    except Image.DecompressionBombError:
        width, height = image_dimensions(path) or (0, 0)
        return None, None, _too_large(width, height)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        return None, None, unreadable
    with image:
        kind, (width, height) = image.format, image.size
        if kind not in ARTWORK_FORMATS:
            return None, None, f"is a {kind} image; use PNG, JPEG or WebP"
        if max(width, height) > MAX_ARTWORK:
            return None, None, _too_large(width, height)
        problem = decode_problem(image)
        if problem is not None:
            return None, None, problem
    return kind, (int(width), int(height)), ""


def _too_large(width: int, height: int) -> str:
    return (f"is {width}×{height} pixels, too large for a label's artwork: at most {MAX_ARTWORK} pixels on a side "
            "(a picture this big may be a decompression bomb, or needs resizing before use)")


def _zones(read: FieldReader, artwork: tuple[int, int] | None, site_dir: Path
           ) -> tuple[tuple[LabelZone, ...], tuple[LabelFontRef, ...]]:
    """The usable zones, and every zone's font (the unusable zones' too)."""
    value = read.fields.get("zones")
    if value is None:
        read.problems.append(error(read.path, read.fields.line or 1, "'zones' is required: at least one text zone"))
        return (), ()
    if not isinstance(value, YamlList):
        read.fail("zones", f"expected a list of text zones, got {describe(value)}")
        return (), ()
    if not value:
        read.fail("zones", "the list is empty: give at least one text zone")
        return (), ()
    zones: list[LabelZone] = []
    fonts: list[LabelFontRef] = []
    names: dict[str, int] = {}
    for index, entry in enumerate(value):
        line = value.line_of(index)
        if not isinstance(entry, YamlMap):
            read.problems.append(error(read.path, line, f"zones: each zone is a mapping of fields, got {describe(entry)}"))
            continue
        zone, font = _zone(FieldReader(read.path, entry, read.problems, f"zones[{index + 1}]."), artwork, site_dir,
                           index + 1)
        if font is not None:
            fonts.append(font)
        if zone is None:
            continue
        if zone.name in names:
            read.problems.append(error(read.path, line, f"zones: two zones are named '{zone.name}' "
                                       f"(the other on line {names[zone.name]})"))
            continue
        names[zone.name] = line
        zones.append(zone)
    if zones and len(zones) == len(value) and all(zone.optional for zone in zones):
        read.fail("zones", "every zone is optional; at least one must be filled in")
    return tuple(zones), tuple(fonts)


def _zone(read: FieldReader, artwork: tuple[int, int] | None, site_dir: Path, number: int
          ) -> tuple[LabelZone | None, LabelFontRef | None]:
    read.unknown(ZONE_FIELDS)
    ok = True
    name = read.text("name", required=True)
    if name and not _ZONE_NAME.match(name):
        read.fail("name", f"'{name}' must be lower-case letters, digits, - or _")
        ok = False
    box = _box(read, artwork)
    size = _size(read)
    font, in_theme = _font(read, site_dir)
    color = read.text("color", default="#000000")
    if not _COLOR.match(color):
        read.fail("color", f"expected a colour such as \"#7b3f00\", got {describe(read.fields.get('color'))}")
        color = "#000000"
    elif len(color) == 4:
        color = "#" + "".join(c * 2 for c in color[1:])
    max_chars = read.integer("max_chars")
    if max_chars is not None and not 1 <= max_chars <= MAX_CHARS:
        read.fail("max_chars", f"must be between 1 and {MAX_CHARS}, got {max_chars}")
        max_chars = None
    lines = read.integer("lines")
    if lines is not None and lines not in (1, 2):
        read.fail("lines", f"a zone holds 1 or 2 lines, got {lines}")
        lines = None
    line_height = _line_height(read)
    # Every field is read, even when the zone is already unusable, so that all its problems
    # are reported in one run.
    align = read.choice("align", ALIGNMENTS, "center")
    uppercase = read.boolean("uppercase")
    optional = read.boolean("optional")
    prompt = read.text("prompt")
    font_ref = None if font is None else LabelFontRef(number, font, read.line("font"), in_theme)
    if not name or box is None or size is None or font is None:
        ok = False
    if not ok:
        return None, font_ref
    assert box is not None and size is not None and font is not None
    return LabelZone(
        origin=Origin(read.path, read.fields.line),
        name=name,
        box=box,
        font=font,
        font_line=read.line("font"),
        size=size,
        color=color.lower(),
        align=align,
        uppercase=uppercase,
        max_chars=max_chars or 20,
        lines=lines or 1,
        line_height=line_height,
        optional=optional,
        prompt=prompt,
        font_in_theme=in_theme,
        box_line=read.line("box"),
        number=number,
        prompt_line=read.line("prompt") if read.has("prompt") else 0,
    ), font_ref


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _bad_items(values: list[Any], names: tuple[str, ...], good: Callable[[Any], bool]) -> str:
    """The items that are not ``good``, by name: "10.5 for x and -1 for y"."""
    bad = [f"{describe(value)} for {name}" for value, name in zip(values, names, strict=False) if not good(value)]
    return " and ".join(bad)


def _box(read: FieldReader, artwork: tuple[int, int] | None) -> tuple[int, int, int, int] | None:
    if not read.has("box"):
        read.problems.append(error(read.path, read.fields.line, f"'{read.prefix}box' is required: [x, y, width, height]"))
        return None
    raw = read.fields["box"]
    expected = "expected [x, y, width, height] in whole pixels"
    if not isinstance(raw, list) or len(raw) != 4:
        got = f"a list of {len(raw)}" if isinstance(raw, list) else describe(raw)
        read.fail("box", f"{expected}, got {got}")
        return None
    bad = _bad_items(raw, ("x", "y", "width", "height"), _whole)
    if bad:
        read.fail("box", f"{expected}, got {bad}")
        return None
    x, y, width, height = raw
    if width <= 0 or height <= 0:
        read.fail("box", f"width and height must be above 0, got {width}×{height}")
        return None
    if x < 0 or y < 0 or (artwork is not None and (x + width > artwork[0] or y + height > artwork[1])):
        where = f"the {artwork[0]}×{artwork[1]} artwork" if artwork else "the artwork"
        read.fail("box", f"[{x}, {y}, {width}, {height}] reaches outside {where}")
        return None
    return x, y, width, height


def _size(read: FieldReader) -> tuple[int, int] | None:
    if not read.has("size"):
        read.problems.append(error(read.path, read.fields.line, f"'{read.prefix}size' is required: [smallest, largest]"))
        return None
    raw = read.fields["size"]
    expected = "expected [smallest, largest] font sizes in whole pixels, or one size"
    if isinstance(raw, list):
        if len(raw) not in (1, 2):
            read.fail("size", f"{expected}, got a list of {len(raw)}")
            return None
        numbers, names = list(raw), ("the smallest", "the largest") if len(raw) == 2 else ("the size",)
    else:
        numbers, names = [raw], ("the size",)
    bad = _bad_items(numbers, names, _whole)
    if bad:
        read.fail("size", f"{expected}, got {bad}")
        return None
    bad = _bad_items(numbers, names, lambda n: 4 <= n <= MAX_SIZE)
    if bad:
        read.fail("size", f"font sizes must be between 4 and {MAX_SIZE} pixels, got {bad}")
        return None
    smallest, largest = numbers[0], numbers[-1]
    if smallest > largest:
        read.fail("size", f"the range [{smallest}, {largest}] is inverted; write the smallest size first: "
                          f"[{largest}, {smallest}]")
        return None
    return smallest, largest


def _line_height(read: FieldReader) -> float | None:
    value = read.fields.get("line_height")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.5 <= value <= 3:
        read.fail("line_height", f"expected a multiple of the font size between 0.5 and 3, got {describe(value)}")
        return None
    return float(value)


def _font(read: FieldReader, site_dir: Path) -> tuple[str | None, bool]:
    src = read.text("font", required=True, path=True)
    if not src:
        return None, False
    if "\x00" in src or "\\" in src or re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", src) or src.startswith("//"):
        read.fail("font", f"'{src}' is not a path to a font file")
        return None, False
    if not src.lower().endswith((".ttf", ".otf")):
        read.fail("font", f"'{src}' is not a TrueType or OpenType font (.ttf or .otf)")
        return None, False
    joined = src.lstrip("/") if src.startswith("/") else posixpath.join(posixpath.dirname(read.path), src)
    normal = posixpath.normpath(joined)
    if normal.startswith("../") or normal == "..":
        read.fail("font", f"'{src}' leaves the site folder")
        return None, False
    target = site_dir / normal
    if target.is_file() and is_inside(target, site_dir):
        return normal, False
    # Not beside the design: a font among the theme's static files (checked once the theme is known).
    logical = posixpath.normpath(src.lstrip("/"))
    if logical.startswith("../"):
        read.fail("font", f"'{src}' was not found (looked for {normal})")
        return None, False
    return logical, True


def _lists(read: FieldReader, key: str, site_dir: Path) -> tuple[WordList, ...]:
    value = read.fields.get(key)
    names: list[str]
    if value is None:
        names = [DEFAULT_LIST]
    elif isinstance(value, str):
        names = [value]
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        names = list(value)
    else:
        read.fail(key, f"expected a file name or a list of them (or '{DEFAULT_LIST}'), got {describe(value)}")
        return ()
    lists: list[WordList] = []
    for name in names:
        if name.strip() == DEFAULT_LIST:
            lists.append(_bundled(key))
            continue
        path, reason = resolve_media_path(name.strip(), read.path, site_dir)
        if path is None:
            read.fail(key, f"cannot be read: {reason}")
            continue
        data = (site_dir / path).read_bytes()
        if b"\x00" in data:
            read.fail(key, f"'{name}' cannot be read: it is not a text file (one word or phrase per line)")
            continue
        text, problem = decode_text(data)
        if text is None:
            assert problem is not None
            read.fail(key, f"'{name}' cannot be read: line {problem.line} is {problem.message}")
            continue
        entries = _entries(text)
        for entry, line in entries:
            if not entry_keys(entry):
                read.problems.append(warning(path, line, "this entry has no letters and can never match; it is ignored"))
        lists.append(WordList(path, tuple((e, n) for e, n in entries if entry_keys(e))))
    return tuple(lists)


def _entries(text: str) -> list[tuple[str, int]]:
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        entry = line.strip()
        if entry and not entry.startswith("#"):
            found.append((entry, number))
    return found


def _bundled(key: str) -> WordList:
    name = "blocked.txt" if key == "blocked_words" else "names.txt"
    text = (BUNDLED_LISTS / name).read_text("utf-8")
    return WordList(DEFAULT_LIST, tuple(_entries(text)))
