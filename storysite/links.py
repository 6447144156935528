"""Links between the site's own pages: every link an editor wrote must lead somewhere.

Editorial texts (pages, campaigns, galleries, milestones) link to memories, tags
and each other by URL. A link that leads to no page of the built site is a
warning at the file and line of the link, as in MkDocs and Zola, since a visitor
would meet a 404. A link to a memory that exists but is not published (withdrawn,
awaiting approval) is only a note: a withdrawal must never stop a build, even a
strict one, and the link works again once the memory is published.
"""

from __future__ import annotations

import html as html_module
import posixpath
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from urllib.parse import SplitResult, unquote, urlsplit

from storysite import routing
from storysite.curate import PublicSite
from storysite.dates import PartialDate
from storysite.diagnostics import Diagnostic, notice, warning
from storysite.markdown import RenderedMarkdown, TableLabel, link_scheme, render_editorial_markdown


def broken_links(site: PublicSite, bodies: Iterable[tuple[str, int, str, str]], outputs: Collection[str],
                 withheld_memories: Collection[str],
                 held_back: Callable[[str], bool] = lambda path: False) -> Iterator[Diagnostic]:
    """A diagnostic for every link of the editorial ``bodies`` (text, first line, path, page
    URL) that leads to none of ``outputs`` (the output files, relative to the output folder).
    A link that spells out the path part of ``base_url`` is read without it. One to a page
    that the memories which are not published would make (``held_back``, see
    :func:`pages_of_memories`) is a note, like one to such a memory."""
    allow_html = site.config.markdown.editorial_html
    base_path = site.config.base_path
    own = _host_and_port(urlsplit(site.config.base_url)) if site.config.absolute_base else None
    for text, first_line, path, page_url in bodies:
        if not text.strip():
            continue
        rendered, _ = render_editorial_markdown(text, first_line, path, page_url, allow_html=allow_html,
                                                file_urls=site.file_urls)
        # (link as written, its line, the site path it names): a whole address on the site's own
        # host and below its base path is one of its pages too.
        checked = [(target, line, target) for target, line in rendered.links]
        for target, line in rendered.web_links:
            parts = urlsplit(target)
            if own is not None and _host_and_port(parts) == own and (parts.path or "/").startswith(
                    base_path.rstrip("/") or "/"):
                checked.append((target, line, parts.path or "/"))
        for target, line, site_path in checked:
            resolved = _resolve(site_path, page_url, base_path)
            if resolved is None or _leads_somewhere(resolved, outputs):
                continue
            slug = _memory_slug(resolved, site.memory_aliases)
            if slug is not None and slug in withheld_memories:
                yield notice(path, line, f"link '{target}' leads to memory '{slug}', which is not published; "
                                         "its words are shown without the link until the memory is")
            elif held_back(resolved):
                yield notice(path, line, f"link '{target}' leads to no page of the site while the memories that "
                                         "would make it are not published (withdrawn, awaiting approval…)")
            elif target.endswith(".md") or ".md#" in target:
                yield warning(path, line, f"link '{target}' leads to no page of the site; link to the page's "
                                          "URL (such as /memories/slug/ or /slug/), not to its file")
            else:
                yield warning(path, line, f"link '{target}' leads to no page of the site")


_PAGED = re.compile(r"/(?:memories|tags/[^/]+|timeline/\d+s)/page/\d+/(?:index\.html?)?\Z")


def pages_of_memories(memories: Iterable[tuple[Iterable[str], PartialDate | None]]) -> Callable[[str], bool]:
    """Whether a site path (``/tags/famille/``) is one of the pages that ``memories`` (each as
    its tags and date) would add to the site: their tags' pages and feeds, their decades' pages,
    the tag and timeline indexes, and the further pages of any list. A link an editor wrote to
    one of them leads nowhere once those memories are withdrawn (or while they await approval),
    which must not fail a strict build: that would keep the withdrawn memory online."""
    tags: set[str] = set()
    decades: set[int] = set()
    held = False
    for names, date in memories:
        held = True
        tags.update(slug for name in names if (slug := routing.slugify(name)))
        if date is not None:
            decades.add(date.decade_start)
    if not held:
        return lambda path: False
    sections = {"/tags/"} if tags else set()
    sections |= {"/timeline/"} if decades else set()

    def made_by_them(path: str) -> bool:
        folder = path.removesuffix("index.html").removesuffix("index.htm")
        if folder in sections or _PAGED.match(path):
            return True
        parts = folder.strip("/").split("/")
        if len(parts) >= 2 and parts[0] == "tags":
            return parts[1] in tags
        if len(parts) >= 2 and parts[0] == "timeline" and parts[1][:-1].isdigit() and parts[1].endswith("s"):
            return int(parts[1][:-1]) in decades
        return False

    return made_by_them


