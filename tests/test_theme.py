"""Themes: overrides, inheritance, strings, assets."""

from __future__ import annotations

import io
import re
import shutil

import jinja2
import pytest
from markupsafe import Markup
from PIL import Image

from storysite.theme import RenderOnce
from tests.conftest import memory


def test_site_overrides_one_template_of_the_bundled_theme(make_site) -> None:
    site = make_site({
        "content/pages/p.md": "---\ntitle: P\n---\nCorps.\n",
        "themes/default/templates/page.html":
            "{% extends 'base.html' %}{% block content %}<p class=\"mine\">{{ page.title }}</p>{% endblock %}",
    })
    assert site.build().exit_code == 0
    assert '<p class="mine">P</p>' in site.read("p/index.html")
    assert "skip-link" in site.read("p/index.html")  # base.html still comes from the bundled theme


def test_site_overrides_a_static_file_of_the_bundled_theme(make_site) -> None:
    site = make_site({"content/pages/p.md": "---\ntitle: P\n---\n",
                      "themes/default/static/css/site.css": "body{color:red}"})
    assert site.build().exit_code == 0
    css = [data for path, data in site.output_files().items() if path.startswith("assets/css/site.")]
    assert css == [b"body{color:red}"]


def test_a_theme_may_extend_another(make_site) -> None:
    site = make_site({
        "content/memories/a.md": memory("A"),
        "themes/brand/theme.yaml": "name: brand\nextends: default\n",
        "themes/brand/templates/memory.html":
            "{% extends 'base.html' %}{% block content %}<h1>{{ memory.card.title }} — {{ t('brand.hello') }}"
            "</h1>{% endblock %}",
        "themes/brand/strings/fr.yaml": "brand.hello: Bonjour\n",
        "themes/brand/static/brand.css": "h1{}",
    }, config="title: T\nlanguage: fr\ntheme: brand\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "<h1>A — Bonjour</h1>" in site.read("memories/a/index.html")
    assert "Tous les souvenirs" in site.read("memories/index.html")  # inherited template and strings
    assert any(p.startswith("assets/brand.") for p in site.output_files())


@pytest.mark.parametrize(("language", "skip_link", "month"), [
    ("fr-CA", "Aller au contenu", "juillet 1986"), ("en-GB", "Skip to content", "July 1986")])
def test_a_regional_language_uses_its_language_strings(make_site, language: str, skip_link: str, month: str) -> None:
    site = make_site({"content/memories/a.md": memory("A")}, config=f"title: T\nlanguage: {language}\n")
    result = site.build()
    assert result.exit_code == 0 and "warning" not in result.output, result.output
    page = site.read("memories/a/index.html")
    assert f'<html lang="{language}">' in page and skip_link in page and month in page
    assert f'<meta property="og:locale" content="{language.replace("-", "_")}">' in page


def test_a_regional_string_file_overrides_its_language(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A"),
                      "themes/default/strings/fr-CA.yaml": "memory.back: Retour aux souvenirs (Québec)\n"},
                     config="title: T\nlanguage: fr-CA\n")
    assert site.build().exit_code == 0
    page = site.read("memories/a/index.html")
    assert "Retour aux souvenirs (Québec)" in page and "Aller au contenu" in page


def test_a_language_without_strings_warns_unless_a_theme_brings_them(make_site) -> None:
    bare = make_site({"content/memories/a.md": memory("A")}, config="title: T\nlanguage: de\n", name="bare")
    result = bare.build()
    assert result.exit_code == 0
    assert "storysite.yaml:2: warning: language 'de' has no theme strings; English ones are used" in result.output
    assert "Skip to content" in bare.read("index.html")
    german = make_site({"content/memories/a.md": memory("A"),
                        "themes/default/strings/de.yaml": "skip: Zum Inhalt springen\n"},
                       config="title: T\nlanguage: de\n", name="german")
    result = german.build()
    assert result.exit_code == 0 and "warning" not in result.output, result.output
    assert "Zum Inhalt springen" in german.read("index.html")


