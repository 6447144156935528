"""What the README and docs/ promise, tried as a new user following them literally."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

MAP = "columns: {title: Title, text: Your memory, name: Full name, email: Email}\n"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_one_over_long_row_in_a_small_export_is_left_out_not_the_whole_import(make_site, delimiter: str) -> None:
    # README: "only its delimiter (comma, semicolon or tab) being guessed; a row with more cells
    # than the header is left out and named by its line". In a short export the one bad row
    # used to make the delimiter guess fail, and a semicolon or tab export then read as a single
    # column: nothing imported.
    site = make_site({"m.yaml": MAP})
    rows = [["Title", "Your memory", "Full name", "Email"],
            ["Un", "Premier souvenir", "Ann Lee", "ann@example.org"],
            ["Deux", "Second souvenir", "Bob", "Martin", "bob@example.org"],
            ["Trois", "Troisième souvenir", "Eve Roux", "eve@example.org"]]
    export = site.root / "export.csv"
    export.write_text("".join(delimiter.join(row) + "\n" for row in rows), encoding="utf-8")
    result = site.run("import", str(export), "--site", str(site.root), "--map", str(site.root / "m.yaml"))
    assert result.exit_code == 1, result.output  # a row was left out
    assert "row 3 has 5 cells, more than the 4 columns of the header" in result.stderr
    assert "Imported 2 new memories" in result.stdout, result.output
    assert sorted(p.name for p in (site.root / "content/memories").iterdir()) == ["trois.md", "un.md"]


REPO = Path(__file__).resolve().parent.parent


def doc_blocks(relpath: str) -> list[tuple[str, str]]:
    """The fenced blocks of a doc, as (language, text), in order."""
    text = (REPO / relpath).read_text(encoding="utf-8")
    return re.findall(r"^```(\w*)\n(.*?)^```", text, re.S | re.M)


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 60)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (60, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_the_readme_configuration_example_builds_without_a_warning(make_site) -> None:
    config = next(block for lang, block in doc_blocks("README.md")
                  if lang == "yaml" and block.startswith("title:"))
    site = make_site({"static/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>'}, config=config)
    result = site.build("--strict")
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output and "note" not in result.output, result.output
    assert (site.public / "index.html").is_file()


def test_the_examples_of_docs_build_strictly(make_site) -> None:
    """docs/timeline.md's milestone, eras and blocks, docs/images.md's media and gallery,
    docs/labels.md's design: copied as they are into one site, which builds with --strict."""
    timeline = doc_blocks("docs/timeline.md")
    milestone = next(b for lang, b in timeline if b.startswith("# content/timeline/"))
    eras = next(b for lang, b in timeline if b.startswith("# storysite.yaml"))
    blocks = next(b for lang, b in timeline if b.startswith("::: timeline"))
    # The block example carries comments beside its lines, in the doc's prose only.
    blocks = re.sub(r"^(::: timeline(?: \S+)?)\s{2,}.*$", r"\1", blocks, flags=re.M)
    images = doc_blocks("docs/images.md")
    media = next(b for lang, b in images if b.startswith("media:"))
    media = "\n".join(line for line in media.splitlines()  # a local video needs a real MP4
                      if "clip.mp4" not in line and "La fête" not in line)
    gallery = next(b for lang, b in images if b.startswith("title: Fan Days"))
    gallery_block = next(b for lang, b in images if b.startswith("::: gallery"))
    design = next(b for lang, b in doc_blocks("docs/labels.md") if b.startswith("title: L’étiquette"))
    site = make_site({
        "content/timeline/1976-premier-pot.yaml": milestone,
        "content/timeline/photos/premier-pot.jpg": jpeg(800, 600),
        "content/memories/goûter/index.md": (
            "---\ntitle: Le goûter\ndate: 1986-07\nstatus: approved\n"
            "author: {id: fan-1, display: Romain L.}\nconsent: {granted: 2020-01-01, scope: [site, share]}\n"
            f"label: {{design: classique, text: Romain}}\n{media}\n---\nLe texte.\n"),
        "content/memories/goûter/tartine.jpg": jpeg(1000, 700),
        "content/memories/goûter/still.jpg": jpeg(640, 360),
        "content/galleries/fan-days-2026/index.yaml": gallery,
        "content/galleries/fan-days-2026/photos/001.jpg": jpeg(1200, 800),
        "content/labels/classique.yaml": design,
        "content/labels/classique.png": png(1200, 700),
        "content/labels/blocked.txt": "zut\n",
        "content/labels/names.txt": "Isis\n",
        "content/pages/histoire.md": f"---\ntitle: Histoire\n---\n{blocks}\n{gallery_block}\n"
                                     "::: label classique\n:::\n",
    }, config="title: Docs\nbase_url: https://example.org/\nlanguage: fr\n" + eras)
    result = site.build("--strict")
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output, result.output
    assert 'id="milestone-1976-premier-pot"' in site.read("timeline/index.html")
    assert "Les années télé" in site.read("timeline/index.html")
    assert (site.public / "galleries/fan-days-2026/index.html").is_file()
    assert (site.public / "labels/classique/index.html").is_file()
    assert "youtube" in site.read("memories/gouter/index.html")
