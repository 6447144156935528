"""Acceptance tests of SPEC.md, black box: real sites in tmp folders built through the command
line (``python -m storysite`` in a process of its own), judged by their output files, exit codes
and messages only.

The privacy promises are checked by invariance rather than by searching for strings: a memory
that must leave no trace, or a private field, is changed or added, and every output file
(pages, feeds, sitemap, JSON-LD, label pictures, share cards, photo derivatives) must stay the
same byte for byte. A leak drawn into a picture or hidden in a count is caught that way too.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import textwrap
import unicodedata
from collections.abc import Mapping
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import BUILD_EPOCH, REPO

# The design `storysite new` writes (its artwork and the bundled font): a real label to draw.
LABEL_DESIGN = REPO / "storysite/skeleton/content/labels"

CONFIG = "title: T\nbase_url: https://example.org/\nlanguage: en\nimages: {widths: [200, 400], formats: [jpeg]}\n"

GPS = {1: "N", 2: (45.0, 45.0, 34.56), 3: "E", 4: (4.0, 50.0, 31.92)}
CAMERA = "AcceptanceCam"


def jpeg(size: tuple[int, int] = (600, 400), *, located: bool = False, orientation: int = 1) -> bytes:
    image = Image.new("RGB", size, (30, 90, 160))
    image.paste((220, 40, 40), (0, 0, size[0] // 5, size[1] // 5))
    exif = Image.Exif()
    if located:
        exif[0x010F] = CAMERA
        exif[0x8825] = GPS
    if orientation != 1:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def storysite(*args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None
              ) -> subprocess.CompletedProcess[str]:
    """Runs the command line as a user does, in a process of its own."""
    environment = {**os.environ, "SOURCE_DATE_EPOCH": BUILD_EPOCH, "NO_COLOR": "1",
                   "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
                   **(env or {})}
    environment.pop("STORYSITE_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "storysite", *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=300, check=False)


def make(root: Path, files: Mapping[str, str | bytes], config: str = CONFIG, *, labels: bool = False) -> Path:
    root.mkdir(parents=True)
    (root / "storysite.yaml").write_text(config, encoding="utf-8")
    if labels:
        shutil.copytree(LABEL_DESIGN, root / "content/labels")
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(textwrap.dedent(data), encoding="utf-8")
    return root


def outputs(root: Path, folder: str = "public") -> dict[str, bytes]:
    out = root / folder
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def differences(a: Mapping[str, bytes], b: Mapping[str, bytes]) -> list[str]:
    return sorted(set(a) ^ set(b)) + sorted(k for k in set(a) & set(b) if a[k] != b[k])


def built(root: Path, *args: str) -> dict[str, bytes]:
    done = storysite("build", str(root), *args)
    assert done.returncode == 0, done.stderr
    return outputs(root)


PUBLISHED = """\
---
title: Published one
date: 1986-07
status: approved
author: {id: fan-1, display: Ann B., location: Lyon}
consent: {granted: 2020-01-01, scope: [site, share]}
tags: [family]
label: {design: classic, text: Ann}
---
Hello.
"""


# -- publication: an unpublished memory changes no output byte -------------------------------


UNPUBLISHED = {
    "submitted": "status: submitted\nconsent: {granted: 2020-01-01, scope: [site, share]}",
    "rejected": "status: rejected\nconsent: {granted: 2020-01-01, scope: [site, share]}",
    "withdrawn": "status: withdrawn\nconsent: {granted: 2020-01-01, scope: [site, share]}",
    "no-consent": "status: approved",
    "consent-without-date": "status: approved\nconsent: {scope: [site, share], expires: 2030-01-01}",
    # SOURCE_DATE_EPOCH is 2026-11-20: a consent expiring that day has expired.
    "expires-on-build-day": "status: approved\nconsent: {granted: 2020-01-01, expires: 2026-11-20, scope: [site, share]}",
    "share-without-site": "status: approved\nconsent: {granted: 2020-01-01, scope: [share, print]}",
}


@pytest.fixture(scope="module")
def without_it(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = make(tmp_path_factory.mktemp("base") / "site", {"content/memories/pub.md": PUBLISHED}, labels=True)
    return built(root)


@pytest.mark.parametrize("case", sorted(UNPUBLISHED))
def test_an_unpublished_memory_changes_no_byte_of_any_output_file(tmp_path: Path, without_it: dict[str, bytes],
                                                                   case: str) -> None:
    # Its own decade, tag, photo, label and featured flag: any of them would show somewhere
    # (a count, a decade page, a derivative, a share card) if it leaked.
    secret = f"""\
        ---
        title: Secret title
        date: 1955-03
        {UNPUBLISHED[case].replace(chr(10), chr(10) + ' ' * 8)}
        author: {{id: fan-9, display: Zed Q., location: Atlantis}}
        tags: [secrettag, family]
        featured: true
        label: {{design: classic, text: Zed}}
        media: [{{src: p.jpg, alt: secret alt, caption: secret caption}}]
        ---
        Secret body.
        """
    root = make(tmp_path / "site", {"content/memories/pub.md": PUBLISHED, "content/memories/secret/index.md": secret,
                                    "content/memories/secret/p.jpg": jpeg()}, labels=True)
    assert differences(built(root), without_it) == []


# -- privacy: private fields change no output byte -------------------------------------------


def private_memory(fan: tuple[str, ...], display: str | None) -> str:
    name, email, phone, ref, original, notes = fan
    shown = f"display: {display}, " if display else ""
    return textwrap.dedent(f"""\
        ---
        title: Private fields
        date: 1986-07
        status: approved
        author: {{id: fan-2, {shown}name: "{name}", email: "{email}", phone: "{phone}", location: Lyon}}
        consent: {{granted: 2020-01-01, scope: [site, share], ref: "{ref}"}}
        label: {{design: classic, text: Romain}}
        tags: [family]
        original: "{original}"
        notes: "{notes}"
        media: [{{src: p.jpg, alt: A jar}}]
        ---
        Words.
        """)


@pytest.mark.parametrize(("policy", "displays"), [
    ("first_initial", (None, None)),                  # both shown as "Romain L."
    ("first", (None, None)),                          # both shown as "Romain"
    ("full", ("Romain L.", "Romain L.")),             # a display given wins over the full name
    ("anonymous", ("Romain L.", "Zed Q.")),           # no name at all, the display given included
])
def test_private_fields_change_no_byte_of_any_output_file(tmp_path: Path, policy: str,
                                                          displays: tuple[str | None, str | None]) -> None:
    # Two fans the policy shows alike, every private field of theirs different: no page, feed,
    # label picture or share card may tell them apart.
    fans = [("Romain Lefèvre", "a@example.org", "+33 6 00 00 00 01", "c-1", "my own words", "call back"),
            ("Romain Lambert", "zz@example.net", "+44 7700 900123", "c-2222", "other words entirely", "nothing")]
    results = []
    for number, (fan, display) in enumerate(zip(fans, displays, strict=True)):
        root = make(tmp_path / f"site{number}", {
            "content/memories/m/index.md": private_memory(fan, display),
            "content/memories/m/p.jpg": jpeg()}, CONFIG + f"privacy: {{author_display: {policy}}}\n", labels=True)
        results.append(built(root))
    assert differences(*results) == []


# -- images: no published photo says where it was taken --------------------------------------


def test_a_photo_in_the_sites_theme_is_never_published_with_where_it_was_taken(tmp_path: Path) -> None:
    # A theme's own pictures (a hero photo of the shop, taken with a phone) are published as
    # static/'s are: a JPEG without its EXIF, XMP and IPTC blocks, with a warning; another
    # photo that says where it was taken is an error, and the output is left as it was.
    located = jpeg(located=True, orientation=6)
    root = make(tmp_path / "site", {"themes/default/static/img/shop.jpg": located,
                                    "themes/default/static/img/plain.jpg": jpeg()})
    done = storysite("build", str(root))
    assert done.returncode == 0, done.stderr
    assert "themes/default/static/img/shop.jpg:1: warning: holds a GPS position (where it was taken)" in done.stderr
    files = outputs(root)
    [shop] = [path for path in files if re.fullmatch(r"assets/img/shop\.[0-9a-f]{10}\.jpg", path)]
    assert CAMERA.encode() not in files[shop]
    with Image.open(io.BytesIO(files[shop])) as published, Image.open(io.BytesIO(located)) as original:
        assert dict(published.getexif().get_ifd(0x8825)) == {}
        assert published.tobytes() == original.tobytes()  # its pixels untouched
    assert (root / "themes/default/static/img/shop.jpg").read_bytes() == located  # the site's file is left alone
    assert not any(b"GPS" in data or CAMERA.encode() in data for data in files.values())

    png = io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = GPS
    Image.new("RGB", (8, 8)).save(png, "PNG", exif=exif.tobytes())
    (root / "themes/default/static/img/garden.png").write_bytes(png.getvalue())
    done = storysite("build", str(root))
    assert done.returncode == 1
    assert "themes/default/static/img/garden.png:1: holds a GPS position (where it was taken)" in done.stderr
    assert outputs(root) == files
    checked = storysite("check", str(root))
    assert checked.returncode == 1 and "themes/default/static/img/garden.png:1:" in checked.stderr


@pytest.mark.parametrize("name", ["photo.jfif", "photo.pjpeg", "photo", "IMG_0001.jpg.old"])
def test_a_located_photo_in_static_is_known_by_its_bytes_whatever_its_name(tmp_path: Path, name: str) -> None:
    # Windows saves a JPEG from the web as .jfif, a phone or a script may give none: still a
    # photo, still the fan's kitchen in its GPS block.
    located = jpeg(located=True)
    root = make(tmp_path / "site", {f"static/{name}": located})
    done = storysite("build", str(root))
    assert done.returncode == 0, done.stderr
    assert f"static/{name}:1: warning: holds a GPS position (where it was taken)" in done.stderr
    published = (root / "public" / name).read_bytes()
    assert CAMERA.encode() not in published
    with Image.open(io.BytesIO(published)) as image, Image.open(io.BytesIO(located)) as original:
        assert dict(image.getexif().get_ifd(0x8825)) == {} and image.tobytes() == original.tobytes()


def test_check_warns_about_a_located_photo_that_an_editors_markdown_shows(tmp_path: Path) -> None:
    # The build publishes it without its metadata, but git keeps the original: `check` says so
    # of every photo in the content tree that says where it was taken, whoever names it.
    root = make(tmp_path / "site", {
        "content/pages/about/index.md": "---\ntitle: About\n---\nOur shop:\n\n![The shop](shop.jpg)\n",
        "content/pages/about/shop.jpg": jpeg(located=True),
        "content/timeline/t.yaml": "date: 1976\ntitle: First jar\ntext: |\n  Look.\n\n  ![A jar](/jars/first.jpg)\n",
        "jars/first.jpg": jpeg(located=True),
        "content/memories/m.md": plain("Shown", "media: [{src: fan.jpg, alt: A}]\n"),
        "content/memories/fan.jpg": jpeg(located=True),
    })
    done = storysite("check", str(root))
    assert done.returncode == 0, done.stderr
    for where, photo in (("content/memories/m.md:7", "fan.jpg"), ("content/pages/about/index.md:6", "shop.jpg"),
                         ("content/timeline/t.yaml:6", "/jars/first.jpg")):
        assert f"{where}: warning: photo '{photo}' holds a GPS position (where it was taken)" in done.stderr, photo
    files = built(root)
    assert not any(CAMERA.encode() in data for data in files.values())


# -- dates and the timeline ------------------------------------------------------------------


def dated(title: str, date: str, extra: str = "") -> str:
    return (f"---\ntitle: {title}\ndate: {date}\nstatus: approved\nauthor: {{id: fan-1, display: Ann B.}}\n"
            f"consent: {{granted: 2020-01-01}}\n{extra}---\nText.\n")


def test_dates_their_wording_and_the_timeline_by_decade_in_reading_order(tmp_path: Path) -> None:
    root = make(tmp_path / "site", {
        "content/memories/year.md": dated("Year", "1986"),
        "content/memories/month.md": dated("Month", "1986-07"),
        "content/memories/day.md": dated("Day", "1986-07-14"),
        "content/memories/decade.md": dated("Decade", "1980s"),
        "content/memories/worded.md": dated("Worded", "1986-08", "date_display: summer 1986\n"),
        "content/memories/late.md": dated("Late", "2003-01-02"),
        "content/timeline/list.yaml": "- {date: 1976-04, title: First jar, text: x}\n"
                                      "- {date: 1986-07-20, title: New lid, text: y}\n",
    })
    files = built(root)

    def page(slug: str) -> str:
        return files[f"memories/{slug}/index.html"].decode()

    assert '<time datetime="1986">1986</time>' in page("year")
    assert '<time datetime="1986-07">July 1986</time>' in page("month")
    assert '<time datetime="1986-07-14">14 July 1986</time>' in page("day")
    assert "the 1980s" in page("decade")
    assert "summer 1986" in page("worded") and "August 1986" not in page("worded")
    for path, data in files.items():  # the wording replaces the computed date everywhere
        assert b"August 1986" not in data, path
    timeline = files["timeline/index.html"].decode()
    # Read without JavaScript, the page is in date order: each decade's heading, then its
    # milestones and memories together, a decade alone before the years in it.
    reading = [">The 1970s<", ">First jar<", ">The 1980s<", ">Decade<", ">Year<", ">Month<", ">Day<", ">New lid<",
               ">Worded<", ">The 2000s<", ">Late<"]
    positions = [timeline.index(text) for text in reading]
    assert positions == sorted(positions)
    assert {"timeline/1970s/index.html", "timeline/1980s/index.html", "timeline/2000s/index.html"} <= set(files)
    assert "timeline/1990s/index.html" not in files


def test_every_impossible_date_is_an_error_at_its_line_in_one_run(tmp_path: Path) -> None:
    bad = {"month13": "1986-13", "feb30": "1986-02-30", "decade": "198s", "short": "86", "words": "July 1986",
           "unpadded": "1986-7", "day0": "1986-07-00"}
    root = make(tmp_path / "site", {f"content/memories/{name}.md": dated(name, value) for name, value in bad.items()})
    done = storysite("build", str(root))
    assert done.returncode == 1
    for name, value in bad.items():
        assert f"content/memories/{name}.md:3: date: '{value}' is not a date" in done.stderr, name
    assert not (root / "public").exists()


# -- URLs, bundles, list files and media paths -----------------------------------------------


def plain(title: str = "A memory", extra: str = "") -> str:
    return (f"---\ntitle: {title}\ndate: 1986\nstatus: approved\nauthor: {{id: fan-1, display: Ann B.}}\n"
            f"consent: {{granted: 2020-01-01}}\n{extra}---\nText.\n")


@pytest.mark.parametrize(("first", "second"), [
    ("Été 1986.md", "ete-1986.md"),
    (unicodedata.normalize("NFC", "Été.md"), unicodedata.normalize("NFD", "Été.md")),
    ("Anna.md", "anna.yaml"),
    ("b.md", "b/index.md"),
    ("given.md", "list.yaml"),
])
def test_two_items_with_one_url_are_an_error_naming_both(tmp_path: Path, first: str, second: str) -> None:
    yaml_memory = ("title: Y\ndate: 1986\nstatus: approved\nauthor: {id: fan-1, display: Ann B.}\n"
                   "consent: {granted: 2020-01-01}\ntext: Hi.\n")
    texts = {"given.md": plain(extra="slug: listed\n"), "anna.yaml": yaml_memory,
             "list.yaml": "- title: Other\n  text: x\n- title: Listed\n  text: y\n"}
    root = make(tmp_path / "site", {f"content/memories/{name}": texts.get(name, plain()) for name in (first, second)})
    (root / "public").mkdir()
    (root / "public/keep.txt").write_text("previous output")
    done = storysite("build", str(root))
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if "as does" in line]
    assert len(errors) == 2, done.stderr
    for line in errors:
        assert re.match(r"content/memories/[^:]+:\d+: this memory has the URL /memories/[a-z0-9-]+/, as does "
                        r"content/memories/[^:]+:\d+$", line), line
    assert {unicodedata.normalize("NFC", line.split(":")[0]) for line in errors} == {
        unicodedata.normalize("NFC", f"content/memories/{name}") for name in (first, second)}
    assert sorted(p.name for p in (root / "public").iterdir()) == ["keep.txt"]


def test_media_paths_are_relative_to_their_file_or_to_the_site_root(tmp_path: Path) -> None:
    root = make(tmp_path / "site", {
        "content/memories/bundle/index.md": plain("Bundle", "media: [{src: beside.jpg, alt: Beside}]\n"),
        "content/memories/bundle/beside.jpg": jpeg((500, 300)),
        "content/memories/rooted.md": plain("Rooted", "media: [{src: /shared/photos/root.jpg, alt: Root}]\n"),
        "shared/photos/root.jpg": jpeg((300, 500)),
        "content/memories/yaml/index.yaml": "title: Yaml bundle\nstatus: approved\nauthor: {id: fan-3, display: C.}\n"
                                           "consent: {granted: 2020-01-01}\nmedia: [{src: pic.jpg, alt: Pic}]\n"
                                           "text: Hi.\n",
        "content/memories/yaml/pic.jpg": jpeg((400, 400)),
        "content/memories/many.yaml": "- title: In a list\n  status: approved\n  author: {id: fan-4, display: D.}\n"
                                      "  consent: {granted: 2020-01-01}\n  media: [{src: bundle/beside.jpg, alt: B}]\n"
                                      "  text: Hi.\n",
    })
    files = built(root)
    for slug, width, height in (("bundle", 400, 240), ("rooted", 300, 500), ("yaml", 400, 400),
                                ("in-a-list", 400, 240)):
        page = files[f"memories/{slug}/index.html"].decode()
        assert f'width="{width}" height="{height}"' in page, slug
    # Originals are never copied.
    originals = {(root / rel).read_bytes() for rel in ("content/memories/bundle/beside.jpg", "shared/photos/root.jpg")}
    assert not originals & set(files.values())


@pytest.mark.parametrize(("src", "said"), [
    ("../../../outside.jpg", "leaves the site folder"),
    ("/../outside.jpg", "leaves the site folder"),
    ("linked.jpg", "leads outside the site folder (through a symbolic link)"),
])
def test_a_media_path_leaving_the_site_is_an_error_at_its_line(tmp_path: Path, src: str, said: str) -> None:
    (tmp_path / "outside.jpg").write_bytes(jpeg())
    root = make(tmp_path / "site", {"content/memories/m.md": plain(extra=f"media: [{{src: '{src}', alt: A}}]\n")})
    (root / "content/memories/linked.jpg").symlink_to(tmp_path / "outside.jpg")
    done = storysite("build", str(root))
    assert done.returncode == 1
    assert f"content/memories/m.md:7: media.src: '{src}' {said}" in done.stderr
    assert not (root / "public").exists()


# -- galleries --------------------------------------------------------------------------------


def test_a_gallery_publishes_derivatives_only_with_orientation_applied_and_no_metadata(tmp_path: Path) -> None:
    config = CONFIG.replace("formats: [jpeg]", "formats: [webp, jpeg]")
    root = make(tmp_path / "site", {
        "content/galleries/fan-days/index.yaml": "title: Fan Days\nimages:\n"
                                                 "  - {src: turned.jpg, alt: Turned, credit: Camille A.}\n"
                                                 "  - {src: /photos/small.jpg, alt: Small}\n",
        "content/galleries/fan-days/turned.jpg": jpeg((600, 300), located=True, orientation=6),
        "photos/small.jpg": jpeg((300, 150), located=True),
        "content/pages/p.md": "---\ntitle: P\n---\n::: gallery fan-days\n:::\n",
    }, config)
    files = built(root)
    derivative = re.compile(r"media/[0-9a-f]{20}-(\d+)\.(\w+)")
    media = {path: data for path, data in files.items() if derivative.fullmatch(path)}
    # widths × formats, never wider than the photo (turned upright, 600×300 is 300 wide).
    widths = sorted(match.groups() for match in map(derivative.fullmatch, media) if match)
    assert widths == [("200", "jpg"), ("200", "jpg"), ("200", "webp"), ("200", "webp"),
                      ("300", "jpg"), ("300", "jpg"), ("300", "webp"), ("300", "webp")]
    for path, data in media.items():
        with Image.open(io.BytesIO(data)) as image:
            assert len(image.getexif()) == 0 and not {"exif", "xmp", "icc_profile", "comment"} & set(image.info), path
            if "-300." in path:
                assert image.size in ((300, 600), (300, 150)), path
        assert CAMERA.encode() not in data
    for page in ("galleries/fan-days/index.html", "p/index.html"):
        html = files[page].decode()
        assert 'width="300" height="600"' in html and 'width="300" height="150"' in html, page
        assert all(re.search(r'\swidth="\d+" height="\d+"', tag) for tag in re.findall(r"<img [^>]*>", html)), page
    originals = {(root / "content/galleries/fan-days/turned.jpg").read_bytes(), (root / "photos/small.jpg").read_bytes()}
    assert not originals & set(files.values())


# -- fan text and Markdown blocks --------------------------------------------------------------


FAN_TEXT = """\
Raw <script>alert('x')</script> and <img src=x onerror=alert(1)> <!-- hidden -->.

