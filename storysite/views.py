"""View models: what templates see, built only from a :class:`PublicSite`.

Templates never receive a model object: they get these small frozen values,
so a theme cannot reach a field curation did not let through. They are plain
(not slotted) dataclasses on purpose: page render keys pickle them, and that
is several times faster without slots.
"""

from __future__ import annotations

import pickle
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from storysite import routing
from storysite.curate import PublicMemory, PublicSite
from storysite.dates import PartialDate
from storysite.labels.views import ImageView
from storysite.markdown import RenderedMarkdown, render_fan_markdown, summarize
from storysite.model import MediaRef
from storysite.pictures import PictureView, SiteMedia, VideoView

DateFormatter = Callable[[PartialDate | None], str]

EXCERPT_CHARS = 180
"""The length of a memory's excerpt on cards (cut at a word)."""


@dataclass(frozen=True)
class Link:
    title: str
    url: str
    current: bool = False


@dataclass(frozen=True)
class TagView:
    name: str
    slug: str
    url: str
    count: int


@dataclass(frozen=True)
class MediaView:
    """A photo or video as the page shows it.

    ``picture`` (a photo's derivatives) and ``video`` (a facade or a local
    file) are set when the media went through the image pipeline.
    """

    kind: str
    alt: str
    caption: str
    credit: str
    title: str
    url: str
    picture: PictureView | None = None
    video: VideoView | None = None


@dataclass(frozen=True)
class MemoryCard:
    slug: str
    title: str
    url: str
    date_text: str
    date_iso: str
    author: str
    location: str
    excerpt: str
    tags: tuple[TagView, ...]
    featured: bool
    decade: int | None
    lang: str = ""
    """The language of the fan's title and text when it is not the site's (for ``lang=""``), else empty."""


@dataclass(frozen=True)
class MemoryPageView:
    card: MemoryCard
    body_html: str
    media: tuple[MediaView, ...]
    previous: MemoryCard | None
    next: MemoryCard | None
    label: ImageView | None = None
    """The fan's personalised label, when the memory is shareable and has one."""


@dataclass(frozen=True)
class Pagination:
    number: int
    total: int
    previous_url: str | None
    next_url: str | None
    pages: tuple[Link, ...]


@dataclass(frozen=True)
class PageMeta:
    """Head data of one output page: title, description, canonical URL, social tags."""

    title: str
    description: str
    url: str
    kind: str = "website"
    json_ld: Mapping[str, Any] | None = None
    noindex: bool = False
    section: str = ""
    image: ImageView | None = None
    """The page's own share card (``og:image``); else the site's is used."""
    published: str = ""
    """An article's publication date, ISO 8601 (``article:published_time``), when one is known."""
    tags: tuple[str, ...] = ()
    """An article's tags (``article:tag``)."""


@dataclass(frozen=True)
class IconView:
    """A favicon of the site's own ``static/`` folder, for a ``<link rel="icon">``."""

    url: str
    type: str
    sizes: str = ""
    """``any`` for a scalable (SVG) icon, so that browsers prefer it to a bitmap one."""


@dataclass(frozen=True)
class SiteView:
    title: str
    description: str
    brand_name: str
    language: str
    locale: str
    base_url: str
    logo: str | None
    palette: Mapping[str, str]
    nav: tuple[Link, ...]
    copyright: str
    share_image: ImageView | None = None
    """The site's share card, for pages without their own."""
    logo_size: tuple[int, int] | None = None
    """The logo's own width and height, when its file says (so its box is known before it loads)."""
    icons: tuple[IconView, ...] = ()
    """The favicons ``static/`` holds (``favicon.ico``, ``.png``, ``.svg``), bitmap ones first."""
    tag_index: bool = False
    """Whether the site has a tag index (``/tags/``): some published memory has a tag."""
    search_url: str = ""
    """The search page's URL (``/search/``), linked from every page's header; empty when the site has none."""


@dataclass(frozen=True)
class MemoryViews:
    """Cards for every published memory, in index order, with their tags."""

    cards: tuple[MemoryCard, ...]
    rendered: Mapping[str, RenderedMarkdown]
    tags: tuple[TagView, ...]
    by_tag: Mapping[str, tuple[MemoryCard, ...]] = field(default_factory=dict)

    def card(self, slug: str) -> MemoryCard | None:
        for card in self.cards:
            if card.slug == slug:
                return card
        return None


def memory_date_text(memory: PublicMemory, format_date: DateFormatter) -> str:
    return memory.date_display or format_date(memory.date)


def tag_views(memories: Sequence[PublicMemory]) -> dict[str, TagView]:
    """One tag per slug, named by the spelling most published memories use (:func:`spelling_rank`);
    its count is the number of memories that have it."""
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    counts: Counter[str] = Counter()
    for memory in memories:
        slugs: set[str] = set()
        for tag in memory.tags:  # each spelling once per memory (tags are deduplicated when read)
            slug = routing.slugify(tag)
            if slug:
                spellings[slug][tag] += 1
                slugs.add(slug)
        counts.update(slugs)
    views: dict[str, TagView] = {}
    for slug, names in sorted(spellings.items()):
        name = min(names.items(), key=lambda kv: spelling_rank(kv[0], kv[1]))[0]
        views[slug] = TagView(name, slug, routing.tag_url(slug), counts[slug])
    return views


