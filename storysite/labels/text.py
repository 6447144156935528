"""What a visitor typed, made ready for a label (mirrored by ``label-maker.js``).

The steps, in this order, are the specification both engines follow:

1. NFC normalisation;
2. every white-space character (tabs and line breaks too) becomes a space;
3. grapheme clusters (user-visible characters, UAX #29 extended clusters:
   ``regex``'s ``\\X`` here, ``Intl.Segmenter`` in the browser); a cluster
   holding an emoji (:data:`EMOJI`) is noted and dropped, or, when it starts
   with no pictograph (a letter with a skin tone glued to it: ``i🏽``), loses
   only its emoji code points;
4. invisible characters are dropped: controls, format characters (zero-width
   spaces and joiners, bidi overrides, embeddings and isolates, soft
   hyphens...), line and paragraph separators, variation selectors, the
   combining grapheme joiner, Hangul fillers and the blank Braille pattern;
5. runs of spaces become one space; spaces at both ends go; NFC again.

Case is applied afterwards, by the site language's rules (:func:`apply_case`).
A cluster with more than :data:`MAX_MARKS` combining marks (:func:`marks`) is
refused by the layout: no orthography stacks that many on one letter once
composed, and piled-up marks ("Zalgo" text) spill outside any zone.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

import regex

WHITE_SPACE = regex.compile(r"\p{White_Space}")
EMOJI = regex.compile(r"[\p{Emoji_Presentation}\u20E3]|\p{Emoji}\uFE0F")
"""An emoji: a character shown as one by default (faces, flags, skin tones...), a keycap, or an
emoji character asking for emoji presentation. Without U+FE0F, © ™ ® ‼ and digits are text."""
_EMOJI_START = regex.compile(r"[\p{Extended_Pictographic}\p{Emoji_Presentation}]|\p{Emoji}[\uFE0F\u20E3]")
_EMOJI_PART = regex.compile(r"[\p{Emoji_Presentation}\u20E3]")
INVISIBLE = regex.compile(
    r"[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u034F\u115F\u1160\u2800\u3164\uFFA0\uFE00-\uFE0F\U000E0100-\U000E01EF]"
)
SPACES = regex.compile(r" {2,}")
MARKS = regex.compile(r"\p{M}")
MAX_MARKS = 3
"""Combining marks one cluster may carry after NFC (Lithuanian i̇̃ needs two, Vietnamese none)."""
_CLUSTER = regex.compile(r"\X")
# UAX #29 rule GB9c (Indic conjuncts), which ``regex``'s ``\X`` applies without its first condition.
_LINKER = regex.compile(r"\p{InCB=Linker}")
_CONSONANT = regex.compile(r"\p{InCB=Consonant}")
_CONJUNCT_MIDDLE = regex.compile(r"[\p{InCB=Extend}\p{InCB=Linker}]")
_PREPEND = regex.compile(r"\p{Grapheme_Cluster_Break=Prepend}")
# Languages whose "i" has a dotted capital (İ) and whose "ı" has a dotless one.
DOTTED_I_LANGUAGES = ("tr", "az")


@dataclass(frozen=True)
class Cleaned:
    """Typed text after cleaning, and whether it held an emoji (dropped)."""

    text: str
    had_emoji: bool


@functools.cache
def emoji_tables() -> dict[str, list[list[int]]]:
    """The emoji properties :data:`EMOJI` reads, as ranges of code points (first, last), for the
    browser's engine: its own Unicode data may be older or newer than ``regex``'s (a new emoji,
    stripped here, would be a character the font lacks there)."""
    every = "".join(chr(cp) for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF)
    return {
        name: [[ord(run[0]), ord(run[-1])] for run in regex.findall(prop + "+", every)]
        for name, prop in (("presentation", r"\p{Emoji_Presentation}"), ("emoji", r"\p{Emoji}"),
                           ("pictographic", r"\p{Extended_Pictographic}"))
    }


def graphemes(text: str) -> list[str]:
    """The user-visible characters of ``text`` (extended grapheme clusters), as ``Intl.Segmenter`` finds them.

    ``regex``'s ``\\X`` joins a consonant to a virama (an Indic conjunct, rule GB9c) even when no
    consonant stands before the virama (a Latin letter or an emoji, a virama, a consonant: two clusters,
    not one); such a cluster is split where UAX #29 breaks it.
    """
    clusters: list[str] = []
    for cluster in _CLUSTER.findall(text):
        if len(cluster) < 2 or not _LINKER.search(cluster):
            clusters.append(cluster)
            continue
        start = 0
        for index in range(1, len(cluster)):
            if (_CONSONANT.match(cluster[index]) and not _PREPEND.match(cluster[index - 1])
                    and not _joins_conjunct(cluster, start, index)):
                clusters.append(cluster[start:index])
                start = index
        clusters.append(cluster[start:])
    return clusters


def _joins_conjunct(cluster: str, start: int, index: int) -> bool:
    """Whether GB9c keeps the consonant at ``index`` with what precedes it: consonant, then
    extending characters and linkers (at least one linker), then it."""
    at = index - 1
    linked = False
    while at >= start and _CONJUNCT_MIDDLE.match(cluster[at]):
        linked = linked or bool(_LINKER.match(cluster[at]))
        at -= 1
    return linked and at >= start and bool(_CONSONANT.match(cluster[at]))


def clean(text: str) -> Cleaned:
    """Steps 1 to 5 of the module's specification."""
    text = WHITE_SPACE.sub(" ", unicodedata.normalize("NFC", text))
    kept: list[str] = []
    had_emoji = False
    for cluster in graphemes(text):
        if not EMOJI.search(cluster):
            kept.append(cluster)
            continue
        had_emoji = True
        if not _EMOJI_START.match(cluster):
            # A skin tone after a letter joins its cluster: dropping the cluster would drop the letter too.
            kept.append(_EMOJI_PART.sub("", cluster))
    text = SPACES.sub(" ", INVISIBLE.sub("", "".join(kept))).strip(" ")
    return Cleaned(unicodedata.normalize("NFC", text), had_emoji)


def marks(cluster: str) -> int:
    """How many combining marks (accents and the like) a cluster carries."""
    return len(MARKS.findall(cluster))


def apply_case(text: str, uppercase: bool, language: str) -> str:
    """Upper case by the language's rules (ß → SS everywhere; i → İ in Turkish), then NFC."""
    if not uppercase:
        return text
    if language.split("-")[0].lower() in DOTTED_I_LANGUAGES:
        text = text.replace("i", "İ")
    return unicodedata.normalize("NFC", text.upper())
