"""The search page as visitors meet it in Chromium: typing, results, keyboard, without JavaScript,
under a strict Content-Security-Policy; and the W3C Nu checker and axe-core on it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from storysite.cli import main
from tests.browser.harness import collect_page_errors, format_axe_violations, format_vnu_messages
from tests.conftest import BUILD_EPOCH, memory

pytestmark = pytest.mark.browser


def fan_memory(title: str, date: str, place: str, *, tags: str = "[]", text: str = "Un souvenir.",
               extra: str = "") -> str:
    return (f"---\ntitle: {title}\ndate: {date}\nstatus: approved\n"
            f"author: {{id: fan-1, display: Camille A., location: {place}}}\nconsent: {{granted: 2020-01-01}}\n"
            f"tags: {tags}\n{extra}---\n{text}\n")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small site: memories that the search must tell apart, and 60 from one beach."""
    root = tmp_path_factory.mktemp("search-site")
    files = {
        "storysite.yaml": "title: Souvenirs\nbase_url: https://example.org/\nlanguage: fr\n",
        # Newer, so listed before the next one: only its tag says goûter.
        "content/memories/tartines.md": fan_memory("Les tartines du mercredi", "2001", "Paris", tags="[Goûter]"),
        "content/memories/gouter.md": fan_memory("Le goûter chez mamie", "1986-07", "Lyon",
                                                 text="Du pain et de la confiture."),
        "content/memories/lyon.md": fan_memory("La fête des lumières", "1999-12-08", "Lyon"),
        "content/memories/picnic.md": fan_memory("A picnic by the lake", "1995", "Annecy", extra="language: en\n"),
        "content/memories/gras.md": fan_memory("'Le <b>gras</b> & le maigre'", "1980", "Dijon"),
        "content/pages/a-propos.md": "---\ntitle: À propos\n---\nLa marque.\n",
        "content/timeline/1976.yaml": "date: 1976-04\ntitle: Le premier pot\ntext: Début.\n",
    }
    for n in range(60):
        files[f"content/memories/plage-{n:02d}.md"] = fan_memory(f"Un été à la plage n° {n}", "1990", "Nice",
                                                                  tags="[vacances]")
    for relpath, text in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(root)], env={"SOURCE_DATE_EPOCH": BUILD_EPOCH})
    assert result.exit_code == 0, result.output
    return root / "public"


