"""Lay a label out: the engine both the build and the browser run (``label-maker.js``).

For each zone, in the design's order:

1. clean the text (:func:`storysite.labels.text.clean`); an emoji is refused
   when the design says ``emoji: reject`` (else it was dropped);
2. nothing left: refused (``empty``), unless the zone is optional;
3. more grapheme clusters than ``max_chars``: refused (``too_long``);
4. a cluster with more than :data:`~storysite.labels.text.MAX_MARKS`
   combining marks: refused (``marks``);
5. the text policy (:func:`storysite.labels.policy.is_refused`): ``blocked``;
6. case by the site language, then every code point must be in the font's
   cmap (``unsupported``, naming where the first one that is not stands, and its
   code point ``U+0414`` for editors; a refusal never shows the refused text);
7. fit: from the largest size to the smallest, one pixel at a time, take the
   first size at which the text fits the box on one line or, when the zone
   allows two lines, on two (breaking at a space, which goes, or after a
   hyphen, which stays; the break that makes the longer line shortest wins,
   the first such on a tie). Nothing fits at the smallest size: ``no_fit``.

Widths are whole font units (advances plus kerning between the first code
points of neighbouring clusters), compared as ``width × size ≤ box width ×
units per em`` so that no rounding can differ between the two engines.
Positions are then computed in pixels by the same formulas, in the same
order, in both (see :func:`_place`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from storysite.labels.metrics import FontMetrics
from storysite.labels.policy import FOLD_MAP, Policy, is_refused
from storysite.labels.text import MAX_MARKS, apply_case, clean, emoji_tables, graphemes, marks

HYPHENS = ("-", "\u2010")
REASONS = ("empty", "emoji", "too_long", "marks", "blocked", "unsupported", "no_fit")


@dataclass(frozen=True)
class ZoneSpec:
    """A zone as the engine sees it (and as the browser receives it)."""

    name: str
    box: tuple[int, int, int, int]
    size_min: int
    size_max: int
    align: str
    uppercase: bool
    max_chars: int
    lines: int
    line_advance: int
    """Distance between two baselines, in font units."""
    font: str
    """Key of the zone's font in :attr:`EngineSpec.fonts`."""
    color: str = "#000000"
    optional: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "box": list(self.box), "sizeMin": self.size_min, "sizeMax": self.size_max,
            "align": self.align, "uppercase": self.uppercase, "maxChars": self.max_chars, "lines": self.lines,
            "lineAdvance": self.line_advance, "font": self.font, "color": self.color, "optional": self.optional,
        }


@dataclass(frozen=True)
class EngineSpec:
    """Everything the engine needs to lay out one design."""

    language: str
    emoji: str
    zones: tuple[ZoneSpec, ...]
    fonts: Mapping[str, FontMetrics]
    policy: Policy

    def to_json(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "emoji": self.emoji,
            "zones": [zone.to_json() for zone in self.zones],
            "fonts": {key: metrics.to_json() for key, metrics in sorted(self.fonts.items())},
            "policy": self.policy.to_json(),
            "foldMap": FOLD_MAP,
            "emojiTables": emoji_tables(),
        }


@dataclass(frozen=True)
class Refusal:
    """Why a text cannot go on the label; the reason is one of :data:`REASONS`."""

    reason: str
    zone: str
    limit: int = 0
    char: str = ""
    """The code point the font cannot draw (``U+0414``)."""
    position: int = 0
    """Where that character is (the 1-based number of its grapheme cluster): a message names the
    place, never the character, which may be a symbol nobody should see printed back."""

    def to_json(self) -> dict[str, Any]:
        """The refusal as the parity test compares it with the browser's."""
        return {"ok": False, "reason": self.reason, "zone": self.zone, "limit": self.limit, "char": self.char,
                "position": self.position}

    def message(self) -> str:
        """A neutral sentence in English (the site's own words come from its theme strings)."""
        return {
            "empty": "Write a name to see it on the label.",
            "emoji": "Emoji cannot be printed on this label.",
            "too_long": f"This is too long for the label: {self.limit} characters at most.",
            "marks": f"This label can print at most {self.limit} accents on one character.",
            "blocked": "We cannot print this text on a label. Please choose another one.",
            "unsupported": f"Character {self.position} ({self.char}) cannot be printed on this label.",
            "no_fit": "This does not fit on the label. Please try a shorter version.",
        }[self.reason]


@dataclass(frozen=True)
class LineLayout:
    """One line: its clusters, each one's pen position, the baseline and the width (pixels)."""

    clusters: tuple[str, ...]
    xs: tuple[float, ...]
    baseline: float
    width: float

    @property
    def text(self) -> str:
        return "".join(self.clusters)


@dataclass(frozen=True)
class ZoneLayout:
    zone: str
    text: str
    size: int
    lines: tuple[LineLayout, ...]


@dataclass(frozen=True)
class LabelLayout:
    zones: tuple[ZoneLayout, ...]

    def to_json(self) -> dict[str, Any]:
        """The result as the parity test compares it with the browser's."""
        return {"ok": True, "zones": [
            {"zone": z.zone, "text": z.text, "size": z.size, "lines": [
                {"text": line.text, "xs": list(line.xs), "baseline": line.baseline, "width": line.width}
                for line in z.lines]}
            for z in self.zones]}


