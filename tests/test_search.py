"""The site search: its index (what is in it, and what never is), its page, its configuration."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from tests.conftest import REPO, Site, memory
from tests.test_images import photo

PRIVATE_FIELDS = """\
author:
  id: fan-SECRET-ID
  name: Romain Lefèvre
  email: romain.secret@example.net
  phone: "06 12 34 56 78"
  location: Lyon
consent:
  granted: 2014-04-02
  scope: [site]
  ref: c-SECRET-REF
original: |
  les mots ORIGINAUX du fan
notes: "note EDITORIALE confidentielle"
"""

SECRETS = ("Lefèvre", "romain.secret", "06 12 34 56 78", "c-SECRET-REF", "ORIGINAUX", "EDITORIALE",
           "fan-SECRET-ID", "Zanzibar", "zanzibar", "1955", "BROUILLON")


def search_site(make_site, config: str | None = None, name: str = "site", **more: str | bytes) -> Site:
    """A site with something of every kind the search finds, and things it must never find."""
    files: dict[str, str | bytes] = {
        "content/memories/gouter.md": memory("Le goûter chez mamie", body="Des tartines de confiture au goûter.",
                                             extra="tags: [famille, Goûter]\n"),
        "content/memories/plage.md": memory("Vacances à la plage", body="Le pot dans le sac de plage.",
                                            extra="tags: [vacances]\nlanguage: en\n"),
        "content/memories/anniversaire.md": memory("Mon anniversaire", extra="date_display: le jour de mes dix ans\n"),
        "content/memories/prive.md": (f"---\ntitle: Souvenir avec des champs privés\ndate: 1986\nstatus: approved\n"
                                      f"{PRIVATE_FIELDS}---\nTexte publié.\n"),
        # Never published: nothing of them may be in the index.
        "content/memories/soumis.md": memory("Zanzibar soumis", status="submitted",
                                             extra="tags: [zanzibartag]\n").replace("1986-07", "1955"),
        "content/memories/retire.md": memory("Zanzibar retiré", status="withdrawn", body="Zanzibar texte."),
        "content/memories/expire.md": memory("Zanzibar expiré", granted=None,
                                             extra="consent: {granted: 2010-01-01, expires: 2020-01-01}\n"),
        "content/pages/a-propos.md": "---\ntitle: À propos de la marque\n---\nLe texte.\n",
        "content/pages/brouillon.md": "---\ntitle: BROUILLON de page\ndraft: true\n---\nPas encore.\n",
        "content/campaigns/cinquante.md": "---\ntitle: Racontez vos 50 ans\ndate: 2026-01-15\n---\nLe texte.\n",
        "content/timeline/1976.yaml": "date: 1976-04\ntitle: Le premier pot\ntext: Début.\n",
        "content/galleries/fan-days/index.yaml": ("title: Fan Days\ndate: 2026-05-16\n"
                                                  "images:\n  - {src: 1.jpg, alt: Le stand}\n"),
        "content/galleries/fan-days/1.jpg": photo((800, 600)),
        **more,
    }
    site = make_site(files, name=name) if config is None else make_site(files, config=config, name=name)
    result = site.build()
    assert result.exit_code == 0, result.output
    return site


def index_of(site: Site) -> tuple[str, bytes, dict[str, Any]]:
    """The index file's path (below the output), bytes and value."""
    [path] = [p for p in site.output_files() if p.startswith("search/") and p.endswith(".json")]
    data = (site.public / path).read_bytes()
    return path, data, json.loads(data)


def memory_entries(index: dict[str, Any]) -> dict[str, list[Any]]:
    return {entry[0]: entry for entry in index["memories"]}


def test_the_index_holds_each_published_memory_as_its_card_shows_it(make_site) -> None:
    site = search_site(make_site)
    _, _, index = index_of(site)
    assert index["v"] == 1
    memories = memory_entries(index)
    assert sorted(memories) == ["/memories/anniversaire/", "/memories/gouter/", "/memories/plage/",
                                "/memories/prive/"]
    url, title, date, author, place, tags, excerpt = memories["/memories/gouter/"]
    assert (url, title, date, author, place) == ("/memories/gouter/", "Le goûter chez mamie", "juillet 1986",
                                                 "Romain L.", "Lyon")
    # Each tag once, by the name its page shows, pointed at by number.
    assert index["tags"] == ["famille", "Goûter", "vacances"]
    assert [index["tags"][n] for n in tags] == ["famille", "Goûter"]
    assert excerpt == "Des tartines de confiture au goûter."
    assert memories["/memories/plage/"][7:] == ["en"]  # its language, for lang="en" on the result
    # A date worded without its year still finds the memory by the year.
    assert memories["/memories/anniversaire/"][2] == "le jour de mes dix ans"
    assert memories["/memories/anniversaire/"][7:] == ["", "1986"]
    assert memories["/memories/prive/"][3:5] == ["Romain L.", "Lyon"]


