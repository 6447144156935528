"""Site-wide outputs beside the pages: Atom feed, sitemap, robots.txt, 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from storysite.curate import PublicMemory, PublicSite
from storysite.render import PageJob
from storysite.views import MemoryViews, PageMeta, SiteView


@dataclass(frozen=True)
class FeedEntry:
    title: str
    url: str
    updated: str
    author: str
    summary: str
    content_html: str
    tags: tuple[str, ...]


def _stamp(memory: PublicMemory, build_date: dt.date) -> dt.date:
    # Never the story's own date (a 1986 memory published today is not 40 years old).
    return memory.published if memory.published is not None else build_date


def feed_job(site: PublicSite, site_view: SiteView, memories: MemoryViews, translate: Any) -> PageJob:
    """The Atom feed of memories, most recently published first.

    Entry times come from ``published:`` (else the day consent was granted), and
    the feed's own time is the latest of them (the build date for an empty feed,
    ``SOURCE_DATE_EPOCH`` when set), never the clock's time, so the feed is reproducible.
    """
    ordered = sorted(site.memories, key=lambda m: (_stamp(m, site.build_date), m.slug),
                     reverse=True)[: site.config.feed.limit]
    cards = {card.slug: card for card in memories.cards}
    entries = []
    for memory in ordered:
        card = cards[memory.slug]
        entries.append(FeedEntry(
            title=card.title,
            url=card.url,
            updated=_stamp(memory, site.build_date).isoformat() + "T00:00:00Z",
            author=card.author or translate("memory.anonymous"),
            summary=card.excerpt,
            content_html=memories.rendered[memory.slug].html,
            tags=tuple(t.name for t in card.tags),
        ))
    updated = max((e.updated for e in entries), default=site.build_date.isoformat() + "T00:00:00Z")
    meta = PageMeta(site.config.title, site_view.description, "/feed.xml")
    return PageJob("/feed.xml", "feed.xml", {"site": site_view, "meta": meta, "entries": entries, "updated": updated},
                   in_sitemap=False)


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
