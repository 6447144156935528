"""Site-wide outputs beside the pages: Atom feed, sitemap, robots.txt, 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from storysite import routing
from storysite.curate import PublicMemory, PublicSite
from storysite.markdown import fill_table_labels
from storysite.pictures import PictureView, SiteMedia
from storysite.render import PageJob, table_label
from storysite.views import MemoryCard, MemoryViews, PageMeta, SiteView, media_views


@dataclass(frozen=True)
class FeedPhoto:
    """A memory's photo as a feed entry shows it: one file of the fallback format."""

    src: str
    alt: str
    width: int
    height: int


@dataclass(frozen=True)
class FeedEntry:
    title: str
    url: str
    updated: str
    author: str
    summary: str
    content_html: str
    tags: tuple[str, ...]
    photos: tuple[FeedPhoto, ...] = ()
    """Shown above the text, as feed readers show no page around it."""


def _stamp(memory: PublicMemory, build_date: dt.date) -> dt.date:
    # Never the story's own date (a 1986 memory published today is not 40 years old).
    return memory.published if memory.published is not None else build_date


def feed_jobs(site: PublicSite, site_view: SiteView, memories: MemoryViews, translate: Any,
              site_media: SiteMedia | None = None) -> list[PageJob]:
    """The Atom feed of memories, most recently published first, then one per tag
    (``/tags/<slug>/feed.xml``: that tag's memories alone, for visitors who follow one theme;
    none with ``feed.tags: false``). Each lists ``feed.limit`` memories at most.

    Entry times come from ``published:`` (else the day consent was granted), and
    a feed's own time is the latest of them (the build date for an empty feed,
    ``SOURCE_DATE_EPOCH`` when set), never the clock's time, so feeds are reproducible.
    """
    limit = site.config.feed.limit
    newest_first = sorted(site.memories, key=lambda m: (_stamp(m, site.build_date), m.slug), reverse=True)
    cards = {card.slug: card for card in memories.cards}
    meta = PageMeta(site.config.title, site_view.description, "/feed.xml")
    jobs = [_feed(site, site_view, memories, cards, translate, newest_first[:limit], meta, "/", site_media)]
    if not site.config.feed.tags:
        return jobs
    by_tag: dict[str, list[PublicMemory]] = {tag.slug: [] for tag in memories.tags}
    # One pass over the memories, newest first, filling each tag's feed to the limit.
    for memory in newest_first:
        for tag_view in cards[memory.slug].tags:
            shown = by_tag.get(tag_view.slug)
            if shown is not None and len(shown) < limit:
                shown.append(memory)
    for tag in memories.tags:
        meta = PageMeta(f"{translate('tags.one', name=tag.name)} · {site.config.title}",
                        translate("tags.one_description", name=tag.name, count=tag.count), routing.tag_feed_url(tag.slug))
        jobs.append(_feed(site, site_view, memories, cards, translate, by_tag[tag.slug], meta, routing.tag_url(tag.slug),
                          site_media))
    return jobs


def _feed(site: PublicSite, site_view: SiteView, memories: MemoryViews, cards: Mapping[str, MemoryCard],
          translate: Any, ordered: Sequence[PublicMemory], meta: PageMeta, home: str,
          site_media: SiteMedia | None) -> PageJob:
    """The feed at ``meta.url`` of the ``ordered`` memories; ``home``: the page it follows."""
    entries = []
    tables = table_label(translate)
    for memory in ordered:
        card = cards[memory.slug]
        entries.append(FeedEntry(
            title=card.title,
            url=card.url,
            updated=_stamp(memory, site.build_date).isoformat() + "T00:00:00Z",
            author=card.author or translate("memory.anonymous"),
            summary=card.excerpt,
            content_html=fill_table_labels(memories.rendered[memory.slug].html, tables),
            tags=tuple(t.name for t in card.tags),
            photos=tuple(_feed_photo(view.picture) for view in media_views(memory.media, site_media)
                         if view.picture is not None) if site_media is not None else (),
        ))
    updated = max((e.updated for e in entries), default=site.build_date.isoformat() + "T00:00:00Z")
    return PageJob(meta.url, "feed.xml", {"site": site_view, "meta": meta, "entries": entries, "updated": updated,
                                          "feed_url": meta.url, "feed_home": home},
                   in_sitemap=False)


def _feed_photo(picture: PictureView) -> FeedPhoto:
    """The photo's ``src`` file, with its own size (the page's ``<img>`` has the largest's, for
    its ``srcset``)."""
    width = next((c.width for c in picture.candidates if c.url == picture.src), picture.width)
    height = round(width * picture.height / picture.width) if picture.width else picture.height
    return FeedPhoto(picture.src, picture.alt, width, height)


def sitemap_job(site_view: SiteView, urls: Iterable[str]) -> PageJob:
    meta = PageMeta("sitemap", "", "/sitemap.xml")
    return PageJob("/sitemap.xml", "sitemap.xml", {"site": site_view, "meta": meta, "urls": sorted(set(urls))},
                   in_sitemap=False)


def robots_job(site_view: SiteView) -> PageJob:
    meta = PageMeta("robots", "", "/robots.txt")
    return PageJob("/robots.txt", "robots.txt", {"site": site_view, "meta": meta}, in_sitemap=False)


def not_found_job(site_view: SiteView, translate: Any, extra: Mapping[str, Any]) -> PageJob:
    meta = PageMeta(translate("notfound.title"), translate("notfound.description"), "/404.html", noindex=True)
    return PageJob("/404.html", "404.html", {"site": site_view, "meta": meta, **extra}, in_sitemap=False)
