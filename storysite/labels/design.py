"""A validated design made ready to lay out: its fonts found and measured, its lists digested.

:func:`prepare_design` is the step between validation (which knows the site)
and layout (which knows nothing but numbers): it finds each zone's font,
beside the design or among the theme's static files, reads its metrics, and
builds the :class:`~storysite.labels.layout.EngineSpec` both engines use.
"""

from __future__ import annotations

import hashlib
import posixpath
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from storysite.diagnostics import Diagnostic, error
from storysite.images import is_wide_grey
from storysite.labels.layout import EngineSpec, LabelLayout, Refusal, ZoneSpec, layout_label
from storysite.labels.metrics import FontError, FontMetrics, read_metrics
from storysite.labels.policy import build_policy
from storysite.model import LabelDesign, LabelZone


@dataclass(frozen=True)
class FontFile:
    """A font a design draws with: where it is, its hash, and the browser's copy."""

    key: str
    path: Path
    sha256: str
    family: str
    """The CSS family name the label maker declares with ``@font-face``."""
    browser_file: Path
    """The file the browser loads: a WOFF2 beside the font when there is one, else the font itself."""
    theme_logical: str | None
    """The path among the theme's static files (served as a hashed asset), or ``None`` for a site font."""

    @property
    def browser_format(self) -> str:
        return {".woff2": "woff2", ".otf": "opentype"}.get(self.browser_file.suffix.lower(), "truetype")

    def output_path(self) -> str:
        """Where a site font's browser copy goes (theme fonts are assets already)."""
        digest = hashlib.sha256(self.browser_file.read_bytes()).hexdigest()[:10]
        return f"assets/labels/{self.browser_file.stem}.{digest}{self.browser_file.suffix.lower()}"


@dataclass(frozen=True)
class ReadyDesign:
    """A design with everything needed to lay it out and draw it."""

    design: LabelDesign
    spec: EngineSpec
    fonts: Mapping[str, FontFile]
    artwork: Path
    artwork_sha256: str
    artwork_wide: bool = False
    """The artwork has greys of more than 8 bits (see :func:`storysite.images.is_wide_grey`)."""

    @property
    def slug(self) -> str:
        return self.design.slug

    def layout(self, text: str) -> LabelLayout | Refusal:
        """The label for one text, which goes into the first zone."""
        return layout_label(self.spec, {self.spec.zones[0].name: text})


def design_salt(slug: str) -> str:
    """The per-design salt of the hashed lists (stable, so builds stay byte-identical)."""
    return hashlib.sha256(f"storysite-label\x1f{slug}".encode()).hexdigest()[:16]


