"""Find every reference in the built site that would make a visitor's browser
contact another origin (scripts, styles, fonts, frames, images, preconnects).

Links a visitor may choose to follow (``<a href>``, ``<link rel=alternate>``)
are not requests and are not reported; neither are ``data-*`` attributes, so
a privacy facade's deferred embed does not count until it is clicked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from storysite.diagnostics import Diagnostic, error, warning

# (tag, attribute) pairs a browser fetches without the visitor asking; ``*`` is any element.
_FETCHED = {
    ("script", "src"), ("img", "src"), ("img", "srcset"), ("source", "src"), ("source", "srcset"),
    ("video", "src"), ("video", "poster"), ("audio", "src"), ("track", "src"), ("iframe", "src"),
    ("frame", "src"), ("embed", "src"), ("object", "data"), ("input", "src"), ("image", "href"),
    ("use", "href"), ("feimage", "href"), ("*", "background"), ("*", "xlink:href"), ("a", "ping"),
    ("area", "ping"), ("link", "imagesrcset"), ("base", "href"),
}
# Attributes that hold several URLs, and what separates them.
_LISTS = {"srcset": ",", "imagesrcset": ",", "ping": " "}
_LINK_FETCHING_RELS = {"stylesheet", "preconnect", "dns-prefetch", "preload", "prefetch", "modulepreload",
                       "icon", "shortcut", "apple-touch-icon", "manifest", "prerender", "mask-icon"}
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""", re.IGNORECASE)
_IMAGE_SET = re.compile(r"image-set\(([^)]*)\)", re.IGNORECASE)
_QUOTED = re.compile(r"""['"]([^'"]+)['"]""")
_REFRESH_URL = re.compile(r"""url\s*=\s*['"]?([^'"]*)""", re.IGNORECASE)
# A CSS escape (``\75 rl(`` is ``url(``): a hexadecimal code and the space that may end it, or
# any other character taken as itself.
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\n\r\f]?|(.))", re.DOTALL)
# A string in a script that starts with an address on another host ('https://…', "//…", `…`):
# what ``import``, ``fetch`` or a made-up element would load.
_SCRIPT_URL = re.compile(r"""['"`]\s*((?:https?:)?[/\\]{2}[^'"`\s]+)""", re.IGNORECASE)
# Scripts that are data, never run (JSON-LD names its vocabulary by URL).
_DATA_SCRIPTS = {"application/ld+json", "application/json", "importmap"}


