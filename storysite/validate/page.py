"""Validate an editorial page's fields."""

from __future__ import annotations

from pathlib import Path

from storysite import routing
from storysite.diagnostics import Diagnostic, warning
from storysite.load import RawItem
from storysite.model import Page
from storysite.validate.fields import item_origin, item_slug, open_item, read_aliases

KNOWN_FIELDS = ("title", "slug", "description", "menu", "draft", "text", "aliases")


def validate_page(item: RawItem, site_dir: Path) -> tuple[Page | None, list[Diagnostic]]:
    """A :class:`Page` from raw fields, or ``None`` when it cannot be used."""
    read, problems, title = open_item(item, KNOWN_FIELDS)
    slug = item_slug(item, read)
    page = Page(
        origin=item_origin(item),
        slug=slug,
        title=title,
        body=item.body,
        body_line=item.body_line,
        description=read.text("description"),
        description_line=item.fields.text_line_of("description") if read.has("description") else 0,
        menu=read.integer("menu"),
        draft=read.boolean("draft"),
        aliases=read_aliases(read, routing.page_url(slug) if slug else ""),
    )
    if not title or not slug:
        return None, problems
    if slug in ("index", "home", "_index"):
        # MkDocs' index.md, Hugo's _index.md: here the home page is the theme's, made from the site.
        problems.append(warning(item.path, page.origin.slug_line or page.origin.line,
                                f"this page is served at /{slug}/, not as the home page, which the theme makes "
                                "(home.html: featured memories, campaigns, decades); give it another name or slug"))
    return page, problems