def spelling_rank(name: str, memories: int) -> tuple[int, int, bool, int, int, str]:
    """How a tag's spelling ranks among those of its slug, the least first: used by the most
    memories, so that one fan cannot rename a tag others share; then, between spellings used
    as often, the plainest: the fewest characters that are not letters or digits (``family``
    before ``family 💩 !!!``), not in capitals throughout, keeping the most accents
    (``Goûter`` before ``GOUTER`` and ``gouter``), the shortest, then the first in code-point
    order."""
    marks = sum(1 for c in name if not c.isalnum() and not unicodedata.category(c).startswith("M"))
    accents = sum(1 for c in name if c.isalpha() and not c.isascii())
    return (-memories, marks, name.isupper(), -accents, len(name), name)


class RenderedTexts(Mapping[str, RenderedMarkdown]):
    """Rendered fan texts by memory slug, kept pickled (as the Markdown cache stores them):
    a site of 100,000 memories holds bytes, and each page unpickles its own text."""

    def __init__(self, raw: Mapping[str, bytes]) -> None:
        self._raw = raw

    def __getitem__(self, slug: str) -> RenderedMarkdown:
        value = pickle.loads(self._raw[slug])
        assert isinstance(value, RenderedMarkdown)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


def build_memory_views(site: PublicSite, format_date: DateFormatter,
                       render: Callable[[str, int], RenderedMarkdown] = render_fan_markdown,
                       rendered_raw: Mapping[str, bytes] | None = None) -> MemoryViews:
    """Render every published memory's text once and make its card.

    ``render`` may cache; ``rendered_raw``, when given, holds every memory's rendered
    text pickled (as the caches keep it), by slug: the views then read from it, unpickling
    a text only when a page needs it, and hold no copy.
    """
    tags = tag_views(site.memories)
    site_language = site.config.language
    cards: list[MemoryCard] = []
    rendered: dict[str, RenderedMarkdown] = {}
    by_tag: dict[str, list[MemoryCard]] = defaultdict(list)
    for memory in site.memories:
        if rendered_raw is not None:
            # The excerpt came with the parse (summarized already: the very string is kept,
            # not a copy per memory), or is read back from the rendered text.
            excerpt = memory.description or memory.excerpt or summarize(
                pickle.loads(rendered_raw[memory.slug]).text, EXCERPT_CHARS)
        else:
            body = render(memory.body, memory.body_line)
            rendered[memory.slug] = body
            excerpt = memory.description or summarize(body.text, EXCERPT_CHARS)
        memory_tags = []
        for tag in memory.tags:
            slug = routing.slugify(tag)
            if slug in tags and tags[slug] not in memory_tags:
                memory_tags.append(tags[slug])
        card = MemoryCard(
            slug=memory.slug,
            title=memory.title,
            url=routing.memory_url(memory.slug),
            date_text=memory_date_text(memory, format_date),
            date_iso=memory.date.iso() if memory.date and not memory.date.decade else "",
            author=memory.author_display,
            location=memory.location,
            excerpt=excerpt,
            tags=tuple(memory_tags),
            featured=memory.featured,
            decade=memory.date.decade_start if memory.date else None,
            lang=memory.language if memory.language.lower() != site_language.lower() else "",
        )
        cards.append(card)
        for tag_view in memory_tags:
            by_tag[tag_view.slug].append(card)
    return MemoryViews(
        tuple(cards),
        RenderedTexts(rendered_raw) if rendered_raw is not None else rendered,
        tuple(tags.values()),
        {slug: tuple(group) for slug, group in sorted(by_tag.items())},
    )


def media_views(media: Sequence[MediaRef], site_media: SiteMedia | None = None) -> tuple[MediaView, ...]:
    """Media as pages show them; with ``site_media``, photos and videos come ready to embed.

    A photo or local video the pipeline could not make (already reported as
    an error) is left out rather than shown broken.
    """
    views = []
    for ref in media:
        if site_media is None:
            if ref.video:
                views.append(MediaView("video", "", ref.caption, ref.credit, ref.title, ref.video))
            else:
                views.append(MediaView("photo", ref.alt, ref.caption, ref.credit, "", ""))
            continue
        if ref.video:
            video = site_media.video(ref)
            if video is not None:
                views.append(MediaView("video", "", ref.caption, ref.credit, ref.title,
                                       video.page_url or video.src, video=video))
        else:
            picture = site_media.picture(ref)
            if picture is not None:
                views.append(MediaView("photo", ref.alt, ref.caption, ref.credit, "", picture.large,
                                       picture=picture))
    return tuple(views)


def paginate(items: Sequence[Any], per_page: int) -> list[Sequence[Any]]:
    """Split ``items`` into pages; an empty list still has one (empty) page."""
    if not items:
        return [()]
    return [items[i : i + per_page] for i in range(0, len(items), per_page)]


def pagination(number: int, total: int, url_for: Callable[[int], str]) -> Pagination:
    """Links to the first, last and nearby pages; a gap (empty URL) stands for the others.

    Listing every page would make each index page grow with the site (and the
    site quadratically); a window keeps them small and easy to scan.
    """
    shown = sorted({1, total, *range(max(1, number - 2), min(total, number + 2) + 1)})
    links: list[Link] = []
    for previous, n in zip([0, *shown], shown, strict=False):
        if n - previous > 1:
            links.append(Link("…", "", False))
        links.append(Link(str(n), url_for(n), n == number))
    return Pagination(
        number=number,
        total=total,
        previous_url=url_for(number - 1) if number > 1 else None,
        next_url=url_for(number + 1) if number < total else None,
        pages=tuple(links),
    )
