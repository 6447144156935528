"""What templates see of labels: small frozen values (no design, no layout objects)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from storysite.pictures import PictureSource


@dataclass(frozen=True)
class ImageView:
    """A picture the build made: site-relative URL, size in pixels, alternative text.

    ``sources`` are lighter files of the same picture for a ``<picture>`` (a fan's
    label on its memory page, a design's example: WebP at several widths); ``url``
    stays the fallback that every browser can show.
    """

    url: str
    width: int
    height: int
    alt: str
    sources: tuple[PictureSource, ...] = ()


@dataclass(frozen=True)
class ZoneView:
    """A text zone as the label maker's form shows it."""

    name: str
    prompt: str
    max_chars: int
    optional: bool
    first: bool


@dataclass(frozen=True)
class FontFaceView:
    """An ``@font-face`` rule: the family the engine names, and the file the browser loads."""

    family: str
    url: str
    format: str


@dataclass(frozen=True)
class DesignView:
    """A label design as its pages and blocks show it."""

    slug: str
    title: str
    description: str
    url: str
    blank: ImageView
    example: ImageView | None
    zones: tuple[ZoneView, ...]
    fonts: tuple[FontFaceView, ...]
    data: Mapping[str, Any]
    """The engine's data for ``label-maker.js``: zones, metrics, digested lists, messages."""


@dataclass(frozen=True)
class LabelViews:
    """Every design, and the pictures made for published memories (by memory slug)."""

    designs: tuple[DesignView, ...] = ()
    memory_labels: Mapping[str, ImageView] = field(default_factory=dict)
    memory_cards: Mapping[str, ImageView] = field(default_factory=dict)
    site_card: ImageView | None = None

    def design(self, slug: str) -> DesignView | None:
        for design in self.designs:
            if design.slug == slug:
                return design
        return None
