"""Slugs, URLs and output paths; one routing table, checked for collisions.

Every URL the site will have is claimed here before anything renders, so
that two items wanting one URL are reported together, with both files named.
"""

from __future__ import annotations

import bisect
import functools
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote

from slugify import slugify as _slugify

from storysite.diagnostics import Diagnostic, error, warning

# URLs the site generates itself; a page may not take them.
RESERVED_SECTIONS = ("memories", "campaigns", "tags", "galleries", "timeline", "labels", "assets",
                     "media", "feed.xml", "sitemap.xml", "robots.txt", "404.html")


DERIVED_SLUG_CHARS = 80
"""The longest slug made from a title, a tag or a file name: cut at a word, the words kept in order."""
MAX_SLUG_CHARS = 200
"""The longest slug an editor may give (a slug names a folder, whose name has at most 255 bytes)."""


# Typographic apostrophes, read as the typewriter one: python-slugify makes "l'an" "l-an" but
# drops "’" ("l’an" → "lan"), so that one title or tag gave two URLs (two tag pages for "l’été"
# and "l'été") depending on the keyboard it was typed on; French autocorrect writes "’".
_APOSTROPHES = [["\u2019", "'"], ["\u2018", "'"], ["\u02bc", "'"]]


@functools.lru_cache(maxsize=65536)
def slugify(text: str, max_length: int = DERIVED_SLUG_CHARS) -> str:
    """A URL slug: lower case ASCII, accents transliterated (``Été 1986`` → ``ete-1986``), an
    apostrophe of either kind a hyphen (``l’an 2000`` → ``l-an-2000``), cut at the last whole
    word that fits ``max_length`` (0: not cut)."""
    return str(_slugify(text, lowercase=True, max_length=max_length, word_boundary=True, save_order=True,
                        replacements=_APOSTROPHES))


def page_url(slug: str) -> str:
    return f"/{slug}/"


def memory_url(slug: str) -> str:
    return f"/memories/{slug}/"


def campaign_url(slug: str) -> str:
    return f"/campaigns/{slug}/"


def tag_url(tag_slug: str, page_number: int = 1) -> str:
    return f"/tags/{tag_slug}/" if page_number == 1 else f"/tags/{tag_slug}/page/{page_number}/"


def tag_feed_url(tag_slug: str) -> str:
    """Where a tag's Atom feed is (``feed.tags``)."""
    return f"/tags/{tag_slug}/feed.xml"


def gallery_url(slug: str) -> str:
    return f"/galleries/{slug}/"


def label_url(slug: str) -> str:
    """The label maker page of a label design."""
    return f"/labels/{slug}/"


def milestone_url(slug: str) -> str:
    """A milestone has no page of its own: it is an anchor of the timeline."""
    return f"/timeline/#milestone-{slug}"


def memory_index_url(page_number: int) -> str:
    return "/memories/" if page_number == 1 else f"/memories/page/{page_number}/"


def output_path(url: str) -> str:
    """The file a URL is served from: ``/a/b/`` → ``a/b/index.html``; files stay as they are."""
    path = url.lstrip("/")
    if not path or path.endswith("/"):
        return path + "index.html"
    return path


_NAME_BYTES = 255
"""The longest name of a file or folder on the file systems a site is built on (bytes of UTF-8)."""


def alias_url(written: str) -> tuple[str, str]:
    """The site path an alias (``aliases:``) names, normalised as page URLs are: ``/a/b``,
    ``/a/b/`` and ``/a/b/index.html`` are the folder ``/a/b/``, ``/a/b.html`` is that file (as
    in Hugo); ``%``-escapes are decoded, as a web server decodes a request for the file.
    Returns ``(url, "")``, or ``("", why)`` when it names no page of the site (a reason to
    follow the alias as written)."""
    text = written.strip()
    if not text.startswith("/") or text.startswith("//"):
        return "", "is not a path of the site; write it from the site root, such as /memories/old-slug/"
    if "?" in text or "#" in text:
        return "", ("has a query or a fragment (?…, #…), which a redirect page cannot be told by; "
                    "give the path alone")
    if text == "/":
        return "", "is the home page, which the site always has"
    raw_parts = text[1:].split("/")
    folder = raw_parts[-1] == ""
    if folder:
        raw_parts.pop()
    parts: list[str] = []
    for raw in raw_parts:
        if not raw:
            return "", "has an empty part (//); write each folder once"
        try:
            part = unquote(raw, errors="strict")
        except UnicodeDecodeError:
            return "", f"has a %-escape that is not UTF-8 ({raw}); write the path as the browser shows it"
        if part in (".", ".."):
            return "", f"has a '{part}' part; write the path from the site root as it is, without it"
        if "/" in part or "\\" in part or any(unicodedata.category(c) == "Cc" for c in part):
            return "", (f"has a part ({raw}) with a slash, backslash or control character, which no file or "
                        "folder name can have")
        if len(part.encode("utf-8")) > _NAME_BYTES:
            return "", f"has a part longer than {_NAME_BYTES} bytes, which no file or folder name can be"
        parts.append(part)
    if not folder and parts[-1].lower() == "index.html":
        parts.pop()
        folder = True
    elif not folder and not parts[-1].lower().endswith(".html"):
        folder = True  # a folder written without its slash (the server adds it)
    if not parts:
        return "", "is the home page, which the site always has"
    return "/" + "/".join(parts) + ("/" if folder else ""), ""


