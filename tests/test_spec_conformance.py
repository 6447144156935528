"""SPEC conformance: every problem in one run, static/ verbatim, minimal sites, message shapes."""

from __future__ import annotations

import re

from tests.conftest import memory

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
    assert "storysite.yaml:3: warning: privacy.private_store 'content/private' is inside content/" in result.stderr
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
    export.write_text(
        "Title,Your memory,Date of the memory,City,Full name,Email,Phone,I agree to publication,Timestamp,"
        "Name for the label,Photo\n"
        "My memory,Some words,1986-07,Lyon,Romain Lefevre,romain@example.org,0600000000,yes,"
        "2024-01-01T10:00:00Z,Romain,\n", encoding="utf-8")
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
    assert runner.invoke(main, ["check", str(site), "--strict"], env=env).exit_code == 0


def test_nested_too_deeply_is_reported_at_its_line(make_site) -> None:
    deep = "[" * 5000 + "]" * 5000
    site = make_site({"content/pages/deep.md": f"---\ntitle: Deep\ntags: {deep}\n---\nx\n"},
                     config=f"title: T\nlanguage: fr\nbrand: {deep}\n")
    result = site.build()
    assert result.exit_code == 1
    assert "content/pages/deep.md:3: invalid YAML: nested too deeply" in result.stderr
    assert "storysite.yaml:3: invalid YAML: nested too deeply" in result.stderr


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
            if line and not line.startswith(("Build failed", "Nothing was imported", "refused:"))]


def test_every_message_reads_path_line(make_site, tmp_path) -> None:
    import subprocess

    site = make_site({
        "content/memories/good.md": GOOD,
        "content/pages/big.md": "---\ntitle: T\n---\n" + "x" * 1_100_000,
        "static/robots.txt": "User-agent: *\n",
        "private/key": "00\n",
    }, config="title: T\nprivacy: {private_store: private}\n")
    (site.root / "static/link").symlink_to(tmp_path)
    subprocess.run(["git", "init", "-q", str(site.root)], check=True)
    lines = _problem_lines(site.build().stderr) + _problem_lines(site.check().stderr)
    for expected in ("content/pages/big.md:1: is 1,100,017 bytes",
                     "static/robots.txt:1: this static file has the URL /robots.txt",
                     "static/link:1: is a symbolic link that leads outside the site",
                     "private:1: warning: the private store is not ignored by git"):
        assert any(line.startswith(expected) for line in lines), (expected, lines)
    label = site.run("label", "nosuch", "Camille", "--site", str(site.root))
    assert label.exit_code == 1
    lines += _problem_lines(label.stderr)
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
    assert "w.csv:2: date: " in imported.stderr
    assert "w.csv:4: the memory text is empty" in imported.stderr
    assert "w.csv:6: warning: already imported" in imported.stderr
    bad = [line for line in lines if not SHAPE.match(line)]
    assert not bad, bad