def test_unknown_theme_and_extends_cycle(make_site) -> None:
    missing = make_site({}, config="title: T\ntheme: nowhere\n", name="missing")
    result = missing.build()
    assert result.exit_code == 1
    assert "storysite.yaml:2: theme 'nowhere' not found" in result.stderr
    cycle = make_site({"themes/a/theme.yaml": "extends: b\n", "themes/b/theme.yaml": "extends: a\n"},
                      config="title: T\ntheme: a\n", name="cycle")
    result = cycle.build()
    assert result.exit_code == 1
    assert "cycle: a → b → a" in result.stderr


def test_missing_theme_string_is_an_error_on_the_template_line(make_site) -> None:
    site = make_site({
        "content/pages/p.md": "---\ntitle: P\n---\n",
        "themes/default/templates/page.html": "{% extends 'base.html' %}{% block content %}\n{{ t('no.such') }}"
                                              "{% endblock %}",
    })
    result = site.build()
    assert result.exit_code == 1
    assert "themes/default/templates/page.html:2: undefined variable: no theme string 'no.such'" in result.stderr


def test_css_references_follow_hashed_names(make_site) -> None:
    site = make_site({
        "content/pages/p.md": "---\ntitle: P\n---\n",
        "themes/default/static/css/site.css": "@font-face{src:url(../fonts/f.woff2)}",
        "themes/default/static/fonts/f.woff2": b"\x00font",
    })
    assert site.build().exit_code == 0
    files = site.output_files()
    font = next(p for p in files if p.startswith("assets/fonts/f."))
    css = next(d for p, d in files.items() if p.startswith("assets/css/site.")).decode()
    assert f"url(../fonts/{font.rsplit('/', 1)[1]})" in css


