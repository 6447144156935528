"""Images in editors' Markdown: ``![alt](photo.jpg)`` in pages, campaigns, milestones, galleries.

Paths are relative to the file that names them (``/`` is the site root), like
every media path. Before the image step, :func:`find_body_images` checks each
one (a missing file or a path leaving the site is an error at its line) and
hands the photos to the image pipeline, so that they get responsive
derivatives with their metadata stripped, like memory photos; originals are
not copied. A path into ``static/`` names a file that is copied verbatim to the
output root, so ``/static/logo.svg`` is shown from ``/logo.svg``.

Rendering (:func:`image_resolver`, :func:`fill_images`) replaces the
``image`` block placeholders that :mod:`storysite.markdown` leaves with a
``<picture>`` (width and height included) or, for a static file, an ``<img>``.

An image needs alt text, as a photo of a gallery does: one without it is a
warning at its line (and a line of the curation report), unless its alt text is
the word ``decorative``, which says it only decorates: it is then published
with ``alt=""``, which screen readers pass over.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator, Sequence
from html import escape
from pathlib import Path
from urllib.parse import unquote, urlsplit

from storysite import routing, thirdparty
from storysite.curate import PublicSite, withheld_notice
from storysite.diagnostics import Diagnostic, error, warning
from storysite.markdown import (
    BLOCK_MARKER,
    IMAGE_BLOCK,
    BlockRef,
    RenderedMarkdown,
    render_editorial_markdown,
)
from storysite.model import Content, MediaRef, Origin
from storysite.pictures import Candidate, PictureView, SiteMedia, picture_view
from storysite.validate.fields import resolve_media_path

STATIC_PREFIX = "static/"
DECORATIVE = "decorative"
"""The alt text by which an editor says an image only decorates (published with ``alt=""``)."""
SIZES = "(min-width: 46rem) 40rem, 100vw"
Resolver = Callable[[BlockRef, str, list[Diagnostic]], str]


def editorial_bodies(site: PublicSite | Content) -> Iterator[tuple[str, int, str, str]]:
    """Every editorial Markdown text of the public site (or of the content, drafts included):
    (text, first line, path, page URL)."""
    for page in site.pages:
        yield page.body, page.body_line, page.origin.path, routing.page_url(page.slug)
    for campaign in site.campaigns:
        yield campaign.body, campaign.body_line, campaign.origin.path, routing.campaign_url(campaign.slug)
    for milestone in site.milestones:
        yield milestone.body, milestone.body_line, milestone.origin.path, "/timeline/"
    for gallery in site.galleries:
        url = routing.gallery_url(gallery.slug)
        yield gallery.description, gallery.description_line, gallery.origin.path, url
        yield gallery.body, gallery.body_line, gallery.origin.path, url


def _path_of(src: str) -> str:
    """The file part of an image source (no ``?query`` or ``#fragment``), percent-decoded."""
    return unquote(urlsplit(src).path)


def rendered_bodies(site: PublicSite | Content) -> Iterator[tuple[str, RenderedMarkdown]]:
    """Every editorial Markdown text of the public site (or of the content, drafts included) that
    may hold an image, rendered: (path, rendered)."""
    for text, line, path, url in editorial_bodies(site):
        if "](" not in text and "]:" not in text:
            continue
        rendered, _ = render_editorial_markdown(text, line, path, url, allow_html=False)
        yield path, rendered


def shown_alt(alt: str) -> str:
    """The alt text an image is published with: none for a :data:`DECORATIVE` one."""
    return "" if alt.strip().casefold() == DECORATIVE else alt


def lacks_alt(block: BlockRef) -> bool:
    """Whether an ``image`` block has no alt text (``![](photo.jpg)``), and is not said to be decorative."""
    return not block.args[1].strip()


def images_without_alt(site: PublicSite | Content) -> Iterator[tuple[str, int, str]]:
    """(path, line, source as written) of each image in the editors' Markdown without alt text."""
    for path, rendered in rendered_bodies(site):
        for block in rendered.blocks:
            if block.name == IMAGE_BLOCK and lacks_alt(block):
                yield path, block.line, block.args[0]


def _no_alt(path: str, block: BlockRef) -> Diagnostic:
    src = block.args[0]
    return warning(path, block.line, f"image '{src}' has no alt text: describe it between the brackets "
                   f"(![what it shows]({src})) for people who cannot see it, or write ![{DECORATIVE}]({src}) if it "
                   "only decorates")


def image_target(block: BlockRef, path: str, site_dir: Path) -> tuple[str | None, str | None]:
    """The site-relative file an ``image`` block of the file ``path`` names, or ``None`` and why not."""
    return resolve_media_path(_path_of(block.args[0]), path, site_dir)


def named_photos(content: Content, site_dir: Path) -> Iterator[MediaRef]:
    """The photos of the site that editors' Markdown shows (drafts' too), as
    :func:`find_body_images` finds them; a path it reports as an error, or one into
    ``static/`` (whose files are checked as such), is left out. For ``check``, which warns
    about photos in the content tree that say where they were taken."""
    for path, rendered in rendered_bodies(content):
        for block in rendered.blocks:
            if block.name == IMAGE_BLOCK:
                target, _ = image_target(block, path, site_dir)
                if target is not None and not target.startswith(STATIC_PREFIX):
                    yield MediaRef(Origin(path, block.line), src=target, alt=block.args[1], written=block.args[0])


def find_body_images(site: PublicSite, site_dir: Path, permitted: frozenset[str],
                     withheld: Callable[[str | None], str | None] | None = None
                     ) -> tuple[list[MediaRef], list[Diagnostic]]:
    """The photos named in editorial Markdown (for the image step), and the bad paths: an image
    from another origin than those ``permitted`` too.

    ``withheld`` names the unpublished memory a photo belongs to (see
    :func:`storysite.curate.withheld_media`): such a photo is left out, with a note, and
    its image renders as nothing."""
    refs: list[MediaRef] = []
    problems: list[Diagnostic] = []
    for path, rendered in rendered_bodies(site):
        for src, image_line in rendered.web_images:
            # (Found in the built page too, but named here at the line to change.)
            if (origin := thirdparty.origin_of(src)) is not None and origin not in permitted:
                problems.append(error(path, image_line, f"image '{src}' would be loaded from another origin "
                                      f"({origin}) by every visitor's browser; put the photo in the site, or add the "
                                      "origin to privacy.allowed_origins"))
        for block in rendered.blocks:
            if block.name != IMAGE_BLOCK:
                continue
            src, alt = block.args[0], block.args[1]
            target, reason = image_target(block, path, site_dir)
            if target is None:
                problems.append(error(path, block.line, f"image {reason}"))
                continue
            if withheld is not None and (memory_file := withheld(target)) is not None:
                problems.append(withheld_notice(path, block.line, target, memory_file))
                continue
            if not target.startswith(STATIC_PREFIX):
                refs.append(MediaRef(Origin(path, block.line), src=target, alt=alt, written=src))
            if lacks_alt(block):
                problems.append(_no_alt(path, block))
    return refs, problems


def _url(base_path: str, path: str) -> str:
    return base_path.rstrip("/") + "/" + path.lstrip("/")


def picture_html(pic: PictureView, base_path: str, title: str = "") -> str:
    """A ``<picture>`` for a photo in running text (as the theme's ``picture`` macro makes it)."""

    def srcset(candidates: Sequence[Candidate]) -> str:
        return ", ".join(f"{_url(base_path, c.url)} {c.width}w" for c in candidates)

    sources = "".join(f'<source type="{s.type}" srcset="{escape(srcset(s.candidates))}" sizes="{SIZES}">'
                      for s in pic.sources)
    style = f' style="{escape(pic.placeholder)}"' if pic.placeholder else ""
    titled = f' title="{escape(title)}"' if title else ""
    return (f'<picture class="picture picture--inline">{sources}<img src="{escape(_url(base_path, pic.src))}" '
            f'srcset="{escape(srcset(pic.candidates))}" sizes="{SIZES}" width="{pic.width}" height="{pic.height}" '
            f'alt="{escape(pic.alt)}"{titled} loading="lazy" decoding="async"{style}></picture>')


def _target(src: str, source_path: str) -> str | None:
    """The site-relative path an image source names (checked by :func:`find_body_images`)."""
    path = _path_of(src)
    joined = path.lstrip("/") if path.startswith("/") else posixpath.join(posixpath.dirname(source_path), path)
    normal = posixpath.normpath(joined)
    return None if normal == ".." or normal.startswith("../") or posixpath.isabs(normal) else normal


def image_resolver(media: SiteMedia | None, base_path: str) -> Resolver:
    """The renderer of ``image`` blocks: a ``<picture>`` from the image step, or a static file's ``<img>``."""

    def resolve(block: BlockRef, path: str, problems: list[Diagnostic]) -> str:
        src, alt, title = block.args
        alt = shown_alt(alt)
        target = _target(src, path)
        if target is None:
            return ""  # reported by find_body_images
        titled = f' title="{escape(title)}"' if title else ""
        if target.startswith(STATIC_PREFIX):
            return (f'<img src="{escape(_url(base_path, target[len(STATIC_PREFIX):]))}" alt="{escape(alt)}"'
                    f'{titled} loading="lazy" decoding="async">')
        result = media.results.for_path(target) if media is not None else None
        if result is None:
            return ""  # the image step reported why
        assert media is not None
        return picture_html(picture_view(result, alt, "", "", media.formats), base_path, title)

    return resolve


def fill_images(rendered: RenderedMarkdown, path: str, resolve: Resolver | None,
                problems: list[Diagnostic]) -> str:
    """The HTML with its image placeholders filled (other blocks' placeholders are left)."""
    pieces = {b.index: (resolve(b, path, problems) if resolve else "")
              for b in rendered.blocks if b.name == IMAGE_BLOCK}
    if not pieces:
        return rendered.html
    return BLOCK_MARKER.sub(lambda m: pieces.get(int(m.group(1)), m.group(0)), rendered.html)
