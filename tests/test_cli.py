"""The command line: summaries and exit codes."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Site, memory


def test_check_prints_a_curation_summary_and_writes_nothing(demo_site: Site) -> None:
    result = demo_site.check()
    assert result.exit_code == 0, result.output
    assert "Memories: 52 (approved 45, rejected 2, submitted 3, withdrawn 2)" in result.stdout
    assert "without consent: 2" in result.stdout
    assert "le-velo-rouge-de-la-tournee.md:1: approved, but consent expired on 2020-01-01" in result.stdout
    # The demo's one photo still tagged with where it was taken (a submission not yet cleaned).
    said = [line for line in result.stderr.splitlines() if "where it was taken" in line]
    assert len(said) == 1 and "photo 'photos/pique-nique-aiguebelette.jpg' holds a GPS position" in said[0], said
    assert not demo_site.public.exists()


def test_check_exits_1_on_errors(make_site) -> None:
    site = make_site({"content/memories/a.md": "---\ntitle: T\nstatus: nope\n---\n"})
    result = site.check()
    assert result.exit_code == 1
    assert "content/memories/a.md:3: status:" in result.stderr
    assert "1 error(s)" in result.stdout


def test_build_summary_and_quiet(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A")})
    result = site.build()
    assert result.exit_code == 0
    assert "Built" in result.stdout and "pages" in result.stdout
    assert site.build("--quiet").stdout == ""


def test_build_run_within_another_program_leaves_its_garbage_collector_as_it_was(make_site) -> None:
    import gc

    site = make_site({"content/memories/a.md": memory("A")})
    assert gc.isenabled()
    assert site.build().exit_code == 0
    assert gc.isenabled()  # a one-shot build turns it off for itself only
    site.write("storysite.yaml", "title: [unclosed\n")
    assert site.build().exit_code == 1
    assert gc.isenabled()
    gc.disable()
    try:
        assert site.build().exit_code == 1
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_version_and_help(make_site) -> None:
    site = make_site({})
    assert site.run("--version").exit_code == 0
    help_text = site.run("--help").stdout
    for command in ("build", "check", "new"):
        assert command in help_text


def test_missing_status_is_a_warning_and_unpublished(make_site) -> None:
    site = make_site({"content/memories/a.md": "---\ntitle: Sans statut\n---\nx\n"})
    result = site.build()
    assert result.exit_code == 0
    assert "content/memories/a.md:1: warning: no 'status': treated as submitted" in result.stderr
    assert "Sans statut" not in site.all_output_text()


def test_a_reader_that_goes_away_is_no_internal_error(make_site) -> None:
    """`storysite build | head -1`: the pipe closes before the summary is printed."""
    import os
    import subprocess
    import sys

    from tests.conftest import BUILD_EPOCH

    site = make_site({"content/memories/a.md": memory("A")})
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line
    try:
        done = subprocess.run([sys.executable, "-m", "storysite", "build", str(site.root)], stdout=write,
                              stderr=subprocess.PIPE, text=True, timeout=120, check=False,
                              env={**os.environ, "SOURCE_DATE_EPOCH": BUILD_EPOCH})
    finally:
        os.close(write)
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 141
    assert (site.public / "memories/a/index.html").is_file()  # the build itself was done


def test_a_missing_site_folder_names_the_option_it_came_from(tmp_path, make_site) -> None:
    site = make_site({})
    export = site.write("export.csv", "title,text\nUn,Texte\n")
    missing = str(tmp_path / "nonexist")
    for args in (["import", str(export), "--site", missing], ["import", "timelinejs", str(export), "--site", missing],
                 ["withdraw", "someone", "--site", missing], ["label", "plain", "Odette", "--site", missing]):
        result = site.run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "Invalid value for --site: " in result.stderr and "DIR" not in result.stderr, (args, result.stderr)
    result = site.run("build", missing)
    assert result.exit_code == 2 and "Invalid value for DIR: " in result.stderr


def test_new_in_a_place_that_cannot_be_a_site_is_a_clean_usage_error(tmp_path, monkeypatch) -> None:
    from click.testing import CliRunner

    from storysite.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("x")
    cases = {
        "afile/sub": "error: cannot create a site in afile/sub: afile is a file, not a folder",
        "afile/a/b": "error: cannot create a site in afile/a/b: afile is a file, not a folder",
        "afile": "error: afile is a file, not a folder; choose a new folder",
        "/proc/storysite-x": "error: cannot create a site in /proc/storysite-x: No such file or directory",
        "": "Invalid value for DIR: is empty; give the folder to create the site in",
        " ": "Invalid value for DIR: is empty",
    }
    for target, message in cases.items():
        result = CliRunner().invoke(main, ["new", target])
        assert result.exit_code == 2, (target, result.output)
        assert message in result.stderr, (target, result.stderr)
        assert "internal error" not in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def test_new_in_a_repository_just_made_keeps_its_git_folder_and_refuses_one_with_files(tmp_path) -> None:
    from click.testing import CliRunner

    from storysite.cli import main

    (tmp_path / "repo/.git/objects").mkdir(parents=True)
    (tmp_path / "repo/.git/HEAD").write_text("ref: refs/heads/main\n")
    result = CliRunner().invoke(main, ["new", str(tmp_path / "repo")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "repo/storysite.yaml").is_file() and (tmp_path / "repo/.gitignore").is_file()
    assert (tmp_path / "repo/.git/HEAD").read_text() == "ref: refs/heads/main\n"
    (tmp_path / "other/.git").mkdir(parents=True)
    (tmp_path / "other/notes.txt").write_text("mine")
    refused = CliRunner().invoke(main, ["new", str(tmp_path / "other")])
    assert refused.exit_code == 2 and "is not empty; choose a new folder" in refused.stderr
    assert sorted(p.name for p in (tmp_path / "other").iterdir()) == [".git", "notes.txt"]


def test_new_that_fails_half_way_leaves_nothing_behind(tmp_path, monkeypatch) -> None:
    import errno
    import shutil

    from click.testing import CliRunner

    from storysite.cli import main

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "new/site/.gitignore"))

    monkeypatch.setattr(shutil, "copy2", full_disk)
    result = CliRunner().invoke(main, ["new", str(tmp_path / "new/site")])
    assert result.exit_code == 2, result.output
    assert (f"error: cannot create a site in {tmp_path}/new/site: No space left on device "
            f"({tmp_path}/new/site/.gitignore)") in result.stderr
    assert not (tmp_path / "new").exists()


# -- check --report: where the dashboard may go, and when it is written ------------------------


def test_check_report_never_overwrites_a_file_that_is_not_an_earlier_report(make_site, monkeypatch) -> None:
    import json

    site = make_site({"content/memories/a.md": memory("A"), "m.yaml": "columns: {text: Your memory}\n",
                      "sub.csv": "Title,Your memory\nUn,Texte\n", "notes.html": "<!doctype html><p>mine</p>\n"})
    (site.root / "link.html").symlink_to(site.root / "storysite.yaml")
    monkeypatch.chdir(site.root)  # as the tester ran it: `cd site && storysite check --report storysite.yaml`
    before = {name: (site.root / name).read_bytes() for name in ("storysite.yaml", "m.yaml", "sub.csv", "notes.html")}
    for name, reason in (("storysite.yaml", "'storysite.yaml' is the site's configuration"),
                         ("link.html", "'link.html' is the site's configuration"),
                         ("m.yaml", "'m.yaml' exists and is not a storysite report; it was left as it is"),
                         ("sub.csv", "'sub.csv' exists and is not a storysite report"),
                         ("notes.html", "'notes.html' exists and is not a storysite report")):
        result = site.run("check", "--report", name)
        assert result.exit_code == 2, (name, result.output)
        assert f"Invalid value for --report: {reason}" in result.stderr, (name, result.stderr)
    assert {name: (site.root / name).read_bytes() for name in before} == before

    # New files, and earlier reports of any format, are written and replaced.
    (site.root / "empty.html").write_bytes(b"")  # nothing to lose (a file made by mktemp, say)
    for name, args in (("r.html", ()), ("r.html", ()), ("r.json", ()), ("r.json", ()), ("r.csv", ()),
                       ("r.csv", ()), ("r.html", ("--format", "json")), ("r.html", ()), ("empty.html", ())):
        result = site.run("check", "--report", name, *args)
        assert result.exit_code == 0, (name, args, result.output)
        assert f"Curation report written to {name}." in result.stdout
    assert json.loads((site.root / "r.json").read_text())["generator"] == "storysite curation report"
    assert '<meta name="generator" content="storysite curation report">' in (site.root / "r.html").read_text()
    # Reports written before the marker are known by their title or their first keys.
    (site.root / "old.html").write_text("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                                        "<title>Curation report · T</title>\n</head></html>\n")
    (site.root / "old.json").write_text('{\n "build_date": "2026-11-19",\n "by_decade": {},\n "by_status": {}\n}\n')
    for name in ("old.html", "old.json"):
        result = site.run("check", "--report", name)
        assert result.exit_code == 0, (name, result.output)


def test_check_report_in_the_private_store_is_refused_for_the_right_reason(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A")})
    result = site.check("--report", str(site.root / "private/r.html"))
    assert result.exit_code == 2
    assert "private/ is the private store" in result.stderr and "published or versioned" not in result.stderr


def test_check_report_is_written_when_the_content_has_errors(make_site, tmp_path) -> None:
    import json

    site = make_site({"content/memories/a.md": memory("Bon souvenir"),
                      "content/memories/b.md": "---\ntitle: Mauvais\nstatus: nope\n---\nx\n"},
                     config="title: Erreurs\noutput: 3\n")
    report = tmp_path / "r.json"
    result = site.check("--report", str(report))
    assert result.exit_code == 1
    assert "storysite.yaml:2: output:" in result.stderr and "content/memories/b.md:3: status:" in result.stderr
    assert f"Curation report written to {report}." in result.stdout
    data = json.loads(report.read_text())
    assert data["site_title"] == "Erreurs" and "Bon souvenir" in [r["title"] for r in data["rows"]]

    broken = make_site({"content/memories/a.md": memory("A")}, name="broken")
    broken.remove("storysite.yaml")
    result = broken.check("--report", str(tmp_path / "none.html"))
    assert result.exit_code == 1
    assert "No curation report was written: without a readable storysite.yaml" in result.stderr
    assert not (tmp_path / "none.html").exists()


def test_check_report_options_are_never_silently_ignored(make_site) -> None:
    import json

    site = make_site({"content/memories/a.md": memory("A")})
    empty = site.check("--report", "")
    assert empty.exit_code == 2 and "Invalid value for --report: is empty" in empty.stderr
    alone = site.check("--format", "json")
    assert alone.exit_code == 2 and "Invalid value for --format: needs --report" in alone.stderr
    for target in ("-", "/dev/stdout"):
        result = site.check("--report", target, "--format", "json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["by_status"] == {"approved": 1}  # the report alone on stdout
        assert "Memories: 1" in result.stderr and "0 error(s), 0 warning(s)." in result.stderr
    html = site.check("--report", "-")
    assert html.stdout.startswith("<!doctype html>") and html.stdout.rstrip().endswith("</html>")


def test_check_counts_notes_apart_from_warnings(make_site) -> None:
    # No base_url is a note (it fails nothing, even with --strict), a missing status a warning.
    site = make_site({"content/memories/a.md": memory("A").replace("status: approved\n", "")}, config="title: T\n")
    result = site.run("check", str(site.root))
    assert "0 error(s), 1 warning(s), 1 note(s)." in result.output, result.output


def test_build_into_another_folder_with_output(make_site, tmp_path: Path) -> None:
    # -o/--output: the site written elsewhere (dist/ for a CI deploy), byte for byte the configured
    # build's, incremental there too; the configured output is not touched.
    site = make_site({"content/memories/a.md": memory("Un souvenir"), "content/memories/b.md": memory("Un autre")})
    assert site.build().exit_code == 0
    expected = site.output_files()
    outside = tmp_path / "deploy" / "dist"
    for folder in (outside, site.root / "dist"):
        result = site.build("--output", str(folder))
        assert result.exit_code == 0, result.output
        assert {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()} == expected
        assert "Up to date" in site.build("-o", str(folder)).output
    assert site.output_files() == expected
    # An output is written, never read: building one leaves the other up to date.
    assert site.build("-o", str(site.root / "dist")).exit_code == 0
    assert "Up to date" in site.build().output
    # A withdrawal reaches the folder at its next build, and the takedown record lists the URL.
    site.write("content/memories/b.md", memory("Un autre", status="withdrawn"))
    result = site.build("-o", str(outside))
    assert result.exit_code == 0 and "URL(s) changed or removed" in result.output, result.output
    assert not (outside / "memories" / "b").exists()
    assert "Un autre" not in "".join(p.read_text("utf-8", "replace") for p in outside.rglob("*") if p.is_file())


def test_output_refuses_folders_a_build_would_destroy(make_site, tmp_path: Path) -> None:
    site = make_site({"content/memories/a.md": memory("Un souvenir")})
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "notes.txt").write_text("someone's notes")
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "link").symlink_to(theirs)
    cases = {
        str(site.root): "holds the site itself",
        str(tmp_path): "holds the site itself",
        str(site.root / "content"): "in content/ of the site",
        str(site.root / "static" / "out"): "in static/ of the site",
        str(site.root / ".storysite" / "out"): "in .storysite/ of the site",
        str(site.root / "private" / "out"): "in private/ of the site",
        str(theirs): "already holds files storysite did not write (notes.txt)",
        str(tmp_path / "a-file"): "is an existing file",
        str(tmp_path / "link"): "is a symbolic link",
    }
    for folder, reason in cases.items():
        result = site.build("--output", folder)
        assert result.exit_code == 2, (folder, result.output)
        assert "--output" in result.output and reason in result.output, (folder, result.output)
    assert (theirs / "notes.txt").read_text() == "someone's notes"
    assert (site.root / "content/memories/a.md").is_file()
    assert not site.public.exists()


def test_build_for_another_address_with_base_url(make_site) -> None:
    # A staging deploy: the same site at another address, the takedown record left to the real one.
    site = make_site({"content/memories/a.md": memory("Un souvenir")})
    assert site.build().exit_code == 0
    record = (site.root / ".storysite/manifest.json").read_bytes()
    result = site.build("--base-url", "https://staging.example.org/preview")
    assert result.exit_code == 0, result.output
    assert "https://staging.example.org/preview/memories/a/" in site.read("sitemap.xml")
    assert 'href="/preview/memories/a/"' in site.read("memories/index.html")
    assert "https://example.org/" not in site.read("sitemap.xml")
    assert (site.root / ".storysite/manifest.json").read_bytes() == record
    # Not "up to date" with the other address: built again for the configured one.
    result = site.build()
    assert result.exit_code == 0 and "Up to date" not in result.output
    assert "https://example.org/memories/a/" in site.read("sitemap.xml")
    # The configured address itself is a build for the deployed site, takedown record and all.
    site.write("content/memories/a.md", memory("Un souvenir", status="withdrawn"))
    result = site.build("--base-url", "https://example.org")
    assert result.exit_code == 0 and "URL(s) changed or removed" in result.output
    bad = site.build("--base-url", "ftp://x")
    assert bad.exit_code == 2 and "--base-url" in bad.output


def test_a_failed_build_names_its_output_folder_as_the_site_does(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A"), "content/memories/b.md": "---\ntitle: [\n"})
    site.write("storysite.yaml", (site.root / "storysite.yaml").read_text("utf-8") + "output: build/site\n")
    result = site.build()
    assert result.exit_code == 1
    assert "/build/site/ was left as it was." in result.stderr, result.stderr  # not "site/"


def test_an_output_that_cannot_be_made_is_named_not_the_build_s_own_folder_beside_it(make_site) -> None:
    if not Path("/proc/self").is_dir():
        import pytest
        pytest.skip("needs Linux's /proc, where no folder can be made")
    site = make_site({"content/memories/a.md": memory("A")})
    result = site.build("-o", "/proc/storysite-output")
    assert result.exit_code == 1
    assert "/proc/storysite-output/:" in result.stderr and "staging" not in result.stderr, result.stderr
