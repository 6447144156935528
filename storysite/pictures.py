"""Photos, videos and galleries as templates show them (view models).

Built from the image step's results (:mod:`storysite.images`) and the
public site only. A :class:`PictureView` has everything a ``<picture>``
needs: one ``<source>`` per preferred format, the ``<img>`` fallback with
its ``srcset``, the intrinsic width and height (no layout shift), a
placeholder painted until the photo loads, and the large file that the
lightbox shows (and that the link opens when JavaScript is off).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from storysite import routing
from storysite.curate import PublicSite
from storysite.dates import PartialDate
from storysite.images import (
    MIME_TYPES,
    ImageResult,
    ImageResults,
    fallback_format,
    placeholder_style,
)
from storysite.links import unpublished_memory_links
from storysite.markdown import render_editorial_markdown, summarize
from storysite.model import MediaRef
from storysite.video import LOCAL_TYPES, parse_video_url

DateFormatter = Callable[[PartialDate | None], str]
PROVIDERS = {"youtube": "YouTube", "vimeo": "Vimeo"}


@dataclass(frozen=True)
class Candidate:
    """One file of a ``srcset``: its URL (site-absolute) and width."""

    url: str
    width: int


@dataclass(frozen=True)
class PictureSource:
    """A ``<source type=... srcset=...>`` of a ``<picture>``."""

    type: str
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True)
class PictureView:
    """A photo, ready for a ``<picture>`` element."""

    sources: tuple[PictureSource, ...]
    candidates: tuple[Candidate, ...]
    """The ``<img srcset>`` (the fallback format)."""
    src: str
    """The ``<img src>``: a middle width of the fallback format."""
    width: int
    height: int
    alt: str
    caption: str
    credit: str
    placeholder: str
    """Inline CSS painting a tiny blurred preview (or a colour) under the photo."""
    large: str
    """The largest file of the fallback format: the lightbox and no-JavaScript link target."""
    large_width: int
    large_height: int

    @property
    def ratio(self) -> float:
        return self.width / self.height if self.height else 1.0

    @property
    def portrait(self) -> bool:
        return self.height > self.width


@dataclass(frozen=True)
class VideoView:
    """A video: a hosted one (a privacy facade) or a file of the site (``<video>``)."""

    provider: str
    """``youtube``, ``vimeo`` or ``file``."""
    provider_name: str
    title: str
    caption: str
    credit: str
    page_url: str = ""
    """The host's page for the video (followed when JavaScript is off)."""
    embed_url: str = ""
    """The privacy-enhanced player, loaded only when the visitor presses play."""
    src: str = ""
    """A local video's URL."""
    type: str = ""
    poster: PictureView | None = None


@dataclass(frozen=True)
class GalleryCard:
    """A gallery in lists and blocks: title, date, cover and count."""

    slug: str
    title: str
    url: str
    date_text: str
    date_iso: str
    excerpt: str
    count: int
    cover: PictureView | None
    featured: bool


@dataclass(frozen=True)
class GalleryView:
    """A gallery's card and its photos, in order."""

    card: GalleryCard
    photos: tuple[PictureView, ...]