def test_the_index_lists_the_titles_of_published_pages_campaigns_galleries_and_milestones(make_site) -> None:
    site = search_site(make_site)
    _, _, index = index_of(site)
    assert index["items"] == [
        ["campaign", "/campaigns/cinquante/", "Racontez vos 50 ans", "15 janvier 2026"],
        ["page", "/a-propos/", "À propos de la marque", ""],
        ["gallery", "/galleries/fan-days/", "Fan Days", "16 mai 2026"],
        ["milestone", "/timeline/#milestone-1976", "Le premier pot", "avril 1976"],
    ]


def test_nothing_unpublished_or_private_is_in_the_index_or_the_search_page(make_site) -> None:
    site = search_site(make_site)
    _, data, _ = index_of(site)
    text = data.decode("utf-8")
    page = site.read("search/index.html")
    for secret in SECRETS:
        assert secret not in text, secret
        assert secret not in page, secret
    # The whole text of a memory is not in it either: only the start of it, as its card shows.
    long_text = " ".join(f"mot{n}" for n in range(200))
    site.write("content/memories/long.md", memory("Un long souvenir", body=long_text))
    assert site.build().exit_code == 0
    entry = memory_entries(index_of(site)[2])["/memories/long/"]
    assert entry[6].endswith("…") and len(entry[6]) <= 64 and "mot199" not in index_of(site)[1].decode()


def test_fans_markup_is_inert_data_in_the_index(make_site) -> None:
    evil = "<script>alert(1)</script> & <img src=x onerror=alert(2)>"
    site = search_site(make_site, **{"content/memories/evil.md": memory(f"'{evil}'", body=evil)})
    _, data, index = index_of(site)
    assert b"<" not in data and b">" not in data and b"&" not in data
    assert memory_entries(index)["/memories/evil/"][1] == evil


def test_the_index_is_named_by_its_hash_and_loaded_by_the_search_page_alone(make_site) -> None:
    site = search_site(make_site)
    path, data, _ = index_of(site)
    assert path == f"search/index.{hashlib.sha256(data).hexdigest()[:10]}.json"
    name = path.rsplit("/", 1)[1]
    naming = sorted(p for p, content in site.output_files().items() if name.encode() in content)
    assert naming == ["search/index.html"]
    page = site.read("search/index.html")
    assert f'data-index="/{path}"' in page
    script = re.search(r'<script src="(/assets/js/search\.[0-9a-f]+\.js)" defer>', page)
    assert script is not None
    using_script = sorted(p for p, content in site.output_files().items()
                          if script.group(1).encode() in content)
    assert using_script == ["search/index.html"]


def test_the_index_is_the_same_bytes_build_after_build(make_site, tmp_path) -> None:
    first = search_site(make_site)
    second = search_site(make_site, name="again")
    assert index_of(first)[:2] == index_of(second)[:2]


def test_every_page_links_to_the_search_page_which_search_engines_leave_out(make_site) -> None:
    site = search_site(make_site)
    for page in ("index.html", "memories/gouter/index.html", "a-propos/index.html", "404.html"):
        assert '<a class="site-search-link" href="/search/">' in site.read(page), page
    page = site.read("search/index.html")
    assert '<a class="site-search-link" href="/search/" aria-current="page">' in page
    assert '<form class="search-form" role="search" action="/search/" method="get"' in page
    assert '<label class="search-form__label" for="search-query">Mots à rechercher</label>' in page
    assert 'name="q" type="search"' in page and 'role="status"' in page
    assert '<meta name="robots" content="noindex">' in page
    assert "/search/" not in site.read("sitemap.xml")
    # Without JavaScript it says so, and links to the other ways to browse.
    assert "La recherche fonctionne dans votre navigateur, avec JavaScript" in page
    for link in ('href="/memories/"', 'href="/tags/"', 'href="/timeline/"'):
        assert link in page.split('class="search__browse"', 1)[1], link


def test_under_a_sub_path_the_index_and_its_urls_are_under_it(make_site) -> None:
    site = search_site(make_site, config="title: T\nbase_url: https://example.org/marque/\nlanguage: fr\n")
    path, _, index = index_of(site)
    assert "/marque/memories/gouter/" in memory_entries(index)
    assert ["page", "/marque/a-propos/", "À propos de la marque", ""] in index["items"]
    page = site.read("search/index.html")
    assert f'data-index="/marque/{path}"' in page and 'action="/marque/search/"' in page
    assert 'href="/marque/search/"' in site.read("index.html")


def test_a_site_in_english_gets_the_search_in_english(make_site) -> None:
    site = search_site(make_site, config="title: T\nbase_url: https://example.org/\nlanguage: en\n")
    page = site.read("search/index.html")
    assert '<label class="search-form__label" for="search-query">Words to search for</label>' in page
    assert 'data-found-other="{count} results found"' in page
    assert memory_entries(index_of(site)[2])["/memories/gouter/"][2] == "July 1986"


SEARCH_FILES = re.compile(r"search/|assets/(?:css|js)/search\.[0-9a-f]+\.(?:css|js)")
"""The search's own files in the output: its page and index, its stylesheet and script."""


