"""Validate a fan memory's fields (SPEC: Fan memories)."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import unquote

from storysite import routing
from storysite.config.options import LanguageCode, OptionError
from storysite.curate import standing_problem, unpublished_notice
from storysite.diagnostics import Diagnostic, error, notice, shortened, warning
from storysite.load import RawItem
from storysite.markdown import fan_images, is_local_image
from storysite.model import CONSENT_SCOPES, STATUSES, Author, Consent, LabelRef, Memory, Origin
from storysite.personaldata import may_hold_contact_details, personal_data_in, private_data_in
from storysite.textclean import clean_text_and_pile, mark_pile_message, without_bidi_references
from storysite.validate.fields import (
    FieldReader,
    item_origin,
    item_slug,
    open_item,
    read_aliases,
    read_media,
)

KNOWN_FIELDS = (
    "title", "slug", "date", "date_display", "description", "author", "status", "consent",
    "tags", "featured", "media", "label", "original", "notes", "published", "withdrawn", "text", "language",
    "aliases",
)
AUTHOR_FIELDS = ("id", "display", "name", "email", "phone", "location")
CONSENT_FIELDS = ("granted", "scope", "expires", "ref")
PERSONAL_FIELDS = ("name", "email", "phone")


def validate_memory(item: RawItem, site_dir: Path) -> tuple[Memory | None, list[Diagnostic]]:
    """A :class:`Memory` from raw fields, or ``None`` when a required field is unusable."""
    read, problems, title = open_item(item, KNOWN_FIELDS)
    slug = item_slug(item, read)
    if item.fields.get("status") is None:
        problems.append(warning(item.path, item.line, "no 'status': treated as submitted (not published)"))
    status = read.choice("status", STATUSES, "submitted")

    author = Author()
    personal: list[tuple[str, int]] = []
    author_read = read.sub("author")
    if author_read is not None:
        author_read.unknown(AUTHOR_FIELDS)
        author = Author(**{name: author_read.text(name) for name in AUTHOR_FIELDS})
        personal = [(f"author.{name}", author_read.line(name)) for name in PERSONAL_FIELDS
                    if getattr(author, name)]

    # Never published, but fans' contact details typed into them still sit in the content tree (in git).
    notes, original = read.text("notes"), read.text("original")
    found_in = [(name, read.line(name), kind) for name, value in (("notes", notes), ("original", original))
                if (kind := private_data_in(value)) is not None]

    consent: Consent | None = None
    consent_read = read.sub("consent")
    if consent_read is None and read.has("consent"):
        pass  # reported by sub(): e.g. `consent: yes`
    elif consent_read is not None:
        consent_read.unknown(CONSENT_FIELDS, why_error="consent fields must be exact: a misspelt one "
                             "could publish a memory against its author's wishes")
        if "scope" not in consent_read.fields:
            scope: tuple[str, ...] = ("site",)
        elif consent_read.fields["scope"] is None:
            # Written and left empty: no use is consented to (never read as the default).
            scope = ()
            consent_read.warn("scope", "empty, so the memory is not published; list where it may appear "
                                       f"({', '.join(CONSENT_SCOPES)})")
        else:
            scope = tuple(consent_read.text_list("scope"))
        for name in scope:
            if name not in CONSENT_SCOPES:
                consent_read.problems.append(error(item.path, consent_read.item_line("scope", name),
                                                   f"consent.scope: unknown scope '{name}'; "
                                                   f"use {', '.join(CONSENT_SCOPES)}"))
        if "expires" in consent_read.fields and consent_read.fields["expires"] is None:
            consent_read.warn("expires", "empty, so the consent is read as never ending; give the date it ends "
                                         "(such as 2029-04-02), or remove the line")
        consent = Consent(
            granted=consent_read.full_date("granted"),
            scope=tuple(s for s in scope if s in CONSENT_SCOPES),
            expires=consent_read.full_date("expires"),
            ref=consent_read.text("ref"),
            granted_line=consent_read.line("granted") if consent_read.has("granted") else 0,
        )
        if consent.granted is not None and consent.expires is not None and consent.expires <= consent.granted:
            # Likely the two dates swapped, or a year mistyped: the memory is never published, which
            # check's summary says too (a note: a withdrawn memory's dates must not fail --strict).
            consent_read.problems.append(notice(item.path, consent_read.line("expires"), (
                f"consent.expires: {consent.expires.isoformat()} is not after consent.granted "
                f"({consent.granted.isoformat()}), so the consent never held: check both dates")))
        if (kind := private_data_in(consent.ref)) is not None:
            found_in.append(("consent.ref", consent_read.line("ref"), kind))

    # Lines alone, in the order of FIELD_LINE_KEYS (0: not written): small numbers are shared
    # objects, where key strings would be made anew for each of 100,000 memories.
    field_lines = (read.line("title"), *((author_read.line(name) if author_read.has(name) else 0)
                                         if author_read is not None else 0 for name in ("display", "name", "location")),
                   read.line("tags") if read.has("tags") else 0, read.line("description") if read.has("description") else 0)

    label: LabelRef | None = None
    label_read = read.sub("label")
    if label_read is not None:
        label_read.unknown(("design", "text"))
        # Each at its own line: `label:` written as a block puts design and text below it.
        design, text = label_read.text("design", required=True), label_read.text("text", required=True)
        if design and text:  # (else said once, as required: no label to refuse as well)
            label = LabelRef(
                design=design,
                text=text,
                origin=Origin(item.path, label_read.line("text") if "text" in label_read.fields
                              else read.line("label")),
                design_line=label_read.line("design") if "design" in label_read.fields else 0,
            )

    # A memory that cannot be published as it stands (not approved, withdrawn, no consent) is
    # never part of the output, and its photos are never opened: a photo deleted with its
    # fan's withdrawal must not hold back the build that carries the withdrawal out. Whether
    # the others are published depends on the build date (an expired consent): their media
    # errors are left to curation. So are those of its aliases, which make pages only while
    # it is published.
    media_problems: list[Diagnostic] = []
    media = read_media(FieldReader(item.path, read.fields, media_problems), "media", site_dir)
    aliases = read_aliases(FieldReader(item.path, read.fields, media_problems),
                           routing.memory_url(slug) if slug else "")
    withdrawn = read.full_date("withdrawn")
    deferred: tuple[Diagnostic, ...] = ()
    unpublished = standing_problem(status, withdrawn, consent) is not None
    if unpublished:
        media_problems = [unpublished_notice(d) if d.is_error else d for d in media_problems]
    else:
        deferred = tuple(d for d in media_problems if d.is_error)
        media_problems = [d for d in media_problems if not d.is_error]
    problems.extend(media_problems)

    body, pile, where = clean_text_and_pile(without_bidi_references(item.body))
    if pile:
        # A Markdown file's text has the lines of the file; a YAML text field, folded or quoted,
        # may not: it is reported at its first line.
        line = item.body_line + (body.count("\n", 0, where) if item.path.endswith(".md") else 0)
        problems.append(warning(item.path, line, f"the text {mark_pile_message(pile)}"))
    for src, offset in fan_images(body):
        # (A note for a memory that cannot be published as it stands: nothing of it is shown.)
        dropped = _image_not_shown(item.path, item.body_line + (offset if item.path.endswith(".md") else 0), src)
        problems.append(unpublished_notice(dropped) if unpublished else dropped)
    tags, description, date_display = read.tag_list("tags"), read.text("description"), read.text("date_display")
    shown = [("slug", slug, read.line("slug") if read.has("slug") else item.line), ("title", title, read.line("title")),
             ("description", description, read.line("description")),
             ("date_display", date_display, read.line("date_display")),
             *((f"author.{name}", getattr(author, name), author_read.line(name))
               for name in ("display", "location") if author_read is not None),
             *(("tags", tag, read.line("tags")) for tag in tags)]
    contact_text = published_contact_details(shown, body, item.body_line, each_line=item.path.endswith(".md"))
    language = ""
    if read.has("language"):
        try:
            language = LanguageCode().check(read.fields["language"])
        except OptionError as exc:
            read.fail("language", str(exc))
    memory = Memory(
        language=language,
        origin=item_origin(item),
        slug=slug,
        title=title,
        body=body,
        body_line=item.body_line,
        status=status,
        date=read.partial_date("date"),
        date_display=date_display,
        description=description,
        author=author,
        consent=consent,
        tags=tags,
        featured=read.boolean("featured"),
        media=media,
        label=label,
        published=read.full_date("published"),
        withdrawn=withdrawn,
        original=original,
        notes=notes,
        personal_fields=tuple(personal),
        personal_text=tuple(found_in),
        contact_text=contact_text,
        field_lines=field_lines,
        media_problems=deferred,
        aliases=aliases,
    )
    if not title or not slug:
        problems.extend(deferred)
        return None, problems
    return memory, problems


def _image_not_shown(path: str, line: int, src: str) -> Diagnostic:
    """The warning for an image written in a memory's text, which its page leaves out (its alt
    text is shown, as words): no request to another site, no photo that skipped the image
    pipeline (metadata stripped, sizes made). A memory's photos are listed under ``media:``."""
    quoted = shortened(src)
    if is_local_image(src):
        remedy = f"list the photo under media: (- src: {quoted}, alt: what it shows) and take it out of the text"
    else:
        remedy = ("save the photo beside the memory, list it under media: (- src: photo.jpg, alt: what it "
                  "shows) and take it out of the text")
    return warning(path, line, f"image '{quoted}' in the text is not published (a memory's text shows no "
                               f"images, only their alt text); to show it, {remedy}")


