"""Redirect pages at the earlier URLs of items (``aliases:``), as Hugo's aliases.

Editors rename items (a proofread title, a shorter slug) while the old URL lives on
where it was shared. ``aliases: [/memories/old-slug/]`` leaves at each such path a small
page that sends visitors on to the item's page (and search engines, by its canonical
link). A redirect lives only as long as its item's page: an unpublished or withdrawn
memory's aliases make nothing, so a withdrawal takes them down with the page, and the
takedown record lists their URLs to purge like any other file that went.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from storysite import routing
from storysite.curate import PublicSite
from storysite.diagnostics import Diagnostic, error
from storysite.model import Alias, Content
from storysite.render import PageJob
from storysite.views import MemoryViews, PageMeta, SiteView

TEMPLATE = "alias.html"


@dataclass(frozen=True)
class AliasTarget:
    """The page a redirect leads to, as its template shows it."""

    title: str
    url: str
    lang: str = ""
    """The language of the title when it is not the site's (a memory's ``language:``), else empty."""


@dataclass(frozen=True)
class Redirect:
    """One redirect page to write, and its claim on its URL (at the alias's line)."""

    claim: routing.Claim
    job: PageJob


def claims(content: Content) -> Iterator[routing.Claim]:
    """The URL of every alias of every item, published or not (as the items' own URLs are
    claimed: approving a memory later must never make two pages of one URL)."""
    items: list[tuple[str, tuple[Alias, ...]]] = [
        *((m.origin.path, m.aliases) for m in content.memories),
        *((p.origin.path, p.aliases) for p in content.pages),
        *((c.origin.path, c.aliases) for c in content.campaigns),
        *((g.origin.path, g.aliases) for g in content.galleries),
        *((d.origin.path, d.aliases) for d in content.labels),
    ]
    for path, aliases in items:
        for alias in aliases:
            yield routing.Claim(alias.url, path, alias.line, "this alias")


def redirects(site: PublicSite, site_view: SiteView, memories: MemoryViews, pages: Collection[str]
              ) -> list[Redirect]:
    """A redirect page for each alias of a published item whose page is among ``pages`` (the
    URLs of the pages this build writes): never one for an unpublished memory, a draft or a
    label design that has no page."""
    cards = {card.slug: card for card in memories.cards}
    targets: list[tuple[str, AliasTarget, tuple[Alias, ...]]] = []
    for memory in site.memories:
        card = cards.get(memory.slug)
        if card is not None and memory.aliases:
            targets.append((memory.origin.path, AliasTarget(card.title, card.url, card.lang), memory.aliases))
    targets += [(p.origin.path, AliasTarget(p.title, routing.page_url(p.slug)), p.aliases)
                for p in site.pages if p.aliases]
    targets += [(c.origin.path, AliasTarget(c.title, routing.campaign_url(c.slug)), c.aliases)
                for c in site.campaigns if c.aliases]
    targets += [(g.origin.path, AliasTarget(g.title, routing.gallery_url(g.slug)), g.aliases)
                for g in site.galleries if g.aliases]
    targets += [(d.origin.path, AliasTarget(d.title, routing.label_url(d.slug)), d.aliases)
                for d in site.labels if d.aliases]
    found: list[Redirect] = []
    for path, target, aliases in targets:
        if target.url not in pages:
            continue
        for alias in aliases:
            context: dict[str, Any] = {"site": site_view, "meta": PageMeta(target.title, "", alias.url, noindex=True),
                                       "target": target}
            job = PageJob(alias.url, TEMPLATE, context, in_sitemap=False)
            found.append(Redirect(routing.Claim("/" + job.output_path, path, alias.line, "this alias"), job))
    return sorted(found, key=lambda redirect: redirect.job.url)


def folder_clashes(found: Sequence[Redirect], outputs: Collection[str]) -> list[Diagnostic]:
    """An error for each redirect page that a file of the output would have to be a folder for
    (``/feed.xml/`` is ``feed.xml/index.html``), or that is a folder of the output's itself
    (``/old.html`` beside ``/old.html/x/``): one name cannot be both."""
    if not found:
        return []
    tree = routing.OutputTree(outputs)
    problems: list[Diagnostic] = []
    for redirect in found:
        path = redirect.job.output_path
        if (taken := tree.file_above(path)) is not None:
            problems.append(error(redirect.claim.path, redirect.claim.line,
                                  f"this alias would be the page {path}, but {taken} is a file of the site, not a "
                                  "folder; remove the alias"))
        elif tree.file_below(path) is not None:
            problems.append(error(redirect.claim.path, redirect.claim.line,
                                  f"this alias would be the page {path}, but the site has a folder of that name; "
                                  "remove the alias"))
    return problems