def test_search_can_be_turned_off(make_site) -> None:
    on = search_site(make_site, name="on")
    assert len([p for p in on.output_files() if SEARCH_FILES.match(p)]) == 4
    site = search_site(make_site, config="title: T\nbase_url: https://example.org/\nsearch: {enabled: false}\n")
    files = site.output_files()
    # Nothing of the search is shipped, and no file names any of it (site.css keeps the rules of
    # the header's link to it, which no page has).
    assert not [p for p in files if SEARCH_FILES.match(p)]
    assert not [p for p, data in files.items() if re.search(rb"search\.[0-9a-f]+\.(?:css|js|json)", data)
                or (p.endswith((".html", ".xml", ".txt", ".js")) and re.search(rb"/search/|site-search-link", data))]
    # The same when a page of the site's own has the search page's URL.
    site.write("storysite.yaml", "title: T\nbase_url: https://example.org/\n")
    site.write("content/pages/search.md", "---\ntitle: Notre recherche\n---\nNotre page.\n")
    assert site.build().exit_code == 0
    assert [p for p in site.output_files() if SEARCH_FILES.match(p)] == ["search/index.html"]


def test_a_site_theme_that_loads_the_search_script_everywhere_keeps_it_without_search(make_site) -> None:
    # Its pages name the file whether the search is on or not: it stays, so that they still find it.
    site = make_site({
        "content/memories/a.md": memory("A"),
        "themes/default/templates/partials/site_head.html": (
            REPO / "themes/default/templates/partials/site_head.html").read_text(encoding="utf-8")
        + "<script src=\"{{ asset('js/search.js') }}\" defer></script>\n",
    }, config="title: T\nbase_url: https://example.org/\nsearch: {enabled: false}\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    [script] = [p for p in site.output_files() if p.startswith("assets/js/search.")]
    assert f'src="/{script}"' in site.read("index.html")
    assert not [p for p in site.output_files() if p.startswith("assets/css/search.")]


def test_a_wrong_search_setting_is_an_error_at_its_line(make_site) -> None:
    site = make_site(config="title: T\nsearch:\n  enabled: maybe\n")
    result = site.build()
    assert result.exit_code == 1
    assert "storysite.yaml:3: search.enabled: expected true or false, got 'maybe'" in result.stderr
    site.write("storysite.yaml", "title: T\nsearch: false\n")
    result = site.build()
    assert result.exit_code == 1
    assert "storysite.yaml:2: search: expected a mapping, got false" in result.stderr


def test_an_unknown_search_setting_is_a_warning_with_a_suggestion(make_site) -> None:
    site = make_site(config="title: T\nbase_url: https://example.org/\nsearch:\n  enable: false\n")
    result = site.build()
    assert result.exit_code == 0
    assert ("storysite.yaml:4: warning: unknown key 'search.enable'; did you mean 'search.enabled'?"
            in result.stderr)
    assert (site.public / "search/index.html").is_file()  # the default stands


def test_a_page_of_the_sites_own_at_search_is_kept_and_the_search_left_out(make_site) -> None:
    site = make_site({"content/pages/search.md": "---\ntitle: Notre recherche\n---\nNotre page.\n",
                      "content/memories/a.md": memory("A")})
    result = site.build("--strict")
    assert result.exit_code == 0, result.output
    assert ("content/pages/search.md:1: note: this page has the URL /search/: the site search, whose page is at "
            "/search/, is left out" in result.stderr)
    assert "Notre page." in site.read("search/index.html")
    assert not [p for p in site.output_files() if p.endswith(".json")]
    assert "site-search-link" not in site.read("index.html")
    # The same for a file of static/ served there; and no note once the search is turned off.
    site.remove("content/pages/search.md")
    site.write("static/search/index.html", "<!doctype html><title>x</title>")
    result = site.build("--strict")
    assert result.exit_code == 0, result.output
    assert "static/search/index.html:1: note: this file is served at /search/" in result.stderr
    site.write("storysite.yaml", "title: T\nbase_url: https://example.org/\nsearch: {enabled: false}\n")
    result = site.build("--strict")
    assert result.exit_code == 0 and "note" not in result.stderr, result.output


def test_a_withdrawn_memory_leaves_the_index_and_its_old_index_is_purged(make_site) -> None:
    site = search_site(make_site)
    old_path, _, _ = index_of(site)
    path = site.root / "content/memories/gouter.md"
    path.write_text(path.read_text(encoding="utf-8").replace("status: approved", "status: withdrawn"),
                    encoding="utf-8")
    result = site.build()
    assert result.exit_code == 0, result.output
    new_path, _, index = index_of(site)
    assert new_path != old_path and not (site.public / old_path).exists()
    assert "/memories/gouter/" not in memory_entries(index)
    for output, content in site.output_files().items():
        assert "goûter chez mamie" not in content.decode("utf-8", "replace"), output
    purge = (site.root / ".storysite/purge.txt").read_text(encoding="utf-8").split()
    assert f"https://example.org/{old_path}" in purge
