"""The shape of ``storysite.yaml``: one attribute per key, each with its docstring.

Every section is a frozen dataclass; a field's ``metadata["option"]`` says
how to check its raw value (see :mod:`storysite.config.options`). Defaults are
what a site gets when it says nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from storysite.config import options as o


def opt(option: o.Option[Any], default: Any, *, required: bool = False) -> Any:
    """A config field checked by ``option``, defaulting to ``default``."""
    return field(default=default, metadata={"option": option, "required": required})


def section(cls: type) -> Any:
    """A nested section, defaulting to the section's own defaults."""
    return field(default_factory=cls, metadata={"section": cls})


@dataclass(frozen=True, slots=True)
class Colors:
    primary: str = opt(o.Color(), "#7b3f00")
    """The brand's main colour: header, links, buttons."""
    accent: str = opt(o.Color(), "#f2c14e")
    """A second colour for highlights."""


@dataclass(frozen=True, slots=True)
class Brand:
    name: str = opt(o.Text(), "")
    """The brand's name; the site title is used when empty."""
    logo: str | None = opt(o.OptionalText(as_written=True), None)
    """Path of the logo, relative to the site folder (``static/logo.svg``)."""
    colors: Colors = section(Colors)


@dataclass(frozen=True, slots=True)
class Privacy:
    author_display: str = opt(o.Choice(["first_initial", "first", "full", "anonymous"]), "first_initial")
    """How a fan's name is shown when ``author.display`` is not given (derived from ``author.name``
    by :func:`storysite.names.display_name`: no surname beyond its initial under ``first_initial``
    and ``first``); ``anonymous`` hides every name, ``author.display`` included. A display that
    shows the surname the policy hides is shown, with a warning at its line."""
    private_store: str = opt(o.SitePath(forbid_root=True), "private")
    """The folder, kept out of git, holding fans' personal data keyed by ``author.id``."""
    allowed_origins: tuple[str, ...] = opt(o.ListOf(o.Origin()), ())
    """Other origins pages may load from (``https://cdn.example``); anything else is an error."""
    public_contacts: tuple[str, ...] = opt(o.ListOf(o.Contact()), ())
    """Email addresses and phone numbers the brand publishes on purpose (its press office's, its
    customer line), which ``check`` does not warn about in editors' pages, campaigns, galleries
    and milestones; addresses on ``base_url``'s own domain need no listing. A fan's memory is
    warned about whatever it holds."""


@dataclass(frozen=True, slots=True)
class Images:
    widths: tuple[int, ...] = opt(
        o.ListOf(o.Integer(16, 8192), unique_sorted=True, min_items=1), (480, 960, 1600)
    )
    """Widths of the responsive derivatives, in pixels."""
    formats: tuple[str, ...] = opt(
        o.ListOf(o.Choice(["webp", "jpeg", "avif", "png"]), min_items=1), ("webp", "jpeg")
    )
    """Formats of the derivatives, most preferred first."""
    quality: int = opt(o.Integer(1, 100), 80)
    """Encoder quality, 1 to 100."""
    max_pixels: int = opt(o.Integer(10_000, 1_000_000_000), 100_000_000)
    """Largest photo accepted, in pixels (width × height). A bigger one is refused before
    it is decoded: a small file can unpack into gigabytes (a "decompression bomb")."""
    keep_metadata: tuple[str, ...] = opt(o.ListOf(o.Choice(["copyright", "artist"])), ())
    """EXIF fields copied into the derivatives (``copyright``, ``artist``). Everything else
    (GPS above all, camera, dates, XMP, comments, colour profiles) is always stripped."""
    webp_method: int = opt(o.Integer(0, 6), 2)
    """WebP encoding effort, 0 to 6 (libwebp's ``method``). 2, the default (as in Hugo), encodes
    WebP about 2.4× faster than libwebp's own default of 4, for files ~3% larger at the same
    ``quality`` (~8% more bytes for the same visual quality). Changing it re-encodes every photo."""


@dataclass(frozen=True, slots=True)
class Memories:
    per_page: int = opt(o.Integer(1, 1000), 24)
    """Memories on each page of the memory index."""


