"""A fan's label on its memory page is responsive: the PNG at full size as the ``<img>``,
lighter WebP files at the site's widths in a ``<source srcset>`` (storysite/labels/variants.py)."""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

import storysite.labels.stage as stage
from tests.browser.harness import format_axe_violations, format_vnu_messages, serve_directory
from tests.conftest import MINIMAL_CONFIG, Site
from tests.test_labels import SHAREABLE, label_files

CONFIG = MINIMAL_CONFIG + "images: {widths: [200, 400, 800]}\n"  # the label is 600 pixels wide
VARIANT = re.compile(r"media/labels/[0-9a-f]{16}-(\d+)\.webp")
PICTURE = re.compile(
    r'<picture class="story-label__picture"><source type="image/webp" srcset="([^"]+)" sizes="([^"]+)">'
    r'<img class="story-label__image" src="/(media/labels/[0-9a-f]{16}\.png)" width="600" height="300" alt="[^"]+"')


def variant_site(make_site: Callable[..., Site], config: str = CONFIG, name: str = "site") -> Site:
    site = make_site({**label_files(), "content/memories/odette.md": SHAREABLE}, config=config, name=name)
    result = site.build()
    assert result.exit_code == 0, result.output
    return site


def label_picture(site: Site, slug: str = "odette") -> tuple[list[tuple[str, int]], str, str]:
    """The srcset (path, width) pairs, sizes and PNG of a memory page's label."""
    found = PICTURE.search(site.read(f"memories/{slug}/index.html"))
    assert found is not None, site.read(f"memories/{slug}/index.html")
    candidates = [(url.removeprefix("/"), int(width[:-1])) for url, width in
                  (part.strip().split(" ") for part in found[1].split(","))]
    return candidates, found[2], found[3]


def variant_files(site: Site) -> dict[str, bytes]:
    return {p: d for p, d in site.output_files().items() if VARIANT.fullmatch(p)}


def memory_variants(site: Site, slug: str = "odette") -> dict[str, bytes]:
    """The variant files of a memory's label (the design's example has its own)."""
    return {p: d for p, d in variant_files(site).items() if p in {c for c, _ in label_picture(site, slug)[0]}}


