"""The text policy: blocked words and phrases, and names that always pass (mirrored by ``label-maker.js``).

Matching works on *folded* text, so that capitals, accents and look-alike
letters change nothing:

``fold``
    NFKD (full-width letters, ligatures and the like become plain letters);
    look-alikes mapped (:data:`FOLD_MAP`: Cyrillic and Greek letters that look
    Latin, ``0 1 3 4 5 7 @ $ ! |`` for ``o i e a s t a s i i``, ``ß`` → ``ss``,
    ``ł`` → ``l``...); lower case; NFKD again and every combining mark
    dropped (accents); the map once more (for letters that only became lower
    case). ``l`` and ``i`` fold alike, as ``1`` stands for both.

``tokens``
    Runs of letters (``\\p{L}+``) of the folded text: anything else
    separates words, so dots, dashes and spaces between letters do too.

``candidates``
    Every window of 1 to ``max_words`` consecutive tokens, joined with one
    space (whole words and phrases), plus, where single letters follow each
    other (``h.i.t.l.e.r``, ``n a z i``), every run of 2 to ``max_letters``
    of them joined together. The same is done for two variants of the folded
    text with repeated letters squeezed (``fuuuck``): all runs to one letter,
    and runs of three or more to two.

A text is refused when a candidate is on the blocked list and no candidate on
the allowlist covers the same words (so "Isis" and "Dick" pass when they are
listed names, while the allowlist cannot shelter anything around them).

Lists reach the browser only as salted SHA-256 digests (:func:`digest`), so
the page source never shows them.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import regex

_LOOK_ALIKES = {
    # Latin letters that NFKD does not take apart.
    "ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d",
    "ð": "d", "Ð": "d", "ł": "i", "Ł": "i", "ı": "i", "ħ": "h", "Ħ": "h", "ŧ": "t", "Ŧ": "t",
    "þ": "th", "Þ": "th", "ŋ": "n", "Ŋ": "n", "ſ": "s", "ĸ": "k", "ƀ": "b", "ɨ": "i", "ɡ": "g",
    "ʀ": "r", "ɪ": "i", "ʟ": "i", "ᴀ": "a", "ᴇ": "e", "ᴏ": "o",
    # Cyrillic, capital and small.
    "А": "a", "а": "a", "В": "b", "в": "b", "Е": "e", "е": "e", "К": "k", "к": "k", "М": "m",
    "м": "m", "Н": "h", "н": "h", "О": "o", "о": "o", "Р": "p", "р": "p", "С": "c", "с": "c",
    "Т": "t", "т": "t", "Х": "x", "х": "x", "У": "y", "у": "y", "Ѕ": "s", "ѕ": "s", "І": "i",
    "і": "i", "Ј": "j", "ј": "j", "Ӏ": "i", "ӏ": "i", "Һ": "h", "һ": "h", "Ԁ": "d", "ԁ": "d",
    "Ԛ": "q", "ԛ": "q", "Ԝ": "w", "ԝ": "w", "п": "n", "г": "r", "ь": "b", "Ь": "b",
    # Greek, capital and small.
    "Α": "a", "α": "a", "Β": "b", "β": "b", "Ε": "e", "ε": "e", "Ζ": "z", "Η": "h", "η": "n",
    "Ι": "i", "ι": "i", "Κ": "k", "κ": "k", "Μ": "m", "μ": "u", "Ν": "n", "ν": "v", "Ο": "o",
    "ο": "o", "Ρ": "p", "ρ": "p", "Τ": "t", "τ": "t", "Υ": "y", "υ": "u", "Χ": "x", "χ": "x",
    "γ": "y", "ω": "w",
    # Digits and signs standing for letters, and l for i (1 stands for both).
    "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i",
    "|": "i", "€": "e", "l": "i",
}
FOLD_MAP: dict[str, str] = dict(sorted(_LOOK_ALIKES.items()))
"""Look-alike folding, shipped as it is to the browser (it is not secret)."""

_MARKS = regex.compile(r"\p{M}")
_TOKEN = regex.compile(r"\p{L}+")
_RUNS = regex.compile(r"(.)\1+")
_LONG_RUNS = regex.compile(r"(.)\1{2,}")
MAX_WORDS = 8
MAX_LETTERS = 64


def _map(text: str) -> str:
    return "".join(FOLD_MAP.get(char, char) for char in text)


def fold(text: str) -> str:
    """Capitals, accents and look-alikes folded away (see the module's specification)."""
    text = _map(unicodedata.normalize("NFKD", text)).lower()
    return _map(_MARKS.sub("", unicodedata.normalize("NFKD", text)))


def tokens(folded: str) -> list[str]:
    """The words of a folded text: runs of letters."""
    return list(_TOKEN.findall(folded))


def variants(folded: str) -> list[str]:
    """The folded text, then with repeated letters squeezed to one, then long runs to two."""
    return [folded, _RUNS.sub(r"\1", folded), _LONG_RUNS.sub(r"\1\1", folded)]


def entry_keys(entry: str) -> list[str]:
    """The keys a list entry is stored under: its words joined by spaces, and run together."""
    words = tokens(fold(entry))
    if not words:
        return []
    keys = [" ".join(words)]
    if len(words) > 1:
        keys.append("".join(words))
    return keys


def digest(salt: str, key: str) -> str:
    """A key as the lists store it: salted SHA-256, 16 hex digits."""
    return hashlib.sha256(f"{salt}\x1f{key}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Policy:
    """A design's lists, as digests; also what the browser receives."""

    salt: str
    blocked: frozenset[str]
    allowed: frozenset[str]
    max_words: int
    max_letters: int

    def to_json(self) -> dict[str, Any]:
        return {
            "salt": self.salt,
            "blocked": sorted(self.blocked),
            "allowed": sorted(self.allowed),
            "maxWords": self.max_words,
            "maxLetters": self.max_letters,
        }


def build_policy(salt: str, blocked: Iterable[str], allowed: Iterable[str]) -> Policy:
    """Digest the blocked and allowed entries under ``salt``."""
    blocked_keys = [key for entry in blocked for key in entry_keys(entry)]
    allowed_keys = [key for entry in allowed for key in entry_keys(entry)]
    every = blocked_keys + allowed_keys
    max_words = min(MAX_WORDS, max((key.count(" ") + 1 for key in every), default=1))
    max_letters = min(MAX_LETTERS, max((len(key) for key in every if " " not in key), default=1))
    return Policy(
        salt=salt,
        blocked=frozenset(digest(salt, key) for key in blocked_keys),
        allowed=frozenset(digest(salt, key) for key in allowed_keys),
        max_words=max_words,
        max_letters=max_letters,
    )


def candidates(words: list[str], max_words: int, max_letters: int) -> list[tuple[int, int, str]]:
    """Every ``(first word, end word, key)`` a list entry could match (see the module)."""
    found: list[tuple[int, int, str]] = []
    count = len(words)
    for start in range(count):
        for end in range(start + 1, min(count, start + max_words) + 1):
            found.append((start, end, " ".join(words[start:end])))
    start = 0
    while start < count:
        end = start
        while end < count and len(words[end]) == 1:
            end += 1
        for first in range(start, end):
            for last in range(first + 2, min(end, first + max_letters) + 1):
                found.append((first, last, "".join(words[first:last])))
        start = max(end, start + 1)
    return found


def is_refused(text: str, policy: Policy) -> bool:
    """Whether ``text`` holds a blocked word or phrase that no allowed name covers."""
    blocked: list[tuple[int, int]] = []
    allowed: list[tuple[int, int]] = []
    for variant in variants(fold(text)):
        for start, end, key in candidates(tokens(variant), policy.max_words, policy.max_letters):
            hashed = digest(policy.salt, key)
            if hashed in policy.blocked:
                blocked.append((start, end))
            if hashed in policy.allowed:
                allowed.append((start, end))
    return any(not any(a <= start and end <= b for a, b in allowed) for start, end in blocked)