@dataclass(frozen=True, slots=True)
class TimelineOptions:
    eras: tuple[o.Era, ...] = opt(o.EraList(), ())
    """Named spans of the brand's history shown on the timeline:
    ``[{name: Les années télé, from: 1980, to: 1994}]`` (years included, no overlaps)."""
    overview_memories: int = opt(o.Integer(0, 1000), 24)
    """Fans' memories shown per decade on ``/timeline/`` (every milestone always is); a
    decade with more shows an even spread of them and links to its own pages."""
    per_page: int = opt(o.Integer(10, 5000), 200)
    """Entries on each page of a decade (``/timeline/1980s/``, ``/timeline/1980s/page/2/``)."""


@dataclass(frozen=True, slots=True)
class MarkdownOptions:
    editorial_html: bool = opt(o.Boolean(), False)
    """Let editors' pages and campaigns contain raw HTML. Fan memories never may."""


@dataclass(frozen=True, slots=True)
class Feed:
    limit: int = opt(o.Integer(1, 10000), 50)
    """How many memories the Atom feed lists, newest first (and each tag's feed)."""
    tags: bool = opt(o.Boolean(), True)
    """An Atom feed per tag too, at /tags/<slug>/feed.xml, linked from its tag page."""


@dataclass(frozen=True, slots=True)
class Search:
    enabled: bool = opt(o.Boolean(), True)
    """A search page at /search/, linked from every page's header, that finds published memories
    (by title, author as shown, place, date, tags and the start of their text) and the titles of
    pages, campaigns, galleries, milestones and label designs, in the visitor's browser. Its index
    holds only what the site publishes anyway."""


@dataclass(frozen=True, slots=True)
class Limits:
    max_file_bytes: int = opt(o.Integer(1024), 1_000_000)
    """Largest content text file read, in bytes; bigger files are errors."""
    max_tags: int = opt(o.Integer(1, 1000), 50)
    """Tags used of each memory; past them, a warning at the memory's ``tags:`` line, and only
    the first ones are used (each tag makes a page and a feed: thousands pasted into one memory
    would make thousands of pages)."""


@dataclass(frozen=True, slots=True)
class SiteConfig:
    title: str = opt(o.Text(allow_empty=False), "", required=True)
    """The site's title (required)."""
    description: str = opt(o.Text(), "")
    """One sentence about the site, used where a page has no description of its own."""
    base_url: str = opt(o.BaseUrl(), "/")
    """Where the site is deployed; absolute URLs (feed, sitemap, share tags) start with it."""
    language: str = opt(o.LanguageCode(), "en")
    """Language of theme strings and dates (``fr`` and ``en`` ship)."""
    theme: str = opt(o.Text(allow_empty=False, as_written=True), "default")
    """Theme name: ``themes/<name>/`` in the site, else a bundled theme."""
    copyright: str = opt(o.Text(), "")
    """A line for the footer; empty means ``© <brand>``."""
    output: str = opt(o.SitePath(forbid_root=True), "public")
    """Output folder, relative to the site folder."""
    brand: Brand = section(Brand)
    privacy: Privacy = section(Privacy)
    images: Images = section(Images)
    memories: Memories = section(Memories)
    timeline: TimelineOptions = section(TimelineOptions)
    markdown: MarkdownOptions = section(MarkdownOptions)
    feed: Feed = section(Feed)
    search: Search = section(Search)
    limits: Limits = section(Limits)
    key_lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)
    """Line of each dotted key in storysite.yaml, for messages about values."""

    def line_of(self, dotted_key: str) -> int:
        """The line of ``dotted_key`` (or of its nearest parent) in storysite.yaml."""
        key = dotted_key
        while key:
            if key in self.key_lines:
                return self.key_lines[key]
            key = key.rpartition(".")[0]
        return 0

    @property
    def brand_name(self) -> str:
        return self.brand.name or self.title

    @property
    def base_path(self) -> str:
        """The path part of ``base_url`` (``/`` for a site at a domain's root), which every
        URL the site writes starts with."""
        return urlsplit(self.base_url).path or "/"

    @property
    def absolute_base(self) -> bool:
        return self.base_url.startswith(("http://", "https://"))