def test_the_label_is_a_picture_with_webp_variants_and_the_png_as_fallback(make_site: Callable[..., Site]) -> None:
    site = variant_site(make_site)
    candidates, sizes, png = label_picture(site)
    # The site's widths narrower than the label, then the label's own width (not 800).
    assert [width for _, width in candidates] == [200, 400, 600]
    assert sizes == "(min-width: 37rem) 34rem, calc(100vw - 2.5rem)"
    with Image.open(site.public / png) as full:
        assert full.format == "PNG" and full.size == (600, 300)
        full_pixels = full.convert("RGBA")
    for path, width in candidates:
        named = VARIANT.fullmatch(path)
        assert named is not None and named[1] == str(width)
        with Image.open(site.public / path) as variant:
            assert variant.format == "WEBP" and variant.size == (width, width // 2)
            assert not {"exif", "xmp", "icc_profile"} & set(variant.info)
            if width == 600:  # the same picture, lossy: no pixel far from the PNG's on average
                difference = sum(abs(a - b) for a, b in zip(variant.convert("RGBA").tobytes(),
                                                            full_pixels.tobytes(), strict=True))
                assert difference / (600 * 300 * 4) < 4
    assert all((site.public / p).stat().st_size < (site.public / png).stat().st_size for p, _ in candidates)
    # The memory's label and the design's example have variants (tests/test_label_example_variants.py),
    # and the share card is still the one 1200×630 JPEG that Open Graph needs.
    assert set(memory_variants(site)) == {p for p, _ in candidates} < set(variant_files(site))
    card = re.search(r'<meta property="og:image" content="https://example\.org/(media/share/[0-9a-f]{16}\.jpg)"',
                     site.read("memories/odette/index.html"))
    assert card is not None
    with Image.open(site.public / card[1]) as picture:
        assert picture.format == "JPEG" and picture.size == (1200, 630)


def test_variants_are_the_same_bytes_from_the_same_input(make_site: Callable[..., Site]) -> None:
    first = variant_site(make_site)
    again = variant_site(make_site, name="again")  # another folder, no cache: everything drawn anew
    assert variant_files(first) and variant_files(first) == variant_files(again)
    labels = {p: d for p, d in first.output_files().items() if p.startswith("media/")}
    assert labels == {p: d for p, d in again.output_files().items() if p.startswith("media/")}
    # Names follow the inputs: another quality names other variants, the PNG stays.
    other = variant_site(make_site, CONFIG.replace("800]}", "800], quality: 60}"), name="other")
    assert not set(variant_files(other)) & set(variant_files(first))
    assert label_picture(other)[2] == label_picture(first)[2]
    # Another text names another label and other variants.
    first.write("content/memories/odette.md", SHAREABLE.replace("text: Odette", "text: Odile"))
    assert first.build().exit_code == 0
    assert not set(memory_variants(first)) & set(memory_variants(again))


@pytest.mark.parametrize("how", ["withdrawn", "share taken out of the scope", "storysite withdraw"])
def test_a_memory_that_goes_leaves_no_variant_anywhere(make_site: Callable[..., Site], how: str) -> None:
    site = variant_site(make_site)
    variants = sorted(memory_variants(site))
    assert len(variants) == 3
    example = variant_files(site).keys() - set(variants)  # the design's example's: they stay
    cache = site.root / ".storysite/cache/labels"
    cached = {p.name for p in cache.iterdir()}
    assert len([n for n in cached if n.endswith(".webp")]) == 6
    manifest = json.loads((site.root / ".storysite/manifest.json").read_text())
    assert set(variants) <= set(manifest["memories"]["odette"])  # the takedown record knows them as Odette's
    if how == "storysite withdraw":
        result = site.run("withdraw", "odette", "--site", str(site.root))
        assert result.exit_code == 0, result.output
        purge = [line for line in result.stdout.splitlines() if line.startswith("https://")]
    else:
        changed = (SHAREABLE.replace("status: approved", "status: withdrawn") if how == "withdrawn"
                   else SHAREABLE.replace("scope: [site, share]", "scope: [site]"))
        site.write("content/memories/odette.md", changed)
        result = site.build()
        assert result.exit_code == 0, result.output
        purge = (site.root / ".storysite/purge.txt").read_text().split()
    assert set(variant_files(site)) == example
    everything = site.all_output_text()
    for path in variants:
        assert not (site.public / path).exists()
        assert Path(path).stem.split("-")[0] not in everything  # named by no page, feed or record
        assert f"https://example.org/{path}" in purge
    assert len([p for p in cache.iterdir() if p.suffix == ".webp"]) == 3


def test_an_unchanged_label_is_not_drawn_again(make_site: Callable[..., Site], drawn: dict[str, int]) -> None:
    site = variant_site(make_site)
    assert drawn == {"labels": 2, "derived": 6}  # the example and Odette's; three variants each
    before = variant_files(site)
    cache = site.root / ".storysite/cache/labels"
    lost = next(iter(memory_variants(site)))

    def build() -> dict[str, int]:
        drawn.update(labels=0, derived=0)
        result = site.build()
        assert result.exit_code == 0, result.output
        return dict(drawn)

    # Her text changes, not her label: nothing is drawn, the same files are published.
    site.write("content/memories/odette.md", SHAREABLE.replace("Le texte du souvenir.", "Un autre texte."))
    assert build() == {"labels": 0, "derived": 0}
    assert variant_files(site) == before
    # A variant lost from the cache is derived again from the cached PNG, never drawn anew.
    next(p for p in cache.iterdir() if p.name.startswith(Path(lost).name.split("-")[0])).unlink()  # one of hers
    site.write("content/memories/odette.md", SHAREABLE)  # a change: the build is not up to date
    assert build() == {"labels": 0, "derived": 1}
    assert variant_files(site) == before
    # A new text is a new label: it alone is drawn, and its variants derived.
    site.write("content/memories/odette.md", SHAREABLE.replace("text: Odette", "text: Odile"))
    assert build() == {"labels": 1, "derived": 3}


@pytest.mark.browser
def test_a_phone_loads_a_small_variant_in_the_same_box(make_site: Callable[..., Site], browser, vnu, axe) -> None:
    site = variant_site(make_site, MINIMAL_CONFIG)  # the default widths: 480, and the label's 600
    page_file = site.public / "memories/odette/index.html"
    messages = vnu([page_file])
    assert messages == [], format_vnu_messages(messages)
    _, _, png = label_picture(site)
    for width, scale, expected in ((375, 1, "-480.webp"), (375, 2, "-600.webp"), (1280, 1, "-600.webp")):
        context = browser.new_context(viewport={"width": width, "height": 800}, device_scale_factor=scale)
        try:
            page = context.new_page()
            requested: list[str] = []
            page.on("request", lambda request, seen=requested: seen.append(request.url))
            with serve_directory(site.public) as base:
                page.goto(base + "/memories/odette/")
                page.locator(".story-label__image").scroll_into_view_if_needed()
                page.wait_for_function("document.querySelector('.story-label__image').complete")
                shown = page.evaluate("""() => { const i = document.querySelector('.story-label__image');
                    const box = i.getBoundingClientRect();
                    return {src: i.currentSrc, width: box.width, height: box.height}; }""")
                assert shown["src"].endswith(expected), (width, scale, shown)
                assert not any(url.endswith(png) for url in requested)  # the PNG is only the fallback
                # The box is the CSS's (at most 34rem, within the gutters), in the label's proportions.
                assert shown["width"] == min(width - 40, 544)
                assert abs(shown["height"] - shown["width"] / 2) < 0.5
                if width == 375:
                    violations = axe(page)
                    assert not violations, format_axe_violations(violations)
        finally:
            context.close()


def test_variants_are_left_out_without_webp(make_site: Callable[..., Site], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stage, "variant_settings", lambda images: None)  # a Pillow built without WebP
    site = variant_site(make_site)
    html = site.read("memories/odette/index.html")
    assert '<picture class="story-label__picture"><img class="story-label__image" src="/media/labels/' in html
    assert "<source" not in html and "<source" not in site.read("labels/index.html") and not variant_files(site)


def webp_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "WEBP")
    return buffer.getvalue()


def test_a_stale_variant_in_the_cache_is_pruned(make_site: Callable[..., Site]) -> None:
    site = variant_site(make_site)
    stale = site.root / ".storysite/cache/labels" / ("0" * 64 + ".webp")
    stale.write_bytes(webp_bytes())
    shutil.rmtree(site.public)
    assert site.build().exit_code == 0
    assert not stale.exists() and len(variant_files(site)) == 6  # Odette's label's and the example's
