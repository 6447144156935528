"""Draw a laid-out label with Pillow, glyph cluster by glyph cluster.

Each cluster is drawn on its own at the position the layout computed, so
Pillow's own text measurement (and its kerning and ligatures) never moves a
letter: the picture matches the browser's canvas, which draws the same way.

A :class:`LabelOp` is a frozen, hashable description of one picture; its
:attr:`~LabelOp.key` (a hash of every input, files by their content hash)
names the output file, so the URL is known before anything is drawn and
nothing is drawn when only checking.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
from dataclasses import dataclass
from typing import Any

import PIL
from PIL import Image, ImageDraw, ImageFont

from storysite.images import eight_bit_grey, is_wide_grey
from storysite.labels.design import ReadyDesign
from storysite.labels.layout import LabelLayout

RENDERER_VERSION = "1"  # change it when drawing changes: keys, URLs and cache follow
SHAPING_LANGUAGE = "und"
"""The language text is shaped for, always the same (BCP 47 "undetermined": the fonts' default
forms, which the layout measures). Without it raqm takes the build machine's locale
(HarfBuzz's default language is LC_CTYPE's): under ``LC_ALL=tr_TR.UTF-8`` Pacifico's Turkish
forms drew other pixels for the same key, so a label depended on the shell that built it."""


def shaping_language(font: ImageFont.FreeTypeFont) -> str | None:
    """:data:`SHAPING_LANGUAGE` for ``font``, or None under Pillow's basic layout (no libraqm),
    which shapes nothing, knows no language and refuses one."""
    return SHAPING_LANGUAGE if font.layout_engine == ImageFont.Layout.RAQM else None


@dataclass(frozen=True)
class GlyphRun:
    """One zone's drawing: a font at a size and colour, and each line's clusters at their pen positions."""

    font: str
    font_sha256: str
    size: int
    color: str
    lines: tuple[tuple[tuple[str, ...], tuple[float, ...], float], ...]


@dataclass(frozen=True)
class LabelOp:
    """A label picture to draw: artwork, glyph runs, scale."""

    artwork: str
    artwork_sha256: str
    runs: tuple[GlyphRun, ...]
    scale: int = 1
    wide_artwork: bool = False
    """The artwork has greys of more than 8 bits."""

    @property
    def key(self) -> str:
        """A hash of everything that decides the picture (files by content, not by path)."""
        data: dict[str, Any] = {
            "v": [RENDERER_VERSION, PIL.__version__],
            "artwork": self.artwork_sha256,
            "scale": self.scale,
            "runs": [[r.font_sha256, r.size, r.color, [[list(c), list(x), b] for c, x, b in r.lines]] for r in self.runs],
        }
        if self.wide_artwork:
            # Labels on such artwork were drawn white before: theirs is a new key, while every
            # other label keeps its key (and URL) without a new RENDERER_VERSION.
            data["wide"] = True
        return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class ArtworkOp:
    """A design's artwork to publish without its metadata (see :func:`published_artwork`)."""

    artwork: str
    artwork_sha256: str

    @property
    def key(self) -> str:
        """A hash of the artwork's bytes and of the code that strips them."""
        return hashlib.sha256(
            f"artwork\x00{self.artwork_sha256}\x00{RENDERER_VERSION}\x00{PIL.__version__}".encode()).hexdigest()


def label_op(design: ReadyDesign, layout: LabelLayout, scale: int = 1) -> LabelOp:
    """What to draw for ``layout`` of ``design``."""
    zones = {zone.name: zone for zone in design.spec.zones}
    runs = []
    for placed in layout.zones:
        if not placed.lines:
            continue
        zone = zones[placed.zone]
        font = design.fonts[zone.font]
        runs.append(GlyphRun(str(font.path), font.sha256, placed.size, zone.color,
                             tuple((line.clusters, line.xs, line.baseline) for line in placed.lines)))
    return LabelOp(str(design.artwork), design.artwork_sha256, tuple(runs), scale, design.artwork_wide)


@functools.lru_cache(maxsize=64)
def _font(path: str, sha256: str, size: int) -> ImageFont.FreeTypeFont:
    """A loaded font; the content hash is part of the cache key, so a font replaced
    at the same path (a long-running preview server) is loaded again."""
    return ImageFont.truetype(path, size)


