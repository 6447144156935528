"""The head of built pages as search engines and social networks read it (found by an SEO review)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.conftest import memory

SUB_CONFIG = "title: Marque\nbase_url: https://example.org/sub/\nlanguage: fr\n"


def test_the_404_page_names_no_canonical_url(make_site) -> None:
    # Served for every missing address, it must not tell search engines that each of them
    # is /404.html; it is noindex, and Google reads noindex with a canonical as conflicting.
    site = make_site({"content/memories/a.md": memory("Un")}, config=SUB_CONFIG)
    assert site.build().exit_code == 0
    page = site.read("404.html")
    assert '<meta name="robots" content="noindex">' in page
    assert 'rel="canonical"' not in page
    assert 'property="og:url"' not in page
    assert "404.html" not in page
    home = site.read("index.html")
    assert '<link rel="canonical" href="https://example.org/sub/">' in home
    assert '<meta property="og:url" content="https://example.org/sub/">' in home
    assert "noindex" not in home


def _json_ld(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found, "no JSON-LD"
    data = json.loads(found[1])
    assert isinstance(data, dict)
    return data


def test_a_title_written_on_two_lines_is_one_line_in_the_head_and_the_feed(make_site) -> None:
    # YAML's `title: |` (or a form's cell where a fan pressed Enter) kept its line break in
    # <title>, og:title, twitter:title, the JSON-LD name and the feed's entry title.
    site = make_site({
        "content/memories/a.md": memory("|\n  Goûters\n  chez\u00a0Mamie"),  # a no-break space is kept
        "content/pages/p.md": '---\ntitle: "À\\npropos"\n---\nTexte.\n',
    })
    assert site.build().exit_code == 0
    page = site.read("memories/a/index.html")
    assert "<title>Goûters chez\u00a0Mamie · Test Site</title>" in page
    assert '<meta property="og:title" content="Goûters chez\u00a0Mamie">' in page
    assert '<meta name="twitter:title" content="Goûters chez\u00a0Mamie">' in page
    assert _json_ld(page)["name"] == "Goûters chez\u00a0Mamie"
    assert "<title>Goûters chez\u00a0Mamie</title>" in site.read("feed.xml")
    assert "<title>À propos · Test Site</title>" in site.read("p/index.html")


@pytest.mark.parametrize(("language", "locale"), [
    ("fr", "fr_FR"), ("en", "en_GB"), ("fr-CA", "fr_CA"), ("en-us", "en_US"), ("zh-Hant-TW", "zh_TW"), ("de", "de"),
])
def test_og_locale_is_language_underscore_territory(make_site, language: str, locale: str) -> None:
    # A region written in lower case (BCP 47 reads any case) gave og:locale en_us, and a script
    # subtag zh_Hant_TW: neither is Open Graph's language_TERRITORY.
    site = make_site({"content/memories/a.md": memory("Un")},
                     config=f"title: T\nbase_url: https://example.org/\nlanguage: {language}\n")
    assert site.build().exit_code == 0
    assert f'<meta property="og:locale" content="{locale}">' in site.read("index.html")
    assert f'<html lang="{language}">' in site.read("index.html")


def test_every_page_of_a_paginated_list_has_its_own_description(make_site) -> None:
    # Search engines flag pages that share a meta description: the pages of the memory list,
    # of a tag and of a decade of the timeline say which page they are, as their titles do.
    site = make_site({f"content/memories/m{i}.md": memory(f"Souvenir {i}", extra="tags: [goûter]\n")
                      for i in range(21)},
                     config="title: Marque\nbase_url: https://example.org/\nlanguage: fr\n"
                            "memories: {per_page: 10}\ntimeline: {per_page: 10}\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    for first, second in (("memories/index.html", "memories/page/2/index.html"),
                          ("tags/gouter/index.html", "tags/gouter/page/2/index.html"),
                          ("timeline/1980s/index.html", "timeline/1980s/page/2/index.html")):
        descriptions = [re.search(r'<meta name="description" content="([^"]*)"', site.read(path)).group(1)
                        for path in (first, second)]
        assert descriptions[1] == f"{descriptions[0]} (page 2 sur 3)", (second, descriptions)


def _json_ld(page: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page)
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_a_memory_page_states_its_publication_date_and_tags_as_an_article(make_site) -> None:
    # og:type is "article": social networks and search engines read article:published_time and
    # article:tag. The date is the editors' `published:` alone: a memory without one states
    # none, as the day its consent was granted is private (nor is the story's own date, 1986,
    # the day its page went up).
    site = make_site({
        "content/memories/dated.md": memory("Daté", granted="2019-03-14",
                                            extra="published: 2024-05-02\ntags: [famille, goûter]\n"),
        "content/memories/undated.md": memory("Sans date", granted="2019-03-15"),
    })
    assert site.build().exit_code == 0
    dated = site.read("memories/dated/index.html")
    assert '<meta property="article:published_time" content="2024-05-02">' in dated
    assert re.findall(r'<meta property="article:tag" content="([^"]*)">', dated) == ["famille", "goûter"]
    assert _json_ld(dated)["datePublished"] == "2024-05-02"
    undated = site.read("memories/undated/index.html")
    assert "article:published_time" not in undated and "article:tag" not in undated
    assert "datePublished" not in _json_ld(undated)
    for page in (dated, undated):
        assert "2019-03-1" not in page and "2019" not in page.split("</head>")[0]
    # Pages that are not articles carry no article:* tags.
    assert "article:" not in site.read("memories/index.html") + site.read("index.html")
    # A new `published:` date, text and lines alike, renders the page again (it is part of what
    # the page is made of, not of its text's key).
    site.write("content/memories/dated.md", memory("Daté", granted="2019-03-14",
                                                   extra="published: 2024-05-03\ntags: [famille, goûter]\n"))
    assert site.build().exit_code == 0
    assert '<meta property="article:published_time" content="2024-05-03">' in site.read("memories/dated/index.html")
