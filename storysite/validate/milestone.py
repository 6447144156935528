"""Validate a brand milestone (SPEC: Timeline).

A milestone lives in ``content/timeline/`` as one YAML file, or as one entry
of a file holding a list. ``date`` and ``title`` are required; ``text`` is
the editors' Markdown, ``media`` photos and videos like a memory's.
"""

from __future__ import annotations

from pathlib import Path

from storysite.diagnostics import Diagnostic, error
from storysite.load import RawItem
from storysite.model import Milestone
from storysite.validate.fields import item_origin, item_slug, open_item, read_media

KNOWN_FIELDS = ("title", "slug", "date", "date_display", "circa", "tags", "media", "text")


def validate_milestone(item: RawItem, site_dir: Path) -> tuple[Milestone | None, list[Diagnostic]]:
    """A :class:`Milestone` from raw fields, or ``None`` when its date or title is unusable."""
    read, problems, title = open_item(item, KNOWN_FIELDS)
    if not read.has("date"):
        problems.append(error(item.path, item.line, "'date' is required (1976, 1976-04, 1976-04-17 or 1970s)"))
    date = read.partial_date("date")
    slug = item_slug(item, read)
    milestone = None
    if title and slug and date is not None:
        milestone = Milestone(
            origin=item_origin(item),
            slug=slug,
            title=title,
            date=date,
            body=item.body,
            body_line=item.body_line,
            date_display=read.text("date_display"),
            circa=read.boolean("circa"),
            tags=read.tag_list("tags"),
            media=read_media(read, "media", site_dir),
            date_display_line=read.line("date_display") if read.has("date_display") else 0,
            tags_line=read.line("tags") if read.has("tags") else 0,
        )
    else:
        # Still read the other fields, so that every problem is reported in one run.
        read.text("date_display")
        read.boolean("circa")
        read.tag_list("tags")
        read_media(read, "media", site_dir)
    return milestone, problems
