"""A design's example picture is responsive, as a fan's label is (tests/test_label_variants.py): the PNG
at full size as the ``<img>``, lighter WebP files at the site's widths in a ``<source srcset>`` whose
``sizes`` follow the CSS width of each place that shows it: the cards of ``/labels/`` (and of the other
designs under a label maker), the maker page's example without JavaScript, and ``::: label`` blocks."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops

from tests.browser.harness import format_axe_violations, format_vnu_messages, serve_directory
from tests.conftest import MINIMAL_CONFIG, Site
from tests.test_label_variants import VARIANT, variant_files
from tests.test_labels import DESIGN, label_files

CONFIG = MINIMAL_CONFIG + "images: {widths: [200, 400, 800]}\n"  # the designs are 600 pixels wide
RUBAN = DESIGN.replace("title: Simple", "title: Ruban").replace("artwork: plain.png", "artwork: ruban.png").replace(
    "example: Camille", "example: Joséphine")
PAGE = "---\ntitle: Nos étiquettes\n---\nEssayez :\n\n::: label plain\n:::\n\nEt la suite du texte.\n"
# The sizes of each place, as the theme's templates write them (labels.css says why).
SIZES = {
    "label-card": "(min-width: 81rem) 34rem, (min-width: 44em) calc(50vw - 5.25rem), calc(100vw - 4.5rem)",
    "label-example": "(min-width: 43.5rem) 40rem, calc(100vw - 2.5rem)",
    "label-block": "(min-width: 48rem) 20rem, (min-width: 40em) calc(50vw - 3.5rem), calc(100vw - 4.5rem)",
}
PICTURE = re.compile(
    r'<picture class="(label-card|label-example|label-block)__picture">'
    r'(?:<source type="image/webp" srcset="([^"]+)" sizes="([^"]+)">)?'
    r'<img class="\1__image" src="/(media/labels/[^"]+)" width="(\d+)" height="(\d+)" alt="([^"]*)" '
    r'(loading="lazy" )?decoding="async">\s*</picture>')
# The pages that show examples, and the one picture the screenshots compare on each.
PAGES = {"labels/index.html": "label-card", "labels/plain/index.html": "label-example",
         "etiquettes/index.html": "label-block"}


@dataclass(frozen=True)
class Picture:
    """One label ``<picture>`` of a page, as the HTML writes it."""

    place: str
    candidates: tuple[tuple[str, int], ...]
    sizes: str
    png: str
    size: tuple[int, int]
    alt: str
    lazy: bool


def pictures(site: Site, page: str) -> list[Picture]:
    found = []
    for match in PICTURE.finditer(site.read(page)):
        candidates = tuple((url.removeprefix("/"), int(width[:-1])) for url, width in
                           (part.strip().split(" ") for part in (match[2] or "").split(",") if part))
        found.append(Picture(match[1], candidates, match[3] or "", match[4], (int(match[5]), int(match[6])),
                             match[7], bool(match[8])))
    return found


def _png_600() -> bytes:
    ruban = io.BytesIO()
    Image.new("RGB", (600, 300), "#7b3f00").save(ruban, "PNG")
    return ruban.getvalue()


PNG_600 = _png_600()


def example_site(make_site: Callable[..., Site], config: str = CONFIG, name: str = "site") -> Site:
    site = make_site({**label_files(), "content/labels/ruban.yaml": RUBAN, "content/labels/ruban.png": PNG_600,
                      "content/pages/etiquettes.md": PAGE}, config=config, name=name)
    result = site.build()
    assert result.exit_code == 0, result.output
    return site


def design_variants(site: Site) -> dict[str, set[str]]:
    """Each design's variant paths, as its card on ``/labels/`` names them (by the card's link)."""
    html = site.read("labels/index.html")
    cards = re.findall(r'<li class="label-card">.*?</li>', html, re.S)
    named = {}
    for card in cards:
        slug = re.search(r'href="/labels/([^/]+)/"', card)
        assert slug is not None
        named[slug[1]] = set(re.findall(r"media/labels/[0-9a-f]{16}-\d+\.webp", card))
    return named


def test_the_example_is_a_picture_with_webp_variants_wherever_it_is_shown(make_site: Callable[..., Site]) -> None:
    site = example_site(make_site)
    shown = {page: pictures(site, page) for page in PAGES}
    cards, (example, other), (block,) = shown["labels/index.html"], shown["labels/plain/index.html"], \
        shown["etiquettes/index.html"]
    assert [p.place for p in cards] == ["label-card", "label-card"]
    plain = cards[0] if cards[0].png == example.png else cards[1]
    assert (example.place, other.place, block.place) == ("label-example", "label-card", "label-block")
    # One example, the same files everywhere; the sizes of each place; the alt text of each place.
    for picture in (plain, example, block):
        assert picture.png == plain.png and picture.candidates == plain.candidates
        assert picture.sizes == SIZES[picture.place] and picture.size == (600, 300)
    assert plain.alt == ""  # the card's title names the design
    assert example.alt == block.alt and "CAMILLE" in example.alt
    # The site's widths narrower than the example, then its own width (not 800).
    assert [width for _, width in plain.candidates] == [200, 400, 600]
    with Image.open(site.public / plain.png) as full:
        assert full.format == "PNG" and full.size == (600, 300)
    for path, width in plain.candidates:
        named = VARIANT.fullmatch(path)
        assert named is not None and named[1] == str(width)
        with Image.open(site.public / path) as variant:
            assert variant.format == "WEBP" and variant.size == (width, width // 2)
            assert not {"exif", "xmp", "icc_profile"} & set(variant.info)
        assert (site.public / path).stat().st_size < (site.public / plain.png).stat().st_size
    # Every variant is one of the two examples'; nothing else is made into variants.
    both = design_variants(site)
    assert set(variant_files(site)) == both["plain"] | both["ruban"] and len(both["ruban"]) == 3
    assert both["plain"] == {p for p, _ in plain.candidates}


def test_the_cards_that_open_the_label_index_are_not_lazy(make_site: Callable[..., Site]) -> None:
    # The first row of /labels/ is what a visitor sees first (its largest picture): a lazy image
    # there waits for the layout before it is even asked for. Further down, and elsewhere, lazy.
    site = make_site({**label_files(), "content/labels/ruban.yaml": RUBAN, "content/labels/ruban.png": PNG_600,
                      "content/labels/zigzag.yaml": RUBAN.replace("title: Ruban", "title: Zigzag"),
                      "content/pages/etiquettes.md": PAGE}, config=CONFIG)
    result = site.build()
    assert result.exit_code == 0, result.output
    assert [p.lazy for p in pictures(site, "labels/index.html")] == [False, False, True]
    assert {p.lazy for p in pictures(site, "labels/plain/index.html")} == {True}  # the example and the cards
    assert [p.lazy for p in pictures(site, "etiquettes/index.html")] == [True]


def test_what_stays_one_file_stays_one_file(make_site: Callable[..., Site]) -> None:
    site = example_site(make_site)
    maker = site.read("labels/plain/index.html")
    # The blank artwork the label maker draws on is the one <img> the script loads, as before.
    blank = re.search(r'<img class="jar__label" data-label-artwork data-label-static src="/(media/labels/plain-[0-9a-f]{10}'
                      r'\.png)" width="600" height="300" alt="[^"]+">', maker)
    assert blank is not None and not re.search(r'<picture[^>]*>(?:<source [^>]*>)*<img class="jar__label"', maker)
    # The site's share card (drawn from the first example) is still one 1200×630 JPEG, for Open Graph.
    card = re.search(r'<meta property="og:image" content="https://example\.org/(media/share/[0-9a-f]{16}\.jpg)"',
                     site.read("labels/index.html"))
    assert card is not None
    with Image.open(site.public / card[1]) as picture:
        assert picture.format == "JPEG" and picture.size == (1200, 630)
    # A design without an example shows its blank artwork, which has no variants.
    site.write("content/labels/plain.yaml", DESIGN.replace("example: Camille\n", ""))
    site.write("content/labels/ruban.yaml", RUBAN.replace("example: Joséphine\n", ""))
    assert site.build().exit_code == 0
    cards = pictures(site, "labels/index.html")
    assert [(c.place, c.candidates) for c in cards] == [("label-card", ()), ("label-card", ())]
    assert {c.png.split("-")[0] for c in cards} == {"media/labels/plain", "media/labels/ruban"}
    assert not variant_files(site)
    assert [p.place for p in pictures(site, "labels/plain/index.html")] == ["label-card"]  # no example figure


def test_example_variants_are_the_same_bytes_from_the_same_input(make_site: Callable[..., Site]) -> None:
    first = example_site(make_site)
    again = example_site(make_site, name="again")  # another folder, no cache: everything drawn anew
    assert len(variant_files(first)) == 6 and variant_files(first) == variant_files(again)
    media = {p: d for p, d in first.output_files().items() if p.startswith("media/")}
    assert media == {p: d for p, d in again.output_files().items() if p.startswith("media/")}
    # Names follow the inputs: another example names other files for that design alone.
    before = design_variants(first)
    first.write("content/labels/plain.yaml", DESIGN.replace("example: Camille", "example: Odile"))
    assert first.build().exit_code == 0
    after = design_variants(first)
    assert not after["plain"] & before["plain"] and after["ruban"] == before["ruban"]
    for page in PAGES:  # every page that shows it names the new files (an incremental build re-renders them)
        assert all((first.public / path).is_file() for picture in pictures(first, page)
                   for path, _ in picture.candidates)
        assert not any(path in first.read(page) for path in before["plain"])
    # Another quality names other variants of the same PNG.
    other = example_site(make_site, CONFIG.replace("800]}", "800], quality: 60}"), name="other")
    assert not set(variant_files(other)) & set(variant_files(again))
    assert pictures(other, "labels/index.html")[0].png == pictures(again, "labels/index.html")[0].png


def test_an_unchanged_design_is_not_encoded_again(make_site: Callable[..., Site], drawn: dict[str, int]) -> None:
    site = example_site(make_site)
    assert drawn == {"labels": 2, "derived": 6}  # two examples, three widths each

    def build() -> dict[str, int]:
        drawn.update(labels=0, derived=0)
        result = site.build()
        assert result.exit_code == 0, result.output
        return dict(drawn)

    before = variant_files(site)
    # The page changes, not the designs: nothing is drawn or encoded, the same files are published.
    site.write("content/pages/etiquettes.md", PAGE.replace("la suite", "la fin"))
    assert build() == {"labels": 0, "derived": 0}
    assert variant_files(site) == before
    # One design's example changes: it alone is drawn and encoded; the other's files are the same bytes.
    ruban = design_variants(site)["ruban"]
    site.write("content/labels/plain.yaml", DESIGN.replace("example: Camille", "example: Odile"))
    assert build() == {"labels": 1, "derived": 3}
    assert {p: d for p, d in variant_files(site).items() if p in ruban} == {p: before[p] for p in ruban}


def test_a_removed_design_leaves_no_variant_in_the_output_or_the_cache(make_site: Callable[..., Site]) -> None:
    site = example_site(make_site)
    gone = sorted(design_variants(site)["ruban"])
    kept = design_variants(site)["plain"]
    cache = site.root / ".storysite/cache/labels"
    assert len([p for p in cache.iterdir() if p.suffix == ".webp"]) == 6
    site.remove("content/labels/ruban.yaml")
    site.remove("content/labels/ruban.png")
    result = site.build()
    assert result.exit_code == 0, result.output
    assert set(variant_files(site)) == kept
    everything = site.all_output_text()
    purge = (site.root / ".storysite/purge.txt").read_text().split()
    for path in gone:
        key = Path(path).stem.split("-")[0]
        assert not (site.public / path).exists() and key not in everything
        assert not [p for p in cache.iterdir() if p.name.startswith(key)]
        assert f"https://example.org/{path}" in purge  # a CDN drops it too
    assert len([p for p in cache.iterdir() if p.suffix == ".webp"]) == 3


# -- in Chromium: valid, accessible, the sizes the CSS draws, and the pages look as they did --------------

def sizes_width(page: Any, sizes: str) -> float:
    """The width the browser takes from ``sizes`` at the page's viewport (its first matching entry)."""
    return float(page.evaluate("""(sizes) => {
        for (const entry of sizes.split(', ')) {
            const found = entry.match(/^(\\(.*?\\))\\s+(.+)$/);
            if (found && !matchMedia(found[1]).matches) continue;
            const probe = document.createElement('div');
            probe.style.cssText = 'position:absolute;visibility:hidden;width:' + (found ? found[2] : entry);
            document.body.append(probe);
            const width = probe.getBoundingClientRect().width;
            probe.remove();
            return width;
        }
        return -1; }""", sizes))


