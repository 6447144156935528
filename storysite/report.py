"""Curation reporting for ``storysite check``: counts and personal-data findings."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from storysite.bodyimages import named_photos
from storysite.curate import Curation
from storysite.diagnostics import Diagnostic, warning
from storysite.model import Campaign, Content, Gallery, MediaRef, Origin, Page
from storysite.personaldata import PublicContacts, may_hold_contact_details, personal_data_in
from storysite.photometa import location_in


def curation_summary(curation: Curation) -> str:
    """A few lines: memories per status, published, without consent, withheld approvals."""
    total = sum(curation.by_status.values())
    statuses = ", ".join(f"{name} {count}" for name, count in curation.by_status.items()) or "none"
    lines = [
        f"Memories: {total} ({statuses})",
        f"Published: {curation.published}; without consent: {curation.without_consent}",
    ]
    held = [w for w in curation.withheld if w.status == "approved"]
    if held:
        lines.append("Approved but not published:")
        lines.extend(f"  {w.origin}: {w.reason}" for w in held)
    return "\n".join(lines)


def _media_fields(prefix: str, media: Iterable[MediaRef]) -> Iterator[tuple[str, str, int]]:
    """(field, text, line) for each text of each photo or video: ``image 2 alt``, or ``hero.alt``
    for a campaign's one photo."""
    for index, ref in enumerate(media, start=1):
        for name in ("alt", "caption", "credit", "title"):
            yield (f"{prefix}.{name}" if prefix == "hero" else f"{prefix} {index} {name}"), getattr(ref, name), \
                ref.origin.line


def _memory_fields(content: Content) -> Iterator[tuple[Origin, str, str, int]]:
    """(origin, field, text, line) for the published fields of memories that validation does not
    look at (their others: ``Memory.contact_text``)."""
    for memory in content.memories:
        if memory.label is not None:
            yield memory.origin, "label.text", memory.label.text, memory.label.origin.line or memory.origin.line
        for name, text, line in _media_fields("media", memory.media):
            yield memory.origin, name, text, line


def _editorial_fields(content: Content) -> Iterator[tuple[Origin, str, str, int]]:
    """(origin, field, text, line) for every published one-line field of the editors' items."""
    named: list[tuple[Origin, str, str, str, tuple[MediaRef, ...]]] = [
        (p.origin, p.slug, p.title, "", ()) for p in content.pages]
    named += [(c.origin, c.slug, c.title, "hero", (c.hero,) if c.hero else ()) for c in content.campaigns]
    named += [(g.origin, g.slug, g.title, "image", g.images) for g in content.galleries]
    named += [(m.origin, m.slug, m.title, "media", m.media) for m in content.milestones]
    for origin, slug, title, prefix, media in named:
        yield origin, "slug", slug, origin.slug_line or origin.line
        yield origin, "title", title, origin.title_line or origin.line
        for name, text, line in _media_fields(prefix, media):
            yield origin, name, text, line
    for milestone in content.milestones:
        # Each at its own key's line, as a memory's are (the milestone's first line when not written).
        origin = milestone.origin
        yield origin, "date_display", milestone.date_display, milestone.date_display_line or origin.line
        for tag in milestone.tags:
            yield origin, "tags", tag, milestone.tags_line or origin.line
    # A label design's words are published on its label-maker page, and its example drawn on a picture.
    for design in content.labels:
        origin = design.origin
        texts = [("slug", design.slug, origin.slug_line), ("title", design.title, origin.title_line),
                 ("description", design.description, design.description_line), ("alt", design.alt, design.alt_line),
                 ("example", design.example, design.example_line),
                 *((f"zones[{zone.number}].prompt", zone.prompt, zone.prompt_line) for zone in design.zones)]
        for name, text, line in texts:
            yield origin, name, text, line or origin.line


def _editorial_texts(content: Content) -> Iterator[tuple[str, str, str, int]]:
    """(path, field, Markdown, the line its text starts at) for the editors' texts, read line by line
    (a gallery's description, a page's text, may run over many)."""
    described: list[Page | Campaign | Gallery] = [*content.pages, *content.campaigns, *content.galleries]
    for item in described:
        yield item.origin.path, "the text", item.body, item.body_line
        if item.description:
            yield item.origin.path, "description", item.description, item.description_line or item.origin.line
    for milestone in content.milestones:
        yield milestone.origin.path, "the text", milestone.body, milestone.body_line