def published_contact_details(fields: list[tuple[str, str, int]], body: str, body_line: int, each_line: bool
                              ) -> tuple[tuple[str, int, str], ...]:
    """(field, line, what) for each published field of ``fields`` (name, text, line) and each line
    of ``body`` that seems to hold an email address or a phone number (``author.location``: a
    postal address too, a street in a town being most likely the fan's home). ``body_line``:
    where the text's first line is in the file; ``each_line`` when its lines are the file's (a
    Markdown file's; a YAML ``text:``, folded or quoted, may not keep them: its finds are
    reported at its first line)."""
    found = []
    for name, text, line in fields:
        if (kind := private_data_in(text) if name == "author.location" else personal_data_in(text)) is not None:
            found.append((name, line, kind))
    if may_hold_contact_details(body) or may_hold_contact_details(as_read(body)):
        for offset, text in enumerate(body.split("\n")):
            if (kind := personal_data_in(text) or personal_data_in(as_read(text))) is not None:
                found.append(("the text", body_line + offset if each_line else body_line, kind))
    return tuple(found)


# Markdown's backslash escapes (before ASCII punctuation) and its emphasis, code and strikethrough marks.
_MARKS = re.compile(r"\\(?=[!-/:-@\[-`{-~])|[*_`~]")


def as_read(markdown: str) -> str:
    """A Markdown text's words roughly as the page shows them: entities decoded ("&#64;" is
    "@"), escapes and emphasis marks gone ("06 **12** 34"), links' percent-escapes decoded
    ("mailto:marie%40example.org"). Good enough to look for contact details in, which a text
    that spells them so would otherwise publish unnoticed."""
    return unquote(html.unescape(_MARKS.sub("", markdown)))
