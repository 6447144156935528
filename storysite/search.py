"""The site search: a compact index of what the site publishes, and the page that searches it.

The index is one JSON file, made from view models of the public site (memory cards, the
published pages, campaigns, galleries, milestones and label designs), never from content
files: a memory that is not published, and every private field, cannot be in it because
nothing it is made from holds them. It is named by the hash of its bytes, so that it can
be cached for ever, and only the search page (``/search/``) loads it; ``search.js``
matches in the visitor's browser, and nothing they type leaves it.

Its shape is arrays rather than objects, to stay small at tens of thousands of memories::

    {"v": 1,
     "tags": [name, ...],
     "items": [[kind, url, title, date], ...],
     "memories": [[url, title, date, author, place, [tag index, ...], excerpt(, lang(, year))], ...]}

``kind`` is ``page``, ``campaign``, ``gallery``, ``milestone`` or ``label``; a memory's
``lang`` is its language when it is not the site's (else empty), and ``year`` its year when
its date is worded without it (``date_display: le jour de mes dix ans``), so that searching
the year finds it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storysite import routing
from storysite.curate import PublicSite
from storysite.dates import PartialDate
from storysite.markdown import summarize
from storysite.render import PageJob
from storysite.theme import Theme, theme_files
from storysite.views import MemoryViews, PageMeta, SiteView

SEARCH_URL = "/search/"
_ENTRIES_AT_ONCE = 1024
"""How many memories' entries are held as lists before they are written as JSON."""
SEARCH_ASSETS = ("css/search.css", "js/search.js")
"""The theme's files that only its search page loads: a site without the search ships neither."""
INDEX_FORMAT = 1
EXCERPT_CHARS = 64
"""The length of a memory's excerpt in the index: a glimpse of the text under its title
(cut at a word). At 10,000 memories each character more is 10 kB more to download."""


@dataclass(frozen=True)
class SearchItem:
    """Something other than a memory the search finds by its title (and date)."""

    kind: str
    url: str
    title: str
    date: str = ""


@dataclass(frozen=True)
class SearchIndex:
    """The index file: its path below the output folder, its URL (site-relative, as ``url()``
    takes it) and its bytes."""

    path: str
    url: str
    data: bytes


def editorial_items(site: PublicSite, galleries: Iterable[str], designs: Iterable[tuple[str, str]],
                    format_date: Callable[[PartialDate | None], str]) -> list[SearchItem]:
    """The published campaigns, pages, galleries (of those in ``galleries``, the slugs that got
    a page), milestones and label designs (``(title, url)`` of each), in that order."""
    items = [SearchItem("campaign", routing.campaign_url(c.slug), c.title, format_date(c.date) if c.date else "")
             for c in site.campaigns]
    items += [SearchItem("page", routing.page_url(p.slug), p.title) for p in site.pages]
    shown = set(galleries)
    items += [SearchItem("gallery", routing.gallery_url(g.slug), g.title, format_date(g.date) if g.date else "")
              for g in site.galleries if g.slug in shown]
    items += [SearchItem("milestone", routing.milestone_url(m.slug), m.title, format_date(m.date))
              for m in site.milestones]
    items += [SearchItem("label", url, title) for title, url in designs]
    return items


def build_index(memories: MemoryViews, items: Sequence[SearchItem], base_path: str) -> SearchIndex:
    """The index of ``memories`` (their cards, in index order) and ``items``; its bytes are a
    function of them alone (no clock, keys and entries in a fixed order)."""
    def url(path: str) -> str:
        return base_path + path.lstrip("/")

    tag_numbers = {tag.slug: number for number, tag in enumerate(memories.tags)}
    # Written piece by piece, as bytes: at 100,000 memories the index as one document of lists,
    # then as text (two bytes a character once a title has a dash), then escaped, held 200 MB
    # at once for a 16 MB file.
    parts = [b'{"v":', _json(INDEX_FORMAT), b',"tags":', _json([tag.name for tag in memories.tags]),
             b',"items":', _json([[item.kind, url(item.url), item.title, item.date] for item in items]),
             b',"memories":[']
    chunks: list[bytes] = []  # JSON arrays' insides, of up to _ENTRIES_AT_ONCE entries each
    entries: list[list[Any]] = []
    for card in memories.cards:
        entry: list[Any] = [url(card.url), card.title, card.date_text, card.author, card.location,
                            [tag_numbers[tag.slug] for tag in card.tags], summarize(card.excerpt, EXCERPT_CHARS)]
        year = card.date_iso[:4]
        if year and year not in card.date_text:
            entry += [card.lang, year]
        elif card.lang:
            entry.append(card.lang)
        entries.append(entry)
        if len(entries) == _ENTRIES_AT_ONCE:
            chunks.append(_json(entries)[1:-1])
            entries = []
    if entries:
        chunks.append(_json(entries)[1:-1])
    del entries
    data = b"".join([*parts, b",".join(chunks), b"]}"])
    del parts, chunks
    path = f"search/index.{hashlib.sha256(data).hexdigest()[:10]}.json"
    return SearchIndex(path, "/" + path, data)


def _json(value: Any) -> bytes:
    """``value`` as compact JSON in UTF-8. Fans' words are data: no "<", ">" or "&" of theirs is
    ever written as such, so that the file is inert wherever it is read, even pasted into a
    page's <script> (as tojson writes JSON-LD)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode("utf-8")


def search_job(site_view: SiteView, index: SearchIndex, translate: Callable[..., str], *,
               timeline: bool) -> PageJob:
    """The search page. Kept out of search engines (``noindex``, not in the sitemap): it shows
    nothing until a visitor searches, in their browser. Without JavaScript it links to the
    ways of browsing the site instead: the tags, the ``timeline`` (when the site has one) and
    the list of memories."""
    meta = PageMeta(translate("search.title"), translate("search.description"), SEARCH_URL, noindex=True,
                    section="search")
    return PageJob(SEARCH_URL, "search.html", {"site": site_view, "meta": meta, "index_url": index.url,
                                               "timeline": timeline},
                   in_sitemap=False)


def unused_search_assets(theme: Theme) -> list[str]:
    """The :data:`SEARCH_ASSETS` a site without search can leave out: those that no template
    but the search page's, and no other stylesheet, names. (A site's own theme may load one
    from every page, or import it in its stylesheet: that one is kept, so that its pages still
    find it.)"""
    texts: list[str] = []
    for folder in theme.template_dirs():
        root = Path(folder)
        texts += [path.read_text("utf-8", "replace") for path in theme_files(root)
                  if path.relative_to(root).as_posix() != "search.html"]
    texts += [path.read_text("utf-8", "replace") for logical, path in theme.static_files.items()
              if logical.endswith(".css") and logical not in SEARCH_ASSETS]
    # (A stylesheet names another relative to itself: "search.css" from css/site.css.)
    return [logical for logical in SEARCH_ASSETS
            if logical in theme.static_files and not any(logical.rpartition("/")[2] in text for text in texts)]
