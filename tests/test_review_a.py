"""Independent review (session 13, reviewer A): black-box tests of bugs found."""

from __future__ import annotations

import os

import pytest

from tests.conftest import memory
from tests.test_images import photo

SMALL_IMAGES = "title: T\nbase_url: https://example.org/\nlanguage: fr\nimages: {widths: [100], formats: [jpeg]}\n"


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_a_withdrawn_fans_photo_stays_out_when_a_gallery_names_it_through_a_link(make_site, link: str) -> None:
    # The fan's photo is in their memory; an editor put the same file in a gallery through
    # a link rather than a copy. Withdrawing the memory must take the photo off the site.
    site = make_site({
        "content/memories/fan.md": memory("Fan", status="withdrawn",
                                          extra="media:\n  - src: photo.jpg\n    alt: x\n"),
        "content/memories/photo.jpg": photo((300, 200), (200, 30, 30)),
        "content/galleries/g.yaml": "title: G\nimages:\n  - {src: same.jpg, alt: y}\n",
    }, config=SMALL_IMAGES)
    target = site.root / "content/galleries/same.jpg"
    if link == "symlink":
        target.symlink_to("../memories/photo.jpg")
    else:
        os.link(site.root / "content/memories/photo.jpg", target)
    result = site.build()
    assert result.exit_code == 0, result.output
    derivatives = [p for p in site.output_files() if p.startswith("media/") and not p.startswith("media/share/")]
    assert derivatives == [], derivatives
    assert "belongs to content/memories/fan.md, which is not published" in result.stderr


def test_a_template_missing_from_a_site_theme_is_named_at_a_path_of_the_site(make_site) -> None:
    # A theme of the site's own that overrides one template and forgets `extends: default`:
    # each template it lacks is an error at a path:line an editor can open, relative to the
    # site (SPEC: "Errors read path:line: message, relative to the site"), not "templates:1".
    site = make_site({
        "themes/mine/templates/page.html": "{{ page.title }}",
        "content/memories/a.md": memory("A"),
    }, config="title: T\ntheme: mine\n")
    result = site.build()
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if "not found in theme 'mine'" in line]
    assert lines, result.stderr
    assert "themes/mine/templates/memory.html:1: template 'memory.html' not found in theme 'mine'" in lines
    assert not any(line.startswith("templates:") for line in lines), lines
