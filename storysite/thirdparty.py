"""Find every reference in the built site that would make a visitor's browser
contact another origin (scripts, styles, fonts, frames, images, preconnects).

Links a visitor may choose to follow (``<a href>``, ``<link rel=alternate>``)
are not requests and are not reported; neither are ``data-*`` attributes, so
a privacy facade's deferred embed does not count until it is clicked.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

from storysite.diagnostics import Diagnostic, error

# (tag, attribute) pairs a browser fetches without the visitor asking.
_FETCHED = {
    ("script", "src"), ("img", "src"), ("img", "srcset"), ("source", "src"), ("source", "srcset"),
    ("video", "src"), ("video", "poster"), ("audio", "src"), ("track", "src"), ("iframe", "src"),
    ("frame", "src"), ("embed", "src"), ("object", "data"), ("input", "src"), ("image", "href"),
    ("use", "href"), ("body", "background"),
}
_LINK_FETCHING_RELS = {"stylesheet", "preconnect", "dns-prefetch", "preload", "prefetch", "modulepreload",
                       "icon", "shortcut", "apple-touch-icon", "manifest", "prerender", "mask-icon"}
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""", re.IGNORECASE)


def _origin(url: str) -> str | None:
    """``scheme://host[:port]`` of an absolute or protocol-relative URL; ``None`` for local ones."""
    url = url.strip()
    if url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc.lower()}"


