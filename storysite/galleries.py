"""Gallery pages: the galleries index, one page per gallery, and the ``::: gallery`` block.

Built from the public site and the photo views of :mod:`storysite.pictures`,
so a gallery can only show photos that went through the image pipeline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from storysite import routing
from storysite.bodyimages import Resolver, fill_images, image_resolver
from storysite.curate import PublicSite
from storysite.diagnostics import Diagnostic, error, warning
from storysite.links import render_site_markdown
from storysite.markdown import BLOCK_MARKER, IMAGE_BLOCK, BlockRef, TableLabel
from storysite.model import Gallery
from storysite.pictures import SiteMedia
from storysite.render import PageJob, table_label
from storysite.views import PageMeta, SiteView

GALLERIES_URL = "/galleries/"
BlockRenderer = Callable[[str, Mapping[str, Any]], str]


def _editorial_html(text: str, first_line: int, path: str, url: str, site: PublicSite,
                    problems: list[Diagnostic], images: Resolver | None = None,
                    tables: TableLabel | None = None) -> str:
    rendered, found = render_site_markdown(site, text, first_line, path, url, table_label=tables)
    problems.extend(found)
    for block in rendered.blocks:
        if block.name == IMAGE_BLOCK:
            continue
        problems.append(error(path, block.line, f"'::: {block.name}' blocks cannot be used inside a gallery; "
                                                "put the gallery in a page instead"))
    return BLOCK_MARKER.sub("", fill_images(rendered, path, images, problems))


def gallery_jobs(
    site: PublicSite,
    site_view: SiteView,
    media: SiteMedia,
    translate: Callable[..., str],
    problems: list[Diagnostic],
) -> Iterator[PageJob]:
    """The galleries index and a page per published gallery, in a stable order."""
    if not site.galleries:
        return
    images = image_resolver(media, site.config.base_path)
    tables = table_label(translate)
    cards = [media.galleries[g.slug].card for g in site.galleries if g.slug in media.galleries]
    meta = PageMeta(translate("galleries.title"), translate("galleries.description"), GALLERIES_URL,
                    section="galleries")
    yield PageJob(GALLERIES_URL, "gallery_list.html", {"site": site_view, "meta": meta, "galleries": cards})
    for gallery in site.galleries:
        view = media.galleries.get(gallery.slug)
        if view is None:
            continue
        url = routing.gallery_url(gallery.slug)
        description_html = _editorial_html(gallery.description, gallery.description_line, gallery.origin.path,
                                           url, site, problems, images, tables) if gallery.description else ""
        body_html = _editorial_html(gallery.body, gallery.body_line, gallery.origin.path, url, site,
                                    problems, images, tables) if gallery.body.strip() else ""
        description = view.card.excerpt or translate("galleries.one_description", title=gallery.title,
                                                     count=view.card.count)
        json_ld = {
            "@context": "https://schema.org",
            "@type": "ImageGallery",
            "name": gallery.title,
            "description": description,
            "inLanguage": site.config.language,
            "dateCreated": view.card.date_iso or None,
        }
        meta = PageMeta(gallery.title, description, url, "website",
                        {k: v for k, v in json_ld.items() if v is not None}, section="galleries")
        yield PageJob(url, "gallery.html", {"site": site_view, "meta": meta, "gallery": view,
                                            "description_html": description_html, "body_html": body_html})


def gallery_block(
    media: SiteMedia, drafts: frozenset[str], render_block: BlockRenderer
) -> Callable[[BlockRef, str, list[Diagnostic]], str]:
    """The resolver of ``::: gallery SLUG`` blocks in pages and campaigns."""

    def resolve(block: BlockRef, path: str, problems: list[Diagnostic]) -> str:
        if len(block.args) != 1:
            problems.append(error(path, block.line, "'::: gallery' takes one gallery slug"))
            return ""
        slug = block.args[0]
        view = media.gallery(slug)
        if view is not None:
            return render_block("blocks/gallery.html", {"gallery": view, "block_id": f"gallery-{slug}-{block.index}"})
        if slug in drafts:
            problems.append(warning(path, block.line, f"gallery '{slug}' is a draft; the block is left out"))
        else:
            known = ", ".join(sorted(media.galleries)) or "none yet"
            problems.append(error(path, block.line, f"no gallery with slug '{slug}' (galleries: {known})"))
        return ""

    return resolve


def draft_slugs(galleries: tuple[Gallery, ...]) -> frozenset[str]:
    """Slugs of the galleries kept back as drafts (blocks naming them warn, not fail)."""
    return frozenset(g.slug for g in galleries if g.draft)