def test_shared_partials_are_rendered_from_the_site_override_with_its_config(make_site) -> None:
    # base.html renders the head links and the footer once per build (render_once): an
    # override of the partial is what every page shows, with the site's own base path.
    site = make_site({
        "content/memories/a.md": memory("A"),
        "content/pages/p.md": "---\ntitle: P\n---\n",
        "themes/default/templates/partials/site_footer.html":
            "<footer class=\"mine\"><a href=\"{{ url('/') }}\">{{ t('nav.home') }}</a> {{ site.brand_name }}</footer>\n",
    }, config="title: T\nlanguage: en\nbase_url: https://example.org/sub/\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    for page in ("index.html", "p/index.html", "memories/a/index.html", "memories/index.html"):
        html = site.read(page)
        assert '<footer class="mine"><a href="/sub/">Home</a> T</footer>\n</body>' in html
        assert '<link rel="stylesheet" href="/sub/assets/css/site.' in html
        assert "site-footer" not in html


def test_a_shared_partial_sees_the_site_only(make_site) -> None:
    site = make_site({
        "content/pages/p.md": "---\ntitle: P\n---\n",
        "themes/default/templates/partials/site_head.html": "<link>\n{{ meta.url }}\n",
    })
    result = site.build()
    assert result.exit_code == 1
    assert "themes/default/templates/partials/site_head.html:2: undefined variable: 'meta' is undefined" \
        in result.stderr


def test_builds_in_one_process_share_nothing(make_site) -> None:
    # The environment (and what render_once keeps) is made per build: a second site built
    # in the same process has its own language, base path and palette.
    first = make_site({"content/pages/p.md": "---\ntitle: P\n---\n"},
                      config="title: Un\nlanguage: fr\nbrand: {colors: {primary: \"#7b3f00\"}}\n", name="first")
    second = make_site({"content/pages/p.md": "---\ntitle: P\n---\n"},
                       config="title: Two\nlanguage: en\nbase_url: https://example.org/two/\n"
                              "brand: {colors: {primary: \"#1f4e79\"}}\n", name="second")
    assert first.build().exit_code == 0
    assert second.build().exit_code == 0
    one, two = first.read("p/index.html"), second.read("p/index.html")
    assert 'href="/feed.xml"' in one and "--primary:#7b3f00" in one and "Aller au contenu" in one
    assert 'href="/two/feed.xml"' in two and "--primary:#1f4e79" in two and "Skip to content" in two
    assert "<p class=\"site-footer__brand\">Two</p>" in two


def test_render_once_renders_once_per_value_object() -> None:
    renders: list[str] = []
    env = jinja2.Environment(loader=jinja2.DictLoader({"part.html": "{{ count() }}:{{ site.name }}<&>"}),
                             autoescape=True)
    env.globals["count"] = lambda: renders.append("x") or len(renders)
    once = RenderOnce(env)
    site = {"name": "a&b"}
    assert once("part.html", site=site) == Markup("1:a&amp;b<&>")
    assert once("part.html", site=site) == Markup("1:a&amp;b<&>")  # the same object: memoised
    assert once("part.html", site=dict(site)) == Markup("2:a&amp;b<&>")  # an equal other object: rendered
    assert once("part.html", site=site, other=1) == Markup("3:a&amp;b<&>")
    env.loader = jinja2.DictLoader({"bad.html": "{{ nothing.attribute }}"})
    for _ in range(2):  # a failure is raised each time, never kept
        with pytest.raises(jinja2.UndefinedError):
            once("bad.html", site=site)


def test_a_theme_without_strings_is_reported_not_a_crash(make_site) -> None:
    from tests.conftest import REPO

    files = {"content/memories/a.md": memory("A"), "themes/mine/theme.yaml": "name: mine\n"}
    for path in sorted((REPO / "themes/default/templates").rglob("*")):
        if path.is_file():
            files[f"themes/mine/templates/{path.relative_to(REPO / 'themes/default/templates').as_posix()}"] = \
                path.read_text("utf-8")
    site = make_site(files, config="title: T\nlanguage: en\ntheme: mine\n")
    result = site.build()
    assert result.exit_code == 1
    assert "internal error" not in result.output
    assert "themes/mine/strings/en.yaml:1: no theme string 'nav.memories' in the strings of theme 'mine'" \
        in result.stderr


@pytest.mark.parametrize(("content", "message"), [
    # A missing template is reported where it is included.
    ("<h1>x</h1>\n{% include 'partials/nope.html' %}",
     "themes/default/templates/page.html:4: template 'partials/nope.html' not found in theme 'default'"),
    # An undefined attribute names the kind of thing, not a Python class.
    ("<h1>{{ page.titel }}</h1>", "themes/default/templates/page.html:3: undefined variable: 'Page' has no "
                                  "attribute 'titel'"),
])
def test_a_template_error_is_reported_at_its_template_line(make_site, content: str, message: str) -> None:
    site = make_site({"content/pages/p.md": "---\ntitle: P\n---\n",
                      "themes/default/templates/page.html": "{% extends 'base.html' %}\n{% block content %}\n"
                                                            f"{content}{{% endblock %}}\n"})
    result = site.build()
    assert result.exit_code == 1
    assert message in result.stderr


@pytest.mark.parametrize(("files", "message"), [
    ({"themes/default/templates/page.html": b"{% extends 'base.html' %}\n{% block content %}\n<p>caf\xe9</p>"
                                            b"{% endblock %}\n"},
     "themes/default/templates/page.html:3: template syntax error: not valid UTF-8 (byte 0xE9); save the file with UTF-8 encoding"),
    ({"themes/default/templates/page.html": "{% extends 'page.html' %}\n"},
     "themes/default/templates/page.html:1: templates include or extend each other in a cycle"),
    ({"themes/default/templates/page.html": "{% include 'partials/loop.html' %}\n",
      "themes/default/templates/partials/loop.html": "x\n{% include 'partials/loop.html' %}\n"},
     "themes/default/templates/partials/loop.html:2: templates include or extend each other in a cycle"),
])
def test_a_broken_template_file_is_named_with_its_line(make_site, files: dict[str, str | bytes], message: str) -> None:
    site = make_site({"content/pages/p.md": "---\ntitle: P\n---\n", **files})
    result = site.build()
    assert result.exit_code == 1
    assert message in result.stderr, result.stderr
    assert "internal error" not in result.output


def test_a_template_saved_with_a_byte_order_mark_writes_none_into_the_pages(make_site) -> None:
    site = make_site({"content/pages/p.md": "---\ntitle: P\n---\nTexte.\n",
                      "themes/default/templates/page.html": "\ufeff{% extends 'base.html' %}\n"
                                                            "{% block content %}<p>Page</p>{% include 'partials/bom.html' %}"
                                                            "{% endblock %}\n",
                      "themes/default/templates/partials/bom.html": "\ufeff<p>Inclus</p>"})
    assert site.build().exit_code == 0
    page = site.read("p/index.html")
    assert page.startswith("<!doctype html>") and "<p>Page</p><p>Inclus</p>" in page
    assert "\ufeff" not in site.all_output_text()


def test_an_editors_heading_never_takes_an_id_of_the_theme(make_site) -> None:
    import re

    site = make_site({"content/pages/about.md": "---\ntitle: À propos\n---\n## Main\n\nTexte.\n\n## Main\n\n"
                                                "## 1976\n\n::: timeline\n:::\n",
                      "content/timeline/1976.yaml": "date: 1976\ntitle: Le premier pot\ntext: Début.\n"})
    assert site.build().exit_code == 0
    page = site.read("about/index.html")
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), ids
    assert 'href="#main"' in page and '<main id="main"' in page
    assert 'id="main-section"' in page and 'id="1976-section"' in page