LOAD_ALL = """async () => { for (const i of document.images) i.loading = 'eager';
    await Promise.all([...document.images].map(i => i.decode().catch(() => null)));
    await document.fonts.ready; }"""
BOXES = """() => [...document.body.querySelectorAll('*')].filter(e => !['PICTURE', 'SOURCE'].includes(e.tagName))
    .map(e => { const b = e.getBoundingClientRect(); return [e.tagName, e.className, b.x, b.y, b.width, b.height]; })"""


def as_before(html: str) -> str:
    """The page as it was before examples had sources: each example's ``<img>`` alone."""
    return re.sub(r'<picture class="label-(?:card|example|block)__picture">(?:<source [^>]*>)*(<img [^>]*>)\s*</picture>',
                  r"\1", html)


@pytest.mark.browser
def test_examples_are_valid_accessible_sized_as_shown_and_look_as_before(
        make_site: Callable[..., Site], browser: Any, vnu: Any, axe: Any, tmp_path: Path) -> None:
    site = example_site(make_site)
    messages = vnu([site.public / page for page in PAGES])
    assert messages == [], format_vnu_messages(messages)
    for page_path in PAGES:  # the old markup beside each page, for the screenshots
        before = as_before(site.read(page_path))
        assert "<source" not in before and before != site.read(page_path)
        (site.public / page_path).with_name("before.html").write_text(before, "utf-8")
    with serve_directory(site.public) as base:
        # Without JavaScript, so that the maker page shows its example as the fallback it is.
        for width in (375, 600, 720, 800, 1000, 1280, 1440):
            context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=False)
            try:
                page = context.new_page()
                for page_path, place in PAGES.items():
                    page.goto(f"{base}/{page_path.removesuffix('index.html')}")
                    page.evaluate(LOAD_ALL)
                    seen: dict[str, int] = {}
                    for picture in pictures(site, page_path):
                        index = seen[picture.place] = seen.get(picture.place, -1) + 1
                        shown = page.evaluate("""([place, index]) => {
                            const img = document.querySelectorAll('.' + place + '__image')[index];
                            return {width: img.getBoundingClientRect().width, src: img.currentSrc}; }""",
                                              [picture.place, index])
                        wanted = sizes_width(page, picture.sizes)
                        # Never smaller than the picture is drawn (it would look soft), at most 10% larger.
                        assert shown["width"] - 2 <= wanted <= shown["width"] * 1.1 + 2, (width, place, shown, wanted)
                        assert shown["src"].endswith(".webp"), (width, page_path, shown)
            finally:
                context.close()
        for width in (375, 1280):
            for scripts in (True, False):
                context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=scripts)
                try:
                    page = context.new_page()
                    for page_path, place in PAGES.items():
                        url = f"{base}/{page_path.removesuffix('index.html')}"
                        shots, boxes = [], []
                        for address in (url + "before.html", url):
                            page.goto(address)
                            page.evaluate(LOAD_ALL)
                            boxes.append(page.evaluate(BOXES))
                            shot = tmp_path / f"{place}-{width}-{scripts}-{len(shots)}.png"
                            page.screenshot(path=str(shot), full_page=True)
                            shots.append(shot)
                        # Every box where it was (the <picture> adds none)...
                        assert boxes[0] == boxes[1], (width, page_path)
                        # ...and the same pixels but for the labels themselves (WebP is lossy, and the browser
                        # scales a smaller file).
                        with Image.open(shots[0]) as old, Image.open(shots[1]) as new:
                            assert old.size == new.size
                            difference = ImageChops.difference(old.convert("RGB"), new.convert("RGB")).convert("L")
                        images = page.evaluate("""() => [...document.querySelectorAll('img[src^="/media/labels/"]')]
                            .map(i => { const b = i.getBoundingClientRect();
                                        return [b.x + scrollX, b.y + scrollY, b.width, b.height]; })""")
                        outside = difference.copy()
                        for x, y, w, h in images:  # with room for the drop shadow under the label
                            outside.paste(0, (int(x) - 24, int(y) - 24, int(x + w) + 24, int(y + h) + 32))
                        assert outside.getbbox() is None, (width, scripts, page_path, outside.getbbox())
                        histogram = difference.histogram()
                        mean = sum(i * n for i, n in enumerate(histogram)) / (old.size[0] * old.size[1])
                        assert mean < 1, (width, scripts, page_path, mean)
                        if width == 375 and scripts:
                            violations = axe(page)
                            assert not violations, format_axe_violations(violations)
                finally:
                    context.close()
