"""Render: plan every HTML page as a job (template + view models), then render jobs.

``plan_pages`` decides which pages exist and what each shows; ``render_job``
turns one job into its text and is a pure function of the job and the
environment, so jobs can be rendered in any order, or in parallel.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2

from storysite import routing
from storysite.curate import PublicSite
from storysite.diagnostics import Diagnostic, error, notice
from storysite.labels.views import LabelViews
from storysite.links import render_site_markdown
from storysite.markdown import (
    BLOCK_MARKER,
    BlockRef,
    RenderedMarkdown,
    TableLabel,
    fill_table_labels,
    summarize,
)
from storysite.pictures import SiteMedia
from storysite.theme import Theme, template_error
from storysite.views import (
    Link,
    MemoryCard,
    MemoryPageView,
    MemoryViews,
    PageMeta,
    SiteView,
    media_views,
    paginate,
    pagination,
)


@dataclass(frozen=True)
class OutputFile:
    """One file of the built site: its path below the output folder, and its bytes."""

    path: str
    data: bytes


@dataclass(frozen=True)
class PageJob:
    """A page to render: its URL, template and context (view models only).

    The context may be given as a pure function that makes it: tens of thousands
    of memory pages are then planned without holding every page's text at once,
    and each context exists only while its page is keyed and rendered.
    """

    url: str
    template: str
    context: Mapping[str, Any] | Callable[[], Mapping[str, Any]]
    in_sitemap: bool = True
    inputs: Callable[[], tuple[Any, ...] | None] | None = None
    """Everything the context is made from, when that is much cheaper to hash than the
    context itself (a memory page's text is named by its content hash rather than held):
    the page's render key is then computed from these. ``None`` from it: use the context."""

    @property
    def output_path(self) -> str:
        return routing.output_path(self.url)

    def values(self) -> Mapping[str, Any]:
        """The context, made now if it was given as a function."""
        return self.context() if callable(self.context) else self.context


def render_job(env: jinja2.Environment, theme: Theme, job: PageJob,
               context: Mapping[str, Any] | None = None) -> tuple[str | None, Diagnostic | None]:
    """Render one job's text (with ``context``, when its context is made already); a
    template failure becomes a diagnostic on the template."""
    try:
        return env.get_template(job.template).render(context if context is not None else job.values()), None
    except Exception as exc:
        return None, template_error(exc, theme)


def table_label(translate: Callable[..., str]) -> TableLabel:
    """The name of an editor's table's scroll box, from the theme's strings: after the
    table's column headings, which tell two tables of one page apart."""
    def label(columns: str) -> str:
        return translate("table.label", columns=columns) if columns else translate("table.label_untitled")
    return label


BlockRenderer = Callable[[str, Mapping[str, Any]], str]
BlockResolver = Callable[[BlockRef, str, list[Diagnostic]], str]
"""Turns one ``::: name args`` block of the file at ``path`` into HTML, reporting problems."""


def resolve_blocks(
    rendered: RenderedMarkdown,
    path: str,
    memories: MemoryViews,
    withheld: frozenset[str],
    render_block: BlockRenderer,
    problems: list[Diagnostic],
    resolvers: Mapping[str, BlockResolver] | None = None,
) -> str:
    """Replace each ``:::`` block placeholder with its HTML.

    ``resolvers`` maps other block names (``timeline``…) to the function of
    the module that owns that kind of item.

    A memory that exists but is not published renders as nothing (with a
    warning), so a withdrawal never breaks a campaign page.
    """
    pieces: dict[int, str] = {}
    for block in rendered.blocks:
        html = ""
        if block.name == "memory":
            if len(block.args) != 1:
                problems.append(error(path, block.line, "'::: memory' takes one memory slug"))
            else:
                card = memories.card(block.args[0])
                if card is not None:
                    html = render_block("blocks/memory.html", {"card": card})
                elif block.args[0] in withheld:
                    problems.append(notice(path, block.line, f"memory '{block.args[0]}' is not published; the block is left out"))
                else:
                    problems.append(error(path, block.line, f"no memory with slug '{block.args[0]}'"))
        elif resolvers and block.name in resolvers:
            html = resolvers[block.name](block, path, problems)
        else:
            problems.append(error(path, block.line, f"'::: {block.name}' blocks are not available in this version yet"))
        pieces[block.index] = html
    return BLOCK_MARKER.sub(lambda m: pieces.get(int(m.group(1)), ""), rendered.html)


def plan_pages(
    site: PublicSite,
    site_view: SiteView,
    memories: MemoryViews,
    withheld: frozenset[str],
    render_block: BlockRenderer,
    translate: Callable[..., str],
    problems: list[Diagnostic],
    resolvers: Mapping[str, BlockResolver] | None = None,
    site_media: SiteMedia | None = None,
    labels: LabelViews | None = None,
) -> Iterator[PageJob]:
    """Every HTML page of the site, in a stable order.

    ``site_media`` holds the photos and videos made by the image pipeline;
    ``labels`` the fan labels and share cards made for memories.
    """
    config = site.config
    t_site = {"site": site_view}

    def job(url: str, template: str, meta: PageMeta, *,
            inputs: Callable[[], tuple[Any, ...] | None] | None = None, **context: Any) -> PageJob:
        return PageJob(url, template, {**t_site, "meta": meta, **context}, inputs=inputs)

    try:
        shared: bytes | None = hashlib.sha256(pickle.dumps(sorted(t_site.items()), protocol=5)).digest()
    except Exception:
        shared = None
    card_digests: dict[str, tuple[MemoryCard, bytes]] = {}

    def card_digest(card: MemoryCard | None) -> bytes | None:
        # A card is shown by its memory's page, its neighbours' pages and several list
        # pages: hashed once here, it is not pickled again for each page's key.
        if card is None:
            return None
        known = card_digests.get(card.slug)
        if known is not None and known[0] is card:
            return known[1]
        digest = hashlib.sha256(pickle.dumps(card, protocol=5)).digest()
        card_digests[card.slug] = (card, digest)
        return digest

    def list_job(url: str, template: str, meta: PageMeta, shown: Sequence[MemoryCard], **context: Any) -> PageJob:
        """A page listing ``shown`` cards, keyed by the cards' hashes rather than the cards."""
        def inputs() -> tuple[Any, ...] | None:
            try:
                return (shared, meta, tuple(card_digest(card) for card in shown), sorted(context.items()))
            except Exception:
                return None
        return job(url, template, meta, inputs=inputs if shared is not None else None, memories=list(shown),
                   **context)

    tables = table_label(translate)
    campaign_cards = []
    for campaign in site.campaigns:
        url = routing.campaign_url(campaign.slug)
        rendered, found = render_site_markdown(site, campaign.body, campaign.body_line, campaign.origin.path, url,
                                               table_label=tables)
        problems.extend(found)
        body = resolve_blocks(rendered, campaign.origin.path, memories, withheld, render_block, problems, resolvers)
        description = campaign.description or summarize(rendered.text)
        campaign_cards.append(Link(campaign.title, url))
        yield job(url, "campaign.html", PageMeta(campaign.title, description, url, "article", section="campaigns"),
                  campaign=campaign, body_html=body, description=description,
                  hero=next(iter(media_views((campaign.hero,), site_media)), None) if campaign.hero else None)

    for page in site.pages:
        url = routing.page_url(page.slug)
        rendered, found = render_site_markdown(site, page.body, page.body_line, page.origin.path, url,
                                               table_label=tables)
        problems.extend(found)
        body = resolve_blocks(rendered, page.origin.path, memories, withheld, render_block, problems, resolvers)
        description = page.description or summarize(rendered.text) or site_view.description
        yield job(url, "page.html", PageMeta(page.title, description, url, section=page.slug), page=page, body_html=body)

    cards = memories.cards
    featured = [c for c in cards if c.featured][:6] or list(cards[:6])
    yield job("/", "home.html", PageMeta(config.title, site_view.description, "/", section="home"),
              featured=featured, latest=list(cards[:8]), campaigns=list(site.campaigns),
              tags=sorted(memories.tags, key=lambda t: (-t.count, t.slug))[:12],
              decades=_decade_counts(cards), memory_count=len(cards))

    if site.campaigns:
        yield job("/campaigns/", "campaign_list.html",
                  PageMeta(translate("campaigns.title"), translate("campaigns.description"), "/campaigns/",
                           section="campaigns"),
                  campaigns=list(site.campaigns))

    pages = paginate(cards, config.memories.per_page)
    for number, group in enumerate(pages, start=1):
        url = routing.memory_index_url(number)
        title, description = translate("memories.title"), translate("memories.description")
        if number > 1:  # (each page its own title and description, as search engines ask)
            title = translate("pagination.titled", title=title, number=number, total=len(pages))
            description = translate("pagination.described", description=description, number=number, total=len(pages))
        yield list_job(url, "memory_list.html", PageMeta(title, description, url, section="memories"),
                       group, pagination=pagination(number, len(pages), routing.memory_index_url),
                       memory_count=len(cards))

    def memory_inputs(index: int) -> tuple[Any, ...]:
        """What a memory's page shows, its text named by the text's key (see memory_context)."""
        card, memory = cards[index], site.memories[index]
        return (card, memory.body_key, media_views(memory.media, site_media),
                cards[index - 1] if index > 0 else None, cards[index + 1] if index + 1 < len(cards) else None,
                labels.memory_labels.get(card.slug) if labels else None,
                labels.memory_cards.get(card.slug) if labels else None, memory.publication_date)

    def memory_key_inputs(index: int) -> tuple[Any, ...] | None:
        # The text's key is the hash of its source, which the text is a pure function of;
        # without one (a text rendered another way), the context itself is hashed.
        card, body_key, media, previous, following, label, label_card, published = memory_inputs(index)
        if shared is None or not body_key:
            return None
        try:
            return (shared, config.language, card_digest(card), body_key, media, card_digest(previous),
                    card_digest(following), label, label_card, published)
        except Exception:
            return None

    def memory_context(index: int) -> Mapping[str, Any]:
        card, _, media, previous, following, label, label_card, published = memory_inputs(index)
        # Published as the editors dated it (`published:`), or not said: the day consent was
        # granted, which the feed orders by, is private, and the story's own date is not when
        # the page went up.
        published_iso = published.isoformat() if published is not None else ""
        # (The text's tables are named here, in the site's language: see fill_table_labels.)
        view = MemoryPageView(card=card, body_html=fill_table_labels(memories.rendered[card.slug].html, tables),
                              media=media, previous=previous, next=following, label=label)
        json_ld = {
            "@context": "https://schema.org",
            "@type": "CreativeWork",
            "name": card.title,
            "description": card.excerpt,
            "inLanguage": config.language,
            "author": {"@type": "Person", "name": card.author} if card.author else None,
            "dateCreated": card.date_iso or None,
            "datePublished": published_iso or None,
            "keywords": ", ".join(t.name for t in card.tags) or None,
            "contentLocation": {"@type": "Place", "name": card.location} if card.location else None,
        }
        meta = PageMeta(card.title, card.excerpt, card.url, "article",
                        {k: v for k, v in json_ld.items() if v is not None}, section="memories",
                        image=label_card, published=published_iso, tags=tuple(t.name for t in card.tags))
        return {**t_site, "meta": meta, "memory": view}

    for index, card in enumerate(cards):
        yield PageJob(card.url, "memory.html", functools.partial(memory_context, index),
                      inputs=functools.partial(memory_key_inputs, index))

    if memories.tags:
        yield job("/tags/", "tag_list.html", PageMeta(translate("tags.title"), translate("tags.description"), "/tags/", section="memories"),
                  tags=list(memories.tags))
    for tag in memories.tags:
        # Paginated like the memory index: a theme shared by thousands of memories
        # would otherwise make one page of megabytes, re-rendered on every edit.
        tag_pages = paginate(memories.by_tag.get(tag.slug, ()), config.memories.per_page)
        for number, group in enumerate(tag_pages, start=1):
            url = routing.tag_url(tag.slug, number)
            title, description = translate("tags.one", name=tag.name), translate(
                "tags.one_description", name=tag.name, count=tag.count)
            if number > 1:
                title = translate("pagination.titled", title=title, number=number, total=len(tag_pages))
                description = translate("pagination.described", description=description, number=number,
                                        total=len(tag_pages))
            yield list_job(url, "tag.html", PageMeta(title, description, url, section="memories"),
                           group, tag=tag, feed_url=routing.tag_feed_url(tag.slug) if config.feed.tags else None,
                           pagination=pagination(number, len(tag_pages), functools.partial(routing.tag_url, tag.slug)))


def _decade_counts(cards: Sequence[MemoryCard]) -> list[tuple[int, int]]:
    counts: dict[int, int] = {}
    for card in cards:
        if card.decade is not None:
            counts[card.decade] = counts.get(card.decade, 0) + 1
    return sorted(counts.items())
