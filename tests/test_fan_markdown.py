"""Fan texts of plain paragraphs skip the Markdown parser: the shortcut must give what
the parser gives, byte for byte, for every text it takes, and leave it every other text."""

from __future__ import annotations

import io
import random

import pytest
from markdown_it.parser_inline import ParserInline
from markdown_it.rules_inline import StateInline
from PIL import Image

from storysite.markdown import _plain_paragraphs, _render_fan_with_parser, render_fan_markdown
from tests.conftest import memory

# Pieces of text, most of them harmless, some with a meaning in Markdown or odd whitespace.
PIECES = [
    "Le", "été", "chocolat", "Œuf", "x", " ", " ", " ", "\n", "\n", "\n\n", "\n\n\n", "-", "1", "1986.", "2)",
    ")", "(", "'", '"', "!", "?", ":", ";", ",", ".", "…", "—", "–", "«", "»", "’", "“", "”", "%", "/",
    "[", "]", "*", "_", "#", "|", "&", "&amp;", "<", ">", "`", "~", "=", "+", "\\", "$", "@", "{", "^",
    "  ", "    ", "\t", "\u00a0", "\u2028", "\u3000", "\r", "\x00", "\u0301", "½", "²", "http://exemple.fr",
    "mailto:a@b.fr", "![x](y)", "[lien](https://exemple.fr)", "***", "===", "---", "> ", "# ",
]


SAFE = [piece for piece in PIECES if _plain_paragraphs("a" + piece + "a") is not None]


def _texts(seed: int, count: int) -> list[str]:
    """Texts of random pieces: every other one made of harmless pieces but for a rare odd one,
    so that a good share of them is plain, and the odd ones sit in every position."""
    chooser = random.Random(seed)
    texts = []
    for number in range(count):
        pool = PIECES if number % 2 else [*SAFE, chooser.choice(PIECES)]
        weights = [8 if piece.isalpha() else 1 for piece in pool]
        texts.append("".join(chooser.choices(pool, weights, k=chooser.randint(0, 40))))
    return texts


def test_the_shortcut_renders_exactly_what_the_parser_renders() -> None:
    plain = 0
    for text in _texts(20261123, 4000):
        assert render_fan_markdown(text, 1) == _render_fan_with_parser(text), repr(text)
        plain += _plain_paragraphs(text) is not None
    # The comparison means something only if the shortcut was taken, and not always.
    assert 500 < plain < 3500


@pytest.mark.parametrize("text", [
    "Un été à Lyon.\nLe goûter, « les tartines » !\n\nDeuxième paragraphe : 100 % chocolat, l'après-midi…",
    "Il a dit \"bonjour\" (enfin, presque) — puis 3/4 d’heure plus tard…\n",
    "\n\nDes lignes vides avant et après.\n\n\n\nEt entre deux paragraphes.   \n\n",
    "Œuvre, ½ pot, 2² — Ωmega, naïve, 東京",
])
def test_plain_paragraphs_take_the_shortcut(text: str) -> None:
    assert _plain_paragraphs(text) is not None
    assert render_fan_markdown(text, 1) == _render_fan_with_parser(text)


@pytest.mark.parametrize("text", [
    "1986. Une année\nà retenir",  # an ordered list
    "- une liste", "Titre\n===", "Titre\n---", "# Titre", "> citation", "| a | b |\n|---|---|",
    "ligne  \ncassée",  # two spaces: a hard break
    "ligne\\\ncassée", "    du code", "  indenté", "*gras*", "_souligné_", "un [lien](https://exemple.fr)",
    "&eacute;", "<b>html</b>", "a\u00a0b", "a\u2028b", "e\u0301", "a\r\nb", "a\tb", "`code`", "~~barré~~",
    "a\n\n  b",
])
def test_texts_that_may_mean_more_go_to_the_parser(text: str) -> None:
    assert _plain_paragraphs(text) is None
    assert render_fan_markdown(text, 1) == _render_fan_with_parser(text)


def test_an_image_in_a_fan_text_shows_its_words_only() -> None:
    rendered = render_fan_markdown("Voici ![le pot](https://tracker.example/t.png) et ![*la* <b>tartine</b>](p.jpg).", 1)
    assert rendered.html == "<p>Voici le pot et la &lt;b&gt;tartine&lt;/b&gt;.</p>\n"
    assert rendered.text == "Voici le pot et la <b>tartine</b>."


@pytest.mark.parametrize("depth", [20, 60, 2000])
def test_deeply_nested_quotes_and_lists_lose_no_words(depth: int) -> None:
    quotes = "avant\n\n" + "> " * depth + "tout au fond\n\naprès\n"
    lists = "avant\n\n" + "".join("  " * i + f"- niveau{i}\n" for i in range(depth)) + "\naprès\n"
    for text in (quotes, lists):
        html = render_fan_markdown(text, 1).html
        assert "tout au fond" in html or f"niveau{depth - 1}" in html
        assert "après" in html and "avant" in html


@pytest.mark.parametrize("note", ["Mamie", "  mamie 'en 1986'", "Chez mamie, en 1986."])
def test_a_fans_footnote_is_shown_as_written_never_dropped(note: str) -> None:
    # Fans get no footnotes; "[^1]: Mamie" was taken for a link's definition and vanished.
    html = render_fan_markdown(f"Le goûter[^1] du dimanche.\n\n[^1]:{note}\n", 1).html
    assert "[^1]" in html and note.split()[0] in html, html
    assert html.count("<p>") == 2 and "<a " not in html


