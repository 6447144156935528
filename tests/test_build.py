"""Building real sites: pages, routes, determinism, atomic output."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

from PIL import Image

from tests.conftest import Site, memory


def test_demo_site_builds_without_warnings(demo_site: Site) -> None:
    result = demo_site.build()
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert re.search(r"Built \d+ pages \(\d+ rendered, 0 unchanged; \d+ files\) into .* in [\d.]+ s\.", result.stdout)
    files = demo_site.output_files()
    for required in ("index.html", "404.html", "feed.xml", "sitemap.xml", "robots.txt",
                     "memories/index.html", "memories/page/2/index.html", "tags/index.html",
                     "campaigns/index.html", "a-propos/index.html", "confidentialite/index.html",
                     "memories/noel-a-la-montagne/index.html"):
        assert required in files, required
    memories = [p for p in files if re.fullmatch(r"memories/(?!page/)[^/]+/index.html", p)]
    assert len(memories) >= 40


def test_two_builds_are_byte_identical_even_from_another_folder(demo_site: Site, tmp_path: Path) -> None:
    assert demo_site.build().exit_code == 0
    first = demo_site.output_files()
    assert demo_site.build().exit_code == 0
    assert demo_site.output_files() == first
    moved = tmp_path / "elsewhere"
    shutil.copytree(demo_site.root, moved, ignore=shutil.ignore_patterns("public"))
    other = Site(moved, demo_site.runner)
    assert other.build().exit_code == 0
    assert other.output_files() == first


def test_stale_files_do_not_survive(make_site) -> None:
    site = make_site({
        "content/memories/a.md": memory("Premier"),
        "content/memories/b.md": memory("Second"),
    })
    assert site.build().exit_code == 0
    (site.public / "leftover.txt").write_text("old")
    assert (site.public / "memories/b/index.html").exists()
    site.remove("content/memories/b.md")
    assert site.build().exit_code == 0
    assert not (site.public / "memories/b/index.html").exists()
    assert not (site.public / "leftover.txt").exists()
    assert not list(site.root.glob(".public.*")), "staging folders must be cleaned up"


def test_crlf_and_bom_give_the_same_output_as_lf(make_site) -> None:
    text = memory("Été 1986", body="Ligne un.\n\nLigne deux.")
    lf = make_site({"content/memories/ete.md": text}, name="lf")
    crlf = make_site({"content/memories/ete.md": b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()}, name="crlf")
    assert lf.build().exit_code == 0
    assert crlf.build().exit_code == 0
    assert lf.output_files() == crlf.output_files()


def test_slugs_are_transliterated_and_may_be_given(make_site) -> None:
    site = make_site({
        "content/memories/Été 1986 à Sète.md": memory("Un été"),
        "content/memories/x.md": memory("Autre", extra="slug: Noël en famille\n"),
        "content/pages/À propos.md": "---\ntitle: À propos\n---\nTexte.\n",
    })
    assert site.build().exit_code == 0, site.build().output
    assert (site.public / "memories/ete-1986-a-sete/index.html").exists()
    assert (site.public / "memories/noel-en-famille/index.html").exists()
    assert (site.public / "a-propos/index.html").exists()


def test_a_long_slug_given_is_used_whole_and_a_derived_one_keeps_its_words_in_order(make_site) -> None:
    given = "our-family-holidays-at-the-seaside-in-the-nineteen-eighties-with-grandma-and-grandpa"
    file_name = "a very long title about our family holidays at the seaside in the nineteen eighties with grandma"
    site = make_site({
        "content/memories/a.md": memory("A", extra=f"slug: {given}-first\n"),
        "content/memories/b.md": memory("B", extra=f"slug: {given}-second\n"),
        f"content/memories/{file_name}.md": memory("C"),
        "content/memories/d.md": memory("D", extra=f"slug: {'x' * 201}\n"),
    })
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "content/memories/d.md:9: warning: slug: gives a slug of more than 200 characters" in result.output
    assert (site.public / f"memories/{'x' * 200}/index.html").exists()
    assert result.exit_code == 0, result.output
    assert (site.public / f"memories/{given}-first/index.html").exists()
    assert (site.public / f"memories/{given}-second/index.html").exists()
    # Cut at 80 characters, at the last whole word, none dropped from the middle.
    derived = "a-very-long-title-about-our-family-holidays-at-the-seaside-in-the-nineteen"
    assert (site.public / f"memories/{derived}/index.html").exists()


def test_a_page_named_index_is_not_the_home_page_and_says_so(make_site) -> None:
    site = make_site({"content/pages/index.md": "---\ntitle: Accueil\n---\nBienvenue.\n",
                      "content/memories/a.md": memory("A")})
    result = site.build()
    assert result.exit_code == 0, result.output
    assert ("content/pages/index.md:1: warning: this page is served at /index/, not as the home page"
            in result.stderr)
    assert "Bienvenue" in site.read("index/index.html") and "Bienvenue" not in site.read("index.html")


def test_yaml_memories_bundles_and_list_files(make_site) -> None:
    site = make_site({
        "content/memories/single.yaml": """\
            title: Un fichier YAML
            status: approved
            consent: {granted: 2020-01-01}
            text: |
              Le *texte* en Markdown.
            """,
        "content/memories/bundle/index.md": memory("Dans un dossier"),
        "content/memories/bundle/notes.md": "not an item",
        "content/memories/many.yaml": """\
            - slug: premier
              title: Le premier
              status: approved
              consent: {granted: 2020-01-01}
              text: Un.
            - title: Le Deuxième souvenir
              status: approved
              consent: {granted: 2020-01-01}
              text: Deux.
            """,
    })
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "<em>texte</em>" in site.read("memories/single/index.html")
    assert (site.public / "memories/bundle/index.html").exists()
    assert not (site.public / "memories/notes/index.html").exists()
    assert (site.public / "memories/premier/index.html").exists()
    assert (site.public / "memories/le-deuxieme-souvenir/index.html").exists()


def test_memory_index_is_paginated(make_site) -> None:
    files = {f"content/memories/m{i:02d}.md": memory(f"Souvenir {i}") for i in range(5)}
    site = make_site(files, config="title: T\nmemories: {per_page: 2}\n")
    assert site.build().exit_code == 0
    index = site.read("memories/index.html")
    assert len(set(re.findall(r'href="/memories/(m\d\d)/"', index))) == 2
    assert (site.public / "memories/page/3/index.html").exists()
    assert not (site.public / "memories/page/4/index.html").exists()
    assert 'rel="next"' in index


def test_memory_page_shows_display_name_place_date_tags_and_neighbours(make_site) -> None:
    site = make_site({
        "content/memories/a.md": memory("Le goûter", extra="tags: [famille, Goûter]\ndate_display: été 1986\n"),
        "content/memories/b.md": memory("Plus ancien", extra="date: 1979\n").replace("date: 1986-07\n", ""),
    })
    assert site.build().exit_code == 0
    page = site.read("memories/a/index.html")
    assert "Romain L." in page and "Lyon" in page and "été 1986" in page
    assert 'href="/tags/famille/"' in page and 'href="/tags/gouter/"' in page
    assert 'href="/memories/b/"' in page
    tag_page = site.read("tags/famille/index.html")
    assert "Le goûter" in tag_page and "Plus ancien" not in tag_page


def test_dates_are_written_in_the_site_language(make_site) -> None:
    fr = make_site({"content/memories/a.md": memory("A")}, config="title: T\nlanguage: fr\n", name="fr")
    en = make_site({"content/memories/a.md": memory("A")}, config="title: T\nlanguage: en\n", name="en")
    assert fr.build().exit_code == 0 and en.build().exit_code == 0
    assert "juillet 1986" in fr.read("memories/a/index.html")
    assert "July 1986" in en.read("memories/a/index.html")
    assert '<html lang="fr">' in fr.read("index.html")


def test_every_page_has_description_canonical_and_social_meta(demo_site: Site) -> None:
    assert demo_site.build().exit_code == 0
    for path, data in demo_site.output_files().items():
        if not path.endswith(".html"):
            continue
        html = data.decode()
        assert re.search(r'<meta name="description" content="[^"]{20,}">', html), path
        # The 404 page is served at any missing address, the search page at any ?q=: both are kept
        # out of search engines' indexes, without a canonical URL.
        if path in ("404.html", "search/index.html"):
            assert '<meta name="robots" content="noindex">' in html and "canonical" not in html
            continue
        assert '<link rel="canonical" href="https://example.org/' in html, path
        for prop in ("og:title", "og:description", "og:url", "og:type"):
            assert f'property="{prop}"' in html, (path, prop)
        assert 'name="twitter:card"' in html, path


def test_feed_sitemap_and_robots(demo_site: Site) -> None:
    assert demo_site.build().exit_code == 0
    import xml.etree.ElementTree as ET

    feed = ET.fromstring(demo_site.read("feed.xml"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", ns)
    assert entries and all(e.find("a:id", ns).text.startswith("https://example.org/memories/") for e in entries)
    sitemap = ET.fromstring(demo_site.read("sitemap.xml"))
    locs = [e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://example.org/" in locs
    assert "https://example.org/memories/gouters-chez-mamie-josette/" in locs
    assert not any("404" in loc for loc in locs)
    assert locs == sorted(locs)
    assert "Sitemap: https://example.org/sitemap.xml" in demo_site.read("robots.txt")


def _feed_entries(text: str) -> list[str]:
    import xml.etree.ElementTree as ET

    ns = {"a": "http://www.w3.org/2005/Atom"}
    return [e.find("a:id", ns).text for e in ET.fromstring(text).findall("a:entry", ns)]


def test_each_tag_has_an_atom_feed_of_its_memories_newest_first(make_site) -> None:
    site = make_site({
        "content/memories/a.md": memory("A", extra="tags: [Goûter, famille]\npublished: 2024-01-01\n"),
        "content/memories/b.md": memory("B", extra="tags: [goûter]\npublished: 2025-01-01\n"),
        "content/memories/c.md": memory("C", extra="tags: [famille]\npublished: 2023-01-01\n"),
        "content/memories/d.md": memory("D", status="submitted", extra="tags: [goûter, secret]\n"),
    }, config="title: Ma marque\nbase_url: https://example.org/marque/\nfeed: {limit: 1}\n"
              "memories: {per_page: 1}\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    base = "https://example.org/marque/memories/"
    gouter = site.read("tags/gouter/feed.xml")
    assert _feed_entries(gouter) == [f"{base}b/"]  # feed.limit holds for a tag's feed too
    assert '<link rel="self" type="application/atom+xml" href="https://example.org/marque/tags/gouter/feed.xml"/>' \
        in gouter
    assert '<link rel="alternate" type="text/html" href="https://example.org/marque/tags/gouter/"/>' in gouter
    assert "<id>https://example.org/marque/tags/gouter/</id>" in gouter
    assert "<title>Memories: Goûter · Ma marque</title>" in gouter
    assert _feed_entries(site.read("tags/famille/feed.xml")) == [f"{base}a/"]
    # Not published, so no tag and no feed of its own; its memory in no feed.
    assert not (site.root / "public/tags/secret").exists()
    assert "/d/" not in gouter
    # The tag's pages (all of them) link to it, in <head> and where visitors see it.
    for page in ("tags/gouter/index.html", "tags/gouter/page/2/index.html"):
        html = site.read(page)
        assert '<link rel="alternate" type="application/atom+xml" title="Atom feed of the memories about “Goûter”" ' \
               'href="/marque/tags/gouter/feed.xml">' in html, page
        assert '<a href="/marque/tags/gouter/feed.xml">' in html, page
    assert "tags/gouter/feed.xml" not in site.read("sitemap.xml")


def test_a_tag_feed_goes_with_its_last_memory_and_feed_tags_false_makes_none(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A", extra="tags: [famille]\n"),
                      "content/memories/b.md": memory("B", extra="tags: [famille, voyage]\n")})
    assert site.build().exit_code == 0
    assert _feed_entries(site.read("tags/voyage/feed.xml")) == ["https://example.org/memories/b/"]
    site.write("content/memories/b.md", memory("B", status="withdrawn", extra="tags: [famille, voyage]\n"))
    assert site.build().exit_code == 0
    assert not (site.root / "public/tags/voyage").exists()
    assert _feed_entries(site.read("tags/famille/feed.xml")) == ["https://example.org/memories/a/"]
    assert "tags/voyage/feed.xml" in (site.root / ".storysite/purge.txt").read_text("utf-8")
    site.write("storysite.yaml", "title: T\nfeed: {tags: false}\n")
    assert site.build().exit_code == 0
    assert not (site.root / "public/tags/famille/feed.xml").exists()
    assert "feed.xml" not in site.read("tags/famille/index.html").replace('href="/feed.xml"', "")


def test_a_feed_entry_shows_the_memorys_photos_above_its_text(make_site) -> None:
    import html
    import xml.etree.ElementTree as ET

    from tests.test_images import photo

    site = make_site({"content/memories/a/index.md": memory("A", extra="tags: [famille]\nmedia:\n  - src: p.jpg\n"
                                                                     "    alt: Un pot & une \"tartine\"\n"),
                      "content/memories/a/p.jpg": photo((1200, 800)),
                      "content/memories/b.md": memory("B", extra="tags: [famille]\n")},
                     config="title: T\nbase_url: https://example.org/\nimages: {widths: [300, 600], formats: [webp, jpeg]}\n")
    assert site.build().exit_code == 0
    for feed in ("feed.xml", "tags/famille/feed.xml"):
        ns = {"a": "http://www.w3.org/2005/Atom"}
        entries = {e.find("a:id", ns).text: e.find("a:content", ns).text
                   for e in ET.fromstring(site.read(feed)).findall("a:entry", ns)}
        content = entries["https://example.org/memories/a/"]
        found = re.match(r'<p><img src="(https://example\.org/media/[0-9a-f]+-(\d+)\.jpg)" alt="([^"]*)" '
                         r'width="(\d+)" height="(\d+)"></p>\n<p>Le texte du souvenir\.</p>', content)
        assert found, content
        src, width, alt, shown_width, shown_height = found.groups()
        assert html.unescape(alt) == 'Un pot & une "tartine"'
        assert width == shown_width and int(shown_height) == int(width) * 2 // 3
        assert (site.root / "public" / src.removeprefix("https://example.org/")).is_file()
        assert "<img" not in entries["https://example.org/memories/b/"]


def test_memory_block_embeds_a_card(make_site) -> None:
    site = make_site({
        "content/memories/goûter.md": memory("Le goûter"),
        "content/campaigns/c.md": "---\ntitle: Campagne\n---\nIntro.\n\n::: memory gouter\n:::\n\nFin.\n",
    })
    result = site.build()
    assert result.exit_code == 0, result.output
    page = site.read("campaigns/c/index.html")
    page = page[page.index("<main"):]
    assert 'href="/memories/gouter/"' in page and "Le goûter" in page
    assert page.index("Intro.") < page.index("Le goûter") < page.index("Fin.")


def test_static_files_are_copied_and_theme_assets_hashed(make_site) -> None:
    site = make_site({"static/docs/guide.txt": "hello", "content/pages/a.md": "---\ntitle: A\n---\n"})
    assert site.build().exit_code == 0
    assert site.read("docs/guide.txt") == "hello"
    css = [p for p in site.output_files() if p.startswith("assets/css/site.")]
    assert len(css) == 1 and re.fullmatch(r"assets/css/site\.[0-9a-f]{10}\.css", css[0])
    assert f'href="/{css[0]}"' in site.read("index.html")


def test_base_url_with_a_path_prefixes_links(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A")},
                     config="title: T\nbase_url: https://example.org/souvenirs/\n")
    assert site.build().exit_code == 0
    home = site.read("index.html")
    assert 'href="/souvenirs/memories/a/"' in home
    assert '<link rel="canonical" href="https://example.org/souvenirs/">' in home


def test_new_creates_a_site_that_builds(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from storysite.cli import main

    runner = CliRunner()
    target = tmp_path / "mysite"
    result = runner.invoke(main, ["new", str(target)])
    assert result.exit_code == 0, result.output
    assert (target / "storysite.yaml").exists()
    result = runner.invoke(main, ["build", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert (target / "public/index.html").exists()
    again = runner.invoke(main, ["new", str(target)])
    assert again.exit_code != 0 and "not empty" in again.output


def test_a_sites_own_robots_txt_replaces_the_generated_one(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("Un"), "static/robots.txt": "User-agent: *\nDisallow: /\n"})
    result = site.build()
    assert result.exit_code == 0, result.output
    assert site.read("robots.txt") == "User-agent: *\nDisallow: /\n"


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(root).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_check_writes_nothing_not_even_its_cache(make_site) -> None:
    """SPEC: `check` validates everything and writes nothing, on a new site as after an edit."""
    photo = io.BytesIO()
    Image.new("RGB", (900, 600), (180, 90, 30)).save(photo, "JPEG")
    site = make_site({"content/memories/a.md": memory("A"), "content/pages/p.md": "---\ntitle: P\n---\nTexte.\n",
                      "content/galleries/g/index.yaml": "title: G\nimages:\n  - {src: a.jpg, alt: Un pot}\n",
                      "content/galleries/g/a.jpg": photo.getvalue()})
    before = _tree(site.root)
    assert site.check().exit_code == 0
    assert _tree(site.root) == before  # the photo was encoded to check it, into a scratch folder
    assert site.build().exit_code == 0
    site.write("content/memories/b.md", memory("B"))
    site.write("content/galleries/g/index.yaml", "title: G\nimages:\n  - {src: a.jpg, alt: Un pot}\n"
                                                 "  - {src: b.jpg, alt: Un autre}\n")
    other = io.BytesIO()
    Image.new("RGB", (600, 900), (30, 90, 180)).save(other, "JPEG")
    site.write("content/galleries/g/b.jpg", other.getvalue())
    before = _tree(site.root)
    assert site.check().exit_code == 0
    assert _tree(site.root) == before


def test_an_over_long_title_is_a_warning_at_its_line_in_check_and_build(make_site) -> None:
    site = make_site({
        "content/memories/long.md": memory("W" * 201),
        "content/memories/huge.md": memory("x" * 20_000),
        # 200 user-visible characters, of 400 code points: not too long.
        "content/memories/accents.md": memory("e\u0301" * 200),
        "content/pages/p.md": "---\ntitle: " + "Page " * 100 + "\n---\nTexte.\n",
    })
    for result in (site.check(), site.build()):
        assert result.exit_code == 0, result.output
        assert ("content/memories/long.md:2: warning: title: 201 characters long; a title should have at most "
                "200 (search engines show about 60, the share card what fits): shorten it, and move the rest "
                "into the text") in result.stderr
        assert "content/memories/huge.md:2: warning: title: over 10,000 characters long;" in result.stderr
        assert "content/pages/p.md:2: warning: title: 499 characters long;" in result.stderr
        assert "accents.md" not in result.stderr and "xxxxxxxxxx" not in result.stderr
    assert "x" * 20_000 in site.read("memories/huge/index.html")  # published, whole
    assert site.build("--strict").exit_code == 1


def test_a_tag_that_gives_no_slug_is_left_out_with_a_warning(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A", extra="tags: [\"🍯\", goûter]\n")})
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "warning: tags: '🍯' gives an empty slug, so it has no tag page" in result.stderr
    assert site.read("tags/gouter/index.html")
    assert "🍯" not in site.read("memories/a/index.html")


def test_content_written_in_near_miss_forms_is_read_or_warned_about(make_site) -> None:
    site = make_site({
        "content/pages/caps.MD": "---\ntitle: Capitales\n---\nLu comme du Markdown.\n",
        "content/memories/bundle/Index.md": memory("En paquet"),
        "content/memories/bundle/autre.md": memory("Perdu dans le paquet"),
        "content/pages/long.markdown": "---\ntitle: Long\n---\nx\n",
        "content/pagez/typo.md": "---\ntitle: Typo\n---\nx\n",
        "content/notes.md": "---\ntitle: Notes\n---\nx\n",
        "content/images/a.txt": "shared files may live here",
        "content/README.md": "# How we curate\n",
        "content/memories/souvenir.txt": "---\ntitle: Souvenir en texte\n---\nx\n",
        "content/memories/README.txt": "how we name files",
        "content/memories/bundle/credits.txt": "photo: Jean",
        "content/memories/bundle/extras/deep.md": memory("Tout au fond du paquet"),
    })
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "content/memories/souvenir.txt:1: warning: is not read: content files end in .md or .yaml" \
        in result.stderr
    assert "credits.txt" not in result.stderr and "README.txt" not in result.stderr
    assert "Lu comme du Markdown." in site.read("caps/index.html")
    assert site.read("memories/bundle/index.html")
    assert "content/pages/long.markdown:1: warning: is not read: content files end in .md or .yaml" in result.stderr
    assert "content/pagez:1: warning: is not read: did you mean content/pages/?" in result.stderr
    assert "content/notes.md:1: warning: is not read: put it in the folder of its kind" in result.stderr
    assert "content/images" not in result.stderr and "README" not in result.stderr
    assert "content/memories/bundle/autre.md:1: warning: is not read: its folder is a bundle" in result.stderr
    # Inside a bundle however deep, a file is the bundle's own.
    assert "content/memories/bundle/extras/deep.md:1: warning: is not read: its folder is a bundle" in result.stderr


def test_a_tag_written_several_ways_is_shown_in_its_fullest_spelling(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A", extra="tags: [GOUTER]\n"),
                      "content/memories/b.md": memory("B", extra="tags: [Goûter]\n"),
                      "content/memories/c.md": memory("C", extra="tags: [gouter]\n")})
    assert site.build().exit_code == 0
    page = site.read("tags/gouter/index.html")
    assert "Goûter" in page and "GOUTER" not in page


def test_one_memory_cannot_rename_a_tag_others_share(make_site) -> None:
    """The spelling shown is the one most memories use; on a tie, the plainest (not the one with
    the most characters beyond ASCII, which made ``family 💩 !!!`` win over ``family``)."""
    site = make_site({"content/memories/a.md": memory("A", extra="tags: [family]\n"),
                      "content/memories/b.md": memory("B", extra='tags: ["family 💩 !!!"]\n'),
                      "content/memories/c.md": memory("C", extra='tags: ["Family!", "FAMILY 💩", "family 💩"]\n'),
                      "content/memories/d.md": memory("D", extra='tags: ["famille 💩"]\n'),
                      "content/memories/e.md": memory("E", extra='tags: ["famille 💩"]\n'),
                      "content/memories/f.md": memory("F", extra="tags: [famille]\n")})
    result = site.build()
    assert result.exit_code == 0, result.output
    for page in ("memories/a/index.html", "memories/b/index.html", "memories/c/index.html", "tags/index.html"):
        names = {name.strip() for name in re.findall(r'href="/tags/family/">([^<]*)', site.read(page))}
        assert names == {"family"}, (page, names)
    assert "<title>Souvenirs : family ·" in site.read("tags/family/index.html")
    for spelling in ("💩 !!!", "FAMILY", "Family!", "family 💩"):
        assert spelling not in site.all_output_text(), spelling
    # c has three spellings of it, and counts once.
    assert 'href="/tags/family/">family <span class="tag__count" aria-hidden="true">3<' in site.read("tags/index.html")
    # Two memories against one: the spelling most used wins, plain or not.
    assert 'href="/tags/famille/">famille 💩</a>' in site.read("memories/f/index.html")


def test_invisible_characters_in_a_tag_make_no_look_alike_tag(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A", extra="tags: [family]\n"),
                      "content/memories/b.md": memory("B", extra='tags: ["fam\\u200bily", "fam\\u2060ily"]\n'),
                      "content/memories/c.md": memory("C", extra='tags: ["\\u200b", "be\\u00adach\\u200d"]\n'),
                      "content/memories/d.md": memory("D", extra='tags: ["famille 👨\\u200d👩\\u200d👧"]\n')})
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "content/memories/c.md:9: warning: tags: '\\u200b' draws nothing" in result.stderr
    tags = sorted(p.name for p in (site.public / "tags").iterdir() if p.is_dir())
    assert tags == ["beach", "famille", "family"], tags
    assert "memories/b/" in site.read("tags/family/index.html")
    everything = "".join(data.decode() for path, data in site.output_files().items()
                         if path.endswith((".html", ".xml", ".json", ".txt")))
    for invisible in ("\u200b", "\u2060", "\u00ad"):
        assert invisible not in everything, ascii(invisible)
    assert "👨\u200d👩\u200d👧" in site.read("memories/d/index.html")  # an emoji's joiners are kept


def test_a_static_file_named_as_the_output_marker_is_refused_and_the_output_kept(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A"), "static/ok.txt": "ok\n"})
    assert site.build().exit_code == 0
    before = site.output_files()
    marker = (site.public / ".storysite-output").read_bytes()
    (site.root / "static/.storysite-output").write_text("not storysite's\n", "utf-8")
    result = site.build()
    assert result.exit_code == 1
    assert "static/.storysite-output:1: this name is the mark storysite leaves" in result.stderr, result.stderr
    assert site.output_files() == before and (site.public / ".storysite-output").read_bytes() == marker


def test_a_memory_in_another_language_is_marked_so_for_screen_readers(make_site) -> None:
    # WCAG 3.1.2 (language of parts): a fan who wrote in English on a French site gets their
    # title and text marked lang="en" (on the page and on every card), so that a screen reader
    # reads them with an English voice; the site's own language needs no mark, and a value
    # that is no language code is an error at its line.
    site = make_site({
        "content/memories/en.md": memory("Breakfast in Leeds", extra="language: EN-gb\n", body="Toast and jam."),
        "content/memories/fr.md": memory("Le goûter", extra="language: fr\n"),
    }, config="title: T\nbase_url: https://example.org/\nlanguage: fr\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    page = site.read("memories/en/index.html")
    assert re.search(r'<h1 class="story__title" dir="auto" lang="en-gb">Breakfast in Leeds</h1>', page)
    assert re.search(r'<div class="story__body[^"]*" dir="auto" lang="en-gb">\s*<p>Toast and jam.</p>', page)
    listing = site.read("memories/index.html")
    assert re.search(r'class="card__title" dir="auto" lang="en-gb"><a class="card__link" href="/memories/en/">', listing)
    assert 'lang="fr"' not in site.read("memories/fr/index.html").split("<body", 1)[1]
    site.write("content/memories/en.md", memory("Breakfast", extra="language: English\n"))
    result = site.build()
    assert result.exit_code == 1
    line = (site.root / "content/memories/en.md").read_text().splitlines().index("language: English") + 1
    assert f"content/memories/en.md:{line}: language: expected a language code such as fr or en" in result.stderr
