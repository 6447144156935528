"""Share cards: the 1200×630 pictures social networks show for a page (``og:image``).

A memory's card shows its fan label (or else its first photo), its title, who
told it and the brand; the site's card shows the site's title and, when the
site has label designs, the first design's example label. Like labels, a
card is first a frozen :class:`ShareCardOp` whose :attr:`~ShareCardOp.key`
names the file, then pixels (:func:`render_share_card`), encoded as a
baseline JPEG with fixed settings, so the same inputs give the same bytes.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import unicodedata
from dataclasses import dataclass

import PIL
import regex
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from storysite.labels.metrics import read_metrics
from storysite.labels.raster import LabelOp, draw_label
from storysite.labels.text import EMOJI, INVISIBLE, WHITE_SPACE, graphemes

WIDTH, HEIGHT = 1200, 630
_SPACES = regex.compile(r" {2,}")
_PICTOGRAPH = regex.compile(r"\p{Extended_Pictographic}")
RENDERER_VERSION = "1"  # change it when drawing changes: keys, URLs and cache follow


@dataclass(frozen=True)
class CardFonts:
    """The two faces a card is set in (files, with their content hashes)."""

    display: str
    display_sha256: str
    text: str
    text_sha256: str

    def display_face(self, size: int) -> ImageFont.FreeTypeFont:
        return _font(self.display, self.display_sha256, size)

    def text_face(self, size: int) -> ImageFont.FreeTypeFont:
        return _font(self.text, self.text_sha256, size)


@dataclass(frozen=True)
class ShareCardOp:
    """A share card to draw."""

    title: str
    kicker: str
    byline: str
    brand: str
    primary: str
    accent: str
    on_primary: str
    paper: str
    fonts: CardFonts
    label: LabelOp | None = None
    photo: str | None = None
    photo_sha256: str = ""

    @property
    def key(self) -> str:
        data = {
            "v": [RENDERER_VERSION, PIL.__version__],
            "text": [self.title, self.kicker, self.byline, self.brand],
            "colors": [self.primary, self.accent, self.on_primary, self.paper],
            "fonts": [self.fonts.display_sha256, self.fonts.text_sha256],
            "label": self.label.key if self.label else None,
            "photo": self.photo_sha256 or None,
        }
        return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


@functools.lru_cache(maxsize=32)
def _font(path: str, sha256: str, size: int) -> ImageFont.FreeTypeFont:
    # Keyed by content hash too: a font replaced at the same path is loaded again.
    return ImageFont.truetype(path, size)


@functools.lru_cache(maxsize=8)
def _drawable(path: str, sha256: str) -> frozenset[str]:
    with open(path, "rb") as handle:
        return frozenset(read_metrics(handle.read()).advances)


def printable(text: str, font_path: str, font_sha256: str) -> str:
    """``text`` cleaned like a label's, keeping only what the font can draw."""
    return card_text(text, font_path, font_sha256).shown


@dataclass(frozen=True)
class CardText:
    """A text as a card can draw it: what is shown, and what the font could not draw."""

    shown: str
    dropped: str
    """The characters left out (emoji among them), in order, a space between runs."""

    @property
    def legible(self) -> bool:
        """Whether a letter or a digit is left: "." alone, of "محمد ع.", says nothing."""
        return any(c.isalnum() for c in self.shown)

    def scripts(self) -> str:
        """What the left-out characters are written in, for a message: "Hebrew", "Arabic, emoji"."""
        found: list[str] = []
        for char in self.dropped.replace(" ", ""):
            name = script_of(char)
            if name not in found:
                found.append(name)
        return ", ".join(found)


def card_text(text: str, font_path: str, font_sha256: str) -> CardText:
    """``text`` cleaned like a label's (emoji and invisible characters go), then split into what
    the font can draw and what it cannot."""
    chars = _drawable(font_path, font_sha256)
    normal = _SPACES.sub(" ", INVISIBLE.sub("", WHITE_SPACE.sub(" ", unicodedata.normalize("NFC", text))))
    shown: list[str] = []
    dropped: list[str] = []
    for cluster in graphemes(normal):
        if EMOJI.search(cluster):
            kept, lost = "", cluster
        else:
            kept = "".join(c for c in cluster if c in chars or c == " ")
            lost = "".join(c for c in cluster if c not in chars and c != " ")
        dropped.append(lost or " ")
        shown.append(kept or " ")
    return CardText(_SPACES.sub(" ", "".join(shown)).strip(), _SPACES.sub(" ", "".join(dropped)).strip())


_SCRIPT_NAMES = {"CJK": "Chinese, Japanese or Korean", "HIRAGANA": "Japanese", "KATAKANA": "Japanese",
                 "HANGUL": "Korean", "IDEOGRAPHIC": "Chinese, Japanese or Korean"}


def script_of(char: str) -> str:
    """Roughly, the script of a character the card's font lacks (from its Unicode name's first word)."""
    if EMOJI.search(char) or _PICTOGRAPH.search(char):
        return "emoji"
    first = unicodedata.name(char, "").split(" ")[0]
    if not first:
        return "unknown characters"
    return _SCRIPT_NAMES.get(first, first.capitalize())


