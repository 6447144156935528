"""Themes: overrides, inheritance, strings, assets."""

from __future__ import annotations

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