def test_theme_yaml_problems_are_reported_in_theme_yaml(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A"),
                      "themes/mine/theme.yaml": "name: mine\ncolour: rouge\nextends: nulle-part\n"},
                     config="title: T\ntheme: mine\n")
    result = site.build()
    assert result.exit_code == 1
    assert "themes/mine/theme.yaml:2: warning: unknown key 'colour'" in result.stderr
    assert "themes/mine/theme.yaml:3: theme 'nulle-part' not found" in result.stderr


def test_the_logo_has_its_width_and_height_so_the_header_does_not_shift(make_site) -> None:
    from PIL import Image

    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 360 88"><rect width="360" height="88"/></svg>'
    site = make_site({"content/memories/a.md": memory("A"), "static/logo.svg": svg},
                     config="title: T\nbrand: {logo: static/logo.svg}\n", name="svg")
    assert site.build().exit_code == 0
    assert '<img class="brand__logo" src="/logo.svg" alt="T" width="196" height="48">' in site.read("index.html")
    png = make_site({"content/memories/a.md": memory("A")}, config="title: T\nbrand: {logo: static/logo.png}\n",
                    name="png")
    (png.root / "static").mkdir()
    Image.new("RGB", (300, 100)).save(png.root / "static/logo.png")
    assert png.build().exit_code == 0
    assert 'width="144" height="48"' in png.read("index.html")