[js](javascript:alert(1)) [JS](JAVASCRIPT:alert(1)) [ent](&#106;avascript:alert(1)) [data](data:text/html,hi)
[vb](vbscript:x) [rel](/memories/) [proto](//evil.example/) [ftp](ftp://x.example/) [tel](tel:+3312345678)
[ok](https://example.com/a) [plain](http://example.com/b) [mail](mailto:team@example.com) <https://auto.example/>
<javascript:alert(2)> [ref][1]

[1]: javascript:alert(3)
"""


def test_fan_text_keeps_only_web_and_mail_links_and_escapes_raw_html(tmp_path: Path) -> None:
    list_entry = ("- title: Listed\n  status: approved\n  author: {id: fan-2, display: B.}\n"
                  "  consent: {granted: 2020-01-01}\n  text: |\n" + textwrap.indent(FAN_TEXT, "    "))
    root = make(tmp_path / "site", {"content/memories/md.md": plain("In Markdown").replace("Text.\n", FAN_TEXT),
                                    "content/memories/list.yaml": list_entry})
    files = built(root)
    for slug in ("md", "listed"):
        page = files[f"memories/{slug}/index.html"].decode()
        body = page[page.index("story__body"):]
        body = body[:body.index("</div>")]
        assert sorted(re.findall(r'href="([^"]*)"', body)) == [
            "http://example.com/b", "https://auto.example/", "https://example.com/a", "mailto:team@example.com"], slug
        assert "&lt;script&gt;" in body and "&lt;img src=x onerror=alert(1)&gt;" in body and "&lt;!-- hidden" in body
    for path, data in files.items():
        text = data.decode("utf-8", "replace")
        assert "<script>alert" not in text and "<img src=x" not in text and "<!-- hidden" not in text, path
        assert not re.search(r"""(?:href|src)=["']?\s*(?:javascript|vbscript|data:text)""", text, re.I), path


def test_blocks_place_items_and_an_unknown_one_is_an_error_at_its_line_wherever_it_is(tmp_path: Path) -> None:
    page = """\
        ---
        title: Blocks
        ---
        ```
        ::: bogus-in-code
        :::
        ```

        > ::: bogus-in-quote
        > :::

        - ::: bogus-in-list
          :::

        ::: Memory shown
        :::

        ::: memory shown
        :::
        """
    fan = plain("Fan").replace("Text.\n", "::: bogus-by-a-fan\n:::\n")
    root = make(tmp_path / "site", {"content/memories/shown.md": plain("Shown"), "content/memories/fan.md": fan,
                                    "content/campaigns/c.md": page})
    done = storysite("build", str(root))
    assert done.returncode == 1
    errors = {line.split(": unknown block ")[0] for line in done.stderr.splitlines() if "unknown block" in line}
    assert errors == {"content/campaigns/c.md:9", "content/campaigns/c.md:12", "content/campaigns/c.md:15"}
    assert "bogus-in-code" not in done.stderr and "bogus-by-a-fan" not in done.stderr  # code, and a fan's words

    (root / "content/campaigns/c.md").write_text(textwrap.dedent(page).split("> :::")[0] + "::: memory shown\n:::\n")
    files = built(root)
    campaign = files["campaigns/c/index.html"].decode()
    assert 'href="/memories/shown/"' in campaign and "::: bogus-in-code" in campaign  # shown as code
    assert "::: bogus-by-a-fan" in files["memories/fan/index.html"].decode()  # a fan's text, as written


# -- labels -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("policy", "text", "refusal"), [
    ("reject", "Romain", None),
    ("reject", "Zorglub", "We cannot print this text"),             # a word of the site's own list
    ("reject", "z.o.r.g.l.u.b", "We cannot print this text"),       # punctuated out
    ("reject", "Z O R G L Ü B", "We cannot print this text"),       # spaced out, accented, capitals
    ("reject", "Zorglubette", None),                                # inside a longer word
    ("reject", "n a z i", "We cannot print this text"),             # the bundled list still applies
    ("reject", "Nazim", None),                                      # an allowed name wins
    ("reject", "Anna 🎉", "Emoji cannot be printed"),
    ("strip", "Anna 🎉", None),
    ("strip", "🎉", "Write a name"),
    ("reject", "e\u0301" * 14, None),                               # 14 user-visible characters
    ("reject", "e\u0301" * 15, "too long for the label: 14 characters at most"),
    ("reject", "👩‍👩‍👧‍👦", "Emoji cannot be printed"),
])
def test_a_label_is_refused_in_a_neutral_sentence_that_never_repeats_the_text(tmp_path: Path, policy: str,
                                                                               text: str, refusal: str | None) -> None:
    root = make(tmp_path / "site", {"content/labels/blocked.txt": "Zorglub\n",
                                    "content/labels/names.txt": "Nazim\n"}, labels=True)
    design = root / "content/labels/classic.yaml"
    design.write_text(design.read_text().replace("emoji: reject", f"emoji: {policy}")
                      .replace("max_chars: 16", "max_chars: 14")
                      + "blocked_words: [default, blocked.txt]\nallowed_names: [default, names.txt]\n")
    done = storysite("label", "classic", text, "-o", str(tmp_path / "out.png"), "--site", str(root))
    if refusal is None:
        assert done.returncode == 0, done.stderr
        with Image.open(tmp_path / "out.png") as image:
            assert image.format == "PNG" and image.size == (1200, 600)
    else:
        assert done.returncode == 1
        assert refusal in done.stderr
        assert not (tmp_path / "out.png").exists()
        for shown in (done.stdout + done.stderr).lower().split():
            assert shown not in {"zorglub", "nazi", "z.o.r.g.l.u.b", text.lower()}


def test_the_label_picture_and_share_card_need_share_in_the_scope(tmp_path: Path) -> None:
    site_only = PUBLISHED.replace("scope: [site, share]", "scope: [site]").replace("classic", "no-such-design")
    root = make(tmp_path / "site", {"content/memories/shared.md": PUBLISHED, "content/memories/kept.md": site_only},
                labels=True)
    files = built(root)
    shared, kept = (files[f"memories/{slug}/index.html"].decode() for slug in ("shared", "kept"))
    card = re.compile(r'<meta property="og:image" content="https://example.org/(media/share/[0-9a-f]+\.jpg)">')
    shared_card, kept_card, home_card = (re.findall(card, page) for page in (shared, kept, files["index.html"].decode()))
    assert kept_card == home_card != shared_card  # the site's card, not one of its own
    # Without share, the label is not drawn: its design (which does not exist) is not even looked up.
    assert "/media/labels/" in shared and "/media/labels/" not in kept


# -- withdrawal under --strict ---------------------------------------------------------------


def test_a_withdrawal_that_empties_pages_an_editor_links_to_still_builds_with_strict(tmp_path: Path) -> None:
    # CI builds with --strict. The withdrawn memory was the only one of its tag, of its decade and
    # of the second list page, which an editor's page links to or shows: those now lead nowhere,
    # and a failed build would keep the memory online. Notes say so, failing nothing; a link
    # that never led anywhere is still a warning.
    editor = """\
        ---
        title: Links
        ---
        [tag](/tags/only-hers/) [feed](/tags/only-hers/feed.xml) [decade](/timeline/1980s/)
        [more](/memories/page/2/) [relative](../tags/only-hers/)

        ::: timeline 1986
        :::

        ::: timeline 1980s
        :::
        """
    root = make(tmp_path / "site", {
        "content/memories/kept.md": plain("Kept").replace("date: 1986", "date: 1950"),
        "content/memories/hers.md": plain("Hers", "tags: [only hers]\n").replace("fan-1", "fan-9"),
        "content/pages/links.md": editor}, CONFIG + "memories: {per_page: 1}\n")
    assert storysite("build", "--strict", str(root)).returncode == 0
    withdrawn = storysite("withdraw", "hers", "--site", str(root))
    assert withdrawn.returncode == 0, withdrawn.stderr
    done = storysite("build", "--strict", str(root))
    assert done.returncode == 0, done.stderr
    said = [line for line in done.stderr.splitlines() if line.startswith("content/pages/links.md")]
    assert len(said) == 7 and all(": note: " in line for line in said), said
    assert "content/pages/links.md:7: note: the timeline has no entry in 1986; the block is left out" in said
    files = outputs(root)
    assert "memories/hers/index.html" not in files and not any(b"Hers" in data for data in files.values())
    (root / "content/pages/links.md").write_text(textwrap.dedent(editor) + "[typo](/tags/nope/)\n\n::: timeline 1990s\n:::\n")
    typo = storysite("build", "--strict", str(root))
    assert typo.returncode == 1
    assert "content/pages/links.md:12: warning: link '/tags/nope/' leads to no page of the site" in typo.stderr
    assert "content/pages/links.md:14: warning: the timeline has no entry between 1990 and 1999" in typo.stderr


# -- the command line -------------------------------------------------------------------------


DIAGNOSTIC = re.compile(r"^(?:[^\s:][^:]*):\d+: (?:(?:warning|note): )?\S.*$")


def test_every_problem_of_a_run_is_reported_as_path_line_message_relative_to_the_site(tmp_path: Path) -> None:
    root = make(tmp_path / "site", {
        "content/memories/good.md": plain("Good"),
        "content/memories/bad-date.md": plain("Bad", "").replace("date: 1986", "date: 1986-13"),
        "content/memories/bad-type.md": plain("Typed", "featured: maybe\n"),
        "content/memories/list.yaml": "- title: Fine\n  text: x\n- text: no title or slug\n",
        "content/galleries/g.yaml": "title: G\nimages: [{src: missing.jpg, alt: M}]\n",
        "content/pages/p.md": "---\ntitle: P\n---\n::: nope\n:::\n",
    }, CONFIG + "colour: red\nmemories: {per_page: many}\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for command in ("build", "check"):
        done = storysite(command, "../site", cwd=elsewhere)
        assert done.returncode == 1, command
        lines = [line for line in done.stderr.splitlines() if DIAGNOSTIC.match(line)]
        where = {line.split(": ")[0] for line in lines}
        assert {"storysite.yaml:5", "storysite.yaml:6", "content/memories/bad-date.md:3",
                "content/memories/bad-type.md:7", "content/memories/list.yaml:3", "content/galleries/g.yaml:2",
                "content/pages/p.md:4"} <= where, (command, done.stderr)
        assert "storysite.yaml:5: warning: unknown key 'colour'" in done.stderr
        assert not any(str(tmp_path) in line for line in lines)
        assert "Traceback" not in done.stderr
    assert not (root / "public").exists()


def test_a_failed_build_leaves_the_previous_output_exactly_as_it_was(tmp_path: Path) -> None:
    root = make(tmp_path / "site", {"content/memories/a/index.md": plain("A", "media: [{src: p.jpg, alt: P}]\n"),
                                    "content/memories/a/p.jpg": jpeg()})
    before = built(root)
    stats = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (root / "public").rglob("*")}
    (root / "content/memories/b.md").write_text(plain("B", "tags: [new]\n"))
    (root / "content/memories/a/p.jpg").write_bytes(jpeg()[:200])  # a photo cut short
    done = storysite("build", str(root))
    assert done.returncode == 1
    assert "content/memories/a/index.md:7: media.src: 'p.jpg' cannot be read as an image" in done.stderr
    assert outputs(root) == before
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (root / "public").rglob("*")} == stats
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".") and p.name != ".storysite") == []