# Only these elements can make a browser fetch something on its own; finding
# them with one regular expression is far faster than parsing every page.
_TAG = re.compile(r"<(script|img|source|video|audio|track|iframe|frame|embed|object|input|image|use|link|body|meta)"
                  r"\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.IGNORECASE)
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_STYLE_ATTR = re.compile(r"""\sstyle\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style>", re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def _attributes(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for match in _ATTR.finditer(text):
        name = match.group(1).lower()
        value = match.group(2) if match.group(2) is not None else match.group(3) if match.group(3) is not None \
            else match.group(4) or ""
        values.setdefault(name, html.unescape(value))
    return values


def _html_references(text: str) -> Iterator[tuple[int, str, str]]:
    # Comments are blanked (keeping their newlines) so that line numbers stay right.
    text = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)

    def line_at(offset: int) -> int:
        return text.count("\n", 0, offset) + 1

    for match in _TAG.finditer(text):
        tag = match.group(1).lower()
        values = _attributes(match.group(2))
        for name, value in values.items():
            if (tag, name) in _FETCHED:
                urls = [part.strip().split(" ")[0] for part in value.split(",")] if name == "srcset" else [value]
                for url in urls:
                    yield line_at(match.start()), f"<{tag} {name}>", url
        if tag == "link":
            rels = set(values.get("rel", "").lower().split())
            if rels & _LINK_FETCHING_RELS:
                yield line_at(match.start()), f"<link rel={values.get('rel', '')}>", values.get("href", "")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            target = values.get("content", "").partition("url=")[2]
            if target:
                yield line_at(match.start()), "<meta refresh>", target
    for match in _STYLE_ATTR.finditer(text):
        for css in _CSS_URL.finditer(html.unescape(match.group(1) or match.group(2) or "")):
            yield line_at(match.start()), "style attribute", css.group(1) or css.group(2)
    for match in _STYLE_BLOCK.finditer(text):
        base = line_at(match.start(1))
        for offset, line in enumerate(match.group(1).split("\n")):
            for css in _CSS_URL.finditer(line):
                yield base + offset, "<style>", css.group(1) or css.group(2)


def references(text: str, kind: str) -> Iterator[tuple[int, str, str]]:
    """(line, where, url) for each fetched reference in an HTML or CSS text."""
    if kind == "css":
        for number, line in enumerate(text.split("\n"), start=1):
            for match in _CSS_URL.finditer(line):
                yield number, "url()", match.group(1) or match.group(2)
        return
    yield from _html_references(text)


# Every place a URL with an authority could start: ``//`` (also split by the tabs and line
# breaks a URL parser drops), with the scheme right before it when there is one.
_AUTHORITY = re.compile(r"//([^/\\\s\"'<>?#]*)")
_SPLIT_AUTHORITY = re.compile(r"/[\t\n\r]+/|//[\t\n\r]")
_SCHEME_BEFORE = re.compile(r"(?i)https?:$")
# Character references decoded inside attributes, except the quote escapes and
# ampersands that templates write on every page; with any other, no shortcut.
_UNUSUAL_REFERENCE = re.compile(r"&(?!(?:#3[49]|#x2[27]|amp|quot|lt|gt);)")
# JSON-LD names its vocabulary by URL; that string is data, never a request, and no
# reference the full scan looks at can contain it.
_JSON_LD_CONTEXT = re.compile(r'"@context":\s*"https://schema\.org/?"')


def _only_permitted_authorities(text: str, permitted: frozenset[str]) -> bool:
    """Whether every ``//host`` anywhere in ``text`` belongs to a permitted origin.

    When it does, no reference can load anything from another origin, whatever
    element it sits in, and the full scan is skipped. The test only ever errs
    towards the full scan: an unknown host, a host without a visible scheme
    that is not permitted under both, or an unusual character reference.
    """
    if _UNUSUAL_REFERENCE.search(text) or _SPLIT_AUTHORITY.search(text):
        return False
    if "@context" in text:
        text = _JSON_LD_CONTEXT.sub("", text)
    for match in _AUTHORITY.finditer(text):
        host = match.group(1).lower()
        scheme = _SCHEME_BEFORE.search(text, max(0, match.start() - 6), match.start())
        schemes = (scheme.group(0).lower(),) if scheme else ("https:", "http:")
        if any(f"{s}//{host}" not in permitted for s in schemes):
            return False
    return True


def permitted_origins(own_origin: str | None, allowed: Iterable[str]) -> frozenset[str]:
    """The origins pages may load from: the site's own and ``privacy.allowed_origins``."""
    permitted = {origin for origin in map(_origin, allowed) if origin is not None}
    if own_origin:
        permitted.add(own_origin)
    return frozenset(permitted)


def check_text(path: str, text: str, permitted: frozenset[str], label: str) -> list[Diagnostic]:
    """An error for every third-party reference in one HTML or CSS file (other files: none).

    ``label`` is the output folder's name as the editor knows it (``public``).
    """
    kind = "css" if path.endswith(".css") else "html" if path.endswith((".html", ".htm", ".svg")) else None
    if kind is None or _only_permitted_authorities(text, permitted):
        return []
    problems: list[Diagnostic] = []
    for line, where, url in references(text, kind):
        origin = _origin(url)
        if origin is not None and origin not in permitted:
            problems.append(error(f"{label}/{path}", line,
                                  f"{where} loads {url} from another origin ({origin}); host it on the site "
                                  "or add the origin to privacy.allowed_origins"))
    return problems


def check_files(files: Iterable[tuple[str, bytes]], own_origin: str | None, allowed: Iterable[str],
                label: str) -> list[Diagnostic]:
    """An error for every third-party reference in the HTML and CSS among ``files``."""
    permitted = permitted_origins(own_origin, allowed)
    problems: list[Diagnostic] = []
    for path, data in files:
        if path.endswith((".css", ".html", ".htm", ".svg")):
            problems.extend(check_text(path, data.decode("utf-8", "replace"), permitted, label))
    return problems


def check_tree(root: Path, own_origin: str | None, allowed: Iterable[str], label: str) -> list[Diagnostic]:
    """:func:`check_files` over every file below ``root`` (a staging folder)."""
    files = ((p.relative_to(root).as_posix(), p.read_bytes()) for p in sorted(root.rglob("*"))
             if p.is_file() and p.suffix in (".html", ".htm", ".css", ".svg"))
    return check_files(files, own_origin, allowed, label)
