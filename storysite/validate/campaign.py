"""Validate a campaign's fields."""

from __future__ import annotations

from pathlib import Path

from storysite import routing
from storysite.diagnostics import Diagnostic
from storysite.load import RawItem
from storysite.model import Campaign
from storysite.validate.fields import (
    item_origin,
    item_slug,
    open_item,
    read_aliases,
    read_media_entry,
)

KNOWN_FIELDS = ("title", "slug", "description", "date", "featured", "hero", "draft", "text", "aliases")


def validate_campaign(item: RawItem, site_dir: Path) -> tuple[Campaign | None, list[Diagnostic]]:
    """A :class:`Campaign` from raw fields, or ``None`` when it cannot be used."""
    read, problems, title = open_item(item, KNOWN_FIELDS)
    slug = item_slug(item, read)
    hero_read = read.sub("hero")
    hero = read_media_entry(hero_read, site_dir) if hero_read is not None else None
    campaign = Campaign(
        origin=item_origin(item),
        slug=slug,
        title=title,
        body=item.body,
        body_line=item.body_line,
        description=read.text("description"),
        description_line=item.fields.text_line_of("description") if read.has("description") else 0,
        date=read.partial_date("date"),
        featured=read.boolean("featured"),
        hero=hero,
        draft=read.boolean("draft"),
        aliases=read_aliases(read, routing.campaign_url(slug) if slug else ""),
    )
    if not title or not slug:
        return None, problems
    return campaign, problems
