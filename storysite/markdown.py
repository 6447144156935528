"""Markdown to safe HTML, keeping source lines for ``:::`` blocks and errors.

Two flavours, both pure functions of their text:

- fan text (memories): raw HTML escaped, images dropped (no third-party
  request can hide in a memory), only ``http``, ``https`` and ``mailto``
  links kept, and those marked ``rel="nofollow ugc noopener"``; a refused
  link shows its words only, never its raw Markdown; a table is put in a
  scroll box whose name (in the site's language) is left as a placeholder,
  filled when its page is made (:func:`fill_table_labels`);
- editorial text (pages, campaigns): raw HTML only when the site opts in,
  relative links allowed (but not ones that climb above the site root), and
  ``::: name args`` blocks, which become placeholders for the render stage.
  Images of the site itself (``![alt](photo.jpg)``, relative to the file, or
  ``/``-rooted) become placeholders too: internal ``image`` blocks, which the
  render stage fills with the image pipeline's ``<picture>``
  (:mod:`storysite.bodyimages`).
"""

from __future__ import annotations

import functools
import hashlib
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from html import escape, unescape
from typing import Any
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock, reference
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.anchors.index import slugify as anchor_slug
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

from storysite.diagnostics import Diagnostic, error, warning
from storysite.textclean import drop_bidi

BLOCK_NAMES = ("memory", "gallery", "label", "timeline")
IMAGE_BLOCK = "image"
"""The internal block an editorial image becomes: args are (src as written, alt, title)."""
FAN_SCHEMES = ("http", "https", "mailto")
EDITORIAL_SCHEMES = ("http", "https", "mailto", "tel")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
# Browsers drop these from URLs before reading the scheme ("java\tscript:").
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]")


def block_marker(index: int) -> str:
    """The placeholder a ``:::`` block leaves in rendered HTML.

    Markdown input cannot contain NUL (markdown-it replaces it), so no text
    can forge a marker.
    """
    return f"\x00block:{index}\x00"


BLOCK_MARKER = re.compile(r"\x00block:(\d+)\x00")


@dataclass(frozen=True, slots=True)
class BlockRef:
    """A ``::: name args`` block found at ``line`` of the source file."""

    index: int
    name: str
    args: tuple[str, ...]
    line: int


@dataclass(frozen=True, slots=True)
class RenderedMarkdown:
    """Safe HTML (with block placeholders), the blocks it holds, and its plain text."""

    html: str
    blocks: tuple[BlockRef, ...]
    text: str
    links: tuple[tuple[str, int], ...] = ()
    """Links to the site's own pages or files, as written, with their lines (editorial texts)."""
    web_links: tuple[tuple[str, int], ...] = ()
    """Links written as whole http(s) addresses, with their lines (editorial texts): those that
    name the site's own address are checked as its own pages are."""
    web_images: tuple[tuple[str, int], ...] = ()
    """Images named by a whole http(s) address, with their lines (editorial texts): a visitor's
    browser would load them from that host, which is an error unless the site allows it."""


def link_scheme(url: str) -> str | None:
    """The scheme a browser would see in ``url``, lower-cased, or ``None`` if relative."""
    cleaned = _URL_NOISE.sub("", unquote(url))
    match = _SCHEME.match(cleaned)
    if match is None:
        return None
    before = cleaned[: match.end()]
    if any(c in before for c in "/?#"):
        return None
    return match.group(1).lower()


def _fan_link_ok(url: str) -> bool:
    scheme = link_scheme(url)
    return scheme in FAN_SCHEMES and not (scheme != "mailto" and _names_a_user(url))


def _names_a_user(url: str) -> bool:
    """Whether a web address carries a user name before its host
    (``https://maison-tartine.fr@evil.example/`` leads to evil.example): how a link
    passes itself off as the brand's."""
    cleaned = _URL_NOISE.sub("", unquote(url))
    after_scheme = cleaned.partition(":")[2].lstrip("/\\")  # browsers take any number of slashes
    return "@" in re.split(r"[/\\?#]", after_scheme, maxsplit=1)[0]


def _any_link(url: str) -> bool:
    return True


