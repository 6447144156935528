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
from collections.abc import Mapping
from pathlib import Path

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
