"""The default theme as keyboard, phone and high-contrast visitors meet it, on the demo site.

Each test is a defect a visitor met: the phone menu, the row of picks, the timeline's
sticky bar, the decades chart's labels, forced colours (Windows high contrast), the
favicon request and printed pages.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.harness import format_axe_violations
from tests.conftest import build_demo_copy

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_copy(tmp_path_factory, "demo")


@pytest.fixture
def open_page(browser: Any, demo: Path, static_server: Callable[[Path | str], str]) -> Iterator[Callable[..., Any]]:
    """``open_page(path, width, **context_options)``: a page of the demo at that width (motion reduced)."""
    base = static_server(demo)
    contexts: list[Any] = []

    def opener(path: str, width: int, **options: Any) -> Any:
        context = browser.new_context(viewport={"width": width, "height": 800}, reduced_motion="reduce", **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(base + path)
        return page

    yield opener
    for context in contexts:
        context.close()


MENU_STATE = """() => {
    const menu = document.querySelector('details.site-nav__menu');
    const active = document.activeElement;
    return {open: menu.open, inside: menu.contains(active), summary: active === menu.querySelector('summary'),
            text: active.textContent.trim()};
}"""

# Whether the focused element is what a visitor sees at its centre (not covered by something else).
FOCUS_UNCOVERED = """() => {
    const active = document.activeElement;
    const box = active.getBoundingClientRect();
    const seen = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return seen !== null && (active === seen || active.contains(seen));
}"""


def _open_menu(page: Any) -> None:
    page.locator(".site-nav__toggle").focus()
    page.keyboard.press("Enter")
    assert page.evaluate(MENU_STATE)["open"]


# -- 1. The phone menu -----------------------------------------------------------


def test_escape_closes_the_phone_menu_and_returns_the_focus_to_menu(open_page) -> None:
    page = open_page("/memories/", 320)
    _open_menu(page)
    page.keyboard.press("Tab")
    assert page.evaluate(MENU_STATE)["inside"]
    page.keyboard.press("Escape")
    state = page.evaluate(MENU_STATE)
    assert not state["open"] and state["summary"], state
    # Escape on the summary itself closes it too.
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    state = page.evaluate(MENU_STATE)
    assert not state["open"] and state["summary"], state


def test_the_phone_menu_closes_when_the_focus_moves_past_its_last_link(open_page) -> None:
    page = open_page("/memories/", 320)
    _open_menu(page)
    links = page.locator(".site-nav__panel a").count()
    for _ in range(links):
        page.keyboard.press("Tab")
        assert page.evaluate(MENU_STATE)["open"]
    page.keyboard.press("Tab")
    state = page.evaluate(MENU_STATE)
    assert not state["open"] and not state["inside"], state
    assert page.evaluate(FOCUS_UNCOVERED), state  # the link the focus is on is not under the menu
    # Shift+Tab out of it, before the summary, closes it as well.
    _open_menu(page)
    page.keyboard.press("Shift+Tab")
    state = page.evaluate(MENU_STATE)
    assert not state["open"] and not state["inside"], state


def test_the_phone_menu_still_opens_and_closes_without_javascript(open_page) -> None:
    page = open_page("/memories/", 320, java_script_enabled=False)
    assert not page.locator(".site-nav__panel").is_visible()
    page.locator(".site-nav__toggle").click()
    assert page.locator(".site-nav__panel a").first.is_visible()
    page.locator(".site-nav__toggle").click()
    assert not page.locator(".site-nav__panel").is_visible()


# -- 2. The home page's row of picks -------------------------------------------------


@pytest.mark.parametrize("width", [320, 375, 414])
def test_a_pick_that_takes_the_focus_is_scrolled_whole_into_view(open_page, width: int) -> None:
    page = open_page("/", width)
    picks = page.locator(".card-grid--scroll .card__link")
    assert picks.count() >= 3
    page.locator(".postcard__link").focus()  # the last link before the row
    seen = []
    for _ in range(picks.count()):
        page.keyboard.press("Tab")
        page.wait_for_timeout(100)
        seen.append(page.evaluate("""() => {
            const item = document.activeElement.closest('.card-grid--scroll > li');
            if (!item) return null;
            const card = item.getBoundingClientRect();
            return [card.left, card.right, window.innerWidth];
        }"""))
    assert None not in seen, seen
    assert all(left >= -1 and right <= viewport + 1 for left, right, viewport in seen), seen


# -- 3. The timeline's sticky decade bar -----------------------------------------------


@pytest.mark.parametrize("width", [320, 390, 414, 1280])
@pytest.mark.parametrize("path", ["/timeline/", "/timeline/1980s/"])
def test_entries_reached_with_shift_tab_are_not_under_the_sticky_decade_bar(open_page, path: str, width: int) -> None:
    page = open_page(path, width)
    page.locator(".site-footer a").first.focus()
    hidden = []
    checked = 0
    for _ in range(60):
        page.keyboard.press("Shift+Tab")
        where = page.evaluate("""() => {
            const active = document.activeElement;
            if (!active.closest('.tl-body')) return null;
            const bar = document.querySelector('.tl-bar').getBoundingClientRect();
            return [active.textContent.trim().slice(0, 40), active.getBoundingClientRect().top, bar.bottom];
        }""")
        if where is None:
            continue
        checked += 1
        if where[1] < where[2] - 1:
            hidden.append(where)
    assert checked >= 10
    assert hidden == []


@pytest.mark.parametrize("width", [320, 414])
@pytest.mark.parametrize("path", ["/timeline/", "/timeline/1980s/"])
def test_a_decade_link_that_takes_the_focus_is_scrolled_whole_into_the_bar(open_page, path: str, width: int) -> None:
    # The browser left a link cut by the bar's edge where it was (the focus ring half hidden):
    # on a decade's page, "Toute la frise" to the left of the current decade, and the decade
    # half past the right edge.
    page = open_page(path, width)
    links = page.locator(".tl-bar__link")
    assert page.evaluate("(() => { const s = document.querySelector('.tl-bar__inner'); "
                         "return s.scrollWidth > s.clientWidth; })()")  # the bar does scroll sideways
    page.locator(".site-search-link").focus()  # the header's last link
    seen = []
    for _ in range(links.count() + 3):
        page.keyboard.press("Tab")
        if not page.evaluate("document.activeElement.closest('.tl-bar') !== null"):
            if seen:
                break
            continue  # a link of the page's head, before the bar
        seen.append(page.evaluate("""() => {
            const link = document.activeElement, bar = document.querySelector('.tl-bar__inner');
            const box = bar.getBoundingClientRect(), seen = link.getBoundingClientRect();
            return [link.textContent.trim(), seen.left - box.left, box.right - seen.right];
        }"""))
    assert len(seen) == links.count(), seen
    assert [entry for entry in seen if entry[1] < -1 or entry[2] < -1] == [], seen


# -- 4. The decades chart ----------------------------------------------------------------


@pytest.mark.parametrize("width", [320, 360, 414, 1280])
def test_every_decade_label_of_the_home_chart_stays_on_one_line(open_page, width: int) -> None:
    page = open_page("/", width)
    labels = page.evaluate("""() => [...document.querySelectorAll('.decades__year')].map(label => {
        const range = document.createRange();
        range.selectNodeContents(label);
        const bar = label.parentElement.querySelector('.decades__bar').getBoundingClientRect();
        const box = label.getBoundingClientRect();
        return {text: label.textContent, lines: range.getClientRects().length,
                overflows: label.scrollWidth > label.clientWidth,
                overlaps: getComputedStyle(label).gridArea.startsWith('year') ? false : box.right > bar.left};
    })""")
    assert len(labels) >= 5
    assert [label for label in labels if label["lines"] != 1 or label["overflows"] or label["overlaps"]] == []
    # The bars still start together (one column for the labels, as wide as the widest).
    if width < 640:
        starts = page.evaluate("[...document.querySelectorAll('.decades__bar')].map(b => b.getBoundingClientRect().left)")
        assert max(starts) - min(starts) < 1


# -- 6. Forced colours (Windows high contrast) ---------------------------------------------


def _picture(page: Any, box: dict[str, float]) -> Any:
    from PIL import Image

    data = page.screenshot(clip=box)
    return Image.open(io.BytesIO(data)).convert("L")


def test_forced_colours_keep_the_menu_icon(open_page) -> None:
    page = open_page("/", 320, forced_colors="active")
    assert page.evaluate("matchMedia('(forced-colors: active)').matches")
    icon = page.locator(".site-nav__icon").bounding_box()
    # The three bars: the icon's own box, and 6px above and below it.
    picture = _picture(page, {"x": icon["x"], "y": icon["y"] - 8, "width": icon["width"], "height": icon["height"] + 16})
    dark_rows = [y for y in range(picture.height) if min(picture.getpixel((x, y)) for x in range(picture.width)) < 128]
    bands = [y for i, y in enumerate(dark_rows) if i == 0 or dark_rows[i - 1] != y - 1]
    assert len(bands) == 3, dark_rows


def test_forced_colours_keep_the_video_play_triangle(open_page) -> None:
    page = open_page("/memories/la-pub-du-petit-chef/", 320, forced_colors="active")
    box = page.evaluate("""() => {
        const play = document.querySelector('.video-facade__play');
        const style = getComputedStyle(play, '::before');
        const disc = play.getBoundingClientRect();
        const width = parseFloat(style.borderLeftWidth), height = parseFloat(style.borderTopWidth) * 2;
        // ::before sits at left 54%, top 50%, moved back by half its size.
        return {x: disc.left + disc.width * 0.54 - width / 2, y: disc.top + disc.height / 2 - height / 2,
                width: width, height: height};
    }""")
    picture = _picture(page, box)
    w, h = picture.size
    assert picture.getpixel((w // 3, h // 2)) < 128  # the triangle is drawn…
    for corner in ((w - 2, 1), (w - 2, h - 2)):  # …and is a triangle, not a square
        assert picture.getpixel(corner) > 128, corner


def _brightness(page: Any, box: dict[str, float]) -> float:
    from PIL import ImageStat

    return ImageStat.Stat(_picture(page, box)).mean[0]


def test_forced_colours_underline_the_current_link_of_the_menu_bar_alone(open_page) -> None:
    # Forced colours paint transparent borders too: every link looked like the current one.
    page = open_page("/timeline/", 1280, forced_colors="active")
    links = page.evaluate("""() => [...document.querySelectorAll('.site-nav__list a')].map(a => {
        const box = a.getBoundingClientRect(), line = parseFloat(getComputedStyle(a).borderBottomWidth);
        return {current: a.hasAttribute('aria-current'), x: box.left, y: box.bottom - line, width: box.width, height: line};
    })""")
    assert len(links) >= 5
    underlined = [link.pop("current") for link in links if _brightness(page, link) < 128]
    assert underlined == [True]


def test_forced_colours_show_which_timeline_filters_are_pressed(open_page) -> None:
    # The pressed toggle's disc was filled by a background colour alone, which forced colours drop.
    page = open_page("/timeline/", 1280, forced_colors="active")
    toggles = page.locator(".tl-toggle")
    toggles.first.click()
    page.mouse.click(1, 1)  # no focus ring over the discs
    discs = page.evaluate("""() => [...document.querySelectorAll('.tl-toggle')].map(b => {
        const box = b.getBoundingClientRect(), style = getComputedStyle(b), disc = getComputedStyle(b, '::before');
        const size = parseFloat(disc.width), x = box.left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft);
        return {pressed: b.getAttribute('aria-pressed') === 'true',
                x: x + size / 2 - 2, y: box.top + box.height / 2 - 2, width: 4, height: 4};
    })""")
    assert [disc["pressed"] for disc in discs] == [False, True]
    filled = [disc.pop("pressed") for disc in discs if _brightness(page, disc) < 128]
    assert filled == [True]


@pytest.mark.parametrize(("path", "items"), [("/memories/page/2/", ".pager__page"), ("/timeline/1980s/", ".tl-bar__link")])
def test_forced_colours_keep_the_current_page_of_the_pager_and_the_decade_bar(open_page, path: str, items: str) -> None:
    page = open_page(path, 1280, forced_colors="active")
    page.locator(items).last.scroll_into_view_if_needed()
    boxes = page.evaluate(f"""() => [...document.querySelectorAll('{items}')].map(item => {{
        const box = item.getBoundingClientRect();
        return {{current: item.hasAttribute('aria-current'), x: box.left, y: box.top, width: box.width, height: box.height}};
    }})""")
    assert len(boxes) >= 2
    filled = [box.pop("current") for box in boxes if _brightness(page, box) < 128]
    assert filled == [True]


# -- 8. The favicon ------------------------------------------------------------------------------


def test_the_browser_finds_the_sites_favicon_without_asking_for_favicon_ico(open_page) -> None:
    failed: list[str] = []
    requested: list[str] = []
    page = open_page("/", 1280)
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.on("request", lambda r: requested.append(r.url))
    page.reload()
    page.wait_for_timeout(500)
    assert page.evaluate("document.querySelector('link[rel=icon]').href").endswith("/favicon.svg")
    assert failed == []
    assert not any(url.endswith("/favicon.ico") for url in requested), requested


# -- 9. Print ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/memories/la-pub-du-petit-chef/"])
def test_a_printed_page_keeps_its_text_legible_and_says_where_to_watch_a_video(open_page, axe, path: str) -> None:
    # On paper the footer turned white but its description and legal line kept the screen's
    # light grey (1.7:1); the search button was printed in the header; a video showed a note
    # about playing it here and not where to watch it.
    page = open_page(path, 1280)
    page.emulate_media(media="print")
    violations = axe(page, tags=["wcag2aa"])
    assert violations == [], format_axe_violations(violations)
    assert not page.locator(".site-search-link").is_visible()
    videos = page.evaluate("""() => [...document.querySelectorAll('.video-facade')].map(v =>
        [getComputedStyle(v, '::after').content, v.getAttribute('href'),
         getComputedStyle(v.querySelector('.video-facade__note')).display])""")
    if path.startswith("/memories/"):
        assert videos and all(shown == f'"{href}"' and note == "none" for shown, href, note in videos), videos


# -- 10. Responsive images ----------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "density"), [(320, 2), (414, 3), (1280, 1)])
def test_a_milestones_photo_loads_the_smallest_file_that_covers_it(open_page, width: int, density: int) -> None:
    # Its sizes said 100vw on phones, where the photo is a card's width beside the rail (208px
    # of 320): a phone loaded the 960px file where the 480px one was enough.
    page = open_page("/timeline/1970s/", width, device_scale_factor=density)
    photos = page.locator(".tl-photo img")
    assert photos.count() >= 1
    chosen = []
    for index in range(photos.count()):
        photo = photos.nth(index)
        photo.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.currentSrc", arg=photo.element_handle())
        chosen.append(photo.evaluate("""img => {
            const source = img.closest('picture').querySelector('source'), used = img.currentSrc;
            const widths = source.srcset.split(',').map(c => c.trim().split(/\\s+/));
            const file = widths.find(([url]) => used.endsWith(url));
            const needed = img.getBoundingClientRect().width * devicePixelRatio;
            const enough = widths.map(([, w]) => parseInt(w)).filter(w => w >= needed);
            return [file ? parseInt(file[1]) : used, enough.length ? Math.min(...enough) : null, needed];
        }"""))
    assert all(used == best for used, best, _ in chosen), chosen
