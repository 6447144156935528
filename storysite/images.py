"""The image pipeline: published photos → responsive, metadata-free derivatives.

Three steps, in the shape of Zola's ``imageproc``:

1. :func:`plan_images` reads the photos that a :class:`~storysite.curate.PublicSite`
   shows (and only those: an unpublished memory's photo is never even opened),
   hashes them, and makes one hashable :class:`ImageOp` per distinct photo.
   An op's :attr:`ImageOp.key` is a hash of the photo's bytes and of every
   setting that changes the output, so it names the cache entry and the
   output files alike.
2. :func:`run_images` reuses what the on-disk cache already holds and
   encodes the rest, in a process pool (each op is independent).
3. :func:`process_image` is the work itself, a pure function of the photo's
   bytes and the settings: decode once (JPEG DCT scaling when the photo is
   much bigger than needed), apply the EXIF orientation, convert to sRGB,
   resize to the largest width, derive each smaller width from the previous
   result, and encode every format with no metadata at all (no EXIF, GPS,
   XMP, IPTC, ICC profile, comment or PNG text), unless the site keeps a
   copyright field (:attr:`ImageSettings.keep_metadata`) of a photo that is
   not a memory's.

Problems are values: a photo that cannot be used gives an
:class:`ImageFailure`, which becomes a diagnostic at each content line that
shows the photo.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import io
import itertools
import json
import math
import multiprocessing
import os
import posixpath
import re
import shutil
import sys
import threading
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import PIL
from PIL import Image, ImageCms, UnidentifiedImageError, features

from storysite import heap
from storysite.config import CONFIG_NAME
from storysite.curate import PublicSite
from storysite.diagnostics import Diagnostic, error, warning
from storysite.model import MediaRef, Origin
from storysite.parallel import die_with_build
from storysite.privacyguard import StoreFiles

Job = TypeVar("Job")
Result = TypeVar("Result")

# Bump when the processing changes in a way that changes output bytes: every
# cache entry (and every output name) then changes with it.
PIPELINE_VERSION = "1"
CACHE_DIR = ".storysite/cache/images"
MEDIA_DIR = "media"

# The decoders a site's photos may use. Pillow knows more (EPS runs
# Ghostscript, PSD and friends are rarely tested): refusing them keeps
# untrusted files away from code that was never meant to see them.
DECODABLE = ("JPEG", "PNG", "WEBP", "GIF", "AVIF", "TIFF", "BMP")
MIME_TYPES = {"webp": "image/webp", "jpeg": "image/jpeg", "png": "image/png", "avif": "image/avif"}
EXTENSIONS = {"webp": "webp", "jpeg": "jpg", "png": "png", "avif": "avif"}
# The <img> fallback is the most widely understood format the site makes.
COMPATIBILITY = ("jpeg", "png", "webp", "avif")
EXIF_FIELDS = {"copyright": 0x8298, "artist": 0x013B}
_ORIENTATION_TAG = 0x0112
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
PLACEHOLDER_WIDTH = 24
# libwebp's effort (cwebp -m), which Pillow calls ``method``. 2 rather than libwebp's own
# default of 4: 2.4× faster to encode for WebP files ~3% larger at the same quality setting
# (Hugo made the same change in 2026); ``images.webp_method: 4`` gives the smallest files.
DEFAULT_WEBP_METHOD = 2
# The effort of every cache entry made before the setting existed, whose keys do not name it.
_UNNAMED_WEBP_METHOD = 4


# -- values -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImageSettings:
    """Every setting that changes a derivative's bytes (part of the cache key)."""

    widths: tuple[int, ...] = (480, 960, 1600)
    formats: tuple[str, ...] = ("webp", "jpeg")
    quality: int = 80
    keep_metadata: tuple[str, ...] = ()
    max_pixels: int = 100_000_000
    webp_method: int = DEFAULT_WEBP_METHOD
    """libwebp's effort, 0 (fastest) to 6; lower is faster and makes larger files."""

    def fingerprint(self) -> str:
        """The settings that shape output bytes, as stable text (``max_pixels`` does not).

        ``webp_method`` joins the text only when WebP is made and the effort is
        not 4, so that the cache entries made before the setting existed (all
        at method 4) stay valid for method 4, and a site without WebP never
        re-encodes for it.
        """
        shaping: list[Any] = [self.widths, self.formats, self.quality, sorted(self.keep_metadata)]
        if self.webp_method != _UNNAMED_WEBP_METHOD and "webp" in self.formats:
            shaping.append({"webp_method": self.webp_method})
        return json.dumps(shaping)


