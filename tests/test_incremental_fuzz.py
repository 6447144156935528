"""Incremental builds against clean ones: the cases a differential fuzzer found (site A built
after each edit, a copy of its sources built clean, the two outputs compared byte for byte)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import Site, memory

CONFIG = "title: T\nbase_url: https://example.org/\nlanguage: fr\nimages: {widths: [64], formats: [jpeg]}\n"


def clean_copy(site: Site, tmp_path: Path, name: str) -> Site:
    target = tmp_path / name
    shutil.copytree(site.root, target, ignore=shutil.ignore_patterns("public", ".storysite", ".public.*"))
    return Site(target, site.runner)


def assert_same_as_clean(site: Site, tmp_path: Path, name: str) -> None:
    full = clean_copy(site, tmp_path, name)
    assert full.build().exit_code == 0
    assert site.output_files() == full.output_files()


@pytest.mark.parametrize("folder", ["node_modules/brand", ".venv", "__pycache__", "tools/node_modules"])
def test_a_photo_named_in_a_tools_folder_is_an_input(make_site, tmp_path: Path, folder: str) -> None:
    # A memory's photo (or a gallery's, or one in an editor's page) named from the site root in a
    # folder the fingerprint's walk leaves out: the no-change shortcut kept the old photo's page,
    # derivatives and share card after the photo was replaced.
    from tests.test_images import photo

    site = make_site({f"{folder}/jar.jpg": photo((120, 90)),
                      "content/memories/m.md": memory("Un pot", extra=f"media:\n  - {{src: /{folder}/jar.jpg, alt: Un pot}}\n"),
                      "content/pages/p.md": f"---\ntitle: P\n---\n![Un pot](/{folder}/jar.jpg)\n"},
                     config=CONFIG)
    assert site.build().exit_code == 0
    site.write(f"{folder}/jar.jpg", photo((90, 120), color=(20, 200, 20)))
    result = site.build()
    assert result.exit_code == 0 and "Up to date" not in result.stdout
    assert_same_as_clean(site, tmp_path, "full")
    assert "Up to date" in site.build().stdout  # and then it settles


def test_a_label_designs_files_named_in_a_tools_folder_are_inputs(make_site, tmp_path: Path) -> None:
    from tests.test_labels import DESIGN, THEME_FONTS, artwork

    design = (DESIGN.replace("artwork: plain.png", "artwork: /node_modules/brand/plain.png")
              .replace("font: fonts/labels/fraunces-black.ttf", "font: /node_modules/brand/face.ttf")
              + "blocked_words: /node_modules/brand/blocked.txt\n")
    site = make_site({"content/labels/plain.yaml": design,
                      "node_modules/brand/plain.png": artwork(),
                      "node_modules/brand/face.ttf": (THEME_FONTS / "fraunces-black.ttf").read_bytes(),
                      "node_modules/brand/blocked.txt": "zorglub\n",
                      "content/memories/m.md": memory("Un pot", extra="label: {design: plain, text: Odile}\n")},
                     config=CONFIG)
    assert site.build().exit_code == 0
    edits = [("node_modules/brand/plain.png", artwork(640, 320)),
             ("node_modules/brand/face.ttf", (THEME_FONTS / "pacifico-regular.ttf").read_bytes()),
             ("node_modules/brand/blocked.txt", "odile\n")]
    for number, (relpath, data) in enumerate(edits):
        site.write(relpath, data)
        result = site.build()
        assert result.exit_code == 0 and "Up to date" not in result.stdout, relpath
        assert_same_as_clean(site, tmp_path, f"full-{number}")
    assert "ODILE" not in site.all_output_text()
