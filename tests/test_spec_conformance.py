"""SPEC conformance: every problem in one run, static/ verbatim, minimal sites, message shapes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import FORM_EXPORT, memory

GOOD = memory("Bon souvenir")


def test_config_error_does_not_hide_content_errors(make_site) -> None:
    site = make_site({"content/memories/one.md": memory("One", extra="featured: maybe\n"),
                      "content/pages/p.md": "---\ntitle: P\n---\n::: bogus\n:::\n"},
                     config="title: T\nimages: {quality: 500}\n")
    for result in (site.build(), site.check()):
        assert result.exit_code == 1
        assert "storysite.yaml:2: images.quality: expected a whole number from 1 to 100, got 500" in result.stderr
        assert "content/memories/one.md:9: featured: expected true or false, got 'maybe'" in result.stderr
        assert "content/pages/p.md:4: unknown block 'bogus'" in result.stderr
    assert not site.public.exists()


def test_broken_config_yaml_does_not_hide_content_errors(make_site) -> None:
    site = make_site({"content/memories/one.md": memory("One", extra="featured: maybe\n")},
                     config="title: [T\n")
    result = site.build()
    assert result.exit_code == 1
    assert "storysite.yaml:" in result.stderr
    assert "content/memories/one.md:9: featured: expected true or false" in result.stderr
    assert not site.public.exists()


def test_site_with_only_a_title_builds(make_site) -> None:
    site = make_site(config="title: Rien encore\n")
    assert not (site.root / "content").exists()
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "<title>" in site.read("index.html")
    assert "<feed" in site.read("feed.xml")
    assert "<urlset" in site.read("sitemap.xml")
    assert (site.public / "memories/index.html").is_file()
    assert site.check("--strict").exit_code == 0


def test_static_is_copied_verbatim_but_vcs_and_os_junk(make_site) -> None:
    site = make_site({
        "static/.well-known/security.txt": "Contact: mailto:security@example.org\n",
        "static/_redirects": "/old /new 301\n",
        "static/_headers": "/*\n  X-Frame-Options: DENY\n",
        "static/.nojekyll": "",
        "static/~notes.txt": "kept\n",
        "static/ok.txt": "ok\n",
        "static/.DS_Store": "junk",
        "static/img/Thumbs.db": "junk",
        "static/.git/config": "[core]\n",
        "content/memories/_draft.md": memory("Brouillon"),
        "content/memories/a.md~": memory("Sauvegarde"),
    })
    result = site.build()
    assert result.exit_code == 0, result.output
    files = set(site.output_files())
    assert {".well-known/security.txt", "_redirects", "_headers", ".nojekyll", "~notes.txt", "ok.txt"} <= files
    assert not {".DS_Store", "img/Thumbs.db", ".git/config"} & files
    # Content discovery still skips drafts and editor backups.
    assert "memories/draft/index.html" not in files
    assert "Brouillon" not in site.all_output_text()


def test_symlink_loops_are_errors_not_crashes(make_site) -> None:
    site = make_site({"content/memories/good.md": GOOD})
    (site.root / "content/pages").mkdir(parents=True)
    (site.root / "content/pages/loop").symlink_to("loop")
    (site.root / "static").mkdir()
    (site.root / "static/loop").symlink_to("loop")
    (site.root / "static/a").symlink_to("b")
    (site.root / "static/b").symlink_to("a")
    for result in (site.build(), site.check()):
        assert result.exit_code == 1
        assert "internal error" not in result.output
        assert "content/pages/loop:1: is a symbolic link that leads back to itself" in result.stderr
        assert "static/loop:1: is a symbolic link that leads back to itself" in result.stderr
        assert "static/a:1: is a symbolic link that leads back to itself" in result.stderr
    assert not site.public.exists()


def test_check_report_into_a_missing_folder_is_a_usage_error(make_site, tmp_path) -> None:
    site = make_site({"content/memories/a.md": GOOD})
    result = site.check("--report", str(tmp_path / "nonexistent/dir/r.html"))
    assert result.exit_code == 2
    assert "internal error" not in result.output
    assert "nonexistent/dir/r.html" in result.stderr
    assert "does not exist" in result.stderr


def test_private_store_ignored_by_git_with_a_relative_site_dir(make_site, tmp_path, monkeypatch) -> None:
    import subprocess

    site = make_site({"content/memories/a.md": GOOD, "private/key": "00\n", ".gitignore": "/private/\n"},
                     config="title: T\n\nprivacy: {private_store: content/private}\n")
    subprocess.run(["git", "init", "-q", str(site.root)], check=True)
    monkeypatch.chdir(tmp_path)
    result = site.run("check", "site")
    assert "storysite.yaml:3: privacy.private_store 'content/private' is inside content/" in result.stderr
    site.write("storysite.yaml", "title: T\n")
    result = site.run("check", "site")
    assert "not ignored by git" not in result.stderr, result.stderr
    assert site.run("check", "site", "--strict").exit_code == 0
    site.remove(".gitignore")
    assert "private:1: warning: the private store is not ignored by git" in site.run("check", "site").stderr


def test_new_site_import_approve_build(tmp_path, monkeypatch) -> None:
    from click.testing import CliRunner

    from storysite.cli import main

    runner = CliRunner()
    env = {"SOURCE_DATE_EPOCH": "1795132800"}
    site = tmp_path / "s"
    assert runner.invoke(main, ["new", str(site)]).exit_code == 0
    export = tmp_path / "form.csv"
    export.write_text(FORM_EXPORT, encoding="utf-8")
    result = runner.invoke(main, ["import", str(export), "--map", str(site / "import-mapping.yaml"),
                                  "--site", str(site)], env=env)
    assert result.exit_code == 0, result.output
    memory_file = site / "content/memories/my-memory.md"
    text = memory_file.read_text(encoding="utf-8")
    assert "design: classic" in text
    memory_file.write_text(text.replace("status: submitted", "status: approved"), encoding="utf-8")
    result = runner.invoke(main, ["build", str(site)], env=env)
    assert result.exit_code == 0, result.output
    assert (site / "public/memories/my-memory/index.html").is_file()
    assert (site / "public/labels/classic/index.html").is_file()
    assert (site / "public/timeline/index.html").is_file()
    checked = runner.invoke(main, ["check", str(site), "--strict"], env=env)
    assert checked.exit_code == 0, checked.output


def test_nested_too_deeply_is_reported_at_its_line(make_site) -> None:
    deep = "[" * 5000 + "]" * 5000
    site = make_site({"content/pages/deep.md": f"---\ntitle: Deep\ntags: {deep}\n---\nx\n"},
                     config=f"title: T\nlanguage: fr\nbrand: {deep}\n")
    result = site.build()
    assert result.exit_code == 1
    assert "content/pages/deep.md:3: invalid YAML: nested more than 100 levels deep" in result.stderr
    assert "storysite.yaml:3: invalid YAML: nested more than 100 levels deep" in result.stderr


def test_every_problem_of_a_label_zone_is_reported_at_once(make_site) -> None:
    from tests.test_labels import artwork

    design = ("title: B\nartwork: art.png\nzones:\n  - name: n\n    box: [1000, 100, 800, 200]\n"
              "    font: fonts/labels/fraunces-black.ttf\n    size: [100, 20]\n    align: middle\n"
              "    uppercase: maybe\n    optional: 2\n")
    site = make_site({"content/labels/b.yaml": design, "content/labels/art.png": artwork(1200, 600)})
    result = site.build()
    assert result.exit_code == 1
    for expected in ("content/labels/b.yaml:5: zones[1].box: [1000, 100, 800, 200] reaches outside",
                     "content/labels/b.yaml:7: zones[1].size: the range [100, 20] is inverted",
                     "content/labels/b.yaml:8: zones[1].align: expected one of left, center, right, got 'middle'",
                     "content/labels/b.yaml:9: zones[1].uppercase:",
                     "content/labels/b.yaml:10: zones[1].optional:"):
        assert expected in result.stderr, result.stderr


SHAPE = re.compile(r"^[^:\s][^:]*:\d+: ")


def _problem_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines()
            if line and not line.startswith(("Build failed", "Nothing was imported", "Import incomplete", "refused:"))]


def test_every_message_reads_path_line(make_site, tmp_path) -> None:
    import subprocess

    site = make_site({
        "content/memories/good.md": GOOD,
        "content/pages/big.md": "---\ntitle: T\n---\n" + "x" * 1_100_000,
        "static/sitemap.xml": "<urlset/>\n",
        "private/key": "00\n",
    }, config="title: T\nprivacy: {private_store: private}\n")
    (site.root / "static/link").symlink_to(tmp_path)
    subprocess.run(["git", "init", "-q", str(site.root)], check=True)
    lines = _problem_lines(site.build().stderr) + _problem_lines(site.check().stderr)
    for expected in ("content/pages/big.md:1: is 1,100,017 bytes",
                     "static/sitemap.xml:1: this static file has the URL /sitemap.xml",
                     "static/link:1: is a symbolic link that leads outside the site",
                     "private:1: warning: the private store is not ignored by git"):
        assert any(line.startswith(expected) for line in lines), (expected, lines)
    label = site.run("label", "nosuch", "Camille", "--site", str(site.root))
    assert label.exit_code == 1
    # A mistyped design is no file's problem: a plain error, never a made-up path:line.
    assert label.stderr == "error: no label design 'nosuch' (designs: none: add one to content/labels/)\n"
    empty = tmp_path / "empty"
    empty.mkdir()
    lines += _problem_lines(site.run("build", str(empty)).stderr)
    assert "storysite.yaml:1: no storysite.yaml here" in lines[-1]
    export = tmp_path / "w.csv"
    export.write_bytes(b"text,date\n\"caf\xe9\",1986\n")
    lines += _problem_lines(site.run("import", str(export), "--site", str(site.root)).stderr)
    assert "w.csv:2: not valid utf-8 text" in lines[-1]
    export.write_text('text,date\n"two\nlines",1986-13\n"",1986\n"ok",1986\n"ok",1986\n', encoding="utf-8")
    imported = site.run("import", str(export), "--site", str(site.root))
    lines += _problem_lines(imported.stderr)
    assert "w.csv:2: warning: date: " in imported.stderr
    assert "w.csv:4: the memory text is empty" in imported.stderr
    assert "w.csv:6: warning: the same submission as line 5" in imported.stderr
    bad = [line for line in lines if not SHAPE.match(line)]
    assert not bad, bad


def test_images_in_editorial_markdown_go_through_the_image_pipeline(make_site) -> None:
    from PIL import Image

    from tests.test_images import MAKE, photo, tagged_jpeg

    site = make_site({
        "content/memories/good.md": GOOD,
        "content/pages/story/index.md": "---\ntitle: Story\n---\nIntro\n\n![a photo](photo.jpg \"Lyon\")\n\n"
                                        "[logo](/static/logo.svg)\n",
        "content/pages/story/photo.jpg": tagged_jpeg(),
        "content/campaigns/c.md": "---\ntitle: C\n---\nText and ![from the root](/content/shared/p.jpg)\n"
                                  "with ![a logo](/static/logo.svg).\n",
        "content/shared/p.jpg": photo((800, 600)),
        "content/timeline/1976.yaml": "date: 1976\ntitle: Premier pot\ntext: |\n  ![jar](/content/shared/p.jpg)\n",
        "static/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    })
    result = site.build()
    assert result.exit_code == 0, result.output
    story = site.read("story/index.html")
    assert "photo.jpg" not in story
    assert '<picture class="picture picture--inline">' in story
    assert 'width="1600" height="1067" alt="a photo" title="Lyon"' in story
    assert 'href="/logo.svg"' in story
    campaign = site.read("campaigns/c/index.html")
    assert 'alt="from the root"' in campaign and 'width="800" height="600"' in campaign
    assert '<img src="/logo.svg" alt="a logo"' in campaign
    assert 'alt="jar"' in site.read("timeline/index.html")
    files = site.output_files()
    assert not any(name.endswith(("photo.jpg", "p.jpg")) for name in files)  # originals are not copied
    derivatives = [name for name in files if name.startswith("media/") and name.endswith(".jpg")]
    assert derivatives
    for name in derivatives:
        assert MAKE.encode() not in files[name]
        with Image.open(site.public / name) as image:
            assert not image.getexif()
    for url in re.findall(r'src="(/media/[^"]+)"', story):
        assert url.lstrip("/") in files


def test_bad_images_in_editorial_markdown_are_errors_at_their_line(make_site) -> None:
    site = make_site({
        "content/memories/good.md": GOOD,
        "content/pages/p.md": "---\ntitle: P\n---\nIntro,\nmore ![gone](missing.jpg)\n\n"
                              "![out](../../../../etc/passwd)\n",
        "content/campaigns/c.md": "---\ntitle: C\n---\n![gone](/static/nope.png)\n",
    })
    result = site.build()
    assert result.exit_code == 1
    assert "content/pages/p.md:5: image 'missing.jpg' was not found" in result.stderr
    assert "content/pages/p.md:7: image '../../../../etc/passwd' leaves the site folder" in result.stderr
    assert "content/campaigns/c.md:4: image '/static/nope.png' was not found" in result.stderr
    assert not site.public.exists()


def test_an_output_folder_storysite_did_not_write_is_not_wiped(make_site) -> None:
    site = make_site({"content/memories/a.md": GOOD, "docs/keep.csv": "a,b\n"},
                     config="title: T\noutput: docs\n")
    result = site.build()
    assert result.exit_code == 1
    assert ("storysite.yaml:2: output: 'docs' already holds files storysite did not write (docs/keep.csv)"
            in result.stderr)
    assert (site.root / "docs/keep.csv").read_text() == "a,b\n"
    checked = site.check()  # check fails where build would
    assert checked.exit_code == 1 and "storysite.yaml:2: output: 'docs' already holds" in checked.stderr
    site.remove("docs/keep.csv")
    assert site.build().exit_code == 0
    assert (site.root / "docs/.storysite-output").is_file()
    # Once storysite owns the folder, every build replaces it whole.
    site.write("docs/stale.txt", "old")
    site.write("content/memories/b.md", memory("B"))
    assert site.build().exit_code == 0
    assert not (site.root / "docs/stale.txt").exists()


@pytest.mark.parametrize("command", ["build", "check"])
def test_an_output_naming_an_existing_file_is_refused_and_the_file_kept(make_site, command: str) -> None:
    site = make_site({"content/memories/a.md": GOOD, "NOTES.md": "# my notes\n"},
                     config="title: T\noutput: NOTES.md\n")
    result = site.run(command, str(site.root))
    assert result.exit_code == 1
    assert ("storysite.yaml:2: output: 'NOTES.md' is an existing file, which a build would replace with a folder"
            in result.stderr)
    assert (site.root / "NOTES.md").read_text() == "# my notes\n"


def test_an_output_below_a_file_or_a_link_is_refused(make_site, tmp_path: Path) -> None:
    site = make_site({"content/memories/a.md": GOOD, "notes.txt": "hi\n"}, config="title: T\noutput: notes.txt/public\n")
    for command in ("check", "build"):
        result = site.run(command, str(site.root))
        assert result.exit_code == 1 and "storysite.yaml:2: output: 'notes.txt' is an existing file" in result.stderr
        assert "internal error" not in result.output
    site.write("storysite.yaml", "title: T\noutput: outlink/public\n")
    (site.root / "outlink").symlink_to(tmp_path / "nowhere")
    for command in ("check", "build"):
        result = site.run(command, str(site.root))
        assert result.exit_code == 1 and "storysite.yaml:2: output: 'outlink' is a symbolic link" in result.stderr
    assert (site.root / "notes.txt").read_text() == "hi\n"


@pytest.mark.parametrize("target", ["missing", "empty"])
def test_an_output_that_is_a_symbolic_link_is_refused(make_site, tmp_path: Path, target: str) -> None:
    site = make_site({"content/memories/a.md": GOOD})
    elsewhere = tmp_path / "elsewhere"
    if target == "empty":
        elsewhere.mkdir()
    (site.root / "public").symlink_to(elsewhere)
    for command in ("check", "build"):
        result = site.run(command, str(site.root))
        assert result.exit_code == 1, result.output
        assert "storysite.yaml:1: output: 'public' is a symbolic link" in result.stderr
        assert "internal error" not in result.output
    assert (site.root / "public").is_symlink()
    assert not elsewhere.exists() or not any(elsewhere.iterdir())


def test_the_output_git_folder_survives_and_cname_comes_from_static(make_site) -> None:
    site = make_site({"content/memories/a.md": GOOD, "static/CNAME": "memories.example.org\n"})
    assert site.build().exit_code == 0
    site.write("public/.git/HEAD", "ref: refs/heads/gh-pages\n")
    site.write("content/memories/b.md", memory("B"))
    assert site.build().exit_code == 0
    assert (site.public / ".git/HEAD").read_text() == "ref: refs/heads/gh-pages\n"
    assert (site.public / "memories/b/index.html").is_file()
    assert site.read("CNAME") == "memories.example.org\n"
    # Later builds stage into the recycled output before last: the .git folder still moves along.
    for name in ("c", "d", "e"):
        site.write(f"content/memories/{name}.md", memory(name.upper()))
        assert site.build().exit_code == 0
        assert (site.public / ".git/HEAD").read_text() == "ref: refs/heads/gh-pages\n"
        assert (site.public / f"memories/{name}/index.html").is_file()
    kept = list((site.root / ".storysite/cache").glob("output-*/.git"))
    assert not kept, "the recycled folder never holds the output's .git"


def test_atom_times_are_publication_dates_not_story_dates(make_site) -> None:
    site = make_site({"content/memories/old.md": memory("Old"),
                      "content/memories/new.md": memory("New", extra="published: 2026-03-01\n")})
    assert site.build().exit_code == 0
    feed = site.read("feed.xml")
    assert "1986" not in feed and "1970" not in feed
    assert feed.index("<updated>2026-03-01T00:00:00Z</updated>") < feed.index("<title>Old</title>")
    assert "<updated>2020-01-01T00:00:00Z</updated>" in feed  # the day consent was granted
    empty = make_site(name="empty")
    assert empty.build().exit_code == 0
    assert "<updated>2026-11-20T00:00:00Z</updated>" in empty.read("feed.xml")  # the build date


def test_heading_levels_keep_their_outline(make_site) -> None:
    site = make_site({"content/pages/a.md": "---\ntitle: A\n---\n# Un\n\n## Deux\n\n### Trois\n",
                      "content/pages/b.md": "---\ntitle: B\n---\n## Deux\n\n### Trois\n"})
    assert site.build().exit_code == 0
    a = site.read("a/index.html")
    assert '<h2 id="un">Un</h2>' in a and '<h3 id="deux">Deux</h3>' in a and "<h4>Trois</h4>" in a
    b = site.read("b/index.html")
    assert '<h2 id="deux">Deux</h2>' in b and '<h3 id="trois">Trois</h3>' in b


def test_refused_fan_links_and_images_show_words_not_markdown(make_site) -> None:
    body = ("Voir [le site](javascript:alert(1)), [ici](#frag), [là](/memories/) et ![photo](photo.jpg) "
            "ou [ok](https://example.org/ok).")
    site = make_site({"content/memories/x.md": memory("X", body=body)})
    assert site.build().exit_code == 0
    page = site.read("memories/x/index.html")
    assert "](" not in page and "![" not in page and "javascript:" not in page
    assert "Voir le site, ici, là et" in page
    assert '<a href="https://example.org/ok" rel="nofollow ugc noopener">ok</a>' in page
    # An image shows its words (its alt text), as a refused link does.
    assert '<meta name="description" content="Voir le site, ici, là et photo ou ok.">' in page


def test_a_misspelt_consent_field_is_an_error(make_site) -> None:
    site = make_site({"content/memories/x.md": memory("X", extra="").replace(
        "  scope: [site, share]\n", "  scope: [site, share]\n  expire: 2025-01-01\n")})
    result = site.build()
    assert result.exit_code == 1
    assert "content/memories/x.md:9: unknown field 'consent.expire'; did you mean 'consent.expires'?" in result.stderr
    assert not site.public.exists()


def test_headings_never_skip_a_level(make_site) -> None:
    # A text that starts at ### (or jumps from ## to ####) skipped a level below the page's
    # title: an error for the HTML checker, and a broken outline for screen readers.
    site = make_site({"content/pages/a.md": "---\ntitle: A\n---\n### Trois\n\n##### Cinq\n\n## Deux\n",
                      "content/memories/m.md": memory("M", body="#### Quatre\n\nTexte.\n\n###### Six\n\n# Un\n")})
    assert site.build().exit_code == 0
    a = site.read("a/index.html")
    assert '<h2 id="trois">Trois</h2>' in a and '<h3 id="cinq">Cinq</h3>' in a and '<h2 id="deux">Deux</h2>' in a
    m = site.read("memories/m/index.html")
    assert "<h2>Quatre</h2>" in m and "<h3>Six</h3>" in m and "<h2>Un</h2>" in m
