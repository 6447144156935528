"""The labels stage of the build: which pictures exist, for whom, at which URL.

:func:`plan_labels` runs after curation, on the :class:`PublicSite` only: a
memory gets a label picture when curation kept its ``label`` (published, and
``share`` in its consent), and a share card when it is shareable. Nothing is
drawn here: every picture is an op whose hash names its file, drawn by
:meth:`LabelStage.outputs` only when the build writes. A memory's label, and
each design's example, also get lighter WebP variants for the ``srcset`` of
the pages that show them (:mod:`.variants`), derived from their PNG.

A fan label the build's policy refuses is a warning naming the memory's file
and line, never the text; the memory is published without that label (and
its share card falls back to the photo). The build does not fail for it, so
that a withdrawal elsewhere in the site is never held back by one label;
``--strict`` makes it fail.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import posixpath
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from storysite import routing
from storysite.curate import PublicMemory, PublicSite
from storysite.diagnostics import Diagnostic, error, shortened, warning
from storysite.labels.design import ReadyDesign, prepare_design
from storysite.labels.layout import REASONS, LabelLayout, Refusal
from storysite.labels.raster import (
    ArtworkOp,
    LabelOp,
    label_op,
    published_artwork,
    render_label,
)
from storysite.labels.share import CardFonts, ShareCardOp, card_text, render_share_card
from storysite.labels.variants import (
    MIME_TYPE,
    LabelVariantOp,
    VariantSettings,
    derive_variants,
    plan_variants,
    variant_settings,
)
from storysite.labels.views import DesignView, FontFaceView, ImageView, LabelViews, ZoneView
from storysite.model import FIELD_LINE_KEYS
from storysite.parallel import die_with_build
from storysite.pictures import Candidate, PictureSource
from storysite.privacyguard import StoreFiles
from storysite.theme import Assets, bundled_themes_dir
from storysite.views import MemoryCard, MemoryViews, SiteView

LABELS_DIR = "media/labels"
CACHE_DIR = ".storysite/cache/labels"
SHARE_DIR = "media/share"
CARD_DISPLAY_FONT = "fonts/labels/fraunces-black.ttf"
CARD_TEXT_FONT = "fonts/labels/fraunces-semibold.ttf"
REFUSAL_ADVICE = {
    "empty": "Change label.text: nothing printable is left of it",
    "emoji": "Take the emoji out of label.text, or set the design's emoji: strip",
    "too_long": "Shorten label.text, or raise the zone's max_chars in the design",
    "marks": "Change label.text to carry fewer accents on one character",
    "blocked": "Change label.text, or add the name to the design's allowed names",
    "unsupported": "Change label.text, or give the zone a font that has this character",
    "no_fit": "Shorten label.text, or give the zone more room in the design (box, smallest size, lines)",
}
"""What the site's author can do about a refused fan label, for each of :data:`REASONS`."""
Translate = Callable[..., str]
PictureOp = LabelOp | ShareCardOp | ArtworkOp
"""A picture the stage draws."""
CachedOp = PictureOp | LabelVariantOp
"""A picture the stage writes, named in the cache by its op's key."""
Job = TypeVar("Job")
PictureResult = TypeVar("PictureResult")


