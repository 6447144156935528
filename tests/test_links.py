"""Links an editor writes between the site's own pages must lead somewhere."""

from __future__ import annotations

import re

from tests.conftest import memory


def site_with_page(make_site, page: str, config: str = "title: T\nbase_url: https://example.org/\n"):
    return make_site({
        "content/memories/publie.md": memory("Publié", extra="tags: [Été]\n"),
        "content/memories/retire.md": memory("Retiré", status="withdrawn"),
        "content/pages/histoire.md": "---\ntitle: Histoire\n---\nNotre histoire.\n",
        "content/pages/liens.md": page,
        "static/docs/guide.pdf": "%PDF-1.4",
    }, config=config)


def test_a_link_to_no_page_is_a_warning_at_its_line_and_fails_a_strict_build(make_site) -> None:
    site = site_with_page(make_site, "---\ntitle: Liens\n---\nIntro.\n\nVoir [ceci](/memories/inconnu/).\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "content/pages/liens.md:6: warning: link '/memories/inconnu/' leads to no page of the site" in result.stderr
    before = site.output_files()
    strict = site.build("--strict")
    assert strict.exit_code == 1
    assert "leads to no page of the site" in strict.stderr
    assert site.output_files() == before


def test_a_link_to_a_content_file_leads_to_its_page_as_in_mkdocs(make_site) -> None:
    site = site_with_page(make_site, "---\ntitle: Liens\n---\n[Histoire](histoire.md), [le souvenir]"
                                     "(../memories/publie.md#fin), [racine](/content/pages/histoire.md), "
                                     "[retiré](../memories/retire.md) et [perdu](perdu.md)\n",
                          config="title: T\nbase_url: https://example.org/projet/\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    html = site.read("liens/index.html")
    assert '<a href="/projet/histoire/">Histoire</a>' in html
    assert '<a href="/projet/memories/publie/#fin">le souvenir</a>' in html
    assert '<a href="/projet/histoire/">racine</a>' in html
    assert " retiré " in html and "retire" not in html.split("<main")[1]  # not published: its words only
    assert "content/pages/liens.md:4: warning: link 'perdu.md' leads to no page of the site; link to the " \
           "page's URL" in result.stderr
    assert "histoire.md" not in result.stderr and "publie.md" not in result.stderr


def test_a_link_to_an_unpublished_memory_is_a_note_that_never_fails_a_strict_build(make_site) -> None:
    site = site_with_page(make_site, "---\ntitle: Liens\n---\n[Un souvenir](/memories/retire/)\n")
    result = site.build("--strict")
    assert result.exit_code == 0, result.output
    assert ("content/pages/liens.md:4: note: link '/memories/retire/' leads to memory 'retire', which is not "
            "published") in result.stderr
    assert "Retiré" not in site.all_output_text()


def test_a_link_to_an_unpublished_memory_is_unlinked_however_the_sites_address_is_spelt(make_site) -> None:
    spellings = ["http://example.org/memories/retire/", "//example.org/memories/retire/",
                 "https://EXAMPLE.org:443/memories/retire/", "/memories/retire/index.html",
                 "https://example.org//memories/retire/", "/timeline/#memory-retire", "#memory-retire",
                 "https://example.org./memories/retire"]
    links = " ".join(f"[lien {n}]({target})" for n, target in enumerate(spellings))
    kept = "[publié](http://example.org/memories/publie/) [ailleurs](https://example.com/memories/retire/)"
    site = site_with_page(make_site, f"---\ntitle: Liens\n---\n{links} {kept}\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    html = site.read("liens/index.html").split("<main")[1]
    for number in range(len(spellings)):
        assert f" lien {number}" in html or f">lien {number}" in html or f"lien {number} " in html
    assert "retire" not in html.replace("example.com/memories/retire/", "")
    assert '<a href="http://example.org/memories/publie/">publié</a>' in html
    assert '<a href="https://example.com/memories/retire/">ailleurs</a>' in html


def test_links_that_lead_to_pages_and_files_are_not_reported(make_site) -> None:
    page = ("---\ntitle: Liens\n---\n"
            "[a](/memories/publie/) [b](/memories/publie) [c](../memories/publie/) [d](/histoire/#suite) "
            "[e](/tags/ete/) [f](/docs/guide.pdf) [g](/static/docs/guide.pdf) [h](/) [i](#haut) [j](?q=1) "
            "[k](https://example.com/nulle-part/) [l](mailto:a@example.org) [m](/memories/x/y/../../) "
            "[n](/feed.xml) [o](/sitemap.xml)\n")
    site = site_with_page(make_site, page)
    result = site.build("--strict")
    assert result.exit_code == 0, result.output
    assert "leads to" not in result.stderr


def test_a_link_that_spells_out_the_base_path_is_read_without_it(make_site) -> None:
    site = site_with_page(make_site, "---\ntitle: Liens\n---\n[a](/sous/memories/publie/) [b](/sous/nulle/)\n",
                          config="title: T\nbase_url: https://example.org/sous/\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "'/sous/memories/publie/'" not in result.stderr
    assert "content/pages/liens.md:4: warning: link '/sous/nulle/' leads to no page of the site" in result.stderr


def test_links_from_the_site_root_follow_a_sub_path_base_url(make_site) -> None:
    """A site served from a sub-path (a project's GitHub Pages) keeps its editors' links:
    `/memories/…` means the site's root, as it does for images."""
    page = ("---\ntitle: Liens\n---\n[a](/memories/publie/) [b](/sous/histoire/) [c](../memories/publie/) "
            "[d](/static/docs/guide.pdf) [e](https://example.com/x/)\n")
    site = site_with_page(make_site, page, config="title: T\nbase_url: https://example.org/sous/\n")
    result = site.build("--strict")
    assert result.exit_code == 0, result.output
    html = (site.public / "liens/index.html").read_text()
    assert 'href="/sous/memories/publie/"' in html
    assert 'href="/sous/histoire/"' in html
    assert 'href="../memories/publie/"' in html
    assert 'href="/sous/docs/guide.pdf"' in html
    assert 'href="https://example.com/x/"' in html
    assert 'href="/memories/publie/"' not in html


def test_a_withdrawn_memory_leaves_no_url_in_editors_links(make_site) -> None:
    """SPEC: a withdrawn memory leaves no trace in any output file; its URL (its slug, often
    a fan's name) in an editor's link is part of that trace. The link's words stay."""
    from tests.test_images import photo

    def links(up: str) -> str:
        return (f"Lire [son histoire](/memories/bea-martin/), [relatif]({up}memories/bea-martin/), "
                "[adresse](https://example.org/memories/bea-martin/#debut) et "
                "<https://example.org/memories/bea-martin/>. "
                "Puis [le publié](/memories/publie/) et [un effacé](/memories/efface/).")
    site = make_site({
        "content/memories/bea-martin.md": memory("Le goûter de Béa"),
        "content/memories/publie.md": memory("Publié"),
        "content/campaigns/appel.md": f"---\ntitle: Appel\n---\n{links('../../')}\n",
        "content/pages/apropos.md": f"---\ntitle: À propos\n---\n{links('../')}\n",
        "content/galleries/fete/index.yaml": f"title: Fête\ndescription: \"{links('../../')}\"\n"
                                            "images: [{src: a.jpg, alt: Une photo}]\n",
        "content/galleries/fete/a.jpg": photo((640, 480)),
        "content/timeline/1976.yaml": f"date: 1976\ntitle: Le premier pot\ntext: \"{links('../')}\"\n",
    })
    first = site.build()
    assert first.exit_code == 0, first.output
    assert "/memories/bea-martin/" in site.read("campaigns/appel/index.html")
    memory_file = site.root / "content/memories/bea-martin.md"
    memory_file.write_text(memory_file.read_text().replace("status: approved", "status: withdrawn"))
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "bea-martin" not in site.all_output_text()
    for page in ("campaigns/appel/index.html", "apropos/index.html", "timeline/index.html",
                 "galleries/fete/index.html"):
        html = site.read(page)
        assert "son histoire" in html and "relatif" in html and "adresse" in html, page
        assert '<a href="/memories/publie/">le publié</a>' in html, page
        assert "un effacé" in html and "/memories/efface/" not in html, page
    assert "content/campaigns/appel.md:4: note: link '/memories/bea-martin/' leads to memory 'bea-martin', " \
           "which is not published; its words are shown without the link" in result.output


def test_a_withdrawn_memory_leaves_no_url_in_an_editors_raw_html(make_site) -> None:
    site = make_site({
        "content/memories/bea-martin.md": memory("Le goûter de Béa", status="withdrawn"),
        "content/memories/publie.md": memory("Publié"),
        "content/pages/p.md": "---\ntitle: P\n---\nVoir <a href=\"/memories/bea-martin/\">son histoire</a>, "
                              "<A HREF=../memories/bea-martin/>là</A> et <a href='/memories/publie/'>le publié</a>.\n\n"
                              "<div><a class=\"x\" href=\"&#47;memories&#47;bea-martin&#47;\">en bloc</a></div>\n",
    }, config="title: T\nbase_url: https://example.org/\nmarkdown: {editorial_html: true}\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    html = site.read("p/index.html")
    assert "bea-martin" not in site.all_output_text()
    assert "<a>son histoire</a>" in html and "<A>là</A>" in html and '<a class="x">en bloc</a>' in html
    assert "<a href='/memories/publie/'>le publié</a>" in html


def test_a_link_is_reported_at_its_own_line_inside_a_paragraph_or_a_yaml_text(make_site) -> None:
    site = make_site({
        "content/pages/long.md": "---\ntitle: Long\ndescription: |\n  multi\n  line\n---\nLine one\n"
                                 "line two [a](/nope-a/)\n\n> quote\n> quote [b](/nope-b/)\n\nA\n"
                                 "B [c](../../../../../etc/passwd)\n",
        "content/timeline/x.yaml": "date: 1976\ntitle: T\ntext: |\n  Bonjour\n  [d](/nope-d/)\n",
        "content/timeline/list.yaml": "- date: 1977\n  title: U\n  text: |\n    [e](/nope-e/)\n",
    })
    result = site.build()
    for expected in ("content/pages/long.md:8: warning: link '/nope-a/'",
                     "content/pages/long.md:11: warning: link '/nope-b/'",
                     "content/pages/long.md:14: link '../../../../../etc/passwd' points outside the site",
                     "content/timeline/x.yaml:5: warning: link '/nope-d/'",
                     "content/timeline/list.yaml:4: warning: link '/nope-e/'"):
        assert expected in result.stderr, (expected, result.stderr)


def test_a_whole_address_on_the_sites_own_host_is_checked_as_its_pages_are(make_site) -> None:
    page = ("---\ntitle: Liens\n---\n[a](https://example.org/sous/histoire/) [b](http://example.org/sous/perdu/)\n\n"
            "[c](https://example.org/ailleurs/) [d](https://example.com/sous/perdu/) "
            "[e](https://example.org:443/sous/memories/publie/)\n")
    site = site_with_page(make_site, page, config="title: T\nbase_url: https://example.org/sous/\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    said = [line for line in result.stderr.splitlines() if "leads to no page" in line]
    # Another host, or a path outside the site's base path, is not the site's to check.
    assert said == ["content/pages/liens.md:4: warning: link 'http://example.org/sous/perdu/' leads to no page "
                    "of the site"], result.stderr


def test_editors_write_footnotes_and_definition_lists_fans_do_not(make_site) -> None:
    page = ("---\ntitle: Notes\n---\nUn texte[^1].\n\nTerme\n: Sa définition.\n\n[^1]: La note.\n")
    site = site_with_page(make_site, page)
    site.write("content/memories/note.md", memory("Note", body="Un souvenir[^1].\n\n[^1]: Une note.\n"))
    result = site.build("--strict")
    assert result.exit_code == 0, result.output
    html = site.read("liens/index.html")
    note = re.search(r'<sup class="footnote-ref"><a href="#fn-([0-9a-f]{8})-1" id="fnref-\1-1">\[1\]</a></sup>', html)
    assert note is not None, html
    assert f'<li id="fn-{note.group(1)}-1" class="footnote-item"><p>La note.' in html
    assert "<dl>\n<dt>Terme</dt>\n<dd>Sa définition.</dd>\n</dl>" in html
    assert "footnote" not in site.read("memories/note/index.html")


def test_footnotes_of_several_texts_on_one_page_never_share_an_id(make_site) -> None:
    # The timeline shows every milestone's text on one page: "fn1" twice was invalid HTML, and
    # the second note's link led to the first.
    milestone = "date: {year}\ntitle: Jalon {year}\ntext: \"Texte.[^1]\\n\\n[^1]: Note {year}.\"\n"
    site = make_site({"content/timeline/a.yaml": milestone.format(year=1976),
                      "content/timeline/b.yaml": milestone.format(year=1977),
                      "content/pages/p.md": "---\ntitle: P\n---\n## fn1\n\nUn texte[^1].\n\n::: timeline\n:::\n\n"
                                            "[^1]: La note.\n"})
    assert site.build("--strict").exit_code == 0
    for path in ("timeline/index.html", "timeline/1970s/index.html", "p/index.html"):
        ids = re.findall(r'\bid="([^"]+)"', site.read(path))
        assert len(ids) == len(set(ids)), (path, sorted(i for i in ids if ids.count(i) > 1))
        assert len([i for i in ids if i.startswith("fn-")]) >= 2 or path == "p/index.html"


def test_a_protocol_relative_link_to_the_sites_own_host_is_checked(make_site) -> None:
    site = site_with_page(make_site, "---\ntitle: Liens\n---\n[x](//example.org/perdu/) [y](//example.org/histoire/)\n")
    result = site.build()
    assert "content/pages/liens.md:4: warning: link '//example.org/perdu/' leads to no page of the site" in result.stderr
    assert "histoire" not in result.stderr
