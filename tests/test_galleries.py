"""Galleries: pages, the index, the ``::: gallery`` block, validation; the lightbox in Chromium."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest

from tests.browser.harness import format_axe_violations, serve_directory
from tests.conftest import Site
from tests.test_images import photo

GALLERY = """\
title: Fan Days 2026
date: 2026-05-16
description: |
  Le week-end des **50 ans**.
images:
  - {src: photos/1.jpg, alt: Le stand, caption: Samedi matin, credit: Camille A.}
  - {src: photos/2.jpg, alt: Les tartines, caption: Le goûter}
  - {src: photos/3.jpg, alt: La tour de pots}
"""


def gallery_site(make_site: Callable[..., Site], extra: dict[str, str | bytes] | None = None) -> Site:
    files: dict[str, str | bytes] = {
        "content/galleries/fan-days-2026/index.yaml": GALLERY,
        "content/galleries/fan-days-2026/photos/1.jpg": photo((1600, 1067), (200, 60, 40)),
        "content/galleries/fan-days-2026/photos/2.jpg": photo((1200, 1600), (40, 160, 60)),
        "content/galleries/fan-days-2026/photos/3.jpg": photo((1600, 1067), (40, 60, 200)),
    }
    files.update(extra or {})
    return make_site(files)


def test_gallery_page_index_and_navigation(make_site) -> None:
    site = gallery_site(make_site)
    result = site.build()
    assert result.exit_code == 0, result.output
    page = site.read("galleries/fan-days-2026/index.html")
    assert "<h1" in page and "Fan Days 2026" in page
    assert "<strong>50 ans</strong>" in page  # the description is Markdown
    assert page.count("<picture") == 3 and page.count("data-lightbox-item") == 3
    assert "data-lightbox " in page and 'data-lb-counter="Photo {n} sur {total}"' in page
    # The first row opens the page: loaded at once, the first with priority.
    assert page.count('fetchpriority="high"') == 1 and page.count('loading="lazy"') == 0
    assert 'width="1200" height="1600"' in page  # the portrait keeps its shape
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    assert data["@type"] == "ImageGallery" and data["name"] == "Fan Days 2026"
    index = site.read("galleries/index.html")
    assert 'href="/galleries/fan-days-2026/"' in index and "3 photos" in index and "<picture" in index
    assert 'href="/galleries/"' in site.read("index.html")  # in the navigation
    sitemap = site.read("sitemap.xml")
    assert "https://example.org/galleries/" in sitemap and "https://example.org/galleries/fan-days-2026/" in sitemap


def test_no_galleries_no_section(make_site) -> None:
    site = make_site({"content/pages/p.md": "---\ntitle: P\n---\nx\n"})
    assert site.build().exit_code == 0
    assert not (site.public / "galleries").exists()
    assert 'href="/galleries/"' not in site.read("index.html")


def test_gallery_block_in_a_page(make_site) -> None:
    page = "---\ntitle: Les 50 ans\n---\nIntro.\n\n::: gallery fan-days-2026\n:::\n"
    site = gallery_site(make_site, {"content/pages/cinquante.md": page})
    assert site.build().exit_code == 0
    html = site.read("cinquante/index.html")
    block = re.search(r'<section class="block block--gallery".*?</section>', html, re.S).group(0)  # type: ignore[union-attr]
    assert block.count("<picture") == 3 and "data-lightbox" in block
    assert 'href="/galleries/fan-days-2026/"' in block and "Voir les 3 photos" in block
    assert 'aria-labelledby="gallery-fan-days-2026-0"' in block and 'id="gallery-fan-days-2026-0"' in block


@pytest.mark.parametrize(("body", "expected"), [
    ("::: gallery nowhere\n:::\n", "content/pages/p.md:6: no gallery with slug 'nowhere' (galleries: fan-days-2026)"),
    ("::: gallery\n:::\n", "content/pages/p.md:6: '::: gallery' takes one gallery slug"),
    ("::: gallery a b\n:::\n", "content/pages/p.md:6: '::: gallery' takes one gallery slug"),
])
def test_bad_gallery_blocks_are_errors(make_site, body: str, expected: str) -> None:
    site = gallery_site(make_site)
    assert site.build().exit_code == 0
    before = site.output_files()
    site.write("content/pages/p.md", f"---\ntitle: P\n---\nIntro\n\n{body}")
    result = site.build()
    assert result.exit_code == 1
    assert expected in result.stderr, result.stderr
    assert site.output_files() == before


def test_draft_gallery_is_left_out_with_a_warning_in_blocks(make_site) -> None:
    site = gallery_site(make_site, {
        "content/galleries/fan-days-2026/index.yaml": GALLERY + "draft: true\n",
        "content/pages/p.md": "---\ntitle: P\n---\n\n::: gallery fan-days-2026\n:::\n",
    })
    result = site.build()
    assert result.exit_code == 0
    assert "content/pages/p.md:5: warning: gallery 'fan-days-2026' is a draft; the block is left out" in result.stderr
    assert not (site.public / "galleries").exists()
    assert "Photos: 0 encoded" in result.stdout  # a draft's photos are not even encoded


@pytest.mark.parametrize(("text", "expected"), [
    ("title: G\n", "content/galleries/g.yaml:1: 'images' is required: a gallery needs at least one photo"),
    ("title: G\nimages: []\n", "content/galleries/g.yaml:2: images: the list is empty"),
    ("title: G\nimages: photos\n", "content/galleries/g.yaml:2: images: expected a list of photos"),
    ("title: G\nimages:\n  - video: https://vimeo.com/1234\n",
     "content/galleries/g.yaml:3: images.video: a gallery holds photos"),
    ("title: G\nimages:\n  - {src: nothing.jpg, alt: x}\n",
     "content/galleries/g.yaml:3: images.src: 'nothing.jpg' was not found"),
    ("images:\n  - {src: ok.jpg, alt: x}\n", "content/galleries/g.yaml:1: 'title' is required"),
    ("title: G\ncaption: oops\nimages:\n  - {src: ok.jpg, alt: x}\n",
     "content/galleries/g.yaml:2: warning: unknown field 'caption'"),
])
def test_bad_gallery_files(make_site, text: str, expected: str) -> None:
    site = make_site({"content/galleries/g.yaml": text, "content/galleries/ok.jpg": photo((640, 480))})
    result = site.build()
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.output


def test_two_galleries_with_one_url(make_site) -> None:
    site = make_site({
        "content/galleries/a.yaml": "title: A\nslug: same\nimages: [{src: p.jpg, alt: x}]\n",
        "content/galleries/b.yaml": "title: B\nslug: same\nimages: [{src: p.jpg, alt: x}]\n",
        "content/galleries/p.jpg": photo((640, 480)),
    })
    result = site.build()
    assert result.exit_code == 1
    assert ("content/galleries/a.yaml:2: this gallery has the URL /galleries/same/, as does content/galleries/b.yaml:2"
            in result.stderr)


# -- in the browser -------------------------------------------------------------------------


def _lightbox_state(page) -> dict:  # type: ignore[no-untyped-def]
    return page.evaluate("""() => {
        const dialog = document.querySelector('dialog.lightbox');
        const img = dialog && dialog.querySelector('img');
        return {
            open: !!(dialog && dialog.open),
            counter: dialog ? dialog.querySelector('.lightbox__counter').textContent : '',
            alt: img ? img.alt : '',
            focusInside: !!(dialog && dialog.contains(document.activeElement)),
            focused: document.activeElement.getAttribute('aria-label') || document.activeElement.getAttribute('href'),
        };
    }""")


@pytest.mark.browser
def test_lightbox_works_with_the_keyboard(make_site, page, axe) -> None:
    site = gallery_site(make_site)
    assert site.build().exit_code == 0
    links = re.findall(r'<a class="photo__link" href="([^"]+)"', site.read("galleries/fan-days-2026/index.html"))
    with serve_directory(site.public) as base:
        page.goto(base + "/galleries/fan-days-2026/")
        page.focus("a.photo__link")
        page.keyboard.press("Enter")
        state = _lightbox_state(page)
        assert state["open"] and state["focusInside"]
        assert state["focused"] == "Fermer la visionneuse"
        assert state["counter"] == "Photo 1 sur 3 — Le stand"
        # The large file is what the viewer shows.
        page.wait_for_function("document.querySelector('dialog.lightbox img').complete")
        assert "-1600." in page.evaluate("document.querySelector('dialog.lightbox img').currentSrc")
        violations = axe(page)
        assert not violations, format_axe_violations(violations)
        page.keyboard.press("ArrowRight")
        assert _lightbox_state(page)["counter"] == "Photo 2 sur 3 — Les tartines"
        assert page.evaluate("document.querySelector('.lightbox__caption').textContent") == "Le goûter"
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        assert _lightbox_state(page)["counter"] == "Photo 1 sur 3 — Le stand"  # it wraps around
        page.keyboard.press("ArrowLeft")
        assert _lightbox_state(page)["alt"] == "La tour de pots"
        # Tab stays inside the modal viewer.
        for _ in range(5):
            page.keyboard.press("Tab")
            assert _lightbox_state(page)["focusInside"]
        page.keyboard.press("Escape")
        state = _lightbox_state(page)
        assert not state["open"]
        # Focus is back in the page, on the photo last shown.
        assert state["focused"] == links[2]
        assert not page.evaluate("document.documentElement.classList.contains('lightbox-open')")


@pytest.mark.browser
def test_lightbox_buttons_and_swipe(make_site, page) -> None:
    site = gallery_site(make_site)
    assert site.build().exit_code == 0
    with serve_directory(site.public) as base:
        page.goto(base + "/galleries/fan-days-2026/")
        page.click("li:nth-child(2) a.photo__link")
        assert _lightbox_state(page)["counter"].startswith("Photo 2 sur 3")
        page.click(".lightbox__next")
        assert _lightbox_state(page)["counter"].startswith("Photo 3 sur 3")
        stage = page.locator(".lightbox__stage")
        for kind, x in (("pointerdown", 600), ("pointerup", 200)):
            stage.dispatch_event(kind, {"pointerType": "touch", "clientX": x, "clientY": 400, "isPrimary": True})
        assert _lightbox_state(page)["counter"].startswith("Photo 1 sur 3")  # swiped left: next
        page.click(".lightbox__close")
        assert not _lightbox_state(page)["open"]


@pytest.mark.browser
def test_without_javascript_photos_link_to_their_large_file(make_site, browser) -> None:
    site = gallery_site(make_site)
    assert site.build().exit_code == 0
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    with serve_directory(site.public) as base:
        page.goto(base + "/galleries/fan-days-2026/")
        page.click("a.photo__link")
        assert re.search(r"/media/\w+-1600\.jpg$", page.url)
        assert page.evaluate("document.contentType") == "image/jpeg"
    context.close()


@pytest.mark.browser
def test_video_facade_loads_nothing_from_the_host_until_pressed(make_site, page) -> None:
    memory = ("---\ntitle: La pub\nstatus: approved\nconsent: {granted: 2020-01-01}\nmedia:\n"
              "  - video: https://www.youtube.com/watch?v=dQw4w9WgXcQ\n    title: La pub de 1983\n---\nTexte.\n")
    site = make_site({"content/memories/pub.md": memory})
    assert site.build().exit_code == 0
    requests: list[str] = []
    with serve_directory(site.public) as base:
        page.on("request", lambda request: requests.append(request.url))
        page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
        page.goto(base + "/memories/pub/")
        page.wait_for_load_state("networkidle")
        assert [url for url in requests if not url.startswith(base)] == []
        assert page.locator("iframe").count() == 0
        page.focus("a.video-facade")
        page.keyboard.press("Enter")
        frame = page.locator("iframe.video-facade__frame")
        assert frame.get_attribute("src") == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&rel=0"
        assert frame.get_attribute("title") == "La pub de 1983"
        assert page.evaluate("document.activeElement.tagName") == "IFRAME"
        foreign = {url.split("/")[2] for url in requests if not url.startswith(base)}
        assert foreign <= {"www.youtube-nocookie.com"}