def test_a_fans_link_definitions_still_work() -> None:
    html = render_fan_markdown("Voir [le site][1] et [ici][x].\n\n[1]: https://example.org\n[x]: /local\n", 1).html
    assert html == '<p>Voir <a href="https://example.org" rel="nofollow ugc noopener">le site</a> et ici.</p>\n'


@pytest.mark.parametrize("url", ["https://user:pass@evil.example/", "https://maison-tartine.fr@evil.example/promo",
                                 "HTTPS://a%40b@evil.example/", "https:\\\\maison.fr@evil.example/"])
def test_a_fans_link_that_names_a_user_before_its_host_shows_its_words_only(url: str) -> None:
    # Such a link reads as the brand's address and leads elsewhere.
    html = render_fan_markdown(f"Voir [la promo]({url}) et <{url}>.", 1).html
    assert "<a " not in html and "evil" not in html.replace(url, ""), html
    assert "la promo" in html


def test_a_fans_link_with_an_at_sign_after_its_host_or_a_mail_address_is_kept() -> None:
    html = render_fan_markdown("[a](https://example.org/@josette) [b](https://example.org/?to=a@b.fr) "
                               "[c](mailto:fan@example.org)", 1).html
    assert html.count("<a ") == 3, html


@pytest.mark.parametrize("pattern", ["[", "![", "[*"])
def test_a_text_of_brackets_is_read_a_few_times_not_a_hundred(pattern: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every "[" is tried as a link's start, and the words after it scanned as deep as links may
    # nest, a step each: at a hundred levels, 1 MB of "![" (a fan's form sends that) took two
    # minutes of every build and check.
    steps = 0
    skip_token = ParserInline.skipToken

    def counted(self: ParserInline, state: StateInline) -> None:
        nonlocal steps
        steps += 1
        skip_token(self, state)

    monkeypatch.setattr(ParserInline, "skipToken", counted)
    text = pattern * (20_000 // len(pattern))
    html = render_fan_markdown(text, 1).html
    assert steps < 50 * len(text), steps
    assert html.count("[") == text.count("[") and html.count("!") == text.count("!")


def test_links_and_emphasis_nested_past_the_limit_lose_no_words() -> None:
    link = "](https://example.org)"
    html = render_fan_markdown("[" * 30 + "*a*" + link * 30 + " fin", 1).html
    assert html == (f'<p>{"[" * 29}<a href="https://example.org" rel="nofollow ugc noopener"><em>a</em></a>'
                    f"{link * 29} fin</p>\n")


def test_an_image_in_a_memorys_text_is_dropped_with_a_warning_at_its_line(make_site) -> None:
    # A fan's text shows no image (no request to another site, no photo that skipped the image
    # pipeline), but editors must hear of it, at its line, with what to write instead: the
    # memory's photos go under media:. Each image once, however often it is written.
    site = make_site({
        "content/memories/a.md": memory("A", body="Intro.\n\n![](x.jpg) puis ![](x.jpg)\nEt ![le pot](https://tracker.example/t.png)\n"),
        # A memory with media is validated by the build itself, not a parse worker.
        "content/memories/b/index.md": memory("B", body="![une photo](photo.jpg)", extra="media:\n  - {src: p.jpg, alt: Un pot}\n"),
        "content/memories/b/p.jpg": _jpeg(),
        "content/memories/c.yaml": "title: C\nstatus: approved\nconsent: {granted: 2020-01-01}\ntext: |\n  Un.\n\n  ![](z.jpg)\n",
        "content/memories/d.md": memory("D", status="submitted", body="![](y.jpg)"),
        "content/memories/e.md": memory("E", body="Sans image, mais ! [un crochet](https://example.org)"),
    })
    result = site.build()
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "in the text is not published" in line]
    # The text starts on line 10 of the memory files written by memory() (12 with media:).
    assert lines[0] == ("content/memories/a.md:12: warning: image 'x.jpg' in the text is not published (a memory's "
                        "text shows no images, only their alt text); to show it, list the photo under media: "
                        "(- src: x.jpg, alt: what it shows) and take it out of the text")
    assert lines[1].startswith("content/memories/a.md:13: warning: image 'https://tracker.example/t.png' in the text "
                               "is not published") and "save the photo beside the memory, list it under media:" in lines[1]
    assert lines[2].startswith("content/memories/b/index.md:12: warning: image 'photo.jpg'")
    assert lines[3].startswith("content/memories/c.yaml:5: warning: image 'z.jpg'")  # a YAML text: its first line
    assert lines[4].startswith("content/memories/d.md:10: note: image 'y.jpg'") and lines[4].endswith(
        "(this memory is not published)")
    assert len(lines) == 5, result.output
    # Dropped as before: its alt text only.
    page = site.read("memories/a/index.html")
    assert "<p> puis \nEt le pot</p>" in page and "tracker.example" not in page and "x.jpg" not in page
    assert "photo.jpg" not in site.read("memories/b/index.html")
    # Reported again by a build that has nothing to do, and by check, once each.
    assert site.build().output.count("in the text is not published") == 5
    assert site.check().output.count("in the text is not published") == 5


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 40), (123, 63, 0)).save(buffer, "JPEG")
    return buffer.getvalue()
