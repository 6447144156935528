"""Videos: YouTube and Vimeo links as privacy facades, local files without metadata.

A hosted video is shown as a facade (poster, title, play button) that
requests nothing from the host until the visitor presses play; then the
host's privacy-enhanced player is used (``youtube-nocookie.com``, Vimeo with
``dnt=1``). :func:`parse_video_url` understands the links editors paste.

A local video is copied into the site after :func:`strip_video_metadata`
has blanked its metadata in place: phones write the place of recording
(``©xyz``, Apple's ``com.apple.quicktime.location.ISO6709``) into MP4 files,
and WebM files carry tags and dates. Boxes and elements are overwritten with
padding of the same size, so no offset in the file moves and nothing needs
re-encoding. An MP4 keeps only the boxes playback needs (everything else,
3GPP ``loci`` and Windows' ``Xtra`` too, becomes padding), without the
handlers' names; a track other than picture, sound or time code (GPS
telemetry, subtitles, timed metadata) has its samples among the picture's,
so a video with one is refused.
"""

from __future__ import annotations

import posixpath
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from storysite.curate import PublicSite
from storysite.diagnostics import Diagnostic, error
from storysite.model import MediaRef
from storysite.privacyguard import StoreFiles

if TYPE_CHECKING:  # (storysite.videocache strips with this module's functions)
    from storysite.videocache import StrippedVideo, VideoCache

YOUTUBE_HOSTS = ("youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be", "www.youtube-nocookie.com",
                 "youtube-nocookie.com")
VIMEO_HOSTS = ("vimeo.com", "www.vimeo.com", "player.vimeo.com")
VIDEO_HOSTS = YOUTUBE_HOSTS + VIMEO_HOSTS
LOCAL_TYPES = {".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm"}

_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}\Z")
_VIMEO_ID = re.compile(r"[0-9]{1,12}\Z")
_VIMEO_HASH = re.compile(r"[0-9a-f]{6,20}\Z")


@dataclass(frozen=True)
class VideoLink:
    """A hosted video: where it lives and how to embed it without tracking."""

    provider: str
    """``youtube`` or ``vimeo``."""
    id: str
    page_url: str
    """The video's page at the host (the link when JavaScript is off)."""
    embed_url: str
    """The privacy-enhanced player, loaded only once the visitor presses play."""