def draw_label(op: LabelOp) -> Image.Image:
    """The label as an RGBA image."""
    with Image.open(op.artwork) as source:
        image = (eight_bit_grey(source) if is_wide_grey(source) else source).convert("RGBA")
    if op.scale != 1:
        image = image.resize((image.width * op.scale, image.height * op.scale), Image.Resampling.LANCZOS)
    draw = ImageDraw.Draw(image)
    for run in op.runs:
        font = _font(run.font, run.font_sha256, run.size * op.scale)
        for clusters, xs, baseline in run.lines:
            for cluster, x in zip(clusters, xs, strict=True):
                if cluster != " ":
                    draw.text((x * op.scale, baseline * op.scale), cluster, font=font, fill=run.color, anchor="ls",
                              language=shaping_language(font))
    return image


def encode_png(image: Image.Image) -> bytes:
    """PNG bytes, the same for the same pixels (no timestamp, fixed settings)."""
    if image.mode == "RGBA" and image.getchannel("A").getextrema()[0] == 255:
        image = image.convert("RGB")  # fully opaque: no alpha channel to store
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=6)
    return buffer.getvalue()


def published_artwork(path: str) -> bytes:
    """A design's artwork as the site publishes it: its pixels as they are (not turned by an
    EXIF orientation: labels are drawn on them so), in its own format, without the metadata
    its file may carry (EXIF with a GPS position, camera and software, text chunks, XMP).
    Only the colour profile is kept. A JPEG is not encoded again: its metadata segments are
    left out; a lossless WebP stays lossless."""
    with open(path, "rb") as handle:
        data = handle.read()
    if data[:2] == b"\xff\xd8":
        stripped = _jpeg_without_metadata(data)
        if stripped is not None:
            return stripped
    with Image.open(io.BytesIO(data)) as image:
        kind = image.format
        icc = image.info.get("icc_profile")
        # Said outright: some of Pillow's encoders carry the source's comment, EXIF or XMP over.
        profile: dict[str, Any] = {"exif": b"", "xmp": b"", "comment": b""}
        if icc:
            profile["icc_profile"] = icc
        buffer = io.BytesIO()
        if kind == "JPEG":
            image.save(buffer, "JPEG", quality="keep", subsampling="keep", **profile)
        elif kind == "WEBP":
            # A lossless WebP stays lossless, and keeps the colour of its transparent pixels.
            lossless = {"lossless": True, "exact": True} if b"VP8L" in data[12:64] else {"quality": 95}
            image.save(buffer, "WEBP", method=4, **lossless, **profile)
        else:
            image.save(buffer, "PNG", compress_level=6, **profile)
    return buffer.getvalue()


# JPEG segments kept as they are: JFIF (APP0), the colour profile (APP2 "ICC_PROFILE") and
# Adobe's colour transform (APP14); every other application segment (EXIF and XMP in APP1,
# IPTC in APP13…) and comments are left out.
_KEPT_APP = {0xE0, 0xE2, 0xEE}


def _jpeg_without_metadata(data: bytes) -> bytes | None:
    """``data`` (a JPEG) without its metadata segments, its coded image untouched (so its
    pixels are those the label renderer decodes); None when its segments cannot be read."""
    out = [b"\xff\xd8"]
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        length = int.from_bytes(data[position + 2:position + 4], "big")
        end = position + 2 + length
        if length < 2 or end > len(data):
            return None
        segment = data[position:end]
        if marker == 0xDA:
            # Start of scan: the coded image as it is, to its end (FF D9 appears nowhere else in
            # it). What may follow is left out too: a second picture, with its own EXIF.
            end_of_image = data.find(b"\xff\xd9", position)
            if end_of_image < 0:
                return None
            out.append(data[position:end_of_image + 2])
            return b"".join(out)
        is_app = 0xE0 <= marker <= 0xEF
        keep = (not is_app and marker != 0xFE) or (
            marker in _KEPT_APP and (marker != 0xE2 or segment[4:16] == b"ICC_PROFILE\x00"))
        if keep:
            out.append(segment)
        position = end
    return None


def render_label(op: LabelOp) -> bytes:
    """The label as PNG bytes."""
    return encode_png(draw_label(op))
