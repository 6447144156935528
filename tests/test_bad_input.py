"""Every bad input: a clear ``path:line: message``, exit 1, and the previous output untouched."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.conftest import REPO, memory

GOOD = memory("Bon souvenir")

# case → (files to add, expected lines in stderr)
CASES: dict[str, tuple[dict[str, str | bytes], list[str]]] = {
    "malformed yaml": (
        {"content/memories/bad.md": "---\ntitle: [oops\nstatus: approved\n---\nx\n"},
        # Reported where the bracket opens, not where the parser gave up.
        ["content/memories/bad.md:2: invalid YAML: the list opened by '[' here (column 8) is not closed"],
    ),
    "list entry whose title gives no slug": (
        {"content/memories/list.yaml": "- title: Bon\n  status: approved\n- title: \"🍯\"\n  status: approved\n"},
        ["content/memories/list.yaml:3: title: '🍯' gives an empty slug; give this entry a 'slug:'"],
    ),
    "blank slug": (
        {"content/memories/bad.md": "---\ntitle: T\nslug: \"   \"\n---\nx\n"},
        ["content/memories/bad.md:3: slug: '   ' is blank"],
    ),
    "media entry both photo and video": (
        {"content/memories/bad.md": "---\ntitle: T\nstatus: approved\nconsent: {granted: 2020-01-01}\nmedia:\n"
                                    "  - src: a.jpg\n    video: https://www.youtube.com/watch?v=dQw4w9WgXcQ\n---\nx\n"},
        ["content/memories/bad.md:6: media.src: an entry is a photo (src) or a video (video), not both"],
    ),
    "unclosed quote": (
        {"content/memories/bad.md": '---\ntitle: "Jamais fermé\nstatus: approved\ndate: 1986\n---\nx\n'},
        ["content/memories/bad.md:2: invalid YAML: the quote opened here (column 8) is never closed"],
    ),
    "tab indentation": (
        {"content/memories/bad.md": "---\ntitle: T\n\tstatus: approved\n---\nx\n"},
        ["content/memories/bad.md:3: invalid YAML: found a tab character that violates indentation (column 1); "
         "indent with spaces, not tabs"],
    ),
    "tab indenting a nested key": (
        {"content/memories/bad.md": "---\ntitle: T\nauthor:\n\tdisplay: Ann\n---\nx\n"},
        ["content/memories/bad.md:4: invalid YAML: found character that cannot start any token (column 1); "
         "indent with spaces, not tabs"],
    ),
    "backslash in double quotes": (
        {"content/memories/bad.md": '---\ntitle: "C:\\dossier"\nstatus: approved\n---\nx\n'},
        ["content/memories/bad.md:2: invalid YAML: found unknown escape character (column 11); in double quotes "
         "a backslash starts an escape"],
    ),
    "control character in front matter": (
        {"content/memories/bad.md": "---\ntitle: Été à l’école\nstatus: approved\nlocation: Ly\x07on\n---\nx\n"},
        ["content/memories/bad.md:4: invalid YAML: character U+0007 cannot be in a YAML text (column 13); "
         "remove it"],
    ),
    "front matter not closed": (
        {"content/memories/bad.md": "---\ntitle: Jamais fermé\nstatus: approved\nTexte.\n"},
        ["content/memories/bad.md:1: front matter is not closed"],
    ),
    "duplicate key": (
        {"content/memories/bad.md": "---\ntitle: Un\nstatus: approved\ntitle: Deux\n---\nx\n"},
        ["content/memories/bad.md:4: duplicate key 'title' (first given on line 2)"],
    ),
    "yes is not a boolean or a consent": (
        {"content/memories/bad.md": "---\ntitle: T\nstatus: approved\nconsent: yes\nfeatured: NO\n---\nx\n"},
        ["content/memories/bad.md:4: consent: expected a mapping of fields, got 'yes'",
         "content/memories/bad.md:5: featured: expected true or false, got 'NO'"],
    ),
    "alias": (
        {"content/memories/bad.md": "---\ntitle: &t Titre\nslug: *t\n---\nx\n"},
        ["content/memories/bad.md:2: YAML aliases (*name) are not allowed"],
    ),
    "python tag": (
        {"content/memories/bad.md": "---\ntitle: !!python/object/apply:os.system [echo pwned]\n---\nx\n"},
        ["content/memories/bad.md:2: YAML tag !!python/object/apply:os.system is not allowed"],
    ),
    "wrong type": (
        {"content/memories/bad.md": "---\ntitle: T\nstatus: approved\ntags: {a: 1}\n---\nx\n"},
        ["content/memories/bad.md:4: tags: expected a list of text, got a mapping"],
    ),
    "unknown status": (
        {"content/memories/bad.md": "---\ntitle: T\nstatus: published\n---\nx\n"},
        ["content/memories/bad.md:3: status: expected one of submitted, approved, rejected, withdrawn, "
         "got 'published'"],
    ),
    "missing title": (
        {"content/memories/bad.md": "---\nstatus: approved\n---\nx\n"},
        ["content/memories/bad.md:2: 'title' is required"],
    ),
    "date in no allowed form": (
        {"content/memories/bad.md": "---\ntitle: T\ndate: juillet 86\n---\nx\n"},
        ["content/memories/bad.md:3: date: 'juillet 86' is not a date; write 1986, 1986-07, 1986-07-14 or 1980s"],
    ),
    "impossible date": (
        {"content/memories/bad.md": "---\ntitle: T\ndate: 1986-02-30\n---\nx\n"},
        ["content/memories/bad.md:3: date: '1986-02-30' is not a date: February 1986 has no day 30"],
    ),
    "two items with one url": (
        {"content/memories/a.md": memory("A"), "content/memories/b.md": memory("B", extra="slug: a\n")},
        # Reported at the slug: line of a file that gives one.
        ["content/memories/a.md:1: this memory has the URL /memories/a/, as does content/memories/b.md:9",
         "content/memories/b.md:9: this memory has the URL /memories/a/, as does content/memories/a.md:1"],
    ),
    "page takes a reserved url": (
        {"content/pages/memories.md": "---\ntitle: Souvenirs\n---\nx\n"},
        ["content/pages/memories.md:1: this page has the URL /memories/, as does the site's own /memories/ section"],
    ),
    "not utf-8": (
        {"content/memories/bad.md": "---\ntitle: Caf\xe9\n---\n".encode("latin-1")},
        ["content/memories/bad.md:2: not valid UTF-8 (byte 0xE9); save the file with UTF-8 encoding"],
    ),
    "file over the size limit": (
        {"content/memories/big.md": "---\ntitle: T\n---\n" + "x" * 1_100_000},
        ["content/memories/big.md:1: is 1,100,017 bytes, over the limit of 1,000,000"],
    ),
    "media path leaving the site": (
        {"content/memories/bad.md": memory("T", extra="media:\n  - src: ../../../etc/passwd\n    alt: x\n")},
        ["content/memories/bad.md:10: media.src: '../../../etc/passwd' leaves the site folder"],
    ),
    "missing media": (
        {"content/memories/bad.md": memory("T", extra="media:\n  - src: absent.jpg\n    alt: x\n")},
        ["content/memories/bad.md:10: media.src: 'absent.jpg' was not found"],
    ),
    "slug leaving the site": (
        {"content/memories/bad.md": memory("T", extra="slug: ../../index\n")},
        ["content/memories/bad.md:9: slug: '../../index' would leave its folder"],
    ),
    "slug of two URL parts": (
        {"content/memories/bad.md": memory("T", extra="slug: souvenirs/ete\n")},
        ["content/memories/bad.md:9: slug: 'souvenirs/ete' is not one part of a URL (it has a '/' or a '\\')"],
    ),
    "media path naming a folder": (
        {"content/memories/bad.md": memory("T", extra="media:\n  - src: photos/\n    alt: x\n"),
         "content/memories/photos/a.jpg": b"x"},
        ["content/memories/bad.md:10: media.src: 'photos/' is a folder (looked for a file at "
         "content/memories/photos); name one of its files"],
    ),
    "unknown block": (
        {"content/pages/p.md": "---\ntitle: P\n---\nIntro\n\n::: galery fan-days\n:::\n"},
        ["content/pages/p.md:6: unknown block 'galery'; use one of memory, gallery, label, timeline"],
    ),
    "block naming no memory": (
        {"content/pages/p.md": "---\ntitle: P\n---\n\n::: memory nobody\n:::\n"},
        ["content/pages/p.md:5: no memory with slug 'nobody'"],
    ),
    "link leaving the site": (
        {"content/pages/p.md": "---\ntitle: P\n---\n[x](../../../secret)\n"},
        ["content/pages/p.md:4: link '../../../secret' points outside the site"],
    ),
    "config wrong type": (
        {"storysite.yaml": "title: T\nmemories:\n  per_page: many\n"},
        ["storysite.yaml:3: memories.per_page: expected a whole number from 1 to 1000, got 'many'"],
    ),
    "config missing title": (
        {"storysite.yaml": "language: fr\n"},
        ["storysite.yaml:1: 'title' is required"],
    ),
    "missing template": (
        {"themes/default/templates/memory.html": "{% extends 'nope.html' %}"},
        ["template 'nope.html' not found"],
    ),
    "template syntax error": (
        {"themes/default/templates/page.html": "{% extends 'base.html' %}\n{% block content %}\n{% if %}\n"},
        ["themes/default/templates/page.html:3: template syntax error"],
    ),
    "undefined variable": (
        {"themes/default/templates/page.html":
            "{% extends 'base.html' %}\n{% block content %}\n{{ page.titel }}\n{% endblock %}\n"},
        ["themes/default/templates/page.html:3: undefined variable"],
    ),
    "include cycle": (
        {"themes/default/templates/page.html": "{% include 'page.html' %}"},
        ["templates include or extend each other in a cycle"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_reported_and_output_kept(make_site, case: str) -> None:
    site = make_site({"content/memories/good.md": GOOD, "content/pages/p.md": "---\ntitle: P\n---\nx\n"})
    assert site.build().exit_code == 0
    before = site.output_files()
    files, expected = CASES[case]
    for path, text in files.items():
        site.write(path, text)
    result = site.build()
    assert result.exit_code == 1, result.output
    for line in expected:
        assert line in result.stderr, f"{line!r} not in:\n{result.stderr}"
    assert "Traceback" not in result.output
    assert site.output_files() == before
    assert not list(site.root.glob(".public.*"))


def test_several_problems_are_all_reported_in_one_run(make_site) -> None:
    site = make_site({
        "content/memories/a.md": "---\ntitle: T\ndate: 1986-13\n---\n",
        "content/memories/b.md": "---\ntitle: [\n---\n",
        "content/pages/c.md": "---\ntitle: C\n---\n::: bogus\n:::\n",
        "storysite.yaml": "title: T\nmemories: {per_page: 0}\n",
    })
    result = site.build()
    assert result.exit_code == 1
    assert "storysite.yaml:2:" in result.stderr


def test_several_content_problems_are_all_reported_in_one_run(make_site) -> None:
    site = make_site({
        "content/memories/a.md": "---\ntitle: T\ndate: 1986-13\n---\n",
        "content/memories/b.md": "---\ntitle: [\n---\n",
        "content/pages/c.md": "---\ntitle: C\n---\n::: bogus\n:::\n",
    })
    result = site.build()
    assert result.exit_code == 1
    for where in ("content/memories/a.md:3:", "content/memories/b.md:", "content/pages/c.md:4:"):
        assert where in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("content/")]
    assert lines == sorted(lines)


def test_unknown_keys_are_warnings_with_lines(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A", extra="feautred: true\n")},
                     config="title: T\noutptu: public\n")
    result = site.build()
    assert result.exit_code == 0
    assert "storysite.yaml:2: warning: unknown key 'outptu'; did you mean 'output'?" in result.stderr
    assert "content/memories/a.md:9: warning: unknown field 'feautred'; did you mean 'featured'?" in result.stderr
    strict = site.build("--strict")
    assert strict.exit_code == 1


def test_yaml_11_numbers_stay_text(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A", extra="").replace(
        "location: Lyon", "location: 012345")})
    assert site.build().exit_code == 0
    assert "012345" in site.read("memories/a/index.html")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symlink_leaving_the_site_is_an_error(make_site, tmp_path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text(memory("Secret du voisin"))
    site = make_site({"content/memories/good.md": GOOD})
    assert site.build().exit_code == 0
    before = site.output_files()
    os.symlink(secret, site.root / "content/memories/leak.md")
    os.symlink(tmp_path, site.root / "content/memories/outside")
    (site.root / "media.jpg").symlink_to(secret)
    site.write("content/memories/m.md", memory("M", extra="media:\n  - src: /media.jpg\n    alt: x\n"))
    result = site.build()
    assert result.exit_code == 1
    assert "content/memories/leak.md:1: is a symbolic link that leads outside the site" in result.stderr
    assert "content/memories/outside:1: is a symbolic link that leads outside the site" in result.stderr
    assert "content/memories/m.md:10: media.src: '/media.jpg' leads outside the site folder" in result.stderr
    assert site.output_files() == before


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_a_symlink_to_a_folder_that_holds_it_is_an_error(make_site) -> None:
    site = make_site({"content/memories/good.md": GOOD, "content/pages/p.md": "---\ntitle: P\n---\n"})
    assert site.build().exit_code == 0
    before = site.output_files()
    os.symlink(".", site.root / "content/memories/self")
    os.symlink("..", site.root / "content/memories/up")
    result = site.build()
    assert result.exit_code == 1
    assert "content/memories/self:1: is a symbolic link to a folder that holds it, a loop" in result.stderr
    assert "content/memories/up:1: is a symbolic link to a folder that holds it, a loop" in result.stderr
    assert "pages/p.md" not in result.stderr  # the pages were not read again as memories
    assert site.output_files() == before


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_a_linked_folder_added_or_removed_is_seen_by_the_next_build(make_site) -> None:
    """Files reached through a symbolic link inside the site are inputs like any other:
    removing the link unpublishes them, adding it back publishes them."""
    site = make_site({"content/memories/good.md": GOOD, "shared/linked.md": memory("Par un lien")})
    os.symlink("../../shared", site.root / "content/memories/shared")
    assert site.build().exit_code == 0
    assert (site.public / "memories/linked/index.html").exists()
    os.unlink(site.root / "content/memories/shared")
    result = site.build()
    assert "Up to date" not in result.output and not (site.public / "memories/linked").exists()
    os.symlink("../../shared", site.root / "content/memories/shared")
    assert "Up to date" not in site.build().output
    assert (site.public / "memories/linked/index.html").exists()


def test_output_folder_may_not_be_the_content(make_site) -> None:
    site = make_site({"content/memories/a.md": GOOD}, config="title: T\noutput: content\n")
    result = site.build()
    assert result.exit_code == 1
    assert "storysite.yaml:2: output: 'content' would overwrite content/" in result.stderr
    assert (site.root / "content/memories/a.md").exists()


def test_output_outside_the_site_is_refused(make_site) -> None:
    site = make_site({"content/memories/a.md": GOOD}, config="title: T\noutput: ../elsewhere\n")
    result = site.build()
    assert result.exit_code == 1
    assert "storysite.yaml:2: output: '../elsewhere' leaves the site folder" in result.stderr


@pytest.mark.parametrize(("base_url", "named"), [
    ('https://ex.org/"><script>alert(1)</script>', "'\"'"),
    ("https://ex.org/<x>", "'<'"),
    ("'https://ex.org/a b/'", "a space"),
    ("'https://ex.org/a\\b/'", "'\\'"),
    ('"https://ex.org/a\tb/"', "the character U+0009"),
    ('"https://ex.org/\u202eb/"', "the character U+202E"),
    ("https://ex.org/it's/", "\"'\""),
])
def test_base_url_with_characters_unsafe_in_a_url_is_refused(make_site, base_url: str, named: str) -> None:
    # base_url goes as it is into robots.txt (and into attributes): a quote or an angle bracket
    # there would end the value and start markup.
    site = make_site({"content/memories/a.md": GOOD}, config=f"title: T\nbase_url: {base_url}\n")
    result = site.build()
    assert result.exit_code == 1
    assert f"storysite.yaml:2: base_url: {named} is not allowed in a URL" in result.stderr
    assert not site.public.exists()
    assert "internal error" not in result.output


def test_base_url_with_escapes_and_sub_delimiters_is_accepted(make_site) -> None:
    site = make_site({"content/memories/a.md": GOOD},
                     config="title: T\nbase_url: https://ex.org/fan%20days/(2026)/~a-b_c.d!$&*+,;=:@/\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    # robots.txt is plain text: an ampersand stays one (in the XML sitemap it is escaped).
    assert "Sitemap: https://ex.org/fan%20days/(2026)/~a-b_c.d!$&*+,;=:@/sitemap.xml" in site.read("robots.txt")
    assert "<loc>https://ex.org/fan%20days/(2026)/~a-b_c.d!$&amp;*+,;=:@/</loc>" in site.read("sitemap.xml")
    broken = make_site({}, config="title: T\nbase_url: https://ex.org/100%/\n", name="broken")
    result = broken.build()
    assert result.exit_code == 1
    assert "storysite.yaml:2: base_url: '%' must be followed by two hex digits" in result.stderr


def test_usage_errors_exit_2(make_site) -> None:
    site = make_site({})
    assert site.run("build", str(site.root / "missing")).exit_code == 2
    assert site.run("build", "--no-such-flag").exit_code == 2
    assert site.run("frobnicate").exit_code == 2


def test_no_config_is_a_clear_error(tmp_path) -> None:
    from click.testing import CliRunner

    from storysite.cli import main

    result = CliRunner().invoke(main, ["build", str(tmp_path)])
    assert result.exit_code == 1
    assert "storysite.yaml:1: no storysite.yaml here" in result.stderr


def test_an_editors_text_nested_too_deep_is_an_error_at_its_line(make_site) -> None:
    site = make_site({"content/pages/p.md": "---\ntitle: P\n---\nIntro.\n\n" + "> " * 500 + "fond\n"})
    result = site.build()
    assert result.exit_code == 1
    assert "content/pages/p.md:6: quotes or lists nested more than 50 deep" in result.stderr


def test_output_and_private_store_in_one_folder_say_what_to_choose_instead(make_site) -> None:
    site = make_site({"content/memories/a.md": GOOD},
                     config="title: T\noutput: public\nprivacy: {private_store: public}\n")
    result = site.build()
    assert result.exit_code == 1
    assert "output: 'public' would overwrite the private store (privacy.private_store); choose another " \
           "folder, such as site" in result.stderr
    assert "privacy.private_store 'public' overlaps the output folder 'public', which is published (and " \
           "replaced on every build); keep it outside, such as private" in result.stderr
    assert "such as public" not in result.stderr


@pytest.mark.parametrize("store", [".storysite/cache/labels", ".storysite", ".storysite/private"])
def test_a_private_store_in_storysites_cache_folder_is_an_error_and_loses_nothing(make_site, store: str) -> None:
    # The label cache's prune deleted the store's key, submissions and withdrawal tombstones
    # (a withdrawn fan then came back with the next import); and .storysite/ is what editors
    # delete and CI caches copy.
    site = make_site({"content/memories/a.md": memory("A", extra="label: {design: classic, text: Ann}\n")},
                     config=f"title: T\nbase_url: https://example.org/\nprivacy: {{private_store: {store}}}\n")
    shutil.copytree(REPO / "storysite/skeleton/content/labels", site.root / "content/labels")
    kept = {name: site.write(f"{store}/{name}", "{}\n") for name in ("key", "submissions.jsonl", "withdrawn.jsonl")}
    for command in ("build", "check"):
        result = site.run(command, str(site.root))
        assert result.exit_code == 1, result.output
        assert (f"storysite.yaml:3: privacy.private_store '{store}' is inside .storysite/, storysite's cache"
                in result.stderr)
    assert all(path.read_text() == "{}\n" for path in kept.values())
    assert not site.public.exists()


def test_a_text_key_in_a_markdown_file_is_a_warning_not_silently_dropped(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A", extra="text: aussi du texte\n")})
    result = site.build()
    assert result.exit_code == 0
    assert "content/memories/a.md:9: warning: text: is not used in a .md file" in result.stderr


def test_a_memory_dated_after_the_build_date_is_a_warning(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A").replace("date: 1986-07", "date: 2099-01-01"),
                      "content/memories/b.md": memory("B")})
    result = site.build()
    assert result.exit_code == 0
    assert "content/memories/a.md:3: warning: date: 2099-01-01 is after the build date" in result.stderr
    assert "b.md" not in result.stderr
    assert site.build("--strict").exit_code == 1


def test_an_editors_link_or_image_with_a_refused_scheme_is_an_error_at_its_line(make_site) -> None:
    site = make_site({"content/pages/p.md": "---\ntitle: P\n---\nIntro.\n\n![g](file:///etc/passwd) et "
                                            "[clic](javascript:alert(1)), [courriel](mailto:a@example.org).\n"})
    result = site.build()
    assert result.exit_code == 1
    assert "content/pages/p.md:6: image 'file:///etc/passwd' uses 'file:', which pages may not use" in result.stderr
    assert "content/pages/p.md:6: link 'javascript:alert(1)' uses 'javascript:', which pages may not use" \
        in result.stderr
    assert "a@example.org" not in result.stderr


@pytest.mark.parametrize("value", ['""', "2030-01-01 à 10h", "2020-05"])
def test_a_consent_date_error_asks_for_a_full_date(make_site, value: str) -> None:
    site = make_site({"content/memories/a.md": memory("A").replace("granted: 2020-01-01", f"granted: {value}")})
    result = site.build()
    assert result.exit_code == 1
    assert "content/memories/a.md:7: consent.granted:" in result.stderr
    assert "write YYYY-MM-DD" in result.stderr and "1980s" not in result.stderr


def test_a_numeric_site_title_is_text(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A")}, config="title: 2026\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "<title>2026</title>" in site.read("index.html")


@pytest.mark.parametrize("epoch", ["-5", "soon", "1e9"])
def test_a_bad_source_date_epoch_is_a_usage_error(make_site, epoch: str) -> None:
    site = make_site({"content/memories/a.md": memory("A")})
    result = site.build(env={"SOURCE_DATE_EPOCH": epoch})
    assert result.exit_code == 2
    assert f"SOURCE_DATE_EPOCH='{epoch}' is not a number of seconds since 1970" in result.output


def test_an_unclosed_block_is_an_error_and_text_inside_a_block_a_warning(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A"),
                      "content/pages/u.md": "---\ntitle: U\n---\nAvant.\n\n::: memory a\n\n## Titre\n\nAprès.\n",
                      "content/pages/t.md": "---\ntitle: T\n---\n::: memory a\nDu texte perdu\n:::\n\nFin.\n"})
    result = site.build()
    assert result.exit_code == 1
    assert "content/pages/u.md:6: the '::: memory' block is not closed: end it with a line ':::'" in result.stderr
    assert "content/pages/t.md:4: warning: the text inside the '::: memory' block is not shown" in result.stderr


def test_a_block_inside_another_is_an_error_and_a_last_block_left_open_a_warning(make_site) -> None:
    site = make_site({
        "content/memories/a.md": memory("A"),
        # The memory block is never closed: the ':::' meant for it closes the gallery block instead.
        "content/pages/n.md": "---\ntitle: N\n---\nIntro.\n\n::: memory a\n\n::: gallery g\n:::\n\nFin.\n",
        "content/pages/s.md": "---\ntitle: S\n---\nDu texte.\n\n:::\n",
        "content/pages/e.md": "---\ntitle: E\n---\nIntro.\n\n::: memory a\n\n",
        # A line separator pasted from a word processor is no line break to Markdown.
        "content/pages/w.md": "---\ntitle: W\n---\nTexte\u2028suite.\n\n::: memory a\n:::\n\nFin.\n",
    })
    result = site.build()
    assert result.exit_code == 1
    assert ("content/pages/n.md:8: the '::: gallery' block is inside the '::: memory' block of line 6: blocks "
            "cannot be nested") in result.stderr
    assert "content/pages/s.md:6: a ':::' line with no block open to end" in result.stderr
    assert "content/pages/e.md:6: warning: the '::: memory' block is not closed: end it with a line ':::'" \
        in result.stderr
    assert "content/pages/w.md" not in result.stderr
    site.remove("content/pages/n.md")
    site.remove("content/pages/s.md")
    result = site.build()
    assert result.exit_code == 0, result.output
    assert 'href="/memories/a/"' in site.read("e/index.html")  # the block is shown all the same


def test_base_url_forms_a_user_may_write(make_site) -> None:
    upper = make_site({"content/memories/a.md": GOOD}, config="title: T\nbase_url: HTTPS://Example.ORG/Marque/\n")
    assert upper.build().exit_code == 0
    assert "<loc>https://example.org/Marque/</loc>" in upper.read("sitemap.xml")
    ipv6 = make_site({"content/memories/a.md": GOOD}, config="title: T\nbase_url: https://[::1]:8443/x/\n",
                     name="ipv6")
    assert ipv6.build().exit_code == 0
    assert "<loc>https://[::1]:8443/x/</loc>" in ipv6.read("sitemap.xml")
    secret = make_site({"content/memories/a.md": GOOD}, config="title: T\nbase_url: https://user:pw@example.org/\n",
                       name="secret")
    result = secret.build()
    assert result.exit_code == 1
    assert "storysite.yaml:2: base_url: must not hold a user name or password" in result.stderr
    for written, message in (("'https://[::1]/[\"</script>'", "'[' is not allowed in a URL"),
                             ("https://[1.2.3.4]/", "'[1.2.3.4]' is not an IPv6 address"),
                             ("https://example.org:abc/", "(a port is a number)"),
                             ("//example.org/", "expected an absolute http(s) URL")):
        bad = make_site({"content/memories/a.md": GOOD}, config=f"title: T\nbase_url: {written}\n",
                        name=f"bad{len(message)}")
        result = bad.build()
        assert result.exit_code == 1 and "storysite.yaml:2: base_url:" in result.stderr, result.output
        assert message in result.stderr and "has no domain" not in result.stderr, result.output
        assert "internal error" not in result.output
    path_only = make_site({"content/memories/a.md": GOOD}, config="title: T\nbase_url: /marque/\n", name="path")
    result = path_only.build()
    assert result.exit_code == 0
    assert ("storysite.yaml:2: warning: base_url: '/marque/' has no domain, but the sitemap, the feed, robots.txt "
            "and share links need full addresses") in result.stderr


@pytest.mark.parametrize(("written", "message"), [
    # Every link of the site starts with the base path: '//marque/' would make them all
    # protocol-relative, leading to a host named 'marque'.
    ("https://example.org//marque/", "has an empty part ('//') in its path"),
    ("/marque//", "has an empty part ('//') in its path"),
    ("https://example.org/./marque/", "has a '.' part in its path"),
    ("https://example.org/a/../marque/", "has a '..' part in its path"),
    ("https://example.org/%2E%2e/marque/", "has a '..' part in its path"),
])
def test_a_base_url_path_that_browsers_would_rewrite_is_an_error_at_its_line(make_site, written: str,
                                                                              message: str) -> None:
    site = make_site({"content/memories/a.md": GOOD}, config=f"title: T\nbase_url: '{written}'\n")
    result = site.build()
    assert result.exit_code == 1, result.output
    assert f"storysite.yaml:2: base_url: {message}" in result.stderr
    assert not site.public.exists()
    staging = site.run("build", str(site.root), "--base-url", written)
    assert staging.exit_code == 2 and message in staging.stderr
    for fine in ("https://example.org/v1.2/", "https://example.org/marque", "/"):
        site.write("storysite.yaml", f"title: T\nbase_url: '{fine}'\n")
        assert site.build().exit_code == 0, fine


def test_every_bad_item_of_a_config_list_is_reported_at_its_line(make_site) -> None:
    site = make_site({"content/memories/a.md": GOOD},
                     config="title: T\nimages:\n  widths:\n    - -480\n    - 960\n    - 100000\n  formats: [webp, gif]\n")
    result = site.build()
    assert result.exit_code == 1
    for expected in ("storysite.yaml:4: images.widths: item 1: expected a whole number from 16 to 8192, got -480",
                     "storysite.yaml:6: images.widths: item 3: expected a whole number from 16 to 8192, got 100000",
                     "storysite.yaml:7: images.formats: item 2:"):
        assert expected in result.stderr, (expected, result.stderr)


def test_urls_named_like_windows_devices_are_warned_about_where_they_come_from(make_site) -> None:
    # A memory titled "Nul" in a list file, a file named aux.md, a slug of Com1: on Windows no
    # folder can be named so, and an editor there could not build, preview or check out the site.
    site = make_site({
        "content/memories/aux.md": memory("Aux champs"),
        "content/memories/slugged.md": memory("Un souvenir", extra="slug: Com1\n"),
        "content/memories/nullite.md": memory("Nullité"),  # merely starts like one: fine
        "content/memories/con-fiture.md": memory("Confiture"),
        "content/memories/list.yaml": "- title: Nul\n  status: approved\n  date: 1990\n"
                                      "  consent: {granted: 2020-01-01, scope: [site]}\n  text: Rien.\n",
    })
    result = site.build()
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "device" in line]
    assert len(lines) == 3, result.output
    assert any(line.startswith("content/memories/aux.md:1: warning: this memory has the URL /memories/aux/")
               for line in lines), lines
    assert any(line.startswith("content/memories/slugged.md:9: warning:") and "'com1'" in line for line in lines)
    assert any(line.startswith("content/memories/list.yaml:1: warning:") and "/memories/nul/" in line
               for line in lines)
    assert (site.public / "memories/aux/index.html").is_file()  # a warning: the site is still built
    assert site.build("--strict").exit_code == 1


def test_tags_and_static_files_named_like_windows_devices_are_warned_about(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A", extra="tags: [Aux, plage, nullité]\n"),
                      "content/memories/b.md": memory("B", extra="tags: [aux, CON]\n"),
                      "static/con.txt": "x", "static/docs/lpt1.pdf": "x", "static/console.txt": "x",
                      "static/com².txt": "x", "static/nul .txt": "x"})
    result = site.build()
    assert result.exit_code == 0, result.output
    lines = sorted(line for line in result.output.splitlines() if "device" in line)
    assert len(lines) == 6, lines
    assert sum("static/com².txt:1:" in line or "static/nul .txt:1:" in line for line in lines) == 2
    # At the tags' line of the first memory that names the tag.
    assert lines[0].startswith("content/memories/a.md:9: warning: the tag 'Aux' has the URL /tags/aux/")
    assert lines[0].endswith("rename the tag")
    assert lines[1].startswith("content/memories/b.md:9: warning: the tag 'CON' has the URL /tags/con/")
    assert any(line.startswith("static/con.txt:1: warning: this file has the URL /con.txt") for line in lines)
    assert any(line.startswith("static/docs/lpt1.pdf:1: warning:") and line.endswith("rename the file")
               for line in lines)


@pytest.mark.parametrize("name", [b"caf\xe9.txt", b"deux\nlignes.txt"])
def test_a_static_file_whose_name_cannot_be_a_url_is_an_error_not_a_crash(make_site, name: bytes) -> None:
    import os

    site = make_site({"content/memories/a.md": memory("A"), "static/ok.txt": "ok"})
    assert site.build().exit_code == 0
    before = site.output_files()
    with open(os.path.join(os.fsencode(site.root / "static"), name), "wb") as handle:
        handle.write(b"x")
    result = site.build()
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output
    assert "static/" in result.output and "rename the file" in result.output
    assert site.output_files() == before


def test_every_duplicate_key_is_reported_and_hides_no_other_problem(make_site) -> None:
    site = make_site({"content/memories/a.md": "---\ntitle: A\ntitle: B\nstatus: approved\nstatus: approved\n"
                                               "date: 2023-02-30\nconsent: {granted: 2014-04-02, granted: 2015-01-01}\n"
                                               "---\nTexte.\n"},
                     config="title: T\nbase_url: https://example.org/\ntheme: default\ntheme: default\n"
                            "language: fr\nlanguage: en\n")
    result = site.run("check", str(site.root))
    assert result.exit_code == 1
    for expected in ("content/memories/a.md:3: duplicate key 'title' (first given on line 2)",
                     "content/memories/a.md:5: duplicate key 'status' (first given on line 4)",
                     "content/memories/a.md:6: date:",
                     "content/memories/a.md:7: duplicate key 'granted'",
                     "storysite.yaml:4: duplicate key 'theme' (first given on line 3)",
                     "storysite.yaml:6: duplicate key 'language' (first given on line 5)"):
        assert expected in result.output, expected
    assert "no base_url" not in result.output  # it is given, on line 2


def test_a_number_of_thousands_of_digits_is_text_or_a_clear_error(make_site, tmp_path) -> None:
    huge = "1" + "0" * 5000  # Python refuses to read an integer of over 4,300 digits
    site = make_site({"content/memories/a.md": memory("A").replace("title: A", f"title: {huge}"),
                      "content/memories/b.md": memory("B")},
                     config=f"title: T\nbase_url: https://example.org/\nmemories: {{per_page: {huge}}}\n")
    result = site.build()
    assert result.exit_code == 1
    assert "internal error" not in result.output
    assert "storysite.yaml:3: memories.per_page:" in result.output
    site.write("storysite.yaml", "title: T\nbase_url: https://example.org/\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    assert huge[:200] in site.read("memories/index.html")
    export = tmp_path / "export.json"
    export.write_text(f'[{{"title": {huge}, "text": "Un souvenir", "name": "Jean"}}]', "utf-8")
    result = site.run("import", str(export), "--site", str(site.root))
    assert "internal error" not in result.output


@pytest.mark.parametrize("config", ["title: T\nbase_url: https://example.org/\nbrand: [\n",
                                    "title: T\nbase_url: https://example.org/\n\tlanguage: fr\n",
                                    "- title: T\n  base_url: https://example.org/\n"])
def test_an_unreadable_configuration_draws_no_note_about_what_it_may_say(make_site, config: str) -> None:
    site = make_site({"content/memories/a.md": memory("A")}, config=config)
    result = site.build()
    assert result.exit_code == 1 and "storysite.yaml:" in result.output
    assert "no base_url" not in result.output


def test_control_and_bidi_characters_in_the_site_title_never_break_the_feed(make_site) -> None:
    import xml.etree.ElementTree as ElementTree

    site = make_site({"content/memories/a.md": memory("A")},
                     config='title: "Maison Tartine\\v50 ans\\x1b \\u202egpj"\nbase_url: https://example.org/\n'
                            'description: "Nos souvenirs\\x00 \\u202e"\n')
    result = site.build()
    assert result.exit_code == 0, result.output
    feed = site.read("feed.xml")
    ElementTree.fromstring(feed.encode())  # well-formed
    for path in ("feed.xml", "index.html", "memories/a/index.html"):
        text = site.read(path)
        assert not any(char in text for char in "\v\x1b\x00\u202e"), path
    assert "Maison Tartine50 ans gpj" in site.read("index.html")


def test_an_allowed_origin_must_be_a_whole_http_address(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A")},
                     config="title: T\nbase_url: https://example.org/\nprivacy:\n  allowed_origins: [/cdn/]\n")
    result = site.build()
    assert result.exit_code == 1
    assert "expected an http(s) address such as https://cdn.example, got '/cdn/'" in result.output
    assert "path such as" not in result.output


def test_a_configuration_that_is_a_list_still_reports_its_duplicate_keys(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A")}, config="- title: T\n  title: U\n")
    result = site.build()
    assert result.exit_code == 1
    assert "storysite.yaml:2: duplicate key 'title' (first given on line 1)" in result.output
    assert "storysite.yaml:1: expected a mapping of settings" in result.output


@pytest.mark.parametrize(("base_url", "said"), [
    ("http://", "has no host name"), ("https://:80/", "has no host name"), ("https:///x/", "has no host name"),
    ("https://example.org:99999/", "a port is a number from 1 to 65535"),
    ("http://localhost:0/", "a port is a number from 1 to 65535"),
])
def test_base_url_without_a_host_or_with_an_impossible_port_is_refused(make_site, base_url: str, said: str) -> None:
    site = make_site({"content/memories/a.md": memory("A")}, config=f'title: T\nbase_url: "{base_url}"\n')
    result = site.build()
    assert result.exit_code == 1
    assert f"storysite.yaml:2: base_url: '{base_url}' {said}" in result.output or said in result.output
    assert "storysite.yaml:2:" in result.output


def test_base_url_with_a_port_and_a_path_is_kept(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A")}, config="title: T\nbase_url: https://example.org:8443/a/\n")
    assert site.build().exit_code == 0
    assert "https://example.org:8443/a/memories/a/" in site.read("sitemap.xml")


@pytest.mark.parametrize(("static", "said"), [
    ("static/memories", "static/memories:1: is a file, but the site needs a folder of that name "
                        "(for memories/a/index.html); rename or move it"),
    ("static/feed.xml/notes.txt", "static/feed.xml/notes.txt:1: needs a folder named feed.xml, but the site writes "
                                  "a file of that name; rename or move it"),
])
def test_a_static_file_where_the_site_needs_a_folder_is_an_error_at_its_path(make_site, static: str,
                                                                             said: str) -> None:
    # The build failed writing, with '.public.staging-<id>/memories:1: cannot be used (Is a directory)'.
    site = make_site({"content/memories/a.md": memory("A"), static: "x"})
    for result in (site.check(), site.build()):
        assert result.exit_code == 1
        assert said in result.stderr, result.stderr
        assert "staging" not in result.output


def test_a_media_path_written_with_backslashes_says_to_write_slashes(make_site) -> None:
    # An editor on Windows copies the path as Explorer shows it; on a server '\' is part of a name.
    from tests.test_images import photo

    site = make_site({"content/memories/a/index.md": memory("A", extra="media:\n  - {src: 'photos\\p.jpg', alt: P}\n"
                                                                  "  - {src: '\\\\nas\\photos\\p.jpg', alt: Q}\n"),
                      "content/memories/a/photos/p.jpg": photo((64, 48))})
    result = site.build()
    assert result.exit_code == 1
    assert ("content/memories/a/index.md:10: media.src: 'photos\\p.jpg' was not found (looked for "
            "content/memories/a/photos\\p.jpg); write '/' between folders, not '\\': 'photos/p.jpg'") in result.stderr
    assert "content/memories/a/index.md:11: media.src: '\\\\nas\\photos\\p.jpg' is not a path inside the site" \
        in result.stderr
