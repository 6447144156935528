"""Built pages as visitors and validators meet them: W3C Nu checker, axe-core, layout."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from storysite.cli import main
from tests.browser.harness import (
    format_axe_violations,
    format_vnu_messages,
    serve_directory,
)
from tests.conftest import BUILD_EPOCH, REPO, memory

pytestmark = pytest.mark.browser

PAGES = [
    "/", "/memories/", "/memories/page/2/", "/memories/gouters-chez-mamie-josette/",
    "/memories/noel-a-la-montagne/", "/tags/", "/tags/famille/", "/campaigns/",
    "/campaigns/racontez-nous-vos-50-ans/", "/a-propos/", "/confidentialite/", "/404.html",
    "/timeline/", "/timeline/1980s/",
    "/labels/", "/labels/classique/", "/labels/ruban/", "/memories/mon-pot-personnalise-pour-mamie/",
    "/campaigns/le-pot-a-votre-nom/",
    "/galleries/", "/galleries/fan-days-2026/", "/galleries/la-fabrique-en-images/",
    "/memories/la-pub-du-petit-chef/", "/memories/le-pain-maison-du-confinement/",
    "/search/",
]


@pytest.fixture(scope="module")
def demo_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    for name in ("storysite.yaml",):
        shutil.copy2(REPO / name, root / name)
    for name in ("content", "static"):
        shutil.copytree(REPO / name, root / name)
    result = CliRunner().invoke(main, ["build", str(root)], env={"SOURCE_DATE_EPOCH": BUILD_EPOCH})
    assert result.exit_code == 0, result.output
    return root / "public"


def test_every_built_page_passes_the_nu_html_checker(demo_output: Path, vnu: Callable[..., list]) -> None:
    pages = sorted(demo_output.rglob("*.html"))
    assert len(pages) > 50
    messages = vnu(pages)
    assert messages == [], format_vnu_messages(messages)


@pytest.mark.parametrize("width", [1280, 390])
def test_pages_have_no_serious_accessibility_violations(demo_output: Path, browser, axe, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    failures = []
    with serve_directory(demo_output) as base:
        for path in PAGES:
            page.goto(base + path)
            violations = axe(page)
            if violations:
                failures.append(f"{path}:\n{format_axe_violations(violations)}")
            # No horizontal scrolling at phone width.
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 1:
                failures.append(f"{path}: page is {overflow}px wider than the {width}px viewport")
    context.close()
    assert not failures, "\n".join(failures)


def test_pages_make_no_third_party_requests(demo_output: Path, browser) -> None:
    page = browser.new_page()
    foreign: list[str] = []
    with serve_directory(demo_output) as base:
        page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith(base) else None)
        for path in PAGES:
            page.goto(base + path)
    page.close()
    assert foreign == []


def test_keyboard_user_can_skip_to_content(demo_output: Path, page) -> None:
    with serve_directory(demo_output) as base:
        page.goto(base + "/memories/")
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.getAttribute('href')")
        assert focused == "#main"
        box = page.evaluate("JSON.stringify(document.activeElement.getBoundingClientRect())")
        assert '"width":0' not in box  # the skip link becomes visible when focused
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#main"


def test_pages_read_in_order_without_javascript(demo_output: Path, browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    with serve_directory(demo_output) as base:
        page.goto(base + "/memories/gouters-chez-mamie-josette/")
        headings = page.evaluate("[...document.querySelectorAll('h1,h2,h3,h4')].map(h => +h.tagName[1])")
        assert headings[0] == 1 and headings.count(1) == 1
        assert all(b - a <= 1 for a, b in itertools.pairwise(headings))
        assert page.locator("main").inner_text().strip()
    context.close()


def test_a_fans_very_long_word_never_makes_a_page_scroll_sideways(make_site, browser, static_server) -> None:
    word = "Trèslongmotsansespace" * 10
    site = make_site({
        "content/memories/long.md": memory(f"Titre {word}", body=f"Un mot : {word}.", extra=f"tags: [{word[:60]}]\n"),
        "content/memories/voisin.md": memory("Voisin"),
    })
    assert site.build().exit_code == 0, site.build().output
    base = static_server(site.public)
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    try:
        for path in ("/memories/long/", "/memories/", "/", "/timeline/", "/memories/voisin/", "/tags/"):
            page.goto(f"{base}{path}")
            widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            assert widths[0] <= widths[1], (path, widths)
    finally:
        context.close()


WIDE_TABLE = (
    "| Conditionnement | Disponibilité | Prix unitaire | Remarques particulières |\n|---|---|---|---|\n"
    "| Pot de 250 grammes | Toute l’année | 4,50 € | Le classique de toujours |\n"
    "| Pot de 500 grammes | Printemps et été | 7,90 € | Édition limitée anniversaire |\n"
)

# Per header cell: how many lines its words take (a word broken letter by letter takes several).
HEADER_LINES = """() => [...document.querySelectorAll('main table th')].map(th => {
    const range = document.createRange();
    range.selectNodeContents(th);
    return [th.textContent, new Set([...range.getClientRects()].map(r => Math.round(r.top))).size];
})"""


def test_an_editors_wide_table_scrolls_in_its_own_box_on_a_small_phone(make_site, browser, static_server,
                                                                       vnu: Callable[..., list], axe) -> None:
    # At 320 px a four-column table squeezed to the text's width broke its headings letter by
    # letter. In its scroll box its words stay whole, the box (not the page) scrolls sideways,
    # and a keyboard user reaches the box with Tab and scrolls it with the arrow keys. A fan's
    # table in a memory too.
    site = make_site({
        "content/pages/tarifs.md": f"---\ntitle: Tarifs\n---\nLes prix.\n\n{WIDE_TABLE}\nFin.\n",
        "content/campaigns/pots.md": f"---\ntitle: Les pots\n---\n{WIDE_TABLE}",
        "content/memories/pots.md": memory("Nos pots", body=f"Les prix.\n\n{WIDE_TABLE}\nFin."),
    })
    result = site.build()
    assert result.exit_code == 0, result.output
    messages = vnu(sorted(site.public.rglob("*.html")))
    assert messages == [], format_vnu_messages(messages)
    base = static_server(site.public)
    for width in (320, 1280):
        context = browser.new_context(viewport={"width": width, "height": 800}, reduced_motion="reduce")
        page = context.new_page()
        try:
            for path in ("/tarifs/", "/campaigns/pots/", "/memories/pots/"):
                page.goto(f"{base}{path}")
                assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, (path, width)
                violations = axe(page)
                assert not violations, format_axe_violations(violations)
                # One-word headings on one line; "Remarques particulières" on two lines at most.
                lines = dict(page.evaluate(HEADER_LINES))
                assert lines["Conditionnement"] == lines["Disponibilité"] == 1, lines
                assert max(lines.values()) <= 2, lines
                box = page.locator(".table-scroll")
                sizes = box.evaluate("b => [b.scrollWidth, b.clientWidth]")
                if width == 1280:
                    assert sizes[0] <= sizes[1], sizes  # room enough: nothing to scroll
                    continue
                assert sizes[0] > sizes[1], sizes
                for _ in range(30):
                    page.keyboard.press("Tab")
                    if page.evaluate("document.activeElement.classList.contains('table-scroll')"):
                        break
                else:
                    raise AssertionError("Tab never reaches the table's box")
                assert page.evaluate("document.activeElement.getAttribute('role')") == "region"
                page.keyboard.press("ArrowRight")
                page.wait_for_function("document.querySelector('.table-scroll').scrollLeft > 0")
        finally:
            context.close()


def test_no_demo_page_scrolls_sideways_on_a_small_phone(demo_output: Path, browser, static_server) -> None:
    base = static_server(demo_output)
    context = browser.new_context(viewport={"width": 320, "height": 700})
    page = context.new_page()
    try:
        for path in PAGES:
            page.goto(f"{base}{path}")
            widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            assert widths[0] <= widths[1], (path, widths)
    finally:
        context.close()


def test_a_right_to_left_memory_reads_in_order(make_site, browser, static_server) -> None:
    # A fan writing in Arabic: the title and text take their own direction, the name and place
    # keep their words and full stop in order inside the French byline, and the drop cap is
    # not pulled out of a right-to-left line.
    site = make_site({
        "content/memories/rtl.md": memory("ذكريات الطفولة", body="كنا نأكل الخبز مع المربى كل صباح.").replace(
            "display: Romain L., location: Lyon", "display: مريم ك., location: الرباط"),
        "content/memories/ltr.md": memory("Le goûter", body="Chaque matin, du pain et de la confiture."),
    })
    assert site.build().exit_code == 0, site.build().output
    html = site.read("memories/rtl/index.html")
    assert "Raconté par \u2068مريم ك.\u2069, à \u2068الرباط\u2069" in html
    assert "Raconté par Romain L., à Lyon" in site.read("memories/ltr/index.html")  # no isolate needed
    base = static_server(site.public)
    page = browser.new_page()
    try:
        script = """() => {
            const p = document.querySelector('.prose--story > p');
            return [getComputedStyle(document.querySelector('.story__title')).direction,
                    getComputedStyle(p).direction, getComputedStyle(p, '::first-letter').float];
        }"""
        page.goto(f"{base}/memories/rtl/")
        assert page.evaluate(script) == ["rtl", "rtl", "none"]
        page.goto(f"{base}/memories/ltr/")
        assert page.evaluate(script) == ["ltr", "ltr", "left"]
        for path, title in (("/memories/", ".card__title"), ("/timeline/", ".tl-card__title"),
                            ("/", ".postcard__link, .card__title")):
            page.goto(f"{base}{path}")
            assert page.evaluate(f"getComputedStyle([...document.querySelectorAll('{title}')].find("
                                 "e => e.textContent.includes('ذكريات'))).direction") == "rtl", path
    finally:
        page.close()


ARABIC_TITLE = "ذكريات الطفولة!"
ARABIC_TEXT = "كنا نأكل الخبز مع المربى كل صباح."

# Each text node holding the memory's own words (not the fan's name or place, which are
# isolated inside the site's sentences): its direction and the language it is marked with.
ARABIC_WORDS = """(words) => {
    const found = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode;
        if (!words.some(w => node.data.includes(w))) continue;
        const element = node.parentElement, marked = element.closest('[lang]');
        found.push({text: node.data.trim().slice(0, 20), where: element.className || element.tagName,
                    direction: getComputedStyle(element).direction, lang: marked && marked.getAttribute('lang')});
    }
    return found;
}"""


def test_a_memory_in_another_language_is_marked_with_it_and_its_direction_wherever_it_is_shown(
        make_site, browser, static_server) -> None:
    # A memory written in Arabic (language: ar) had lang="ar" on its page and its cards, but
    # not on the home page's postcard, the timeline's cards, the neighbours' links of the next
    # memory or a ::: timeline block (a screen reader read it with the French voice), and the
    # block's link and the redirect page left at its old address read it left to right.
    site = make_site({
        "content/memories/rtl.md": memory(ARABIC_TITLE, body=ARABIC_TEXT, extra=(
            "language: ar\nfeatured: true\naliases: [/ancien/]\n")).replace(
            "display: Romain L., location: Lyon", "display: مريم ك., location: الرباط"),
        "content/memories/ltr.md": memory("Le goûter", body="Du pain et de la confiture."),
        "content/pages/frise.md": "---\ntitle: La frise\n---\n::: timeline\n:::\n",
    })
    result = site.build()
    assert result.exit_code == 0, result.output
    alias = site.read("ancien/index.html")
    assert f'lang="ar">\u2068{ARABIC_TITLE}\u2069</a>' in alias
    base = static_server(site.public)
    page = browser.new_page()
    wrong = []
    try:
        for path in ("/", "/memories/", "/memories/rtl/", "/memories/ltr/", "/timeline/", "/timeline/1980s/",
                     "/frise/"):
            page.goto(f"{base}{path}")
            found = page.evaluate(ARABIC_WORDS, [ARABIC_TITLE, ARABIC_TEXT[:20]])
            assert found, path
            wrong += [(path, node) for node in found if node["direction"] != "rtl" or node["lang"] != "ar"]
    finally:
        page.close()
    assert wrong == []


RICH_FAN_TEXT = (
    "| an | pot |\n|---|---|\n| 1986 | 2 |\n\n> Une citation\n> > imbriquée\n\n1. un\n2. deux\n\n- a\n  - b\n\n"
    "```\ncode <b>\n```\n\n#### Un titre trop bas\n\n# Un titre\n\n---\n\n`code`, *em*, **fort**, ~~barré~~, "
    "[lien](https://example.org), [refusé](javascript:alert(1)), <b>html</b>, <script>alert(1)</script>, "
    "![photo](x.jpg), note[^1].\n\n[^1]: Mamie\n\nمرحبا 1986 שלום 👨‍👩‍👧‍👦 " + "e\u0301" * 3 + "\\\nsaut.\n"
)
RICH_PAGE = (
    "---\ntitle: Notes\n---\n### Un texte[^1]\n\n##### Plus bas\n\nTerme\n: Définition\n\n| Col | Col2 |\n|:---|---:|\n"
    "| x | y |\n\n::: memory riche\n:::\n\n::: timeline\n:::\n\n[^1]: Une note avec [un lien](https://example.org).\n"
)


def test_rich_and_hostile_markdown_makes_valid_accessible_pages(make_site, vnu: Callable[..., list], browser, axe
                                                                ) -> None:
    # Everything Markdown lets fans and editors write (tables, quotes, code, headings at any
    # level, notes, refused links and images, right-to-left text), as the checker reads it.
    video = ("media:\n  - video: https://www.youtube.com/watch?v=dQw4w9WgXcQ\n    title: Notre pot\n"
             "  - video: https://vimeo.com/76979871\n    caption: Une légende\n")
    site = make_site({
        "content/memories/riche.md": memory("Un souvenir riche", body=RICH_FAN_TEXT),
        "content/memories/video.md": memory("Une vidéo", extra=video),
        "content/memories/decennie.md": memory("Une décennie").replace("date: 1986-07\n", "date: 1980s\n"),
        "content/pages/notes.md": RICH_PAGE,
        "content/timeline/1976.yaml": "date: 1976\ntitle: Le premier pot\ntext: \"### Début[^1]\\n\\n[^1]: Note.\"\n",
    })
    result = site.build()
    assert result.exit_code == 0, result.output
    pages = sorted(site.public.rglob("*.html"))
    assert {"memories/riche/index.html", "notes/index.html", "timeline/1970s/index.html", "timeline/1980s/index.html"} <= {
        page.relative_to(site.public).as_posix() for page in pages}
    messages = vnu(pages)
    assert messages == [], format_vnu_messages(messages)
    failures = []
    context = browser.new_context(viewport={"width": 390, "height": 900})
    page = context.new_page()
    with serve_directory(site.public) as base:
        for path in ("/memories/riche/", "/memories/video/", "/notes/", "/timeline/1970s/", "/memories/"):
            page.goto(base + path)
            violations = axe(page)
            if violations:
                failures.append(f"{path}:\n{format_axe_violations(violations)}")
            if page.evaluate("document.documentElement.scrollWidth - window.innerWidth") > 1:
                failures.append(f"{path}: wider than a phone's screen")
    context.close()
    assert not failures, "\n".join(failures)


# The header as a visitor sees it: the "Menu" button or the links (one of the two), the links on one
# line, none of them under the brand or the search button, nothing wider than the window.
HEADER = """() => {
    const shown = el => el !== null && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    const box = el => { const r = el.getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
    const links = [...document.querySelectorAll('.site-nav__list a')].filter(shown).map(box);
    const search = document.querySelector('.site-search-link');
    const toggle = document.querySelector('.site-nav__toggle');
    return {menu: shown(toggle) ? box(toggle) : null, links: links,
            brand: box(document.querySelector('.brand')), search: search ? box(search) : null,
            height: document.querySelector('.site-header').getBoundingClientRect().height,
            overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth};
}"""


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def _pages(count: int, title: str) -> dict[str, str]:
    return {f"content/pages/p{n}.md": f"---\ntitle: {title} {n}\nmenu: {n}\n---\nTexte.\n" for n in range(count)}


@pytest.mark.parametrize(("name", "files", "config", "wide"), [
    # The demo's eight links (two of them long) took two lines beside the brand from 960 to 1279px.
    ("demo", None, None, "stacked"),
    ("short", {"content/memories/a.md": memory("A")}, "title: T\nbase_url: https://example.org/\n", "row"),
    ("long, no logo", _pages(4, "Une page plus longue"), "title: T\nbrand: {name: Une marque au nom long}\n"
                                                          "search: {enabled: false}\n", "stacked"),
    ("too long", _pages(14, "Une page au titre vraiment très long"), "title: T\n", "menu"),
])
def test_the_header_keeps_its_links_on_one_line_or_behind_the_menu_button(
        make_site, browser, static_server, axe, name: str, files: dict[str, str] | None, config: str | None,
        wide: str) -> None:
    if files is None:
        site = make_site(config=(REPO / "storysite.yaml").read_text(encoding="utf-8"))
        for folder in ("content", "static"):
            shutil.copytree(REPO / folder, site.root / folder)
    else:
        site = make_site(files, config=config)
    result = site.build()
    assert result.exit_code == 0, result.output
    base = static_server(site.public)
    layouts = set()
    for width in (320, 768, 960, 1024, 1280, 1440):
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        try:
            page.goto(f"{base}/")
            page.evaluate("document.fonts.ready.then(() => true)")
            header = page.evaluate(HEADER)
            where = (name, width)
            assert header["overflow"] <= 0, where
            assert (header["menu"] is None) == bool(header["links"]), (where, header)
            assert header["height"] < 140, (where, header)
            if header["links"]:
                assert len({round(link["top"]) for link in header["links"]}) == 1, (where, header)
                for link in header["links"]:
                    assert not _overlap(link, header["brand"]), (where, link)
                    assert header["search"] is None or not _overlap(link, header["search"]), (where, link)
                beside = header["links"][0]["top"] < header["brand"]["bottom"]
                layouts.add("row" if beside else "stacked")
            else:
                for button in (header["menu"], header["search"]):
                    assert button is None or not _overlap(button, header["brand"]), (where, header)
                layouts.add("menu")
            if width in (320, 1024):
                violations = axe(page)
                assert not violations, format_axe_violations(violations)
        finally:
            context.close()
    # Phones and tablets have the button; wide windows the links (beside the brand when they fit there).
    assert layouts == ({"menu"} if wide == "menu" else {"menu", wide}), layouts
