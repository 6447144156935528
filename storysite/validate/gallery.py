"""Validate a photo gallery's fields (SPEC: Galleries)."""

from __future__ import annotations

from pathlib import Path

from storysite import routing
from storysite.config.options import describe
from storysite.diagnostics import Diagnostic, error
from storysite.load import RawItem
from storysite.model import Gallery, MediaRef
from storysite.validate.fields import (
    FieldReader,
    item_origin,
    item_slug,
    media_entries,
    open_item,
    read_aliases,
    read_media_entry,
)
from storysite.yamlio import YamlList

KNOWN_FIELDS = ("title", "slug", "description", "date", "featured", "draft", "images", "text", "aliases")


def validate_gallery(item: RawItem, site_dir: Path) -> tuple[Gallery | None, list[Diagnostic]]:
    """A :class:`Gallery` from raw fields, or ``None`` when it cannot be used."""
    read, problems, title = open_item(item, KNOWN_FIELDS)
    slug = item_slug(item, read)
    draft = read.boolean("draft")
    images = _read_images(read, site_dir)
    description_line = item.fields.text_line_of("description")
    gallery = Gallery(
        origin=item_origin(item),
        slug=slug,
        title=title,
        description=read.text("description"),
        description_line=description_line,
        body=item.body,
        body_line=item.body_line,
        images=images,
        date=read.partial_date("date"),
        featured=read.boolean("featured"),
        draft=draft,
        aliases=read_aliases(read, routing.gallery_url(slug) if slug else ""),
    )
    if not images and not draft and "images" not in item.fields:
        problems.append(error(item.path, item.line, "'images' is required: a gallery needs at least one photo"))
    if not title or not slug:
        return None, problems
    return gallery, problems


def _read_images(read: FieldReader, site_dir: Path) -> tuple[MediaRef, ...]:
    value = read.fields.get("images")
    if value is None:
        return ()
    if not isinstance(value, YamlList):
        read.fail("images", f"expected a list of photos ({{src: ..., alt: ...}}), got {describe(value)}")
        return ()
    if not value:
        read.fail("images", "the list is empty: a gallery needs at least one photo")
    refs: list[MediaRef] = []
    for line, entry in media_entries(value):
        if entry is None:
            read.problems.append(error(read.path, line, "images: each entry needs 'src' (and 'alt')"))
            continue
        if "video" in entry:
            read.problems.append(error(read.path, entry.line_of("video"),
                                       "images.video: a gallery holds photos; put videos in a memory or a page"))
            continue
        ref = read_media_entry(FieldReader(read.path, entry, read.problems, "images."), site_dir)
        if ref is not None:
            refs.append(ref)
    return tuple(refs)