def _origin(url: str) -> str | None:
    """``scheme://host[:port]`` of an absolute or protocol-relative URL; ``None`` for local ones.

    Read as a browser reads it: tabs and line breaks dropped, a backslash taken as ``/``.
    """
    url = re.sub(r"[\t\n\r]", "", url).strip().replace("\\", "/")
    if url.startswith("//"):
        url = "https:" + url
    try:
        parts = urlsplit(url)
    except ValueError:  # "//[a-z]" (a pattern in a script): no host a browser could load from
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{scheme}://{parts.netloc.lower()}"


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an absolute or protocol-relative URL, as a browser reads it;
    ``None`` for a local one."""
    return _origin(url)


def _css_unescaped(match: re.Match[str]) -> str:
    code, other = match.groups()
    if code is None:
        return other
    number = int(code, 16)
    return chr(number) if 0 < number <= 0x10FFFF and not 0xD800 <= number <= 0xDFFF else "\ufffd"


def _css_urls(css: str) -> Iterator[str]:
    if "\\" in css:  # read as the browser reads it: ``\75 rl(`` and ``u\rl(`` are ``url(``
        css = _CSS_ESCAPE.sub(_css_unescaped, css)
    for match in _CSS_URL.finditer(css):
        yield match.group(1) or match.group(2)
    for match in _IMAGE_SET.finditer(css):
        for quoted in _QUOTED.finditer(match.group(1)):
            yield quoted.group(1)


class _References(HTMLParser):
    """Collects (line, where, url) for every fetched reference, reading HTML as a browser
    does: comments, quoted attributes and character references included."""

    def __init__(self, line_offset: int = 0) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str, str]] = []
        self.line_offset = line_offset
        self.raw: str | None = None
        self.data_script = False

    def line(self) -> int:
        return int(self.getpos()[0]) + self.line_offset

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values: dict[str, str] = {}
        for name, value in attrs:
            values.setdefault(name, value or "")
        line = self.line()
        for name, value in values.items():
            if (tag, name) in _FETCHED or (("*", name) in _FETCHED and (tag, name) != ("a", "xlink:href")):
                separator = _LISTS.get(name)
                urls = [part.strip().split(" ")[0] for part in value.split(separator)] if separator else [value]
                self.found.extend((line, f"<{tag} {name}>", url) for url in urls if url)
            elif name == "style":
                self.found.extend((line, "style attribute", url) for url in _css_urls(value))
        if tag == "iframe" and "srcdoc" in values:
            inner = _References(line - 1)
            inner.feed(values["srcdoc"])
            inner.close()
            self.found.extend((line, f"<iframe srcdoc> {where}", url) for _, where, url in inner.found)
        if tag == "link":
            rels = set(values.get("rel", "").lower().split())
            if rels & _LINK_FETCHING_RELS:
                self.found.append((line, f"<link rel={values.get('rel', '')}>", values.get("href", "")))
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            target = _REFRESH_URL.search(values.get("content", ""))
            if target and target.group(1):
                self.found.append((line, "<meta refresh>", target.group(1)))
        self.raw = tag if tag in ("style", "script") else None
        self.data_script = tag == "script" and values.get("type", "").strip().lower() in _DATA_SCRIPTS

    def handle_endtag(self, tag: str) -> None:
        self.raw = None

    def handle_data(self, data: str) -> None:
        base = self.line()
        if self.raw == "style":
            for offset, text in enumerate(data.split("\n")):
                self.found.extend((base + offset, "<style>", url) for url in _css_urls(text))
        elif self.raw == "script" and not self.data_script:
            # What a script names on another host, it may load (import, fetch…).
            for offset, text in enumerate(data.split("\n")):
                self.found.extend((base + offset, "<script>", m.group(1)) for m in _SCRIPT_URL.finditer(text))
            if "<" in data:
                # Markup a script writes into the page fetches like any other.
                inner = _References(base - 1)
                inner.feed(data)
                inner.close()
                self.found.extend(inner.found)


def _html_references(text: str) -> Iterator[tuple[int, str, str]]:
    parser = _References()
    parser.feed(text)
    parser.close()
    yield from parser.found


def references(text: str, kind: str) -> Iterator[tuple[int, str, str]]:
    """(line, where, url) for each fetched reference in an HTML or CSS text."""
    if kind == "css":
        for number, line in enumerate(text.split("\n"), start=1):
            for url in _css_urls(line):
                yield number, "url()", url
        return
    yield from _html_references(text)


# Every place a URL with an authority could start: ``//`` (or a backslash for either
# slash, also split by the tabs and line breaks a URL parser drops), with the scheme
# right before it when there is one.
# Each starts with a literal, which the regular-expression engine finds fast.
_AUTHORITY = re.compile(r"//([^/\\\s\"'<>?#]*)")
_SPLIT_AUTHORITY = re.compile(r"/[\t\n\r]+/|//[\t\n\r]")
# Browsers read a backslash as a slash in web URLs: any backslash next to a slash or
# another backslash (tabs and line breaks between) sends the page to the full scan.
_BACKSLASH_AUTHORITY = (re.compile(r"\\[\t\n\r]*[/\\]"), re.compile(r"/[\t\n\r]*\\"))
_SCHEME_BEFORE = re.compile(r"(?i)https?:$")
# Character references decoded inside attributes, except the quote escapes and
# ampersands that templates write on every page; with any other, no shortcut.
_UNUSUAL_REFERENCE = re.compile(r"&(?!(?:#3[49]|#x2[27]|amp|quot|lt|gt);)")
# JSON-LD names its vocabulary by URL; that string is data, never a request, and no
# reference the full scan looks at can contain it.
_JSON_LD_CONTEXT = '"@context": "https://schema.org"'


def _only_permitted_authorities(text: str, permitted: frozenset[str]) -> bool:
    """Whether every ``//host`` (or ``\\\\host``, ``/\\host``…) anywhere in ``text`` belongs to a permitted origin.

    When it does, no reference can load anything from another origin, whatever
    element it sits in, and the full scan is skipped. The test only ever errs
    towards the full scan: an unknown host, a host without a visible scheme
    that is not permitted under both, or an unusual character reference.
    """
    if _UNUSUAL_REFERENCE.search(text) or _SPLIT_AUTHORITY.search(text):
        return False
    if "\\" in text and any(pattern.search(text) for pattern in _BACKSLASH_AUTHORITY):
        return False
    if b"srcdoc" in text.encode("utf-8", "surrogatepass").lower():  # ASCII lower-casing: fast
        return False  # a document inside an attribute: its references are decoded twice
    if "@context" in text:
        text = text.replace(_JSON_LD_CONTEXT, "")
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
    """An error for every third-party reference in the HTML and CSS among ``files``, a warning
    for every address on another origin their scripts name."""
    permitted = permitted_origins(own_origin, allowed)
    problems: list[Diagnostic] = []
    for path, data in files:
        if path.endswith((".css", ".html", ".htm", ".svg")):
            problems.extend(check_text(path, data.decode("utf-8", "replace"), permitted, label))
        elif path.endswith((".js", ".mjs")):
            problems.extend(check_script(path, data.decode("utf-8", "replace"), permitted, label))
    return problems


# Namespaces a script names to make elements (SVG, MathML…): never fetched.
_NAMESPACES = ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xhtml", "http://www.w3.org/1999/xlink",
               "http://www.w3.org/XML/1998/namespace", "http://www.w3.org/2000/xmlns/",
               "http://www.w3.org/1998/Math/MathML")


def check_script(path: str, text: str, permitted: frozenset[str], label: str) -> list[Diagnostic]:
    """A warning for every address on another origin a script file names in a string: what
    ``import``, ``fetch`` or an element it makes would load. A warning, where a page's own
    inline script naming one is an error: a script file may be a library that names addresses
    it never loads on this site."""
    if _only_permitted_authorities(text, permitted):
        return []
    problems: list[Diagnostic] = []
    for number, line in enumerate(text.split("\n"), start=1):
        for match in _SCRIPT_URL.finditer(line):
            url = match.group(1)
            origin = _origin(url)
            if origin is not None and origin not in permitted and not url.startswith(_NAMESPACES):
                problems.append(warning(f"{label}/{path}", number,
                                        f"the script names {url}, on another origin ({origin}): if it loads it, "
                                        "visitors' browsers call that origin; host it on the site or add the "
                                        "origin to privacy.allowed_origins"))
    return problems


def check_tree(root: Path, own_origin: str | None, allowed: Iterable[str], label: str) -> list[Diagnostic]:
    """:func:`check_files` over every file below ``root`` (a staging folder)."""
    files = ((p.relative_to(root).as_posix(), p.read_bytes()) for p in sorted(root.rglob("*"))
             if p.is_file() and p.suffix in (".html", ".htm", ".css", ".svg"))
    return check_files(files, own_origin, allowed, label)