def test_a_theme_string_that_is_not_text_is_an_error_at_its_line(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A"),
                      "themes/default/strings/fr.yaml": "skip: Aller au contenu\nnav.memories: {a: 1}\n"})
    result = site.build()
    assert result.exit_code == 1
    assert "themes/default/strings/fr.yaml:2: nav.memories: expected text, or one and other texts" in result.stderr


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_decade_pages_navigation_landmarks_have_distinct_names(make_site, language: str) -> None:
    site = make_site({
        "content/timeline/dates.yaml": "- {date: 1976, title: Le premier pot}\n- {date: 1986, title: La pub}\n"
                                       "- {date: 1995, title: Le site}\n",
        "content/memories/a.md": memory("A"),
    }, config=f"title: T\nlanguage: {language}\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    for page in ("timeline/index.html", "timeline/1980s/index.html"):
        labels = re.findall(r'<nav\b[^>]*\baria-label="([^"]*)"', site.read(page))
        assert len(labels) >= 3 and len(set(labels)) == len(labels), (page, labels)
    assert "neighbours" in site.read("timeline/1980s/index.html")


def test_the_memory_list_links_to_the_tag_index_only_when_the_site_has_one(make_site) -> None:
    untagged = make_site({"content/memories/a.md": memory("A"), "content/memories/b.md": memory("B")}, name="untagged")
    assert untagged.build().exit_code == 0
    assert not (untagged.public / "tags").exists()
    assert "/tags/" not in untagged.all_output_text()  # no link to a page that does not exist, anywhere
    tagged = make_site({"content/memories/a.md": memory("A", extra="tags: [plage]\n"),
                        "content/memories/b.md": memory("B")}, name="tagged")
    assert tagged.build().exit_code == 0
    assert '<a href="/tags/">Parcourir par thème' in tagged.read("memories/index.html")
    assert (tagged.public / "tags/index.html").is_file()


@pytest.mark.parametrize(("files", "links"), [
    ({"static/favicon.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>"},
     ['<link rel="icon" href="/sub/favicon.svg" type="image/svg+xml" sizes="any">']),
    ({"static/favicon.ico": b"\x00\x00\x01\x00", "static/favicon.png": b"\x89PNG\r\n\x1a\n",
      "static/favicon.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>"},
     ['<link rel="icon" href="/sub/favicon.ico" type="image/x-icon">',
      '<link rel="icon" href="/sub/favicon.png" type="image/png">',
      '<link rel="icon" href="/sub/favicon.svg" type="image/svg+xml" sizes="any">']),
    ({"static/favicon.ico": b"\x00\x00\x01\x00"}, ['<link rel="icon" href="/sub/favicon.ico" type="image/x-icon">']),
])
def test_every_page_links_the_sites_own_favicons_under_the_base_path(make_site, files, links) -> None:
    site = make_site({"content/memories/a.md": memory("A"), **files},
                     config="title: T\nbase_url: https://example.org/sub/\nlanguage: fr\n")
    assert site.build().exit_code == 0
    for page in ("index.html", "memories/index.html", "memories/a/index.html", "404.html"):
        html = site.read(page)
        assert [line for line in html.splitlines() if 'rel="icon"' in line] == links, page


def test_a_site_without_a_favicon_links_none(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A"), "static/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
                      "static/icons/favicon.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>"})
    assert site.build().exit_code == 0
    assert 'rel="icon"' not in site.all_output_text()
    assert "favicon" not in site.read("index.html")


def test_french_strings_never_break_a_line_before_their_punctuation() -> None:
    # French sets a space before : ; ! ? » and after «: an ordinary one lets a narrow screen
    # start a line with ": 16 caractères" or end one with "«". The shipped strings use
    # no-break spaces (narrow ones, U+202F, but before a colon, U+00A0).
    import re

    from storysite.theme import bundled_themes_dir

    text = (bundled_themes_dir() / "default" / "strings" / "fr.yaml").read_text(encoding="utf-8")
    breaking = [line for line in text.splitlines() if re.search(r" [:;!?»]|« ", line.split("#")[0].split(":", 1)[-1])]
    assert breaking == []
    assert "\u00a0:" in text and "«\u202f" in text


def test_a_count_of_zero_is_singular_in_french_and_plural_in_english() -> None:
    # Unicode CLDR: French says "0 grande date" (its singular counts 0 and 1), English "0 memories".
    from storysite.theme import Translator

    strings = {"n": {"one": "{count} grande date", "other": "{count} grandes dates"}}
    english = {"n": {"one": "{count} milestone", "other": "{count} milestones"}}
    french = Translator(strings, english, language="fr")
    assert [french("n", count=n) for n in (0, 1, 2)] == ["0 grande date", "1 grande date", "2 grandes dates"]
    assert Translator(english, english, language="en")("n", count=0) == "0 milestones"
    # A string missing in French is English, by English's rule.
    assert Translator({}, english, language="fr")("n", count=0) == "0 milestones"
    assert Translator(strings, english, language="pt-PT")("n", count=0) == "0 grandes dates"


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 40), (123, 63, 0)).save(buffer, "JPEG")
    return buffer.getvalue()


TABLE = "| Année | **Prix** du pot | Note \"maison\" |\n|---|---|---|\n| 1976 | 2 F | Le premier |\n"


