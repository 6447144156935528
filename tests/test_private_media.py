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
