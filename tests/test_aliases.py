"""``aliases:``: redirect pages at an item's earlier URLs, checked like every URL of the site,
and gone with their item when it is not published."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.browser.harness import format_vnu_messages
from tests.conftest import Site, memory
from tests.test_images import photo
from tests.test_incremental import clean_copy
from tests.test_labels import label_files

RENAMED = memory("Les tartines de la paix", extra="""\
    slug: tartines-de-la-paix
    tags: [goûter]
    aliases: [/memories/les-tartines-de-romain-lefevre/, /ancien-chemin, /vieux.html]
    """)


def redirect_to(site: Site, relpath: str) -> str:
    """Where the redirect page at ``relpath`` of the output leads (its refresh URL), checking
    that it is one: canonical link to the same page, kept out of search engines, a link to follow."""
    html = site.read(relpath)
    assert html.startswith("<!doctype html>\n")
    assert '<html lang="fr">' in html
    refresh = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', html)
    assert refresh is not None, html
    target = refresh.group(1)
    assert '<meta name="robots" content="noindex">' in html
    assert f'<link rel="canonical" href="https://example.org{target}">' in html
    assert f'<a href="{target}">' in html
    return target


def test_each_alias_of_a_memory_is_a_redirect_page_to_it(make_site) -> None:
    site = make_site({"content/memories/tartines.md": RENAMED})
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "aliases" not in result.output  # no word about a known field
    # A folder with its slash or without it is the folder's index.html; a .html path is that file.
    for relpath in ("memories/les-tartines-de-romain-lefevre/index.html", "ancien-chemin/index.html", "vieux.html"):
        assert redirect_to(site, relpath) == "/memories/tartines-de-la-paix/"
        assert "Les tartines de la paix" in site.read(relpath)
    # Never listed where search engines and feed readers look: the page's own URL is.
    for listing in ("sitemap.xml", "feed.xml", "tags/gouter/feed.xml"):
        text = site.read(listing)
        assert "tartines-de-la-paix" in text
        assert "romain-lefevre" not in text and "ancien-chemin" not in text and "vieux" not in text, listing


def test_pages_campaigns_galleries_and_label_designs_take_aliases(make_site) -> None:
    site = make_site({
        "content/pages/a-propos.md": "---\ntitle: À propos\naliases: /qui-sommes-nous/\n---\nTexte.\n",
        "content/campaigns/cinquante.md": "---\ntitle: 50 ans\naliases: [/campagnes/50-ans/]\n---\nTexte.\n",
        "content/galleries/fan-days/index.yaml": "title: Fan Days\naliases: [/galeries/fan-days/]\n"
                                                 "images: [{src: 1.jpg, alt: Le stand}]\n",
        "content/galleries/fan-days/1.jpg": photo((800, 600)),
        **label_files(label_files()["content/labels/plain.yaml"] + "aliases: [/etiquettes/simple/]\n"),
    })
    result = site.build()
    assert result.exit_code == 0, result.output
    assert redirect_to(site, "qui-sommes-nous/index.html") == "/a-propos/"
    assert redirect_to(site, "campagnes/50-ans/index.html") == "/campaigns/cinquante/"
    assert redirect_to(site, "galeries/fan-days/index.html") == "/galleries/fan-days/"
    assert redirect_to(site, "etiquettes/simple/index.html") == "/labels/plain/"


def test_a_redirect_follows_a_sub_path_base_url_and_marks_a_title_in_another_language(make_site) -> None:
    site = make_site({"content/memories/jar.md": memory("The jar", extra="language: en\naliases: /old/\n")},
                     config="title: T\nbase_url: https://example.org/marque/\nlanguage: fr\n")
    assert site.build().exit_code == 0
    html = site.read("old/index.html")
    assert '<meta http-equiv="refresh" content="0; url=/marque/memories/jar/">' in html
    assert '<link rel="canonical" href="https://example.org/marque/memories/jar/">' in html
    assert '<a href="/marque/memories/jar/" lang="en">The jar</a>' in html


@pytest.mark.parametrize(("written", "expected"), [
    ("memories/old/", "'memories/old/' is not a path of the site; write it from the site root"),
    ("https://example.org/memories/old/", "'https://example.org/memories/old/' is not a path of the site"),
    ("//example.org/memories/old/", "'//example.org/memories/old/' is not a path of the site"),
    ("/memories/../old/", "'/memories/../old/' has a '..' part"),
    ("/memories/%2E%2E/old/", "'/memories/%2E%2E/old/' has a '..' part"),
    ("/memories/a%2Fb/", "has a part (a%2Fb) with a slash, backslash or control character"),
    ("/memories//old/", "has an empty part (//)"),
    ("/memories/old/?utm=1", "'/memories/old/?utm=1' has a query or a fragment"),
    ("/memories/old/#text", "'/memories/old/#text' has a query or a fragment"),
    ("/", "'/' is the home page"),
    ("/index.html", "'/index.html' is the home page"),
    ("/memories/un-souvenir/", "'/memories/un-souvenir/' is this item's own URL"),
    ("/MEMORIES/un-souvenir/index.html", "is this item's own URL"),
    ("{old: /x/}", "expected a site path (such as /memories/old-slug/), got a mapping"),
])
def test_an_alias_that_names_no_other_page_of_the_site_is_an_error_at_its_line(make_site, written: str,
                                                                               expected: str) -> None:
    site = make_site({"content/memories/un-souvenir.md": memory(extra=f"aliases:\n  - /fine/\n  - \"{written}\"\n"
                                                                if not written.startswith("{") else
                                                                f"aliases:\n  - /fine/\n  - {written}\n")})
    result = site.build()
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("content/memories/un-souvenir.md:")]
    assert len(lines) == 1 and lines[0].startswith("content/memories/un-souvenir.md:11: aliases: "), lines
    assert expected in lines[0]
    assert not site.public.exists()


def test_aliases_that_are_not_paths_or_lists_are_errors(make_site) -> None:
    site = make_site({"content/pages/p.md": "---\ntitle: P\naliases: 12\n---\n"})
    result = site.check()
    assert result.exit_code == 1
    assert "content/pages/p.md:3: aliases: expected a site path or a list of them" in result.output


def test_an_alias_that_another_item_or_alias_has_is_an_error_naming_both(make_site) -> None:
    site = make_site({
        "content/memories/a.md": memory("A", extra="aliases: [/ancien/, /page-b/]\n"),
        "content/memories/b.md": memory("B", extra="aliases:\n  - /Ancien/\n"),
        "content/pages/page-b.md": "---\ntitle: Page B\n---\n",
    })
    result = site.build()
    assert result.exit_code == 1
    out = result.output
    assert "content/memories/a.md:9: this alias has the URL /ancien/, as does content/memories/b.md:10" in out
    assert "content/memories/b.md:10: this alias has the URL /Ancien/, as does content/memories/a.md:9" in out
    assert "content/memories/a.md:9: this alias has the URL /page-b/, as does content/pages/page-b.md:1" in out
    assert "content/pages/page-b.md:1: this page has the URL /page-b/, as does content/memories/a.md:9" in out
    # Each clash once: not again where the redirect pages meet the rest of the output.
    assert out.count("/page-b/") == 2 and out.count("/ancien/") == 1


def test_an_unpublished_memorys_alias_is_claimed_all_the_same(make_site) -> None:
    # As its slug is: approving it later must never make two pages of one URL.
    site = make_site({
        "content/memories/a.md": memory("A", status="submitted", extra="aliases: [/histoire/]\n"),
        "content/pages/histoire.md": "---\ntitle: Histoire\n---\n",
    })
    result = site.build()
    assert result.exit_code == 1
    assert "content/memories/a.md:9: this alias has the URL /histoire/, as does content/pages/histoire.md:1" in (
        result.output)


@pytest.mark.parametrize(("alias", "expected"), [
    ("/memories/", "this alias has the URL /memories/index.html, as does the generated page /memories/"),
    ("/tags/famille/", "this alias has the URL /tags/famille/index.html, as does the generated page /tags/famille/"),
    ("/timeline/", "this alias has the URL /timeline/index.html, as does the generated page /timeline/"),
    ("/menu.html", "this alias has the URL /menu.html, as does static/menu.html:1"),
    ("/feed.xml", "this alias would be the page feed.xml/index.html, but feed.xml is a file of the site, not a folder"),
    ("/docs/menu.pdf/", "this alias would be the page docs/menu.pdf/index.html, but docs/menu.pdf is a file of the "
                        "site"),
    ("/docs.html", "this alias would be the page docs.html, but the site has a folder of that name"),
])
def test_an_alias_where_the_site_has_a_page_or_file_is_an_error(make_site, alias: str, expected: str) -> None:
    site = make_site({
        "content/memories/a.md": memory("A", extra=f"tags: [famille]\naliases: [{alias}]\n"),
        "static/menu.html": "<!doctype html><title>Menu</title>",
        "static/docs/menu.pdf": b"%PDF-1.4",
        "static/docs.html/readme.txt": "a folder named like a page",
    })
    result = site.build()
    assert result.exit_code == 1, result.output
    assert f"content/memories/a.md:10: {expected}" in result.output


def test_an_alias_named_like_a_windows_device_is_a_warning(make_site) -> None:
    site = make_site({"content/pages/p.md": "---\ntitle: P\naliases: [/aux/ancien/]\n---\n"})
    result = site.build()
    assert result.exit_code == 0
    assert ("content/pages/p.md:3: warning: this alias has the URL /aux/ancien/, but 'aux' is the name of a device "
            "on Windows") in result.output


def test_an_alias_with_a_character_windows_refuses_in_names_is_a_warning(make_site) -> None:
    site = make_site({"content/pages/p.md": '---\ntitle: P\naliases: ["/a<b/", "/q%22x/", "/fin./"]\n---\n'})
    result = site.build()
    assert result.exit_code == 0
    assert ("content/pages/p.md:3: warning: this alias has the URL /a<b/, whose part 'a<b' has '<', which no file "
            "or folder name can have on Windows") in result.output
    assert "the URL /q\"x/, whose part 'q\"x' has '\"'" in result.output
    assert "the URL /fin./, whose part 'fin.' has a dot or a space at its end" in result.output
    assert site.build("--strict").exit_code == 1


def test_percent_escapes_name_the_file_a_web_server_serves(make_site) -> None:
    site = make_site({"content/pages/p.md": "---\ntitle: P\naliases: [/caf%C3%A9/, /d%C3%A9j%C3%A0-vu]\n---\n"})
    assert site.build().exit_code == 0
    assert redirect_to(site, "café/index.html") == "/p/"
    assert redirect_to(site, "déjà-vu/index.html") == "/p/"


@pytest.mark.parametrize(("status", "extra"), [
    ("submitted", ""),
    ("withdrawn", ""),
    ("approved", "withdrawn: 2026-01-02\n"),
    ("approved", "consent: {granted: 2020-01-01, expires: 2024-01-01}\n"),
])
def test_an_unpublished_memorys_aliases_make_nothing(make_site, status: str, extra: str) -> None:
    text = memory("Secret", status=status, granted=None if "consent" in extra else "2020-01-01",
                  extra=extra + "aliases: [/memories/josette-dupont/, /souvenir-de-josette/]\n")
    site = make_site({"content/memories/secret.md": text,
                      "content/memories/other.md": memory("Autre", extra="aliases: [/souvenir-autre/]\n")})
    result = site.build("--strict")
    assert result.exit_code == 0, result.output
    files = site.output_files()
    assert redirect_to(site, "souvenir-autre/index.html") == "/memories/other/"
    assert not any("josette" in path for path in files)
    assert "josette" not in site.all_output_text().lower()
    assert "secret" not in site.all_output_text().lower()


def test_a_drafts_aliases_make_nothing(make_site) -> None:
    site = make_site({"content/pages/p.md": "---\ntitle: P\ndraft: true\naliases: [/ancienne-page/]\n---\n",
                      "content/campaigns/c.md": "---\ntitle: C\ndraft: true\naliases: [/ancienne-campagne/]\n---\n",
                      "content/pages/q.md": "---\ntitle: Q\naliases: [/autre-page/]\n---\n"})
    assert site.build().exit_code == 0
    assert redirect_to(site, "autre-page/index.html") == "/q/"
    assert not (site.public / "ancienne-page").exists() and not (site.public / "ancienne-campagne").exists()


def test_a_bad_alias_of_a_withdrawn_memory_never_holds_the_withdrawal_back(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A", status="withdrawn", extra="aliases: [ancien/]\n"),
                      "content/memories/b.md": memory("B")})
    result = site.build("--strict")
    assert result.exit_code == 0, result.output
    assert "content/memories/a.md:9: note: aliases: 'ancien/' is not a path of the site" in result.output


def test_a_withdrawal_takes_the_aliases_down_and_lists_them_to_purge(make_site) -> None:
    site = make_site({"content/memories/tartines.md": RENAMED, "content/memories/other.md": memory("Autre")})
    assert site.build().exit_code == 0
    assert (site.public / "ancien-chemin/index.html").is_file()
    result = site.run("withdraw", "tartines-de-la-paix", "--site", str(site.root))
    assert result.exit_code == 0, result.output
    files = site.output_files()
    assert not any("romain-lefevre" in path or "ancien-chemin" in path or "vieux" in path for path in files)
    assert "tartines" not in site.all_output_text()
    purge = (site.root / ".storysite/purge.txt").read_text("utf-8").split()
    for url in ("https://example.org/memories/les-tartines-de-romain-lefevre/", "https://example.org/ancien-chemin/",
                "https://example.org/vieux.html", "https://example.org/memories/tartines-de-la-paix/"):
        assert url in purge
        assert url in result.output


def test_an_editors_link_to_an_alias_follows_its_memory(make_site) -> None:
    site = make_site({
        "content/memories/a.md": memory("A", extra="slug: nouveau\naliases: [/memories/ancien/]\n"),
        "content/memories/b.md": memory("B", status="withdrawn", extra="aliases: [/histoire-de-romain/]\n"),
        "content/pages/p.md": "---\ntitle: P\n---\n[avant](/memories/ancien/) et [retiré](/histoire-de-romain/)\n",
    })
    result = site.build("--strict")
    assert result.exit_code == 0, result.output
    html = site.read("p/index.html")
    # A published memory's alias is a page: the link stays (it redirects).
    assert '<a href="/memories/ancien/">avant</a>' in html
    # A withdrawn memory's is gone with it: its words alone are shown, with a note.
    assert "histoire-de-romain" not in html and "retiré" in html
    assert ("content/pages/p.md:4: note: link '/histoire-de-romain/' leads to memory 'b', which is not published"
            in result.output)


def test_incremental_builds_add_and_remove_redirect_pages_as_a_full_build_does(make_site, tmp_path: Path) -> None:
    site = make_site({
        "content/memories/a.md": memory("A", extra="aliases: [/memories/ancien-a/]\n"),
        "content/memories/b.md": memory("B", extra="aliases: [/ancien-b/]\n"),
        "content/memories/c.md": memory("C"),
        "content/pages/p.md": "---\ntitle: P\naliases: [/vieille-page/]\n---\n",
    })
    assert site.build().exit_code == 0
    assert {"memories/ancien-a/index.html", "ancien-b/index.html", "vieille-page/index.html"} <= set(
        site.output_files())
    # A renamed (alias added), an alias given up, a memory withdrawn, a page's alias moved.
    (site.root / "content/memories/a.md").write_text(memory("A", extra="slug: a-neuf\naliases: [/memories/a/, "
                                                                       "/memories/ancien-a/]\n"))
    (site.root / "content/memories/c.md").write_text(memory("C", status="withdrawn", extra="aliases: [/c-ancien/]\n"))
    (site.root / "content/memories/b.md").write_text(memory("B", status="withdrawn", extra="aliases: [/ancien-b/]\n"))
    (site.root / "content/pages/p.md").write_text("---\ntitle: P\naliases: [/autre-page.html]\n---\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    files = site.output_files()
    assert redirect_to(site, "memories/a/index.html") == "/memories/a-neuf/"
    assert redirect_to(site, "memories/ancien-a/index.html") == "/memories/a-neuf/"
    assert redirect_to(site, "autre-page.html") == "/p/"
    assert not {"ancien-b/index.html", "c-ancien/index.html", "vieille-page/index.html"} & set(files)
    full = clean_copy(site, tmp_path, "full")
    assert full.build().exit_code == 0
    assert files == full.output_files()


@pytest.mark.browser
def test_redirect_pages_pass_the_nu_html_checker(make_site, vnu: Callable[..., list], tmp_path: Path) -> None:
    site = make_site({"content/memories/tartines.md": RENAMED,
                      "content/pages/p.md": "---\ntitle: P\naliases: [/a-propos/]\n---\n"})
    assert site.build().exit_code == 0
    pages = tmp_path / "redirects"
    for relpath in ("memories/les-tartines-de-romain-lefevre/index.html", "vieux.html", "a-propos/index.html"):
        target = pages / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(site.public / relpath, target)
    messages = vnu(sorted(pages.rglob("*.html")))
    assert messages == [], format_vnu_messages(messages)


def test_an_alias_naming_the_author_beyond_the_policy_is_a_warning(make_site) -> None:
    # The slug was changed to take the fan's surname out of the URL; keeping the old one as an
    # alias would keep it online all the same.
    text = memory("Le pot", extra="slug: le-pot-de-romain\n"
                                  "aliases: [/memories/le-pot-de-romain-lefevre/, /memories/le-pot/]\n")
    site = make_site({"content/memories/a.md": text.replace("display: Romain L.", "name: Romain Lefèvre")})
    result = site.build()
    said = [line for line in result.output.splitlines() if line.startswith("content/")]
    assert said == ["content/memories/a.md:10: warning: the alias '/memories/le-pot-de-romain-lefevre/' shows a part "
                    "(Lefèvre) of author.name that privacy.author_display (first_initial) does not publish, in the "
                    "URL of its redirect page: remove the alias"], result.output
    assert site.build("--strict").exit_code == 1


@pytest.mark.parametrize("ident", ["https://example.org/marque/memories/les-tartines-de-romain-lefevre/",
                                   "https://example.org/marque/ancien-chemin?utm_source=x",
                                   "/ancien-chemin/", "https://example.org/marque/vieux.html"])
def test_withdraw_by_an_alias_as_the_fan_shared_it_before_the_rename(make_site, ident: str) -> None:
    site = make_site({"content/memories/tartines.md": RENAMED, "content/memories/b.md": memory("B")},
                     config="title: T\nbase_url: https://example.org/marque/\nlanguage: fr\n")
    assert site.build().exit_code == 0
    # Only the site's own address: not the host's outside the base path, nor a path beside an alias.
    for near in ("https://example.org/ancien-chemin/", "https://example.org/marque/ancien/",
                 "/ancien-chemin/suite/"):
        missed = site.run("withdraw", near, "--site", str(site.root))
        assert missed.exit_code == 1 and "No memory matches" in missed.output, missed.output
    result = site.run("withdraw", ident, "--site", str(site.root))
    assert result.exit_code == 0, result.output
    assert "Withdrawn: tartines-de-la-paix" in result.stdout and "Withdrawn: b" not in result.stdout
    assert not (site.public / "memories/tartines-de-la-paix").exists() and not (site.public / "vieux.html").exists()

