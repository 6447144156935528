"""The head of built pages as search engines and social networks read it (found by an SEO review)."""

from __future__ import annotations

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
