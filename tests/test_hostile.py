"""Fan text is untrusted: hostile input is inert in pages, feeds, JSON-LD and meta tags."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from tests.conftest import MINIMAL_CONFIG, memory

ATTACKS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    "\"><svg onload=alert(3)>",
    "</script><script>alert(4)</script>",
    "&lt;script&gt;alert(5)&lt;/script&gt;",
    "{{ 7*7 }}{% raw %}",
]
BODY = """\
<script>alert('body')</script>
<img src=x onerror=alert('img')>
[clic](javascript:alert('js'))
[clic2](JaVaScRiPt:alert('js2'))
[clic3](&#106;avascript:alert('entity'))
[clic4](java&#9;script:alert('tab'))
[data](data:text/html;base64,PHNjcmlwdD4=)
[vb](vbscript:msgbox)
<a href="javascript:alert('raw')">raw</a>
![pixel](https://tracker.example/p.gif)
[ok](https://example.org/ok) [mail](mailto:a@example.org)
<iframe src="https://evil.example"></iframe>
"""


def hostile_memory(attack: str) -> str:
    quoted = json.dumps(attack)  # a YAML-safe quoted string
    return (
        f"---\ntitle: {quoted}\ndate: 1986\nstatus: approved\n"
        f"author: {{id: f1, display: {quoted}, location: {quoted}}}\n"
        f"consent: {{granted: 2020-01-01, scope: [site, share]}}\n"
        f"tags: [{quoted}]\ndescription: {quoted}\ndate_display: {quoted}\n---\n{BODY}"
    )


class _Elements(HTMLParser):
    """Collects the elements and attributes a browser would build from a document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))


def assert_inert(path: str, text: str) -> None:
    parser = _Elements()
    parser.feed(text)
    for tag, attrs in parser.elements:
        assert tag not in ("iframe", "svg", "object", "embed"), (path, tag)
        if tag == "script":
            # JSON-LD, or a script file of the theme (hashed under /assets/js/), never anything else.
            theme_script = attrs.get("src", "").startswith("/assets/js/") and "type" not in attrs
            assert attrs.get("type") == "application/ld+json" or theme_script, (path, attrs)
        if tag == "img":
            assert attrs.get("src") != "x", (path, attrs)
        for name, value in attrs.items():
            assert not name.startswith("on"), (path, tag, name)
            if name in ("href", "src", "action", "formaction"):
                scheme = re.sub(r"[\x00-\x20]", "", value).lower().split(":", 1)[0]
                assert scheme not in ("javascript", "data", "vbscript"), (path, tag, value)


@pytest.mark.parametrize("attack", ATTACKS)
def test_hostile_fan_text_is_escaped_everywhere(make_site, attack: str) -> None:
    site = make_site({
        "content/memories/x.md": hostile_memory(attack),
        "content/campaigns/c.md": "---\ntitle: C\n---\n::: memory x\n:::\n",
    })
    result = site.build()
    assert result.exit_code == 0, result.output
    documents = {p: d.decode("utf-8") for p, d in site.output_files().items() if p.endswith(".html")}
    feed = ET.fromstring(site.read("feed.xml"))
    for index, element in enumerate(feed.iter()):
        # Feed readers decode the XML once and then read HTML: check what they read.
        if element.tag.endswith("}content"):
            documents[f"feed.xml#{index}"] = element.text or ""
    for path, text in documents.items():
        assert_inert(path, text)
    page = site.read("memories/x/index.html")
    if "7*7" in attack:
        assert "{{ 7*7 }}{% raw %}" in page  # fan text is never evaluated as a template
    assert 'href="https://example.org/ok"' in page
    assert 'href="mailto:a@example.org"' in page
    assert "src=\"https://tracker.example" not in page  # fan images are dropped: no third-party request


def test_json_ld_survives_script_breakouts(make_site) -> None:
    site = make_site({"content/memories/x.md": hostile_memory("</script><script>alert(1)</script>")})
    assert site.build().exit_code == 0
    html = site.read("memories/x/index.html")
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    assert json.loads(blocks[0])["name"] == "</script><script>alert(1)</script>"


def test_feed_and_sitemap_stay_well_formed_xml(make_site) -> None:
    site = make_site({"content/memories/x.md": hostile_memory("<b>&amp; ]]> \"'")})
    assert site.build().exit_code == 0
    feed = ET.fromstring(site.read("feed.xml"))
    title = feed.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}title")
    assert title is not None and title.text == "<b>&amp; ]]> \"'"
    ET.fromstring(site.read("sitemap.xml"))


def test_fan_html_is_escaped_even_when_editors_may_use_html(make_site) -> None:
    site = make_site({
        "content/memories/x.md": hostile_memory("Titre"),
        "content/pages/p.md": "---\ntitle: P\n---\n<div class=\"encart\">HTML d'éditeur</div>\n",
    }, config="title: T\nmarkdown: {editorial_html: true}\n")
    assert site.build().exit_code == 0
    assert '<div class="encart">' in site.read("p/index.html")
    memory_page = site.read("memories/x/index.html")
    assert "&lt;script&gt;" in memory_page and "<script>alert" not in memory_page


def test_editor_html_is_escaped_by_default(make_site) -> None:
    site = make_site({"content/pages/p.md": "---\ntitle: P\n---\n<script>alert(1)</script>\n"})
    assert site.build().exit_code == 0
    assert "<script>alert" not in site.read("p/index.html")


def test_zalgo_piles_are_cut_down_with_a_warning_and_real_scripts_kept(make_site) -> None:
    # Marks piled by the dozen on one letter are drawn over the lines around them (across the
    # theme and other fans' memories); writing systems need a few at most.
    zalgo = "Z" + "\u0336\u0317" * 20 + "algo"
    eight, nine = "e" + "\u0301" * 8, "o" + "\u0302" * 9
    vietnamese = "Vie\u0323\u0302t Nam"  # decomposed: two marks on the e
    hebrew = "\u05d1\u05bc\u05b0\u0591\u05e8\u05b5\u05d0\u05e9\u05b4\u05c1\u05d9\u05ea"  # niqqud and cantillation
    tibetan = "\u0f56\u0f66\u0f92\u0fb2\u0f74\u0f56\u0f66"  # three stacked below
    body = f"Premier paragraphe.\n\n{zalgo} puis {vietnamese}, {hebrew}, {tibetan}, {eight} et {nine}.\n"
    site = make_site({"content/memories/z.md": memory(zalgo, body=body, extra=f"tags: [\"{zalgo}\", plage]\n")})
    result = site.build()
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if "piled on one letter" in line]
    assert any(line.startswith("content/memories/z.md:2: warning: title: has 40 combining marks") for line in warnings)
    assert any(line.startswith("content/memories/z.md:") and "tags: has 40" in line for line in warnings)
    # One warning for the text, at the line of its longest pile.
    assert any(line.startswith("content/memories/z.md:13: warning: the text has 40 combining marks")
               for line in warnings), warnings
    assert len(warnings) == 3, warnings
    page = (site.public / "memories/z/index.html").read_text("utf-8")
    assert "Z" + "\u0336\u0317" * 4 + "algo" in page and "\u0336\u0317" * 5 not in page
    for kept in (vietnamese, hebrew, tibetan, eight):
        assert kept in page
    assert "o" + "\u0302" * 9 not in page and "o" + "\u0302" * 8 + "." in page
    assert "\u0336\u0317" * 5 not in site.all_output_text()


