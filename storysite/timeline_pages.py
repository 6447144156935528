"""Timeline pages: view models, the page jobs and the ``::: timeline`` block.

Everything here is built from a :class:`~storysite.timeline.Timeline` (itself
built from the public site only) and the memory views, so a timeline page can
show nothing that curation held back. Milestone text is the editors'
Markdown; a memory appears as a compact card that links to its own page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from storysite.bodyimages import fill_images, image_resolver
from storysite.curate import PublicSite
from storysite.dates import PartialDate
from storysite.diagnostics import Diagnostic, error, notice, warning
from storysite.links import render_site_markdown
from storysite.markdown import (
    BLOCK_MARKER,
    IMAGE_BLOCK,
    BlockRef,
    TableLabel,
    summarize,
)
from storysite.pictures import SiteMedia
from storysite.render import PageJob
from storysite.routing import slugify
from storysite.timeline import MEMORY, MILESTONE, Decade, Entry, Timeline, parse_range
from storysite.views import (
    Link,
    MediaView,
    MemoryViews,
    PageMeta,
    Pagination,
    SiteView,
    media_views,
    paginate,
    pagination,
)

TIMELINE_URL = "/timeline/"
DateFormatter = Callable[..., str]
BlockRenderer = Callable[[str, Mapping[str, Any]], str]


def decade_url(decade: Decade | int, page_number: int = 1) -> str:
    """``/timeline/1980s/``: the (first) page of one decade."""
    start = decade.start if isinstance(decade, Decade) else decade
    return f"{TIMELINE_URL}{start}s/" if page_number == 1 else f"{TIMELINE_URL}{start}s/page/{page_number}/"


@dataclass(frozen=True)
class EraView:
    name: str
    span: str
    """``1980–1994``."""
    index: int
    """Position among the site's eras, for alternating colours."""


@dataclass(frozen=True)
class FilterTag:
    name: str
    slug: str


@dataclass(frozen=True)
class EntryView:
    """One timeline entry as templates show it."""

    kind: str
    """``milestone`` or ``memory``."""
    anchor: str
    title: str
    date_text: str
    date_iso: str
    """For ``<time datetime>``; empty for a date known only to its decade."""
    year: str
    """The year this entry opens (its marker is the year's anchor), or empty."""
    era: EraView | None
    era_start: bool
    """The entry is the first of its era in its decade: the era is named before it."""
    tag_slugs: tuple[str, ...]
    summary: str
    """Plain text, for compact lists (blocks)."""
    body_html: str = ""
    """A milestone's text under its title as an ``<h2>`` (a decade's own page): its headings start at h3."""
    body_html_h3: str = ""
    """The same text under its title as an ``<h3>`` (the overview, below the decade's ``<h2>``):
    its headings start at h4."""
    media: tuple[MediaView, ...] = ()
    url: str = ""
    """A memory's page."""
    author: str = ""
    location: str = ""
    year_of: str = ""
    """The year the entry falls in, when it is known to the year."""
    lang: str = ""
    """A memory's language when it is not the site's (for ``lang=""``), else empty."""


@dataclass(frozen=True)
class DecadeView:
    start: int
    slug: str
    title: str
    """"Années 1980": the decade in words, capitalised for a heading."""
    url: str
    entries: tuple[EntryView, ...]
    eras: tuple[EraView, ...]
    milestones: int
    memories: int
    shown_memories: int = -1
    """How many of ``memories`` ``entries`` holds, when it is a selection (-1: all)."""


@dataclass(frozen=True)
class TimelineViews:
    """Every decade's view, built once for the timeline pages and the blocks."""

    timeline: Timeline
    decades: tuple[DecadeView, ...]
    tags: tuple[FilterTag, ...]

    def entry_views(self, entries: tuple[Entry, ...]) -> tuple[EntryView, ...]:
        by_anchor = {view.anchor: view for decade in self.decades for view in decade.entries}
        return tuple(by_anchor[entry.anchor] for entry in entries)


