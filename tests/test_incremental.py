"""Incremental builds are correct before they are fast: they equal a clean full build."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BUILD_EPOCH, Site, memory


def clean_copy(site: Site, tmp_path: Path, name: str) -> Site:
    target = tmp_path / name
    shutil.copytree(site.root, target, ignore=shutil.ignore_patterns("public", ".storysite", ".public.*"))
    return Site(target, site.runner)


def files_under(root: Path) -> dict[str, bytes]:
    """Every file below ``root``, by relative path, with its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def clean_preview(site: Site, tmp_path: Path, name: str, today: dt.date) -> dict[str, bytes]:
    """The files of a preview of a clean copy of ``site`` (no output, no cache), built once."""
    from storysite.build import build
    from storysite.cache import BuildMemo
    full = clean_copy(site, tmp_path, name)
    reference = tmp_path / f"{name}-preview" / "site"
    assert build(full.root, output_dir=reference, workers=1, today=today, memo=BuildMemo()).ok
    return files_under(reference)


def small_site(make_site, count: int = 12) -> Site:
    files = {f"content/memories/m{i:03d}.md": memory(f"Souvenir {i}", extra=f"tags: [t{i % 3}]\nfeatured: "
                                                      f"{'true' if i % 5 == 0 else 'false'}\n")
             for i in range(count)}
    files["content/campaigns/c.md"] = "---\ntitle: C\n---\n::: memory m001\n:::\n"
    files["content/timeline/1976.yaml"] = "date: 1976\ntitle: Le premier pot\ntext: Début.\n"
    return make_site(files, config="title: T\nbase_url: https://example.org/\nmemories: {per_page: 5}\n")


def edit_add_rename_and_withdraw(site: Site) -> None:
    """Edit, add, rename and withdraw one memory each (of :func:`small_site`)."""
    edited = site.root / "content/memories/m002.md"
    edited.write_text(edited.read_text().replace("Souvenir 2", "Souvenir deux (édité)"))
    site.write("content/memories/nouveau.md", memory("Tout nouveau", extra="tags: [t1]\n"))
    os.rename(site.root / "content/memories/m003.md", site.root / "content/memories/renomme.md")
    withdrawn = site.root / "content/memories/m001.md"
    withdrawn.write_text(withdrawn.read_text().replace("status: approved", "status: withdrawn"))


def test_incremental_output_equals_a_full_build(make_site, tmp_path: Path) -> None:
    site = small_site(make_site)
    assert site.build().exit_code == 0
    edit_add_rename_and_withdraw(site)
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "unchanged" in result.stdout and " 0 unchanged" not in result.stdout  # some pages were reused
    full = clean_copy(site, tmp_path, "full")
    assert full.build().exit_code == 0
    assert site.output_files() == full.output_files()
    assert "Souvenir 1<" not in site.all_output_text()
    # The search index follows every change: the withdrawn memory's title is in no file (in
    # JSON it is quoted), the edited one's new title and the new and renamed ones are there.
    assert '"Souvenir 1"' not in site.all_output_text()
    [index] = [data.decode() for path, data in site.output_files().items()
               if path.startswith("search/index.") and path.endswith(".json")]
    for found in ('"Souvenir deux (édité)"', '"Tout nouveau"', '"/memories/renomme/"'):
        assert found in index, found
    assert "/memories/m001/" not in index and "/memories/m003/" not in index and '"Souvenir 2"' not in index


def test_an_edit_of_a_site_big_enough_for_a_pool_equals_a_full_build(make_site, tmp_path: Path) -> None:
    # Over 400 pages, most unchanged: the pages are keyed and linked by the build itself and
    # only the changed ones rendered (by workers when there are many).
    site = small_site(make_site, count=420)
    assert site.build("--jobs", "2").exit_code == 0
    edit_add_rename_and_withdraw(site)
    result = site.build("--jobs", "2")
    assert result.exit_code == 0, result.output
    rendered, unchanged = (int(n) for n in re.search(r"\((\d+) rendered, (\d+) unchanged", result.stdout).groups())
    assert unchanged > 300 and rendered > 0
    full = clean_copy(site, tmp_path, "full")
    assert full.build("--jobs", "2").exit_code == 0
    assert site.output_files() == full.output_files()


def test_preview_builds_keeping_parsed_files_and_page_records_equal_a_full_build(make_site, tmp_path: Path) -> None:
    # storysite serve keeps the parsed files and page records from one rebuild to the next
    # (BuildMemo): after an edit, an addition, a rename and a withdrawal its output is a clean
    # build's, and it holds nothing of the files gone.
    from storysite.build import build, preview_recycle_dir
    from storysite.cache import BuildMemo
    site = small_site(make_site)
    memo, preview, today = BuildMemo(), tmp_path / "preview" / "site", dt.date(2026, 11, 20)
    assert build(site.root, output_dir=preview, workers=1, today=today, memo=memo).ok
    # The first output is recycled from the first save on (it is linked into the preview's
    # recycled folder once it is served): that save renders only what it changed.
    from storysite.build import settle_preview
    settle_preview(site.root, preview, memo)
    assert (preview_recycle_dir(preview) / "memories" / "m007" / "index.html").is_file()
    text = site.root / "content/memories/m007.md"
    text.write_text(text.read_text().replace("Le texte du souvenir.", "Un autre texte."))
    first_save = build(site.root, output_dir=preview, workers=1, today=today, memo=memo)
    assert first_save.ok and 0 < first_save.pages_rendered < first_save.pages_reused
    files = len(list((site.root / "content").rglob("*.*")))
    assert len(memo.parsed) == files
    edit_add_rename_and_withdraw(site)
    (site.root / "content/memories/m004.md").unlink()
    again = build(site.root, output_dir=preview, workers=1, today=today, memo=memo)
    assert again.ok and again.pages_reused > 0 and again.files_reused > 0
    # The page records came from memory: none was saved for a folder no other process builds.
    assert not list((site.root / ".storysite" / "cache").glob("pages-*"))
    assert len(memo.parsed) == files  # one added, one deleted; the renamed one under its new name
    published = {p.relative_to(preview).as_posix(): p.read_bytes() for p in preview.rglob("*") if p.is_file()}
    full = clean_copy(site, tmp_path, "full")
    assert build(full.root, output_dir=tmp_path / "full-preview" / "site", workers=1, today=today).ok
    reference = {p.relative_to(tmp_path / "full-preview" / "site").as_posix(): p.read_bytes()
                 for p in (tmp_path / "full-preview" / "site").rglob("*") if p.is_file()}
    assert published == reference
    assert "Souvenir deux (édité)" in (preview / "memories" / "m002" / "index.html").read_text(encoding="utf-8")
    assert not (preview / "memories" / "m001").exists() and not (preview / "memories" / "m004").exists()


def test_preview_builds_keep_the_parse_cache_as_a_build_does(make_site, tmp_path: Path) -> None:
    # A preview does not read again the parse cache's shard files it wrote or read itself (it
    # holds their values): the cache on disk must still end as a build leaves it, every file in
    # use in it, a deleted memory's text gone from it, a shard damaged meanwhile read again.
    from storysite.build import build
    from storysite.cache import BuildMemo
    site = small_site(make_site, count=60)
    memo, preview, today = BuildMemo(), tmp_path / "preview" / "site", dt.date(2026, 11, 20)
    shards = site.root / ".storysite/cache/parsed"

    def cached() -> bytes:
        return b"".join(path.read_bytes() for path in sorted(shards.glob("*.pickle")))

    assert build(site.root, output_dir=preview, workers=1, today=today, memo=memo).ok
    assert b"memories/m004.md" in cached()
    # Enough files that a shard holds several: one rewritten for a deleted file keeps the others.
    for number in range(4, 24):
        (site.root / f"content/memories/m{number:03d}.md").unlink()
    text = site.root / "content/memories/m002.md"
    text.write_text(text.read_text().replace("Souvenir 2", "Souvenir deux"))
    second = build(site.root, output_dir=preview, workers=1, today=today, memo=memo)
    assert second.ok and second.files_parsed == 1 and second.files_reused == 41
    assert not [n for n in range(4, 24) if f"memories/m{n:03d}.md".encode() in cached()]
    assert b"Souvenir deux" in cached()
    # A build of the site itself finds every file it needs in the cache the preview left.
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "Content files: 0 parsed, 42 reused." in result.stdout, result.output
    damaged = sorted(shards.glob("*.pickle"))[0]
    damaged.write_bytes(b"not a pickle")
    text.write_text(text.read_text().replace("Souvenir deux", "Souvenir 2 encore"))
    third = build(site.root, output_dir=preview, workers=1, today=today, memo=memo)
    assert third.ok and third.files_parsed == 2  # the file edited, and the one of the shard damaged
    assert "Souvenir 2 encore" in (preview / "memories/m002/index.html").read_text(encoding="utf-8")
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "Content files: 0 parsed, 42 reused." in result.stdout, result.output


def test_preview_prunes_a_surveyed_recycled_folder_by_list_and_a_changed_one_by_a_walk(make_site,
                                                                                      tmp_path: Path) -> None:
    # The preview server surveys the folder its next build recycles once a build is done, and
    # that build prunes it by the survey rather than walking it: build after build, its output
    # is a clean build's and the folder holds nothing the live output does not; a folder
    # changed meanwhile is walked, as any other.
    from storysite.build import build, preview_recycle_dir, settle_preview
    from storysite.cache import BuildMemo
    site = small_site(make_site)
    memo, preview, today = BuildMemo(), tmp_path / "preview" / "site", dt.date(2026, 11, 20)
    recycled = preview_recycle_dir(preview)

    def edit(relpath: str, old: str, new: str) -> None:
        path = site.root / relpath
        path.write_text(path.read_text().replace(old, new))

    def planted() -> None:
        (recycled / "planted.html").write_text("<p>planted</p>")
        edit("content/memories/m006.md", "Souvenir 6", "Souvenir six")

    steps = [
        lambda: edit("content/memories/m002.md", "Souvenir 2", "Souvenir deux"),
        lambda: site.write("content/memories/nouveau.md", memory("Tout nouveau", extra="tags: [t1]\n")),
        lambda: os.rename(site.root / "content/memories/m003.md", site.root / "content/memories/renomme.md"),
        lambda: edit("content/memories/m004.md", "status: approved", "status: withdrawn"),
        lambda: (site.root / "content/memories/m005.md").unlink(),
        planted,
        lambda: edit("content/memories/m002.md", "Souvenir deux", "Souvenir 2"),
    ]
    assert build(site.root, output_dir=preview, workers=1, today=today, memo=memo).ok
    settle_preview(site.root, preview, memo)
    for number, step in enumerate(steps):
        step()
        assert build(site.root, output_dir=preview, workers=1, today=today, memo=memo).ok
        settle_preview(site.root, preview, memo)
        assert memo.recycled is not None
        live = files_under(preview)
        assert live == clean_preview(site, tmp_path, f"full-{number}", today), f"after step {number}"
        assert recycled.is_dir()
        for relpath, data in files_under(recycled).items():
            assert live.get(relpath) == data, f"step {number}: {relpath} is not in the output"
    assert "planted.html" not in files_under(preview)
    assert not [relpath for relpath in files_under(preview) if relpath.startswith(("memories/m004/", "memories/m005/"))]