def _start_seconds(value: str) -> int:
    """``90``, ``90s`` or ``1m30s`` → seconds (0 when unreadable)."""
    # ASCII digits only: "²" is a digit to str.isdigit, and not a number to int().
    if value.isascii() and value.isdigit():
        return int(value)
    match = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", value, re.ASCII)
    if not match or not any(match.groups()):
        return 0
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def parse_video_url(url: str) -> tuple[VideoLink | None, str | None]:
    """A YouTube or Vimeo link → :class:`VideoLink`, or ``(None, reason)``."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or host not in VIDEO_HOSTS:
        return None, f"unknown video host '{host or url}'; use YouTube, Vimeo or a local .mp4 or .webm file"
    segments = [s for s in parts.path.split("/") if s]
    query = parse_qs(parts.query)
    if host in YOUTUBE_HOSTS:
        video_id = ""
        if host == "youtu.be" and segments:
            video_id = segments[0]
        elif segments[:1] == ["watch"] or not segments:
            video_id = (query.get("v") or [""])[0]
        elif len(segments) >= 2 and segments[0] in ("embed", "shorts", "live", "v"):
            video_id = segments[1]
        if not _YOUTUBE_ID.match(video_id):
            return None, f"'{url}' does not name a YouTube video (expected a link such as https://www.youtube.com/watch?v=XXXXXXXXXXX)"
        start = _start_seconds((query.get("t") or query.get("start") or [""])[0])
        embed = f"https://www.youtube-nocookie.com/embed/{video_id}?autoplay=1&rel=0"
        page = f"https://www.youtube.com/watch?v={video_id}"
        if start:
            embed += f"&start={start}"
            page += f"&t={start}s"
        return VideoLink("youtube", video_id, page, embed), None
    # Vimeo: vimeo.com/ID[/HASH], vimeo.com/channels/x/ID, vimeo.com/groups/x/videos/ID,
    # player.vimeo.com/video/ID?h=HASH
    numeric = [i for i, s in enumerate(segments) if _VIMEO_ID.match(s)]
    if not numeric:
        return None, f"'{url}' does not name a Vimeo video (expected a link such as https://vimeo.com/123456789)"
    index = numeric[0]
    video_id = segments[index]
    private = (query.get("h") or [""])[0]
    if private and not _VIMEO_HASH.match(private):
        # Checked as the path's hash is: anything else would be appended to the player's address
        # (an "&dnt=0" there undid the privacy setting).
        return None, f"'{url}' has an h= that is not a Vimeo private link's hash (6 to 20 hexadecimal digits)"
    if not private and index + 1 < len(segments) and _VIMEO_HASH.match(segments[index + 1]):
        private = segments[index + 1]
    embed = f"https://player.vimeo.com/video/{video_id}?dnt=1&autoplay=1"
    page = f"https://vimeo.com/{video_id}"
    if private:
        embed += f"&h={private}"
        page += f"/{private}"
    return VideoLink("vimeo", video_id, page, embed), None


# -- local files ----------------------------------------------------------------

# ISO base media (MP4, M4V, MOV). In the boxes listed here (``None``: the file's top
# level) only the children playback needs are kept; any other child becomes padding:
# 'udta', 'meta', 'uuid' (XMP), 3GPP 'loci' (a place), Windows' 'Xtra', a maker's own
# box. Of the boxes kept, 'hdlr' (a name) and 'dref' (a path) hold free text: it is
# blanked.
_MP4_KEEP: dict[bytes | None, frozenset[bytes]] = {
    None: frozenset({b"ftyp", b"moov", b"mdat", b"moof", b"mfra", b"styp", b"sidx", b"ssix", b"pdin", b"wide"}),
    b"moov": frozenset({b"mvhd", b"trak", b"mvex", b"iods", b"ctab"}),
    b"trak": frozenset({b"tkhd", b"mdia", b"edts", b"tref", b"tapt", b"trgr"}),
    b"mdia": frozenset({b"mdhd", b"hdlr", b"minf", b"elng"}),
    b"minf": frozenset({b"vmhd", b"smhd", b"hmhd", b"nmhd", b"sthd", b"gmhd", b"hdlr", b"dinf", b"stbl"}),
    b"moof": frozenset({b"mfhd", b"traf"}),
    b"traf": frozenset({b"tfhd", b"tfdt", b"trun", b"sdtp", b"sbgp", b"sgpd", b"subs", b"saiz", b"saio", b"senc"}),
}
# Boxes of tables (many kinds, all needed), walked too: only these children are blanked.
_MP4_TABLES = {b"stbl", b"dinf", b"edts", b"mvex"}
_MP4_METADATA = {b"udta", b"meta", b"uuid", b"XMP_", b"loci", b"Xtra", b"free", b"skip"}
# Boxes with creation and modification times (the moment of recording).
_MP4_TIMES = {b"mvhd", b"tkhd", b"mdhd"}
# Tracks of these handler types are published: picture, sound, and a time code (a frame
# count). Any other track's samples lie in the media data among the picture's, where no
# box can be blanked, so a video with one is refused.
_MP4_PLAYABLE = {b"vide", b"soun", b"tmcd"}
# Sample formats refused in any track, by what the editor is told they are. GoPro GPMF,
# Google camera motion, DJI, Sony real-time metadata: GPS and motion.
_MP4_TELEMETRY = {b"gpmd", b"camm", b"djmd", b"dbgi", b"rtmd"}
_MP4_TIMED_TEXT = {b"tx3g", b"text", b"wvtt", b"stpp", b"c608", b"c708", b"sbtt", b"stxt"}
_MP4_TIMED_METADATA = {b"mebx", b"mett", b"metx", b"urim"}
_MP4_REFUSED = _MP4_TELEMETRY | _MP4_TIMED_TEXT | _MP4_TIMED_METADATA
# Handler types told as text (another format in a 'meta' track is told as timed metadata).
_TEXT_HANDLERS = {b"text", b"sbtl", b"subt", b"clcp"}
_TELEMETRY = "GPS or motion telemetry"
_TEXT = "subtitles or other timed text, where some drones write the GPS position of every frame"
_METADATA = "timed metadata, which can hold the place of recording"
_UNKNOWN = "neither picture nor sound, so it cannot be checked for personal data"


class _BadVideo(Exception):
    pass


def strip_video_metadata(data: bytes, suffix: str) -> tuple[bytes | None, str | None]:
    """``data`` with its metadata blanked in place, or ``(None, reason)``.

    ``suffix`` is the file's extension (``.mp4``, ``.m4v`` or ``.webm``).
    """
    try:
        if suffix.lower() == ".webm":
            return _strip_webm(data), None
        return _strip_mp4(data), None
    except _BadVideo as bad:
        return None, str(bad)


def _strip_mp4(data: bytes) -> bytes:
    out = bytearray(data)
    if len(data) < 8 or data[4:8] not in (b"ftyp", b"wide", b"free", b"mdat", b"moov", b"skip"):
        raise _BadVideo("is not an MP4 video (no 'ftyp' box at its start)")
    if not any(kind == b"moov" for kind, _, _, _ in _mp4_boxes(data, 0, len(data))):
        raise _BadVideo("is not a playable MP4 video (no 'moov' box)")
    _walk_mp4(data, out, None, 0, len(data))
    return bytes(out)


def _mp4_boxes(data: bytes, start: int, end: int) -> list[tuple[bytes, int, int, int]]:
    boxes = []
    position = start
    while position + 8 <= end:
        size, kind = struct.unpack(">I4s", data[position : position + 8])
        header = 8
        if size == 1:
            if position + 16 > end:
                raise _BadVideo("is a damaged MP4 video (a box is cut short)")
            size = struct.unpack(">Q", data[position + 8 : position + 16])[0]
            header = 16
        elif size == 0:
            size = end - position
        if size < header or position + size > end:
            raise _BadVideo("is a damaged MP4 video (a box runs past the end of the file)")
        boxes.append((kind, position, header, position + size))
        position += size
    return boxes


def _walk_mp4(data: bytes, out: bytearray, parent: bytes | None, start: int, end: int) -> None:
    keep = _MP4_KEEP.get(parent)
    for kind, box_start, header, box_end in _mp4_boxes(data, start, end):
        body = box_start + header
        if kind == b"cmov":
            raise _BadVideo("has a compressed movie header ('cmov'), which cannot be checked for metadata; "
                            "export the video again")
        if kind in _MP4_METADATA or (keep is not None and kind not in keep):
            _blank_mp4(out, box_start, header, box_end)
        elif kind in _MP4_TIMES:
            width = 8 if body < box_end and data[body] == 1 else 4
            _need(body + 4 + 2 * width, box_end)
            out[body + 4 : body + 4 + 2 * width] = bytes(2 * width)
        elif kind == b"hdlr":
            # The handler's name is free text (QuickTime's is counted, ISO's ends with a
            # zero): zeros read as an empty name either way.
            _need(body + 24, box_end)
            out[body + 24 : box_end] = bytes(box_end - body - 24)
        elif kind == b"dref":
            # Where the samples are: "this file" (a flag), or a path or alias to another file
            # (a folder, a volume, a user's name). The flags stay, any location is blanked.
            _need(body + 8, box_end)
            for _, entry_start, entry_header, entry_end in _mp4_boxes(data, body + 8, box_end):
                location = entry_start + entry_header + 4
                out[location:entry_end] = bytes(max(0, entry_end - location))
        elif kind == b"trak":
            _check_track(data, body, box_end)
            _walk_mp4(data, out, kind, body, box_end)
        elif kind in _MP4_KEEP or kind in _MP4_TABLES:
            _walk_mp4(data, out, kind, body, box_end)


def _need(position: int, end: int) -> None:
    if position > end:
        raise _BadVideo("is a damaged MP4 video (a box is too short for its fields)")


def _mp4_path(data: bytes, start: int, end: int, path: tuple[bytes, ...]) -> list[tuple[int, int]]:
    """The bodies (start, end) of the boxes at ``path`` below ``[start, end)``."""
    found = [(start, end)]
    for kind in path:
        found = [(box_start + header, box_end) for body_start, body_end in found
                 for child, box_start, header, box_end in _mp4_boxes(data, body_start, body_end) if child == kind]
    return found


def _check_track(data: bytes, start: int, end: int) -> None:
    """Refuse a track that is not picture, sound or a time code (telemetry, subtitles…)."""
    handlers = [data[body + 8 : body + 12] for body, body_end in _mp4_path(data, start, end, (b"mdia", b"hdlr"))
                if body + 12 <= body_end]
    formats = [kind for body, body_end in _mp4_path(data, start, end, (b"mdia", b"minf", b"stbl", b"stsd"))
               for kind, _, _, _ in _mp4_boxes(data, body + 8, body_end)]
    handler = handlers[0] if handlers else b""
    refused = [kind for kind in formats if kind in _MP4_REFUSED]
    if handler in _MP4_PLAYABLE and not refused:
        return
    named = (refused or formats or [handler])[0]
    if named in _MP4_TELEMETRY:
        what = _TELEMETRY
    elif named in _MP4_TIMED_TEXT or (not refused and handler in _TEXT_HANDLERS):
        what = _TEXT
    elif named in _MP4_TIMED_METADATA or (not refused and handler == b"meta"):
        what = _METADATA
    else:
        what = _UNKNOWN
    name = "".join(c if c.isprintable() else "?" for c in named.decode("latin-1"))
    track = f"a '{name}' track" if name.strip() else "a track without a handler"
    raise _BadVideo(f"has {track} ({what}); export the video again with sound and picture only")


def _blank_mp4(out: bytearray, start: int, header: int, end: int) -> None:
    # A 'free' box of the same size: players skip it, and no offset moves.
    out[start + 4 : start + 8] = b"free"
    out[start + header : end] = bytes(end - start - header)


# Matroska / WebM element ids
_EBML = 0x1A45DFA3
_SEGMENT = 0x18538067
_INFO = 0x1549A966
_TAGS = 0x1254C367
_ATTACHMENTS = 0x1941A469
_CLUSTER = 0x1F43B675
_VOID = 0xEC
_INFO_PRIVATE = {0x7BA9, 0x4461, 0x4D80, 0x5741}  # Title, DateUTC, MuxingApp, WritingApp


def _vint(data: bytes, position: int, keep_marker: bool) -> tuple[int, int]:
    if position >= len(data):
        raise _BadVideo("is a damaged WebM video (cut short)")
    first = data[position]
    length = 1
    mask = 0x80
    while length <= 8 and not first & mask:
        mask >>= 1
        length += 1
    if length > 8 or position + length > len(data):
        raise _BadVideo("is a damaged WebM video (bad element header)")
    value = first if keep_marker else first & (mask - 1)
    for byte in data[position + 1 : position + length]:
        value = (value << 8) | byte
    return value, length


def _ebml_elements(data: bytes, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """``(id, start, header length, end)`` of each element in ``[start, end)``."""
    elements = []
    position = start
    while position < end:
        element_id, id_length = _vint(data, position, True)
        size, size_length = _vint(data, position + id_length, False)
        header = id_length + size_length
        unknown = size == (1 << (7 * size_length)) - 1
        if unknown:
            if element_id == _CLUSTER:
                break  # a live-stream cluster: nothing we blank can follow it reliably
            raise _BadVideo("is a WebM video of unknown length, which cannot be checked for metadata")
        element_end = position + header + size
        if element_end > end:
            raise _BadVideo("is a damaged WebM video (an element runs past the end of the file)")
        elements.append((element_id, position, header, element_end))
        position = element_end
    return elements


def _void(out: bytearray, start: int, end: int) -> None:
    # A Void element of exactly the same length: readers skip it, offsets stay.
    total = end - start
    if total < 2:
        raise _BadVideo("is a damaged WebM video (an element is too short to blank)")
    size_length = min(8, total - 1)
    payload = total - 1 - size_length
    size = (1 << (7 * size_length)) | payload
    out[start:end] = bytes([_VOID]) + size.to_bytes(size_length, "big") + bytes(payload)


def _strip_webm(data: bytes) -> bytes:
    out = bytearray(data)
    top = _ebml_elements(data, 0, len(data)) if data[:4] == bytes.fromhex("1a45dfa3") else []
    if not top or top[0][0] != _EBML:
        raise _BadVideo("is not a WebM video (no EBML header)")
    segments = [e for e in top if e[0] == _SEGMENT]
    if not segments:
        raise _BadVideo("is not a WebM video (no segment)")
    for _, start, header, end in segments:
        for element_id, child_start, child_header, child_end in _ebml_elements(data, start + header, end):
            if element_id in (_TAGS, _ATTACHMENTS):
                _void(out, child_start, child_end)
            elif element_id == _INFO:
                for info_id, info_start, _, info_end in _ebml_elements(data, child_start + child_header, child_end):
                    if info_id in _INFO_PRIVATE:
                        _void(out, info_start, info_end)
    return bytes(out)


# -- videos among the files copied as they are ----------------------------------

#: The major brands of an ISO base media file that is a still picture (HEIF, AVIF): a photo.
STILL_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis")
#: Names of the video (and sound) files :func:`strip_video_metadata` reads, by the container
#: it is told: ISO base media (MP4, QuickTime, 3GPP, iTunes sound) or Matroska (WebM).
VIDEO_SUFFIXES = {".mp4": ".mp4", ".m4v": ".mp4", ".mov": ".mp4", ".qt": ".mp4", ".3gp": ".mp4", ".3g2": ".mp4",
                  ".m4a": ".mp4", ".webm": ".webm", ".mkv": ".webm"}
_EBML_MAGIC = bytes.fromhex("1a45dfa3")
# A QuickTime movie written before 'ftyp' existed starts with one of these; the size before
# it starts with a zero byte (no text file does), so that text reading "The free…" is no video.
_OLD_QUICKTIME = (b"moov", b"mdat", b"wide", b"free", b"skip")
# Where a video says it was recorded: the place ('©xyz', 3GPP 'loci'), Apple's key
# (com.apple.quicktime.location.ISO6709), a Matroska tag (RECORDING_LOCATION).
_PLACE_MARKS = (b"\xa9xyz", b"loci", b"location", b"LOCATION")


def video_container(name: str, head: bytes) -> str | None:
    """The container of a file copied as it is, as :func:`strip_video_metadata` is told it
    (``.mp4`` or ``.webm``), or None when it is no video: known by its first bytes (at least
    12), whatever its name (a phone's ``IMG_0001``, a ``.mov``, a ``.mp4.bak``), else by its
    name. A still picture in the same box format (HEIF, AVIF) is a photo, not a video."""
    if head.startswith(_EBML_MAGIC):
        return ".webm"
    if head[4:8] == b"ftyp":
        return None if head[8:12] in STILL_BRANDS else ".mp4"
    if head[4:8] in _OLD_QUICKTIME and head[:1] == b"\x00":
        return ".mp4"
    return VIDEO_SUFFIXES.get(posixpath.splitext(name)[1].lower())


def blanked_place(before: bytes, after: bytes) -> bool:
    """Whether :func:`strip_video_metadata` took ``before`` to ``after`` by blanking a place
    of recording (what a phone writes: a place mark in a metadata box or tag now blanked)."""
    for mark in _PLACE_MARKS:
        position = before.find(mark)
        while position != -1:
            if after[position : position + len(mark)] != mark:
                return True
            position = before.find(mark, position + 1)
    return False


# -- the site's own video files -------------------------------------------------


@dataclass(frozen=True)
class VideoFile:
    """A published local video, metadata blanked, and where it goes in the output."""

    source: str
    output_path: str
    stripped: StrippedVideo
    """Its published bytes, in the video cache (never held in memory)."""


def _published_videos(site: PublicSite) -> Iterator[MediaRef]:
    for memory in site.memories:
        yield from memory.media
    for milestone in site.milestones:
        yield from milestone.media
    for campaign in site.campaigns:
        if campaign.hero is not None:
            yield campaign.hero


def plan_videos(site: PublicSite, site_dir: Path, videos: VideoCache) -> tuple[list[VideoFile], list[Diagnostic]]:
    """Every local video the public site shows, cleaned, named from its content hash (stripped
    by ``videos`` when it is new or changed, else taken from it unread)."""
    files: dict[str, VideoFile] = {}
    failed: set[str] = set()
    problems: list[Diagnostic] = []
    store = StoreFiles(site_dir / site.config.privacy.private_store, site.config.privacy.private_store)
    for ref in _published_videos(site):
        path = ref.video
        if not path or path in files or path in failed or urlsplit(path).scheme:
            continue
        if store.holds(site_dir / path):
            failed.add(path)
            problems.append(error(ref.origin.path, ref.origin.line, f"media.video: {store.refusal(_as_written(path, ref))}"))
            continue
        suffix = posixpath.splitext(path)[1].lower()
        try:
            cleaned = videos.stripped(site_dir / path, suffix)
        except OSError as exc:
            failed.add(path)
            problems.append(error(ref.origin.path, ref.origin.line,
                                  f"media.video: '{_as_written(path, ref)}' cannot be read: {exc.strerror}"))
            continue
        if isinstance(cleaned, str):
            failed.add(path)
            problems.append(error(ref.origin.path, ref.origin.line, f"media.video: '{_as_written(path, ref)}' {cleaned}"))
            continue
        files[path] = VideoFile(path, f"media/{cleaned.sha256[:20]}{suffix}", cleaned)
    return [files[p] for p in sorted(files)], problems


def _as_written(path: str, ref: MediaRef) -> str:
    """A site-relative path as the editor wrote it: relative to the content file."""
    return ref.written or posixpath.relpath(path, posixpath.dirname(ref.origin.path) or ".")
