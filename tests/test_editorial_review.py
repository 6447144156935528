"""Found by a black-box review of the editors' side: pages, campaigns, galleries, the timeline."""

from __future__ import annotations

import re

import pytest

from tests.conftest import memory

LONG_LINE = "une ligne de code très longue qui ne devrait jamais pousser la page sur le côté " * 3


@pytest.mark.browser
def test_a_code_block_never_makes_a_page_scroll_sideways(make_site, browser, static_server) -> None:
    # A fenced block in an editor's page, and a fan's line indented by four spaces (pasted text
    # often is), are <pre>: with no style of their own, one long line made a 320 px page scroll.
    site = make_site({
        "content/pages/p.md": f"---\ntitle: P\n---\nIntro.\n\n```\n{LONG_LINE}\n```\n",
        "content/memories/m.md": memory("M", body=f"Intro.\n\n    {LONG_LINE}\n"),
    })
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "<pre><code>" in site.read("p/index.html") and "<pre><code>" in site.read("memories/m/index.html")
    base = static_server(site.public)
    context = browser.new_context(viewport={"width": 320, "height": 700})
    page = context.new_page()
    try:
        for path in ("/p/", "/memories/m/"):
            page.goto(f"{base}{path}")
            widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            assert widths[0] <= widths[1], (path, widths)
    finally:
        context.close()


def test_headings_of_two_milestones_keep_an_id_each(make_site) -> None:
    # Each milestone's text was rendered alone, so two with one "## Contexte" gave the
    # timeline's pages two id="contexte" (an error for the HTML checker, a link to the first).
    text = "date: {date}\ntitle: {title}\ntext: |\n  ## Contexte\n\n  Texte.\n"
    site = make_site({
        "content/timeline/a.yaml": text.format(date=1991, title="A"),
        "content/timeline/b.yaml": text.format(date=1992, title="B"),
    })
    result = site.build()
    assert result.exit_code == 0, result.output
    for path in ("timeline/index.html", "timeline/1990s/index.html"):
        ids = re.findall(r' id="([^"]*)"', site.read(path))
        assert len(ids) == len(set(ids)), path
        assert 'id="milestone-a--contexte"' in site.read(path) and 'id="milestone-b--contexte"' in site.read(path)


def test_a_block_written_on_one_line_says_where_its_closing_goes(make_site) -> None:
    # Hugo's shortcodes close on their line; a block's ':::' goes below it. Written on one line,
    # the block is reported once, at its line, with the fix, not as unclosed, nor the next
    # block as nested in it.
    page = "---\ntitle: P\n---\nAvant.\n\n::: memory a :::\n\nEntre.\n\n::: memory a\n:::\n"
    site = make_site({"content/memories/a.md": memory("A"), "content/pages/p.md": page})
    result = site.build()
    assert result.exit_code == 1
    assert ("content/pages/p.md:6: '::: memory a :::': a block's closing ':::' goes on a line of its own"
            in result.stderr), result.stderr
    assert "nested" not in result.stderr and "not closed" not in result.stderr