def prepare_design(
    design: LabelDesign, site_dir: Path, theme_static: Mapping[str, Path], language: str
) -> tuple[ReadyDesign | None, list[Diagnostic]]:
    """Find and measure the fonts, digest the lists, check the example; every problem is reported."""
    problems: list[Diagnostic] = []
    fonts: dict[str, FontFile] = {}
    metrics: dict[str, FontMetrics] = {}
    found: dict[tuple[str, bool], str] = {}
    """Each font reference (path, in the theme) that could be read → its key in ``fonts``."""
    path = design.origin.path
    refs = design.fonts  # validate.label keeps a reference for every zone, unusable ones too
    # Every zone's font is looked for, the unusable zones' too: all problems in one run.
    for ref in refs:
        if (ref.font, ref.in_theme) in found:
            continue
        where = f"zones[{ref.zone}].font"
        if ref.in_theme:
            theme_file = theme_static.get(ref.font)
            if theme_file is None:
                looked = posixpath.normpath(posixpath.join(posixpath.dirname(path), ref.font))
                problems.append(error(path, ref.line, f"{where}: '{ref.font}' was not found (looked for "
                                      f"{looked} and for static/{ref.font} in the theme)"))
                continue
            file, logical = theme_file, ref.font
        else:
            file, logical = site_dir / ref.font, None
        data = file.read_bytes()
        try:
            font_metrics = read_metrics(data)
        except FontError as exc:
            problems.append(error(path, ref.line, f"{where}: '{ref.font}' {exc}"))
            continue
        sha = hashlib.sha256(data).hexdigest()
        key = sha[:12]
        found[(ref.font, ref.in_theme)] = key
        if key not in fonts:
            fonts[key] = FontFile(key, file, sha, f"storysite-label-{key}", _browser_copy(file, logical, theme_static),
                                  _browser_logical(file, logical, theme_static))
            metrics[key] = font_metrics
    zones: list[ZoneSpec] = []
    for index, zone in enumerate(design.zones, start=1):
        key = found.get((zone.font, zone.font_in_theme), "")
        if not key:
            continue
        font_metrics = metrics[key]
        problem = _room_problem(zone, font_metrics)
        if problem:
            problems.append(error(path, zone.box_line or zone.origin.line,
                                  f"zones[{zone.number or index}].box: {problem}"))
            continue
        advance = (round(zone.line_height * font_metrics.units_per_em) if zone.line_height
                   else font_metrics.ascender - font_metrics.descender)
        zones.append(ZoneSpec(zone.name, zone.box, zone.size[0], zone.size[1], zone.align, zone.uppercase,
                              zone.max_chars, zone.lines, advance, key, zone.color, zone.optional))
    if problems or not design.usable:
        return None, problems
    # The lists ship to the browser as digests; reading the metrics back from their
    # own JSON makes sure both engines lay out from the very same numbers.
    spec = EngineSpec(
        language=language,
        emoji=design.emoji,
        zones=tuple(zones),
        fonts={key: FontMetrics.from_json(m.to_json()) for key, m in sorted(metrics.items())},
        policy=build_policy(
            design_salt(design.slug),
            (entry for word_list in design.blocked_words for entry, _ in word_list.entries),
            (entry for word_list in design.allowed_names for entry, _ in word_list.entries),
        ),
    )
    artwork = site_dir / design.artwork
    with Image.open(artwork) as picture:  # (read by validation already: only its header here)
        wide = is_wide_grey(picture)
    ready = ReadyDesign(design, spec, dict(sorted(fonts.items())), artwork,
                        hashlib.sha256(artwork.read_bytes()).hexdigest(), wide)
    if design.example:
        result = ready.layout(design.example)
        if isinstance(result, Refusal):
            problems.append(error(path, design.example_line, f"example: the design's own example is refused: "
                                  f"{result.message()}"))
            return None, problems
    return ready, problems


def _room_problem(zone: LabelZone, metrics: FontMetrics) -> str:
    """Why no text could ever fit the zone, or "".

    The judgement is the layout's own (:func:`storysite.labels.layout.fit`), at the smallest
    size: one line is as high as the font's ascender to descender, and the zone must hold at
    least one character, its narrowest letter.
    """
    smallest = zone.size[0]
    upem = metrics.units_per_em
    _, _, width, height = zone.box
    ink = metrics.ascender - metrics.descender
    if ink * smallest > height * upem:
        need = -(-ink * smallest // upem)
        largest_fitting = height * upem // ink
        fix = f"make it at least {need} pixels high"
        if largest_fitting >= 4:
            fix += f", or the smallest size at most {largest_fitting}"
        return (f"{list(zone.box)} is {height} pixels high, less than one line of this font at the smallest size "
                f"({need} pixels at size {smallest}): no text could ever fit; {fix}")
    letters = [advance for char, advance in metrics.advances.items()
               if advance > 0 and unicodedata.category(char).startswith("L")]
    if letters and min(letters) * smallest > width * upem:
        need = -(-min(letters) * smallest // upem)
        return (f"{list(zone.box)} is {width} pixels wide, narrower than this font's narrowest letter at the "
                f"smallest size ({need} pixels at size {smallest}): no text could ever fit; make it wider")
    return ""


def _browser_copy(file: Path, logical: str | None, theme_static: Mapping[str, Path]) -> Path:
    if logical is not None:
        woff2 = theme_static.get(logical.rsplit(".", 1)[0] + ".woff2")
        return woff2 if woff2 is not None else file
    sibling = file.with_suffix(".woff2")
    return sibling if sibling.is_file() else file


def _browser_logical(file: Path, logical: str | None, theme_static: Mapping[str, Path]) -> str | None:
    if logical is None:
        return None
    woff2 = logical.rsplit(".", 1)[0] + ".woff2"
    return woff2 if woff2 in theme_static else logical