def _wrap(text: str, face: ImageFont.FreeTypeFont, width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split(" "):
        if lines and face.getlength(lines[-1] + " " + word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _clip(lines: list[str], keep: int, face: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """At most ``keep`` lines, the last one ending with an ellipsis when text was cut."""
    if len(lines) <= keep:
        return lines
    lines = lines[:keep]
    while lines[-1] and face.getlength(lines[-1] + "…") > width:
        lines[-1] = lines[-1][:-1]
    lines[-1] = lines[-1].rstrip() + "…"
    return lines


def _fit_title(text: str, fonts: CardFonts, width: float, height: float) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest size (60 down to 34) at which the title fits; else the smallest, cut with an ellipsis."""
    for size in range(60, 33, -2):
        face = fonts.display_face(size)
        lines = _wrap(text, face, width)
        if len(lines) * round(size * 1.12) <= height and all(face.getlength(line) <= width for line in lines):
            return face, lines
    face = fonts.display_face(34)
    return face, _clip(_wrap(text, face, width), max(1, int(height // round(34 * 1.12))), face, width)


def _picture(op: ShareCardOp, size: tuple[int, int]) -> Image.Image:
    """The left half: the label on the brand's accent, or the photo, or a plain brand panel."""
    width, height = size
    panel = Image.new("RGB", size, op.accent)
    if op.photo:
        with Image.open(op.photo) as source:
            source.draft("RGB", (width * 2, height * 2))
            photo = ImageOps.exif_transpose(source).convert("RGB")
        return ImageOps.fit(photo, size, Image.Resampling.LANCZOS)
    if op.label is None:
        # No label, no photo: a large quotation mark on the brand's colour.
        panel = Image.new("RGB", size, op.primary)
        draw = ImageDraw.Draw(panel)
        draw.ellipse((width // 2 - 190, height // 2 - 190, width // 2 + 190, height // 2 + 190), fill=op.accent)
        quote = op.fonts.display_face(420)
        # Centre the glyph's ink, not its line box (Pillow's bbox runs from the ascender).
        ink = Image.new("L", (int(quote.size) * 2, int(quote.size) * 2))
        ImageDraw.Draw(ink).text((int(quote.size) // 2, int(quote.size)), "\u201c", font=quote, fill=255, anchor="ls")
        left, top, right, bottom = ink.getbbox() or (0, 0, 0, 0)
        panel.paste(op.primary, (width // 2 - (left + right) // 2, height // 2 - (top + bottom) // 2), ink)
        return panel
    label = draw_label(op.label)
    label.thumbnail((width - 64, height - 64), Image.Resampling.LANCZOS)
    left, top = (width - label.width) // 2, (height - label.height) // 2
    shadow = Image.new("RGBA", size, (0, 0, 0, 0))
    alpha = label.getchannel("A").point(lambda a: a * 70 // 255)
    shadow.paste((40, 20, 0, 255), (left + 6, top + 12), alpha)
    shadow = shadow.filter(ImageFilter.GaussianBlur(10))
    panel.paste(shadow, (0, 0), shadow)
    panel.paste(label, (left, top), label)
    return panel


def render_share_card(op: ShareCardOp) -> bytes:
    """The card as JPEG bytes."""
    card = Image.new("RGB", (WIDTH, HEIGHT), op.paper)
    split, bar = 600, 96
    card.paste(_picture(op, (split, HEIGHT)), (0, 0))
    draw = ImageDraw.Draw(card)
    draw.rectangle((split, 0, split + 10, HEIGHT), fill=op.primary)
    left, right = split + 64, WIDTH - 56
    fonts = op.fonts
    kicker = printable(op.kicker, fonts.text, fonts.text_sha256).upper()
    top = 92
    if kicker:
        draw.text((left, top), kicker, font=fonts.text_face(24), fill=op.primary, anchor="ls")
        draw.rectangle((left, top + 18, left + 56, top + 22), fill=op.accent)
    bottom = HEIGHT - bar - 40
    byline_face = fonts.text_face(28)
    byline = printable(op.byline, fonts.text, fonts.text_sha256)
    byline_lines = _clip(_wrap(byline, byline_face, right - left), 2, byline_face, right - left) if byline else []
    title_top = top + 58
    title_room = bottom - title_top - (len(byline_lines) * 36 + 28 if byline_lines else 0)
    face, lines = _fit_title(printable(op.title, fonts.display, fonts.display_sha256), fonts, right - left, title_room)
    step = round(face.size * 1.12)
    y = title_top + face.size
    for line in lines:
        draw.text((left, y), line, font=face, fill="#1d1a16", anchor="ls")
        y += step
    y += 28 - step + 36
    for line in byline_lines:
        draw.text((left, y), line, font=byline_face, fill="#5b4a3a", anchor="ls")
        y += 36
    draw.rectangle((split + 10, HEIGHT - bar, WIDTH, HEIGHT), fill=op.primary)
    brand = printable(op.brand, fonts.display, fonts.display_sha256)
    draw.text((left, HEIGHT - 36), brand, font=fonts.display_face(36), fill=op.on_primary, anchor="ls")
    buffer = io.BytesIO()
    card.save(buffer, "JPEG", quality=88, optimize=False, progressive=False, subsampling="4:2:0")
    return buffer.getvalue()