@dataclass(frozen=True, slots=True)
class Claim:
    """Someone wants ``url``: an item at ``path:line``, or the site itself (path "")."""

    url: str
    path: str
    line: int
    what: str


def shared_urls(claims: Iterable[Claim]) -> frozenset[str]:
    """The URLs (in lower case, as :func:`find_collisions` compares them) claimed more than once."""
    counts: dict[str, int] = defaultdict(int)
    for claim in claims:
        counts[claim.url.lower()] += 1
    return frozenset(url for url, count in counts.items() if count > 1)


def find_collisions(claims: Iterable[Claim]) -> list[Diagnostic]:
    """Every URL claimed more than once, reported at each claimant that is a file."""
    by_url: dict[str, list[Claim]] = defaultdict(list)
    for claim in claims:
        by_url[claim.url.lower()].append(claim)
    problems: list[Diagnostic] = []
    for url in sorted(url for url, group in by_url.items() if len(group) > 1):
        group = by_url[url]
        for claim in group:
            if not claim.path:
                continue
            others = [c for c in group if c is not claim]
            named = ", ".join(f"{c.path}:{c.line or 1}" if c.path else c.what for c in others)
            problems.append(error(claim.path, claim.line, f"{claim.what} has the URL {claim.url}, as does {named}"))
    return problems


# Names Windows keeps for devices, with or without an extension ("nul", "nul.txt") or spaces
# before it ("nul .txt"): no file or folder can have them there.
_WINDOWS_DEVICES = frozenset({"con", "prn", "aux", "nul", *(f"{port}{n}" for port in ("com", "lpt")
                                                              for n in (*"0123456789", "¹", "²", "³"))})


def is_windows_device(part: str) -> bool:
    """Whether a file or folder named ``part`` is a device on Windows (``nul``, ``Aux.md``, ``com1 .txt``)."""
    return part.split(".", 1)[0].rstrip(" ").lower() in _WINDOWS_DEVICES


_WINDOWS_FORBIDDEN = frozenset('<>:"|?*')
"""The characters no file or folder name can hold on Windows (besides slashes and controls)."""


def unportable_urls(claims: Iterable[Claim], advice: str = "give it another slug ('slug:')") -> list[Diagnostic]:
    """A warning for every item whose URL has a part named like a Windows device (a memory
    titled "Nul", a tag "Aux", say): the site then cannot be built, previewed or checked out
    on Windows. ``advice`` says what to do about it."""
    problems: list[Diagnostic] = []
    for claim in claims:
        if not claim.path:
            continue
        for part in claim.url.strip("/").split("/"):
            if is_windows_device(part):
                problems.append(warning(claim.path, claim.line,
                                        f"{claim.what} has the URL {claim.url}, but '{part}' is the name of a device "
                                        f"on Windows, where the site could not be built, previewed or checked out; "
                                        f"{advice}"))
                break
            forbidden = "".join(sorted(set(part) & _WINDOWS_FORBIDDEN))
            if forbidden or part.endswith((".", " ")):
                what = f"'{forbidden}'" if forbidden else "a dot or a space at its end"
                problems.append(warning(claim.path, claim.line,
                                        f"{claim.what} has the URL {claim.url}, whose part '{part}' has {what}, which "
                                        f"no file or folder name can have on Windows, where the site could not be "
                                        f"built, previewed or checked out; {advice}"))
                break
    return problems


class OutputTree:
    """The output's file paths (below the output folder), compared as a case-insensitive file
    system does: to find a path that would need a file of the output to be a folder, or that is a
    folder of the output itself (one name cannot be both, and the build would fail writing)."""

    def __init__(self, outputs: Iterable[str]) -> None:
        self._files = sorted({path.lower() for path in outputs})
        self._taken = set(self._files)

    def file_above(self, path: str) -> str | None:
        """The output file that ``path`` needs to be one of its folders (as ``path`` writes it), or None."""
        parts = path.split("/")
        return next(("/".join(parts[:depth]) for depth in range(1, len(parts))
                     if "/".join(parts[:depth]).lower() in self._taken), None)

    def file_below(self, path: str) -> str | None:
        """An output file inside ``path`` (which the output then has as a folder), or None."""
        folder = path.lower() + "/"
        index = bisect.bisect_left(self._files, folder)
        return self._files[index] if index < len(self._files) and self._files[index].startswith(folder) else None