@pytest.fixture
def open_search(browser: Any, site: Path, static_server: Callable[[Path | str], str]) -> Iterator[Callable[..., Any]]:
    """``open_search(query="", width=1280, path="/search/", **context_options)``: the search page (or
    another), ready to type in; ``page.requests`` lists what it asked for."""
    base = static_server(site)
    contexts: list[Any] = []

    def opener(query: str = "", width: int = 1280, path: str = "/search/", **options: Any) -> Any:
        context = browser.new_context(viewport={"width": width, "height": 900}, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.base = base  # type: ignore[attr-defined]
        page.errors = collect_page_errors(page)  # type: ignore[attr-defined]
        page.requests = []  # type: ignore[attr-defined]
        page.on("request", lambda request: page.requests.append(request.url))  # type: ignore[attr-defined]
        page.goto(base + path + (f"?q={query}" if query else ""))
        return page

    yield opener
    for context in contexts:
        context.close()


RESULTS = "() => [...document.querySelectorAll('.search-results > li > a')].map(a => a.textContent)"


def search_for(page: Any, words: str) -> list[str]:
    """Type ``words`` as a visitor does (into an empty field); the titles listed once the status says so."""
    field = page.get_by_label("Mots à rechercher")
    field.fill("")
    # (Emptied, the status is too, once the visitor pauses: then it can only say the new search.)
    page.wait_for_function("() => document.querySelector('[data-search-status]').textContent === ''")
    field.press_sequentially(words, delay=20)
    page.wait_for_function("() => document.querySelector('[data-search-status]').textContent !== ''")
    return list(page.evaluate(RESULTS))


def status(page: Any) -> str:
    return str(page.locator("[data-search-status]").text_content())


def test_every_word_typed_finds_whatever_its_case_and_accents_title_matches_first(open_search) -> None:
    page = open_search()
    # The field has the focus when the page opens: a visitor types at once.
    assert page.evaluate("document.activeElement.id") == "search-query"
    # "GOUTER" finds "goûter"; the memory titled so comes first, the one tagged so next.
    assert search_for(page, "GOUTER") == ["Le goûter chez mamie", "Les tartines du mercredi"]
    assert status(page) == "2 résultats trouvés"
    # Every word must match, each as the start of a word: the place, the year, the text.
    assert search_for(page, "lyon 1986") == ["Le goûter chez mamie"]
    assert search_for(page, "confit lyo") == ["Le goûter chez mamie"]
    # Neither title says it: in the site's order, the newest first.
    assert search_for(page, "Lyon") == ["La fête des lumières", "Le goûter chez mamie"]
    assert search_for(page, "fete") == ["La fête des lumières"]
    assert search_for(page, "uter") == []  # inside a word is not the start of one
    assert status(page) == "Aucun résultat pour «\u202futer\u202f». Essayez un autre mot, ou moins de mots."
    # Pages and milestones are found by their title, and say what they are.
    assert search_for(page, "premier pot") == ["Le premier pot"]
    assert page.locator(".search-result__meta").first.text_content() == "Grande date · avril 1976"
    # A fan's markup is shown as they typed it, never made into elements.
    assert search_for(page, "gras") == ["Le <b>gras</b> & le maigre"]
    assert page.locator(".search-results b").count() == 0
    # A memory in another language is marked so, for screen readers.
    assert search_for(page, "picnic") == ["A picnic by the lake"]
    assert page.locator(".search-results a").first.get_attribute("lang") == "en"
    assert page.errors == []


def test_results_are_links_shown_fifty_at_a_time_and_reached_by_keyboard(open_search) -> None:
    page = open_search()
    titles = search_for(page, "plage")
    assert len(titles) == 50
    assert status(page) == "60 résultats trouvés (50 affichés)"
    more = page.get_by_role("button", name="Afficher plus de résultats")
    more.focus()
    page.keyboard.press("Enter")
    assert len(page.evaluate(RESULTS)) == 60
    # The focus goes to the first of the results just shown, and the button away.
    assert page.evaluate("[...document.querySelectorAll('.search-results a')].indexOf(document.activeElement)") == 50
    assert not more.is_visible()
    assert status(page) == "60 résultats trouvés"
    # The focused link shows it.
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", ""), outline
    # A result leads to its page.
    page.keyboard.press("Enter")
    page.wait_for_url("**/memories/plage-*/")
    assert page.errors == []


def test_enter_searches_at_once_and_the_address_keeps_the_search(open_search) -> None:
    page = open_search()
    page.keyboard.type("goûter")
    page.keyboard.press("Enter")
    assert status(page) == "2 résultats trouvés"  # said at once, with no pause to wait for
    assert page.evaluate("location.search") == "?q=go%C3%BBter"
    # The page opened at that address shows the same results: a search can be shared.
    again = open_search("go%C3%BBter")
    again.wait_for_function("() => document.querySelector('[data-search-status]').textContent !== ''")
    assert again.get_by_label("Mots à rechercher").input_value() == "goûter"
    assert again.evaluate(RESULTS) == ["Le goûter chez mamie", "Les tartines du mercredi"]


def test_the_search_asks_for_nothing_but_its_index_and_sends_nothing_typed(open_search) -> None:
    page = open_search()
    search_for(page, "plage vacances")
    base = page.base
    assert all(url.startswith(base) for url in page.requests), page.requests
    data = [url for url in page.requests if url.endswith(".json")]
    assert len(data) == 1 and "/search/index." in data[0]
    assert not [url for url in page.requests if "plage" in url or "vacances" in url]
    # No other page loads the index or the search script.
    other = open_search(path="/memories/gouter/")
    assert other.requests and not [url for url in other.requests if "/search/index." in url or "/search." in url]


def test_the_search_works_under_a_strict_content_security_policy(open_search, browser, site, static_server) -> None:
    base = static_server(site)
    context = browser.new_context()
    policy = ("default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self'; font-src 'self'; "
              "style-src 'self' 'unsafe-inline'; form-action 'self'; base-uri 'none'")

    def with_policy(route: Any) -> None:
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": policy})

    context.route("**/*", with_policy)
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security" in message.text else None)
    errors = collect_page_errors(page)
    try:
        page.goto(base + "/search/")
        assert search_for(page, "lumieres") == ["La fête des lumières"]
        assert violations == [] and errors == [], (violations, errors)
    finally:
        context.close()


def test_without_javascript_the_page_says_so_and_links_to_the_other_ways_to_browse(open_search) -> None:
    page = open_search(java_script_enabled=False)
    assert not page.locator("form[role=search]").is_visible()
    assert "avec JavaScript, qui n’est pas activé" in page.locator(".search__nojs").inner_text()
    links = page.locator(".search__browse a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == ["/memories/", "/tags/", "/timeline/"]
    # With JavaScript the message is gone and the form is there.
    page = open_search()
    assert page.locator("form[role=search]").is_visible() and not page.locator(".search__nojs").is_visible()


def test_the_search_page_passes_the_nu_html_checker(site: Path, vnu: Callable[..., list]) -> None:
    messages = vnu([site / "search/index.html", site / "index.html"])
    assert messages == [], format_vnu_messages(messages)


@pytest.mark.parametrize("width", [320, 1280])
def test_the_search_page_has_no_serious_accessibility_violations(open_search, axe, width: int) -> None:
    page = open_search(width=width)
    failures = [f"empty: {format_axe_violations(found)}" for found in [axe(page)] if found]
    search_for(page, "plage")
    found = axe(page)
    if found:
        failures.append(f"with results: {format_axe_violations(found)}")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{overflow}px wider than the viewport"
    assert not failures, "\n".join(failures)


def test_a_result_in_a_right_to_left_script_reads_in_its_own_direction(make_site, browser, static_server) -> None:
    # The results' title and excerpt took the page's direction: an Arabic title's "!" was
    # drawn after its first word, and in the meta line the place came before the fan's name.
    # The field, too, reads what is typed in it in its own direction.
    site = make_site({
        "content/memories/rtl.md": memory("خبز الصباح مع ماما!", body="كنا نأكل الخبز مع المربى كل صباح.",
                                          extra="language: ar\n").replace(
            "display: Romain L., location: Lyon", "display: مريم ك., location: الرباط"),
        "content/memories/ltr.md": memory("Le pain du matin", body="Du pain et de la confiture."),
    })
    result = site.build()
    assert result.exit_code == 0, result.output
    base = static_server(site.public)
    page = browser.new_page()
    try:
        page.goto(base + "/search/?q=%D9%85%D8%A7%D9%85%D8%A7")  # ماما
        page.wait_for_function("() => document.querySelectorAll('.search-results > li').length === 1")
        seen = page.evaluate("""() => {
            const item = document.querySelector('.search-results > li'), meta = item.querySelector('.search-result__meta');
            const at = (word) => {
                const node = meta.firstChild, range = document.createRange(), start = node.data.indexOf(word);
                range.setStart(node, start);
                range.setEnd(node, start + word.length);
                return range.getBoundingClientRect().left;
            };
            return {title: getComputedStyle(item.querySelector('a')).direction,
                    excerpt: getComputedStyle(item.querySelector('.search-result__excerpt')).direction,
                    nameBeforePlace: at('مريم') < at('الرباط')};
        }""")
        assert seen == {"title": "rtl", "excerpt": "rtl", "nameBeforePlace": True}
        assert page.evaluate("getComputedStyle(document.querySelector('#search-query')).direction") == "rtl"
        # A French result keeps the page's direction.
        page.goto(base + "/search/?q=pain")
        page.wait_for_function("() => document.querySelectorAll('.search-results > li').length === 1")
        assert page.evaluate("getComputedStyle(document.querySelector('.search-results a')).direction") == "ltr"
    finally:
        page.close()