@dataclass(frozen=True)
class SiteMedia:
    """Every published photo, video and gallery, ready for templates."""

    results: ImageResults = field(default_factory=ImageResults)
    videos: Mapping[str, str] = field(default_factory=dict)
    """Site-relative path of a local video → its URL in the output."""
    galleries: Mapping[str, GalleryView] = field(default_factory=dict)
    formats: tuple[str, ...] = ("webp", "jpeg")

    def picture(self, ref: MediaRef | None, path: str | None = None) -> PictureView | None:
        """The photo of ``ref`` (or its ``path``, a poster), if it was encoded."""
        if ref is None:
            return None
        path = path or ref.src
        if path is None:
            return None
        result = self.results.for_path(path)
        if result is None:
            return None
        return picture_view(result, ref.alt, ref.caption, ref.credit, self.formats)

    def video(self, ref: MediaRef) -> VideoView | None:
        if not ref.video:
            return None
        poster = self.picture(ref, ref.poster) if ref.poster else None
        if poster is not None:
            poster = PictureView(poster.sources, poster.candidates, poster.src, poster.width, poster.height,
                                 "", "", "", poster.placeholder, poster.large, poster.large_width,
                                 poster.large_height)
        link, _ = parse_video_url(ref.video)
        if link is not None:
            return VideoView(link.provider, PROVIDERS[link.provider], ref.title, ref.caption, ref.credit,
                             page_url=link.page_url, embed_url=link.embed_url, poster=poster)
        url = self.videos.get(ref.video)
        if url is None:
            return None
        suffix = "." + ref.video.rsplit(".", 1)[-1].lower()
        return VideoView("file", "", ref.title, ref.caption, ref.credit, src=url, type=LOCAL_TYPES.get(suffix, ""),
                         poster=poster)

    def gallery(self, slug: str) -> GalleryView | None:
        return self.galleries.get(slug)


def picture_view(result: ImageResult, alt: str, caption: str, credit: str, formats: tuple[str, ...]) -> PictureView:
    """The view of one encoded photo with the words its content gives it."""
    made = sorted({d.format for d in result.derivatives}, key=lambda f: _rank(f, formats))
    fallback = fallback_format(made)
    by_format: dict[str, list[Candidate]] = {}
    for derivative in sorted(result.derivatives, key=lambda d: d.width):
        by_format.setdefault(derivative.format, []).append(
            Candidate("/" + derivative.output_path(result.key), derivative.width))
    # <source>s in order of preference, up to the fallback: a browser takes the first it can show.
    preferred = made[: made.index(fallback)]
    sources = tuple(PictureSource(MIME_TYPES[name], tuple(by_format[name])) for name in preferred)
    candidates = tuple(by_format[fallback])
    largest = max((d for d in result.derivatives if d.format == fallback), key=lambda d: d.width)
    middle = candidates[(len(candidates) - 1) // 2] if len(candidates) > 2 else candidates[0]
    return PictureView(
        sources=sources,
        candidates=candidates,
        src=middle.url,
        width=largest.width,
        height=largest.height,
        alt=alt,
        caption=caption,
        credit=credit,
        placeholder=placeholder_style(result),
        large=candidates[-1].url,
        large_width=largest.width,
        large_height=largest.height,
    )


def _rank(name: str, formats: tuple[str, ...]) -> int:
    # PNG stands in for JPEG for transparent photos: it takes JPEG's place.
    key = "jpeg" if name == "png" and "png" not in formats else name
    return formats.index(key) if key in formats else len(formats)


def build_site_media(
    site: PublicSite,
    results: ImageResults,
    videos: Mapping[str, str],
    format_date: DateFormatter,
    formats: tuple[str, ...],
) -> SiteMedia:
    """Views of every published photo, video and gallery."""
    media = SiteMedia(results, dict(videos), {}, formats)
    galleries: dict[str, GalleryView] = {}
    for gallery in site.galleries:
        photos = tuple(p for p in (media.picture(ref) for ref in gallery.images) if p is not None)
        rendered, _ = render_editorial_markdown(gallery.description, gallery.description_line,
                                                gallery.origin.path, routing.gallery_url(gallery.slug),
                                                allow_html=False,
                                                unlinked=unpublished_memory_links(site, routing.gallery_url(gallery.slug)))
        card = GalleryCard(
            slug=gallery.slug,
            title=gallery.title,
            url=routing.gallery_url(gallery.slug),
            date_text=format_date(gallery.date),
            date_iso=gallery.date.iso() if gallery.date and not gallery.date.decade else "",
            excerpt=summarize(rendered.text, 180),
            count=len(photos),
            cover=photos[0] if photos else None,
            featured=gallery.featured,
        )
        galleries[gallery.slug] = GalleryView(card, photos)
    return SiteMedia(results, dict(videos), galleries, formats)
