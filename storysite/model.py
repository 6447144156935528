"""The validated content of a site: frozen values, one class per kind of item.

These still carry private fields (a memory's author email, the fan's original
words, editors' notes): only :mod:`storysite.curate` may read them, and what
it hands on to rendering (:class:`storysite.curate.PublicSite`) has none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from storysite.dates import PartialDate
from storysite.diagnostics import Diagnostic


@dataclass(frozen=True)
class Origin:
    """Where an item was written: a site-relative path and the item's first line."""

    path: str
    line: int
    slug_line: int = 0
    """The line of its ``slug:``, when it gives one (where a clash of URLs is reported)."""
    date_line: int = 0
    """The line of its ``date:``, when it gives one (where a doubtful date is reported)."""
    title_line: int = 0
    """The line of its ``title:`` (where a problem with the title is reported)."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Alias:
    """An earlier address of an item's page (``aliases:``), where a redirect page leads on to it."""

    url: str
    """The site path, normalised (see :func:`storysite.routing.alias_url`): ``/a/b/`` or ``/a/b.html``."""
    line: int
    """Where it is written."""


@dataclass(frozen=True)
class MediaRef:
    """A photo (``src``, site-relative and checked to exist) or a video link."""

    origin: Origin
    src: str | None = None
    video: str | None = None
    alt: str = ""
    caption: str = ""
    credit: str = ""
    title: str = ""
    poster: str | None = None
    """A video's still image (site-relative), shown until the visitor presses play."""
    written: str = ""
    """The path as the editor wrote it (``src`` or a local ``video``), quoted in messages."""


@dataclass(frozen=True)
class Author:
    id: str = ""
    display: str = ""
    name: str = ""
    email: str = ""
    phone: str = ""
    location: str = ""


@dataclass(frozen=True)
class Consent:
    granted: dt.date | None = None
    scope: tuple[str, ...] = ()
    expires: dt.date | None = None
    ref: str = ""
    granted_line: int = 0
    """The line of ``granted:`` (0: not written), where a doubtful day is reported."""


@dataclass(frozen=True)
class LabelRef:
    design: str
    text: str
    origin: Origin
    """Where ``label.text`` is written (``label:``'s line when it is not): what messages about
    the label's text point at."""
    design_line: int = 0
    """The line of ``label.design`` (0: not written), where an unknown design is reported."""


STATUSES = ("submitted", "approved", "rejected", "withdrawn")
CONSENT_SCOPES = ("site", "share", "print")


FIELD_LINE_KEYS = ("title", "author.display", "author.name", "author.location", "tags", "description")
"""The fields of :attr:`Memory.field_lines`."""


def field_line(field_lines: tuple[int, ...], name: str) -> int:
    """The line of the field ``name`` (one of :data:`FIELD_LINE_KEYS`) in a memory's
    ``field_lines``, 0 when it is not written."""
    index = FIELD_LINE_KEYS.index(name)
    return field_lines[index] if index < len(field_lines) else 0


@dataclass(frozen=True)
class Memory:
    """A fan memory as written, private fields included."""

    origin: Origin
    slug: str
    title: str
    body: str
    body_line: int
    status: str
    date: PartialDate | None = None
    date_display: str = ""
    description: str = ""
    author: Author = field(default_factory=Author)
    consent: Consent | None = None
    tags: tuple[str, ...] = ()
    featured: bool = False
    media: tuple[MediaRef, ...] = ()
    label: LabelRef | None = None
    published: dt.date | None = None
    withdrawn: dt.date | None = None
    original: str = ""
    notes: str = ""
    personal_fields: tuple[tuple[str, int], ...] = ()
    """Personal-data fields written in the content tree, with their lines (for ``check``)."""
    personal_text: tuple[tuple[str, int, str], ...] = ()
    """Private text fields (``notes``, ``original``, ``consent.ref``) that seem to hold personal data:
    (field, line, what: "a phone number"…), for ``check``."""
    contact_text: tuple[tuple[str, int, str], ...] = ()
    """Published fields and lines of the text that seem to hold an email address or a phone
    number: (field, line, what), the text's lines as ``the text`` (0: its first line)."""
    body_key: str = ""
    """The rendered text's cache key, when the build has let go of ``body`` (rendered already)."""
    excerpt: str = ""
    """The rendered text's excerpt, when it was rendered with the parse: cards need no more of
    the text, so a build need not read every text back to make them."""
    field_lines: tuple[int, ...] = ()
    """Lines of the fields a share card draws, and of the tags and description, in the order of
    :data:`FIELD_LINE_KEYS` (0 for a field not written), where a problem with them is reported."""
    media_problems: tuple[Diagnostic, ...] = ()
    """Errors in ``media`` (a photo not found...) and ``aliases``, reported by curation, which knows the build
    date: errors when the memory is published, notes when it is not (an expired consent)."""
    language: str = ""
    """The language the fan wrote in (``language: en``), when given: another than the site's is
    marked on the page (``lang``), so that a screen reader reads it with the right voice."""
    aliases: tuple[Alias, ...] = ()
    """Earlier URLs of its page, each given a redirect page while the page is published."""


