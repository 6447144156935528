"""Review of ``storysite check --report``: the curation dashboard as the curation editor and the
data-protection officer read it every morning."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys

import pytest

from tests.conftest import BUILD_EPOCH, REPO, memory
from tests.test_images import photo


def test_a_report_cut_short_by_a_full_disk_leaves_the_earlier_report_whole(make_site, tmp_path) -> None:
    site = make_site({"content/memories/a.md": memory("A")})
    report = tmp_path / "r.html"
    assert site.check("--report", str(report)).exit_code == 0
    before = report.read_bytes()
    for number in range(60):
        site.write(f"content/memories/m{number:02}.md", memory(f"Souvenir numéro {number}"))
    limit = len(before) + 1000  # the new report is much longer: its write fails midway

    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG)

    env = {**os.environ, "PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": BUILD_EPOCH}
    done = subprocess.run([sys.executable, "-m", "storysite", "check", str(site.root), "--report", str(report)],
                          env=env, capture_output=True, text=True, preexec_fn=small_disk, check=False)
    assert done.returncode == 2, done.stderr
    assert "cannot write" in done.stderr
    assert report.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["r.html"]  # no temporary left
    # Written in full, it replaces the earlier report and keeps its permissions.
    report.chmod(0o640)
    assert site.check("--report", str(report)).exit_code == 0
    assert "Souvenir numéro 59" in report.read_text() and report.stat().st_mode & 0o777 == 0o640


def test_personal_data_in_a_list_file_is_shown_against_the_memory_that_holds_it(make_site, tmp_path) -> None:
    import json

    site = make_site({"content/memories/list.yaml": """\
        - slug: clean
          title: Clean
          date: 1990
          status: approved
          author: {id: fan-2, display: A.}
          consent: {granted: 2020-01-01}
          text: Rien.
        - slug: dirty
          title: Dirty
          date: 1991
          status: approved
          author: {id: fan-3, display: B.}
          consent: {granted: 2020-01-01, ref: marie@example.org}
          notes: "rappeler au 06 12 34 56 78"
          text: Rien.
        """})
    assert site.check("--report", str(tmp_path / "r.json")).exit_code == 0
    data = json.loads((tmp_path / "r.json").read_text())
    assert [r["slug"] for r in data["personal_data"]] == ["dirty"]
    assert [f.split(":")[0] for f in data["personal_data"][0]["personal_data"]] == ["line 13", "line 14"]


def test_photos_without_alt_text_and_personal_data_of_galleries_milestones_and_campaigns_are_reported(
        make_site, tmp_path) -> None:
    import json

    small = photo((64, 48))
    site = make_site({
        "content/memories/a.md": memory("A"),
        "content/galleries/g/index.yaml": "title: Galerie\ndescription: Une galerie.\nimages:\n"
                                          "  - {src: photos/a.jpg, alt: Une photo}\n  - {src: photos/b.jpg}\n",
        "content/galleries/g/photos/a.jpg": small, "content/galleries/g/photos/b.jpg": small,
        "content/timeline/1990-m.yaml": "date: 1990\ntitle: Jalon\nmedia:\n  - src: photos/m.jpg\n"
                                        "text: |\n  Appelez le 04 72 00 00 00.\n",
        "content/timeline/photos/m.jpg": small,
        "content/campaigns/c.md": "---\ntitle: Campagne\ndate: 2026-01-15\nhero:\n  src: photos/h.jpg\n---\nTexte.\n",
        "content/campaigns/photos/h.jpg": small,
    })
    assert site.check("--report", str(tmp_path / "r.json")).exit_code == 0
    data = json.loads((tmp_path / "r.json").read_text())
    assert [(r["kind"], r["title"], r["missing_alt"]) for r in data["editorial_missing_alt"]] == [
        ("campaign", "Campagne", 1), ("gallery", "Galerie", 1), ("milestone", "Jalon", 1)]
    assert [(r["kind"], r["personal_data"]) for r in data["editorial_personal_data"]] == [
        ("milestone", ["line 6: the text seems to contain a phone number, which would be published; if it is "
                       "the brand's own, list it in privacy.public_contacts"])]
    assert site.check("--report", str(tmp_path / "r.html")).exit_code == 0
    page = (tmp_path / "r.html").read_text()
    alt = page.split('<h2 id="s4">')[1].split("</section>")[0]
    assert "content/galleries/g/index.yaml:1" in alt and "content/campaigns/c.md:1" in alt
    assert "<caption>Pages, galleries, milestones, campaigns and label designs</caption>" in alt and "<p>None.</p>" not in alt
    found = page.split('<h2 id="s5">')[1].split("</section>")[0]
    assert "content/timeline/1990-m.yaml:1" in found and "a phone number" in found


def test_an_image_without_alt_text_in_an_editors_markdown_is_a_warning_at_its_line_and_in_the_report(
        make_site, tmp_path) -> None:
    import json

    small = photo((64, 48))
    site = make_site({
        "content/pages/histoire.md": "---\ntitle: Histoire\n---\nIntro.\n\n![](photos/a.jpg)\n\n"
                                     "![decorative](photos/a.jpg) ![Un pot](photos/a.jpg)\n",
        "content/pages/photos/a.jpg": small,
        "content/pages/brouillon.md": "---\ntitle: Brouillon\ndraft: true\n---\n![](photos/a.jpg)\n",
        "content/campaigns/c.md": "---\ntitle: Campagne\n---\nTexte ![](/static/logo.png).\n",
        "static/logo.png": photo((32, 32), fmt="PNG"),
        "content/galleries/g/index.yaml": "title: Galerie\ndescription: |\n  Une galerie.\n  ![](a.jpg)\n"
                                          "images:\n  - {src: a.jpg, alt: Une photo}\n",
        "content/galleries/g/a.jpg": small,
        "content/timeline/jalons.yaml": "- {date: 1976, title: Un, text: Premier.}\n"
                                        "- date: 1980\n  title: Deux\n  text: |\n    Le pot.\n\n    ![](a.jpg)\n",
        "content/timeline/a.jpg": small,
    })
    result = site.check("--report", str(tmp_path / "r.json"))
    assert result.exit_code == 0, result.output
    expected = {"content/pages/histoire.md:6": "photos/a.jpg", "content/campaigns/c.md:4": "/static/logo.png",
                "content/galleries/g/index.yaml:4": "a.jpg", "content/timeline/jalons.yaml:7": "a.jpg"}
    for where, src in expected.items():
        assert (f"{where}: warning: image '{src}' has no alt text: describe it between the brackets "
                f"(![what it shows]({src})) for people who cannot see it, or write ![decorative]({src}) if it only "
                "decorates") in result.stderr
    assert result.stderr.count("has no alt text") == 4  # not the decorative one, nor the draft's (not built)
    data = json.loads((tmp_path / "r.json").read_text())
    assert [(r["kind"], r["slug"], r["missing_alt"], r["photos_without_alt"]) for r in data["editorial_missing_alt"]] \
        == [("campaign", "c", 1, ["line 4: /static/logo.png"]), ("gallery", "g", 1, ["line 4: a.jpg"]),
            ("page", "brouillon", 1, ["line 5: photos/a.jpg"]), ("page", "histoire", 1, ["line 6: photos/a.jpg"]),
            ("milestone", "deux", 1, ["line 7: a.jpg"])]
    assert site.build("--strict").exit_code == 1
    built = site.build()
    assert built.exit_code == 0, built.output
    page = site.read("histoire/index.html")
    assert page.count('alt=""') == 2 and 'alt="Un pot"' in page and "decorative" not in page


def test_the_charts_figures_are_in_a_table_a_screen_reader_can_read(make_site, tmp_path) -> None:
    site = make_site({
        "content/memories/a.md": memory("A", extra="tags: [famille]\n"),
        "content/memories/b.md": memory("B", status="withdrawn", extra="tags: [famille]\n"),
        "content/memories/c.md": memory("C").replace("date: 1986-07\n", "date: 1990s\n"),
    })
    assert site.check("--report", str(tmp_path / "r.html")).exit_code == 0
    page = (tmp_path / "r.html").read_text()
    assert '<svg aria-hidden="true"' in page and 'role="img"' not in page
    assert ('<caption>Memories per decade</caption><thead><tr><th scope="col">Decade</th>'
            '<th scope="col">published</th><th scope="col">withdrawn</th><th scope="col">total</th></tr></thead>'
            '<tbody><tr><th scope="row">1980s</th><td>1</td><td>1</td><td>2</td></tr>'
            '<tr><th scope="row">1990s</th><td>1</td><td>0</td><td>1</td></tr></tbody>') in page
    assert '<th scope="row" lang="fr">famille</th><td>1</td><td>1</td><td>2</td>' in page


def test_the_csv_report_has_a_byte_order_mark_for_excel_and_is_still_known_as_a_report(make_site, tmp_path) -> None:
    import csv

    site = make_site({"content/memories/a.md": memory("Goûter à l'école")})
    report = tmp_path / "r.csv"
    for _ in range(2):  # the second run recognises the first one's report, byte-order mark and all
        result = site.check("--report", str(report))
        assert result.exit_code == 0, result.output
    assert report.read_bytes().startswith(b"\xef\xbb\xbfpath,line,slug,title,")
    with report.open(encoding="utf-8-sig", newline="") as handle:
        assert [row["title"] for row in csv.DictReader(handle)] == ["Goûter à l'école"]


@pytest.mark.parametrize("title", ["Souvenir;=cmd|' /C calc'!A0;", 'Souvenir; "@SUM(1+1)', "Souvenir;-2+3"])
def test_no_cell_of_the_csv_report_starts_a_formula_where_excel_splits_it_at_semicolons(
        make_site, tmp_path, title: str) -> None:
    import csv
    import json

    # A French-locale Excel opening the file splits its lines at ";": a title's ";" starts a cell there.
    site = make_site({"content/memories/a.md": memory(json.dumps(title))})
    report = tmp_path / "r.csv"
    assert site.check("--report", str(report)).exit_code == 0
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    cells = [cell for line in lines for cell in line.split(";")]
    assert not [cell for cell in cells if cell.lstrip(' "')[:1] in ("=", "+", "-", "@")], lines
    with report.open(encoding="utf-8-sig", newline="") as handle:
        # The title, with the apostrophe that keeps it text where a cell would start.
        assert [row["title"] for row in csv.DictReader(handle)] == [title.replace(";", ";'", 1)]


def test_an_email_address_or_phone_number_in_a_file_name_is_a_warning_that_does_not_repeat_it(
        make_site, tmp_path) -> None:
    import json

    site = make_site({
        "content/memories/jean.dupont@example.org.md": memory("A"),
        "content/memories/appel-0612345678.md": memory("B"),  # the slug's own warning says it
        "content/memories/c.md": memory("C", extra="media:\n  - {src: photos/marie@example.org.jpg, alt: Une photo}\n"),
        "content/memories/photos/marie@example.org.jpg": photo((64, 48)),
    })
    result = site.check("--report", str(tmp_path / "r.json"))
    assert result.exit_code == 0, result.output
    assert ("content/memories/jean.dupont@example.org.md:1: warning: the file's name seems to contain an email "
            "address") in result.stderr
    assert "content/memories/c.md:10: warning: the name of the photo at this line seems to contain an email" \
        in result.stderr
    assert result.stderr.count("appel-0612345678.md") == 1
    data = json.loads((tmp_path / "r.json").read_text())
    found = {r["slug"]: r["personal_data"] for r in data["personal_data"]}
    assert sorted(found) == ["appel-0612345678", "c", "jean-dupont-example-org"]
    assert "marie@" not in json.dumps(found)


def test_an_email_address_or_phone_number_in_a_title_never_reaches_the_shared_report(make_site, tmp_path) -> None:
    # The dashboard is mailed beyond the team: a fan's address written in a title is warned
    # about, and left out of the title the report shows, in every format.
    site = make_site({"content/memories/a.md": memory("Écrivez à jean.dupont@example.org ou au 06 12 34 56 78"),
                      "content/galleries/g/index.yaml": "title: Galerie de marie@example.net\nimages: []\n"})
    for kind in ("html", "json", "csv"):
        report = tmp_path / f"r.{kind}"
        result = site.check("--report", str(report), "--format", kind)
        assert "an email address" in result.stderr
        text = report.read_text(encoding="utf-8-sig")
        assert "Écrivez à" in text and "Galerie de" in text
        assert "example.org" not in text and "example.net" not in text and "06 12 34 56 78" not in text, kind


def test_each_photo_without_alt_text_is_listed_at_its_line(make_site, tmp_path) -> None:
    # A count ("2") left the editor to search the file for the photos; each is named at its line,
    # in every format, a name holding an address shown without it (the report is shared).
    import csv
    import json

    small = photo((64, 48))
    site = make_site({
        "content/memories/a.md": memory("A", extra="media:\n  - src: m.jpg\n"),
        "content/memories/m.jpg": small,
        "content/galleries/g/index.yaml": "title: Galerie\nimages:\n  - {src: photos/a.jpg, alt: Une photo}\n"
                                          "  - {src: photos/b.jpg}\n  - src: photos/marie@example.net.jpg\n",
        "content/galleries/g/photos/a.jpg": small, "content/galleries/g/photos/b.jpg": small,
        "content/galleries/g/photos/marie@example.net.jpg": small,
    })
    assert site.check("--report", str(tmp_path / "r.json")).exit_code == 0
    data = json.loads((tmp_path / "r.json").read_text())
    assert [r["photos_without_alt"] for r in data["missing_alt"]] == [["line 10: m.jpg"]]
    assert [r["photos_without_alt"] for r in data["editorial_missing_alt"]] == [
        ["line 4: photos/b.jpg", "line 5: photos/ …"]]
    assert site.check("--report", str(tmp_path / "r.html")).exit_code == 0
    section = (tmp_path / "r.html").read_text().split('<h2 id="s4">')[1].split("</section>")[0]
    assert "<td>line 10: m.jpg</td>" in section and "<td>line 4: photos/b.jpg; line 5: photos/ …</td>" in section
    assert site.check("--report", str(tmp_path / "r.csv")).exit_code == 0
    with (tmp_path / "r.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert [row["photos_without_alt"] for row in csv.DictReader(handle)] == [
            "line 10: m.jpg", "line 4: photos/b.jpg; line 5: photos/ …"]
    assert "marie" not in (tmp_path / "r.json").read_text() + (tmp_path / "r.html").read_text()


def test_a_csv_report_of_an_earlier_version_is_still_replaced(make_site, tmp_path) -> None:
    site = make_site({"content/memories/a.md": memory("A")})
    report = tmp_path / "r.csv"
    report.write_text("\ufeffpath,line,slug,title,status,date,published,reason,consent_expires,missing_alt,"
                      "personal_data\ncontent/memories/a.md,1,a,A,approved,1986-07,True,,,0,\n", encoding="utf-8")
    result = site.check("--report", str(report))
    assert result.exit_code == 0, result.output
    assert "photos_without_alt" in report.read_text(encoding="utf-8-sig").splitlines()[0]


def test_the_html_report_marks_what_it_quotes_from_the_site_with_the_sites_language(make_site, tmp_path) -> None:
    # The report's own words are English (the page's lang); the titles and tags it quotes are
    # the site's (or a memory's own language), which a screen reader must read with their voice.
    site = make_site({
        "content/memories/a.md": memory("Goûter chez mamie", extra="tags: [famille]\n"),
        "content/memories/b.md": memory("Tea at grandma's", extra="language: en\n"),
        "content/galleries/g/index.yaml": "title: Galerie\nimages:\n  - src: p.jpg\n",
        "content/galleries/g/p.jpg": photo((64, 48)),
    }, config="title: Maison Tartine\nbase_url: https://example.org/\nlanguage: fr\n")
    assert site.check("--report", str(tmp_path / "r.html")).exit_code == 0
    page = (tmp_path / "r.html").read_text()
    assert '<html lang="en">' in page
    assert '<span lang="fr">Maison Tartine</span> · judged on' in page
    assert '<td lang="fr">Goûter chez mamie</td>' in page
    assert "<td>Tea at grandma&#x27;s</td>" in page and 'lang="en">Tea' not in page
    assert '<td lang="fr">Galerie</td><td>gallery</td>' in page
    assert '<th scope="row" lang="fr">famille</th>' in page
    # An English site quotes English: nothing to mark.
    site.write("storysite.yaml", "title: Maison Tartine\nbase_url: https://example.org/\nlanguage: en\n")
    assert site.check("--report", str(tmp_path / "r.html")).exit_code == 0
    page = (tmp_path / "r.html").read_text()
    assert '<html lang="en">' in page and 'lang="fr"' not in page
    assert '<td lang="en">Tea' not in page


def test_the_csv_report_lists_the_pages_galleries_milestones_and_campaigns_to_fix_after_the_memories(
        make_site, tmp_path) -> None:
    # The spreadsheet is the editors' list of what to fix: a gallery's photos without alt text
    # or a page's personal data were in the HTML and JSON reports only.
    import csv

    small = photo((64, 48))
    site = make_site({
        "content/memories/a.md": memory("A"),
        "content/galleries/g/index.yaml": "title: Galerie\nimages:\n  - {src: photos/a.jpg, alt: Une photo}\n"
                                          "  - {src: photos/b.jpg}\n",
        "content/galleries/g/photos/a.jpg": small, "content/galleries/g/photos/b.jpg": small,
        "content/galleries/clean.yaml": "title: Propre\nimages:\n  - {src: g/photos/a.jpg, alt: Une photo}\n",
        "content/pages/p.md": "---\ntitle: Page\n---\nAppelez Jean au 06 12 34 56 78.\n",
        "content/pages/q.md": "---\ntitle: Sans souci\n---\nRien.\n",
    })
    report = tmp_path / "r.csv"
    for _ in range(2):  # and a report with these rows is known again as one
        assert site.check("--report", str(report)).exit_code == 0
    with report.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0])[-1] == "kind"
    assert [(r["kind"], r["path"], r["title"], r["status"], r["published"], r["missing_alt"],
             r["photos_without_alt"]) for r in rows] == [
        ("memory", "content/memories/a.md", "A", "approved", "True", "0", ""),
        ("gallery", "content/galleries/g/index.yaml", "Galerie", "", "", "1", "line 4: photos/b.jpg"),
        ("page", "content/pages/p.md", "Page", "", "", "0", ""),
    ]
    assert rows[2]["personal_data"] == ("line 4: the text seems to contain a phone number, which would be "
                                        "published; if it is the brand's own, list it in privacy.public_contacts")