@pytest.mark.parametrize(("language", "label", "untitled"), [
    ("fr", "Tableau\u00a0: Année, Prix du pot, Note &quot;maison&quot;", "Tableau"),
    ("en", "Table: Année, Prix du pot, Note &quot;maison&quot;", "Table"),
])
def test_an_editors_table_sits_in_a_named_keyboard_scroll_box(make_site, language: str, label: str,
                                                             untitled: str) -> None:
    # A table wider than a phone scrolls in a box of its own rather than breaking its headings
    # letter by letter: the box takes the keyboard's focus (so it scrolls without a mouse) and
    # is a region named, in the site's language, after the table's headings.
    box = f'<div class="table-scroll" role="region" tabindex="0" aria-label="{label}">\n<table>'
    site = make_site({
        "content/pages/tarifs.md": f"---\ntitle: Tarifs\n---\n{TABLE}\nEntre.\n\n|  |  |\n|---|---|\n| a | b |\n",
        "content/campaigns/c.md": f"---\ntitle: C\n---\n{TABLE}",
        "content/timeline/pot.yaml": "date: 1976\ntitle: Le pot\ntext: |\n  " + TABLE.replace("\n", "\n  "),
        "content/galleries/g/index.yaml": "title: G\nimages: [{src: a.jpg, alt: Un pot}]\ntext: |\n  "
                                          + TABLE.replace("\n", "\n  "),
        "content/galleries/g/a.jpg": _jpeg(),
    }, config=f"title: T\nbase_url: https://example.org/\nlanguage: {language}\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    page = site.read("tarifs/index.html")
    assert page.count(box) == 1 and page.count("</table>\n</div>") == 2
    assert f'role="region" tabindex="0" aria-label="{untitled}">\n<table>' in page
    assert box in site.read("campaigns/c/index.html")
    for path in ("timeline/index.html", "timeline/1970s/index.html"):
        assert box in site.read(path), path
    assert box in site.read("galleries/g/index.html")


def test_a_fans_table_sits_in_the_same_box_named_in_the_sites_language(make_site) -> None:
    # A fan's table scrolls in a box as an editor's does. A fan's text is rendered once and kept
    # by its source alone, whatever the site's language: the box is named as the page is made,
    # so that a change of language (or of the theme's strings) never serves the old name.
    french = "Tableau\u00a0: Année, Prix du pot, Note &quot;maison&quot;"
    box = '<div class="table-scroll" role="region" tabindex="0" aria-label="{}">\n<table>'
    site = make_site({
        "content/memories/pot.md": memory("Le pot", body=f"Avant.\n\n{TABLE}\nEntre.\n\n|  |  |\n|---|---|\n| a | b |\n"),
    })
    result = site.build()
    assert result.exit_code == 0, result.output
    page = site.read("memories/pot/index.html")
    assert page.count(box.format(french)) == 1 and page.count(box.format("Tableau")) == 1, page
    assert page.count("</table>\n</div>") == 2
    feed = site.read("feed.xml")  # (the text, as HTML escaped in the XML)
    assert "aria-label=&#34;Tableau\u00a0: Année, Prix du pot, Note &amp;quot;maison&amp;quot;&#34;" in feed
    first = site.output_files()
    assert not [path for path, data in first.items()
                if path.endswith((".html", ".xml", ".json")) and (b"\x00" in data or b"table-label" in data)]
    # Byte for byte the same when built again from scratch.
    shutil.rmtree(site.root / ".storysite")
    shutil.rmtree(site.public)
    assert site.build().exit_code == 0
    assert site.output_files() == first
    # Another language: the name follows, though the text's rendering is cached.
    site.write("storysite.yaml", "title: T\nbase_url: https://example.org/\nlanguage: en\n")
    assert site.build().exit_code == 0
    page = site.read("memories/pot/index.html")
    assert page.count(box.format("Table: Année, Prix du pot, Note &quot;maison&quot;")) == 1
    assert page.count(box.format("Table")) == 1 and "Tableau" not in page
    assert "aria-label=&#34;Table: Année" in site.read("feed.xml")
    # And the theme's own strings.
    site.write("themes/default/strings/en.yaml", 'table.label: "Grid of {columns}"\n')
    assert site.build().exit_code == 0
    assert box.format("Grid of Année, Prix du pot, Note &quot;maison&quot;") in site.read("memories/pot/index.html")
