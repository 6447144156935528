"""Fan text made safe to place anywhere: no control characters, no bidi override left open.

- C0 controls other than tab and line feed, DEL, the C1 controls and the non-characters
  U+FFFE and U+FFFF are dropped: one of them in a title makes ``feed.xml`` invalid XML for
  every subscriber, and NUL has no place in HTML.
- Unicode bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) are kept
  when balanced, but every one left open is closed at the end of its line and every stray
  closer dropped, so that a fan's override cannot reverse the theme's words around it.

- A pile of more than :data:`MAX_STACKED_MARKS` combining marks on one letter ("Zalgo"
  text) is cut down to that many: piled by the dozen, marks are drawn over the lines above
  and below, across the theme's words and other fans' memories.

A tag is a short label shared by many memories, with one page per slug: :func:`clean_tag`
also drops the characters that draw nothing (zero-width spaces, joiners, bidi controls…), so
that ``fam\u200bily`` is the tag ``family``, not a look-alike with a page of its own.
"""

from __future__ import annotations

import re
import unicodedata

import regex

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_EMBEDDINGS = "\u202a\u202b\u202d\u202e"  # LRE RLE LRO RLO, closed by PDF
_PDF = "\u202c"
_ISOLATES = "\u2066\u2067\u2068"  # LRI RLI FSI, closed by PDI
_PDI = "\u2069"


def _balance_line(line: str) -> str:
    out: list[str] = []
    stack: list[str] = []
    for char in line:
        if char in _EMBEDDINGS or char in _ISOLATES:
            stack.append(char)
        elif char == _PDF:
            if not stack or stack[-1] not in _EMBEDDINGS:
                continue
            stack.pop()
        elif char == _PDI:
            if not any(c in _ISOLATES for c in stack):
                continue
            # A PDI closes its isolate and every embedding opened inside it.
            while stack and stack[-1] not in _ISOLATES:
                stack.pop()
                out.append(_PDF)
            stack.pop()
        out.append(char)
    for opened in reversed(stack):
        out.append(_PDI if opened in _ISOLATES else _PDF)
    return "".join(out)


def drop_bidi(text: str) -> str:
    """``text`` without bidi embeddings, overrides and isolates (U+202A–E, U+2066–9): for a
    field of one line (a title, a name, a caption) and the excerpts cut from texts, which a
    theme shows inside other text, in a page's ``<title>``, in feeds and social previews,
    where a closing mark cut off or never written would reorder what follows."""
    return _BIDI.sub("", text) if not text.isascii() and _BIDI.search(text) else text


# A character reference to a bidi control (&#8238;, &#x202E;): Markdown decodes it after the
# text was cleaned, so a fan's text could open an override that nothing closes.
_BIDI_REFERENCE = re.compile(r"&#(?:[xX]0*(?:202[a-eA-E]|206[6-9])|0*(?:823[4-8]|829[4-7]));")


def without_bidi_references(markdown: str) -> str:
    """A fan's Markdown without character references to bidi controls (see :func:`drop_bidi`)."""
    # Until none is left: taking "&#8238;" out of "&#&#8238;8238;" makes another.
    while "&#" in markdown:
        cleaned = _BIDI_REFERENCE.sub("", markdown)
        if cleaned == markdown:
            break
        markdown = cleaned
    return markdown


MAX_STACKED_MARKS = 8
"""The most combining marks kept in a row. Writing needs few: Vietnamese piles two on a
letter, Thai or Hebrew three or four, common Tibetan stacks as many; Zalgo text piles ten to
hundreds."""
_MARK_PILE = regex.compile(rf"[\p{{Mn}}\p{{Me}}]{{{MAX_STACKED_MARKS + 1},}}")
# What a pile needs: that many characters in a row from U+0300 on (every combining mark is).
# Quick to rule out in any text, where the pile's own pattern is not.
_MAYBE_PILE = re.compile(f"[\u0300-\U0010ffff]{{{MAX_STACKED_MARKS + 1},}}")


def without_controls(text: str) -> str:
    """``text`` without the control characters :func:`clean_text` drops (tab and line feed stay)."""
    return _CONTROLS.sub("", text) if _CONTROLS.search(text) else text


def clean_text(text: str) -> str:
    """``text`` without control characters, with its bidi controls balanced line by line,
    and with no more than :data:`MAX_STACKED_MARKS` combining marks in a row."""
    return clean_text_and_pile(text)[0]


def clean_text_and_pile(text: str) -> tuple[str, int, int]:
    """:func:`clean_text`'s text, with the length of the longest pile of combining marks it cut
    down and where that pile began (an index into the text, whose lines are those of
    ``text``), or ``0, 0`` when it cut none."""
    if _CONTROLS.search(text):
        text = _CONTROLS.sub("", text)
    if _BIDI.search(text):
        text = "\n".join(_balance_line(line) if _BIDI.search(line) else line for line in text.split("\n"))
    # Most texts have too few characters past Latin-1 for a pile (counted in C, 1.4 µs for a
    # fan's 2 kB text where the pattern below takes 16 µs).
    if text.isascii() or len(text) - len(text.encode("latin-1", "ignore")) <= MAX_STACKED_MARKS \
            or not _MAYBE_PILE.search(text):
        return text, 0, 0
    longest = max(_MARK_PILE.finditer(text), key=lambda pile: len(pile.group()), default=None)
    if longest is None:
        return text, 0, 0
    cut = _MARK_PILE.sub(lambda pile: pile.group()[:MAX_STACKED_MARKS], text)
    return cut, len(longest.group()), longest.start()


def mark_pile_message(pile: int) -> str:
    """What is said of a text with a pile of ``pile`` marks (see :func:`clean_text_and_pile`)."""
    return (f"has {pile} combining marks piled on one letter (\"Zalgo\" text, drawn over the lines "
            f"around it); only the first {MAX_STACKED_MARKS} are kept")


# Characters that draw nothing (Unicode's default-ignorable code points, bidi controls
# included), dropped from tags wherever they are.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b\u200e\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e001f\U000e0080-\U000e00ff\U000e01f0-\U000e0fff]"
)
# Joiners and selectors (ZWNJ, ZWJ, variation selectors, tag characters): they mean something
# after an emoji (👨‍👩‍👧, ❤️, flags) or a letter of a script without case (Persian, Devanagari,
# CJK variants), and nothing after a Latin, Greek or Cyrillic letter, a digit or a space.
_JOINERS = re.compile("[\u200c\u200d\ufe00-\ufe0f\U000e0020-\U000e007f\U000e0100-\U000e01ef]")


def clean_tag(text: str) -> str:
    """A tag as it is slugged and shown: :func:`clean_text`, composed (NFC), without the
    characters that draw nothing, and with each run of spaces one space."""
    text = without_invisible(unicodedata.normalize("NFC", clean_text(text)))
    return " ".join(text.split())


def without_invisible(text: str) -> str:
    """``text`` without the characters that draw nothing (joiners and selectors kept where
    they mean something: see :data:`_JOINERS`)."""
    if _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text)
    if _JOINERS.search(text):
        kept: list[str] = []
        for char in text:
            if _JOINERS.match(char) and (not kept or kept[-1].isascii() or kept[-1].isspace()
                                         or kept[-1].isupper() or kept[-1].islower()):
                continue
            kept.append(char)
        text = "".join(kept)
    return text