@dataclass(frozen=True)
class TimelinePage:
    """What ``timeline.html`` shows: all decades, or one."""

    decades: tuple[DecadeView, ...]
    bar: tuple[Link, ...]
    """The decade bar: anchors on the full timeline, decade pages on a decade's page."""
    tags: tuple[FilterTag, ...]
    span: str
    decade_page: bool = False
    previous: Link | None = None
    next: Link | None = None
    pagination: Pagination | None = None
    """The pages of a decade too long for one page."""


def capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def build_timeline_views(
    site: PublicSite,
    timeline: Timeline,
    memories: MemoryViews,
    format_date: DateFormatter,
    site_media: SiteMedia | None = None,
    table_label: TableLabel | None = None,
) -> tuple[TimelineViews, list[Diagnostic]]:
    """Render every milestone's text once and make every entry's view.

    ``site_media`` holds the photos the image pipeline made; without it (or
    for a photo it could not make) a milestone's photo is a placeholder.
    ``table_label`` names the scroll box of each table of a milestone's text.
    """
    problems: list[Diagnostic] = []
    cards = {card.slug: card for card in memories.cards}
    eras = {era: EraView(era.name, _span(era.start, era.end), index) for index, era in enumerate(timeline.eras)}
    tags: dict[str, str] = {}
    decades: list[DecadeView] = []
    for decade in timeline.decades:
        views: list[EntryView] = []
        for entry in decade.entries:
            year, era_start = "", False
            era = eras.get(entry.era) if entry.era is not None else None
            if entry.kind == MILESTONE:
                assert entry.milestone is not None
                milestone = entry.milestone
                (body_html, body_html_h3), text = _milestone_body(
                    site, milestone.body, milestone.body_line, milestone.origin.path, problems, site_media,
                    heading_id_prefix=f"{entry.anchor}--", table_label=table_label)
                slugs = _tag_slugs(milestone.tags, tags)
                views.append(EntryView(
                    kind=MILESTONE, anchor=entry.anchor, title=milestone.title,
                    date_text=milestone.date_display or format_date(milestone.date, approximate=milestone.circa),
                    date_iso=_iso(milestone.date), year=year, era=era, era_start=era_start, tag_slugs=slugs,
                    summary=summarize(text, 160), body_html=body_html, body_html_h3=body_html_h3,
                    media=media_views(milestone.media, site_media),
                    year_of=str(entry.year) if entry.year is not None else "",
                ))
            else:
                card = cards[entry.slug]
                for tag in card.tags:
                    tags.setdefault(tag.slug, tag.name)
                views.append(EntryView(
                    kind=MEMORY, anchor=entry.anchor, title=card.title, date_text=card.date_text,
                    date_iso=card.date_iso, year=year, era=era, era_start=era_start,
                    tag_slugs=tuple(tag.slug for tag in card.tags), summary=summarize(card.excerpt, 140),
                    url=card.url, author=card.author, location=card.location,
                    year_of=str(entry.year) if entry.year is not None else "", lang=card.lang,
                ))
        decades.append(DecadeView(
            start=decade.start,
            slug=decade.slug,
            title=capitalize(format_date(PartialDate(decade.start, decade=True))),
            url=decade_url(decade),
            entries=with_markers(views),
            eras=tuple(eras[era] for era in decade.eras),
            milestones=sum(1 for e in decade.entries if e.kind == MILESTONE),
            memories=sum(1 for e in decade.entries if e.kind == MEMORY),
        ))
    filter_tags = tuple(FilterTag(name, slug) for slug, name in sorted(tags.items()))
    return TimelineViews(timeline, tuple(decades), filter_tags), problems


def with_markers(views: Sequence[EntryView]) -> tuple[EntryView, ...]:
    """``views`` with the first entry of each year carrying its year (the year's anchor)
    and the first of each era its name, as they read on one page."""
    seen_years: set[str] = set()
    seen_eras: set[EraView] = set()
    marked = []
    for view in views:
        year = view.year_of if view.year_of and view.year_of not in seen_years else ""
        seen_years.add(view.year_of)
        era_start = view.era is not None and view.era not in seen_eras
        if view.era is not None:
            seen_eras.add(view.era)
        marked.append(view if (year, era_start) == (view.year, view.era_start)
                      else replace(view, year=year, era_start=era_start))
    return tuple(marked)


