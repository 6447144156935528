"""The image pipeline: derivatives, metadata stripping, caching, bad photos, videos."""

from __future__ import annotations

import io
import re
import struct

import pytest
from PIL import Image, ImageCms, ImageDraw, PngImagePlugin

from storysite.images import (
    ImageSettings,
    derivative_widths,
    fallback_format,
    oriented_size,
    output_formats,
    process_image,
)
from storysite.video import parse_video_url, strip_video_metadata
from tests.conftest import Site, memory

LYON_LATITUDE = ((45, 1), (45, 1), (3456, 100))
MAKE = "ZZSECRETPHONEMAKER"
COMMENT = "SECRET-COMMENT rue des Lilas"
XMP_CITY = "SecretVillageOfLepin"


# -- making photos --------------------------------------------------------------


def photo(size: tuple[int, int] = (2400, 1600), color: tuple[int, int, int] = (180, 120, 60), *,
          fmt: str = "JPEG", **options: object) -> bytes:
    """A photo with some structure (so encoders have something to do)."""
    image = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(image)
    for k in range(0, size[0], max(1, size[0] // 12)):
        draw.rectangle([k, size[1] // 3, k + size[0] // 24, size[1] * 2 // 3], fill=(30, 60, 200))
    draw.rectangle([0, 0, size[0] // 10, size[1] // 10], fill=(250, 0, 0))  # a red mark, top left
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def gps_exif(orientation: int = 1, copyright_: str = "", artist: str = "") -> bytes:
    exif = Image.Exif()
    exif[0x010F] = MAKE
    exif[0x0110] = "Model X"
    if orientation != 1:
        exif[0x0112] = orientation
    if copyright_:
        exif[0x8298] = copyright_
    if artist:
        exif[0x013B] = artist
    exif[0x8825] = {1: "N", 2: (45.0, 45.0, 34.56), 3: "E", 4: (4.0, 50.0, 31.92)}
    return exif.tobytes()


def xmp() -> bytes:
    return (f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            f'<rdf:Description xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:City="{XMP_CITY}"/>'
            f'</rdf:RDF></x:xmpmeta>').encode()


def srgb_icc() -> bytes:
    return bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())


def tagged_jpeg(**extra: object) -> bytes:
    """A phone photo: GPS and camera in EXIF, a comment, XMP and an ICC profile."""
    return photo(exif=gps_exif(**extra), comment=COMMENT.encode(), xmp=xmp(), icc_profile=srgb_icc(), quality=90)


def photo_memory(*entries: str, status: str = "approved", extra: str = "") -> str:
    media = "media:\n" + "".join(entries)
    return memory("Avec photo", status=status, extra=media + extra)


def entry(src: str, alt: str = "Une photo", caption: str = "", credit: str = "") -> str:
    text = f"  - src: {src}\n"
    if alt:
        text += f"    alt: {alt}\n"
    if caption:
        text += f"    caption: {caption}\n"
    if credit:
        text += f"    credit: {credit}\n"
    return text


DERIVATIVE = re.compile(r"media/[0-9a-f]{20}(?:-\d+)?\.\w+")


def media_files(site: Site) -> dict[str, bytes]:
    """The photo derivatives and videos of the built site (named from their hash)."""
    return {path: data for path, data in site.output_files().items() if DERIVATIVE.fullmatch(path)}


def open_output(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


# -- arithmetic without images ---------------------------------------------------------


def test_widths_never_exceed_the_photo() -> None:
    assert derivative_widths(2400, (480, 960, 1600)) == (480, 960, 1600)
    assert derivative_widths(1200, (480, 960, 1600)) == (480, 960, 1200)
    assert derivative_widths(960, (480, 960, 1600)) == (480, 960)
    assert derivative_widths(300, (480, 960, 1600)) == (300,)


def test_orientation_and_formats_arithmetic() -> None:
    assert oriented_size((2400, 1600), 6) == (1600, 2400)
    assert oriented_size((2400, 1600), 3) == (2400, 1600)
    assert output_formats(("webp", "jpeg"), alpha=True) == ("webp", "png")
    assert output_formats(("webp", "jpeg", "png"), alpha=True) == ("webp", "png")
    assert output_formats(("avif", "webp", "jpeg"), alpha=False) == ("avif", "webp", "jpeg")
    assert fallback_format(("avif", "webp", "jpeg")) == "jpeg"
    assert fallback_format(("webp",)) == "webp"


# -- the HTML and the files --------------------------------------------------------------


def test_photos_become_responsive_derivatives(make_site) -> None:
    original = photo()
    site = make_site({
        "content/memories/a/index.md": photo_memory(entry("one.jpg", "Une tartine", "Goûter, 1986", "Romain L."),
                                                    entry("two.jpg", "Un pot")),
        "content/memories/a/one.jpg": original,
        "content/memories/a/two.jpg": photo(color=(20, 140, 90)),
    })
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "Photos: 2 encoded, 0 reused." in result.stdout
    files = media_files(site)
    assert len(files) == 2 * 3 * 2  # 2 photos × 3 widths × (WebP + JPEG)
    assert original not in files.values()  # originals never reach the output
    assert not [p for p in site.output_files() if p.endswith(("one.jpg", "two.jpg"))]
    for path, data in files.items():
        image = open_output(data)
        width = int(re.search(r"-(\d+)\.", path).group(1))  # type: ignore[union-attr]
        assert image.size == (width, round(width * 1600 / 2400))
        assert image.format == {"webp": "WEBP", "jpg": "JPEG"}[path.rsplit(".", 1)[1]]
    html = site.read("memories/a/index.html")
    pictures = re.findall(r"<picture.*?</picture>", html, re.S)
    assert len(pictures) == 2
    first, second = pictures
    assert '<source type="image/webp" srcset="/media/' in first
    assert re.search(r'srcset="/media/\w+-480\.jpg 480w, /media/\w+-960\.jpg 960w, /media/\w+-1600\.jpg 1600w"', first)
    assert 'width="1600" height="1067"' in first and 'alt="Une tartine"' in first
    assert 'sizes="' in first
    assert 'fetchpriority="high"' in first and 'loading="lazy"' not in first  # the first photo is above the fold
    assert 'loading="lazy"' in second
    assert re.search(r'style="background:#[0-9a-f]{6} url\(data:image/webp;base64,[A-Za-z0-9+/=]+\)', first)
    assert "Goûter, 1986" in html and "© Romain L." in html
    # With JavaScript off, a photo is a plain link to its large file, which exists.
    links = re.findall(r'<a class="photo__link" href="/media/([^"]+)"', html)
    assert len(links) == 2 and all(f"media/{name}" in files for name in links)


def test_small_photos_are_never_upscaled(make_site) -> None:
    site = make_site({"content/memories/a.md": photo_memory(entry("small.png")),
                      "content/memories/small.png": photo((700, 500), fmt="PNG")})
    assert site.build().exit_code == 0
    widths = sorted({int(re.search(r"-(\d+)\.", p).group(1)) for p in media_files(site)})  # type: ignore[union-attr]
    assert widths == [480, 700]
    assert 'width="700" height="500"' in site.read("memories/a/index.html")


def test_exif_orientation_is_applied(make_site) -> None:
    # Stored sideways, as a phone does; orientation 6 means "turn 90° clockwise to view".
    raw = photo((2400, 1600), exif=gps_exif(orientation=6))
    site = make_site({"content/memories/a.md": photo_memory(entry("portrait.jpg")),
                      "content/memories/portrait.jpg": raw})
    assert site.build().exit_code == 0
    for path, data in media_files(site).items():
        image = open_output(data).convert("RGB")
        assert image.height > image.width, path
        # The red mark, top left in the raw pixels, is top right once upright.
        assert image.getpixel((image.width - 5, 5))[0] > 200, path  # type: ignore[index]
        assert image.getpixel((5, 5))[0] < 200, path  # type: ignore[index]
    assert 'width="1600" height="2400"' in site.read("memories/a/index.html")


def test_transparent_png_keeps_its_transparency(make_site) -> None:
    label = Image.new("RGBA", (1000, 800), (0, 0, 0, 0))
    ImageDraw.Draw(label).ellipse([100, 100, 900, 700], fill=(242, 193, 78, 255))
    out = io.BytesIO()
    label.save(out, "PNG")
    site = make_site({"content/memories/a.md": photo_memory(entry("label.png")),
                      "content/memories/label.png": out.getvalue()})
    assert site.build().exit_code == 0
    files = media_files(site)
    assert {p.rsplit(".", 1)[1] for p in files} == {"webp", "png"}  # no JPEG: it cannot be transparent
    for path, data in files.items():
        image = open_output(data)
        assert image.mode == "RGBA", path
        assert image.getpixel((1, 1))[3] == 0, path  # type: ignore[index]
        assert image.getpixel((image.width // 2, image.height // 2))[3] == 255, path  # type: ignore[index]
    html = site.read("memories/a/index.html")
    assert '<source type="image/webp"' in html and re.search(r'<img src="/media/\w+-960\.png"', html)
    assert "background:" not in html.split("<picture", 1)[1].split("</picture>")[0]  # no placeholder under alpha


def test_avif_when_configured(make_site) -> None:
    site = make_site({"content/memories/a.md": photo_memory(entry("p.jpg")),
                      "content/memories/p.jpg": photo((1000, 700))},
                     config="title: T\nimages: {widths: [480, 960], formats: [avif, webp, jpeg]}\n")
    assert site.build().exit_code == 0
    assert {p.rsplit(".", 1)[1] for p in media_files(site)} == {"avif", "webp", "jpg"}
    html = site.read("memories/a/index.html")
    assert html.index('type="image/avif"') < html.index('type="image/webp"')


# -- privacy: nothing of the original's metadata survives ------------------------------------


def _jpeg_markers(data: bytes) -> list[int]:
    markers, position = [], 2
    while position < len(data) and data[position] == 0xFF:
        marker = data[position + 1]
        if marker == 0xDA:  # start of scan: the image data follows
            break
        length = struct.unpack(">H", data[position + 2 : position + 4])[0]
        markers.append(marker)
        position += 2 + length
    return markers


def _riff_chunks(data: bytes) -> list[bytes]:
    chunks, position = [], 12
    while position + 8 <= len(data):
        kind, size = data[position : position + 4], struct.unpack("<I", data[position + 4 : position + 8])[0]
        chunks.append(kind)
        position += 8 + size + (size & 1)
    return chunks


def _png_chunks(data: bytes) -> list[bytes]:
    chunks, position = [], 8
    while position + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[position : position + 8])
        chunks.append(kind)
        position += 12 + size
    return chunks


def test_no_output_image_carries_metadata_and_gps_leaves_no_trace(make_site) -> None:
    png_info = PngImagePlugin.PngInfo()
    png_info.add_text("Location", XMP_CITY)
    png_info.add_itxt("XML:com.adobe.xmp", xmp().decode())
    transparent = Image.new("RGBA", (900, 600), (10, 200, 30, 128))
    png_out = io.BytesIO()
    transparent.save(png_out, "PNG", pnginfo=png_info, exif=gps_exif(), icc_profile=srgb_icc())
    webp_source = photo((1200, 800), fmt="WEBP", exif=gps_exif(), xmp=xmp(), icc_profile=srgb_icc())
    site = make_site({
        "content/memories/a/index.md": photo_memory(entry("phone.jpg"), entry("sticker.png"), entry("shared.webp")),
        "content/memories/a/phone.jpg": tagged_jpeg(),
        "content/memories/a/sticker.png": png_out.getvalue(),
        "content/memories/a/shared.webp": webp_source,
    }, config="title: T\nimages: {formats: [avif, webp, jpeg, png]}\n")
    assert site.build().exit_code == 0
    files = media_files(site)
    assert len(files) > 12
    for path, data in files.items():
        image = open_output(data)
        assert not (set(image.info) & {"exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment", "Location",
                                       "dpi", "photoshop"}), (path, sorted(image.info))
        assert len(image.getexif()) == 0, path
        if path.endswith(".jpg"):
            # JFIF header, tables, frame: no APP1 (EXIF, XMP), APP2 (ICC), APP13 (IPTC) or COM.
            assert set(_jpeg_markers(data)) <= {0xE0, 0xDB, 0xC0, 0xC2, 0xC4, 0xDD}, (path, _jpeg_markers(data))
        elif path.endswith(".webp"):
            assert set(_riff_chunks(data)) <= {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}, (path, _riff_chunks(data))
        elif path.endswith(".png"):
            assert set(_png_chunks(data)) <= {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}, (path, _png_chunks(data))
        else:
            assert path.endswith(".avif")
            assert b"Exif" not in data and b"<x:xmpmeta" not in data and b"prof" not in data.split(b"mdat")[0]
    # Not a trace anywhere, pages included: not the camera, the comment, the place, nor the
    # GPS coordinates in EXIF's own binary form.
    latitude = b"".join(struct.pack(">II", n, d) for n, d in LYON_LATITUDE)
    for path, data in site.output_files().items():
        for secret in (MAKE.encode(), COMMENT.encode(), XMP_CITY.encode(), latitude, latitude[::-1]):
            assert secret not in data, (path, secret)


def test_a_copyright_field_may_be_kept_but_never_gps(make_site) -> None:
    site = make_site({"content/galleries/g.yaml": "title: G\nimages:\n  - {src: p.jpg, alt: Une photo}\n",
                      "content/galleries/p.jpg": photo(exif=gps_exif(copyright_="(c) Maison Tartine 2026",
                                                                     artist="Camille A."))},
                     config="title: T\nimages: {keep_metadata: [copyright]}\n")
    assert site.build().exit_code == 0
    assert media_files(site)
    for path, data in media_files(site).items():
        exif = open_output(data).getexif()
        assert dict(exif) == {0x8298: "(c) Maison Tartine 2026"}, path
        assert not exif.get_ifd(0x8825), path
        assert MAKE.encode() not in data


def test_a_memorys_photo_keeps_no_metadata_even_when_the_site_keeps_copyright_and_artist(make_site) -> None:
    # A camera writes its owner's full name into Artist and Copyright (some a phone number too):
    # a fan's, whose name the site shows as "Romain L." at most.
    owner = "(c) Romain Lefèvre 06 12 34 56 78"
    site = make_site({"content/memories/a.md": photo_memory(entry("p.jpg")),
                      "content/memories/p.jpg": photo((640, 480), exif=gps_exif(copyright_=owner, artist="Romain Lefèvre")),
                      "content/galleries/g.yaml": "title: G\nimages:\n  - {src: p.jpg, alt: Une photo}\n",
                      "content/galleries/p.jpg": photo((640, 480), (9, 9, 9), exif=gps_exif(copyright_="(c) Maison Tartine"))},
                     config="title: T\nimages: {keep_metadata: [copyright, artist]}\n")
    assert site.build().exit_code == 0
    kept = {path: dict(open_output(data).getexif()) for path, data in media_files(site).items()}
    memory_page = site.read("memories/a/index.html")
    assert kept and all(exif == ({} if path.split("/")[1].split("-")[0] in memory_page else {0x8298: "(c) Maison Tartine"})
                        for path, exif in kept.items()), kept
    assert any(exif == {} for exif in kept.values())
    assert "Lefèvre".encode() not in b"".join(site.output_files().values())


def test_gps_cannot_be_kept(make_site) -> None:
    site = make_site({}, config="title: T\nimages:\n  keep_metadata: [copyright, gps]\n")
    result = site.build()
    assert result.exit_code == 1
    assert "storysite.yaml:3: images.keep_metadata: item 2: expected one of copyright, artist, got 'gps'" in result.stderr


# -- speed: a rebuild encodes nothing ---------------------------------------------------------------


def test_second_build_encodes_zero_photos(make_site) -> None:
    site = make_site({"content/memories/a.md": photo_memory(entry("p.jpg"), entry("q.jpg")),
                      "content/memories/p.jpg": photo(), "content/memories/q.jpg": photo(color=(9, 9, 9))})
    first = site.build("--jobs", "2")
    assert "Photos: 2 encoded, 0 reused." in first.stdout, first.output
    before = site.output_files()
    second = site.build()
    assert "Photos: 0 encoded, 2 reused." in second.stdout
    assert site.output_files() == before
    # A setting that changes the bytes changes the key: everything is encoded again, under new names.
    site.write("storysite.yaml", "title: Test Site\nbase_url: https://example.org/\nlanguage: fr\n"
                                 "images: {quality: 60}\n")
    third = site.build()
    assert "Photos: 2 encoded, 0 reused." in third.stdout
    assert not set(media_files(site)) & {p for p in before if p.startswith("media/")}
    assert not (site.root / "public/.storysite").exists() and not list(site.public.rglob("meta.json"))


def test_builds_are_deterministic_across_folders_and_job_counts(make_site) -> None:
    files = {"content/memories/a.md": photo_memory(entry("p.jpg"), entry("l.png")),
             "content/memories/p.jpg": tagged_jpeg(),
             "content/memories/l.png": photo((800, 600), fmt="PNG")}
    one = make_site(files, name="one")
    two = make_site(files, name="two")
    assert one.build("--jobs", "1").exit_code == 0
    assert two.build("--jobs", "2").exit_code == 0
    assert one.output_files() == two.output_files()


def test_process_image_is_pure() -> None:
    data = tagged_jpeg()
    settings = ImageSettings(widths=(320, 640))
    first, second = process_image(data, settings), process_image(data, settings)
    assert not isinstance(first, str) and not isinstance(second, str)
    assert first == second
    assert [d.width for d, _ in first.files] == [320, 320, 640, 640]


# -- privacy of unpublished and withdrawn memories -------------------------------------------------


def test_unpublished_photos_are_never_opened_and_withdrawn_ones_disappear(make_site) -> None:
    site = make_site({
        "content/memories/public.md": photo_memory(entry("photos/public.jpg")),
        "content/memories/draft.md": photo_memory(entry("photos/broken.jpg"), status="submitted"),
        "content/memories/photos/public.jpg": photo(),
        # Not even an image: an error if it were decoded. It is not, since nobody may see it.
        "content/memories/photos/broken.jpg": b"this is not a photo",
        "content/memories/later.md": photo_memory(entry("photos/later.jpg")),
        "content/memories/photos/later.jpg": photo(color=(1, 2, 3)),
    })
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "broken" not in result.output
    assert len(media_files(site)) == 2 * 6
    [later] = set(re.findall(r"/media/(\w+)-", site.read("memories/later/index.html")))
    site.write("content/memories/later.md", photo_memory(entry("photos/later.jpg"), status="withdrawn"))
    assert site.build().exit_code == 0
    remaining = media_files(site)
    assert len(remaining) == 6
    assert not [p for p in remaining if later in p]
    # The cache forgets it too (the cache is never inside public/).
    assert len([e for e in (site.root / ".storysite/cache/images").rglob("meta.json")]) == 1


# -- bad photos: path:line, every problem in one run, the previous output untouched --------------

BAD: dict[str, tuple[dict[str, str | bytes], str, list[str]]] = {
    "missing image": ({}, entry("absent.jpg"), ["content/memories/bad.md:10: media.src: 'absent.jpg' was not found"]),
    "not an image": ({"content/memories/fake.jpg": b"<html>not a photo</html>"}, entry("fake.jpg"),
                     ["content/memories/bad.md:10: media.src: 'fake.jpg' is not an image this site can use"]),
    "truncated jpeg": ({"content/memories/cut.jpg": photo(quality=95)[:30_000]}, entry("cut.jpg"),
                       ["content/memories/bad.md:10: media.src: 'cut.jpg' is damaged or truncated and cannot be decoded"]),
    "decompression bomb": ({"content/memories/huge.png": photo((1200, 1000), fmt="PNG"),
                            "storysite.yaml": "title: T\nimages: {max_pixels: 1000000}\n"}, entry("huge.png"),
                           ["content/memories/bad.md:10: media.src: 'huge.png' is 1200×1000 pixels (1.2 megapixels), "
                            "over the limit of 1 megapixels (images.max_pixels in storysite.yaml)"]),
    "path outside the site": ({}, entry("../../../etc/passwd"),
                              ["content/memories/bad.md:10: media.src: '../../../etc/passwd' leaves the site folder"]),
    "unknown video host": ({}, "  - video: https://www.dailymotion.com/video/x7tgad0\n",
                           ["content/memories/bad.md:10: media.video: unknown video host 'www.dailymotion.com'; "
                            "use YouTube, Vimeo or a local .mp4 or .webm file"]),
    "youtube link without a video": ({}, "  - video: https://www.youtube.com/channel/UC123\n",
                                     ["content/memories/bad.md:10: media.video: 'https://www.youtube.com/channel/UC123' "
                                      "does not name a YouTube video"]),
    "video that is not a video": ({"content/memories/clip.mp4": b"\x00\x00\x00\x08junk"}, "  - video: clip.mp4\n",
                                  ["content/memories/bad.md:10: media.video: 'clip.mp4' is not an MP4 video"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_photo_is_reported_and_output_kept(make_site, case: str) -> None:
    site = make_site({"content/memories/good.md": photo_memory(entry("good.jpg")),
                      "content/memories/good.jpg": photo((800, 600))})
    assert site.build().exit_code == 0
    before = site.output_files()
    files, media, expected = BAD[case]
    for path, data in files.items():
        site.write(path, data)
    site.write("content/memories/bad.md", photo_memory(media))
    result = site.build()
    assert result.exit_code == 1, result.output
    for line in expected:
        assert line in result.stderr, f"{line!r} not in:\n{result.stderr}"
    assert "Traceback" not in result.output
    assert site.output_files() == before
    assert not list(site.root.glob(".public.*"))


def test_every_bad_photo_is_reported_in_one_run(make_site) -> None:
    site = make_site({
        "content/memories/a.md": photo_memory(entry("fake.jpg"), entry("cut.jpg"), entry("ok.jpg")),
        "content/memories/b.md": photo_memory(entry("fake.jpg")),
        "content/memories/fake.jpg": b"GIF89a but not really",
        "content/memories/cut.jpg": photo(quality=95)[:20_000],
        "content/memories/ok.jpg": photo((600, 400)),
    })
    result = site.build()
    assert result.exit_code == 1
    for line in ("content/memories/a.md:10: media.src: 'fake.jpg' is not an image",
                 "content/memories/a.md:12: media.src: 'cut.jpg' is damaged or truncated",
                 "content/memories/b.md:10: media.src: 'fake.jpg' is not an image"):
        assert line in result.stderr, result.stderr
    assert "ok.jpg" not in result.stderr


def test_missing_alt_is_a_warning_and_an_error_with_strict(make_site) -> None:
    site = make_site({"content/memories/a.md": photo_memory(entry("p.jpg", alt="")),
                      "content/memories/p.jpg": photo((800, 600))})
    result = site.build()
    assert result.exit_code == 0
    warning = "content/memories/a.md:10: warning: media.alt: missing for 'p.jpg'"
    assert warning in result.stderr
    assert 'aria-label="Agrandir la photo"' in site.read("memories/a/index.html")  # the link still has a name
    before = site.output_files()
    strict = site.build("--strict")
    assert strict.exit_code == 1 and warning in strict.stderr
    assert site.output_files() == before


def test_cmyk_jpeg_is_converted_to_srgb_with_a_warning(make_site) -> None:
    cmyk = Image.new("CMYK", (1000, 700), (0, 255, 255, 0))  # pure red ink
    out = io.BytesIO()
    cmyk.save(out, "JPEG", quality=95)
    site = make_site({"content/memories/a.md": photo_memory(entry("print.jpg")),
                      "content/memories/print.jpg": out.getvalue()})
    result = site.build()
    assert result.exit_code == 0
    assert ("content/memories/a.md:10: warning: media.src: 'print.jpg' is a CMYK image without a colour profile"
            in result.stderr)
    for path, data in media_files(site).items():
        image = open_output(data)
        assert image.mode == "RGB", path
        red, green, blue = image.getpixel((image.width // 2, image.height // 2))  # type: ignore[misc]
        assert red > 200 and green < 60 and blue < 60, (path, red, green, blue)
    assert site.build("--strict").exit_code == 1


def test_16_bit_png_is_scaled_not_clipped(make_site) -> None:
    grey = Image.new("I;16", (800, 600), 32768)  # mid grey in 16 bits
    ImageDraw.Draw(grey).rectangle([0, 0, 100, 100], fill=65535)
    out = io.BytesIO()
    grey.save(out, "PNG")
    site = make_site({"content/memories/a.md": photo_memory(entry("scan.png")),
                      "content/memories/scan.png": out.getvalue()})
    result = site.build()
    assert result.exit_code == 0 and result.stderr == ""
    for path, data in media_files(site).items():
        image = open_output(data).convert("L")
        assert 120 <= image.getpixel((image.width - 10, image.height - 10)) <= 136, path  # not clipped to white
        assert image.getpixel((2, 2)) >= 245, path


def test_animated_gif_shows_its_first_frame_with_a_warning(make_site) -> None:
    frames = [Image.new("RGB", (600, 400), color) for color in ((220, 30, 30), (30, 220, 30), (30, 30, 220))]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    site = make_site({"content/memories/a.md": photo_memory(entry("anim.gif")),
                      "content/memories/anim.gif": out.getvalue()})
    result = site.build()
    assert result.exit_code == 0
    assert ("content/memories/a.md:10: warning: media.src: 'anim.gif' is animated (3 frames); only the first is shown"
            in result.stderr)
    for path, data in media_files(site).items():
        image = open_output(data).convert("RGB")
        assert getattr(image, "n_frames", 1) == 1
        red, green, _ = image.getpixel((300, 200))  # type: ignore[misc]
        assert red > 180 and green < 80, path


def test_formats_that_run_other_programs_are_refused(make_site) -> None:
    eps = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n"
    site = make_site({"content/memories/a.md": photo_memory(entry("art.jpg")), "content/memories/art.jpg": eps})
    result = site.build()
    assert result.exit_code == 1
    assert "media.src: 'art.jpg' is not an image this site can use" in result.stderr


# -- videos ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "provider", "video_id", "embed"), [
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&rel=0"),
    ("https://youtu.be/dQw4w9WgXcQ?t=1m30s", "youtube", "dQw4w9WgXcQ",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&rel=0&start=90"),
    ("https://www.youtube.com/shorts/dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&rel=0"),
    ("https://vimeo.com/76979871", "vimeo", "76979871", "https://player.vimeo.com/video/76979871?dnt=1&autoplay=1"),
    ("https://vimeo.com/76979871/8c2a1f9b3d", "vimeo", "76979871",
     "https://player.vimeo.com/video/76979871?dnt=1&autoplay=1&h=8c2a1f9b3d"),
    ("https://player.vimeo.com/video/76979871", "vimeo", "76979871",
     "https://player.vimeo.com/video/76979871?dnt=1&autoplay=1"),
])
def test_video_links_are_understood(url: str, provider: str, video_id: str, embed: str) -> None:
    link, reason = parse_video_url(url)
    assert reason is None and link is not None
    assert (link.provider, link.id, link.embed_url) == (provider, video_id, embed)


@pytest.mark.parametrize("start", ["\u00b2", "\u0661\u0662", "1\u00b2m"])
def test_a_start_time_of_digits_other_than_0_to_9_is_left_out_not_a_crash(start: str) -> None:
    # "²" is a digit to str.isdigit and not a number to int(): the build ended in an internal error.
    link, reason = parse_video_url(f"https://youtu.be/dQw4w9WgXcQ?t={start}")
    assert reason is None and link is not None
    assert link.embed_url == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&rel=0"


@pytest.mark.parametrize("url", ["https://player.vimeo.com/video/123456789?h=abc%26dnt%3D0",
                                 "https://vimeo.com/123456789?h=zz"])
def test_a_vimeo_private_hash_that_is_not_one_is_refused(url: str) -> None:
    # Anything after h= would be appended to the player's address: "&dnt=0" undid dnt=1.
    link, reason = parse_video_url(url)
    assert link is None and reason is not None and "h=" in reason


def test_a_vimeo_private_hash_given_as_a_query_is_kept() -> None:
    link, reason = parse_video_url("https://player.vimeo.com/video/76979871?h=8c2a1f9b3d")
    assert reason is None and link is not None
    assert link.embed_url == "https://player.vimeo.com/video/76979871?dnt=1&autoplay=1&h=8c2a1f9b3d"


def test_hosted_video_is_a_facade_that_requests_nothing(make_site) -> None:
    site = make_site({"content/memories/a.md": photo_memory(
        "  - video: https://www.youtube.com/watch?v=dQw4w9WgXcQ\n    title: Notre pot\n    poster: poster.jpg\n"),
        "content/memories/poster.jpg": photo((1280, 720))})
    assert site.build().exit_code == 0
    html = site.read("memories/a/index.html")
    facade = re.search(r'<a class="video-facade.*?</a>', html, re.S).group(0)  # type: ignore[union-attr]
    assert 'data-video-embed="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&amp;rel=0"' in facade
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in facade
    assert "Notre pot" in facade and "<iframe" not in html
    assert "ytimg" not in html and "youtube.com/embed" not in html
    # The only thing fetched is the site's own poster.
    fetched = re.findall(r'(?:src|srcset|poster)="([^"]+)"', html)
    assert fetched and all(u.startswith("/") for part in fetched for u in part.split(", "))
    assert re.search(r'<img src="/media/\w+-960\.jpg"', facade)


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def _mp4(telemetry: bool = False) -> bytes:
    stsd_entry = _box(b"gpmd" if telemetry else b"avc1", bytes(16))
    stbl = _box(b"stbl", _box(b"stsd", bytes(8) + stsd_entry))
    trak = _box(b"trak", _box(b"tkhd", bytes([0, 0, 0, 3]) + struct.pack(">II", 3_800_000_000, 3_800_000_001)
                              + bytes(72)) +
                _box(b"mdia", _box(b"mdhd", bytes(4) + struct.pack(">II", 3_800_000_000, 3_800_000_001) + bytes(12))
                     + _box(b"hdlr", bytes(8) + b"vide" + bytes(13)) + _box(b"minf", stbl)))
    udta = _box(b"udta", _box(b"\xa9xyz", b"\x00\x12\x15\xc7+45.7640+004.8357/"))
    meta = _box(b"meta", bytes(4) + _box(b"ilst", b"com.apple.quicktime.location.ISO6709 +45.7640+004.8357"))
    moov = _box(b"moov", _box(b"mvhd", bytes(4) + struct.pack(">II", 3_800_000_000, 3_800_000_001) + bytes(88))
                + trak + udta + meta)
    return _box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2avc1mp41") + moov + _box(b"mdat", b"\x01" * 64)


def test_local_mp4_is_published_without_its_metadata(make_site) -> None:
    source = _mp4()
    site = make_site({"content/memories/a.md": photo_memory("  - video: clip.mp4\n    title: Le goûter\n"),
                      "content/memories/clip.mp4": source})
    assert site.build().exit_code == 0
    html = site.read("memories/a/index.html")
    assert re.search(r'<video class="video__player" controls playsinline preload="metadata" aria-label="Le goûter">'
                     r'\s*<source src="/media/\w+\.mp4" type="video/mp4">', html)
    [(_path, data)] = [(p, d) for p, d in media_files(site).items() if p.endswith(".mp4")]
    assert len(data) == len(source)  # blanked in place: no offset moved
    assert b"45.7640" not in data and b"udta" not in data and b"meta" not in data
    assert struct.pack(">I", 3_800_000_000) not in data  # recording times
    assert data.endswith(b"\x01" * 64) and b"moov" in data and b"avc1" in data


def test_video_with_a_gps_telemetry_track_is_refused() -> None:
    cleaned, reason = strip_video_metadata(_mp4(telemetry=True), ".mp4")
    assert cleaned is None and reason is not None and "'gpmd' track (GPS or motion telemetry)" in reason


def _ebml(element_id: int, payload: bytes) -> bytes:
    size = len(payload)
    return element_id.to_bytes((element_id.bit_length() + 7) // 8, "big") + bytes([0x80 | size]) + payload if size < 127 \
        else element_id.to_bytes((element_id.bit_length() + 7) // 8, "big") + (0x4000 | size).to_bytes(2, "big") + payload


def test_webm_tags_and_dates_are_blanked() -> None:
    header = _ebml(0x1A45DFA3, _ebml(0x4282, b"webm"))
    info = _ebml(0x1549A966, _ebml(0x2AD7B1, b"\x0f\x42\x40") + _ebml(0x7BA9, b"Chez nous, Lepin-le-Lac")
                 + _ebml(0x4461, bytes(8)))
    tags = _ebml(0x1254C367, _ebml(0x7373, _ebml(0x67C8, _ebml(0x45A3, b"LOCATION") + _ebml(0x4487, b"+45.55+5.80"))))
    cluster = _ebml(0x1F43B675, _ebml(0xE7, b"\x00") + _ebml(0xA3, b"\x81\x00\x00\x80frame"))
    data = header + _ebml(0x18538067, info + tags + cluster)
    cleaned, reason = strip_video_metadata(data, ".webm")
    assert reason is None and cleaned is not None
    assert len(cleaned) == len(data)
    assert b"Lepin" not in cleaned and b"+45.55" not in cleaned and b"LOCATION" not in cleaned
    assert b"frame" in cleaned and b"webm" in cleaned


def test_demo_site_shows_photos_and_hides_the_unpublished_one(demo_site: Site) -> None:
    result = demo_site.build()
    assert result.exit_code == 0, result.output
    assert re.search(r"Photos: 0 encoded, \d+ reused\.", result.stdout)  # the fixture's cache is warm
    files = demo_site.output_files()
    assert "galleries/index.html" in files and "galleries/fan-days-2026/index.html" in files
    assert '<picture' in demo_site.read("memories/gouters-chez-mamie-josette/index.html")
    assert 'class="video-facade' in demo_site.read("memories/la-pub-du-petit-chef/index.html")
    assert 'class="campaign__hero' in demo_site.read("campaigns/racontez-nous-vos-50-ans/index.html")
    # The demo's unpublished picnic photo is GPS-tagged: no derivative of it, no trace of its place.
    from hashlib import sha256

    from storysite.images import ImageOp

    picnic = (demo_site.root / "content/memories/photos/pique-nique-aiguebelette.jpg").read_bytes()
    key = ImageOp("", sha256(picnic).hexdigest(), ImageSettings()).key
    assert not [path for path in files if key[:20] in path]
    everything = b"".join(files.values())
    for secret in (b"Fairphone", "Lépin".encode(), b"Plage de", b"Aiguebelette"):
        assert secret not in everything, secret


def test_op_key_depends_on_content_and_settings_only() -> None:
    from storysite.images import ImageOp

    settings = ImageSettings()
    assert ImageOp("a.jpg", "0" * 64, settings).key == ImageOp("b.jpg", "0" * 64, settings).key
    assert ImageOp("a.jpg", "0" * 64, settings).key != ImageOp("a.jpg", "0" * 64, ImageSettings(quality=81)).key
    assert ImageOp("a.jpg", "0" * 64, settings).key != ImageOp("a.jpg", "0" * 64, ImageSettings(webp_method=4)).key
    # Cache entries made before the setting existed were all made at effort 4, and their keys do
    # not name it: effort 4 keeps those keys, any other effort (the default 2 too) does not reuse them.
    assert '"webp_method"' not in ImageSettings(webp_method=4).fingerprint()
    assert '"webp_method": 2' in settings.fingerprint()
    jpeg_only = ImageSettings(formats=("jpeg",))
    assert ImageOp("a", "0" * 64, jpeg_only).key == ImageOp("a", "0" * 64, ImageSettings(formats=("jpeg",),
                                                                                          webp_method=4)).key


def test_webp_method_trades_file_size_for_speed(make_site) -> None:
    data = photo()
    default = process_image(data, ImageSettings(widths=(960,), formats=("webp",)))
    smallest = process_image(data, ImageSettings(widths=(960,), formats=("webp",), webp_method=4))
    assert not isinstance(default, str) and not isinstance(smallest, str)
    assert default.files[0][1] != smallest.files[0][1]
    assert open_output(smallest.files[0][1]).size == (960, 640)
    for setting, expected in (("webp_method: 4", smallest), ("webp_method: 2", default), ("", default)):
        site = make_site({"content/memories/a.md": photo_memory(entry("p.jpg")), "content/memories/p.jpg": data},
                         config=f"title: T\nimages: {{widths: [960], formats: [webp], {setting}}}\n",
                         name=f"site-{setting[-1:] or 'default'}")
        assert site.build().exit_code == 0
        webp = [d for path, d in media_files(site).items() if path.endswith("-960.webp")]
        assert webp == [expected.files[0][1]], setting
    bad = make_site({}, config="title: T\nimages: {webp_method: 7}\n", name="bad")
    result = bad.build()
    assert result.exit_code != 0 and "images.webp_method" in result.stderr


@pytest.mark.parametrize("threads", [1, 2])
def test_pool_workers_make_the_same_files_however_started(tmp_path, monkeypatch, threads: int) -> None:
    """Forked from a lone thread or from a forkserver (a process with threads): same bytes as in process."""
    import hashlib
    import multiprocessing
    import threading

    from storysite import images

    monkeypatch.setattr(threading, "active_count", lambda: threads)
    context = images._pool_context()
    assert context.get_start_method() == ("fork" if threads == 1 and images.sys.platform == "linux" else "forkserver")
    settings = ImageSettings(widths=(320, 640))
    ops, keys = [], {}
    for index in range(3):
        data = photo((900, 600), color=(40 * index, 90, 160))
        (tmp_path / f"p{index}.jpg").write_bytes(data)
        op = images.ImageOp(f"p{index}.jpg", hashlib.sha256(data).hexdigest(), settings)
        ops.append(op)
        keys[op.source] = op.key
    plan = images.ImagePlan(tuple(ops), keys, {})
    serial, _ = images.run_images(plan, tmp_path, tmp_path / "serial", jobs=1)
    pooled, _ = images.run_images(plan, tmp_path, tmp_path / "pooled", jobs=2)
    assert pooled.stats.encoded == 3 and multiprocessing.active_children() == []
    for key, result in serial.results.items():
        assert pooled.results[key] == result
        for _, filename in result.files():
            assert ((tmp_path / "pooled" / key[:2] / key / filename).read_bytes()
                    == (tmp_path / "serial" / key[:2] / key / filename).read_bytes())


def test_a_photo_error_quotes_the_path_as_the_editor_wrote_it(make_site) -> None:
    site = make_site({"content/galleries/g.yaml": "title: G\nimages: [{src: /static/notes.txt, alt: x}]\n",
                      "static/notes.txt": "pas une photo"})
    result = site.build()
    assert result.exit_code == 1
    assert "content/galleries/g.yaml:2: images.src: '/static/notes.txt' is not an image" in result.stderr


def test_a_photo_whose_name_holds_bidi_controls_is_found_by_its_very_name(make_site) -> None:
    # Text fields drop bidi controls; a path must name the very file (another could be found).
    name = "photo\u2067x\u2069.jpg"
    site = make_site({"content/memories/a/index.md": photo_memory(entry(name)),
                      f"content/memories/a/{name}": photo((64, 48)), "content/memories/a/photox.jpg": b"not it"})
    result = site.build()
    assert result.exit_code == 0, result.output


def test_a_photo_named_with_accents_in_the_other_unicode_form_is_found(make_site) -> None:
    # macOS writes "été.jpg" with combining accents (NFD); the text, typed anywhere, has "été"
    # (NFC). macOS finds the file either way, so a site that builds there must build on Linux
    # CI too; a name that differs by its capitals is still not found, with the name to write.
    import unicodedata

    from PIL import Image

    photo = io.BytesIO()
    Image.new("RGB", (40, 30), "#c84").save(photo, "JPEG")
    decomposed = unicodedata.normalize("NFD", "été.jpg")
    site = make_site({
        "content/memories/a/index.md": memory("A", extra="media:\n  - {src: été.jpg, alt: Un été}\n"),
        f"content/memories/a/{decomposed}": photo.getvalue(),
        "content/memories/b/index.md": memory("B", extra="media:\n  - {src: photo.jpg, alt: Un pot}\n"),
        "content/memories/b/Photo.JPG": photo.getvalue(),
    })
    result = site.build()
    assert result.exit_code == 1
    assert "content/memories/a" not in result.stderr, result.stderr
    assert ("media.src: 'photo.jpg' was not found (looked for content/memories/b/photo.jpg); the folder has "
            "'Photo.JPG'") in result.stderr
    (site.root / "content/memories/b/Photo.JPG").rename(site.root / "content/memories/b/photo.jpg")
    result = site.build()
    assert result.exit_code == 0, result.output
    assert 'alt="Un été"' in site.read("memories/a/index.html")
