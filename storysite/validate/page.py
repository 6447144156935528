"""Validate an editorial page's fields."""

from __future__ import annotations

from pathlib import Path

from storysite.diagnostics import Diagnostic
from storysite.load import RawItem
from storysite.model import Page
from storysite.validate.fields import item_origin, item_slug, open_item

KNOWN_FIELDS = ("title", "slug", "description", "menu", "draft", "text")


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
        menu=read.integer("menu"),
        draft=read.boolean("draft"),
    )
    if not title or not slug:
        return None, problems
    return page, problems