def test_preview_never_trusts_a_recycled_folder_changed_below_the_top(make_site, tmp_path: Path) -> None:
    # Changes below the top of the recycled folder (or of the live output, which becomes it)
    # leave the top folder's change time as it was: a file planted there, a folder turned into
    # a link, a file removed, must still never reach the output nor reach outside it, build
    # after build. (A survey trusted while only the top folder looked unchanged would publish
    # the first, delete through the second and leave the third's folder, a withdrawn memory's
    # slug, in the output.)
    from storysite.build import build, preview_recycle_dir, settle_preview
    from storysite.cache import BuildMemo
    site = small_site(make_site)
    memo, preview, today = BuildMemo(), tmp_path / "preview" / "site", dt.date(2026, 11, 20)
    recycled = preview_recycle_dir(preview)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "index.html").write_text("not the preview's")

    def tree(root: Path) -> dict[str, bytes | None]:
        return {p.relative_to(root).as_posix(): p.read_bytes() if p.is_file() else None for p in root.rglob("*")}

    def edit(relpath: str, old: str, new: str) -> None:
        path = site.root / relpath
        path.write_text(path.read_text().replace(old, new))

    def tamper() -> None:
        (recycled / "memories/m001/planted.html").write_text("<p>planted</p>")
        (preview / "stray.html").write_text("<p>stray</p>")
        (preview / "memories/m002/stray.html").write_text("<p>stray</p>")
        shutil.rmtree(recycled / "memories/m004")
        os.symlink(outside, recycled / "memories/m004")
        (recycled / "memories/m005/index.html").unlink()

    assert build(site.root, output_dir=preview, workers=1, today=today, memo=memo).ok
    settle_preview(site.root, preview, memo)
    steps = [
        lambda: (tamper(), edit("content/memories/m004.md", "status: approved", "status: withdrawn"),
                 edit("content/memories/m005.md", "status: approved", "status: withdrawn")),
        lambda: edit("content/memories/m006.md", "Souvenir 6", "Souvenir six"),
        lambda: edit("content/memories/m006.md", "Souvenir six", "Souvenir 6 encore"),
        lambda: edit("content/memories/m007.md", "Souvenir 7", "Souvenir sept"),
    ]
    for number, step in enumerate(steps):
        step()
        assert build(site.root, output_dir=preview, workers=1, today=today, memo=memo).ok
        settle_preview(site.root, preview, memo)
        full = clean_copy(site, tmp_path, f"full-{number}")
        reference = tmp_path / f"full-{number}-preview" / "site"
        assert build(full.root, output_dir=reference, workers=1, today=today).ok
        assert tree(preview) == tree(reference), f"after step {number}"
        assert (outside / "index.html").read_text() == "not the preview's"


def test_a_previews_first_build_starts_from_the_sites_own_output(make_site, tmp_path: Path) -> None:
    # storysite serve builds into a folder of its own: its first build takes the pages of the
    # site's last build where they are still as recorded (checked by hash when not the very
    # file), rather than rendering ten thousand pages again; a page changed there since is
    # rendered, and the preview is the one a first build from nothing gives.
    from storysite.build import build
    from storysite.cache import BuildMemo
    site = small_site(make_site)
    assert site.build().exit_code == 0
    today = dt.date(2026, 11, 20)
    tampered = site.public / "memories/m001/index.html"
    data = tampered.read_bytes()
    tampered.write_bytes(data.replace(b"Souvenir 1", b"Souvenir X"))  # in place: same inode
    preview = tmp_path / "preview" / "site"
    first = build(site.root, output_dir=preview, workers=1, today=today, memo=BuildMemo())
    assert first.ok and first.pages_rendered == 1 and first.pages_reused == first.pages - 1, first
    reference = clean_preview(site, tmp_path, "full", today)
    assert files_under(preview) == reference
    # An output built for another address shares no page with the preview: all are rendered.
    assert site.build("--base-url", "https://staging.example.org/").exit_code == 0
    other = tmp_path / "preview-2" / "site"
    second = build(site.root, output_dir=other, workers=1, today=today, memo=BuildMemo())
    assert second.ok and second.pages_reused == 0
    assert files_under(other) == reference


