"""Fan text made safe to place anywhere: no control characters, no bidi override left open.

- C0 controls other than tab and line feed, DEL, the C1 controls and the non-characters
  U+FFFE and U+FFFF are dropped: one of them in a title makes ``feed.xml`` invalid XML for
  every subscriber, and NUL has no place in HTML.
- Unicode bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) are kept
  when balanced, but every one left open is closed at the end of its line and every stray
  closer dropped, so that a fan's override cannot reverse the theme's words around it.
"""

from __future__ import annotations

import re

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


def clean_text(text: str) -> str:
    """``text`` without control characters and with its bidi controls balanced, line by line."""
    if _CONTROLS.search(text):
        text = _CONTROLS.sub("", text)
    if _BIDI.search(text):
        text = "\n".join(_balance_line(line) if _BIDI.search(line) else line for line in text.split("\n"))
    return text