@dataclass(frozen=True)
class LabelStage:
    """The label views for templates, and the files to write (by output path)."""

    views: LabelViews = field(default_factory=LabelViews)
    labels: Mapping[str, LabelOp] = field(default_factory=dict)
    cards: Mapping[str, ShareCardOp] = field(default_factory=dict)
    copies: Mapping[str, Path] = field(default_factory=dict)
    artworks: Mapping[str, ArtworkOp] = field(default_factory=dict)
    """Designs' artworks, published without their metadata."""
    variants: Mapping[str, LabelVariantOp] = field(default_factory=dict)
    """Memories' labels and designs' examples as WebP at smaller widths (each one's label
    is in :attr:`labels`)."""

    def paths(self) -> list[str]:
        """Every file the stage writes, sorted."""
        return sorted({*self.labels, *self.cards, *self.copies, *self.artworks, *self.variants})

    def outputs(self, cache_dir: Path | None = None, workers: int = 1) -> Iterator[tuple[str, bytes]]:
        """Draw and encode everything, in path order.

        Pictures already in ``cache_dir`` (named by their op's key, a hash of
        every input) are reused; the others are drawn, in a process pool when
        there are several, and stored there. Variants come second: those not
        cached are derived from their label's PNG (cached or just drawn), so
        an unchanged label is never drawn again for them. Entries this build
        did not use are removed, so a withdrawn memory's pictures leave the
        cache too.
        """
        ops: dict[str, PictureOp] = {**self.labels, **self.cards, **self.artworks}
        drawn: dict[str, bytes] = {}
        missing: list[str] = []
        for path, op in ops.items():
            cached = _cached(cache_dir, path, op)
            if cached is None:
                missing.append(path)
            else:
                drawn[path] = cached
        for path, data in zip(missing, _in_pool(draw, [ops[p] for p in missing], workers), strict=True):
            drawn[path] = data
            if cache_dir is not None:
                _store(cache_dir, path, ops[path], data)
        self._derive(drawn, cache_dir, workers)
        if cache_dir is not None:
            used: dict[str, CachedOp] = {**ops, **self.variants}
            _prune(cache_dir, {_cache_name(path, op) for path, op in used.items()})
        for path in self.paths():
            yield path, drawn[path] if path in drawn else self.copies[path].read_bytes()

    def _derive(self, drawn: dict[str, bytes], cache_dir: Path | None, workers: int) -> None:
        """Add every variant's bytes to ``drawn``, where its label's PNG already is."""
        label_paths = {op.key: path for path, op in self.labels.items()}
        by_label: dict[str, list[str]] = {}
        for path, variant in self.variants.items():
            cached = _cached(cache_dir, path, variant)
            if cached is None:
                by_label.setdefault(label_paths[variant.label_key], []).append(path)
            else:
                drawn[path] = cached
        # One job per label, so that its PNG is decoded once for all its widths.
        jobs = [(drawn[label], tuple(self.variants[p] for p in paths)) for label, paths in by_label.items()]
        for paths, encoded in zip(by_label.values(), _in_pool(_derive_job, jobs, workers), strict=True):
            for path, data in zip(paths, encoded, strict=True):
                drawn[path] = data
                if cache_dir is not None:
                    _store(cache_dir, path, self.variants[path], data)


def _cache_name(path: str, op: CachedOp) -> str:
    return op.key + posixpath.splitext(path)[1]


# How a whole PNG or JPEG ends: a cached picture cut short (a disk that filled up, a cache
# restored in part) is drawn again, never published truncated.
_WHOLE = {".png": (b"\x89PNG\r\n\x1a\n", b"IEND\xaeB`\x82"), ".jpg": (b"\xff\xd8", b"\xff\xd9"),
          ".jpeg": (b"\xff\xd8", b"\xff\xd9")}


def _cached(cache_dir: Path | None, path: str, op: CachedOp) -> bytes | None:
    if cache_dir is None:
        return None
    name = _cache_name(path, op)
    try:
        data = (cache_dir / name).read_bytes()
    except OSError:
        return None
    suffix = posixpath.splitext(name)[1]
    if suffix == ".webp":  # a RIFF file says its own length
        whole = data[:4] == b"RIFF" and int.from_bytes(data[4:8], "little") + 8 == len(data)
        return data if whole else None
    start, end = _WHOLE.get(suffix, (b"", b""))
    return data if data.startswith(start) and data.endswith(end) else None


def _store(cache_dir: Path, path: str, op: CachedOp, data: bytes) -> None:
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        target = cache_dir / _cache_name(path, op)
        temporary = target.with_name(f".{target.name}.{os.getpid()}")
        temporary.write_bytes(data)
        os.replace(temporary, target)
    except OSError:
        pass  # a cache that cannot be written only costs time


def _prune(cache_dir: Path, keep: set[str]) -> None:
    if not cache_dir.is_dir():
        return
    for entry in sorted(cache_dir.iterdir()):
        if entry.is_file() and entry.name not in keep and not entry.name.startswith("."):
            with contextlib.suppress(OSError):
                entry.unlink()


def draw(op: PictureOp) -> bytes:
    """One picture's bytes (a top-level function, so that a process pool can run it)."""
    if isinstance(op, LabelOp):
        return render_label(op)
    if isinstance(op, ArtworkOp):
        return published_artwork(op.artwork)
    return render_share_card(op)


