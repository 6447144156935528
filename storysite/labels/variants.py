"""Smaller, lighter files of a label picture, for the ``srcset`` of the pages showing it.

A label (a fan's, on its memory page, or a design's example, on the label
index, its maker page and ``::: label`` blocks) is drawn once, at its
artwork's size, as a PNG: the ``<img src>`` that every browser can show, and
the picture the share card is made from. The pages offer it again as WebP at
the site's image widths narrower than the label, and at the label's own
width, so that a phone takes a file a fraction of the PNG's size (the demo's
1200-pixel labels: 310 KB as PNG, 25 KB as a 480-pixel WebP).

A variant is a pure function of its label's PNG bytes and of fixed encoder
settings, so it is derived from the PNG (drawn or cached) and never draws the
label again; its key hashes the label's key, its width and every setting, and
names its file and its cache entry as the label's does.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass

import PIL
from PIL import Image, features

from storysite.config.schema import Images
from storysite.images import derivative_widths, resize, scaled_height

VARIANT_VERSION = "1"  # change it when deriving changes: keys, URLs and cache follow
MIME_TYPE = "image/webp"


@dataclass(frozen=True)
class VariantSettings:
    """What shapes a variant's bytes besides its label: the site's image settings."""

    widths: tuple[int, ...]
    quality: int
    method: int
    """libwebp's effort (``images.webp_method``)."""


@dataclass(frozen=True)
class LabelVariantOp:
    """One variant to derive: a label's PNG at ``width`` pixels, as WebP."""

    label_key: str
    """The key of the label (:class:`~storysite.labels.raster.LabelOp`) it is made from."""
    width: int
    height: int
    quality: int
    method: int

    @property
    def key(self) -> str:
        """A hash of the label's key, the size and every encoder setting.

        libwebp's own version is part of it (Pillow may be built against
        another one), so that one name always stands for the same bytes.
        """
        data = ["label-variant", VARIANT_VERSION, PIL.__version__, _libwebp_version(), self.label_key,
                self.width, self.height, self.quality, self.method]
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()

    def output_path(self, directory: str) -> str:
        """Where the variant goes in the built site: named from its key, never from the fan's text."""
        return f"{directory}/{self.key[:16]}-{self.width}.webp"


@functools.cache
def _libwebp_version() -> str:
    return features.version("webp") or ""


def variant_settings(images: Images) -> VariantSettings | None:
    """The variants a site's labels get, or None when this Pillow cannot encode WebP
    (the pages then show the PNG alone, as before variants existed)."""
    if not features.check("webp"):
        return None
    return VariantSettings(tuple(images.widths), images.quality, images.webp_method)


def plan_variants(label_key: str, size: tuple[int, int],
                  settings: VariantSettings | None) -> tuple[LabelVariantOp, ...]:
    """The variants of the label keyed ``label_key``, ``size`` pixels large, narrowest first.

    The widths are the photos' rule (:func:`~storysite.images.derivative_widths`):
    the site's widths narrower than the label, and the label's own width when
    any is wider, so that a large screen is never offered a blurrier label
    than the PNG.
    """
    if settings is None:
        return ()
    width, height = size
    return tuple(LabelVariantOp(label_key, w, scaled_height(w, width, height), settings.quality, settings.method)
                 for w in derivative_widths(width, settings.widths))


def derive_variants(png: bytes, ops: Sequence[LabelVariantOp]) -> list[bytes]:
    """The WebP bytes of ``ops``, all of one label, from that label's PNG (decoded once).

    Pure: the same PNG and ops give the same bytes. A top-level function, so that
    a process pool can run it.
    """
    with Image.open(io.BytesIO(png), formats=["PNG"]) as source:
        full = source.convert("RGBA") if source.mode not in ("RGB", "RGBA") else source.copy()
    encoded = []
    for op in ops:
        # Each width from the full picture (not from the next larger one, as photos are):
        # a label is small enough, and its letters stay sharper for it.
        image = resize(full, (op.width, op.height))
        image.info = {}  # nothing of the PNG's own chunks rides along
        buffer = io.BytesIO()
        image.save(buffer, "WEBP", quality=op.quality, method=op.method, exif=b"", xmp=b"", icc_profile=b"")
        encoded.append(buffer.getvalue())
    return encoded