def personal_data_warnings(content: Content, site_dir: Path, public: PublicContacts | None = None
                           ) -> list[Diagnostic]:
    """Warnings for personal data kept in the content tree (it belongs in the private store):
    ``author.name``, ``email`` and ``phone``, and notes, original words or a consent reference
    holding an email address, a phone number or a postal address; and for any published field
    (text, title, names, places, tags, captions, slugs) that seems to hold an email address or a
    phone number. In the editors' pages, campaigns, galleries and milestones, the ``public``
    contact details (the brand's own: see :class:`PublicContacts`) are theirs to publish."""
    found: list[Diagnostic] = []
    for memory in content.memories:
        for name, line in memory.personal_fields:
            found.append(warning(memory.origin.path, line,
                                 f"{name} is personal data in the content tree; keep it in the private store"))
        for name, line, what in memory.personal_text:
            found.append(warning(memory.origin.path, line, f"{name} seems to contain {what}, personal data in "
                                 "the content tree; keep it in the private store"))
        for name, line, what in memory.contact_text:
            found.append(warning(memory.origin.path, line or memory.origin.line,
                                 f"{name} seems to contain {what}, which would be published"))
    for origin, name, text, line in _memory_fields(content):
        if (kind := personal_data_in(text)) is not None:
            found.append(warning(origin.path, line, f"{name} seems to contain {kind}, which would be published"))
    for origin, name, text, line in _editorial_fields(content):
        if (kind := personal_data_in(text, public)) is not None:
            found.append(warning(origin.path, line, f"{name} seems to contain {kind}, which would be published"
                                 f"{_IF_PUBLIC}"))
    for path, name, body, body_line in _editorial_texts(content):
        if not may_hold_contact_details(body):
            continue
        for offset, text in enumerate(body.split("\n")):
            if (kind := personal_data_in(text, public)) is not None:
                found.append(warning(path, body_line + offset,
                                     f"{name} seems to contain {kind}, which would be published{_IF_PUBLIC}"))
    found.extend(_file_names(content))
    found.extend(_photo_locations(content, site_dir))
    return found


_IF_PUBLIC = "; if it is the brand's own, list it in privacy.public_contacts"


def _file_names(content: Content) -> Iterator[Diagnostic]:
    """A warning for each content file or photo whose name seems to hold an email address or a
    phone number: git keeps the name, and a slug made from it is published (``jean.dupont@example.org.md``
    becomes ``/memories/jean-dupont-example-org/``, which no check of the slug's own text catches).
    A file whose slug already gets the same warning is left to it. The message never repeats the
    name: it reaches the curation report, which is shared."""
    items: list[tuple[Origin, str, tuple[MediaRef, ...]]] = [(m.origin, m.slug, m.media) for m in content.memories]
    items += [(g.origin, g.slug, g.images) for g in content.galleries]
    items += [(m.origin, m.slug, m.media) for m in content.milestones]
    items += [(c.origin, c.slug, (c.hero,) if c.hero else ()) for c in content.campaigns]
    seen: set[str] = set()
    for origin, slug, media in items:
        if origin.path not in seen:
            seen.add(origin.path)
            kind = personal_data_in(origin.path)
            if kind is not None and personal_data_in(slug) != kind:
                yield warning(origin.path, origin.line, f"the file's name seems to contain {kind}: git keeps it, "
                              "and a slug made from it would publish it; rename the file")
        for ref in media:
            for path in (ref.src, ref.poster):
                if path and path not in seen:
                    seen.add(path)
                    if (kind := personal_data_in(path)) is not None:
                        yield warning(ref.origin.path, ref.origin.line, f"the name of the photo at this line "
                                      f"seems to contain {kind}: git keeps it with the file; rename the file")


def _photo_locations(content: Content, site_dir: Path) -> Iterator[Diagnostic]:
    """A warning for each photo of the content tree that says where it was taken (once, at the
    first item naming it): never published, but kept by git with the file."""
    media: list[MediaRef] = [ref for memory in content.memories for ref in memory.media]
    media += [ref for gallery in content.galleries for ref in gallery.images]
    media += [ref for milestone in content.milestones for ref in milestone.media]
    media += [campaign.hero for campaign in content.campaigns if campaign.hero is not None]
    media += named_photos(content, site_dir)  # ![alt](photo.jpg) in pages, campaigns, milestones, galleries
    seen: set[str] = set()
    for ref in media:
        for path in (ref.src, ref.poster):
            if not path or path in seen:
                continue
            seen.add(path)
            if (place := location_in(site_dir / path)) is not None:
                yield warning(ref.origin.path, ref.origin.line,
                              f"photo '{ref.written if path == ref.src and ref.written else path}' holds {place} "
                              "(where it was taken): the site never publishes it, but git keeps it with the file; "
                              f"strip it (exiftool -gps:all= -xmp:all= {path})")
