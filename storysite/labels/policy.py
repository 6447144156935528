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

``readings``
    Signs that stand for letters (``1 ! | @ $``...) are also punctuation as
    often, so a text is read several ways before it is folded: every sign a
    letter (``h1tl3r``, ``sh!t``); the signs at the start of a word, at its
    end, or at both, separators (``!Hitler``, ``$lut!``, ``H1tler!``); and
    every sign a separator (``Nazi4ever``). A word here is a run of letters,
    marks and signs; signs with letters on both sides are inside it.

``tokens``
    Runs of letters (``\\p{L}+``) of a folded reading: anything else
    separates words, so dots, dashes and spaces between letters do too.

``candidates``
    Every window of 1 to ``max_words`` consecutive tokens, joined with one
    space (whole words and phrases), plus every run of 2 or more consecutive
    tokens joined together, up to ``max_letters`` letters: words spaced or
    punctuated out, all of them (``h.i.t.l.e.r``, ``n a z i``) or in part
    (``Hi tler``, ``H.itler``). A blocked word inside a longer token never
    matches ("Scunthorpe"). Words and phrases are also tried with repeated
    letters squeezed (``fuuuck``): all runs to one letter, and runs of three
    or more to two; tokens joined together are not, as squeezing across
    their joint would read "Miller Da" as "mierda".

A text is refused when, in one of its readings, a candidate is on the
blocked list and no candidate on the allowlist covers the same words (so
"Isis" and "Dick" pass when they are listed names, while the allowlist cannot
shelter anything around them).

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
_LETTER = regex.compile(r"\p{L}")
_LETTER_OR_MARK = regex.compile(r"[\p{L}\p{M}]")
_TOKEN = regex.compile(r"\p{L}+")
_RUNS = regex.compile(r"(.)\1+")
_LONG_RUNS = regex.compile(r"(.)\1{2,}")
SIGNS = frozenset(char for char in FOLD_MAP if not _LETTER.fullmatch(char))
"""Characters :data:`FOLD_MAP` reads as letters that are not letters (digits, ``@ $ ! |``...)."""
MAX_WORDS = 8
MAX_LETTERS = 64


def _map(text: str) -> str:
    return "".join(FOLD_MAP.get(char, char) for char in text)


def fold(text: str) -> str:
    """Capitals, accents and look-alikes folded away (see the module's specification)."""
    text = _map(unicodedata.normalize("NFKD", text)).lower()
    return _map(_MARKS.sub("", unicodedata.normalize("NFKD", text)))


def _before_letters(kinds: list[str]) -> list[bool]:
    """Which characters are signs that no letter of their word precedes."""
    flags: list[bool] = []
    letter_seen = False
    for kind in kinds:
        letter_seen = kind == "letter" or (kind == "sign" and letter_seen)
        flags.append(kind == "sign" and not letter_seen)
    return flags


def readings(text: str) -> list[str]:
    """The folded readings of ``text``, without repeats (see the module's specification)."""
    # Signs are found after NFKD, so that a full-width "！" is a sign like "!".
    chars = list(unicodedata.normalize("NFKD", text))
    kinds = ["sign" if c in SIGNS else "letter" if _LETTER_OR_MARK.fullmatch(c) else "other" for c in chars]
    leading = _before_letters(kinds)
    trailing = _before_letters(kinds[::-1])[::-1]
    found: list[str] = []
    for cuts in ([False] * len(chars), leading, trailing, [a or b for a, b in zip(leading, trailing, strict=True)],
                 [kind == "sign" for kind in kinds]):
        folded = fold("".join(" " if cut else char for char, cut in zip(chars, cuts, strict=True)))
        if folded not in found:
            found.append(folded)
    return found


def tokens(folded: str) -> list[str]:
    """The words of a folded text: runs of letters."""
    return list(_TOKEN.findall(folded))


def variants(key: str) -> list[str]:
    """A key, then with repeated letters squeezed to one, then with long runs squeezed to two (no repeats)."""
    return list(dict.fromkeys((key, _RUNS.sub(r"\1", key), _LONG_RUNS.sub(r"\1\1", key))))


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
    for start in range(count):
        letters = len(words[start])
        for end in range(start + 2, count + 1):
            letters += len(words[end - 1])
            if letters > max_letters:
                break
            found.append((start, end, "".join(words[start:end])))
    return found


def is_refused(text: str, policy: Policy) -> bool:
    """Whether ``text`` holds a blocked word or phrase that no allowed name covers."""
    hashed: dict[str, str] = {}
    for reading in readings(text):
        blocked: list[tuple[int, int]] = []
        allowed: list[tuple[int, int]] = []
        for start, end, key in candidates(tokens(reading), policy.max_words, policy.max_letters):
            joined = end - start > 1 and " " not in key
            for variant in [key] if joined else variants(key):
                if variant not in hashed:
                    hashed[variant] = digest(policy.salt, variant)
                if hashed[variant] in policy.blocked:
                    blocked.append((start, end))
                if hashed[variant] in policy.allowed:
                    allowed.append((start, end))
        # Spans are token positions, which differ between readings: each is judged on its own.
        if any(not any(a <= start and end <= b for a, b in allowed) for start, end in blocked):
            return True
    return False