def _editorial_link_ok(url: str) -> bool:
    scheme = link_scheme(url)
    return scheme is None or scheme in EDITORIAL_SCHEMES


# Quotes and lists nested deeper than this are not parsed (markdown-it drops what lies
# beyond its limit, and Python's stack bounds it): such a text is shown as plain text.
MAX_NESTING = 100


# A fan text's inline Markdown (links, emphasis) nests no deeper than this, markdown-it's own
# CommonMark default: the link rule tries every "[" as a link's start, and scans up to this many
# levels of brackets inside it, so that at MAX_NESTING a text of 1 MB of "[" or "![" (which a
# fan's form may send) took two minutes of every build and check, published or not. Beyond it,
# the rest is shown as text (nothing is lost).
FAN_INLINE_NESTING = 20


def _too_deep(tokens: list[Token]) -> int | None:
    """The source line (0-based) where ``tokens`` reach the nesting limit, if they do."""
    for token in tokens:
        if token.level >= MAX_NESTING - 1:
            return token.map[0] if token.map else 0
    return None


def _as_plain_text(source: str) -> RenderedMarkdown:
    """A text rendered as its very words: paragraphs of escaped text, nothing dropped."""
    # As markdown-it reads it: Windows line breaks as one, NUL as U+FFFD (it would forge a block marker).
    source = source.replace("\r\n", "\n").replace("\x00", "\ufffd")
    paragraphs = [p.strip("\n") for p in re.split(r"\n[ \t]*\n", source) if p.strip()]
    html = "".join(f"<p>{escape(paragraph)}</p>\n" for paragraph in paragraphs)
    return RenderedMarkdown(html, (), " ".join(" ".join(p.split()) for p in paragraphs))


# The ids the bundled theme gives its own elements: a heading "Main" must not take the id the
# skip link leads to (two elements with one id, and the link goes to the heading).
THEME_IDS = frozenset({"main", "hero-title", "latest-title", "featured-title", "tags-title", "decades-title",
                       "campaigns-title", "label-status", "label-others-title", "tl-tag"})


# The ids it makes from data, for blocks a page may embed: a year or a decade of the timeline
# (``1986``, ``1980s``, ``1980s-title``), an entry (``milestone-…``, ``memory-…``), a label's
# zone (``label-…``), a gallery (``gallery-…``).
_THEME_ID_PATTERN = re.compile(r"\d+s?(?:-title)?|(?:milestone|memory|label|gallery)-.*")


def _heading_id(title: str) -> str:
    """A heading's id, as the anchors plugin makes it, never one the bundled theme uses."""
    slug = anchor_slug(title)
    return f"{slug}-section" if slug in THEME_IDS or _THEME_ID_PATTERN.fullmatch(slug) else slug


# The deepest heading a text may sit under: its own headings start one level below, at h6 at most.
MAX_HEADING_LEVEL = 5


@functools.lru_cache(maxsize=8)
def _parser(editorial: bool, allow_html: bool, heading_level: int = 1) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": allow_html and editorial, "linkify": False, "typographer": False,
                                   "maxNesting": MAX_NESTING})
    md.enable(["table", "strikethrough"])
    md.core.ruler.push("storysite_headings", functools.partial(_shift_headings_rule, heading_level=heading_level))
    if editorial:
        # Every link and image is parsed, so that a refused one is an error at its line
        # rather than its raw Markdown shown on the page.
        md.validateLink = _any_link  # type: ignore[method-assign]
        container_plugin(md, "block", validate=lambda params, *args: True)
        # The text's first two levels get ids, whatever heading the text sits under.
        anchors_plugin(md, min_level=heading_level + 1, max_level=min(heading_level + 2, 6), slug_func=_heading_id)
        md.core.ruler.push("storysite_heading_id_prefix", _prefix_heading_ids)
        # What editors coming from Hugo or MkDocs write: notes[^1] and definition lists.
        footnote_plugin(md)
        deflist_plugin(md)
    else:
        # Every link and image is parsed, so that a refused one shows its words rather than
        # its raw Markdown; render_fan_markdown then keeps only the safe links, and no image.
        md.validateLink = _any_link  # type: ignore[method-assign]
        md.core.ruler.at("inline", _fan_inline)
        # Fans get no footnotes: a note of one word ("[^1]: Mamie") would be taken for a
        # link's definition and vanish; it is shown as written.
        md.block.ruler.at("reference", _reference_but_no_note)
    md.add_render_rule("storysite_block", _render_block)
    md.add_render_rule("table_open", _render_table_open)
    md.add_render_rule("table_close", _render_table_close)
    return md