def available_formats() -> tuple[str, ...]:
    """Output formats the installed Pillow can encode."""
    found = ["jpeg", "png"]
    if features.check("webp"):
        found.append("webp")
    if features.check("avif"):
        found.append("avif")
    return tuple(found)


@dataclass(frozen=True, slots=True)
class ImageOp:
    """Make every derivative of one photo. Hashable; two refs to one photo share it."""

    source: str
    """Site-relative path of the photo (the first that names these bytes)."""
    sha256: str
    settings: ImageSettings

    @property
    def key(self) -> str:
        """Content hash of the photo and the settings: the cache entry's and the files' name."""
        text = "\n".join((PIPELINE_VERSION, PIL.__version__, self.sha256, self.settings.fingerprint()))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Derivative:
    """One encoded file: a width in a format."""

    width: int
    height: int
    format: str
    size: int

    @property
    def filename(self) -> str:
        """The file's name inside its cache entry."""
        return f"{self.width}.{EXTENSIONS[self.format]}"

    def output_path(self, key: str) -> str:
        """Where the file goes in the built site (named from the hash, never the photo's name)."""
        return f"{MEDIA_DIR}/{key[:20]}-{self.width}.{EXTENSIONS[self.format]}"


@dataclass(frozen=True, slots=True)
class ImageResult:
    """What encoding one photo made: sizes, files, placeholder, and remarks for the editor."""

    key: str
    width: int
    """Width of the photo as shown (orientation applied)."""
    height: int
    source_pixels: int
    derivatives: tuple[Derivative, ...]
    placeholder: str = ""
    """A tiny blurred preview as a ``data:`` URL ("" for transparent photos)."""
    color: str = ""
    """The photo's average colour, ``#rrggbb`` ("" for transparent photos)."""
    alpha: bool = False
    notes: tuple[str, ...] = ()
    """Warnings about the photo (animated, no colour profile...), repeated on every build."""

    def files(self) -> Iterator[tuple[str, str]]:
        """``(output path, cache file name)`` of every derivative."""
        for derivative in self.derivatives:
            yield derivative.output_path(self.key), derivative.filename


@dataclass(frozen=True, slots=True)
class ImageFailure:
    """A photo that cannot be used, and why (completes ``'photo.jpg' ...``)."""

    key: str
    message: str


@dataclass(frozen=True, slots=True)
class ImagePlan:
    """Every op of a build, and which content lines show each photo."""

    ops: tuple[ImageOp, ...]
    keys: Mapping[str, str]
    """Site-relative photo path → op key."""
    refs: Mapping[str, tuple[tuple[Origin, str, str], ...]]
    """Op key → ``(origin, field, path as written)`` of every reference, for messages."""


@dataclass(frozen=True, slots=True)
class ImageStats:
    """How the image step went, for the build summary."""

    encoded: int = 0
    reused: int = 0
    failed: int = 0
    files: int = 0


@dataclass(frozen=True, slots=True)
class ImageResults:
    """The results of a build's image step, by photo path."""

    results: Mapping[str, ImageResult] = field(default_factory=dict)
    """Op key → result."""
    keys: Mapping[str, str] = field(default_factory=dict)
    """Site-relative photo path → op key."""
    stats: ImageStats = field(default_factory=ImageStats)

    def for_path(self, path: str) -> ImageResult | None:
        """The result for a site-relative photo path, if it was encoded."""
        key = self.keys.get(path)
        return self.results.get(key) if key is not None else None


# -- arithmetic (no image needed) ----------------------------------------------


def derivative_widths(source_width: int, widths: Sequence[int]) -> tuple[int, ...]:
    """The widths to make for a photo ``source_width`` wide: never wider than the photo.

    A photo narrower than some configured widths gets its own width instead
    of them, once, so the largest derivative is the photo at full size.
    """
    fitting = sorted({w for w in widths if w < source_width})
    if len(fitting) < len(set(widths)):
        fitting.append(source_width)
    return tuple(fitting)


def scaled_height(width: int, source_width: int, source_height: int) -> int:
    """The height that keeps the aspect ratio at ``width`` (at least 1 pixel)."""
    return max(1, round(width * source_height / source_width))