def _derive_job(job: tuple[bytes, tuple[LabelVariantOp, ...]]) -> list[bytes]:
    """One label's variants from its PNG (a top-level function, for the process pool)."""
    return derive_variants(*job)


def _in_pool(work: Callable[[Job], PictureResult], jobs: Sequence[Job], workers: int) -> list[PictureResult]:
    """``work`` done on every job, in order: in a process pool when there are enough to pay for one."""
    if workers <= 1 or len(jobs) < 8:
        return [work(job) for job in jobs]
    # forkserver, as for photos: workers never fork from a parent running threads.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["storysite.labels.stage"])
    try:
        with ProcessPoolExecutor(min(workers, len(jobs)), mp_context=context, initializer=die_with_build,
                                 initargs=(os.getpid(),)) as pool:
            # Chunks submitted one by one, not by pool.map: interrupted (SIGTERM, Ctrl-C), its
            # iterator cancels the futures left, on which the pool's thread then sets an error
            # (see storysite.parallel.fork_map).
            size = max(1, len(jobs) // (workers * 4))
            futures = [pool.submit(_work_chunk, work, jobs[start:start + size]) for start in range(0, len(jobs), size)]
            return [result for future in futures for result in future.result()]
    except (BrokenProcessPool, OSError):
        return [work(job) for job in jobs]


def _work_chunk(work: Callable[[Job], PictureResult], chunk: Sequence[Job]) -> list[PictureResult]:
    return [work(job) for job in chunk]


def plan_labels(
    site: PublicSite,
    site_dir: Path,
    theme_static: Mapping[str, Path],
    assets: Assets,
    memories: MemoryViews,
    site_view: SiteView,
    translate: Translate,
) -> tuple[LabelStage, list[Diagnostic]]:
    """Prepare every design and plan every label picture and share card."""
    problems: list[Diagnostic] = []
    ready: dict[str, ReadyDesign] = {}
    failed: set[str] = set()
    store = StoreFiles(site_dir / site.config.privacy.private_store, site.config.privacy.private_store)
    for design in site.labels:
        # Published as they are (the artwork without its metadata): never a file of the store.
        private = [(path, line) for path, line in ((design.artwork, design.origin.line),
                                                   *((f.font, f.line) for f in design.fonts if not f.in_theme))
                   if path and store.holds(site_dir / path)]
        if private:
            problems.extend(error(design.origin.path, line, store.refusal(path)) for path, line in private)
            failed.add(design.slug)
            continue
        prepared, found = prepare_design(design, site_dir, theme_static, site.config.language)
        problems.extend(found)
        if prepared is None:
            failed.add(design.slug)
        else:
            ready[design.slug] = prepared
    labels: dict[str, LabelOp] = {}
    cards: dict[str, ShareCardOp] = {}
    copies: dict[str, Path] = {}
    artworks: dict[str, ArtworkOp] = {}
    variants: dict[str, LabelVariantOp] = {}
    settings = variant_settings(site.config.images)
    designs = [_design_view(d, assets, translate, labels, copies, artworks, settings, variants)
               for d in ready.values()]
    fonts = _card_fonts(theme_static)
    palette = site_view.palette

    def card(title: str, kicker: str, byline: str, label: LabelOp | None, photo: str | None, alt: str) -> ImageView:
        photo_path = str(site_dir / photo) if photo else None
        op = ShareCardOp(title, kicker, byline, site_view.brand_name, palette["primary"], palette["accent"],
                         palette["on_primary"], palette["paper"], fonts, label, photo_path,
                         _sha(site_dir / photo) if photo else "")
        path = f"{SHARE_DIR}/{op.key[:16]}.jpg"
        cards[path] = op
        return ImageView("/" + path, 1200, 630, alt)

    memory_labels: dict[str, ImageView] = {}
    memory_cards: dict[str, ImageView] = {}
    by_slug = {c.slug: c for c in memories.cards}
    for memory in site.memories:
        op, text = _memory_label(memory, ready, failed, problems)
        view = by_slug[memory.slug]
        if op is not None and memory.label is not None:
            used = ready[memory.label.design].design
            path = f"{LABELS_DIR}/{op.key[:16]}.png"
            labels[path] = op
            width, height = used.artwork_size
            memory_labels[memory.slug] = ImageView(
                "/" + path, width, height, translate("labels.image_alt", design=used.title, text=text),
                _variant_sources(op, used.artwork_size, settings, variants))
        if memory.shareable:
            author = view.author or translate("memory.anonymous")
            photo = next((m.src for m in memory.media if m.src), None)
            alt = (translate("labels.card_alt_label", title=view.title, text=text, brand=site_view.brand_name)
                   if op is not None else
                   translate("labels.card_alt", title=view.title, author=author, brand=site_view.brand_name))
            title, byline = _card_words(memory, view, author, fonts, site_view.title, translate, problems)
            memory_cards[memory.slug] = card(title, _kicker(view, translate), byline,
                                             op, None if op is not None else photo, alt)
    first_example = next((labels[d.example.url.lstrip("/")] for d in designs if d.example), None)
    site_card = card(site_view.title, translate("labels.card_site_kicker"), site_view.description, first_example,
                     None, translate("labels.site_card_alt", title=site_view.title, brand=site_view.brand_name))
    views = LabelViews(tuple(designs), memory_labels, memory_cards, site_card)
    return LabelStage(views, dict(sorted(labels.items())), dict(sorted(cards.items())), dict(sorted(copies.items())),
                      dict(sorted(artworks.items())), dict(sorted(variants.items()))), problems


def _variant_sources(op: LabelOp, size: tuple[int, int], settings: VariantSettings | None,
                     variants: dict[str, LabelVariantOp]) -> tuple[PictureSource, ...]:
    """The ``<source>`` of a label picture (a memory's, or a design's example): its WebP
    variants, added to ``variants`` (none without WebP). The PNG stays the ``<img src>``,
    and the share card's picture."""
    candidates = []
    for variant in plan_variants(op.key, size, settings):
        path = variant.output_path(LABELS_DIR)
        variants[path] = variant
        candidates.append(Candidate("/" + path, variant.width))
    return (PictureSource(MIME_TYPE, tuple(candidates)),) if candidates else ()


def _memory_label(memory: PublicMemory, ready: Mapping[str, ReadyDesign], failed: set[str],
                  problems: list[Diagnostic]) -> tuple[LabelOp | None, str]:
    """The label picture of a published, shareable memory, or ``None`` (with the reason reported)."""
    label = memory.label
    if label is None or label.design in failed:
        return None, ""
    design = ready.get(label.design)
    where = label.origin
    if design is None:
        known = ", ".join(sorted(ready)) or "none yet: add one to content/labels/"
        problems.append(error(where.path, label.design_line or where.line, f"label.design: no label design '{label.design}' "
                              f"(designs: {known})"))
        return None, ""
    result = design.layout(label.text)
    if isinstance(result, Refusal):
        reason = ("a blocked word or phrase" if result.reason == "blocked" else result.message())
        problems.append(warning(where.path, where.line, f"label.text: refused by the label policy of design "
                                f"'{label.design}' ({reason}); the memory is published without its label. "
                                f"{REFUSAL_ADVICE[result.reason]}"))
        return None, ""
    return label_op(design, result), _label_text(result)


def _label_text(layout: LabelLayout) -> str:
    return " ".join(zone.text for zone in layout.zones if zone.text)


def _kicker(card: MemoryCard, translate: Translate) -> str:
    if card.date_text:
        return translate("labels.card_kicker", date=card.date_text)
    return translate("labels.card_kicker_undated")


def _byline(author: str, location: str, translate: Translate) -> str:
    if not author:
        return ""
    by = translate("memory.by", name=author)
    return f"{by}, {translate('memory.location', place=location)}" if location else by


def _card_words(memory: PublicMemory, view: MemoryCard, author: str, fonts: CardFonts, site_title: str,
                translate: Translate, problems: list[Diagnostic]) -> tuple[str, str]:
    """The title and the byline a memory's share card draws, in what its fonts can draw.

    What the fonts cannot draw (another script, emoji) is left out, with a warning at the
    field's line; when nothing legible is left, the card shows the site's name for the title,
    and leaves out who told the memory (rather than "Told by ., in") or where.
    """
    lines = {key: line for key, line in zip(FIELD_LINE_KEYS, memory.field_lines, strict=False) if line}
    path = memory.origin.path

    def drawable(text: str, font: str, sha256: str, field: str, instead: str) -> str:
        if not text:
            return ""
        found = card_text(text, font, sha256)
        if not found.dropped:
            return found.shown
        line = next((lines[f] for f in field.split("|") if f in lines), memory.origin.line)
        if found.legible:
            problems.append(warning(path, line, f"share card: the card's font cannot draw "
                                    f"'{shortened(found.dropped)}' ({found.scripts()}); the card shows "
                                    f"'{shortened(found.shown)}'"))
            return found.shown
        problems.append(warning(path, line, f"share card: the card's font cannot draw '{shortened(text)}' "
                                f"({found.scripts()}); {instead}"))
        return ""

    title = drawable(view.title, fonts.display, fonts.display_sha256, "title", "the card shows the site's name instead")
    if not title:
        title = card_text(site_title, fonts.display, fonts.display_sha256).shown
    name = drawable(author, fonts.text, fonts.text_sha256, "author.display|author.name",
                    "the card leaves out who told the memory")
    place = drawable(view.location, fonts.text, fonts.text_sha256, "author.location",
                     "the card leaves out the place") if name else ""
    return title, _byline(name, place, translate)


def _design_view(design: ReadyDesign, assets: Assets, translate: Translate, labels: dict[str, LabelOp],
                 copies: dict[str, Path], artworks: dict[str, ArtworkOp], settings: VariantSettings | None,
                 variants: dict[str, LabelVariantOp]) -> DesignView:
    """A design as its pages and blocks show it, with the files it needs added to ``labels``,
    ``copies``, ``artworks`` and ``variants``.

    The example gets WebP variants as a memory's label does: the index cards, the
    ``::: label`` block and the maker page without JavaScript show it far narrower
    than its artwork. The blank artwork stays one file: the label maker draws on it
    at full size, and a design's own file may be a JPEG or WebP, not the PNG that
    variants are derived from.
    """
    model = design.design
    suffix = design.artwork.suffix.lower()
    blank_path = f"{LABELS_DIR}/{model.slug}-{design.artwork_sha256[:10]}{suffix}"
    artworks[blank_path] = ArtworkOp(str(design.artwork), design.artwork_sha256)
    width, height = model.artwork_size
    blank = ImageView("/" + blank_path, width, height,
                      model.alt or translate("labels.blank_alt", design=model.title))
    example = None
    if model.example:
        result = design.layout(model.example)
        assert isinstance(result, LabelLayout)  # checked by prepare_design
        op = label_op(design, result)
        path = f"{LABELS_DIR}/{op.key[:16]}.png"
        labels[path] = op
        example = ImageView("/" + path, width, height,
                            translate("labels.example_alt", design=model.title, text=_label_text(result)),
                            _variant_sources(op, model.artwork_size, settings, variants))
    faces = []
    for font in design.fonts.values():
        if font.theme_logical is not None:
            url = assets.urls[font.theme_logical]
        else:
            out = font.output_path()
            copies[out] = font.browser_file
            url = "/" + out
        faces.append(FontFaceView(font.family, url, font.browser_format))
    zones = tuple(ZoneView(z.name, z.prompt or translate("labels.prompt"), z.max_chars, z.optional, i == 0)
                  for i, z in enumerate(model.zones))
    data = {
        **design.spec.to_json(),
        "families": {key: font.family for key, font in design.fonts.items()},
        "messages": {reason: translate(f"labels.refusal.{reason}") for reason in REASONS},
        "inField": translate("labels.refusal_in_field"),
        "filename": f"{model.slug}.png",
        "example": model.example,
        "size": [width, height],
        # The canvas's accessible name: what it shows (the accepted text, the faint example, the blank label).
        "alt": {"text": translate("labels.preview_alt"), "example": translate("labels.preview_alt_example"),
                "blank": translate("labels.preview_alt_blank")},
    }
    return DesignView(model.slug, model.title, model.description, routing.label_url(model.slug), blank, example, zones,
                      tuple(faces), data)


def _card_fonts(theme_static: Mapping[str, Path]) -> CardFonts:
    bundled = bundled_themes_dir() / "default" / "static"
    display = theme_static.get(CARD_DISPLAY_FONT, bundled / CARD_DISPLAY_FONT)
    text = theme_static.get(CARD_TEXT_FONT, bundled / CARD_TEXT_FONT)
    return CardFonts(str(display), _sha(display), str(text), _sha(text))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
