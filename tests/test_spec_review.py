"""Deviations from SPEC.md found by a black-box review written as an acceptance-test author would."""

from __future__ import annotations

from tests.conftest import memory


def _listed(title: str, line_tags: str) -> str:
    return (f"- title: {title}\n  date: 1990\n  status: approved\n  consent:\n    granted: 2020-01-01\n"
            f"{line_tags}  text: hello\n")


def test_a_bad_tag_in_a_long_list_file_is_reported_at_the_tags_own_line(make_site) -> None:
    # SPEC: "a wrong type is an error naming the file and line". In a list file of many
    # memories, each tag one a line, the line to fix is the item's, not the `tags:` key's.
    entries = [_listed(f"M{i}", "") for i in range(1, 30)]
    entries.append(_listed("Bad", "  tags:\n    - ok\n    - {x: 1}\n    - fine\n"))
    text = "".join(entries)
    bad_line = text.splitlines().index("    - {x: 1}") + 1
    site = make_site({"content/memories/many.yaml": text})
    result = site.build()
    assert result.exit_code == 1
    assert f"content/memories/many.yaml:{bad_line}: tags: expected a list of text, found a mapping" in result.stderr
    assert f"content/memories/many.yaml:{bad_line - 2}:" not in result.stderr


def test_a_typographic_apostrophe_gives_the_slug_a_typewriter_one_gives(make_site) -> None:
    # French autocorrect writes "’": "l’été" and "l'été" are one tag, with one page, and a file
    # or title with either apostrophe one URL, as the demo names its files (le-pot-de-l-an-2000).
    site = make_site({
        "content/memories/a.md": memory("A", extra="tags: [\"l’été\"]\n"),
        "content/memories/b.md": memory("B", extra="tags: [\"l'été\"]\n"),
        "content/memories/le pot de l’an 2000.md": memory("C"),
        "content/timeline/all.yaml": "- {date: 1976, title: \"Aujourd’hui\"}\n",
    })
    result = site.build()
    assert result.exit_code == 0, result.output
    tags = sorted(p.name for p in (site.public / "tags").iterdir() if p.is_dir())
    assert tags == ["l-ete"], tags
    tag_page = site.read("tags/l-ete/index.html")
    assert 'href="/memories/a/"' in tag_page and 'href="/memories/b/"' in tag_page
    assert (site.public / "memories/le-pot-de-l-an-2000/index.html").is_file()
    assert 'id="milestone-aujourd-hui"' in site.read("timeline/index.html")


def test_label_problems_are_reported_at_the_line_of_the_field_at_fault(make_site) -> None:
    # `label:` written as a block: a refused text is at `text:`'s line, an unknown design at
    # `design:`'s, not both at `label:` (SPEC: errors read path:line: message).
    from tests.test_labels import artwork

    design = ("title: Plain\nartwork: art.png\nzones:\n  - name: name\n    box: [100, 100, 1000, 300]\n"
              "    font: fonts/labels/fraunces-black.ttf\n    size: [20, 120]\n    max_chars: 8\n")
    block = "label:\n  design: {design}\n  text: {text}\n"
    site = make_site({
        "content/labels/plain.yaml": design,
        "content/labels/art.png": artwork(1200, 600),
        "content/memories/long.md": memory("Long", extra=block.format(design="plain", text="Maximilienne")),
        "content/memories/typo.md": memory("Typo", extra=block.format(design="plian", text="Odette")),
    })
    result = site.build()
    assert result.exit_code == 1
    # memory(): front matter lines 1-8, then label: at 9, design: at 10, text: at 11.
    assert "content/memories/long.md:11: warning: label.text: refused by the label policy" in result.stderr
    assert "content/memories/typo.md:10: label.design: no label design 'plian' (designs: plain)" in result.stderr


def test_an_unknown_consent_scope_is_reported_at_its_own_line(make_site) -> None:
    # A scope written one a line: the misspelt one's line, not `scope:`'s.
    text = memory("A", granted=None, extra="consent:\n  granted: 2020-01-01\n  scope:\n    - site\n    - sahre\n")
    line = text.splitlines().index("    - sahre") + 1
    site = make_site({"content/memories/a.md": text})
    result = site.build()
    assert result.exit_code == 1
    assert f"content/memories/a.md:{line}: consent.scope: unknown scope 'sahre'; use site, share, print" \
        in result.stderr


