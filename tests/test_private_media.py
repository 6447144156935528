"""The private store (fans' personal data) is never published, whatever names a file in it."""

from __future__ import annotations

from tests.conftest import memory
from tests.test_images import photo


def test_a_photo_or_video_in_the_private_store_is_an_error_and_nothing_is_published(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A")})
    assert site.build().exit_code == 0
    before = site.output_files()
    site.write("private/piece-identite.jpg", photo((640, 480)))
    site.write("private/message.mp4", b"\x00\x00\x00\x18ftypmp42")
    site.write("content/memories/b.md", memory("B", extra="media:\n  - src: /private/piece-identite.jpg\n    alt: x\n"
                                                          "  - video: ../../private/message.mp4\n    title: y\n"))
    site.write("content/pages/p.md", "---\ntitle: P\n---\n![p](/private/piece-identite.jpg)\n\n"
                                     "![q](../../private/piece-identite.jpg)\n")
    result = site.build()
    assert result.exit_code == 1
    assert "content/memories/b.md:10: media.src: 'private/piece-identite.jpg' is in the private store" in result.stderr
    assert "content/memories/b.md:12: media.video: '../../private/message.mp4' is in the private store" in result.stderr
    assert "content/pages/p.md:4: image: 'private/piece-identite.jpg' is in the private store" in result.stderr
    assert "content/pages/p.md:6: image: 'private/piece-identite.jpg' is in the private store" in result.stderr
    assert site.output_files() == before


def test_a_photo_or_video_that_is_a_hard_link_to_a_private_file_is_refused(make_site) -> None:
    import os

    site = make_site({"content/memories/a.md": memory("A"), "content/galleries/g.yaml":
                      "title: G\nimages:\n  - {src: g.jpg, alt: x}\n"})
    site.write("private/fan-42-id-card.jpg", photo((640, 480)))
    site.write("private/message.mp4", b"\x00\x00\x00\x18ftypmp42")
    (site.root / "content/memories/b").mkdir(parents=True)
    os.link(site.root / "private/fan-42-id-card.jpg", site.root / "content/memories/b/photo.jpg")
    os.link(site.root / "private/fan-42-id-card.jpg", site.root / "content/galleries/g.jpg")
    os.link(site.root / "private/message.mp4", site.root / "content/memories/b/film.mp4")
    site.write("content/memories/b/index.md", memory("B", extra="media:\n  - src: photo.jpg\n    alt: x\n"
                                                                "  - video: film.mp4\n    title: y\n"))
    site.write("content/pages/p.md", "---\ntitle: P\n---\n![p](/content/galleries/g.jpg)\n")
    site.write("content/memories/c/index.md", memory("C", extra="media:\n  - src: own.jpg\n    alt: x\n"))
    site.write("content/memories/c/own.jpg", photo((64, 48)))
    os.link(site.root / "content/memories/c/own.jpg", site.root / "content/memories/c/twin.jpg")  # not private
    result = site.build()
    assert result.exit_code == 1
    for expected in ("content/memories/b/index.md:10: media.src: 'content/memories/b/photo.jpg' is in the private store",
                     "content/memories/b/index.md:12: media.video: 'film.mp4' is in the private store",
                     "content/galleries/g.yaml:3: images.src: 'content/galleries/g.jpg' is in the private store",
                     "content/pages/p.md:4: image: 'content/galleries/g.jpg' is in the private store"):
        assert expected in result.stderr, (expected, result.stderr)
    assert "own.jpg" not in result.stderr


def test_a_label_artwork_that_is_a_link_to_a_private_file_is_refused(make_site) -> None:
    import os

    from tests.test_labels import artwork, label_files

    files = label_files()
    del files["content/labels/plain.png"]
    site = make_site({**files, "content/memories/a.md": memory("A")})
    site.write("private/art.png", artwork())
    os.link(site.root / "private/art.png", site.root / "content/labels/plain.png")
    result = site.build()
    assert result.exit_code == 1
    assert "content/labels/plain.yaml:1: 'content/labels/plain.png' is in the private store" in result.stderr
    assert not site.public.exists()