def test_a_zalgo_pile_split_by_control_characters_is_warned_about_too(make_site) -> None:
    # Cleaning drops the control character, joining two piles of five into one of ten.
    written = "e" + "\u0301" * 5 + "\\x01" + "\u0301" * 5 + "t"  # \x01 as YAML escapes it
    site = make_site({"content/memories/a.md": memory("A", extra=f'description: "{written}"\n')})
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "description: has 10 combining marks" in result.output
    assert "e" + "\u0301" * 8 + "t" in site.read("memories/a/index.html")


def test_a_zalgo_pile_in_a_yaml_text_is_reported_at_the_texts_first_line(make_site) -> None:
    # A folded text's lines are not the file's: its first line is never wrong.
    pile = "Z" + "\u0336" * 12
    site = make_site({"content/memories/list.yaml": (
        "- title: Un\n  status: approved\n  date: 1990\n  consent: {granted: 2020-01-01}\n"
        f"  text: >\n    Une ligne\n    repliée.\n\n    Puis {pile} ici.\n")})
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "content/memories/list.yaml:6: warning: the text has 12 combining marks" in result.output, result.output


def test_a_memory_with_thousands_of_tags_makes_only_the_first_fifty_tag_pages(make_site) -> None:
    # A pasted word list, or a hostile submission: every tag made a page and a feed (20,000
    # tags on one memory made 40,010 pages). Past limits.max_tags (50 by default), a warning at
    # the memory's tags line, and only the first ones are used, everywhere.
    tags = [f"mot{n:04d}" for n in range(3000)]
    site = make_site({"content/memories/a.md": memory("Liste", extra=f"tags: [{', '.join(tags)}]\n"),
                      "content/memories/b.md": memory("Autre", extra="tags: [mot0001, goûter]\n"),
                      "content/memories/draft.md": memory("Brouillon", status="submitted",
                                                          extra=f"tags: [{', '.join(tags[:60])}]\n")})
    result = site.build()
    assert result.exit_code == 0, result.output
    assert ("content/memories/a.md:9: warning: tags: 3,000 tags, more than limits.max_tags (50) in storysite.yaml; "
            "only the first 50 are used (each tag makes a page and a feed)") in result.stderr, result.stderr
    # An unpublished memory's: a note (nothing of it is published; --strict is not failed by it).
    assert ("content/memories/draft.md:9: note: tags: 60 tags, more than limits.max_tags (50) in storysite.yaml; "
            "only the first 50 are used (each tag makes a page and a feed) (this memory is not published)") in result.stderr
    files = site.output_files()
    pages = sorted(path for path in files if path.startswith("tags/") and path.endswith("/index.html")
                   and path != "tags/index.html")
    assert pages == sorted([f"tags/{t}/index.html" for t in tags[:50]] + ["tags/gouter/index.html"])
    page = site.read("memories/a/index.html")
    assert "mot0049" in page and "mot0050" not in page
    assert not any(b"mot0050" in data or b"mot2999" in data for data in files.values())
    assert site.build("--strict").exit_code == 1  # a published memory's warning fails --strict


def test_the_tag_limit_is_set_in_the_config_and_checked_there(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("Liste", extra="tags: [un, deux, trois, quatre]\n")},
                     config=MINIMAL_CONFIG + "limits: {max_tags: 3}\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "content/memories/a.md:9: warning: tags: 4 tags, more than limits.max_tags (3)" in result.stderr
    assert {p for p in site.output_files() if p.startswith("tags/") and p.endswith("/index.html") and p.count("/") == 2} == {
        "tags/un/index.html", "tags/deux/index.html", "tags/trois/index.html"}
    site.write("storysite.yaml", MINIMAL_CONFIG + "limits: {max_tags: 0}\n")
    result = site.build()
    assert result.exit_code == 1
    assert "storysite.yaml:4: limits.max_tags: expected a whole number from 1 to 1000, got 0" in result.stderr