def test_a_preview_seeded_from_the_sites_output_shares_no_file_with_it(make_site, tmp_path: Path) -> None:
    # The seeded pages are copies, never hard links to the site's output: an edit made there in
    # place (its modification time put back) never shows in the preview, not even after a
    # rebuild that failed in its staging folder (whose settle links the output anew and records
    # the build as finished then); the site's output keeps its change times, so that its next
    # build has nothing to do.
    from storysite.build import build, settle_preview
    from storysite.cache import BuildMemo
    site = small_site(make_site)
    assert site.build().exit_code == 0
    changed = {p: p.stat().st_ctime_ns for p in site.public.rglob("*") if p.is_file()}
    memo, preview, today = BuildMemo(), tmp_path / "preview" / "site", dt.date(2026, 11, 20)
    first = build(site.root, output_dir=preview, workers=1, today=today, memo=memo)
    assert first.ok and first.pages_rendered == 0, first
    settle_preview(site.root, preview, memo)
    page = "memories/m005/index.html"
    assert not os.path.samefile(site.public / page, preview / page)
    assert {p: p.stat().st_ctime_ns for p in site.public.rglob("*") if p.is_file()} == changed
    assert "Up to date" in site.build().stdout
    public_page = site.public / page
    info, data = public_page.stat(), public_page.read_bytes()
    hacked = data.replace(b"Souvenir 5", b"HACKED!!!5")
    assert len(hacked) == len(data) and hacked != data
    with open(public_page, "r+b") as handle:
        handle.write(hacked)
    os.utime(public_page, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert b"HACKED" not in (preview / page).read_bytes()
    site.write("static/x.css", '@import url("https://cdn.example.com/a.css");\n')
    assert not build(site.root, output_dir=preview, workers=1, today=today, memo=memo).ok
    settle_preview(site.root, preview, memo)
    (site.root / "static/x.css").unlink()
    edited = site.root / "content/memories/m002.md"
    edited.write_text(edited.read_text().replace("Souvenir 2", "Souvenir deux"))
    assert build(site.root, output_dir=preview, workers=1, today=today, memo=memo).ok
    assert files_under(preview) == clean_preview(site, tmp_path, "full", today)


def test_a_preview_build_stopped_by_an_exception_keeps_nothing_for_the_next(make_site, tmp_path: Path,
                                                                           monkeypatch) -> None:
    # What a build that never finished had taken from the preview's memory is not kept on its
    # behalf: a memory deleted afterwards leaves the preview process at the next build.
    import storysite.build as build_module
    from storysite.cache import BuildMemo
    site = small_site(make_site)
    memo, preview, today = BuildMemo(), tmp_path / "preview" / "site", dt.date(2026, 11, 20)
    assert build_module.build(site.root, output_dir=preview, workers=1, today=today, memo=memo).ok
    validate = build_module.validate_content

    def failing(items, site_dir):
        list(items)
        raise RuntimeError("a bug in a validator")

    monkeypatch.setattr(build_module, "validate_content", failing)
    site.write("content/memories/m003.md", memory("Souvenir trois, revu"))
    with pytest.raises(RuntimeError):
        build_module.build(site.root, output_dir=preview, workers=1, today=today, memo=memo)
    monkeypatch.setattr(build_module, "validate_content", validate)
    (site.root / "content/memories/m005.md").unlink()
    assert build_module.build(site.root, output_dir=preview, workers=1, today=today, memo=memo).ok
    assert len(memo.parsed) == len(list((site.root / "content").rglob("*.*")))


def test_an_upgraded_rendering_library_renders_every_page_again(make_site, monkeypatch) -> None:
    from storysite import cache

    site = small_site(make_site)
    assert site.build().exit_code == 0
    upgraded = cache.library_versions() + "; markdown-it-py 99.0"
    monkeypatch.setattr(cache, "library_versions", lambda: upgraded)
    cache.code_stamp.cache_clear()
    try:
        result = site.build()
    finally:
        cache.code_stamp.cache_clear()
    assert result.exit_code == 0, result.output
    assert "Up to date" not in result.stdout and " 0 unchanged" in result.stdout


def test_no_change_build_is_up_to_date_and_repeats_warnings(make_site) -> None:
    site = small_site(make_site)
    site.write("content/memories/typo.md", memory("Avec faute", extra="feautred: true\n"))
    first = site.build()
    assert "unknown field 'feautred'" in first.stderr
    second = site.build()
    assert second.exit_code == 0
    assert "Up to date" in second.stdout
    assert "unknown field 'feautred'" in second.stderr


def test_a_preview_is_up_to_date_whatever_the_deployed_output_holds(make_site, tmp_path: Path) -> None:
    # The preview (storysite serve) builds elsewhere: the site's own output is not one of its
    # inputs, so a build there, or a file added to it, leaves the preview up to date.
    from storysite.build import build
    site = small_site(make_site)
    preview = tmp_path / "preview" / "site"
    today = dt.date(2026, 11, 20)
    assert build(site.root, output_dir=preview, workers=1, today=today).ok
    assert site.build().exit_code == 0
    (site.public / "added-by-hand.txt").write_text("hello")
    again = build(site.root, output_dir=preview, workers=1, today=today)
    assert again.ok and again.up_to_date
    site.write("content/memories/m003.md", memory("Changé"))
    changed = build(site.root, output_dir=preview, workers=1, today=today)
    assert changed.ok and not changed.up_to_date
    assert "Changé" in (preview / "memories" / "m003" / "index.html").read_text(encoding="utf-8")


def test_damaged_output_is_rebuilt(make_site) -> None:
    site = small_site(make_site)
    assert site.build().exit_code == 0
    before = site.output_files()
    (site.public / "memories/m004/index.html").unlink()
    result = site.build()
    assert "Up to date" not in result.stdout
    assert site.output_files() == before


def test_output_edited_by_hand_to_the_same_size_is_rebuilt(make_site) -> None:
    site = small_site(make_site)
    assert site.build().exit_code == 0
    before = site.output_files()
    page = site.public / "memories/m004/index.html"
    text = page.read_text()
    page.write_text(text.replace("Souvenir 4", "Souvenir X"))  # same size: only its time tells
    assert len(page.read_bytes()) == len(before["memories/m004/index.html"])
    result = site.build()
    assert result.exit_code == 0
    assert "Up to date" not in result.stdout
    assert site.output_files() == before


def test_output_edited_by_hand_with_its_time_restored_is_rebuilt(make_site) -> None:
    site = small_site(make_site)
    assert site.build().exit_code == 0
    before = site.output_files()
    page = site.public / "index.html"
    times = page.stat()
    page.write_bytes(page.read_bytes().replace(b"<title>", b"<TITLE>", 1))
    os.utime(page, ns=(times.st_atime_ns, times.st_mtime_ns))  # only the change time tells
    result = site.build()
    assert result.exit_code == 0
    assert "Up to date" not in result.stdout
    assert site.output_files() == before


def test_files_added_to_the_output_by_hand_are_gone_after_a_build_with_nothing_changed(make_site) -> None:
    site = small_site(make_site)
    assert site.build().exit_code == 0
    before = site.output_files()
    site.write("public/stray.html", "x")
    site.write("public/memories/hand.txt", "y")
    (site.public / "memories/m004/empty").mkdir()
    result = site.build()
    assert result.exit_code == 0
    assert "Up to date" not in result.stdout
    assert site.output_files() == before
    assert not (site.public / "memories/m004/empty").exists()
    assert "Up to date" in site.build().stdout


def test_template_edit_renders_every_page(make_site) -> None:
    site = small_site(make_site)
    assert site.build().exit_code == 0
    bundled = Path(__file__).resolve().parent.parent / "themes/default/templates/memory.html"
    site.write("themes/default/templates/memory.html", bundled.read_text() + "\n{# modifié #}\n")
    result = site.build()
    assert result.exit_code == 0
    assert " 0 unchanged" in result.stdout


def test_compiled_templates_kept_between_builds_follow_edits_and_damage(make_site, tmp_path: Path) -> None:
    site = small_site(make_site)
    assert site.build().exit_code == 0
    compiled = list(site.root.glob(".storysite/cache/templates/*/*"))
    assert compiled  # documented in the README (Builds)
    for path in compiled:  # a damaged or foreign file is compiled anew, never run
        path.write_bytes(b"j2 not a template")
    bundled = Path(__file__).resolve().parent.parent / "themes/default/templates/memory.html"
    site.write("themes/default/templates/memory.html",
               bundled.read_text().replace('class="story__title"', 'class="story__title story__title--edited"'))
    edited = site.root / "content/memories/m002.md"
    edited.write_text(edited.read_text().replace("Souvenir 2", "Souvenir deux"))
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "story__title--edited" in (site.public / "memories/m004/index.html").read_text()
    full = clean_copy(site, tmp_path, "full")
    assert full.build().exit_code == 0
    assert site.output_files() == full.output_files()


def test_compiled_templates_are_kept_apart_for_other_theme_strings(make_site) -> None:
    """Jinja runs filters on constants while compiling, and |date reads the theme strings:
    other strings, other compiled templates."""
    site = small_site(make_site)
    assert site.build().exit_code == 0
    before = {path.name for path in site.root.glob(".storysite/cache/templates/*")}
    bundled = Path(__file__).resolve().parent.parent / "themes/default/strings/en.yaml"
    site.write("themes/default/strings/en.yaml", bundled.read_text().replace("January", "Jan."))
    assert site.build().exit_code == 0
    after = {path.name for path in site.root.glob(".storysite/cache/templates/*")}
    assert len(before) == len(after) == 1 and before != after  # the old folder is pruned


def test_parallel_and_serial_builds_are_identical(make_site, tmp_path: Path) -> None:
    site = small_site(make_site, count=420)  # above the pool threshold
    assert site.build("--jobs", "2").exit_code == 0
    serial = clean_copy(site, tmp_path, "serial")
    assert serial.build("--jobs", "1").exit_code == 0
    assert site.output_files() == serial.output_files()


def test_build_killed_halfway_leaves_previous_output_and_a_usable_cache(make_site, tmp_path: Path) -> None:
    site = small_site(make_site, count=600)
    assert site.build().exit_code == 0
    before = site.output_files()
    edited = site.root / "content/memories/m010.md"
    edited.write_text(edited.read_text().replace("Souvenir 10", "Souvenir dix"))
    bundled = Path(__file__).resolve().parent.parent / "themes/default/templates/memory.html"
    site.write("themes/default/templates/memory.html", bundled.read_text() + "\n{# tout refaire #}\n")
    env = {**os.environ, "SOURCE_DATE_EPOCH": BUILD_EPOCH}
    process = subprocess.Popen([sys.executable, "-m", "storysite", "build", "--jobs", "1", str(site.root)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(site.root.glob(".public.staging-*/memories/m5*")):
        if process.poll() is not None:
            pytest.skip("the build finished before it could be interrupted")
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert site.output_files() == before
    result = site.build()
    assert result.exit_code == 0, result.output
    assert not list(site.root.glob(".public.*"))
    full = clean_copy(site, tmp_path, "full")
    assert full.build().exit_code == 0
    assert site.output_files() == full.output_files()


def test_parse_cache_survives_successive_edits(make_site) -> None:
    """Only the edited file is parsed again, edit after edit (the cache keeps every file in use)."""
    site = small_site(make_site)
    first = site.build()
    assert "Content files: 14 parsed, 0 reused." in first.stdout, first.output
    for round_ in range(2):
        edited = site.root / f"content/memories/m00{round_}.md"
        edited.write_text(edited.read_text().replace(f"Souvenir {round_}", f"Souvenir {round_} bis"))
        result = site.build()
        assert result.exit_code == 0, result.output
        assert "Content files: 1 parsed, 13 reused." in result.stdout, result.output
        assert f"Souvenir {round_} bis" in (site.public / f"memories/m00{round_}/index.html").read_text()


def test_damaged_cache_means_parsing_again_not_an_error(make_site, tmp_path: Path) -> None:
    site = small_site(make_site)
    assert site.build().exit_code == 0
    shards = sorted((site.root / ".storysite/cache").glob("*/*.pickle"))
    assert shards, "the value caches are kept as shard files"
    for shard in shards:
        shard.write_bytes(b"not a pickle")
    edited = site.root / "content/memories/m004.md"
    edited.write_text(edited.read_text().replace("Souvenir 4", "Souvenir quatre"))
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "Content files: 14 parsed, 0 reused." in result.stdout
    full = clean_copy(site, tmp_path, "full")
    assert full.build().exit_code == 0
    assert site.output_files() == full.output_files()
    again = site.root / "content/memories/m005.md"
    again.write_text(again.read_text().replace("Souvenir 5", "Souvenir cinq"))
    assert "Content files: 1 parsed, 13 reused." in site.build().stdout


def test_a_value_damaged_inside_a_cache_shard_is_parsed_again_not_an_error(make_site, tmp_path: Path) -> None:
    # A shard that loads but holds a value that does not (a disk error, a hand edit): that
    # file is parsed again, and the shard dropped, so that the cache heals at the next build.
    import pickle

    site = small_site(make_site)
    assert site.build().exit_code == 0
    shard = sorted((site.root / ".storysite/cache/parsed").glob("*.pickle"))[0]
    data = pickle.loads(shard.read_bytes())
    data["entries"] = {key: b"\x80\x05not a pickle" for key in data["entries"]}
    shard.write_bytes(pickle.dumps(data))
    edited = site.root / "content/memories/m004.md"
    edited.write_text(edited.read_text().replace("Souvenir 4", "Souvenir quatre"))
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "internal error" not in result.output
    full = clean_copy(site, tmp_path, "full")
    assert full.build().exit_code == 0
    assert site.output_files() == full.output_files()
    healed = site.root / "content/memories/m005.md"
    healed.write_text(healed.read_text().replace("Souvenir 5", "Souvenir cinq"))
    assert site.build().exit_code == 0
    healed.write_text(healed.read_text().replace("Souvenir cinq", "Souvenir 5"))
    assert "Content files: 1 parsed, 13 reused." in site.build().stdout


def test_a_cache_shard_holding_another_shards_entries_is_rewritten(make_site) -> None:
    # A shard file copied over another: what it holds of other shards (a deleted memory's text,
    # say) is not kept there for ever.
    site = small_site(make_site)
    assert site.build().exit_code == 0
    folder = site.root / ".storysite/cache/parsed"
    holding_m004 = next(path for path in folder.glob("*.pickle") if b"memories/m004.md" in path.read_bytes())
    # Copied where no file in use has its shard (nothing would make the build rewrite it).
    unused = next(f"{n:02x}" for n in range(256) if not (folder / f"{n:02x}.pickle").exists())
    (folder / f"{unused}.pickle").write_bytes(holding_m004.read_bytes())
    (site.root / "content/memories/m004.md").unlink()
    assert site.build().exit_code == 0
    cached = b"".join(path.read_bytes() for path in (site.root / ".storysite/cache/parsed").glob("*.pickle"))
    assert b"memories/m004.md" not in cached


def recycled_trees(site: Site) -> list[Path]:
    return sorted((site.root / ".storysite/cache").glob("output-*"))


def test_recycled_staging_folder_gives_a_full_builds_output_build_after_build(make_site, tmp_path: Path) -> None:
    """Each build reuses the output before last as its staging folder; whatever that folder
    held, the output equals a clean full build's, and the folder kept between builds holds
    nothing the live output does not (a withdrawn memory's page is gone from it too)."""
    site = small_site(make_site)
    site.write("static/docs/guide.txt", "v1")
    assert site.build().exit_code == 0

    def edit(relpath: str, old: str, new: str) -> None:
        path = site.root / relpath
        path.write_text(path.read_text().replace(old, new))

    steps = [
        lambda: edit("content/memories/m002.md", "Souvenir 2", "Souvenir deux"),
        lambda: site.write("content/memories/nouveau.md", memory("Tout nouveau", extra="tags: [t1]\n")),
        lambda: os.rename(site.root / "content/memories/m003.md", site.root / "content/memories/renomme.md"),
        lambda: edit("content/memories/m004.md", "status: approved", "status: withdrawn"),
        # A file where a folder was, and a folder where a file was.
        lambda: (shutil.rmtree(site.root / "static/docs"), site.write("static/docs", "now a file")),
        lambda: ((site.root / "static/docs").unlink(), site.write("static/docs/guide.txt", "v2")),
        lambda: edit("content/memories/m002.md", "Souvenir deux", "Souvenir 2"),  # back to an older page
    ]
    for number, step in enumerate(steps):
        step()
        result = site.build()
        assert result.exit_code == 0, result.output
        full = clean_copy(site, tmp_path, f"full-{number}")
        assert full.build().exit_code == 0
        assert site.output_files() == full.output_files(), f"after step {number}"
        live = site.output_files()
        for tree in recycled_trees(site):
            for path in tree.rglob("*"):
                if path.is_file():
                    relpath = path.relative_to(tree).as_posix()
                    assert live.get(relpath) == path.read_bytes(), f"step {number}: {relpath} is not in the output"
    assert recycled_trees(site), "the previous output is kept for the next build"
    everything = b"".join(p.read_bytes() for p in (site.root / ".storysite/cache").rglob("*") if p.is_file()
                          and "output-" in p.as_posix())
    assert b"Souvenir 4" not in everything
    assert "Souvenir 4<" not in site.all_output_text()


def test_a_hand_edit_in_the_recycled_folder_never_reaches_the_output(make_site, tmp_path: Path) -> None:
    site = small_site(make_site)
    assert site.build().exit_code == 0
    edit = site.root / "content/memories/m002.md"
    edit.write_text(edit.read_text().replace("Souvenir 2", "Souvenir deux"))
    assert site.build().exit_code == 0
    (tree,) = recycled_trees(site)
    page = tree / "memories/m005/index.html"
    page.unlink()
    page.write_text("<p>tampered</p>")
    (tree / "memories/intrus/").mkdir(parents=True)
    (tree / "memories/intrus/index.html").write_text("intrus")
    (tree / "vide/dossier").mkdir(parents=True)
    edit.write_text(edit.read_text().replace("Souvenir deux", "Souvenir 2"))
    assert site.build().exit_code == 0
    full = clean_copy(site, tmp_path, "full")
    assert full.build().exit_code == 0
    assert site.output_files() == full.output_files()
    folders = sorted(p.relative_to(site.public).as_posix() for p in site.public.rglob("*") if p.is_dir())
    assert folders == sorted(p.relative_to(full.public).as_posix() for p in full.public.rglob("*") if p.is_dir())


def test_a_file_put_into_the_output_by_hand_is_gone_from_every_later_output(make_site) -> None:
    """The old output is cut down by the record of what the last build wrote: a file put
    there by hand (a withdrawn memory's saved page, say) is never carried into an output,
    and the folder kept for recycling loses it at the next build."""
    site = small_site(make_site)
    assert site.build().exit_code == 0
    (site.public / "memories/cache-copy").mkdir()
    (site.public / "memories/cache-copy/index.html").write_text("<p>Souvenir retiré</p>")
    (site.public / "stray.html").write_text("<p>Souvenir retiré</p>")
    for number in range(3):
        edit = site.root / "content/memories/m002.md"
        edit.write_text(edit.read_text().replace("Souvenir 2", f"Souvenir 2 ({number})"))
        result = site.build()
        assert result.exit_code == 0, result.output
        assert "Souvenir retiré" not in site.all_output_text()
        if number:
            kept = b"".join(p.read_bytes() for tree in recycled_trees(site) for p in tree.rglob("*") if p.is_file())
            assert "Souvenir retiré".encode() not in kept


def test_a_failed_build_in_a_recycled_folder_leaves_the_output_as_it_was(make_site) -> None:
    """The recycled folder shares its unchanged files with the live output: a page rendered
    anew replaces its file there, never writes into it (that would change the live output)."""
    site = small_site(make_site)
    assert site.build().exit_code == 0
    edit = site.root / "content/memories/m005.md"
    edit.write_text(edit.read_text().replace("Souvenir 5", "Souvenir cinq"))
    assert site.build().exit_code == 0
    assert recycled_trees(site)
    before = site.output_files()
    edited = site.root / "content/memories/m002.md"
    edited.write_text(edited.read_text().replace("Souvenir 2", "Souvenir deux"))
    site.write("static/pixel.html", '<img src="https://tracker.example/p.gif" alt="">')
    result = site.build()
    assert result.exit_code == 1
    assert "tracker.example" in result.stderr
    assert site.output_files() == before
    (site.root / "static/pixel.html").unlink()
    assert site.build().exit_code == 0
    assert "Souvenir deux" in (site.public / "memories/m002/index.html").read_text()


def test_an_edit_that_keeps_size_and_modification_time_is_still_seen(make_site) -> None:
    """Unchanged files are recognised by their stat data; a tool that restores the
    modification time after changing a file (same size) must not fool the build."""
    site = small_site(make_site)
    path = site.root / "content/memories/m002.md"
    old = os.stat(path)
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns - 10_000_000_000))  # settled: recorded
    assert site.build().exit_code == 0
    before = os.stat(path)
    path.write_text(path.read_text().replace("Souvenir 2", "Souvenir Z"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_size == before.st_size
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "Souvenir Z" in (site.public / "memories/m002/index.html").read_text()


def test_a_symlink_planted_in_the_recycled_folder_is_never_followed(make_site, tmp_path: Path) -> None:
    """Workers write into the recycled folder: a folder replaced there by a link into the
    live output must be gone before any of them writes, or a failed build would change it."""
    site = small_site(make_site, count=420)  # above the pool threshold
    assert site.build().exit_code == 0
    edit = site.root / "content/memories/m001.md"
    edit.write_text(edit.read_text().replace("Souvenir 1", "Souvenir un"))
    assert site.build().exit_code == 0
    (tree,) = recycled_trees(site)
    shutil.rmtree(tree / "memories")
    os.symlink(site.public / "memories", tree / "memories")
    before = site.output_files()
    for path in sorted((site.root / "content/memories").glob("*.md")):
        path.write_text(path.read_text().replace("Souvenir", "Souvenir revu"))
    site.write("static/pixel.html", '<img src="https://tracker.example/p.gif" alt="">')
    result = site.build()
    assert result.exit_code == 1
    assert site.output_files() == before
    (site.root / "static/pixel.html").unlink()
    assert site.build().exit_code == 0
    full = clean_copy(site, tmp_path, "full")
    assert full.build().exit_code == 0
    assert site.output_files() == full.output_files()


def test_a_build_killed_right_after_its_swap_leaves_no_stale_records(make_site, tmp_path: Path) -> None:
    site = small_site(make_site)
    assert site.build().exit_code == 0
    edited = site.root / "content/memories/m002.md"
    original = edited.read_text()
    edited.write_text(original.replace("Souvenir 2", "Souvenir deux"))
    script = ("import os, signal, sys\n"
              "import storysite.write as w\n"
              "commit = w.Staging.commit\n"
              "def killed(self):\n"
              "    commit(self)\n"
              "    os.kill(os.getpid(), signal.SIGKILL)\n"
              "w.Staging.commit = killed\n"
              "from storysite.cli import main\n"
              "sys.argv = ['storysite', 'build', sys.argv[1]]\n"
              "main()\n")
    env = {**os.environ, "SOURCE_DATE_EPOCH": BUILD_EPOCH}
    done = subprocess.run([sys.executable, "-c", script, str(site.root)], env=env, capture_output=True, check=False)
    assert done.returncode == -signal.SIGKILL
    assert "Souvenir deux" in (site.public / "memories/m002/index.html").read_text()  # swapped in
    edited.write_text(original)
    result = site.build()
    assert result.exit_code == 0, result.output
    full = clean_copy(site, tmp_path, "full")
    assert full.build().exit_code == 0
    assert site.output_files() == full.output_files()


def _build_killed(site: Site, patch: str) -> None:
    """Build ``site`` in a process that ``patch`` (Python run after importing storysite.write as
    ``w``, with ``kill()`` at hand) makes kill itself with SIGKILL."""
    script = ("import os, signal, sys\n"
              "import storysite.write as w\n"
              "def kill():\n"
              "    os.kill(os.getpid(), signal.SIGKILL)\n"
              f"{patch}\n"
              "from storysite.cli import main\n"
              "sys.argv = ['storysite', 'build', sys.argv[1]]\n"
              "main()\n")
    env = {**os.environ, "SOURCE_DATE_EPOCH": BUILD_EPOCH}
    done = subprocess.run([sys.executable, "-c", script, str(site.root)], env=env, capture_output=True, check=False)
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()


def test_a_build_killed_between_the_two_renames_of_its_commit_leaves_the_previous_output_to_the_next(
        make_site, tmp_path: Path) -> None:
    # Where folders cannot be swapped in one step, the old output is set aside and the new one
    # renamed in its place; SIGKILL in between left no output, and the next build deleted the
    # old one with the other leftovers: a next build that failed left no site at all.
    site = small_site(make_site)
    assert site.build().exit_code == 0
    site.write("public/.git/HEAD", "ref: refs/heads/gh-pages\n")
    before = site.output_files()
    _edit_m002(site, "a")
    _build_killed(site, "w.exchange_folders = lambda first, second: False\n"
                        "replace = os.replace\n"
                        "def killing(source, target):\n"
                        "    if '.staging-' in str(source) and '.old-' not in str(target):\n"
                        "        kill()\n"
                        "    replace(source, target)\n"
                        "w.os.replace = killing")
    assert not site.public.exists()
    broken = site.root / "content/memories/m003.md"
    broken.write_text("---\ntitle: [unclosed\n---\nTexte\n")
    assert site.build().exit_code == 1
    assert site.output_files() == before
    assert (site.public / ".git/HEAD").read_text() == "ref: refs/heads/gh-pages\n"
    broken.unlink()
    assert site.build().exit_code == 0
    assert not [p.name for p in site.public.parent.iterdir() if ".old-" in p.name or ".staging-" in p.name]
    full = clean_copy(site, tmp_path, "full")
    assert full.build().exit_code == 0
    assert {k: v for k, v in site.output_files().items() if not k.startswith(".git/")} == full.output_files()


def test_a_build_killed_once_the_git_folder_is_moved_gives_it_back_to_the_output(make_site) -> None:
    # The output's .git is moved into the new output just before the swap; SIGKILL in between
    # left it in a staging folder, which the next build deleted as a leftover.
    site = small_site(make_site)
    assert site.build().exit_code == 0
    site.write("public/.git/HEAD", "ref: refs/heads/gh-pages\n")
    before = site.output_files()
    _edit_m002(site, "a")
    _build_killed(site, "w.exchange_folders = lambda first, second: kill()")
    assert site.output_files() == {k: v for k, v in before.items() if not k.startswith(".git/")}
    _edit_m002(site, "b")
    assert site.build().exit_code == 0
    assert (site.public / ".git/HEAD").read_text() == "ref: refs/heads/gh-pages\n"
    assert "Souvenir 2 b" in (site.public / "memories/m002/index.html").read_text()


def test_the_commit_swaps_the_output_in_one_step_where_the_system_can(make_site) -> None:
    # Killed just after the swap, the build has put its output in place and set nothing aside yet.
    site = small_site(make_site)
    assert site.build().exit_code == 0
    _edit_m002(site, "a")
    _build_killed(site, "exchange = w.exchange_folders\n"
                        "def swapped(first, second):\n"
                        "    assert exchange(first, second)\n"
                        "    kill()\n"
                        "w.exchange_folders = swapped")
    assert "Souvenir 2 a" in (site.public / "memories/m002/index.html").read_text()
    assert site.build().exit_code == 0
    assert not [p.name for p in site.public.parent.iterdir() if ".old-" in p.name or ".staging-" in p.name]


def _edit_m002(site: Site, label: str) -> None:
    path = site.root / "content/memories/m002.md"
    path.write_text(path.read_text().replace("Souvenir 2", f"Souvenir 2 {label}", 1))


def test_a_doctored_build_record_never_removes_a_file_outside_the_output(make_site, tmp_path: Path) -> None:
    """The old output is cut down by the record of what the last build wrote; a record
    restored from elsewhere (CI caches) or doctored may name any path: none outside the old
    output is ever removed, and no symbolic link in the output is followed."""
    site = small_site(make_site)
    assert site.build().exit_code == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    state = next((site.root / ".storysite/cache").glob("state-*.json"))
    data = json.loads(state.read_text())
    data["files"]["../storysite.yaml"] = 1
    data["files"][str(victim)] = 1
    state.write_text(json.dumps(data))
    _edit_m002(site, "a")
    assert site.build().exit_code == 0
    assert victim.read_text() == "keep me"
    assert (site.root / "storysite.yaml").is_file()

    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(site.public / "memories", elsewhere)
    shutil.rmtree(site.public / "memories")
    os.symlink(elsewhere, site.public / "memories")
    _edit_m002(site, "b")
    assert site.build().exit_code == 0
    kept = sorted(p.relative_to(elsewhere).as_posix() for p in elsewhere.rglob("*") if p.is_file())
    assert "m002/index.html" in kept and "m005/index.html" in kept
    full = clean_copy(site, tmp_path, "full")
    assert full.build().exit_code == 0
    assert site.output_files() == full.output_files()


def test_a_build_that_commits_meanwhile_never_leaves_its_pages_in_the_recycled_folder(make_site, monkeypatch) -> None:
    """Another build (a preview, a second terminal) may swap in its output while this one
    renders: the old output is then not the one this build's record describes, and it is
    cut down by inode, as if nothing were known of it."""
    import storysite.build as build_module

    site = small_site(make_site)
    today = dt.date(2026, 11, 20)
    assert build_module.build(site.root, today=today, workers=1).written
    _edit_m002(site, "a")
    real = build_module.cache.recycle_dir
    done: list[bool] = []

    def another_build_commits(site_dir: Path, output_dir: Path) -> Path:
        # Called just before this build takes the recycled folder and stages its output.
        if not done:
            done.append(True)
            site.write("content/memories/secret.md", memory("Secret", body="TEXTE-SECRET-DU-FAN"))
            assert build_module.build(site.root, today=today, workers=1).written
            assert "TEXTE-SECRET-DU-FAN" in site.all_output_text()
            (site.root / "content/memories/secret.md").unlink()
        return real(site_dir, output_dir)

    monkeypatch.setattr(build_module.cache, "recycle_dir", another_build_commits)
    assert build_module.build(site.root, today=today, workers=1).written
    assert "TEXTE-SECRET-DU-FAN" not in site.all_output_text()
    kept = [p for p in (site.root / ".storysite/cache").glob("output-*/**/*") if p.is_file()]
    assert not [p for p in kept if b"TEXTE-SECRET-DU-FAN" in p.read_bytes()]


def _built_twice(make_site) -> tuple[Site, dt.date]:
    """A small site built, then built again after an edit: it has a recycled folder."""
    import storysite.build as build_module

    site = small_site(make_site)
    today = dt.date(2026, 11, 20)
    assert build_module.build(site.root, today=today, workers=2).written
    _edit_m002(site, "a")
    assert build_module.build(site.root, today=today, workers=2).written
    return site, today


def _equals_a_clean_build(site: Site, tmp_path: Path, today: dt.date) -> None:
    import storysite.build as build_module

    full = clean_copy(site, tmp_path, "full")
    assert build_module.build(full.root, today=today, workers=1).written
    assert site.output_files() == full.output_files()


def _listed_then(monkeypatch, meanwhile: Callable[[], None]) -> list[bool]:
    """Run ``meanwhile`` once, when the next build has its staging folder's listing (made by
    another process while it loaded the content) and is about to write; the list says
    whether it ran."""
    import storysite.build as build_module

    real = build_module.BackgroundListing.result
    ran: list[bool] = []

    def result(self: Any) -> Any:
        listed = real(self)
        assert listed is not None, "the recycled folder was listed"
        if not ran:
            ran.append(True)
            meanwhile()
        return listed

    monkeypatch.setattr(build_module.BackgroundListing, "result", result)
    return ran


def test_a_build_prunes_its_recycled_folder_by_a_listing_made_meanwhile(make_site, tmp_path: Path,
                                                                        monkeypatch) -> None:
    """A build takes the output before last as its staging folder as soon as it knows it will
    write, has another process list it while it loads the content, and prunes it by that list
    rather than walking it again; what it holds that this build does not write (a withdrawn
    memory's page, an empty folder left by hand) is gone all the same."""
    import storysite.build as build_module
    import storysite.write as write_module

    site, today = _built_twice(make_site)
    (tree,) = recycled_trees(site)
    (tree / "vide/dossier").mkdir(parents=True)
    walked: list[str] = []
    real_walk = write_module._walk_files

    def walk(root: Path, *args: Any, **kwargs: Any) -> Any:
        walked.append(str(root))
        return real_walk(root, *args, **kwargs)

    monkeypatch.setattr(write_module, "_walk_files", walk)
    ran = _listed_then(monkeypatch, lambda: None)
    withdrawn = site.root / "content/memories/m004.md"
    withdrawn.write_text(withdrawn.read_text().replace("status: approved", "status: withdrawn"))
    _edit_m002(site, "b")
    result = build_module.build(site.root, today=today, workers=2)
    assert result.written, [d.message for d in result.diagnostics.sorted()]
    assert ran
    assert not [root for root in walked if ".staging-" in root], "the staging folder was pruned by the listing"
    _equals_a_clean_build(site, tmp_path, today)
    assert not [relpath for relpath in site.output_files() if relpath.startswith("memories/m004/")]
    assert not (site.public / "vide").exists()


def test_a_build_that_stops_before_writing_gives_the_recycled_folder_back(make_site, tmp_path: Path) -> None:
    """A build that finds an error in the content took the output before last as its staging
    folder for nothing: it puts it back, as it found it, and the next build recycles it."""
    import storysite.build as build_module

    site, today = _built_twice(make_site)
    (tree,) = recycled_trees(site)
    before = files_under(tree)
    broken = site.root / "content/memories/m005.md"
    text = broken.read_text()
    broken.write_text(text.replace("title:", "title: [unclosed"))
    for workers in (2, 1):
        result = build_module.build(site.root, today=today, workers=workers)
        assert not result.written
        assert recycled_trees(site) == [tree]
        assert files_under(tree) == before
        assert not list(site.root.glob(".public.staging-*"))
    broken.write_text(text)
    _edit_m002(site, "b")
    result = build_module.build(site.root, today=today, workers=2)
    assert result.written
    assert result.pages_rendered < result.pages_reused
    _equals_a_clean_build(site, tmp_path, today)


def test_a_build_that_commits_while_another_lists_its_staging_folder_changes_neither(make_site, tmp_path: Path,
                                                                                      monkeypatch) -> None:
    """Another build (a second terminal) swaps in its output while this one has taken the
    recycled folder: each builds in its own folder, and the output is a clean build's, with
    nothing of what the other published and this one does not."""
    import storysite.build as build_module

    site, today = _built_twice(make_site)

    def another_build_commits() -> None:
        site.write("content/memories/secret.md", memory("Secret", body="TEXTE-SECRET-DU-FAN"))
        assert build_module.build(site.root, today=today, workers=1).written
        assert "TEXTE-SECRET-DU-FAN" in site.all_output_text()
        (site.root / "content/memories/secret.md").unlink()

    ran = _listed_then(monkeypatch, another_build_commits)
    _edit_m002(site, "b")
    result = build_module.build(site.root, today=today, workers=2)
    assert result.written, [d.message for d in result.diagnostics.sorted()]
    assert ran
    _equals_a_clean_build(site, tmp_path, today)
    kept = [p for p in (site.root / ".storysite/cache").glob("output-*/**/*") if p.is_file()]
    assert not [p for p in kept if b"TEXTE-SECRET-DU-FAN" in p.read_bytes()]


def test_a_ci_build_with_its_cache_and_output_restored_renders_only_what_changed(make_site, tmp_path: Path) -> None:
    # CI restores .storysite/ and the output as copies (other inodes, other change times):
    # a page whose bytes are still those recorded is reused, one altered is rendered again.
    site = small_site(make_site)
    assert site.build().exit_code == 0
    saved = tmp_path / "ci-cache"
    shutil.copytree(site.root, saved, symlinks=True)
    shutil.rmtree(site.root)
    shutil.copytree(saved, site.root, symlinks=True)
    altered = site.public / "memories" / "m004" / "index.html"
    altered.write_text(altered.read_text(encoding="utf-8").replace("Souvenir 4", "Souvenir piraté"), encoding="utf-8")
    # A page restored as a link to a file elsewhere, with the right bytes: copied, never linked.
    linked = site.public / "memories" / "m005" / "index.html"
    outside = tmp_path / "outside.html"
    shutil.copyfile(linked, outside)
    linked.unlink()
    linked.symlink_to(outside)
    _edit_m002(site, "a")
    result = site.build()
    assert result.exit_code == 0, result.output
    rendered, unchanged = (int(n) for n in re.search(r"\((\d+) rendered, (\d+) unchanged", result.stdout).groups())
    assert unchanged > rendered > 0
    full = clean_copy(site, tmp_path, "full")
    assert full.build().exit_code == 0
    assert site.output_files() == full.output_files()
    assert "piraté" not in site.all_output_text()
    assert not linked.is_symlink() and linked.stat().st_ino != outside.stat().st_ino


def test_an_output_restored_from_an_older_build_is_rebuilt_not_trusted(make_site, tmp_path: Path) -> None:
    """CI may restore the output and the cache from different runs: a page of the restored
    output is never reused as if this build's record described it (here, a withdrawn memory
    would come back on an index page)."""
    site = small_site(make_site)
    site.write("content/memories/secret.md", memory("Secret", body="TEXTE-SECRET-DU-FAN"))
    assert site.build().exit_code == 0
    backup = tmp_path / "backup"
    shutil.copytree(site.public, backup)
    secret = site.root / "content/memories/secret.md"
    secret.write_text(secret.read_text().replace("status: approved", "status: withdrawn"))
    assert site.build().exit_code == 0
    shutil.rmtree(site.public)
    shutil.copytree(backup, site.public)
    assert site.build().exit_code == 0, "nothing changed in the content, but the output is not the one built"
    assert "Secret" not in site.all_output_text()
    _edit_m002(site, "a")
    assert site.build().exit_code == 0
    full = clean_copy(site, tmp_path, "full")
    assert full.build().exit_code == 0
    assert site.output_files() == full.output_files()
    kept = [p for p in (site.root / ".storysite/cache").glob("output-*/**/*") if p.is_file()]
    assert not [p for p in kept if b"TEXTE-SECRET-DU-FAN" in p.read_bytes()]


def test_a_page_edited_in_place_in_the_output_is_rendered_again(make_site) -> None:
    site = small_site(make_site)
    assert site.build().exit_code == 0
    page = site.public / "memories/m007/index.html"
    with open(page, "r+b") as handle:  # same file, same size
        handle.write(b"<!--TAMPERED-->")
    _edit_m002(site, "a")
    assert site.build().exit_code == 0
    assert b"TAMPERED" not in page.read_bytes()


def _frames(data: bytes) -> list[bytes]:
    """The pickles of a record file: each framed by its length (8 bytes) and SHA-256."""
    frames, offset = [], 0
    while offset < len(data):
        length = int.from_bytes(data[offset:offset + 8], "big")
        frames.append(data[offset + 40:offset + 40 + length])
        offset += 40 + length
    return frames


def _framed(*payloads: bytes) -> bytes:
    import hashlib

    return b"".join(len(p).to_bytes(8, "big") + hashlib.sha256(p).digest() + p for p in payloads)


def test_a_page_record_made_by_other_code_is_not_trusted(make_site) -> None:
    """After an upgrade, the page record in the cache may lack what this code reads."""
    import pickle

    from storysite.cache import FORMAT, PageFacts

    site = small_site(make_site)
    assert site.build().exit_code == 0
    record = next((site.root / ".storysite/cache").glob("pages-*.pickle"))
    frames = _frames(record.read_bytes())  # a header, then the pages in chunks
    assert _framed(*frames) == record.read_bytes()
    header, pages = pickle.loads(frames[0]), {}
    for frame in frames[1:]:
        pages.update(pickle.loads(frame))
    assert len(pages) == header["entries"] > 5 and header["format"] == FORMAT

    class OldFacts:
        """Pickles as a PageFacts of a version without the ``file`` field."""

        def __init__(self, facts: PageFacts) -> None:
            self.facts = facts

        def __reduce__(self) -> tuple[object, ...]:
            f = self.facts
            return (object.__new__, (PageFacts,), (f.key, f.sha256, f.memories, f.media))

    old_style = {path: OldFacts(facts) for path, facts in pages.items()}
    record.write_bytes(_framed(pickle.dumps({**header, "code": "an older storysite"}), pickle.dumps(old_style)))
    _edit_m002(site, "a")
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "0 unchanged" in result.stdout


DAMAGES = ["header only", "last chunk dropped", "a middle chunk dropped", "two chunks swapped and one dropped",
           "half", "one byte short", "one byte more", "a byte flipped", "a chunk rehashed with one entry less",
           "a frame of 2**63 bytes"]


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_page_record_is_not_trusted(make_site, tmp_path: Path, monkeypatch, damage: str) -> None:
    """A record is written in chunks, each framed by its length and hash: one that is not whole
    and as written (a disk that filled up, a copy cut short, a bit flipped) must not pass for
    the record of fewer pages, nor stop or swamp the build."""
    import pickle

    import storysite.cache

    monkeypatch.setattr(storysite.cache, "_CHUNK_ENTRIES", 3)  # many chunks, even for a small site
    site = small_site(make_site)
    assert site.build().exit_code == 0
    record = next((site.root / ".storysite/cache").glob("pages-*.pickle"))
    data = record.read_bytes()
    frames = _frames(data)
    assert len(frames) > 5
    chunk = pickle.loads(frames[2])
    smaller = pickle.dumps(dict(list(chunk.items())[1:]))
    # A bit flipped in a page's recorded key still unpickles: only the hash can tell.
    at = data.index(next(iter(chunk.values())).key.encode()) + 5
    record.write_bytes({
        "header only": _framed(frames[0]),
        "last chunk dropped": _framed(*frames[:-1]),
        "a middle chunk dropped": _framed(*frames[:2], *frames[3:]),
        "two chunks swapped and one dropped": _framed(frames[0], frames[2], frames[1], *frames[4:]),
        "half": data[:len(data) // 2],
        "one byte short": data[:-1],
        "one byte more": data + b"\x00",
        "a byte flipped": data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:],
        "a chunk rehashed with one entry less": _framed(*frames[:2], smaller, *frames[3:]),
        "a frame of 2**63 bytes": (2**63).to_bytes(8, "big") + data[8:],
    }[damage])
    _edit_m002(site, "a")
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "0 unchanged" in result.stdout
    full = clean_copy(site, tmp_path, "full")
    assert full.build().exit_code == 0
    assert site.output_files() == full.output_files()


def test_every_input_of_a_memory_page_reaches_it_in_an_incremental_build(make_site, tmp_path: Path) -> None:
    """A memory's page is keyed by what it is made of (its card, its text's hash, its photos,
    its neighbours' cards, its label) rather than by its whole context: each of those,
    changed alone, must change the page as a full build would."""
    from tests.test_images import entry, photo
    from tests.test_labels import label_files

    site = small_site(make_site, count=6)
    for path, data in label_files().items():
        site.write(path, data)
    site.write("content/memories/photo.jpg", photo((640, 480)))
    site.write("content/memories/m002.md", memory("Souvenir 2", extra="media:\n" + entry("photo.jpg", alt="Un pot")
                                                  + "label: {design: plain, text: Odette}\n"))
    assert site.build().exit_code == 0

    def edit(relpath: str, old: str, new: str) -> None:
        path = site.root / relpath
        assert old in path.read_text()
        path.write_text(path.read_text().replace(old, new))

    edits = [
        ("content/memories/m003.md", "Souvenir 3", "Souvenir trois"),  # a neighbour's title
        ("content/memories/m002.md", "Le texte du souvenir.", "Un autre texte."),  # the text alone
        ("content/memories/m002.md", "alt: Un pot", "alt: Un pot de 1976"),  # a photo's words
        ("content/memories/m002.md", "text: Odette", "text: Odile"),  # the label
        ("storysite.yaml", "language: fr", "language: en"),  # the site's language
    ]
    for number, (relpath, old, new) in enumerate(edits):
        if relpath == "storysite.yaml" and old not in (site.root / relpath).read_text():
            site.write(relpath, (site.root / relpath).read_text() + "language: fr\n")
        edit(relpath, old, new)
        result = site.build()
        assert result.exit_code == 0, result.output
        full = clean_copy(site, tmp_path, f"full-{number}")
        assert full.build().exit_code == 0
        assert site.output_files() == full.output_files(), (relpath, new)
    assert "Souvenir trois" in site.read("memories/m002/index.html") + site.read("memories/m004/index.html")
    page = site.read("memories/m002/index.html")
    assert "ODILE" in page and "Un pot de 1976" in page and 'lang="en"' in page


def test_an_old_output_that_cannot_be_removed_fails_every_build_until_it_is_gone(make_site, monkeypatch) -> None:
    # A read-only output (chmod -R a-w public, as a deploy user may leave it): the new output is
    # swapped in, but the old one, with a withdrawn memory's page, stays beside it.
    import storysite.write as write_module

    site = small_site(make_site)
    assert site.build().exit_code == 0
    withdrawn = site.root / "content/memories/m003.md"
    withdrawn.write_text(withdrawn.read_text().replace("status: approved", "status: withdrawn"))
    real_remove = write_module.remove_tree

    def read_only(folder: Path) -> OSError | None:
        if ".old-" in folder.name:
            return PermissionError(13, "Permission denied", str(folder / "index.html"))
        return real_remove(folder)

    monkeypatch.setattr(write_module, "_recycle", lambda old, stale, recycle_dir: False)
    monkeypatch.setattr(write_module, "remove_tree", read_only)
    result = site.build()
    assert result.exit_code == 1
    assert "Souvenir 3" not in site.all_output_text()  # the new output is in place
    left = [p for p in site.root.iterdir() if p.name.startswith(".public.old-")]
    assert len(left) == 1 and "Souvenir 3" in (left[0] / "memories/m003/index.html").read_text()
    assert (f"{left[0].name}/:1: an earlier output storysite could not remove (Permission denied)"
            in result.output)
    assert "The new output is in place, but 1 problem(s) above need fixing." in result.output
    # Every build says so and exits 1 while it stays, its own output put in place all the same
    # (a withdrawal must not wait for the folder to go).
    edited = site.root / "content/memories/m004.md"
    edited.write_text(edited.read_text().replace("Souvenir 4", "Souvenir quatre"))
    result = site.build()
    assert result.exit_code == 1 and f"{left[0].name}/:1:" in result.output
    assert "The new output is in place" in result.output and "Souvenir quatre" in site.all_output_text()
    assert site.build().exit_code == 1  # up to date, and still said
    monkeypatch.setattr(write_module, "remove_tree", real_remove)
    result = site.build()
    assert result.exit_code == 0, result.output
    assert not left[0].exists() and "Souvenir quatre" in site.all_output_text()


def test_a_cache_folder_that_cannot_be_written_is_an_error_that_leaves_the_output(make_site) -> None:
    site = small_site(make_site)
    assert site.build().exit_code == 0
    before = site.output_files()
    shutil.rmtree(site.root / ".storysite")
    (site.root / ".storysite").write_text("not a folder")
    edited = site.root / "content/memories/m004.md"
    edited.write_text(edited.read_text().replace("Souvenir 4", "Souvenir quatre"))
    result = site.build()
    assert result.exit_code == 1
    assert "internal error" not in result.output
    assert ".storysite/cache:1: cannot be used (Not a directory)" in result.output
    assert site.output_files() == before
    assert not [p for p in site.root.iterdir() if p.name.startswith(".public.")]


def test_a_site_folder_that_cannot_be_written_is_named_with_advice(make_site, monkeypatch) -> None:
    import storysite.write as write_module

    site = small_site(make_site)
    assert site.build().exit_code == 0
    before = site.output_files()
    edited = site.root / "content/memories/m004.md"
    edited.write_text(edited.read_text().replace("Souvenir 4", "Souvenir quatre"))

    def read_only_site(staging: write_module.Staging) -> write_module.Staging:
        raise PermissionError(13, "Permission denied", str(site.root / ".public.staging-1-abc"))

    monkeypatch.setattr(write_module.Staging, "__enter__", read_only_site)
    result = site.build()
    assert result.exit_code == 1
    assert ("./:1: cannot write here (Permission denied); the build writes its output folder and its cache "
            "(.storysite/) in the site folder: make them writable by this user") in result.output
    assert "internal error" not in result.output
    assert site.output_files() == before


def test_a_read_only_folder_in_the_old_output_never_keeps_a_withdrawn_page(make_site, monkeypatch) -> None:
    # chmod a-w public/memories/m003 (as a deploy user may leave it): the withdrawn page could
    # not be removed from the old output, which was kept as the next build's staging folder.
    import errno
    import os as os_module

    import storysite.write as write_module

    site = small_site(make_site)
    assert site.build().exit_code == 0
    assert site.build().exit_code == 0  # a second build: the output before last is recycled from now on
    withdrawn = site.root / "content/memories/m003.md"
    withdrawn.write_text(withdrawn.read_text().replace("status: approved", "status: withdrawn"))
    real_unlink = os_module.unlink

    def read_only_m003(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if "m003" in os_module.fsdecode(path) or ("dir_fd" in kwargs and path == "index.html"
                                                  and "m003" in os_module.readlink(f"/proc/self/fd/{kwargs['dir_fd']}")):
            raise PermissionError(errno.EACCES, "Permission denied", os_module.fsdecode(path))
        return real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(write_module.os, "unlink", read_only_m003)
    monkeypatch.setattr(write_module, "remove_tree", lambda folder: PermissionError(13, "Permission denied"))
    result = site.build()
    assert result.exit_code == 1
    assert "Souvenir 3" not in site.all_output_text()
    recycled = [p for p in (site.root / ".storysite/cache").glob("output-*/**/*") if p.is_file()]
    assert not [p for p in recycled if b"Souvenir 3" in p.read_bytes()]
    assert "could not remove" in result.output


def test_an_unlistable_folder_in_the_old_output_never_keeps_a_withdrawn_page(make_site, monkeypatch) -> None:
    # chmod 311 public/memories/m003: it can be entered but neither listed nor opened for
    # reading, and a web server still serves its files by name.
    import errno

    import storysite.write as write_module

    site = small_site(make_site)
    assert site.build().exit_code == 0
    assert site.build().exit_code == 0
    withdrawn = site.root / "content/memories/m003.md"
    withdrawn.write_text(withdrawn.read_text().replace("status: approved", "status: withdrawn"))
    real_scandir, real_open = write_module.os.scandir, write_module.os.open

    def unlistable(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(path).rstrip("/").endswith("m003"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path, *args, **kwargs)

    def unopenable(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(path) == "m003":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(write_module.os, "scandir", unlistable)
    monkeypatch.setattr(write_module.os, "open", unopenable)
    monkeypatch.setattr(write_module, "remove_tree", lambda folder: PermissionError(13, "Permission denied"))
    result = site.build()
    assert result.exit_code == 1 and "could not remove" in result.output
    assert "Souvenir 3" not in site.all_output_text()
    recycled = [p for p in (site.root / ".storysite/cache").glob("output-*/**/*") if p.is_file()]
    assert not [p for p in recycled if b"Souvenir 3" in p.read_bytes()]


def test_a_warning_about_a_file_whose_name_holds_a_colon_is_replayed_as_it_was(make_site) -> None:
    site = make_site({"content/memories/noël: montagne.md": memory("A", extra="feautred: true\n")})
    first = site.build()
    second = site.build()
    assert "Up to date" in second.stdout
    assert first.exit_code == second.exit_code == 0, second.output
    said = [line for line in first.stderr.splitlines() if "feautred" in line]
    assert said and said[0].startswith("content/memories/noël: montagne.md:9: warning: unknown field 'feautred'")
    assert [line for line in second.stderr.splitlines() if "feautred" in line] == said


def test_an_edit_in_the_same_timestamp_tick_as_the_build_that_read_the_file_is_not_missed(make_site,
                                                                                        monkeypatch) -> None:
    from storysite import cache

    # The file system stamps whole seconds (ext3, HFS+): an edit of the same size made in the
    # second the last build read the file keeps its size, times and inode.
    monkeypatch.setattr(cache, "SETTLING_NS", cache.COARSE_SETTLING_NS)
    site = make_site({"content/memories/a.md": memory("AAAA")})
    assert site.build().exit_code == 0
    assert "Up to date" in site.build().stdout  # the same bytes: up to date, however recent
    path = site.root / "content/memories/a.md"
    info = path.stat()
    path.write_text(memory("BBBB"), encoding="utf-8")
    with monkeypatch.context() as same_tick:
        same_tick.setattr(os, "stat", _same_stat_for(path, info, os.stat))
        result = site.build()
    assert "Up to date" not in result.stdout
    assert "BBBB" in site.read("memories/a/index.html")


def _same_stat_for(path: Path, info: os.stat_result, real_stat):
    """``os.stat`` that answers for ``path`` what it answered before the edit (size, times, inode)."""
    def stat(target, *args, **kwargs):
        found = real_stat(target, *args, **kwargs)
        if os.fspath(target) == str(path):
            return info
        return found
    return stat


@pytest.mark.parametrize("folder", ["content/memories/node_modules", "content/memories/2024/node_modules"])
def test_a_withdrawal_in_a_content_folder_named_like_a_tools_folder_is_seen(make_site, folder: str) -> None:
    site = make_site({f"{folder}/a.md": memory("Secret title"), "content/memories/b.md": memory("B")})
    assert site.build().exit_code == 0
    assert "Secret title" in site.read("memories/a/index.html")  # read and published: an input
    site.write(f"{folder}/a.md", memory("Secret title", status="withdrawn"))
    result = site.build()
    assert result.exit_code == 0 and "Up to date" not in result.stdout
    assert "Secret title" not in site.all_output_text()


@pytest.mark.parametrize("folder", ["static/node_modules/lib", "static/__pycache__", "static/.venv",
                                    "static/.well-known.old-2024", "static/.public.staging-1-x"])
def test_an_edit_in_a_static_folder_named_like_a_tools_folder_or_a_leftover_is_published(make_site,
                                                                                      folder: str) -> None:
    site = make_site({f"{folder}/x.txt": "one\n", "content/memories/b.md": memory("B")})
    assert site.build().exit_code == 0
    published = folder.removeprefix("static/") + "/x.txt"
    assert site.read(published) == "one\n"
    assert "Up to date" in site.build().stdout
    site.write(f"{folder}/x.txt", "two!\n")  # the only change
    result = site.build()
    assert result.exit_code == 0 and "Up to date" not in result.stdout
    assert site.read(published) == "two!\n"
    (site.root / folder / "x.txt").unlink()
    assert "Up to date" not in site.build().stdout
    assert not (site.public / published).exists()


def test_files_no_build_reads_are_not_inputs(make_site) -> None:
    site = make_site({"tools/node_modules/pkg/index.js": "1\n", "tools/.venv/bin/python": "x\n",
                      "content/memories/b.md": memory("B")})
    assert site.build().exit_code == 0
    site.write("tools/node_modules/pkg/index.js", "2\n")
    site.write("tools/.venv/bin/python", "y\n")
    assert "Up to date" in site.build().stdout


def test_edits_in_a_content_folder_linked_from_outside_the_site_are_seen(make_site, tmp_path) -> None:
    shared = tmp_path / "shared" / "memories"
    shared.mkdir(parents=True)
    (shared / "a.md").write_text(memory("Secret title"), encoding="utf-8")
    site = make_site({"content/pages/p.md": "---\ntitle: P\n---\nx\n"})
    (site.root / "content/memories").symlink_to(shared, target_is_directory=True)
    assert site.build().exit_code == 0
    assert "Secret title" in site.read("memories/a/index.html")
    (shared / "a.md").write_text(memory("Secret title", status="withdrawn"), encoding="utf-8")
    result = site.build()
    assert result.exit_code == 0 and "Up to date" not in result.stdout
    assert "Secret title" not in site.all_output_text()


def test_links_out_of_the_site_the_build_refuses_are_not_walked(make_site) -> None:
    # A link deep in content/ to /proc (whose /proc/<pid>/root leads back to /): the build refuses
    # it at once; the walk for its fingerprint must not follow it first (it would not end).
    site = make_site({"content/memories/b.md": memory("B")})
    (site.root / "content/memories/proc").symlink_to("/proc", target_is_directory=True)
    done = subprocess.run([sys.executable, "-m", "storysite", "build", str(site.root)], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "SOURCE_DATE_EPOCH": str(BUILD_EPOCH)})
    assert done.returncode == 1
    assert "content/memories/proc:1: is a symbolic link that leads outside the site" in done.stderr


def test_a_pipe_among_the_inputs_never_holds_a_build(make_site) -> None:
    site = make_site({"content/memories/b.md": memory("B")})
    pipe = site.root / "static" / "pipe"
    pipe.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(pipe)
    future = time.time_ns() + 10 * 365 * 24 * 3600 * 10**9  # always "recent"
    os.utime(pipe, ns=(future, future))
    done = subprocess.run([sys.executable, "-m", "storysite", "build", str(site.root)], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "SOURCE_DATE_EPOCH": str(BUILD_EPOCH)})
    assert done.returncode == 0, done.stderr
    assert "Up to date" in subprocess.run([sys.executable, "-m", "storysite", "build", str(site.root)],
                                          capture_output=True, text=True, timeout=120,
                                          env={**os.environ, "SOURCE_DATE_EPOCH": str(BUILD_EPOCH)}).stdout


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many files each call compared by their bytes (cache.file_hashes), call by call."""
    from storysite import cache

    counts: list[int] = []
    real = cache.file_hashes

    def counted(paths):  # type: ignore[no-untyped-def]
        paths = list(paths)
        counts.append(len(paths))
        return real(paths)

    monkeypatch.setattr(cache, "file_hashes", counted)
    return counts


def test_recent_files_are_compared_by_their_bytes_only_until_they_settle(make_site, monkeypatch,
                                                                         compared: list[int]) -> None:
    from storysite import cache

    monkeypatch.setattr(cache, "SETTLING_NS", cache.COARSE_SETTLING_NS)  # every file just written is recent
    site = make_site({"content/memories/b.md": memory("B")})
    assert site.build().exit_code == 0
    assert "Up to date" in site.build().stdout  # recent, compared by their bytes: the same
    monkeypatch.setattr(cache, "SETTLING_NS", 0)
    monkeypatch.setattr(cache, "COARSE_SETTLING_NS", 0)  # now settled
    compared.clear()
    assert "Up to date" in site.build().stdout  # compared once more, then trusted by their stat data
    assert compared and max(compared) > 0
    compared.clear()
    assert "Up to date" in site.build().stdout
    assert compared and max(compared) == 0


def test_a_copy_that_kept_an_old_modification_time_is_read_again(make_site, monkeypatch) -> None:
    # cp -p, tar x, rsync -t: a file whose modification time is old but whose change time is
    # now. On a file system stamping whole seconds, a second such copy in the same second keeps
    # size, times and inode: the parse cache must not have trusted the first one's stat data.
    from storysite import cache

    monkeypatch.setattr(cache, "SETTLING_NS", cache.COARSE_SETTLING_NS)
    site = make_site({"content/memories/b.md": memory("B")})
    path = site.write("content/memories/a.md", memory("Secret title", status="approved"))
    old = 1_577_836_800 * 10**9  # 2020-01-01
    os.utime(path, ns=(old, old))
    assert site.build().exit_code == 0
    assert "Secret title" in site.read("memories/a/index.html")
    info = path.stat()
    path.write_text(memory("Secret title", status="rejected"), encoding="utf-8")  # the same size
    os.utime(path, ns=(old, old))
    with monkeypatch.context() as same_second:
        same_second.setattr(os, "stat", _same_stat_for(path, info, os.stat))
        result = site.build()
    assert result.exit_code == 0, result.output
    assert "Secret title" not in site.all_output_text()


def test_a_link_to_nothing_added_to_content_is_seen(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A")})
    assert site.build().exit_code == 0
    (site.root / "content/memories/old").symlink_to("/nonexistent/memories")
    result = site.build()
    assert "Up to date" not in result.stdout
    assert result.exit_code == 1
    assert "content/memories/old:1: is a symbolic link that leads outside the site" in result.stderr


def test_a_file_stamped_far_ahead_is_not_read_again_by_every_build(make_site, compared: list[int]) -> None:
    site = make_site({"content/memories/b.md": memory("B"), "static/data.bin": b"x" * 4096})
    ahead = time.time_ns() + 10 * 365 * 24 * 3600 * 10**9 + 123_456_789  # touch -d 2036
    os.utime(site.root / "static/data.bin", ns=(ahead, ahead))
    assert site.build().exit_code == 0
    time.sleep(0.05)  # its change time settles
    site.build()
    compared.clear()
    assert "Up to date" in site.build().stdout
    assert compared and max(compared) == 0


def test_a_tools_folder_the_build_reads_through_a_link_from_elsewhere_in_the_site_is_an_input(make_site) -> None:
    # content/memories and static are links to folders of the site whose names sort first: the
    # walk for the fingerprint must take them as the build reads them, node_modules and all.
    site = make_site({"a_data/memories/node_modules/a.md": memory("Secret title"),
                      "a_data/memories/b.md": memory("B"), "a_assets/node_modules/lib/x.js": "var v = 1;\n"})
    (site.root / "content").mkdir(exist_ok=True)
    (site.root / "content/memories").symlink_to("../a_data/memories", target_is_directory=True)
    (site.root / "static").symlink_to("a_assets", target_is_directory=True)
    assert site.build().exit_code == 0
    assert "Secret title" in site.read("memories/a/index.html")
    site.write("a_data/memories/node_modules/a.md", memory("Secret title", status="withdrawn"))
    site.write("a_assets/node_modules/lib/x.js", "var v = 2; // new\n")
    result = site.build()
    assert result.exit_code == 0 and "Up to date" not in result.stdout
    assert "Secret title" not in site.all_output_text()
    assert site.read("node_modules/lib/x.js") == "var v = 2; // new\n"


def test_an_edit_to_theme_templates_linked_from_outside_the_site_is_seen(make_site, tmp_path) -> None:
    from storysite.theme import bundled_themes_dir

    elsewhere = tmp_path / "shared-templates"
    elsewhere.mkdir()
    page = (bundled_themes_dir() / "default" / "templates" / "page.html").read_text("utf-8")
    (elsewhere / "page.html").write_text(page.replace("{% block content %}", "{% block content %}<!-- one -->", 1),
                                         encoding="utf-8")
    site = make_site({"content/pages/p.md": "---\ntitle: P\n---\nx\n", "themes/t/theme.yaml": "extends: default\n"},
                     config="title: T\nbase_url: https://example.org/\ntheme: t\n")
    (site.root / "themes/t/templates").symlink_to(elsewhere, target_is_directory=True)
    assert site.build().exit_code == 0
    assert "<!-- one -->" in site.read("p/index.html")
    (elsewhere / "page.html").write_text(page.replace("{% block content %}", "{% block content %}<!-- two -->", 1),
                                         encoding="utf-8")
    result = site.build()
    assert "Up to date" not in result.stdout
    assert "<!-- two -->" in site.read("p/index.html")


def test_files_settle_one_by_one_though_one_stays_recent(make_site, monkeypatch, compared: list[int]) -> None:
    from storysite import cache

    real_fingerprint = cache.input_fingerprint

    site = make_site({f"content/memories/m{i}.md": memory(f"M{i}") for i in range(5)})
    log = site.write("static/log.txt", "a log written to all the time\n")

    def log_stays_recent(*args, **kwargs):  # type: ignore[no-untyped-def]
        fingerprint, recent = real_fingerprint(*args, **kwargs)
        return fingerprint, sorted({*recent, str(log)})

    monkeypatch.setattr(cache, "SETTLING_NS", cache.COARSE_SETTLING_NS)  # every file just written is recent
    monkeypatch.setattr(cache, "input_fingerprint", log_stays_recent)
    assert site.build().exit_code == 0
    monkeypatch.setattr(cache, "SETTLING_NS", 0)
    monkeypatch.setattr(cache, "COARSE_SETTLING_NS", 0)  # all but the log settle now
    assert "Up to date" in site.build().stdout
    compared.clear()
    assert "Up to date" in site.build().stdout
    assert compared == [1]  # the log alone is compared by its bytes


def test_a_script_naming_a_bracketed_host_is_no_internal_error(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A"),
                      "static/js/app.js": 'var pattern = "//[a-z]+"; var other = "https://[oops/";\n'})
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "internal error" not in result.output


def test_a_full_disk_while_writing_a_page_is_a_clear_error_and_the_output_stays(make_site, monkeypatch) -> None:
    import errno

    import storysite.write as write_module

    site = make_site({"content/memories/a.md": memory("A")})
    assert site.build().exit_code == 0
    before = site.output_files()
    site.write("content/memories/a.md", memory("A, edited"))

    def full(fd, data):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device")  # as os.write says it: no file named

    monkeypatch.setattr(write_module.os, "write", full)
    result = site.build("--jobs", "1")
    assert result.exit_code == 1
    assert "cannot write here (No space left on device); free some space and build again" in result.output
    assert "internal error" not in result.output
    assert site.output_files() == before


def test_ctrl_c_or_sigterm_between_the_two_swaps_of_a_commit_leaves_the_previous_output(make_site, monkeypatch) -> None:
    # The old output is set aside, then the staging folder renamed in its place: stopped in
    # between (Ctrl-C, or SIGTERM, raised there as KeyboardInterrupt), the build left no output
    # at all, the previous one set aside and the new one deleted with its staging folder.
    import storysite.write as write_module

    site = small_site(make_site)
    assert site.build().exit_code == 0
    before = site.output_files()
    _edit_m002(site, "a")
    real = os.replace

    def interrupted(source: Any, target: Any) -> None:
        if ".staging-" in os.fspath(source) and Path(target) == site.public:
            raise KeyboardInterrupt
        real(source, target)

    monkeypatch.setattr(write_module.os, "replace", interrupted)
    monkeypatch.setattr(write_module, "exchange_folders", lambda first, second: False)  # (two swaps, then)
    assert site.build().exit_code == 130
    monkeypatch.setattr(write_module.os, "replace", real)
    assert site.output_files() == before
    assert site.build().exit_code == 0


@pytest.mark.parametrize("fault", [OSError(13, "Permission denied"), KeyboardInterrupt()])
def test_a_commit_stopped_before_its_swap_gives_the_output_its_git_folder_back(make_site, monkeypatch,
                                                                              fault: BaseException) -> None:
    # The output's .git is moved into the new output first, then the old output set aside:
    # stopped in between, the staging folder was deleted, and the .git folder with it.
    import storysite.write as write_module

    site = small_site(make_site)
    assert site.build().exit_code == 0
    site.write("public/.git/HEAD", "ref: refs/heads/gh-pages\n")
    _edit_m002(site, "a")
    real = os.replace

    def stopped(source: Any, target: Any) -> None:
        if Path(source) == site.public and ".old-" in os.fspath(target):
            raise fault
        real(source, target)

    monkeypatch.setattr(write_module.os, "replace", stopped)
    monkeypatch.setattr(write_module, "exchange_folders", lambda first, second: False)  # (two swaps, then)
    assert site.build().exit_code != 0
    monkeypatch.setattr(write_module.os, "replace", real)
    assert (site.public / ".git/HEAD").read_text() == "ref: refs/heads/gh-pages\n"


@pytest.mark.parametrize("fault", [OSError(5, "Input/output error"), KeyboardInterrupt()])
def test_a_swap_that_fails_gives_the_output_its_git_folder_back(make_site, monkeypatch, fault: BaseException) -> None:
    import storysite.write as write_module

    site = small_site(make_site)
    assert site.build().exit_code == 0
    site.write("public/.git/HEAD", "ref: refs/heads/gh-pages\n")
    before = site.output_files()
    _edit_m002(site, "a")

    def failing(first: Path, second: Path) -> bool:
        raise fault

    monkeypatch.setattr(write_module, "exchange_folders", failing)
    assert site.build().exit_code != 0
    assert site.output_files() == before