@dataclass(frozen=True)
class Page:
    """An editorial page."""

    origin: Origin
    slug: str
    title: str
    body: str
    body_line: int
    description: str = ""
    menu: int | None = None
    draft: bool = False
    description_line: int = 0
    """Where the description's text starts (0: none given)."""
    aliases: tuple[Alias, ...] = ()
    """Earlier URLs of its page, each given a redirect page while the page is published."""


@dataclass(frozen=True)
class Campaign:
    """A campaign story, written by the brand's editors."""

    origin: Origin
    slug: str
    title: str
    body: str
    body_line: int
    description: str = ""
    date: PartialDate | None = None
    featured: bool = False
    hero: MediaRef | None = None
    draft: bool = False
    description_line: int = 0
    """Where the description's text starts (0: none given)."""
    aliases: tuple[Alias, ...] = ()
    """Earlier URLs of its page, each given a redirect page while the page is published."""


@dataclass(frozen=True)
class Milestone:
    """A date in the brand's history (``content/timeline/``), written by its editors."""

    origin: Origin
    slug: str
    title: str
    date: PartialDate
    body: str
    body_line: int
    date_display: str = ""
    circa: bool = False
    """The date is approximate: shown as "vers 1986" rather than "1986"."""
    tags: tuple[str, ...] = ()
    media: tuple[MediaRef, ...] = ()
    date_display_line: int = 0
    """The line of its ``date_display:``, when it gives one (where a problem with it is reported)."""
    tags_line: int = 0
    """The line of its ``tags:``, when it gives them (where a problem with a tag is reported)."""


@dataclass(frozen=True)
class Gallery:
    """A photo gallery (``content/galleries/``), written by the brand's editors."""

    origin: Origin
    slug: str
    title: str
    description: str
    description_line: int
    body: str
    body_line: int
    images: tuple[MediaRef, ...]
    date: PartialDate | None = None
    featured: bool = False
    draft: bool = False
    aliases: tuple[Alias, ...] = ()
    """Earlier URLs of its page, each given a redirect page while the page is published."""


@dataclass(frozen=True)
class LabelZone:
    """One text zone of a label design (SPEC: Personalised labels)."""

    origin: Origin
    name: str
    box: tuple[int, int, int, int]
    """x, y, width, height in artwork pixels."""
    font: str
    """Site-relative path of the font file, or (``font_in_theme``) a path among the theme's static files."""
    font_line: int
    size: tuple[int, int]
    """Smallest and largest font size, in artwork pixels."""
    color: str = "#000000"
    align: str = "center"
    uppercase: bool = False
    max_chars: int = 20
    lines: int = 1
    line_height: float | None = None
    """Line advance as a multiple of the font size; the font's own when ``None``."""
    optional: bool = False
    prompt: str = ""
    font_in_theme: bool = False
    box_line: int = 0
    number: int = 0
    """The zone's number in the design, from 1 (its place among all zones written)."""
    prompt_line: int = 0
    """The line of its ``prompt:`` (0: not written)."""


@dataclass(frozen=True)
class LabelFontRef:
    """A font a design's zone names (``zones[zone].font``), kept even when the zone itself is unusable,
    so that a missing font is reported in the same run as the zone's other problems."""

    zone: int
    """The zone's number in the design, from 1."""
    font: str
    line: int
    in_theme: bool


@dataclass(frozen=True)
class WordList:
    """Entries of a blocked-words or allowed-names list, with where each came from."""

    source: str
    """Site-relative path, or ``default`` for the list bundled with storysite."""
    entries: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class LabelDesign:
    """A personalised-label design (``content/labels/``): artwork, zones, text policy."""

    origin: Origin
    slug: str
    title: str
    artwork: str
    """Site-relative path of the blank label image."""
    artwork_size: tuple[int, int]
    zones: tuple[LabelZone, ...]
    description: str = ""
    alt: str = ""
    example: str = ""
    """A name shown on the example label (pages without JavaScript, the label index)."""
    example_line: int = 0
    description_line: int = 0
    alt_line: int = 0
    emoji: str = "reject"
    blocked_words: tuple[WordList, ...] = ()
    allowed_names: tuple[WordList, ...] = ()
    fonts: tuple[LabelFontRef, ...] = ()
    """Every zone's font, the unusable zones' too (see :class:`LabelFontRef`)."""
    usable: bool = True
    """False when validation found the design unusable (its problems are reported): it is kept only so
    that the checks that need the theme (its fonts) still run and report in the same run."""
    aliases: tuple[Alias, ...] = ()
    """Earlier URLs of its page, each given a redirect page while the page is published."""


@dataclass(frozen=True)
class Content:
    """Everything validated from ``content/``, sorted by source path."""

    memories: tuple[Memory, ...] = ()
    pages: tuple[Page, ...] = ()
    campaigns: tuple[Campaign, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    galleries: tuple[Gallery, ...] = ()
    labels: tuple[LabelDesign, ...] = ()
