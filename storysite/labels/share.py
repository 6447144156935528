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
from pathlib import Path

import PIL
import regex
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from storysite.images import display_frame
from storysite.labels.metrics import read_metrics
from storysite.labels.raster import LabelOp, draw_label, shaping_language
from storysite.labels.text import EMOJI, INVISIBLE, MARKS, MAX_MARKS, SPACES, WHITE_SPACE, graphemes

WIDTH, HEIGHT = 1200, 630
_PICTOGRAPH = regex.compile(r"\p{Extended_Pictographic}")
RENDERER_VERSION = "3"  # change it when drawing changes: keys, URLs and cache follow
CARD_CHARS = 600
"""The most user-visible characters a card takes of one text (a title, a byline...), more than
it has room for: the title's nine lines at the smallest size hold under 600 of the bundled
fonts' narrowest signs. A longer text is cut here, with an ellipsis, before anything is
measured or drawn, so that a card costs the same whatever a fan typed (a 400,000-letter
title would otherwise be measured, then drawn on a picture as wide as itself)."""
_SOURCE_CHARS = CARD_CHARS * 8
"""The code points looked at to find those characters (combining marks and invisible
characters among them): the rest of a longer text is not even cleaned."""
ELLIPSIS = "\u2026"


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
    the font can draw and what it cannot.

    At most :data:`CARD_CHARS` characters are shown: a longer text ends with an ellipsis
    there, and what follows is neither looked at nor reported. A character keeps at most
    :data:`~storysite.labels.text.MAX_MARKS` combining marks (stacked "Zalgo" marks would
    spill over the card)."""
    chars = _drawable(font_path, font_sha256)
    cut = len(text) > _SOURCE_CHARS
    source = unicodedata.normalize("NFC", text[:_SOURCE_CHARS])
    normal = SPACES.sub(" ", INVISIBLE.sub("", WHITE_SPACE.sub(" ", source)))
    shown: list[str] = []
    dropped: list[str] = []
    count = 0
    clusters = graphemes(normal)
    for index, cluster in enumerate(clusters):
        if count == CARD_CHARS:
            cut = cut or any(rest != " " for rest in clusters[index:])
            break
        if EMOJI.search(cluster):
            kept, lost = "", cluster
        else:
            kept = _few_marks("".join(c for c in cluster if c in chars or c == " "))
            lost = "".join(c for c in cluster if c not in chars and c != " ")
        dropped.append(lost or " ")
        shown.append(kept or " ")
        count += bool(kept)
    text_shown = SPACES.sub(" ", "".join(shown)).strip()
    if cut and text_shown:
        text_shown = text_shown.rstrip(" ,;:.") + ELLIPSIS
    return CardText(text_shown, SPACES.sub(" ", "".join(dropped)).strip())


def _few_marks(cluster: str) -> str:
    """``cluster`` with no more than :data:`~storysite.labels.text.MAX_MARKS` combining marks."""
    if len(cluster) <= MAX_MARKS + 1:
        return cluster
    kept: list[str] = []
    seen = 0
    for char in cluster:
        if MARKS.match(char):
            seen += 1
            if seen > MAX_MARKS:
                continue
        kept.append(char)
    return "".join(kept)


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


def _length(face: ImageFont.FreeTypeFont, text: str) -> float:
    """How wide ``text`` is set in ``face``, shaped as it is drawn (never by the build machine's locale)."""
    return face.getlength(text, language=shaping_language(face))


def _text(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, face: ImageFont.FreeTypeFont,
          fill: str | int) -> None:
    """Draw ``text`` from ``xy`` on its baseline, shaped as :func:`_length` measures it."""
    draw.text(xy, text, font=face, fill=fill, anchor="ls", language=shaping_language(face))


def _wrap(text: str, face: ImageFont.FreeTypeFont, width: float, *, break_words: bool = False) -> list[str]:
    """``text`` in lines at its spaces; with ``break_words``, a word wider than ``width`` is
    broken between characters (it would run off the card: a long name, a fan's "WWWW...")."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and _length(face, lines[-1] + " " + word) <= width:
            lines[-1] += " " + word
            continue
        while break_words and _length(face, word) > width:
            head = _fitting(word, face, width) or graphemes(word)[0]
            lines.append(head)
            word = word[len(head):]
        lines.append(word)
    return lines


def _fitting(text: str, face: ImageFont.FreeTypeFont, width: float, then: str = "") -> str:
    """The longest beginning of ``text``, in whole characters, that fits in ``width`` followed by ``then``."""
    clusters = graphemes(text)
    low, high = 0, len(clusters)  # clusters[:low] fits; clusters[:high + 1] does not
    while low < high:
        middle = (low + high + 1) // 2
        if _length(face, "".join(clusters[:middle]) + then) <= width:
            low = middle
        else:
            high = middle - 1
    return "".join(clusters[:low])


def _ellipsized(line: str, face: ImageFont.FreeTypeFont, width: float) -> str:
    """``line`` ending with an ellipsis, cut so that it fits in ``width``."""
    if line.endswith(ELLIPSIS) and _length(face, line) <= width:
        return line
    return _fitting(line.removesuffix(ELLIPSIS), face, width, ELLIPSIS).rstrip() + ELLIPSIS


def _one_line(text: str, face: ImageFont.FreeTypeFont, width: float) -> str:
    """``text`` on one line of ``width``: as it is when it fits, else cut with an ellipsis."""
    return text if _length(face, text) <= width else _ellipsized(text, face, width)


def _clip(lines: list[str], keep: int, face: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """At most ``keep`` lines, the last one ending with an ellipsis when text was cut."""
    if len(lines) <= keep:
        return lines
    lines = lines[:keep]
    lines[-1] = _ellipsized(lines[-1], face, width)
    return lines


def _fit_title(text: str, fonts: CardFonts, width: float, height: float) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest size (60 down to 34) at which the title fits; else the smallest, its long
    words broken, cut with an ellipsis."""
    for size in range(60, 33, -2):
        face = fonts.display_face(size)
        lines = _wrap(text, face, width)
        if len(lines) * round(size * 1.12) <= height and all(_length(face, line) <= width for line in lines):
            return face, lines
    face = fonts.display_face(34)
    return face, _clip(_wrap(text, face, width, break_words=True), max(1, int(height // round(34 * 1.12))), face,
                       width)


def _picture(op: ShareCardOp, size: tuple[int, int]) -> Image.Image:
    """The left half: the label on the brand's accent, or the photo, or a plain brand panel."""
    width, height = size
    panel = Image.new("RGB", size, op.accent)
    if op.photo:
        # Decoded as the image step decodes it (16-bit greys scaled, colours in sRGB, no bomb
        # check below images.max_pixels), so the card shows the photo as its page does.
        photo = ImageOps.fit(display_frame(Path(op.photo), (width * 2, height * 2)), size,
                             Image.Resampling.LANCZOS)
        if photo.mode == "RGBA":  # a transparent photo on the accent panel, not on black
            panel.paste(photo, (0, 0), photo)
            return panel
        return photo.convert("RGB")
    if op.label is None:
        # No label, no photo: a large quotation mark on the brand's colour.
        panel = Image.new("RGB", size, op.primary)
        draw = ImageDraw.Draw(panel)
        draw.ellipse((width // 2 - 190, height // 2 - 190, width // 2 + 190, height // 2 + 190), fill=op.accent)
        quote = op.fonts.display_face(420)
        # Centre the glyph's ink, not its line box (Pillow's bbox runs from the ascender).
        ink = Image.new("L", (int(quote.size) * 2, int(quote.size) * 2))
        _text(ImageDraw.Draw(ink), (int(quote.size) // 2, int(quote.size)), "\u201c", quote, 255)
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
    kicker_face = fonts.text_face(24)
    kicker = _one_line(printable(op.kicker, fonts.text, fonts.text_sha256).upper(), kicker_face, right - left)
    top = 92
    if kicker:
        _text(draw, (left, top), kicker, kicker_face, op.primary)
        draw.rectangle((left, top + 18, left + 56, top + 22), fill=op.accent)
    bottom = HEIGHT - bar - 40
    byline_face = fonts.text_face(28)
    byline = printable(op.byline, fonts.text, fonts.text_sha256)
    byline_lines = (_clip(_wrap(byline, byline_face, right - left, break_words=True), 2, byline_face, right - left)
                    if byline else [])
    title_top = top + 58
    title_room = bottom - title_top - (len(byline_lines) * 36 + 28 if byline_lines else 0)
    face, lines = _fit_title(printable(op.title, fonts.display, fonts.display_sha256), fonts, right - left, title_room)
    step = round(face.size * 1.12)
    y = title_top + face.size
    for line in lines:
        _text(draw, (left, y), line, face, "#1d1a16")
        y += step
    y += 28 - step + 36
    for line in byline_lines:
        _text(draw, (left, y), line, byline_face, "#5b4a3a")
        y += 36
    draw.rectangle((split + 10, HEIGHT - bar, WIDTH, HEIGHT), fill=op.primary)
    brand_face = fonts.display_face(36)
    brand = _one_line(printable(op.brand, fonts.display, fonts.display_sha256), brand_face, right - left)
    _text(draw, (left, HEIGHT - 36), brand, brand_face, op.on_primary)
    buffer = io.BytesIO()
    card.save(buffer, "JPEG", quality=88, optimize=False, progressive=False, subsampling="4:2:0")
    return buffer.getvalue()
