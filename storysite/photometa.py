"""Where a photo file says it was taken, in the content tree.

The build never publishes a photo's metadata (see :mod:`storysite.images`: every
derivative is encoded anew, with none), but the photos in ``content/`` are kept in git, and
a phone writes the GPS position of every photo it takes: a fan's kitchen, their home. So
``check`` names each photo that holds one, and ``import`` removes it from the photos it
copies in, without touching their pixels.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from PIL import Image

_GPS_IFD = 0x8825
_ORIENTATION = 0x0112
# What XMP, IPTC and Photoshop blocks name a place with (Adobe's and IPTC's own names).
_XMP_PLACES = (b"GPSLatitude", b"GPSLongitude", b"LocationShown", b"LocationCreated", b"photoshop:City")
_HEAD_BYTES = 1 << 20
"""How much of a file is searched for XMP: it comes before the pixels."""


def location_in(path: Path) -> str | None:
    """What ``path`` (a photo) holds of where it was taken ("a GPS position", "a place in its
    XMP data"), or None: none, or not a photo Pillow reads."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a damaged EXIF block is the build's to report
            with Image.open(path) as image:
                gps = image.getexif().get_ifd(_GPS_IFD)
                if any(tag in gps for tag in (1, 2, 3, 4)):
                    return "a GPS position"
        with open(path, "rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except Exception:  # a photo Pillow cannot read is reported by the build
        return None
    if any(name in head for name in _XMP_PLACES):
        return "a place in its XMP data"
    return None


def jpeg_without_location(data: bytes) -> bytes | None:
    """JPEG ``data`` without the blocks that may say where it was taken (EXIF, XMP, IPTC and
    comments), its pixels as they were (no new encoding) and its orientation kept; None when
    ``data`` is not a JPEG this can read."""
    if not data.startswith(b"\xff\xd8"):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as image:
                orientation = image.getexif().get(_ORIENTATION, 1)
                size = image.size
    except Exception:  # not a JPEG Pillow reads: copied as it is
        return None
    kept: list[bytes] = []
    position = 2
    while True:
        if position + 4 > len(data) or data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # a fill byte
            position += 1
            continue
        if marker == 0xDA:  # start of scan: the pixels, to the end
            pixels = data[position:]
            break
        length = int.from_bytes(data[position + 2:position + 4], "big")
        end = position + 2 + length
        if length < 2 or end > len(data):
            return None
        # APP1 (EXIF, XMP), APP13 (IPTC, Photoshop) and comments go; colour (ICC, Adobe) stays.
        if marker not in (0xE1, 0xED, 0xFE):
            kept.append(data[position:end])
        position = end
    header = b""
    if isinstance(orientation, int) and 2 <= orientation <= 8:
        exif = Image.Exif()
        exif[_ORIENTATION] = orientation
        block = exif.tobytes()
        header = b"\xff\xe1" + (len(block) + 2).to_bytes(2, "big") + block
    leading = 0  # the JFIF block comes first, as readers expect
    while leading < len(kept) and kept[leading][1] == 0xE0:
        leading += 1
    stripped = b"\xff\xd8" + b"".join(kept[:leading]) + header + b"".join(kept[leading:]) + pixels
    try:
        with Image.open(io.BytesIO(stripped)) as image:
            if image.size != size:
                return None
    except Exception:  # not a JPEG after all: copied as it was
        return None
    return stripped
