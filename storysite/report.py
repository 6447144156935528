"""Curation reporting for ``storysite check``: counts and personal-data findings."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from storysite.curate import Curation
from storysite.diagnostics import Diagnostic, warning
from storysite.model import Content, MediaRef, Origin
from storysite.personaldata import personal_data_in
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
    for index, ref in enumerate(media, start=1):
        for name in ("alt", "caption", "credit", "title"):
            yield f"{prefix} {index} {name}", getattr(ref, name), ref.origin.line


def _published_fields(content: Content) -> Iterator[tuple[Origin, str, str, int]]:
    """(origin, field, text, line) for every published text field, the bodies excepted."""
    for memory in content.memories:  # their other fields: Memory.contact_text
        if memory.label is not None:
            yield memory.origin, "label.text", memory.label.text, memory.label.origin.line or memory.origin.line
        for name, text, line in _media_fields("media", memory.media):
            yield memory.origin, name, text, line
    for gallery in content.galleries:
        for name, text in (("slug", gallery.slug), ("title", gallery.title)):
            yield gallery.origin, name, text, gallery.origin.line
        for name, text, line in _media_fields("image", gallery.images):
            yield gallery.origin, name, text, line
    for milestone in content.milestones:
        for name, text in (("slug", milestone.slug), ("title", milestone.title),
                           ("date_display", milestone.date_display), *(("tags", t) for t in milestone.tags)):
            yield milestone.origin, name, text, milestone.origin.line
        for name, text, line in _media_fields("media", milestone.media):
            yield milestone.origin, name, text, line


def personal_data_warnings(content: Content, site_dir: Path) -> list[Diagnostic]:
    """Warnings for personal data kept in the content tree (it belongs in the private store):
    ``author.name``, ``email`` and ``phone``, and notes, original words or a consent reference
    holding an email address, a phone number or a postal address; and for any published field (text, title, names, places, tags, captions, slugs) that seems
    to hold an email address or a phone number."""
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
    # Markdown, each line at its own: a gallery's description may run over many.
    bodies = [(g.origin.path, "the text", g.body, g.body_line) for g in content.galleries]
    bodies += [(g.origin.path, "description", g.description, g.description_line) for g in content.galleries]
    bodies += [(m.origin.path, "the text", m.body, m.body_line) for m in content.milestones]
    for path, name, body, body_line in bodies:
        for offset, text in enumerate(body.split("\n")):
            if (kind := personal_data_in(text)) is not None:
                found.append(warning(path, body_line + offset,
                                     f"{name} seems to contain {kind}, which would be published"))
    for origin, name, text, line in _published_fields(content):
        if (kind := personal_data_in(text)) is not None:
            found.append(warning(origin.path, line, f"{name} seems to contain {kind}, which would be published"))
    found.extend(_file_names(content))
    found.extend(_photo_locations(content, site_dir))
    return found


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
