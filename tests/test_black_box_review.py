"""Bugs a black-box review found against SPEC.md (withheld photos through links, theme errors, label overwrites)."""

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


def test_storysite_label_never_writes_over_the_sites_own_pictures(tmp_path, monkeypatch) -> None:
    # `storysite label classic Bob -o content/labels/classic.png` would replace the design's
    # blank artwork (a PNG, so "an earlier label" to the command) with a label already
    # carrying a name: every later label and the label maker would draw on top of "BOB".
    # Its refusal says to give a new file or an earlier label; the site's sources are neither.
    from click.testing import CliRunner

    from storysite.cli import main

    runner = CliRunner()
    site = tmp_path / "site"
    assert runner.invoke(main, ["new", str(site)]).exit_code == 0
    monkeypatch.chdir(site)
    artwork = site / "content/labels/classic.png"
    fan_photo = site / "content/memories/photo.png"
    fan_photo.write_bytes(artwork.read_bytes())
    before = {artwork: artwork.read_bytes(), fan_photo: fan_photo.read_bytes()}
    for target in (artwork, fan_photo):
        result = runner.invoke(main, ["label", "classic", "Bob", "-o", str(target.relative_to(site))])
        assert result.exit_code != 0, result.output
        assert target.read_bytes() == before[target]
    # A new file, and an earlier label outside the sources, are still written.
    assert runner.invoke(main, ["label", "classic", "Bob", "-o", "bob.png"]).exit_code == 0
    assert runner.invoke(main, ["label", "classic", "Bobby", "-o", "bob.png"]).exit_code == 0
