"""Hostile-input review of the photo pipeline: what its earlier tests did not cover."""

from __future__ import annotations

import io
import re

from PIL import Image, ImageDraw

from tests.conftest import Site
from tests.test_images import entry, photo, photo_memory


def share_card(site: Site, slug: str) -> Image.Image:
    """The share card (og:image) of a memory's page, decoded."""
    found = re.search(r'property="og:image" content="https://example.org/([^"]+)"',
                      site.read(f"memories/{slug}/index.html"))
    assert found is not None
    image = Image.open(site.public / found.group(1))
    image.load()
    return image.convert("RGB")


def test_a_share_card_draws_a_16_bit_photo_as_its_page_shows_it(make_site) -> None:
    # A plain convert("RGB") clips 16-bit greys: the card's photo came out white.
    grey = Image.new("I;16", (900, 600), 32768)
    ImageDraw.Draw(grey).rectangle([0, 0, 90, 60], fill=65535)
    out = io.BytesIO()
    grey.save(out, "PNG")
    site = make_site({"content/memories/a.md": photo_memory(entry("scan.png")),
                      "content/memories/scan.png": out.getvalue()},
                     config="title: T\nbase_url: https://example.org/\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    red, green, blue = share_card(site, "a").getpixel((300, 400))  # type: ignore[misc]
    assert 115 <= red <= 140 and abs(red - green) < 4 and abs(red - blue) < 4, (red, green, blue)


def test_a_share_card_photo_under_images_max_pixels_is_not_a_bomb(make_site, monkeypatch) -> None:
    # A site may allow photos bigger than Pillow's own limit (89 megapixels; here lowered to 1
    # for speed): the photo was encoded, so its share card must not stop the build with an
    # "internal error" (or print Pillow's warning) over a limit the site does not have.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000_000)
    site = make_site({"content/memories/a.md": photo_memory(entry("big.jpg")),
                      "content/memories/big.jpg": photo((2400, 1600))},
                     config="title: T\nbase_url: https://example.org/\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "internal error" not in result.output and "DecompressionBomb" not in result.output
    red, green, blue = share_card(site, "a").getpixel((30, 30))  # type: ignore[misc]
    assert abs(red - 180) < 8 and abs(green - 120) < 8 and abs(blue - 60) < 8, (red, green, blue)  # the photo
