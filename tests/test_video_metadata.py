"""Local MP4 videos: what is blanked in place, what is refused, and what playback keeps.

Each test builds its own small ISO base media file: the boxes a muxer writes for an
H.264/AAC movie (sample tables pointing into the media data), with metadata put where
cameras, phones and other tools put it.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from storysite.video import strip_video_metadata
from tests.test_images import media_files, photo_memory

PLACE = b"Lyon 45.7640 4.8357"
TIME = 3_800_000_000  # seconds since 1904: the moment of recording
CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"dinf", b"stbl", b"edts", b"udta", b"moof", b"traf", b"mvex"}


def box(kind: bytes, *children: bytes) -> bytes:
    payload = b"".join(children)
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def full(kind: bytes, *payload: bytes, version: int = 0, flags: int = 0) -> bytes:
    return box(kind, bytes([version]) + flags.to_bytes(3, "big"), *payload)


def hdlr(handler: bytes, name: bytes, *, component: bytes = bytes(4), maker: bytes = bytes(4)) -> bytes:
    """ISO writes a name ending with a zero, QuickTime a counted one after its component type."""
    return full(b"hdlr", component + handler + maker + bytes(8) + name)


AVC1 = box(b"avc1", bytes(6) + b"\x00\x01" + bytes(16) + struct.pack(">HH", 160, 120) + bytes(50),
           box(b"avcC", b"\x01\x64\x00\x0c\xff\xe1\x00\x04\x67\x64\x00\x0c\x01\x00\x04\x68\xeb\xe3\xcb"))
MP4A = box(b"mp4a", bytes(6) + b"\x00\x01" + bytes(8) + struct.pack(">HHII", 1, 16, 0, 44100 << 16),
           full(b"esds", b"\x03\x19\x00\x00\x00\x04\x11\x40\x15" + bytes(13) + b"\x05\x02\x12\x08\x06\x01\x02"))
VIDEO_SAMPLES = [bytes([0, 0, 0, 12, 0x65]) + bytes(range(n, n + 11)) for n in range(0, 60, 20)]
AUDIO_SAMPLES = [bytes([0x21, 0x10]) + bytes(range(n, n + 14)) for n in range(100, 160, 20)]


def track(track_id: int, handler: bytes, entry: bytes, name: bytes, media_header: bytes, samples: Sequence[bytes],
          offset: int, *, trak: bytes = b"", mdia: bytes = b"", minf: bytes = b"", stbl: bytes = b"",
          minf_handler: bytes = b"", dref: bytes = full(b"url ", b"", flags=1)) -> bytes:
    """A track whose samples are one chunk at ``offset``; the keywords add boxes where they say."""
    tables = box(b"stbl", full(b"stsd", struct.pack(">I", 1) + entry),
                 full(b"stts", struct.pack(">III", 1, len(samples), 512)),
                 full(b"stsc", struct.pack(">IIII", 1, 1, len(samples), 1)),
                 full(b"stsz", struct.pack(f">II{len(samples)}I", 0, len(samples), *map(len, samples))),
                 full(b"stco", struct.pack(">II", 1, offset)), stbl)
    media = box(b"minf", media_header, minf_handler, box(b"dinf", full(b"dref", struct.pack(">I", 1) + dref)), tables,
                minf)
    return box(b"trak", full(b"tkhd", struct.pack(">III", TIME, TIME + 1, track_id) + bytes(68), flags=3),
               box(b"edts", full(b"elst", struct.pack(">IIIhh", 1, 2000, 0, 1, 0))),
               box(b"mdia", full(b"mdhd", struct.pack(">IIIIHH", TIME, TIME + 1, 12800, 25600, 0x55C4, 0)),
                   hdlr(handler, name), media, mdia), trak)


def movie(*, top: bytes = b"", moov: bytes = b"", trak: bytes = b"", mdia: bytes = b"", minf: bytes = b"",
          stbl: bytes = b"", video_name: bytes = b"VideoHandler\x00", minf_handler: bytes = b"",
          dref: bytes = full(b"url ", b"", flags=1), other: tuple[bytes, bytes, bytes, bytes] | None = None) -> bytes:
    """An H.264/AAC movie as ffmpeg writes it (media data first), with boxes added where asked.

    ``other`` adds a third track: its handler type, sample entry, handler name and one sample.
    """
    ftyp = box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2avc1mp41")
    free = box(b"free")
    extra_samples = [other[3]] if other else []
    samples = VIDEO_SAMPLES + AUDIO_SAMPLES + extra_samples
    mdat = box(b"mdat", *samples)
    first = len(ftyp) + len(free) + 8
    video_at, audio_at = first, first + len(b"".join(VIDEO_SAMPLES))
    other_at = audio_at + len(b"".join(AUDIO_SAMPLES))
    tracks = [
        track(1, b"vide", AVC1, video_name, full(b"vmhd", bytes(8), flags=1), VIDEO_SAMPLES, video_at, trak=trak,
              mdia=mdia, minf=minf, stbl=stbl, minf_handler=minf_handler, dref=dref),
        track(2, b"soun", MP4A, b"SoundHandler\x00", full(b"smhd", bytes(4)), AUDIO_SAMPLES, audio_at),
    ]
    if other:
        handler, entry, name, _ = other
        tracks.append(track(3, handler, entry, name, full(b"nmhd", b""), extra_samples, other_at))
    mvhd = full(b"mvhd", struct.pack(">IIII", TIME, TIME + 1, 1000, 2000) + bytes(76) + struct.pack(">I", 4))
    tool = box(b"udta", full(b"meta", hdlr(b"mdir", b"\x00"), box(b"ilst", box(b"\xa9too", b"Lavf60.3.100"))))
    return ftyp + free + mdat + box(b"moov", mvhd, *tracks, tool, moov) + top


def walk(data: bytes, start: int = 0, end: int | None = None, depth: int = 0) -> Iterator[tuple[int, bytes, int, int]]:
    """``(depth, kind, start, end)`` of every box, into the containers this test file builds."""
    end = len(data) if end is None else end
    position = start
    while position + 8 <= end:
        size, kind = struct.unpack(">I4s", data[position : position + 8])
        yield depth, kind, position, position + size
        if kind in CONTAINERS:
            yield from walk(data, position + 8, position + size, depth + 1)
        position += size


def cleaned(data: bytes) -> bytes:
    result, reason = strip_video_metadata(data, ".mp4")
    assert reason is None and result is not None, reason
    assert len(result) == len(data)  # blanked in place: no offset moved
    return result


def changed_ranges(before: bytes, after: bytes) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    for i, (a, b) in enumerate(zip(before, after, strict=True)):
        if a != b:
            if ranges and ranges[-1][1] == i:
                ranges[-1] = (ranges[-1][0], i + 1)
            else:
                ranges.append((i, i + 1))
    return ranges


def test_an_ordinary_h264_aac_movie_keeps_everything_playback_reads() -> None:
    source = movie()
    result = cleaned(source)
    # The same boxes at the same places, but for the muxer's tag ('udta', now padding).
    [(tag_start, tag_end)] = [(s, e) for _, k, s, e in walk(source) if k == b"udta"]
    assert list(walk(result)) == [(d, b"free" if k == b"udta" else k, s, e) for d, k, s, e in walk(source)
                                  if not tag_start < s < tag_end]
    # What changed: the recording times, the handlers' names, the tag. The media data, the
    # sample descriptions and tables, the edit lists, the handler types are byte for byte the same.
    allowed = []
    for _, kind, start, end in walk(source):
        if kind in (b"mvhd", b"tkhd", b"mdhd"):
            allowed.append((start + 12, start + 20))
        elif kind == b"hdlr":
            allowed.append((start + 32, end))
        elif kind == b"udta":
            allowed.append((start + 4, end))
    changes = changed_ranges(source, result)
    assert changes and all(any(a <= s and e <= b for a, b in allowed) for s, e in changes), changes
    assert b"VideoHandler" not in result and b"SoundHandler" not in result and b"Lavf" not in result
    assert struct.pack(">I", TIME) not in result
    assert b"".join(VIDEO_SAMPLES + AUDIO_SAMPLES) in result
    handlers = [result[s + 16 : s + 20] for _, k, s, _ in walk(result) if k == b"hdlr"]
    assert handlers == [b"vide", b"soun"]


PLACES = {
    "loci in moov": {"moov": full(b"loci", b"\x15\xc7" + PLACE + b"\x00")},
    "loci in a track": {"trak": full(b"loci", b"\x15\xc7" + PLACE + b"\x00")},
    "loci in a track's udta": {"trak": box(b"udta", full(b"loci", b"\x15\xc7" + PLACE + b"\x00"))},
    "loci in the media box": {"mdia": full(b"loci", b"\x15\xc7" + PLACE + b"\x00")},
    "loci in the media information": {"minf": full(b"loci", b"\x15\xc7" + PLACE + b"\x00")},
    "loci in the sample tables": {"stbl": full(b"loci", b"\x15\xc7" + PLACE + b"\x00")},
    "loci in moov's meta": {"moov": full(b"meta", hdlr(b"mdta", b"\x00"), full(b"loci", PLACE))},
    "loci at the top": {"top": full(b"loci", b"\x15\xc7" + PLACE + b"\x00")},
    "Xtra at the top": {"top": box(b"Xtra", b"\x00\x00\x00\x2aWM/GPS" + PLACE)},
    "Xtra in moov": {"moov": box(b"Xtra", b"\x00\x00\x00\x2aWM/GPS" + PLACE)},
    "Xtra in moov's udta": {"moov": box(b"udta", box(b"Xtra", b"\x00\x00\x00\x2aWM/GPS" + PLACE))},
    "Apple ISO6709 in moov's meta": {"moov": full(b"meta", box(b"keys", b"com.apple.quicktime.location.ISO6709"),
                                                  box(b"ilst", PLACE))},
    "a maker's own box in moov": {"moov": box(b"CNTH", PLACE)},
    "a maker's own box at the top": {"top": box(b"PANA", PLACE)},
    "XMP in a uuid box at the top": {"top": box(b"uuid", bytes.fromhex("be7acfcb97a942e89c71999491e3afac") + PLACE)},
    "a producer reference time at the top": {"top": full(b"prft", struct.pack(">IQQ", 1, TIME << 32, 0) + PLACE)},
    "a handler name": {"video_name": b"HDLRNAME GPS " + PLACE + b"\x00"},
    "a QuickTime data handler's counted name": {"minf_handler": hdlr(b"alis", bytes([len(PLACE)]) + PLACE,
                                                                     component=b"dhlr", maker=b"appl")},
    "a path in the data reference": {"dref": full(b"url ", b"file:///Users/jean/" + PLACE + b".mov\x00")},
    "an alias in the data reference": {"dref": full(b"alis", b"\x00\x00Macintosh HD\x00jean\x00" + PLACE, flags=1)},
}


@pytest.mark.parametrize("place", sorted(PLACES))
def test_metadata_is_blanked_wherever_it_sits(place: str) -> None:
    source = movie(**PLACES[place])  # type: ignore[arg-type]
    assert PLACE in source
    result = cleaned(source)
    assert PLACE not in result and b"45.76" not in result
    # Playback reads the same tracks, samples and tables.
    played = (b"mdat", b"stsd", b"stsz", b"stco", b"elst")
    kept = [(k, result[s:e]) for _, k, s, e in walk(result) if k in played]
    assert kept == [(k, source[s:e]) for _, k, s, e in walk(source) if k in played]
    assert [result[s + 16 : s + 20] for d, k, s, _ in walk(result) if k == b"hdlr" and d == 3] == [b"vide", b"soun"]


def test_a_blanked_box_is_padding_of_its_own_size_and_the_flags_of_a_data_reference_stay() -> None:
    loci = full(b"loci", b"\x15\xc7" + PLACE + b"\x00")
    xtra = box(b"Xtra", b"\x00\x00\x00\x2aWM/GPS" + PLACE)
    alias = full(b"alis", b"Macintosh HD" + PLACE, flags=1)
    result = cleaned(movie(moov=loci, top=xtra, dref=alias))
    assert result.endswith(box(b"free", bytes(len(xtra) - 8)))
    [moov] = [(s, e) for _, k, s, e in walk(result) if k == b"moov"]
    assert result[moov[1] - len(loci) : moov[1]] == box(b"free", bytes(len(loci) - 8))
    assert full(b"alis", bytes(len(alias) - 12), flags=1) in result


def test_metadata_in_a_fragment_is_blanked() -> None:
    trun = full(b"trun", struct.pack(">II", 1, 0) + struct.pack(">I", 16), flags=0x201)
    fragment = box(b"moof", full(b"mfhd", struct.pack(">I", 1)),
                   box(b"traf", full(b"tfhd", struct.pack(">I", 1), flags=0x20000), trun,
                       full(b"meta", full(b"loci", PLACE))), box(b"udta", PLACE))
    result = cleaned(movie(top=fragment))
    assert PLACE not in result and trun in result


TRACKS = {
    # handler, sample format → what the editor is told the track is
    "DJI subtitles (tx3g)": (b"sbtl", b"tx3g", "a 'tx3g' track (subtitles or other timed text, where some drones "
                                               "write the GPS position of every frame)"),
    "QuickTime text": (b"text", b"text", "a 'text' track (subtitles or other timed text"),
    "WebVTT subtitles": (b"subt", b"wvtt", "a 'wvtt' track (subtitles or other timed text"),
    "closed captions": (b"clcp", b"c608", "a 'c608' track (subtitles or other timed text"),
    "Apple timed metadata (mebx)": (b"meta", b"mebx", "a 'mebx' track (timed metadata, which can hold the place of "
                                                      "recording)"),
    "timed metadata (mett)": (b"meta", b"mett", "a 'mett' track (timed metadata"),
    "Sony real-time metadata (rtmd)": (b"meta", b"rtmd", "a 'rtmd' track (GPS or motion telemetry)"),
    "GoPro telemetry (gpmd)": (b"meta", b"gpmd", "a 'gpmd' track (GPS or motion telemetry)"),
    "GoPro telemetry in a picture track": (b"vide", b"gpmd", "a 'gpmd' track (GPS or motion telemetry)"),
    "Google camera motion": (b"camm", b"camm", "a 'camm' track (GPS or motion telemetry)"),
    "DJI debug data": (b"meta", b"dbgi", "a 'dbgi' track (GPS or motion telemetry)"),
    "a metadata track of an unknown format": (b"meta", b"fdsc", "a 'fdsc' track (timed metadata"),
    "subtitles in a track that says it is a picture": (b"vide", b"tx3g", "a 'tx3g' track (subtitles"),
    "a track of an unknown kind": (b"hint", b"rtp ", "a 'rtp ' track (neither picture nor sound, so it cannot be "
                                                     "checked for personal data)"),
}


@pytest.mark.parametrize("case", sorted(TRACKS))
def test_a_track_that_is_not_picture_or_sound_is_refused(case: str) -> None:
    handler, sample_format, told = TRACKS[case]
    entry = box(sample_format, bytes(6) + b"\x00\x01" + b"ENTRY " + PLACE)
    data = movie(other=(handler, entry, b"Handler\x00", b"GPS (4.8357, 45.7640, 20) " + PLACE))
    result, reason = strip_video_metadata(data, ".mp4")
    assert result is None and reason is not None
    assert reason.startswith(f"has {told}") and reason.endswith("; export the video again with sound and picture only")


def test_a_time_code_track_is_published() -> None:
    tmcd = box(b"tmcd", bytes(6) + b"\x00\x01" + bytes(4) + struct.pack(">IIIBB", 0, 25, 1, 25, 0))
    result = cleaned(movie(other=(b"tmcd", tmcd, b"TimeCodeHandler\x00", struct.pack(">I", 915_388))))
    assert tmcd in result and b"TimeCodeHandler" not in result


def test_a_damaged_or_compressed_movie_header_is_refused() -> None:
    ftyp = box(b"ftyp", b"qt  \x00\x00\x02\x00qt  ")
    # A 64-bit header of 8 bytes: its times would lie in the box after it.
    result, reason = strip_video_metadata(ftyp + box(b"moov", box(b"mvhd", b"\x01" + bytes(7)), box(b"udta", PLACE)),
                                          ".mp4")
    assert result is None and reason == "is a damaged MP4 video (a box is too short for its fields)"
    result, reason = strip_video_metadata(ftyp + box(b"moov", box(b"cmov", box(b"dcom", b"zlib"), PLACE)), ".mp4")
    assert result is None and reason is not None and reason.startswith("has a compressed movie header ('cmov')")


def test_a_refused_video_is_an_error_at_its_line(make_site) -> None:
    subtitles = movie(other=(b"sbtl", box(b"tx3g", bytes(6) + b"\x00\x01" + bytes(30)), b"SubtitleHandler\x00",
                             b"GPS (4.8357, 45.7640, 20)"))
    site = make_site({"content/memories/a.md": photo_memory("  - video: clip.mp4\n    title: Le drone\n"),
                      "content/memories/clip.mp4": subtitles})
    result = site.build()
    assert result.exit_code == 1
    assert ("content/memories/a.md:10: media.video: 'clip.mp4' has a 'tx3g' track (subtitles or other timed text, "
            "where some drones write the GPS position of every frame); export the video again with sound and picture "
            "only") in result.stderr, result.stderr
    assert "Traceback" not in result.output


def test_a_published_video_keeps_no_place(make_site) -> None:
    source = movie(moov=full(b"loci", PLACE), top=box(b"Xtra", PLACE), video_name=b"Lyon\x00")
    site = make_site({"content/memories/a.md": photo_memory("  - video: clip.mp4\n    title: Le goûter\n"),
                      "content/memories/clip.mp4": source})
    assert site.build().exit_code == 0
    [data] = [d for p, d in media_files(site).items() if p.endswith(".mp4")]
    assert len(data) == len(source) and b"Lyon" not in data and b"".join(VIDEO_SAMPLES + AUDIO_SAMPLES) in data


# -- videos copied as they are: static/ and a site theme's static/ -----------------------------

XYZ = box(b"udta", box(b"\xa9xyz", b"\x00\x12\x15\xc7+45.7640+004.8357/"))
APPLE = full(b"meta", hdlr(b"mdta", b"\x00"), box(b"keys", b"com.apple.quicktime.location.ISO6709"),
             box(b"ilst", b"+45.7640+004.8357+170.000/"))
PLAYED = b"".join(VIDEO_SAMPLES + AUDIO_SAMPLES)


def _webm_with_a_place() -> bytes:
    from tests.test_images import _ebml
    header = _ebml(0x1A45DFA3, _ebml(0x4282, b"webm"))
    info = _ebml(0x1549A966, _ebml(0x2AD7B1, b"\x0f\x42\x40") + _ebml(0x7BA9, b"Chez nous"))
    tags = _ebml(0x1254C367, _ebml(0x7373, _ebml(0x67C8, _ebml(0x45A3, b"RECORDING_LOCATION")
                                                  + _ebml(0x4487, b"+45.7640+004.8357"))))
    cluster = _ebml(0x1F43B675, _ebml(0xE7, b"\x00") + _ebml(0xA3, b"\x81\x00\x00\x80frame"))
    return header + _ebml(0x18538067, info + tags + cluster)


@pytest.mark.parametrize("name", ["clip.mp4", "IMG_0042.MOV", "IMG_0042", "clip.mp4.bak", "voice.m4a"])
def test_a_video_in_static_is_published_without_where_it_was_recorded(make_site, name: str) -> None:
    # Copied as it is, a phone's video took the fan's kitchen (©xyz, Apple's ISO 6709 key) to
    # every visitor; it is known by its bytes whatever its name, and blanked as a fan's video is.
    source = movie(moov=XYZ + APPLE)
    site = make_site({f"static/{name}": source})
    result = site.build()
    assert result.exit_code == 0, result.output
    assert (f"static/{name}:1: warning: holds where it was recorded: published with its metadata blanked; "
            "strip it here too, git keeps it") in result.stderr
    published = (site.public / name).read_bytes()
    assert len(published) == len(source) and PLAYED in published
    assert b"45.7640" not in published and b"ISO6709" not in published and b"\xa9xyz" not in published
    assert published == cleaned(source)  # as a fan's video is published
    assert (site.root / "static" / name).read_bytes() == source  # the site's file is left alone
    assert site.check().exit_code == 0


def test_a_video_without_a_place_in_static_is_blanked_without_a_warning(make_site) -> None:
    source = movie()
    site = make_site({"static/clip.mp4": source})
    result = site.build()
    assert result.exit_code == 0 and "static/clip.mp4" not in result.stderr, result.stderr
    assert (site.public / "clip.mp4").read_bytes() == cleaned(source)


def test_a_webm_video_in_a_site_theme_is_published_without_its_tags(make_site) -> None:
    source = _webm_with_a_place()
    site = make_site({"themes/default/static/intro.webm": source})
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "themes/default/static/intro.webm:1: warning: holds where it was recorded" in result.stderr
    [published] = [data for path, data in site.output_files().items() if path.startswith("assets/intro.")]
    assert len(published) == len(source) and b"frame" in published
    assert b"+45.76" not in published and b"LOCATION" not in published and b"Chez nous" not in published


@pytest.mark.parametrize("name, data, told", [
    ("clip.mp4", box(b"ftyp", b"isom\x00\x00\x02\x00isom") + struct.pack(">I4s", 4000, b"moov") + XYZ,
     "is a damaged MP4 video (a box runs past the end of the file)"),
    ("drone.mov", movie(other=(b"sbtl", box(b"tx3g", bytes(6) + b"\x00\x01" + bytes(30)), b"Subtitles\x00",
                               b"GPS (4.8357, 45.7640, 20)")), "has a 'tx3g' track (subtitles"),
    ("clip.webm", bytes.fromhex("1a45dfa3") + b"\x9fwebm", "is a damaged WebM video (an element runs past the end"),
    ("old.mp4", b"not a video at all, whatever its name says", "is not an MP4 video (no 'ftyp' box at its start)"),
])
def test_a_video_in_static_that_cannot_be_read_through_is_an_error_naming_it(make_site, name: str, data: bytes,
                                                                             told: str) -> None:
    site = make_site({f"static/{name}": data, "static/notes.txt": "The free ride\n"})
    result = site.build()
    assert result.exit_code == 1
    assert (f"static/{name}:1: cannot be published: a video copied to the output is published without its metadata, "
            f"and this one {told}") in result.stderr, result.stderr
    assert "notes.txt" not in result.stderr  # text that reads like a box name is no video
    assert "Traceback" not in result.output and not site.public.exists()
    checked = site.check()
    assert checked.exit_code == 1 and f"static/{name}:1: cannot be published" in checked.stderr


def test_an_edited_static_video_is_blanked_again_by_the_next_build_and_builds_repeat(make_site) -> None:
    first = movie(moov=XYZ)
    site = make_site({"static/clip.mp4": first})
    assert site.build().exit_code == 0
    assert (site.public / "clip.mp4").read_bytes() == cleaned(first)
    assert site.build().exit_code == 0 and (site.public / "clip.mp4").read_bytes() == cleaned(first)
    # Another video of the same size, recorded elsewhere, in its place.
    second = movie(moov=box(b"udta", box(b"\xa9xyz", b"\x00\x12\x15\xc7+48.8566+002.3522/")))
    assert len(second) == len(first) and second != first
    site.write("static/clip.mp4", second)
    result = site.build()
    assert result.exit_code == 0 and "static/clip.mp4:1: warning: holds where it was recorded" in result.stderr
    published = (site.public / "clip.mp4").read_bytes()
    assert published == cleaned(second) and b"48.8566" not in published


# -- the video cache: a video is read and stripped once, not by every build ------------------

def _video_site(make_site, name: str = "site"):
    from tests.conftest import memory
    site = make_site({"content/memories/a.md": photo_memory("  - video: clip.mp4\n    title: Le goûter\n"),
                      "content/memories/clip.mp4": movie(moov=XYZ),
                      "content/memories/b.md": memory("Sans vidéo"),
                      "static/shop.mp4": movie(moov=APPLE)}, name=name)
    return site


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every path opened (by ``open``, ``io.open`` or ``os.open``) while the test runs."""
    import builtins
    import io
    import os
    paths: list[str] = []
    real_open, real_os_open = io.open, os.open

    def recording_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(file, (str, os.PathLike)):
            paths.append(os.path.abspath(file))
        return real_open(file, *args, **kwargs)

    def recording_os_open(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        paths.append(os.path.abspath(path))
        return real_os_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", recording_open)
    monkeypatch.setattr(io, "open", recording_open)
    monkeypatch.setattr(os, "open", recording_os_open)
    return paths


def _settled(monkeypatch: pytest.MonkeyPatch) -> None:
    from storysite import cache
    monkeypatch.setattr(cache, "COARSE_SETTLING_NS", 0)  # every file is as old as a settled one


def test_an_unchanged_video_is_not_read_by_a_rebuild_and_the_output_is_a_cold_builds(
        make_site, monkeypatch: pytest.MonkeyPatch, opened: list[str]) -> None:
    site = _video_site(make_site)
    _settled(monkeypatch)
    first = site.build()
    assert first.exit_code == 0, first.output
    sources = {str(site.root / "content/memories/clip.mp4"), str(site.root / "static/shop.mp4")}
    assert sources <= set(opened)  # (the recorder sees the first build read them)
    site.write("content/memories/b.md", (site.root / "content/memories/b.md").read_text().replace("texte", "mot"))
    opened.clear()
    import storysite.build
    heads: list[str] = []
    real_head = storysite.build._head
    monkeypatch.setattr(storysite.build, "_head", lambda path: heads.append(str(path)) or real_head(path))
    second = site.build()
    assert second.exit_code == 0 and "1 parsed" in second.output, second.output  # (not up to date: built)
    # Neither hashed nor stripped again: the static/ video's first bytes only are read (they
    # tell a video from another file).
    shop = str(site.root / "static/shop.mp4")
    assert str(site.root / "content/memories/clip.mp4") not in opened
    assert opened.count(shop) == heads.count(shop) == 1
    assert second.stderr == first.stderr  # the same warnings: the shop's place, said again
    assert "static/shop.mp4:1: warning: holds where it was recorded" in second.stderr
    # The same files as a build of the same site with no cache at all.
    cold = make_site(name="cold")
    for relpath in ("content/memories/a.md", "content/memories/b.md", "content/memories/clip.mp4", "static/shop.mp4"):
        cold.write(relpath, (site.root / relpath).read_bytes())
    assert cold.build().exit_code == 0
    assert site.output_files() == cold.output_files()
    [video] = [p for p in media_files(site) if p.endswith(".mp4")]
    assert (site.public / video).read_bytes() == cleaned(movie(moov=XYZ))
    assert (site.public / "shop.mp4").read_bytes() == cleaned(movie(moov=APPLE))


def test_a_video_changed_too_recently_to_trust_its_stat_data_is_hashed_again(make_site, opened: list[str]) -> None:
    # Just written, a file may be edited again within its time stamp's tick, keeping its stat
    # data: the next build does not trust that, and hashes it (it is not stripped again).
    site = _video_site(make_site)
    assert site.build().exit_code == 0
    site.write("content/memories/b.md", (site.root / "content/memories/b.md").read_text().replace("texte", "mot"))
    opened.clear()
    assert site.build().exit_code == 0
    assert str(site.root / "content/memories/clip.mp4") in opened


def test_an_edited_video_is_stripped_again(make_site, monkeypatch: pytest.MonkeyPatch) -> None:
    site = _video_site(make_site)
    _settled(monkeypatch)
    assert site.build().exit_code == 0
    before = set(media_files(site))
    second = movie(moov=box(b"udta", box(b"\xa9xyz", b"\x00\x12\x15\xc7+48.8566+002.3522/")), video_name=b"Paris\x00")
    site.write("content/memories/clip.mp4", second)
    site.write("static/shop.mp4", movie())
    result = site.build()
    assert result.exit_code == 0 and "static/shop.mp4" not in result.stderr, result.stderr
    [video] = [p for p in media_files(site) if p.endswith(".mp4")]
    assert video not in before and (site.public / video).read_bytes() == cleaned(second)
    assert (site.public / "shop.mp4").read_bytes() == cleaned(movie())
    # The cache holds the published videos only.
    held = {p.read_bytes() for p in (site.root / ".storysite/cache/videos").iterdir() if p.name != "index.json"}
    assert held == {cleaned(second), cleaned(movie())}


def test_a_withdrawn_memorys_video_leaves_the_output_and_the_cache(make_site, monkeypatch: pytest.MonkeyPatch) -> None:
    site = _video_site(make_site)
    _settled(monkeypatch)
    assert site.build().exit_code == 0
    folder = site.root / ".storysite/cache/videos"
    assert cleaned(movie(moov=XYZ)) in {p.read_bytes() for p in folder.iterdir()}
    site.write("content/memories/a.md",
               (site.root / "content/memories/a.md").read_text().replace("status: approved", "status: withdrawn"))
    assert site.build().exit_code == 0
    assert not [p for p in media_files(site) if p.endswith(".mp4")]
    assert cleaned(movie(moov=XYZ)) not in {p.read_bytes() for p in folder.iterdir()}
    assert "clip.mp4" not in (folder / "index.json").read_text()  # nor where it was


def test_a_damaged_cached_video_is_stripped_again_and_check_writes_no_cache(make_site,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    site = _video_site(make_site)
    assert site.check().exit_code == 0
    assert not (site.root / ".storysite/cache/videos").exists()
    _settled(monkeypatch)
    assert site.build().exit_code == 0
    expected = site.output_files()
    for path in (site.root / ".storysite/cache/videos").iterdir():
        if path.name != "index.json":
            with open(path, "r+b") as handle:  # damaged in place (the output's link with it)
                handle.write(b"XXXX")
    site.remove("public")
    assert site.build().exit_code == 0
    assert site.output_files() == expected


def test_a_build_into_another_folder_shares_no_video_with_the_output_so_it_stays_up_to_date(
        make_site, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The cache's stripped video is linked into the configured output only: linked into dist/
    # too, each link would move the shared file's change time on, and the next plain build
    # would find its output changed since it was written and build it all again.
    site = _video_site(make_site)
    _settled(monkeypatch)
    assert site.build().exit_code == 0
    dist = tmp_path / "dist"
    other = site.build("-o", str(dist))
    assert other.exit_code == 0, other.output
    [video] = [p for p in media_files(site) if p.endswith(".mp4")]
    assert (dist / video).read_bytes() == (site.public / video).read_bytes()
    assert not os.path.samefile(dist / video, site.public / video)
    again = site.build()
    assert again.exit_code == 0 and "Up to date" in again.output, again.output