@functools.lru_cache(maxsize=1)
def _fan_inline_parser() -> MarkdownIt:
    """The fan parser's twin for inline Markdown: its rules, nesting at most :data:`FAN_INLINE_NESTING`."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False,
                                   "maxNesting": FAN_INLINE_NESTING})
    md.enable(["table", "strikethrough"])
    md.validateLink = _any_link  # type: ignore[method-assign]
    return md


def _fan_inline(state: StateCore) -> None:
    """markdown-it's inline stage, run by :func:`_fan_inline_parser` (the block stage keeps
    :data:`MAX_NESTING`, for quotes and lists)."""
    inline = _fan_inline_parser()
    for token in state.tokens:
        if token.type == "inline":
            if token.children is None:
                token.children = []
            inline.inline.parse(token.content, inline, state.env, token.children)


def _reference_but_no_note(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """markdown-it's link reference definitions, except a footnote's (``[^1]: ...``)."""
    start = state.bMarks[start_line] + state.tShift[start_line]
    if state.src.startswith("[^", start):
        return False
    return reference(state, start_line, end_line, silent)


def _prefix_heading_ids(state: Any) -> None:
    """Put ``env["heading_id_prefix"]``, if any, before every heading's id: the anchors
    plugin makes ids unique within one text only, and a page showing several texts (the
    timeline's milestones) would otherwise hold one ``id="contexte"`` per text."""
    prefix = state.env.get("heading_id_prefix") if isinstance(state.env, dict) else None
    if not prefix:
        return
    for token in state.tokens:
        if token.type == "heading_open" and (heading_id := token.attrGet("id")):
            token.attrSet("id", f"{prefix}{heading_id}")


def _render_block(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return block_marker(int(tokens[idx].meta["index"])) + "\n"


TableLabel = Callable[[str], str]
"""The accessible name of a table's scroll box, given the table's column headings ("Année, Prix")
or nothing, in the site's language."""


def _render_table_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """A table in a box of its own that scrolls sideways when the table is wider than the
    text (a phone): squeezed, its headings would break letter by letter. The box takes the
    keyboard's focus, so that it scrolls without a mouse, and is a region named after the
    table's headings, which is what a screen reader says on reaching it."""
    label: TableLabel | None = env.get("table_label") if isinstance(env, dict) else None
    table = self.renderToken(tokens, idx, options, env)
    if label is None:
        return str(table)
    name = label(_column_headings(tokens, idx))
    return (f'<div class="table-scroll" role="region" tabindex="0" aria-label="{escape(name)}">\n'
            f"{table}")


def _render_table_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    table = str(self.renderToken(tokens, idx, options, env))
    return table + "</div>\n" if isinstance(env, dict) and env.get("table_label") is not None else table


def table_label_marker(columns: str) -> str:
    """The placeholder a fan text's table box is named by until its page is rendered (see
    :func:`fill_table_labels`): the table's column headings, between NULs, which no text can
    forge (markdown-it replaces NUL)."""
    return f"\x00table-label:{columns}\x00"


TABLE_LABEL_MARKER = re.compile("\x00table-label:([^\x00]*)\x00")


def fill_table_labels(html: str, label: TableLabel) -> str:
    """A fan text's HTML with each table's scroll box named by ``label`` (the site's language).
    A fan text is rendered once, and cached by its source alone (before the site's language or
    theme strings are known, in the parse workers): the name goes in as its page is made."""
    if "\x00" not in html:
        return html
    return TABLE_LABEL_MARKER.sub(lambda m: escape(label(unescape(m.group(1)))), html)


def _column_headings(tokens: Sequence[Token], idx: int) -> str:
    """The words of the header cells of the table opened at ``idx``, one after another."""
    cells: list[str] = []
    for token in tokens[idx + 1:]:
        if token.type == "thead_close":
            break
        if token.type == "inline":
            words = " ".join("".join(c.content for c in token.children or () if c.type in ("text", "code_inline"))
                             .split())
            if words:
                cells.append(words)
    return summarize(", ".join(cells), 100)


# Most fans write plain paragraphs: words and everyday punctuation, no Markdown at all.
# Such a text is rendered without the parser (ten times faster). The test is strict: any
# character Markdown gives a meaning to anywhere ("*", "[", "&", "<", "`", "_", "|"…), any
# whitespace but the space and the line break, a line starting with anything but a letter
# or an opening quote, bracket or dash (no list, heading or quote can start there), and a
# line ending in a space (a hard break) all send the text to the parser.
_NOT_PLAIN_ASCII = re.compile(r"[^A-Za-z0-9 \n.,;:!?'()\"/%\x80-\U0010ffff-]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_PLAIN_NON_ASCII_PUNCTUATION = frozenset("’‘“”«»—–…")
_LINE_START = r"(?:[^\W\d_]|[«“\"'‘(—–])"
_NOT_PLAIN_LINE_START = re.compile(rf"\n(?!\n|{_LINE_START})")


def _plain_paragraphs(source: str) -> list[str] | None:
    """The paragraphs of a text that Markdown would render as paragraphs of its very
    characters, or ``None`` when it might mean more."""
    source = source.lstrip("\n").rstrip(" \n")
    if (_NOT_PLAIN_ASCII.search(source) or " \n" in source or _NOT_PLAIN_LINE_START.search(source)
            or not re.match(_LINE_START, source)):
        return None
    if not source.isascii() and not all(c.isalnum() or c in _PLAIN_NON_ASCII_PUNCTUATION
                                        for c in set(_NON_ASCII.findall(source))):
        return None
    return [paragraph.strip("\n") for paragraph in source.split("\n\n") if paragraph.strip("\n")]


def render_fan_markdown(source: str, first_line: int) -> RenderedMarkdown:
    """Render fan-written Markdown: no raw HTML, no images, http(s)/mailto links only. Its tables'
    boxes are named by placeholders, for :func:`fill_table_labels`."""
    paragraphs = _plain_paragraphs(source)
    if paragraphs is not None:
        # What markdown-it gives for these texts, byte for byte (a test compares the two).
        html = "".join(f"<p>{paragraph}</p>\n" for paragraph in paragraphs).replace('"', "&quot;")
        return RenderedMarkdown(html, (), " ".join(paragraph.replace("\n", " ") for paragraph in paragraphs))
    return _render_fan_with_parser(source)


def _render_fan_with_parser(source: str) -> RenderedMarkdown:
    md = _parser(False, False)
    tokens = md.parse(source)
    if _too_deep(tokens) is not None:
        return _as_plain_text(source)
    for block in tokens:
        if block.children:
            block.children = _safe_fan_inline(block.children)
    # Tables in a scroll box as the editors' are, named later (fill_table_labels).
    html = md.renderer.render(tokens, md.options, {"table_label": table_label_marker})
    return RenderedMarkdown(html, (), _plain_text(tokens))


def fan_images(source: str) -> list[tuple[str, int]]:
    """The images a fan text names, which :func:`render_fan_markdown` leaves out of its page:
    (source as written, line of the text, 0-based), each source once, at its first line, in
    the order of the text. Found by the very parser that renders the text (a text it shows as
    plain words, nested too deep, shows its images' Markdown as words: it has none)."""
    if "![" not in source:  # (no image is written without these two characters side by side)
        return []
    tokens = _parser(False, False).parse(source)
    if _too_deep(tokens) is not None:
        return []
    found: dict[str, int] = {}
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        line = block.map[0] if block.map else 0
        for child in block.children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "image":
                for image in _images_within(child):
                    found.setdefault(str(image.attrGet("src") or ""), line)
    return list(found.items())


def _images_within(image: Token) -> Iterator[Token]:
    """An image token and those in its alt text (``![a ![b](b.jpg)](a.jpg)``), all dropped with it."""
    yield image
    for child in image.children or ():
        if child.type == "image":
            yield from _images_within(child)


def _safe_fan_inline(children: list[Token]) -> list[Token]:
    """Fan inline tokens with images and refused links reduced to their words."""
    kept: list[Token] = []
    open_links: list[bool] = []
    for child in children:
        if child.type == "image":
            # No request to anyone, and no photo that skipped the image pipeline: its words only.
            words = _image_words(child)
            if words:
                kept.append(Token("text", "", 0, content=words))
            continue
        if child.type == "link_open":
            ok = _fan_link_ok(str(child.attrGet("href") or ""))
            open_links.append(ok)
            if not ok:
                continue
            child.attrSet("rel", "nofollow ugc noopener")
        elif child.type == "link_close" and not (open_links.pop() if open_links else True):
            continue
        kept.append(child)
    return kept


def render_editorial_markdown(
    source: str, first_line: int, path: str, page_url: str, *, allow_html: bool, base_path: str = "/",
    unlinked: Callable[[str], bool] | None = None, file_urls: Mapping[str, str] | None = None,
    heading_id_prefix: str = "", heading_level: int = 1, table_label: TableLabel | None = None,
) -> tuple[RenderedMarkdown, list[Diagnostic]]:
    """Render an editor's Markdown; ``:::`` blocks become placeholders.

    ``first_line`` is the file line of the body's first line, so that block
    and link problems are reported at ``path:line``. A link from the site root
    (``/memories/…``) is put under ``base_path``, the path part of ``base_url``, so that
    a site served from a sub-path (a project's GitHub Pages) keeps its links; one that
    spells the base path out already is left as it is. ``links`` keeps them as written.
    A link for which ``unlinked`` (given the link as written) is true is rendered as its
    words only (an automatic link, whose words are its address, as nothing). A link to a
    content file (``../pages/histoire.md``, relative to ``path`` or from the site root) that
    ``file_urls`` knows leads to that item's page, as in MkDocs. ``heading_id_prefix`` goes
    before the id of each heading, for a text shown among others of its kind on one page.
    ``heading_level`` is the level of the heading the text is shown under (1: the page's
    title): the text's own headings start one level below it. With ``table_label``, each table
    is put in a box that scrolls sideways on a narrow screen, named by ``table_label``.
    """
    md = _parser(True, allow_html, max(1, min(heading_level, MAX_HEADING_LEVEL)))
    tokens = md.parse(source, {"heading_id_prefix": heading_id_prefix})
    problems: list[Diagnostic] = []
    deep = _too_deep(tokens)
    if deep is not None:
        problems.append(error(path, first_line + deep, f"quotes or lists nested more than {MAX_NESTING // 2} "
                                                       "deep: the text is shown as plain text; nest less"))
        return _as_plain_text(source), problems
    # Lines as markdown-it counts them: split at line feeds only (not at U+2028 and the like).
    tokens, blocks = _extract_blocks(tokens, source.split("\n"), first_line, path, problems)
    _extract_images(tokens, first_line, blocks)
    refused = _refused_schemes(tokens, first_line, path, problems)
    if file_urls:
        _link_files(tokens, path, file_urls)
    if refused:
        _unlink(tokens, refused.__contains__)
    if unlinked is not None:
        _unlink(tokens, unlinked)
    links: list[tuple[str, int]] = []
    web_links: list[tuple[str, int]] = []
    web_images: list[tuple[str, int]] = []
    for token in _walk(tokens):
        href = token.attrGet("href") if token.type == "link_open" else None
        if isinstance(href, str) and posixpath.normpath(href).startswith("/static/"):
            # static/ is copied to the output root: /static/logo.svg is served as /logo.svg.
            token.attrSet("href", href[len("/static"):])
        target = token.attrGet("href") if token.type == "link_open" else (
            token.attrGet("src") if token.type == "image" else None)
        if isinstance(target, str) and link_scheme(target) is None and not target.startswith("#"):
            if _climbs_above_root(target, page_url):
                problems.append(error(path, _line_in(token, tokens, first_line),
                                      f"link '{target}' points outside the site"))
            elif token.type == "link_open" and not target.startswith("//"):
                links.append((target, _line_in(token, tokens, first_line)))
                if base_path != "/" and target.startswith("/") and not (target + "/").startswith(base_path):
                    token.attrSet("href", base_path + target[1:])
            elif token.type == "link_open":  # //host/path: a whole address, in the page's scheme
                web_links.append((target, _line_in(token, tokens, first_line)))
        elif isinstance(target, str) and token.type == "link_open" and link_scheme(target) in ("http", "https"):
            web_links.append((target, _line_in(token, tokens, first_line)))
        if (isinstance(target, str) and token.type == "image"
                and (link_scheme(target) in ("http", "https") or target.startswith("//"))):
            web_images.append((target, _line_in(token, tokens, first_line)))
    # Footnotes are named after their text (fn-<id>-1): a page may hold several texts (the
    # timeline's milestones, blocks), whose notes must not share an id.
    html = md.renderer.render(tokens, md.options, {"docId": hashlib.sha256(f"{path}:{first_line}".encode()).hexdigest()[:8],
                                                   "table_label": table_label})
    return RenderedMarkdown(html, tuple(blocks), _plain_text(tokens), tuple(links), tuple(web_links),
                            tuple(web_images)), problems


def _refused_schemes(tokens: list[Token], first_line: int, path: str, problems: list[Diagnostic]) -> set[str]:
    """An error for each link or image whose scheme pages may not use (``javascript:``,
    ``file:``…); such images are reduced to their words here, the links returned."""
    refused: set[str] = set()
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        for position, child in enumerate(block.children):
            target = child.attrGet("href") if child.type == "link_open" else (
                child.attrGet("src") if child.type == "image" else None)
            if not isinstance(target, str) or _editorial_link_ok(target):
                continue
            what = "link" if child.type == "link_open" else "image"
            problems.append(error(path, _line_in(child, tokens, first_line),
                                  f"{what} '{target}' uses '{link_scheme(target)}:', which pages may not use "
                                  f"(only {', '.join(EDITORIAL_SCHEMES)} and the site's own paths)"))
            if child.type == "link_open":
                refused.add(target)
            else:
                block.children[position] = Token("text", "", 0, content=_image_words(child))
    return refused


_CONTENT_FILE = re.compile(r"\.(?:md|markdown|ya?ml)$", re.IGNORECASE)


def _link_files(tokens: list[Token], path: str, file_urls: Mapping[str, str]) -> None:
    """Point each link to a content file ``file_urls`` knows at its page."""
    for token in _walk(tokens):
        href = token.attrGet("href") if token.type == "link_open" else None
        if not isinstance(href, str) or link_scheme(href) is not None or href.startswith("//"):
            continue
        parts = urlsplit(href)
        target = unquote(parts.path)
        if not _CONTENT_FILE.search(target):
            continue
        joined = target.lstrip("/") if target.startswith("/") else posixpath.join(posixpath.dirname(path), target)
        url = file_urls.get(posixpath.normpath(joined))
        if url is not None:  # else not a content file of the site: the link check says so
            token.attrSet("href", url + (f"#{parts.fragment}" if parts.fragment else ""))


def _unlink(tokens: list[Token], unlinked: Callable[[str], bool]) -> None:
    """Reduce the links ``unlinked`` refuses to their words (an autolink to nothing)."""
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        kept: list[Token] = []
        # For each open link: (kept, is an autolink), so that its close and words follow it.
        open_links: list[tuple[bool, bool]] = []
        for child in block.children:
            if child.type == "link_open":
                refused = unlinked(str(child.attrGet("href") or ""))
                open_links.append((not refused, child.markup == "autolink"))
                if refused:
                    continue
            elif child.type == "link_close" and open_links:
                if not open_links.pop()[0]:
                    continue
            elif open_links and not open_links[-1][0] and open_links[-1][1]:
                continue  # the words of a refused autolink are its address
            kept.append(child)
        block.children = kept
    # Raw HTML an editor may write (markdown.editorial_html): a refused link loses its address.
    for token in _walk(tokens):
        if token.type in ("html_inline", "html_block") and "href" in token.content.lower():
            token.content = _HTML_HREF.sub(
                lambda m: "" if unlinked(unescape(m.group(2) or m.group(3) or m.group(4) or "")) else m.group(0),
                token.content)


# An href attribute in raw HTML, its value double-quoted, single-quoted or bare.
_HTML_HREF = re.compile(r"""\s(href)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE)


def is_local_image(src: str) -> bool:
    """Whether an image source names a file of the site (not a URL, not a fragment)."""
    return bool(src) and link_scheme(src) is None and not src.startswith(("#", "//", "?"))


def _extract_images(tokens: list[Token], first_line: int, blocks: list[BlockRef]) -> None:
    """Replace each local image with a block placeholder (an ``image`` block)."""
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        line = first_line + (block.map[0] if block.map else 0)
        for position, child in enumerate(block.children):
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            src = child.attrGet("src") if child.type == "image" else None
            if not isinstance(src, str) or not is_local_image(src):
                continue
            alt = _image_words(child)
            title = child.attrGet("title")
            ref = BlockRef(len(blocks), IMAGE_BLOCK, (src, alt, str(title or "")), line)
            blocks.append(ref)
            block.children[position] = Token("html_inline", "", 0, content=block_marker(ref.index))


def _image_words(image: Token) -> str:
    """An image's alt text, as plain words."""
    return "".join(c.content for c in image.children or () if c.type in ("text", "code_inline"))


def _line_in(token: Token, tokens: list[Token], first_line: int) -> int:
    """The file line of a link or image: its block's, else its own."""
    return _line_of(token, tokens, first_line) or first_line + (token.map[0] if token.map else 0)


def _line_of(token: Token, tokens: list[Token], first_line: int) -> int:
    """The line of an inline token: its block's first line, plus the line breaks before it."""
    for block in tokens:
        if not block.children or not block.map:
            continue
        breaks = 0
        for child in block.children:
            if child is token:
                return first_line + block.map[0] + breaks
            if child.type in ("softbreak", "hardbreak"):
                breaks += 1
    return 0


def _climbs_above_root(target: str, page_url: str) -> bool:
    path = urlsplit(target).path
    if not path:
        return False
    base = page_url if page_url.endswith("/") else posixpath.dirname(page_url) + "/"
    joined = path if path.startswith("/") else posixpath.join(base, path)
    parts: list[str] = []
    for part in joined.split("/"):
        if part == "..":
            if not parts:
                return True
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return False


_FENCE_LINE = re.compile(r"[\s>]*:{3,}\s*\Z")


def _extract_blocks(
    tokens: list[Token], lines: list[str], first_line: int, path: str, problems: list[Diagnostic]
) -> tuple[list[Token], list[BlockRef]]:
    """Replace each top-level ``:::`` container with one placeholder token.

    A block takes no text: text inside one is a warning. A block left open, which takes
    the rest of the text with it, and a block inside another are errors; a last block
    left open with nothing after it is a warning (nothing is lost)."""
    result: list[Token] = []
    blocks: list[BlockRef] = []
    depth = 0
    opened: tuple[str, int] | None = None  # the top-level block open: its name and line
    closing = -1  # the source line that should close it
    has_text = False
    for token in tokens:
        if token.type == "container_block_open":
            depth += 1
            line = first_line + (token.map[0] if token.map else 0)
            if depth > 1:
                has_text = True
                if opened is not None:
                    inner = (token.info.split() or [""])[0]
                    problems.append(error(path, line, f"the '::: {inner}' block is inside the '::: {opened[0]}' "
                                                      f"block of line {opened[1]}: blocks cannot be nested; end "
                                                      f"'::: {opened[0]}' with a line ':::' before this one"))
                continue
            words = token.info.split()
            opened, has_text = (words[0] if words else "", line), False
            closing = token.map[1] if token.map else -1
            if not words:
                problems.append(error(path, line, "a ':::' line with no block open to end: a block starts with "
                                                  f"'::: name', the name one of {', '.join(BLOCK_NAMES)}"))
                opened = None  # reported once: not also as a block left open
                continue
            if len(words) > 1 and words[-1] == ":::":
                # `::: memory slug :::` written on one line: the container stays open below it.
                problems.append(error(path, line, f"'::: {' '.join(words[:-1])} :::': a block's closing ':::' goes "
                                                  "on a line of its own, below the block's line"))
                # (markdown-it keeps it open to the text's end, or the next ':::' line: the build
                # fails here, and the blocks it swallows are not reported again as nested in it.)
                opened = None
                continue
            name, args = words[0], tuple(words[1:])
            if name not in BLOCK_NAMES:
                problems.append(error(path, line, f"unknown block '{name}'; use one of {', '.join(BLOCK_NAMES)}"))
                continue
            ref = BlockRef(len(blocks), name, args, line)
            blocks.append(ref)
            placeholder = Token("storysite_block", "", 0, map=token.map, meta={"index": ref.index}, block=True)
            result.append(placeholder)
            continue
        if token.type == "container_block_close":
            depth -= 1
            if depth == 0 and opened is not None:
                name, line = opened
                closed = 0 <= closing < len(lines) and _FENCE_LINE.match(lines[closing]) is not None
                if not closed and has_text:
                    problems.append(error(path, line, f"the '::: {name}' block is not closed: end it with a line "
                                                      "':::' (everything after it would be lost)"))
                elif not closed:
                    problems.append(warning(path, line, f"the '::: {name}' block is not closed: end it with a "
                                                        "line ':::'"))
                elif has_text:
                    problems.append(warning(path, line, f"the text inside the '::: {name}' block is not shown: a "
                                                        "block takes no text; put the text before or after it"))
            continue
        if depth == 0:
            result.append(token)
        elif token.type != "inline" or token.content.strip():
            has_text = True
    return result, blocks


def _shift_headings_rule(state: Any, heading_level: int = 1) -> None:
    """The page title is the only ``<h1>``: a body that uses ``#`` has every level moved
    down one (``#`` → h2, ``##`` → h3…), so its outline is kept; one that starts at
    ``##`` is left as it is. No heading goes more than one level below the one before it
    (the page title's for the first): a text that starts at ``###``, or jumps from ``##`` to
    ``####``, would skip a level, which screen readers' outlines (and the HTML checker) refuse.
    A text shown under a heading of its own (a milestone under its ``<h3>`` title) is moved
    down below that ``heading_level`` likewise: its top level is one below it.
    Runs before the anchors, so every section gets its id."""
    tokens = state.tokens
    uses_h1 = any(t.type == "heading_open" and t.tag == "h1" for t in tokens)
    shift = heading_level if uses_h1 else heading_level - 1
    previous = heading_level  # the title the text sits under
    for token in tokens:
        if token.type == "heading_open":
            previous = min(int(token.tag[1]) + shift, 6, previous + 1)
            token.tag = f"h{previous}"
        elif token.type == "heading_close":  # (a heading's tokens are open, inline, close)
            token.tag = f"h{previous}"


def _walk(tokens: list[Token]) -> list[Token]:
    found: list[Token] = []
    for token in tokens:
        found.append(token)
        if token.children:
            found.extend(token.children)
    return found


def _plain_text(tokens: list[Token]) -> str:
    parts: list[str] = []
    for token in tokens:
        if token.type == "inline" and token.children:
            # A line break inside a paragraph is a space in plain text ("a\nb" is "a b", not "ab").
            parts.append("".join(c.content if c.type in ("text", "code_inline") else " "
                                 for c in token.children if c.type in ("text", "code_inline", "softbreak",
                                                                       "hardbreak")))
    return " ".join(p.strip() for p in parts if p.strip())


def summarize(text: str, limit: int = 160) -> str:
    """A description of at most ``limit`` characters, cut at a word boundary, without bidi
    controls (shown among other text, it could not close what it opened)."""
    text = drop_bidi(" ".join(text.split()))
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.") + "…"
