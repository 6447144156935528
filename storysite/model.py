"""The validated content of a site: frozen values, one class per kind of item.

These still carry private fields (a memory's author email, the fan's original
words, editors' notes): only :mod:`storysite.curate` may read them, and what
it hands on to rendering (:class:`storysite.curate.PublicSite`) has none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from storysite.dates import PartialDate


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an item was written: a site-relative path and the item's first line."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class MediaRef:
    """A photo (``src``, site-relative and checked to exist) or a video link."""

    origin: Origin
    src: str | None = None
    video: str | None = None
    alt: str = ""
    caption: str = ""
    credit: str = ""
    title: str = ""


@dataclass(frozen=True, slots=True)
class Author:
    id: str = ""
    display: str = ""
    name: str = ""
    email: str = ""
    phone: str = ""
    location: str = ""


@dataclass(frozen=True, slots=True)
class Consent:
    granted: dt.date | None = None
    scope: tuple[str, ...] = ()
    expires: dt.date | None = None
    ref: str = ""


@dataclass(frozen=True, slots=True)
class LabelRef:
    design: str
    text: str
    origin: Origin


STATUSES = ("submitted", "approved", "rejected", "withdrawn")
CONSENT_SCOPES = ("site", "share", "print")


@dataclass(frozen=True, slots=True)
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
    original: str = ""
    notes: str = ""
    personal_fields: tuple[tuple[str, int], ...] = ()
    """Personal-data fields written in the content tree, with their lines (for ``check``)."""


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class Content:
    """Everything validated from ``content/``, sorted by source path."""

    memories: tuple[Memory, ...] = ()
    pages: tuple[Page, ...] = ()
    campaigns: tuple[Campaign, ...] = ()