def sample_memories(views: Sequence[EntryView], limit: int) -> tuple[EntryView, ...]:
    """Every milestone, and at most ``limit`` memories spread evenly over ``views``, in order."""
    memories = [index for index, view in enumerate(views) if view.kind == MEMORY]
    if len(memories) <= limit:
        return tuple(views)
    keep = {memories[(k * len(memories)) // limit] for k in range(limit)}
    return tuple(view for index, view in enumerate(views) if view.kind != MEMORY or index in keep)


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def _iso(date: PartialDate) -> str:
    return "" if date.decade else date.iso()


def _tag_slugs(names: tuple[str, ...], known: dict[str, str]) -> tuple[str, ...]:
    slugs: list[str] = []
    for name in names:
        slug = slugify(name)
        if slug and slug not in slugs:
            slugs.append(slug)
            known.setdefault(slug, name)
    return tuple(slugs)


MILESTONE_TITLE_LEVELS = (2, 3)
"""The levels of a milestone's title: an ``<h2>`` on its decade's own page, an ``<h3>`` on the
overview. Its text is rendered for each, so that its own headings sit below its title on both."""


def _milestone_body(site: PublicSite, body: str, line: int, path: str, problems: list[Diagnostic],
                    site_media: SiteMedia | None = None, heading_id_prefix: str = "",
                    table_label: TableLabel | None = None) -> tuple[tuple[str, ...], str]:
    """The milestone's text in HTML under a title of each of :data:`MILESTONE_TITLE_LEVELS`,
    and its plain text."""
    # Every milestone of a decade shares its page: its headings' ids start with the
    # milestone's own anchor (milestone-pot--contexte), or two texts with one "## Contexte"
    # would give the page two elements with one id. Slugs never hold "--", so no heading's id
    # can be another milestone's anchor.
    images = image_resolver(site_media, site.config.base_path)
    htmls: list[str] = []
    text = ""
    for level in MILESTONE_TITLE_LEVELS:
        # The problems are the same at every level: reported once.
        found: list[Diagnostic] = problems if not htmls else []
        rendered, parsed = render_site_markdown(site, body, line, path, TIMELINE_URL, heading_id_prefix,
                                                heading_level=level, table_label=table_label)
        found.extend(parsed)
        html = fill_images(rendered, path, images, found)
        for block in rendered.blocks:
            if block.name == IMAGE_BLOCK:
                continue
            # A milestone shows on pages that blocks themselves build: no nesting.
            found.append(error(path, block.line, f"'::: {block.name}' blocks cannot be used in a milestone's text"))
        htmls.append(BLOCK_MARKER.sub("", html))
        text = rendered.text
    return tuple(htmls), text


def timeline_jobs(site_view: SiteView, views: TimelineViews, translate: Callable[..., str],
                  overview_memories: int = 24, per_page: int = 200) -> Iterator[PageJob]:
    """``/timeline/`` and the pages of each decade; nothing when there is nothing to show.

    The overview shows every milestone and at most ``overview_memories`` memories a
    decade; a decade's own pages show all of it, ``per_page`` entries a page. Neither
    grows with the number of fans, so an edit re-renders a few small pages.
    """
    if not views.decades:
        return
    # The span shown starts at the first year known (a "1970s" memory does not make a brand
    # founded in 1976 look older) and ends at the last one; a decade wholly before or after
    # them (a "1900s" or "2000s" memory) stretches it to its own first or last year.
    entries = views.timeline.entries
    years = [entry.year for entry in entries if entry.year is not None]
    decades = [entry.span for entry in entries if entry.year is None]
    if years:
        first = min([*years, *(start for start, end in decades if end < min(years))])
        last = max([*years, *(end for start, end in decades if start > max(years))])
    else:
        first, last = entries[0].span[0], entries[-1].span[1]
    span = _span(first, last)
    bar = tuple(Link(str(d.start), "#" + d.slug) for d in views.decades)
    description = translate("timeline.description", brand=site_view.brand_name, span=span)
    meta = PageMeta(translate("timeline.title"), description, TIMELINE_URL, section="timeline")
    overview = []
    for decade in views.decades:
        shown = sample_memories(decade.entries, overview_memories)
        overview.append(decade if len(shown) == len(decade.entries) else replace(
            decade, entries=with_markers(shown), shown_memories=sum(1 for e in shown if e.kind == MEMORY)))
    page = TimelinePage(tuple(overview), bar, views.tags, span)
    yield PageJob(TIMELINE_URL, "timeline.html", {"site": site_view, "meta": meta, "timeline": page})
    for index, decade in enumerate(views.decades):
        links = tuple(Link(str(d.start), d.url, d.start == decade.start) for d in views.decades)
        previous = views.decades[index - 1] if index > 0 else None
        following = views.decades[index + 1] if index + 1 < len(views.decades) else None
        tag_slugs = {slug for entry in decade.entries for slug in entry.tag_slugs}
        tags = tuple(tag for tag in views.tags if tag.slug in tag_slugs)
        chunks = paginate(decade.entries, per_page)
        for number, chunk in enumerate(chunks, start=1):
            url = decade_url(decade.start, number)
            title = translate("timeline.decade_title", decade=decade.title)
            description = translate("timeline.decade_description", decade=decade.title, brand=site_view.brand_name)
            if number > 1:
                title = translate("pagination.titled", title=title, number=number, total=len(chunks))
                description = translate("pagination.described", description=description, number=number,
                                        total=len(chunks))
            meta = PageMeta(title, description, url, section="timeline")
            part = decade if len(chunks) == 1 else replace(decade, entries=with_markers(chunk))
            page = TimelinePage(
                (part,), links, tags, _span(decade.start, decade.start + 9), decade_page=True,
                previous=Link(previous.title, previous.url) if previous else None,
                next=Link(following.title, following.url) if following else None,
                pagination=pagination(number, len(chunks), functools.partial(decade_url, decade.start))
                if len(chunks) > 1 else None,
            )
            yield PageJob(url, "timeline.html", {"site": site_view, "meta": meta, "timeline": page})


def timeline_block(views: TimelineViews, render_block: BlockRenderer, overview_memories: int = 24,
                   held_back: Sequence[PartialDate] = ()) -> Callable[[BlockRef, str, list[Diagnostic]], str]:
    """The resolver of ``::: timeline`` and ``::: timeline 1976-1989`` blocks (every
    milestone of the range, and at most ``overview_memories`` memories a decade).
    ``held_back``: the dates of the memories that are not published (withdrawn, awaiting
    approval…): a block left empty by one of them is a note, which never fails a build, so
    that ``--strict`` cannot hold a withdrawal back."""

    def resolve(block: BlockRef, path: str, problems: list[Diagnostic]) -> str:
        if len(block.args) > 1:
            problems.append(error(path, block.line, "'::: timeline' takes at most one range, such as 1976-1989"))
            return ""
        timeline = views.timeline
        label = ""
        first, last = -10**9, 10**9
        if block.args:
            years, reason = parse_range(block.args[0])
            if years is None:
                problems.append(error(path, block.line, f"'::: timeline {block.args[0]}': {reason}"))
                return ""
            first, last = years
            timeline = timeline.between(first, last)
            label = _span(first, last)
        if not len(timeline):
            where = (f" between {label.replace('–', ' and ')}" if "–" in label else f" in {label}") if label else ""
            spans = ((d.year, d.year + 9 if d.decade else d.year) for d in held_back)
            said = notice if any(start <= last and end >= first for start, end in spans) else warning
            problems.append(said(path, block.line, f"the timeline has no entry{where}; the block is left out"))
            return ""
        decades = [
            (next(d for d in views.decades if d.start == decade.start),
             with_markers(sample_memories(views.entry_views(decade.entries), overview_memories)))
            for decade in timeline.decades
        ]
        return render_block("blocks/timeline.html", {"decades": decades, "range": label,
                                                     "link": decade_url(timeline.decades[0])
                                                     if len(timeline.decades) == 1 else TIMELINE_URL})

    return resolve