def test_a_language_code_in_capitals_is_the_language_in_any_case(make_site) -> None:
    # BCP 47 tags are case-insensitive (Hugo lowercases them): "FR" is French, with the French
    # theme strings and lang="fr", not a configuration error.
    site = make_site({"content/memories/a.md": memory("A")},
                     config="title: T\nbase_url: https://example.org/\nlanguage: FR\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    page = site.read("index.html")
    assert '<html lang="fr"' in page
    assert "Souvenirs" in page or "souvenirs" in page


def test_tags_written_as_one_text_with_commas_warn_that_it_is_one_tag(make_site) -> None:
    # Pelican users write "tags: famille, goûter": storysite reads one text as one tag (as
    # Eleventy does), which would silently make a tag page "famille-gouter"; it says so.
    site = make_site({"content/memories/a.md": memory("A", extra="tags: famille, goûter\n"),
                      "content/memories/b.md": memory("B", extra="tags: [famille, goûter]\n")})
    result = site.build()
    assert result.exit_code == 0, result.output
    line = site.root.joinpath("content/memories/a.md").read_text().splitlines().index("tags: famille, goûter") + 1
    assert (f"content/memories/a.md:{line}: warning: tags: 'famille, goûter' is one tag; to give several, write them "
            "as a list: tags: [famille, goûter]") in result.stderr
    assert "content/memories/b.md" not in result.stderr


def test_a_date_with_a_time_of_day_is_its_day_as_written(make_site) -> None:
    # Hugo's front matter and form exports write dates with a time: the day is the one
    # written (no shift to UTC), for a memory's date as for consent dates; a time that
    # cannot be is still an error at its line.
    def dated(title: str, date: str, granted: str = "2020-01-01") -> str:
        return memory(title, granted=granted).replace("date: 1986-07", f"date: {date}")

    site = make_site({"content/memories/a.md": dated("A", "2023-05-01T23:30:00-05:00", "2024-04-02T09:30:00+02:00"),
                      "content/memories/b.md": dated("B", "1999-12-31 10:00")})
    result = site.build()
    assert result.exit_code == 0, result.output
    assert 'datetime="2023-05-01"' in site.read("memories/a/index.html")
    assert 'datetime="1999-12-31"' in site.read("memories/b/index.html")
    site.write("content/memories/b.md", dated("B", "1999-12-31T24:61"))
    result = site.build()
    assert result.exit_code == 1
    assert "content/memories/b.md:3: date: '1999-12-31T24:61' is not a date: there is no time 24:61" in result.stderr


def test_a_readme_in_a_content_folder_is_the_teams_note_not_an_item(make_site) -> None:
    # Teams keep a README.md in content/memories/ to explain the folder (GitHub shows it
    # below the file list): left alone, as the README says, unless it has front matter.
    site = make_site({"content/memories/a.md": memory("A"),
                      "content/memories/README.md": "# Souvenirs\n\nUn fichier par souvenir.\n",
                      "content/pages/LICENSE.md": "CC BY 4.0\n",
                      "content/pages/readme.md": "---\ntitle: Lisez-moi\n---\nUne page.\n"})
    result = site.build("--strict")
    assert result.exit_code == 0, result.output
    assert not (site.public / "memories/readme").exists()
    assert "Une page." in site.read("readme/index.html")
    assert "Un fichier par souvenir" not in site.all_output_text()


def test_a_date_that_cannot_be_right_is_reported_at_its_line(make_site) -> None:
    # A memory is what a fan lived: dated ahead of the build, or before a life, it is doubtful
    # (a warning: sites that built before keep building). A brand's milestone may be old (1886), not
    # older than the year 1000 (0850 is a slip for 1850), and may announce a plan, not a
    # year centuries ahead. The build date is SOURCE_DATE_EPOCH (2026-11-20 here).
    def dated(title: str, date: str, status: str = "approved") -> str:
        return memory(title, status=status).replace("date: 1986-07", f"date: {date}")

    site = make_site({
        "content/memories/old.md": dated("Old", "0850"),
        "content/memories/century.md": dated("Century", "1800s"),
        "content/memories/grandma.md": dated("Grandma", "1910s"),
        "content/memories/ahead.md": dated("Ahead", "2099"),
        "content/memories/submitted.md": dated("Submitted", "2099-05", status="submitted"),
        "content/timeline/founding.yaml": "title: Fondation\ndate: 1886\n",
        "content/timeline/slip.yaml": "title: Lapsus\ndate: 0850\n",
        "content/timeline/plan.yaml": "title: Objectif\ndate: 2050\n",
        "content/campaigns/c.md": "---\ntitle: Campagne\ndate: 2999-01\n---\nTexte.\n",
    })
    result = site.build()
    assert result.exit_code == 0, result.output
    assert ("content/memories/ahead.md:3: warning: date: 2099 is after the build date (2026-11-20); "
            "a memory tells what has happened: check the year") in result.stderr
    assert ("content/memories/old.md:3: warning: date: 0850 is more than 120 years before the build date "
            "(2026-11-20), beyond what a fan can have lived: check the year") in result.stderr
    assert "content/memories/century.md:3: warning: date: 1800s is more than 120 years" in result.stderr
    assert "content/memories/submitted.md:3: note: date: 2099-05 is after the build date" in result.stderr
    assert "(this memory is not published)" in result.stderr
    assert ("content/timeline/slip.yaml:2: warning: date: 0850 is before the year 1000: check the year") \
        in result.stderr
    assert ("content/campaigns/c.md:3: warning: date: 2999-01 is more than 30 years after the build date "
            "(2026-11-20): check the year") in result.stderr
    for plausible in ("grandma.md", "founding.yaml", "plan.yaml"):
        assert plausible not in result.stderr
    assert site.build("--strict").exit_code == 1