def layout_label(spec: EngineSpec, texts: Mapping[str, str]) -> LabelLayout | Refusal:
    """Lay out every zone; the first refusal, in zone order, is the answer."""
    zones: list[ZoneLayout] = []
    for zone in spec.zones:
        result = layout_zone(spec, zone, texts.get(zone.name, ""))
        if isinstance(result, Refusal):
            return result
        zones.append(result)
    return LabelLayout(tuple(zones))


def layout_zone(spec: EngineSpec, zone: ZoneSpec, typed: str) -> ZoneLayout | Refusal:
    """Steps 1 to 7 of the module's specification for one zone."""
    cleaned = clean(typed)
    if cleaned.had_emoji and spec.emoji == "reject":
        return Refusal("emoji", zone.name)
    clusters = graphemes(cleaned.text)
    if not clusters:
        return ZoneLayout(zone.name, "", 0, ()) if zone.optional else Refusal("empty", zone.name)
    if len(clusters) > zone.max_chars:
        return Refusal("too_long", zone.name, limit=zone.max_chars)
    if any(marks(cluster) > MAX_MARKS for cluster in clusters):
        return Refusal("marks", zone.name, limit=MAX_MARKS)
    if is_refused(cleaned.text, spec.policy):
        return Refusal("blocked", zone.name)
    typed_clusters = clusters
    text = apply_case(cleaned.text, zone.uppercase, spec.language)
    clusters = graphemes(text)
    metrics = spec.fonts[zone.font]
    for char in text:
        if not metrics.can_draw(char):
            return Refusal("unsupported", zone.name, char=code_point(char),
                           position=_position_of(char, typed_clusters, zone, spec.language))
    lines = _fit(zone, clusters, metrics)
    if lines is None:
        return Refusal("no_fit", zone.name)
    size, parts = lines
    return ZoneLayout(zone.name, text, size, _place(zone, metrics, size, parts))


def _position_of(char: str, typed: Sequence[str], zone: ZoneSpec, language: str) -> int:
    """Which of the clusters as typed (cleaned, before case) gives ``char`` once cased: the place
    a visitor counts to ("Straße Д": 8, where the cased "STRASSE Д" has it 9th)."""
    for position, cluster in enumerate(typed, start=1):
        if char in apply_case(cluster, zone.uppercase, language):
            return position
    return 0


def code_point(char: str) -> str:
    """A character's code point, as messages name it: ``U+0414``."""
    return f"U+{ord(char):04X}"


def _fit(zone: ZoneSpec, clusters: Sequence[str], metrics: FontMetrics) -> tuple[int, list[list[str]]] | None:
    upem = metrics.units_per_em
    advances = [sum(metrics.advances[c] for c in cluster) for cluster in clusters]
    kerns = [0] + [metrics.kern(clusters[i - 1][0], clusters[i][0]) for i in range(1, len(clusters))]

    def width(start: int, end: int) -> int:
        return sum(advances[start:end]) + sum(kerns[start + 1 : end])

    whole = width(0, len(clusters))
    best: tuple[int, int, int] | None = None  # (longer line, end of line 1, start of line 2)
    if zone.lines >= 2:
        for i in range(1, len(clusters)):
            if clusters[i] == " ":
                cut = (i, i + 1)
            elif clusters[i - 1] in HYPHENS:
                cut = (i, i)
            else:
                continue
            longer = max(width(0, cut[0]), width(cut[1], len(clusters)))
            if best is None or longer < best[0]:
                best = (longer, cut[0], cut[1])
    _, _, box_w, box_h = zone.box
    ink = metrics.ascender - metrics.descender
    for size in range(zone.size_max, zone.size_min - 1, -1):
        if ink * size <= box_h * upem and whole * size <= box_w * upem:
            return size, [list(clusters)]
        if best is not None and (zone.line_advance + ink) * size <= box_h * upem and best[0] * size <= box_w * upem:
            return size, [list(clusters[: best[1]]), list(clusters[best[2] :])]
    return None


def _place(zone: ZoneSpec, metrics: FontMetrics, size: int, parts: list[list[str]]) -> tuple[LineLayout, ...]:
    """Pixel positions; ``label-maker.js`` ``place`` repeats these formulas operation for operation."""
    x, y, w, h = zone.box
    k = size / metrics.units_per_em
    n = len(parts)
    lh = zone.line_advance
    cap = metrics.cap_height
    baseline = y + (h - (cap + (n - 1) * lh) * k) / 2 + cap * k
    top = y + metrics.ascender * k
    if baseline < top:
        baseline = top
    bottom = y + h - ((n - 1) * lh - metrics.descender) * k
    if baseline > bottom:
        baseline = bottom
    lines = []
    for index, clusters in enumerate(parts):
        offsets = []
        units = 0
        for j, cluster in enumerate(clusters):
            if j > 0:
                units += metrics.kern(clusters[j - 1][0], cluster[0])
            offsets.append(units)
            units += sum(metrics.advances[c] for c in cluster)
        line_width = units * k
        x0: float
        if zone.align == "left":
            x0 = x
        elif zone.align == "right":
            x0 = x + w - line_width
        else:
            x0 = x + (w - line_width) / 2
        lines.append(LineLayout(tuple(clusters), tuple(x0 + u * k for u in offsets),
                                baseline + index * lh * k, line_width))
    return tuple(lines)
