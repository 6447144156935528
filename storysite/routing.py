"""Slugs, URLs and output paths; one routing table, checked for collisions.

Every URL the site will have is claimed here before anything renders, so
that two items wanting one URL are reported together, with both files named.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class Claim:
    """Someone wants ``url``: an item at ``path:line``, or the site itself (path "")."""

    url: str
    path: str
    line: int
    what: str


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
    return problems
