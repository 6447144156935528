"""Themes as a theme developer meets them: what a template may reach, overrides through
symbolic links, dates in a partly translated language, stylesheets importing each other,
``theme.yaml`` values."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, memory

PRIVATE = memory("A", extra="""\
    notes: SECRET-NOTE
    """).replace("author: {id: fan-1,", "author: {id: fan-1, email: secret@example.org,")


@pytest.mark.parametrize(("reach", "message"), [
    # Python's internals, from any value.
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "access to attribute '__class__' of 'str' object is unsafe"),
    # A global function's module, which can read any file.
    ("{{ url.__globals__['Path']('storysite.yaml').read_text() }}",
     "access to attribute '__globals__' of 'function' object is unsafe"),
    # The same, by subscript and through a format string's fields.
    ("{{ ''['__class__'] }}", "access to attribute '__class__' of 'str' object is unsafe"),
    ("{{ '{0.__class__.__mro__}'.format('') }}", "access to attribute '__class__' of 'str' object is unsafe"),
    ("{{ '{x.__class__}'.format_map({'x': 1}) }}", "access to attribute '__class__' of 'int' object is unsafe"),
    # The environment, whose loader would take the site's folder as a template folder.
    ("{% set _ = render_once.env.loader.searchpath.append(site_root) %}{% include 'content/memories/a.md' %}",
     "undefined variable: 'RenderOnce' has no attribute 'env'"),
])
def test_a_template_cannot_reach_beyond_its_context(make_site, reach: str, message: str) -> None:
    site = make_site({"content/memories/a.md": PRIVATE, "content/pages/p.md": "---\ntitle: P\n---\n"})
    site.write("themes/default/templates/page.html",
               "{% extends 'base.html' %}\n{% block content %}\n"
               + reach.replace("site_root", repr(str(site.root))) + "{% endblock %}\n")
    result = site.build()
    assert result.exit_code == 1
    assert f"themes/default/templates/page.html:3: {message}" in result.stderr, result.stderr
    assert "internal error" not in result.output
    assert not site.public.exists()


def test_a_template_that_stays_in_its_context_still_builds(make_site) -> None:
    site = make_site({"content/memories/a.md": PRIVATE, "content/pages/p.md": "---\ntitle: P\n---\n",
                      "themes/default/templates/page.html":
                          "{% extends 'base.html' %}{% block content %}{% set ns = namespace(n=0) %}"
                          "{% for c in page.title %}{% set ns.n = ns.n + 1 %}{% endfor %}"
                          "<p>{{ '%s/%d'|format(page.title, ns.n) }} {{ '{}!'.format(page.slug) }}</p>"
                          "{% endblock %}"})
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "<p>P/1 p!</p>" in site.read("p/index.html")
    assert "secret@example.org" not in site.all_output_text() and "SECRET-NOTE" not in site.all_output_text()


def test_a_theme_folder_reached_by_a_link_is_published_and_rebuilt(make_site, tmp_path) -> None:
    shared = tmp_path / "agency-shared"  # partials and images several brands' themes share
    (shared / "partials").mkdir(parents=True)
    (shared / "img").mkdir()
    (shared / "partials/site_footer.html").write_text("<footer>v1</footer>\n", "utf-8")
    (shared / "img/hero.png").write_bytes(b"\x89PNG not really")
    site = make_site({"content/pages/p.md": "---\ntitle: P\n---\n",
                      "themes/brand/theme.yaml": "extends: default\n",
                      "themes/brand/templates/page.html":
                          "{% extends 'base.html' %}{% block content %}<img src=\"{{ asset('img/hero.png') }}\">"
                          "{% endblock %}"}, config="title: T\ntheme: brand\n")
    (site.root / "themes/brand/templates/partials").symlink_to(shared / "partials")
    (site.root / "themes/brand/static").mkdir()
    (site.root / "themes/brand/static/img").symlink_to(shared / "img")
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "<footer>v1</footer>" in site.read("p/index.html")
    assert any(path.startswith("assets/img/hero.") for path in site.output_files())
    # The shared partial changes: every page shows the new one, as a clean build would.
    (shared / "partials/site_footer.html").write_text("<footer>v2</footer>\n", "utf-8")
    assert site.build().exit_code == 0
    assert "<footer>v2</footer>" in site.read("p/index.html")
    assert "<footer>v2</footer>" in site.read("index.html")


def test_a_language_with_a_few_strings_writes_dates_with_english_month_names(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A"),  # date: 1986-07
                      "content/timeline/1976.yaml": "date: 1976-04-01\ntitle: Le premier pot\n",
                      "themes/default/strings/de.yaml": "skip: Zum Inhalt springen\n"},
                     config="title: T\nlanguage: de\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    page = site.read("memories/a/index.html")
    assert "Zum Inhalt springen" in page and ">July 1986<" in page
    assert "1 April 1976" in site.read("timeline/index.html")
    assert "7 1986" not in site.all_output_text() and "4 1976" not in site.all_output_text()


def test_stylesheets_importing_each_other_name_their_hashed_files(make_site) -> None:
    site = make_site({"content/pages/p.md": "---\ntitle: P\n---\n",
                      # a.css sorts before the files it imports, which are hashed first all the same.
                      "themes/default/static/css/a.css": '@import url("b.css");\n@import "parts/c.css";\nbody{}\n',
                      "themes/default/static/css/b.css": ".b{background:url(../img/i.png)}\n",
                      "themes/default/static/css/parts/c.css": '@import "../a.css";\n.c{}\n',  # a cycle
                      "themes/default/static/img/i.png": b"png"})
    assert site.build().exit_code == 0
    files = site.output_files()
    name = {path.split("/")[-1].split(".")[0]: path for path in files if path.startswith("assets/")}
    a = files[name["a"]].decode()
    assert f'@import url("{name["b"].removeprefix("assets/css/")}");' in a
    assert f'@import "{name["c"].removeprefix("assets/css/")}";' in a
    assert f"url(../img/{name['i'].split('/')[-1]})" in files[name["b"]].decode()
    assert '@import "../a.css";' in files[name["c"]].decode()  # left as written: it cannot name its own hash


@pytest.mark.parametrize("extends", ['""', ".", "./", "../outside", "default/../../outside"])
def test_extends_that_names_no_theme_is_an_error_at_its_line(make_site, extends: str) -> None:
    site = make_site({"content/pages/p.md": "---\ntitle: P\n---\n",
                      "themes/brand/theme.yaml": f"name: brand\nextends: {extends}\n",
                      "themes/brand/templates/page.html": "{% extends 'base.html' %}"},
                     config="title: T\ntheme: brand\n")
    result = site.build()
    assert result.exit_code == 1
    assert "themes/brand/theme.yaml:2: extends: expected a theme name" in result.stderr, result.stderr
    assert "internal error" not in result.output


@pytest.mark.parametrize("theme", ["../outside", "a/../../outside", "absolute"])
def test_a_theme_from_outside_the_site_is_an_error_at_its_line(make_site, tmp_path: Path, theme: str) -> None:
    # It was used, and no rebuild looked at it again: an edit to it left the site as it was.
    outside = tmp_path / "outside"
    shutil.copytree(REPO / "themes/default", outside)
    theme = str(outside) if theme == "absolute" else theme
    site = make_site({"content/pages/p.md": "---\ntitle: P\n---\n", "themes/a/theme.yaml": "name: a\n"},
                     config=f"title: T\ntheme: {theme}\n")
    result = site.build()
    assert result.exit_code == 1
    assert f"storysite.yaml:2: theme '{theme}' is not a theme name" in result.stderr, result.stderr
    assert "link it into themes/" in result.stderr


def test_a_stylesheet_naming_a_file_the_theme_lacks_is_a_warning_at_its_line(make_site) -> None:
    # Left as written, it loaded nothing (a 404 on every page) and no one was told.
    site = make_site({"content/pages/p.md": "---\ntitle: P\n---\n",
                      "themes/default/static/img/here.png": b"png",
                      "themes/default/static/css/brand.css": (
                          ".a{background:url(../img/here.png)}\n"
                          ".b{background:url('../img/gone.png')}\n"
                          "@import \"missing.css\";\n"
                          ".c{background:url(data:image/gif;base64,R0lGOD)} .d{mask:url(#m)}\n"
                          ".f{background:url(/x.png)}\n")})
    result = site.build()
    assert result.exit_code == 0, result.output
    said = [line for line in result.stderr.splitlines() if "is not a file of the theme" in line]
    assert said == [
        "themes/default/static/css/brand.css:2: warning: '../img/gone.png' is not a file of the theme "
        "(looked for static/img/gone.png); the page loads nothing there",
        "themes/default/static/css/brand.css:3: warning: 'missing.css' is not a file of the theme "
        "(looked for static/css/missing.css); the page loads nothing there",
    ], result.stderr