def oriented_size(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    """The displayed size: EXIF orientations 5 to 8 turn the photo a quarter."""
    return (size[1], size[0]) if orientation in (5, 6, 7, 8) else size


def output_formats(formats: Sequence[str], alpha: bool) -> tuple[str, ...]:
    """The formats to encode: JPEG cannot hold transparency, so PNG stands in for it."""
    chosen: list[str] = []
    for name in formats:
        if alpha and name == "jpeg":
            name = "png"
        if name not in chosen:
            chosen.append(name)
    return tuple(chosen)


def fallback_format(formats: Sequence[str]) -> str:
    """The format of the ``<img>`` itself: the most widely understood one available."""
    for name in COMPATIBILITY:
        if name in formats:
            return name
    return formats[-1]


# -- the work -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Processed:
    """Encoded derivatives (bytes) and what the page needs to know about them."""

    width: int
    height: int
    source_pixels: int
    files: tuple[tuple[Derivative, bytes], ...]
    placeholder: str
    color: str
    alpha: bool
    notes: tuple[str, ...]


class _Refused(Exception):
    """Internal: the photo cannot be used; the message completes ``'photo.jpg' ...``."""


@contextlib.contextmanager
def _pixel_limit(limit: int) -> Iterator[None]:
    # Pillow's own bomb check is a module global; hold it at the site's limit
    # while we open a photo, and make its warning an error we can report.
    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = limit
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        Image.MAX_IMAGE_PIXELS = saved


def _too_big(width: int, height: int, limit: int) -> str:
    return (f"is {width}×{height} pixels ({width * height / 1e6:.1f} megapixels), over the limit of "
            f"{limit / 1e6:g} megapixels (images.max_pixels in storysite.yaml); "
            "a photo this big may be a decompression bomb, or needs resizing before use")


def process_image(data: bytes, settings: ImageSettings) -> Processed | str:
    """Decode ``data`` once and encode every derivative; a failure is a message.

    Pure: the same bytes and settings always give the same output bytes.
    """
    try:
        return _process(data, settings)
    except _Refused as refused:
        return str(refused)


def decode_problem(image: Image.Image) -> str | None:
    """Decode ``image`` whole; what is wrong with it (a message that follows its name), or None."""
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        reason = str(exc) or type(exc).__name__
        return f"is damaged or truncated and cannot be decoded ({reason}); export it again from the original"
    except MemoryError:
        return "is too large to decode in the memory available"
    return None


def _process(data: bytes, settings: ImageSettings) -> Processed:
    notes: list[str] = []
    image = _open(data, settings.max_pixels)
    raw_width, raw_height = image.size
    if raw_width * raw_height > settings.max_pixels:
        raise _Refused(_too_big(raw_width, raw_height, settings.max_pixels))
    frames = getattr(image, "n_frames", 1)
    if frames > 1:
        notes.append(f"is animated ({frames} frames); only the first is shown. For motion, use a video (.mp4)")
    exif = _exif_of(image)
    orientation = _orientation(exif)
    kept_exif = _kept_exif(exif, settings.keep_metadata)
    icc = image.info.get("icc_profile") or None
    width, height = oriented_size((raw_width, raw_height), orientation)
    widths = derivative_widths(width, settings.widths)
    raw_target = oriented_size((widths[-1], scaled_height(widths[-1], width, height)), orientation)
    if image.format == "JPEG" and raw_target[0] * 2 <= raw_width:
        # DCT scaling: libjpeg decodes at 1/2, 1/4 or 1/8 size, never below the target.
        image.draft(None, raw_target)
    problem = decode_problem(image)
    if problem is not None:
        raise _Refused(problem)
    frame = _working_mode(image, notes)
    return _derive(frame, icc, orientation, (width, height), widths, kept_exif, settings, notes,
                   raw_width * raw_height)


def _exif_of(image: Image.Image) -> Image.Exif:
    """The photo's EXIF data; none when its block is broken (ignored, like the rest of the metadata)."""
    try:
        return image.getexif()
    except Exception:
        return Image.Exif()


def _orientation(exif: Image.Exif) -> int:
    """The EXIF orientation (1 to 8), 1 when there is none that makes sense."""
    value = exif.get(_ORIENTATION_TAG, 1)
    return value if isinstance(value, int) and value in range(1, 9) else 1


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """Open (not decode) a photo with the allowed decoders, under the pixel limit."""
    with _pixel_limit(max_pixels):
        try:
            return Image.open(io.BytesIO(data), formats=DECODABLE)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            width, height = _peek_size(data)
            raise _Refused(_too_big(width, height, max_pixels)) from None
        except UnidentifiedImageError:
            raise _Refused("is not an image this site can use (JPEG, PNG, WebP, AVIF, GIF, TIFF or BMP)") from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise _Refused(f"cannot be read as an image: {exc}") from None


def display_frame(path: Path, box: tuple[int, int]) -> Image.Image:
    """A photo the image step accepted, decoded as its derivatives show it: the first frame,
    upright, in 8 bits, its colours in sRGB (mode L, RGB or RGBA), for pictures drawn from it
    (a memory's share card). A JPEG is decoded at reduced size when ``box`` allows.

    Pillow's own decompression-bomb limit is lifted: ``images.max_pixels`` was enforced when the
    photo was encoded, and a site may set it above Pillow's 89 megapixels.
    """
    image = _open(path.read_bytes(), sys.maxsize // 4)
    orientation = _orientation(_exif_of(image))
    if image.format == "JPEG":
        image.draft(None, oriented_size(box, orientation))
    icc = image.info.get("icc_profile") or None
    frame = _working_mode(image, [])
    if orientation in _TRANSPOSE:
        frame = frame.transpose(_TRANSPOSE[orientation])
    return _to_srgb(frame, icc, [])


_SVG_SIZE = re.compile(rb"<svg\b[^>]*?\bviewBox\s*=\s*[\"']\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)",
                       re.IGNORECASE)


def image_dimensions(path: Path) -> tuple[int, int] | None:
    """An image file's own width and height (an SVG's from its viewBox), or None when unknown
    (for a page to reserve its box before it loads: the site's logo)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if path.suffix.lower() == ".svg":
        found = _SVG_SIZE.search(data[:8192])
        if found is None:
            return None
        width, height = float(found.group(1)), float(found.group(2))
        return (round(width), round(height)) if width > 0 and height > 0 else None
    size = _peek_size(data)
    return size if size[0] > 0 and size[1] > 0 else None


def _peek_size(data: bytes) -> tuple[int, int]:
    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data), formats=DECODABLE) as image:
                return image.size
    except Exception:
        return (0, 0)
    finally:
        Image.MAX_IMAGE_PIXELS = saved


def _kept_exif(exif: Image.Exif, keep: Sequence[str]) -> bytes:
    """A fresh EXIF block with only the allowed text fields (never GPS: it is not allowed)."""
    fresh = Image.Exif()
    for name in sorted(keep):
        value = exif.get(EXIF_FIELDS[name])
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if isinstance(value, str) and value.strip("\x00 ").strip():
            fresh[EXIF_FIELDS[name]] = value.strip("\x00 ")[:200]
    return fresh.tobytes() if len(fresh) else b""


def is_wide_grey(image: Image.Image) -> bool:
    """Whether ``image`` holds greys of more than 8 bits (a 16-bit PNG, say)."""
    return image.mode.startswith("I;16") or image.mode == "I"


def eight_bit_grey(image: Image.Image) -> Image.Image:
    """A picture of wide greys (:func:`is_wide_grey`) in 8 bits, scaled rather than clipped:
    a plain convert turns them white."""
    wide = image.convert("I") if image.mode != "I" else image
    extrema = wide.getextrema()
    high = extrema[1] if isinstance(extrema[1], (int, float)) else 255
    scale = 1 / 256 if image.mode != "I" or high > 255 else 1
    return wide.point(lambda value: value * scale).convert("L")


def _working_mode(image: Image.Image, notes: list[str]) -> Image.Image:
    """The decoded frame in a mode that resizes well: L, RGB, RGBA or CMYK (8 bits)."""
    mode = image.mode
    if mode in ("RGB", "RGBA", "L", "CMYK"):
        return image
    if mode == "1":
        return image.convert("L")
    if mode in ("P", "PA"):
        return image.convert("RGBA" if image.has_transparency_data or mode == "PA" else "RGB")
    if mode in ("LA", "La", "RGBa", "RGBX"):
        return image.convert("RGBA" if mode != "RGBX" else "RGB")
    if is_wide_grey(image):
        return eight_bit_grey(image)
    if mode == "F":
        return image.convert("L")
    if mode == "YCbCr":
        return image.convert("RGB")
    raise _Refused(f"uses the {mode} colour mode, which this site cannot convert; export it as an sRGB JPEG or PNG")


def _derive(
    frame: Image.Image,
    icc: bytes | None,
    orientation: int,
    size: tuple[int, int],
    widths: tuple[int, ...],
    kept_exif: bytes,
    settings: ImageSettings,
    notes: list[str],
    source_pixels: int,
) -> Processed:
    width, height = size
    # 1. The largest derivative, from the decoded frame: resize first (cheaper),
    #    then turn it upright and convert its colours.
    largest = widths[-1]
    target = oriented_size((largest, scaled_height(largest, width, height)), orientation)
    current = resize(frame, target)
    if orientation in _TRANSPOSE:
        current = current.transpose(_TRANSPOSE[orientation])
    current = _to_srgb(current, icc, notes)
    alpha = current.mode == "RGBA" and current.getchannel("A").getextrema() != (255, 255)
    if current.mode == "RGBA" and not alpha:
        current = current.convert("RGB")  # an opaque alpha channel only costs bytes
    formats = output_formats(settings.formats, alpha)
    # 2. Each smaller width from the one above it: a fraction of the pixels to read.
    steps: list[Image.Image] = [current]
    for w in reversed(widths[:-1]):
        current = resize(current, (w, scaled_height(w, width, height)))
        steps.append(current)
    files: list[tuple[Derivative, bytes]] = []
    for image in reversed(steps):
        for name in formats:
            data = _encode(image, name, settings, kept_exif)
            files.append((Derivative(image.width, image.height, name, len(data)), data))
    smallest = steps[-1]
    placeholder, color = ("", "") if alpha else _placeholder(smallest)
    return Processed(width, height, source_pixels, tuple(files), placeholder, color, alpha, tuple(notes))


def resize(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """``image`` at ``size`` (itself when it is that size already), as every derivative is made."""
    if image.size == size:
        return image
    # reducing_gap: a box reduction by a whole factor first, then Lanczos for
    # the rest; indistinguishable from plain Lanczos at a gap of 3, and faster.
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


_SRGB: Any = None


def _srgb_profile() -> Any:
    global _SRGB  # one profile object per process; building it costs more than using it
    if _SRGB is None:
        _SRGB = ImageCms.createProfile("sRGB")
    return _SRGB


def _to_srgb(image: Image.Image, icc: bytes | None, notes: list[str]) -> Image.Image:
    """Colours converted to sRGB (the web's colour space); the profile itself is dropped."""
    if icc and not _is_srgb(icc):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            alpha = image.getchannel("A") if image.mode == "RGBA" else None
            base = image.convert("RGB") if image.mode == "RGBA" else image
            converted = ImageCms.profileToProfile(base, source, _srgb_profile(), outputMode="RGB",
                                                  renderingIntent=ImageCms.Intent.PERCEPTUAL)
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            notes.append("has a colour profile that cannot be read; its colours were used as they are")
        else:
            assert converted is not None
            if alpha is not None:
                converted.putalpha(alpha)
            return converted
    elif image.mode == "CMYK":
        notes.append("is a CMYK image without a colour profile: its colours were converted "
                     "approximately; export it as sRGB for faithful colours")
    return image.convert("RGB") if image.mode == "CMYK" else image


def _is_srgb(icc: bytes) -> bool:
    # The profile's description says so for every common sRGB profile; a
    # converted copy of an sRGB photo would be the same pixels, only slower.
    head = icc[:4096]
    return b"sRGB" in head or b"s\x00R\x00G\x00B" in head


def _encode(image: Image.Image, name: str, settings: ImageSettings, exif: bytes) -> bytes:
    quality = settings.quality
    out = io.BytesIO()
    image.info = {}  # never let a decoder's metadata (comment, ICC, XMP) ride along
    options: dict[str, Any] = {"exif": exif} if exif else {}
    if name == "jpeg":
        rgb = image if image.mode in ("RGB", "L") else image.convert("RGB")
        rgb.info = {}
        rgb.save(out, "JPEG", quality=quality, optimize=True, **options)
    elif name == "webp":
        image.save(out, "WEBP", quality=quality, method=settings.webp_method, **options)
    elif name == "avif":
        image.save(out, "AVIF", quality=quality, speed=6, max_threads=1, **options)
    elif name == "png":
        image.save(out, "PNG", compress_level=9, **options)
    else:  # the config schema lets no other name through
        raise ValueError(f"unknown format {name}")
    return out.getvalue()


def _placeholder(image: Image.Image) -> tuple[str, str]:
    """A ~24-pixel WebP of the photo as a ``data:`` URL, and its average colour."""
    rgb = image.convert("RGB")
    tiny = rgb.resize((PLACEHOLDER_WIDTH, scaled_height(PLACEHOLDER_WIDTH, rgb.width, rgb.height)),
                      Image.Resampling.BOX) if rgb.width > PLACEHOLDER_WIDTH else rgb
    average = tiny.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    assert isinstance(average, tuple)
    color = "#" + "".join(f"{c:02x}" for c in average[:3])
    if not features.check("webp"):
        return "", color
    out = io.BytesIO()
    tiny.info = {}
    tiny.save(out, "WEBP", quality=40, method=6)
    return "data:image/webp;base64," + base64.b64encode(out.getvalue()).decode("ascii"), color


# -- planning -------------------------------------------------------------------


def settings_from_config(site: PublicSite) -> tuple[ImageSettings, list[Diagnostic]]:
    """The image settings of a site; formats the installed Pillow lacks are left out."""
    images = site.config.images
    can = available_formats()
    formats: list[str] = []
    problems: list[Diagnostic] = []
    for name in images.formats:
        if name not in can:
            problems.append(warning(CONFIG_NAME, site.config.line_of("images.formats"),
                                    f"images.formats: this Pillow cannot encode {name}; it is left out"))
        elif name not in formats:
            formats.append(name)
    if not formats:
        formats = ["jpeg"]
    settings = ImageSettings(tuple(images.widths), tuple(formats), images.quality,
                             tuple(sorted(set(images.keep_metadata))), images.max_pixels, images.webp_method)
    return settings, problems


def published_photos(site: PublicSite) -> Iterator[tuple[MediaRef, str, str]]:
    """Every photo the public site shows: ``(ref, field, site-relative path)``.

    Built from the :class:`PublicSite` only, so an unpublished memory's
    photos are never opened, let alone encoded.
    """
    for memory in site.memories:
        yield from _media_photos(memory.media, "media")
    for campaign in site.campaigns:
        if campaign.hero is not None:
            yield from _media_photos((campaign.hero,), "hero")
    for milestone in site.milestones:
        yield from _media_photos(milestone.media, "media")
    for gallery in site.galleries:
        yield from _media_photos(gallery.images, "images")


def _media_photos(refs: Iterable[MediaRef], name: str) -> Iterator[tuple[MediaRef, str, str]]:
    for ref in refs:
        if ref.src:
            yield ref, f"{name}.src", ref.src
        if ref.poster:
            yield ref, f"{name}.poster", ref.poster


def plan_images(site: PublicSite, site_dir: Path, settings: ImageSettings,
                extra: Iterable[MediaRef] = ()) -> tuple[ImagePlan, list[Diagnostic]]:
    """One :class:`ImageOp` per distinct published photo, and who shows it.

    ``extra`` are more photos of the public site: those of editors' Markdown."""
    problems: list[Diagnostic] = []
    keys: dict[str, str] = {}
    ops: dict[str, ImageOp] = {}
    refs: dict[str, list[tuple[Origin, str, str]]] = {}
    unreadable: set[str] = set()
    named = ((ref, "image", ref.src) for ref in extra if ref.src)
    store = StoreFiles(site_dir / site.config.privacy.private_store, site.config.privacy.private_store)
    # A fan's photo keeps no metadata, whatever keep_metadata says: a camera writes its owner's
    # full name (and, as some do, a phone number or an email address) into Artist and
    # Copyright, which privacy.author_display would publish as "Romain L." at most. A memory
    # credits its photos by their credit:, which the site's checks look at.
    fans = {path for memory in site.memories for _, _, path in _media_photos(memory.media, "media")}
    bare = dataclasses.replace(settings, keep_metadata=())
    for ref, field_name, path in itertools.chain(published_photos(site), named):
        if path in unreadable:
            continue
        if path not in keys and store.holds(site_dir / path):
            problems.append(error(ref.origin.path, ref.origin.line, f"{field_name}: {store.refusal(path)}; put the "
                                  "photo beside the content file instead"))
            continue
        if path not in keys:
            try:
                data = (site_dir / path).read_bytes()
            except OSError as exc:
                unreadable.add(path)
                problems.append(error(ref.origin.path, ref.origin.line,
                                      f"{field_name}: '{path}' cannot be read: {exc.strerror}"))
                continue
            op = ImageOp(path, hashlib.sha256(data).hexdigest(), bare if path in fans else settings)
            keys[path] = op.key
            ops.setdefault(op.key, op)
        refs.setdefault(keys[path], [])
        # Messages quote the path as the editor wrote it: relative to the content file.
        entry = (ref.origin, field_name,
                 ref.written or posixpath.relpath(path, posixpath.dirname(ref.origin.path) or "."))
        if entry not in refs[keys[path]]:
            refs[keys[path]].append(entry)
    plan = ImagePlan(
        ops=tuple(sorted(ops.values(), key=lambda op: op.key)),
        keys=dict(sorted(keys.items())),
        refs={key: tuple(sorted(found, key=lambda r: (r[0].path, r[0].line))) for key, found in sorted(refs.items())},
    )
    return plan, problems


# -- the cache ----------------------------------------------------------------


def cache_entry(cache_dir: Path, key: str) -> Path:
    return cache_dir / key[:2] / key


def load_cached(cache_dir: Path, key: str) -> ImageResult | None:
    """The cached result for ``key`` when its entry is complete, else ``None``."""
    entry = cache_entry(cache_dir, key)
    try:
        meta = json.loads((entry / "meta.json").read_text("utf-8"))
        result = ImageResult(
            key=key,
            width=int(meta["width"]),
            height=int(meta["height"]),
            source_pixels=int(meta["source_pixels"]),
            derivatives=tuple(Derivative(int(d["width"]), int(d["height"]), str(d["format"]), int(d["size"]))
                              for d in meta["derivatives"]),
            placeholder=str(meta["placeholder"]),
            color=str(meta["color"]),
            alpha=bool(meta["alpha"]),
            notes=tuple(str(n) for n in meta["notes"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    for derivative in result.derivatives:
        file = entry / derivative.filename
        if not file.is_file() or file.stat().st_size != derivative.size:
            return None
    return result


def store(cache_dir: Path, key: str, processed: Processed) -> ImageResult:
    """Write an entry atomically: files into a temporary folder, renamed into place last."""
    result = ImageResult(key, processed.width, processed.height, processed.source_pixels,
                         tuple(d for d, _ in processed.files), processed.placeholder, processed.color,
                         processed.alpha, processed.notes)
    entry = cache_entry(cache_dir, key)
    entry.parent.mkdir(parents=True, exist_ok=True)
    temporary = entry.parent / f".{key}.{os.getpid()}-{uuid.uuid4().hex[:8]}"
    temporary.mkdir()
    try:
        for derivative, data in processed.files:
            (temporary / derivative.filename).write_bytes(data)
        meta = dataclasses.asdict(result)
        del meta["key"]
        (temporary / "meta.json").write_text(json.dumps(meta, sort_keys=True), "utf-8")
        try:
            os.replace(temporary, entry)
        except OSError:
            if load_cached(cache_dir, key) is None:  # not another build's finished copy
                shutil.rmtree(entry, ignore_errors=True)
                os.replace(temporary, entry)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return result


def prune_cache(cache_dir: Path, keep: Iterable[str]) -> int:
    """Remove the entries this build did not use (a withdrawn photo leaves the cache too)."""
    wanted = set(keep)
    removed = 0
    if not cache_dir.is_dir():
        return 0
    for shard in sorted(cache_dir.iterdir()):
        if not shard.is_dir():
            continue
        for entry in sorted(shard.iterdir()):
            if entry.name not in wanted and not entry.name.startswith("."):
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
        with contextlib.suppress(OSError):
            shard.rmdir()  # only when empty
    return removed


# -- running --------------------------------------------------------------------


def encode_op(op: ImageOp, source: str, cache_dir: str) -> ImageResult | ImageFailure:
    """Process one op from its file into the cache (the process pool's unit of work)."""
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        return ImageFailure(op.key, f"cannot be read: {exc.strerror}")
    if hashlib.sha256(data).hexdigest() != op.sha256:
        return ImageFailure(op.key, "changed while the site was building; build again")
    processed = process_image(data, op.settings)
    if isinstance(processed, str):
        return ImageFailure(op.key, processed)
    return store(Path(cache_dir), op.key, processed)


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def run_images(
    plan: ImagePlan, site_dir: Path, cache_dir: Path, jobs: int | None = None, store_dir: Path | None = None
) -> tuple[ImageResults, list[Diagnostic]]:
    """Reuse cached ops, encode the others (in a process pool when there are several) into
    ``store_dir`` (default: the cache; ``check``, which writes nothing, gives a scratch folder)."""
    results: dict[str, ImageResult] = {}
    failures: dict[str, ImageFailure] = {}
    missing: list[ImageOp] = []
    for op in plan.ops:
        cached = load_cached(cache_dir, op.key)
        if cached is None:
            missing.append(op)
        elif cached.source_pixels > op.settings.max_pixels:
            failures[op.key] = ImageFailure(op.key, _too_big_pixels(cached.source_pixels, op.settings.max_pixels))
        else:
            results[op.key] = cached
    reused = len(results)
    workers = min(jobs or default_jobs(), len(missing))
    for outcome in _encode_all(missing, site_dir, store_dir or cache_dir, workers):
        if isinstance(outcome, ImageFailure):
            failures[outcome.key] = outcome
        else:
            results[outcome.key] = outcome
    problems: list[Diagnostic] = []
    for key, failure in failures.items():
        for origin, field_name, path in plan.refs.get(key, ()):
            problems.append(error(origin.path, origin.line, f"{field_name}: '{path}' {failure.message}"))
    for key, result in results.items():
        for note in result.notes:
            for origin, field_name, path in plan.refs.get(key, ()):
                problems.append(warning(origin.path, origin.line, f"{field_name}: '{path}' {note}"))
    stats = ImageStats(
        encoded=len(results) - reused,
        reused=reused,
        failed=len(failures),
        files=sum(len(r.derivatives) for r in results.values()),
    )
    ordered = dict(sorted(results.items()))
    keys = {path: key for path, key in plan.keys.items() if key in ordered}
    return ImageResults(ordered, keys, stats), problems


def _too_big_pixels(pixels: int, limit: int) -> str:
    return (f"has {pixels / 1e6:.1f} megapixels, over the limit of {limit / 1e6:g} megapixels "
            "(images.max_pixels in storysite.yaml)")


def _encode_all(
    ops: Sequence[ImageOp], site_dir: Path, cache_dir: Path, workers: int
) -> Iterator[ImageResult | ImageFailure]:
    if not ops:
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    if workers <= 1:
        for op in ops:
            yield encode_op(op, str(site_dir / op.source), str(cache_dir))
        return
    # Largest photos first, so that no big one starts last and runs alone.
    ordered = sorted(ops, key=lambda op: -_file_size(site_dir / op.source))
    yield from run_in_pool(_encode_job, [(op, str(site_dir / op.source), str(cache_dir)) for op in ordered], workers)


def _encode_job(job: tuple[ImageOp, str, str]) -> ImageResult | ImageFailure:
    return encode_op(*job)


def run_in_pool(function: Callable[[Job], Result], jobs: Sequence[Job], workers: int) -> Iterator[Result]:
    """``function(job)`` for every job, in order, over a pool of ``workers`` processes
    (``function`` must be a module's top-level function). When a worker dies (out of memory,
    killed), the jobs left are done here, one by one, so that a failing photo is named
    rather than the pool."""
    done = 0
    try:
        with ProcessPoolExecutor(workers, mp_context=_pool_context(), initializer=_start_worker,
                                 initargs=(os.getpid(),)) as pool:
            futures = [pool.submit(function, job) for job in jobs]
            for future in futures:
                result = future.result()
                done += 1
                yield result
    except (BrokenProcessPool, OSError):
        for job in jobs[done:]:
            yield function(job)


def _start_worker(build: int) -> None:
    die_with_build(build)
    heap.start_worker()


def _pool_context() -> multiprocessing.context.BaseContext:
    """How to start workers: fork when it is safe, else a forkserver.

    Forking the build process starts a worker in ~10 ms, with Pillow and this
    module already imported; a forkserver needs ~0.27 s (a new interpreter,
    then the imports) before the first photo starts. Forking is only safe from
    a process that runs no other thread (the preview server does): then the
    workers fork from a clean server process instead.
    """
    if sys.platform == "linux" and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["storysite.images"])
    return context


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def placeholder_style(result: ImageResult) -> str:
    """The CSS that paints the placeholder under a photo until it loads."""
    if not result.color:
        return ""
    if result.placeholder:
        return f"background:{result.color} url({result.placeholder}) center/cover no-repeat"
    return f"background:{result.color}"


def aspect(result: ImageResult) -> float:
    """Width over height of the photo as shown."""
    return result.width / result.height if result.height else 1.0


def approx_ratio(result: ImageResult) -> str:
    """A CSS-friendly aspect ratio, kept short (``3 / 2``)."""
    divisor = math.gcd(result.width, result.height) or 1
    return f"{result.width // divisor} / {result.height // divisor}"
