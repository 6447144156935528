"""Validate a photo gallery's fields (SPEC: Galleries)."""

from __future__ import annotations

from pathlib import Path

from storysite.config.options import describe
from storysite.diagnostics import Diagnostic, error
from storysite.load import RawItem
from storysite.model import Gallery, MediaRef, Origin
from storysite.validate.fields import FieldReader, item_slug, read_media_entry
from storysite.yamlio import YamlList, YamlMap

KNOWN_FIELDS = ("title", "slug", "description", "date", "featured", "draft", "images", "text")


def validate_gallery(item: RawItem, site_dir: Path) -> tuple[Gallery | None, list[Diagnostic]]:
    """A :class:`Gallery` from raw fields, or ``None`` when it cannot be used."""
    problems: list[Diagnostic] = []
    read = FieldReader(item.path, item.fields, problems)
    read.unknown(KNOWN_FIELDS)
    if "text" in item.fields:
        read.text("text")
    title = read.text("title", required=True)
    slug = item_slug(item, read)
    draft = read.boolean("draft")
    images = _read_images(read, site_dir)
    description_line = read.line("description")
    if isinstance(item.fields.get("description"), str) and "\n" in item.fields["description"].rstrip("\n"):
        description_line += 1  # a block scalar starts on the line after its key
    gallery = Gallery(
        origin=Origin(item.path, item.line),
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
    for index, entry in enumerate(value):
        line = value.line_of(index)
        if isinstance(entry, str):
            entry_map = YamlMap(line)
            entry_map["src"] = entry
            entry_map.key_lines["src"] = line
            entry = entry_map
        if not isinstance(entry, YamlMap):
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
