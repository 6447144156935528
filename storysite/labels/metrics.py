"""A font's own metrics, read from the font file: advance widths, kerning, cmap.

Both label engines lay text out from these numbers, never from a renderer's
text measurement (Pillow's and the browser's differ by a pixel here and
there). :func:`read_metrics` reads a TrueType/OpenType font with fontTools;
:meth:`FontMetrics.to_json` is the compact form shipped to the browser, and
the Python engine itself lays out from :meth:`FontMetrics.from_json` of it,
so that both read the very same data.

Combining marks (general categories Mn and Me) are given no advance,
whatever the font's ``hmtx`` says: shapers (HarfBuzz, in the browser and in
Pillow's raqm layout) draw a mark over its base letter, so it takes no room
on the line.

Kerning is the ``kern`` feature of the GPOS table (pair adjustment, glyph
pairs and class pairs, the first subtable that covers a pair deciding it, as
shapers do), or the legacy ``kern`` table when there is no GPOS kerning.
Only the first glyph's advance adjustment is used.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import pickle
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont


class FontError(Exception):
    """The file is not a font this engine can read (the message says why)."""


@dataclass(frozen=True)
class FontMetrics:
    """Everything layout needs from one font, in font units."""

    units_per_em: int
    ascender: int
    descender: int
    cap_height: int
    advances: Mapping[str, int]
    """Advance width of every character the font can draw (its cmap); 0 for combining marks."""
    kerning: Mapping[tuple[str, str], int] = field(default_factory=dict)
    """Adjustment between two characters, when not zero."""

    def can_draw(self, char: str) -> bool:
        return char in self.advances

    def kern(self, left: str, right: str) -> int:
        return self.kerning.get((left, right), 0)

    def to_json(self) -> dict[str, Any]:
        """Compact form: characters in code-point order, and kerning by classes."""
        chars = sorted(self.advances)
        rows: dict[str, dict[str, int]] = defaultdict(dict)
        columns: dict[str, dict[str, int]] = defaultdict(dict)
        for (left, right), value in self.kerning.items():
            rows[left][right] = value
            columns[right][left] = value
        left_classes = _classes(rows)
        right_classes = _classes(columns)
        left_index = {char: i for i, group in enumerate(left_classes) for char in group}
        right_index = {char: i for i, group in enumerate(right_classes) for char in group}
        values = sorted({(left_index[a], right_index[b], v) for (a, b), v in self.kerning.items()})
        return {
            "upem": self.units_per_em,
            "ascender": self.ascender,
            "descender": self.descender,
            "capHeight": self.cap_height,
            "chars": "".join(chars),
            "advances": [self.advances[c] for c in chars],
            "kernLeft": ["".join(group) for group in left_classes],
            "kernRight": ["".join(group) for group in right_classes],
            "kern": [list(v) for v in values],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FontMetrics:
        chars = list(data["chars"])
        lefts = [list(group) for group in data["kernLeft"]]
        rights = [list(group) for group in data["kernRight"]]
        kerning = {
            (a, b): int(value)
            for li, ri, value in data["kern"]
            for a in lefts[li]
            for b in rights[ri]
        }
        return cls(
            units_per_em=int(data["upem"]),
            ascender=int(data["ascender"]),
            descender=int(data["descender"]),
            cap_height=int(data["capHeight"]),
            advances=dict(zip(chars, (int(a) for a in data["advances"]), strict=True)),
            kerning=kerning,
        )


def _classes(table: Mapping[str, Mapping[str, int]]) -> list[list[str]]:
    """Characters grouped by identical kerning rows (or columns), in a stable order."""
    groups: dict[tuple[tuple[str, int], ...], list[str]] = defaultdict(list)
    for char in sorted(table):
        groups[tuple(sorted(table[char].items()))].append(char)
    return sorted(groups.values())


@functools.lru_cache(maxsize=16)
def read_metrics(data: bytes) -> FontMetrics:
    """The metrics of a font file's bytes (raises :class:`FontError`).

    Reading kerning from a font takes about a second, so results are also kept
    on disk (in the user's cache folder), keyed by the font's hash and
    storysite's code: a pure function's result, whoever computes it.
    """
    from storysite.cache import code_stamp

    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "storysite" / "font-metrics"
    stored = folder / f"{hashlib.sha256(data).hexdigest()}-{code_stamp()[:16]}.pickle"
    try:
        with stored.open("rb") as handle:
            cached = pickle.load(handle)
        if isinstance(cached, FontMetrics):
            return cached
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError, ImportError):
        pass
    metrics = _read_metrics(data)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary = stored.with_name(f".{stored.name}.{os.getpid()}")
        temporary.write_bytes(pickle.dumps(metrics, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temporary, stored)
    except OSError:
        pass  # a cache that cannot be written only costs time
    return metrics


def _read_metrics(data: bytes) -> FontMetrics:
    # Imported here: a build whose fonts' metrics are cached never needs fontTools.
    from fontTools.ttLib import TTFont, TTLibError

    try:
        font = TTFont(io.BytesIO(data), lazy=True)
        cmap = font.getBestCmap()
        upem = int(font["head"].unitsPerEm)
        hmtx = font["hmtx"].metrics
        hhea = font["hhea"]
    except (TTLibError, KeyError, AssertionError, ValueError, TypeError, OSError, IndexError) as exc:
        raise FontError(f"is not a font that can be read ({exc or type(exc).__name__})") from None
    if not cmap:
        raise FontError("has no Unicode character map")
    chars = {chr(cp): name for cp, name in cmap.items() if not 0xD800 <= cp <= 0xDFFF}
    advances = {char: 0 if unicodedata.category(char) in ("Mn", "Me") else int(hmtx[name][0])
                for char, name in chars.items() if name in hmtx}
    cap_height = _cap_height(font, cmap, upem)
    by_glyph: dict[str, list[str]] = defaultdict(list)
    for char, name in chars.items():
        by_glyph[name].append(char)
    try:
        glyph_pairs = _gpos_kerning(font, set(by_glyph)) or _kern_table(font, set(by_glyph))
    except (KeyError, AttributeError, IndexError, TypeError, TTLibError, AssertionError):
        glyph_pairs = {}  # unusual kerning data: lay out without it rather than fail
    kerning = {
        (a, b): value
        for (g1, g2), value in glyph_pairs.items()
        if value
        for a in by_glyph[g1]
        for b in by_glyph[g2]
    }
    return FontMetrics(upem, int(hhea.ascent), int(hhea.descent), cap_height, dict(sorted(advances.items())),
                       dict(sorted(kerning.items())))


def _cap_height(font: TTFont, cmap: Mapping[int, str], upem: int) -> int:
    os2 = font.get("OS/2")
    value = getattr(os2, "sCapHeight", 0) if os2 is not None else 0
    if value:
        return int(value)
    if "glyf" in font and ord("H") in cmap:
        glyph = font["glyf"][cmap[ord("H")]]
        if hasattr(glyph, "yMax"):
            return int(glyph.yMax)
    return round(upem * 0.7)


def _kern_lookups(gpos: Any) -> list[int]:
    features = gpos.FeatureList.FeatureRecord if gpos.FeatureList else []
    kern = {i for i, record in enumerate(features) if record.FeatureTag == "kern"}
    chosen: set[int] = set()
    for record in gpos.ScriptList.ScriptRecord if gpos.ScriptList else []:
        if record.ScriptTag in ("latn", "DFLT") and record.Script.DefaultLangSys is not None:
            chosen.update(i for i in record.Script.DefaultLangSys.FeatureIndex if i in kern)
    lookups: set[int] = set()
    for index in sorted(chosen or kern):
        lookups.update(features[index].Feature.LookupListIndex)
    return sorted(lookups)


def _advance(value: Any) -> int:
    return int(getattr(value, "XAdvance", 0) or 0) if value is not None else 0


def _gpos_kerning(font: TTFont, wanted: set[str]) -> dict[tuple[str, str], int]:
    if "GPOS" not in font:
        return {}
    gpos = font["GPOS"].table
    total: dict[tuple[str, str], int] = defaultdict(int)
    for index in _kern_lookups(gpos):
        lookup = gpos.LookupList.Lookup[index]
        subtables: Iterable[Any] = lookup.SubTable
        if lookup.LookupType == 9:
            subtables = [sub.ExtSubTable for sub in lookup.SubTable]
        decided: dict[tuple[str, str], int] = {}
        decided_first: set[str] = set()
        for sub in subtables:
            if getattr(sub, "LookupType", 2) != 2:
                continue
            if sub.Format == 1:
                for position, first in enumerate(sub.Coverage.glyphs):
                    if first not in wanted or first in decided_first:
                        continue
                    for record in sub.PairSet[position].PairValueRecord:
                        pair = (first, record.SecondGlyph)
                        if record.SecondGlyph in wanted and pair not in decided:
                            decided[pair] = _advance(record.Value1)
            elif sub.Format == 2:
                classes1 = sub.ClassDef1.classDefs if sub.ClassDef1 else {}
                classes2 = sub.ClassDef2.classDefs if sub.ClassDef2 else {}
                for first in sub.Coverage.glyphs:
                    if first not in wanted or first in decided_first:
                        continue
                    row = sub.Class1Record[classes1.get(first, 0)].Class2Record
                    for second in wanted:
                        column = classes2.get(second, 0)
                        if (first, second) not in decided and column < len(row):
                            value = _advance(row[column].Value1)
                            if value:
                                decided[(first, second)] = value
                    decided_first.add(first)
        for pair, value in decided.items():
            total[pair] += value
    return {pair: value for pair, value in total.items() if value}


def _kern_table(font: TTFont, wanted: set[str]) -> dict[tuple[str, str], int]:
    if "kern" not in font:
        return {}
    pairs: dict[tuple[str, str], int] = {}
    for table in font["kern"].kernTables:
        for (first, second), value in getattr(table, "kernTable", {}).items():
            if first in wanted and second in wanted and (first, second) not in pairs:
                pairs[(first, second)] = int(value)
    return pairs