def render_site_markdown(site: PublicSite, text: str, first_line: int, path: str, page_url: str,
                         heading_id_prefix: str = "", *, table_label: TableLabel | None = None,
                         heading_level: int = 1) -> tuple[RenderedMarkdown, list[Diagnostic]]:
    """An editor's Markdown rendered for the page at ``page_url`` of ``site``: with the site's
    settings, links to content files leading to their pages, and links to memories that are
    not published reduced to their words; ``heading_id_prefix`` before its headings' ids, its
    headings below a heading of ``heading_level``, its tables in scroll boxes named by
    ``table_label`` (see :func:`~storysite.markdown.render_editorial_markdown`)."""
    return render_editorial_markdown(text, first_line, path, page_url, allow_html=site.config.markdown.editorial_html,
                                     base_path=site.config.base_path, unlinked=unpublished_memory_links(site, page_url),
                                     file_urls=site.file_urls, heading_id_prefix=heading_id_prefix,
                                     heading_level=heading_level, table_label=table_label)


def unpublished_memory_links(site: PublicSite, page_url: str) -> Callable[[str], bool]:
    """Whether a link, as written on the page at ``page_url``, leads to the page of a memory
    that is not published (withdrawn, awaiting approval, deleted), to one of its ``aliases:``,
    or to its entry on another page (``/timeline/#memory-slug``): such a link is shown as its words only, since a
    memory's URL (its slug, often a fan's name) is part of what a withdrawal removes from
    every output file. The site's own address counts however it is spelt: ``http`` or
    ``https``, with or without the default port, ``//host/``, doubled slashes,
    ``…/slug/index.html``."""
    published = site.memory_slugs
    own = _host_and_port(urlsplit(site.config.base_url))
    base_path = site.config.base_path

    def unlinked(target: str) -> bool:
        parts = urlsplit(target.strip())
        if parts.scheme or parts.netloc:
            scheme = link_scheme(target)
            if scheme not in (None, "http", "https") or own is None or _host_and_port(parts) != own:
                return False
            target = "/" + parts.path.lstrip("/")
            if parts.fragment:
                target += "#" + parts.fragment
        elif link_scheme(target) is not None:
            return False
        fragment = unquote(urlsplit(target).fragment)
        anchored = fragment[len(MEMORY_ANCHOR):] if fragment.startswith(MEMORY_ANCHOR) else None
        if anchored and anchored not in published:
            return True
        resolved = _resolve(target, page_url, base_path)
        slug = _memory_slug(resolved, site.memory_aliases) if resolved is not None else None
        return slug is not None and slug not in published

    return unlinked


_FAN_LINK = re.compile(r'<a href="([^"]*)" rel="nofollow ugc noopener">(.*?)</a>', re.S)
"""A link of a fan's rendered text (storysite.markdown gives each that ``rel``; links do not nest)."""


def unlink_fan_html(html: str, unlinked: Callable[[str], bool]) -> str:
    """A fan's rendered text with each link that ``unlinked`` refuses (one to a memory that is not
    published: see :func:`unpublished_memory_links`) shown as its words only. A fan's text is
    rendered once, whatever else the site holds; which memories are published is known later."""
    return _FAN_LINK.sub(lambda m: m[2] if unlinked(html_module.unescape(m[1])) else m[0], html)


MEMORY_ANCHOR = "memory-"
"""How a memory's entry is named on pages that list it (the timeline's ``#memory-slug``)."""


def _host_and_port(parts: SplitResult) -> tuple[str, int | None] | None:
    """An http(s) address's host, and its port when it is not the scheme's default (either
    scheme's, for ``//host``), or None when it names no host."""
    try:
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return None
    default = {"http": (80,), "https": (443,)}.get(parts.scheme.lower(), (80, 443))
    return host, None if port in default else port


def _resolve(target: str, page_url: str, base_path: str) -> str | None:
    """The site path a link leads to (``/a/b/``), or None when it leads to this very page."""
    path = unquote(urlsplit(target).path)
    if not path:
        return None  # ?query or #fragment only: this page
    if path.startswith("/"):
        path = "/" + path.lstrip("/")  # browsers read //memories/x/ on the site's own address as /memories/x/
        if base_path != "/" and (path + "/").startswith(base_path):
            path = "/" + path[len(base_path):]
    else:
        base = page_url if page_url.endswith("/") else posixpath.dirname(page_url) + "/"
        path = posixpath.join(base, path)
    trailing = path.endswith("/")
    path = posixpath.normpath(path)
    return path + "/" if trailing and path != "/" else path


def _leads_somewhere(path: str, outputs: Collection[str]) -> bool:
    relpath = path.lstrip("/")
    if not relpath or relpath.endswith("/"):
        return relpath + "index.html" in outputs
    # A file, or a folder written without its slash (the server redirects).
    return relpath in outputs or relpath + "/index.html" in outputs


def _memory_slug(path: str, aliases: Mapping[str, str]) -> str | None:
    """The slug of the memory whose page ``path`` (a site path) is: its own URL, or one of its
    ``aliases`` (see :attr:`storysite.curate.PublicSite.memory_aliases`)."""
    if aliases and (alias := routing.alias_url(path)[0]) and (slug := aliases.get(alias.lower())) is not None:
        return slug
    prefix = routing.memory_url("").rstrip("/") + "/"
    if path.startswith(prefix):
        rest = path[len(prefix):].strip("/")
        if rest.endswith(("/index.html", "/index.htm")):
            rest = rest.rsplit("/", 1)[0]
        if rest and "/" not in rest:
            return rest
    return None