@pytest.mark.parametrize(("args", "code", "said"), [
    ([], 2, "Usage:"),
    (["check", "{site}"], 0, ""),
    (["label", "classic", "Nazi", "-o", "{tmp}/a.png", "--site", "{site}"], 1, "refused"),
    (["label", "classic", "Anna", "-o", "{tmp}/a.jpg", "--site", "{site}"], 2, "a label is a PNG image"),
    (["withdraw", "nobody", "--site", "{site}"], 1, "No memory matches 'nobody'"),
    (["import", "{tmp}/missing.csv", "--site", "{site}"], 2, "is not a file"),
    (["new", "{site}"], 2, "is not empty"),
])
def test_each_command_exits_0_1_or_2_as_documented(tmp_path: Path, args: list[str], code: int, said: str) -> None:
    root = make(tmp_path / "site", {"content/memories/a.md": plain()}, labels=True)
    names = {"site": str(root), "tmp": str(tmp_path)}
    done = storysite(*(arg.format(**names) for arg in args))
    assert done.returncode == code, done.stderr
    assert said in done.stderr
    assert "Traceback" not in done.stderr


def test_two_builds_are_byte_identical_whatever_the_folder_hash_seed_time_zone_locale_and_jobs(tmp_path: Path) -> None:
    files = {"content/memories/a/index.md": PUBLISHED.replace("---\nHello", "media: [{src: p.jpg, alt: P}]\n---\nHello"),
             "content/memories/a/p.jpg": jpeg(orientation=6),
             "content/memories/b.md": plain("Bé", "tags: [family, Goûter]\n"),
             "content/galleries/g.yaml": "title: G\nimages: [{src: /content/memories/a/p.jpg, alt: P}]\n",
             "content/timeline/t.yaml": "- {date: 1976, title: First, text: x}\n"}
    one = make(tmp_path / "one", files, labels=True)
    two = make(tmp_path / "second site", files, labels=True)
    first = storysite("build", str(one), env={"PYTHONHASHSEED": "1", "TZ": "UTC", "LC_ALL": "C.UTF-8"})
    second = storysite("build", "--jobs", "1", ".", cwd=two,
                       env={"PYTHONHASHSEED": "2", "TZ": "Pacific/Chatham", "LC_ALL": "fr_FR.UTF-8"})
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert outputs(one) == outputs(two)
