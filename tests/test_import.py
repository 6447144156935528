"""storysite import: form exports → submitted memories; personal data → the private store."""

from __future__ import annotations

import csv
import errno
import io
import json
import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import FORM_EXPORT, Site

MAPPING = """\
columns:
  title: Titre
  text: Souvenir
  date: Année
  location: Ville
  name: Nom
  email: Courriel
  phone: Téléphone
  consent: Accord
  consent_timestamp: Horodatage
  label: Étiquette
consent_accepted: [oui]
consent_scope: [site, share]
label_design: classique
"""
HEADER = "Titre;Souvenir;Année;Ville;Nom;Courriel;Téléphone;Accord;Horodatage;Étiquette\n"
ROWS = (
    'Le goûter;"Chez mamie,\nle mercredi.";1986;Lyon;Romain Lefèvre;romain@example.net;0612345678;oui;'
    "02/03/2026 10:11;Romain\n"
    "Le bus;Le bus de l'école.;1992-05;Brest;Anne Kerlo;anne@example.net;;non;;\n"
)


def write_export(site: Site, text: str, name: str = "export.csv", encoding: str = "utf-8") -> Path:
    path = site.root / name
    path.write_bytes(text.encode(encoding))
    return path


def run_import(site: Site, export: Path, *extra: str):
    return site.run("import", str(export), "--site", str(site.root), *extra)


def test_import_creates_submitted_memories_and_keeps_personal_data_private(make_site) -> None:
    site = make_site({"map.yaml": MAPPING})
    export = write_export(site, "\ufeff" + HEADER + ROWS)
    result = run_import(site, export, "--map", str(site.root / "map.yaml"))
    assert result.exit_code == 0, result.output
    assert "Imported 2 new memories" in result.stdout
    files = sorted((site.root / "content/memories").glob("*.md"))
    assert [f.name for f in files] == ["le-bus.md", "le-gouter.md"]
    gouter = (site.root / "content/memories/le-gouter.md").read_text()
    assert "status: submitted" in gouter and "Romain L." in gouter and "granted: '2026-03-02'" in gouter
    assert "Chez mamie,\nle mercredi." in gouter
    assert "label:" in gouter and "design: classique" in gouter
    content_tree = "".join(f.read_text() for f in files)
    for secret in ("Lefèvre", "romain@example.net", "0612345678", "Kerlo", "anne@example.net", "10:11"):
        assert secret not in content_tree, secret
    assert "consent:" not in (site.root / "content/memories/le-bus.md").read_text()  # refused consent
    store = (site.root / "private/submissions.jsonl").read_text()
    assert "romain@example.net" in store and "Lefèvre" in store
    assert (site.root / "private/key").stat().st_mode & 0o077 == 0


def test_reimport_adds_nothing_twice_and_keeps_editor_changes(make_site) -> None:
    site = make_site({"map.yaml": MAPPING})
    export = write_export(site, HEADER + ROWS)
    assert run_import(site, export, "--map", str(site.root / "map.yaml")).exit_code == 0
    edited = site.root / "content/memories/le-gouter.md"
    edited.write_text(edited.read_text().replace("Chez mamie", "Chez ma grand-mère"))
    again = run_import(site, export, "--map", str(site.root / "map.yaml"))
    assert again.exit_code == 0
    assert "Imported 0 new memories" in again.stdout and "2 duplicate(s)" in again.stdout
    assert "export.csv:2: warning: already imported" in again.stderr
    assert "Chez ma grand-mère" in edited.read_text()
    assert len(list((site.root / "content/memories").glob("*.md"))) == 2


def test_author_ids_are_stable_and_opaque(make_site) -> None:
    site = make_site({"map.yaml": MAPPING})
    rows = HEADER + ROWS + "Encore;Un autre souvenir.;1990;Lyon;Romain Lefèvre;ROMAIN@example.net;;oui;2026-03-05;\n"
    assert run_import(site, write_export(site, rows), "--map", str(site.root / "map.yaml")).exit_code == 0
    texts = {f.name: f.read_text() for f in (site.root / "content/memories").glob("*.md")}
    ids = {name: re.search(r"id: (fan-[0-9a-f]{12})", text).group(1) for name, text in texts.items()}
    assert ids["le-gouter.md"] == ids["encore.md"] != ids["le-bus.md"]


def test_bad_rows_are_reported_with_row_numbers(make_site) -> None:
    site = make_site({"map.yaml": MAPPING})
    rows = (HEADER + ";;1986;Lyon;A;a@x.org;;oui;;\n" + "T;Texte;1986-02-30;Lyon;B;b@x.org;;oui;;\n"
            + "T2;Texte 2;1986;c@x.org;C;c@x.org;;oui;;\n" + ROWS.splitlines(keepends=True)[-1])
    result = run_import(site, write_export(site, rows), "--map", str(site.root / "map.yaml"))
    assert result.exit_code == 1, result.output  # rows were left out
    assert "export.csv:2: the memory text is empty" in result.stderr
    # (A date that cannot be read does not cost the fan their memory: imported without one.)
    assert "export.csv:3: warning: date: '1986-02-30' is not a date" in result.stderr
    assert "imported without a date: add it by hand from '1986-02-30'" in result.stderr
    assert "export.csv:4: location looks like an email address" in result.stderr
    assert "2 new memories" in result.stdout and "2 row(s) rejected" in result.stdout


def test_html_in_every_field_is_inert_in_the_built_site(make_site) -> None:
    # No label design in this small site: the label column is imported as nothing.
    site = make_site({"map.yaml": MAPPING.replace("label_design: classique\n", "")})
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    row = ";".join([evil, evil, "1986", evil, evil, "e@x.org", "", "oui", "2026-01-01", evil]) + "\n"
    assert run_import(site, write_export(site, HEADER + row), "--map", str(site.root / "map.yaml")).exit_code == 0
    path = next((site.root / "content/memories").glob("*.md"))
    path.write_text(path.read_text().replace("status: submitted", "status: approved"))
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "<script>alert" not in site.all_output_text()


def test_json_exports_and_comma_csv_without_mapping(make_site) -> None:
    site = make_site({})
    data = [{"title": "Un", "text": "Premier.", "email": "u@x.org", "consent": "yes",
             "consent_timestamp": "2026-01-02T09:00:00Z"}]
    export = site.root / "export.json"
    export.write_text(json.dumps(data))
    result = run_import(site, export)
    assert result.exit_code == 0, result.output
    assert "granted: '2026-01-02'" in (site.root / "content/memories/un.md").read_text()
    csv_export = write_export(site, 'title,text\n"Deux, avec virgule","Texte\nsur deux lignes"\n', "b.csv")
    assert run_import(site, csv_export).exit_code == 0
    assert "Texte\nsur deux lignes" in (site.root / "content/memories/deux-avec-virgule.md").read_text()


def test_latin1_export_suggests_encoding(make_site) -> None:
    site = make_site({"map.yaml": MAPPING})
    export = write_export(site, HEADER + ROWS, encoding="latin-1")
    result = run_import(site, export, "--map", str(site.root / "map.yaml"))
    assert result.exit_code == 1
    assert "--encoding cp1252" in result.stderr
    memories = site.root / "content/memories"
    assert not memories.exists() or not list(memories.iterdir())
    fixed = run_import(site, export, "--map", str(site.root / "map.yaml"), "--encoding", "latin-1")
    assert fixed.exit_code == 0, fixed.output


def test_wrong_delimiter_and_missing_column_name_the_mapping_line(make_site) -> None:
    site = make_site({"map.yaml": MAPPING})
    export = write_export(site, HEADER.replace(";", "|") + ROWS.replace(";", "|"))
    result = run_import(site, export, "--map", str(site.root / "map.yaml"))
    assert result.exit_code == 1
    assert ("map.yaml:3: text: column 'Souvenir' is not in export.csv: correct it; the header is a single column: "
            "is the delimiter right?") in result.stderr


def test_mapping_that_publishes_an_email_is_refused(make_site) -> None:
    site = make_site({"map.yaml": MAPPING.replace("location: Ville", "location: Courriel")})
    result = run_import(site, write_export(site, HEADER + ROWS), "--map", str(site.root / "map.yaml"))
    assert result.exit_code == 1
    assert "map.yaml:5: location: column 'Courriel' holds personal data" in result.stderr


def test_photos_are_copied_and_urls_reported(make_site) -> None:
    site = make_site({"photos/p.jpg": b"\xff\xd8fake"})
    rows = "title,text,photo\nAvec photo,Texte un,photos/p.jpg\nAvec URL,Texte deux,https://example.org/x.jpg\n"
    result = run_import(site, write_export(site, rows))
    assert result.exit_code == 0, result.output
    assert (site.root / "content/memories/avec-photo/photo.jpg").read_bytes() == b"\xff\xd8fake"
    assert "src: photo.jpg" in (site.root / "content/memories/avec-photo/index.md").read_text()
    assert "export.csv:3: warning: photo is a URL" in result.stderr


def test_new_site_has_an_example_mapping_and_ignores_private(tmp_path) -> None:
    from click.testing import CliRunner

    from storysite.cli import main

    target = tmp_path / "s"
    assert CliRunner().invoke(main, ["new", str(target)]).exit_code == 0
    assert "columns:" in (target / "import-mapping.yaml").read_text()
    assert "/private/" in (target / ".gitignore").read_text()


# -- an import that stops part-way: memories and private records stay together ---------------


def _csv(rows: list[tuple[str, str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["title", "text", "email"])
    writer.writerows(rows)
    return buffer.getvalue()


def _memories_and_records(site: Site) -> tuple[set[str], set[str]]:
    """The memory files written, and the memories the private store has a record for."""
    files = {p.relative_to(site.root).as_posix() for p in (site.root / "content/memories").rglob("*.md")}
    store = site.root / "private/submissions.jsonl"
    lines = store.read_text("utf-8").splitlines() if store.exists() else []
    return files, {json.loads(line)["memory"] for line in lines}


FIVE_ROWS = [(f"t{i}", f"Texte {i}", "fan1@example.org") for i in range(5)]


def test_a_cell_longer_than_the_csv_modules_default_limit_is_imported(make_site) -> None:
    # csv's own limit is 131,072 characters; a memory may be as long as limits.max_file_bytes.
    site = make_site({})
    rows = [*FIVE_ROWS, ("Long", "x" * 200_000, "fan2@example.org"), ("t6", "Texte 6", "fan1@example.org")]
    result = run_import(site, write_export(site, _csv(rows)))
    assert result.exit_code == 0, result.output
    assert "Imported 7 new memories" in result.stdout
    files, recorded = _memories_and_records(site)
    assert len(files) == 7 and files == recorded
    assert "x" * 200_000 in (site.root / "content/memories/long.md").read_text()


def test_an_unreadable_row_stops_the_import_with_every_memory_recorded(make_site, monkeypatch) -> None:
    site = make_site({}, config="title: T\nbase_url: https://example.org/\nlimits: {max_file_bytes: 50000}\n")
    rows = [*FIVE_ROWS[:3], ("Presque", "y" * 49_990, "fan3@example.org"), ("t3", "Texte\nsur deux lignes", "fan1@example.org"),
            ("Trop long", "z" * 60_000, "fan2@example.org"), ("t6", "Texte 6", "fan1@example.org")]
    export = write_export(site, _csv(rows))
    result = run_import(site, export)
    assert result.exit_code == 1
    assert "internal error" not in result.output and "Traceback" not in result.output
    assert ("export.csv:5: the memory would be 50,063 bytes, more than limits.max_file_bytes (50,000); "
            "row left out") in result.stderr
    assert ("export.csv:8: row 7: a cell is longer than limits.max_file_bytes (50,000 characters), too long "
            "for a memory; the import stopped here") in result.stderr
    assert "Imported 4 new memories" in result.stdout and "1 row(s) rejected" in result.stdout
    files, recorded = _memories_and_records(site)
    assert files == recorded == {f"content/memories/t{i}.md" for i in range(4)}

    again = run_import(site, export)  # the rows already imported are recognised, not duplicated
    assert again.exit_code == 1
    assert "Imported 0 new memories" in again.stdout and "4 duplicate(s) skipped" in again.stdout
    assert _memories_and_records(site) == (files, recorded)

    monkeypatch.chdir(site.root)  # withdraw as an editor runs it, from the site folder
    withdrawn = site.run("withdraw", "fan1@example.org")
    assert withdrawn.exit_code == 0, withdrawn.output
    assert all(f"Withdrawn: t{i} (content/memories/t{i}.md)" in withdrawn.stdout for i in range(4))
    assert "Erased 4 record(s)" in withdrawn.stdout


@pytest.mark.parametrize("fault", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()])
def test_a_memory_whose_private_record_cannot_be_written_is_not_left(make_site, monkeypatch, fault) -> None:
    from storysite.privatestore import RecordAppender

    site = make_site({})
    real_add = RecordAppender.add
    calls: list[int] = []

    def add(self: RecordAppender, record: dict) -> None:
        calls.append(1)
        if len(calls) == 3:
            raise fault
        real_add(self, record)

    monkeypatch.setattr(RecordAppender, "add", add)
    result = run_import(site, write_export(site, _csv(FIVE_ROWS)))
    assert "internal error" not in result.output
    files, recorded = _memories_and_records(site)
    assert files == recorded == {"content/memories/t0.md", "content/memories/t1.md"}
    if isinstance(fault, OSError):
        assert result.exit_code == 1
        assert ("export.csv:4: cannot write content/memories/t2.md or its private record: No space left on "
                "device; the import stopped here") in result.stderr
    else:
        assert result.exit_code == 130
    monkeypatch.setattr(RecordAppender, "add", real_add)
    again = run_import(site, write_export(site, _csv(FIVE_ROWS)))
    assert again.exit_code == 0, again.output
    assert "Imported 3 new memories" in again.stdout and "2 duplicate(s) skipped" in again.stdout
    files, recorded = _memories_and_records(site)
    assert files == recorded and len(files) == 5


def test_json_nested_too_deep_or_with_odd_values_gives_clean_errors(make_site) -> None:
    site = make_site({})
    deep = site.root / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    result = run_import(site, deep)
    assert result.exit_code == 1
    assert "deep.json:1: not valid JSON for an export: nested more than 100 levels deep" in result.stderr
    assert "internal error" not in result.output and "Nothing was imported." in result.stderr
    deep.write_text('[\n  {"text": "Un."},\n  {"text": ' + "[" * 100_000 + "]" * 100_000 + "}\n]\n")
    assert "deep.json:3: not valid JSON for an export" in run_import(site, deep).stderr
    assert not (site.root / "content/memories").exists()

    odd = site.root / "odd.json"
    odd.write_text('[{"text": ["Un", "deux"]}, {"text": "Trois", "title": {"a": 1}}, {"text": "Qu\\ud800atre"},'
                   ' {"text": "Cinq", "consent": true}]')
    result = run_import(site, odd)
    assert result.exit_code == 1, result.output  # rows were left out
    assert "odd.json:1: entry 1: text: expected text, found a list; row left out" in result.stderr
    assert "odd.json:1: entry 2: title: expected text, found an object; row left out" in result.stderr
    assert "odd.json:1: entry 3: text: holds a broken character" in result.stderr
    assert "Imported 1 new memories" in result.stdout and "3 row(s) rejected" in result.stdout


# -- standard CSV: doubled quotes, and rows longer than the header ------------------------------

QUOTE_MAP = "columns: {title: Title, text: Your memory, name: Full name, email: Email}\n"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_doubled_quotes_are_one_quote_and_cells_stay_in_their_columns(make_site, delimiter: str) -> None:
    site = make_site({"m.yaml": QUOTE_MAP})
    rows = [["Title", "Your memory", "Full name", "Email"],
            ["Quote2", f'He said "hi" to me{delimiter} and left', "Ann Lee", "ann2@example.org"],
            ["L'été", "Chez l'oncle, à l'heure du goûter.", "Zoé Martin", "zoe@example.org"]]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)  # RFC 4180: "" inside quotes
    result = run_import(site, write_export(site, buffer.getvalue(), "q2.csv"), "--map", str(site.root / "m.yaml"))
    assert result.exit_code == 0, result.output
    assert "Imported 2 new memories" in result.stdout
    memory_text = (site.root / "content/memories/quote2.md").read_text()
    assert f'He said "hi" to me{delimiter} and left\n' in memory_text
    assert "display: Ann L." in memory_text
    records = [json.loads(line) for line in (site.root / "private/submissions.jsonl").read_text().splitlines()]
    assert [(r["name"], r["email"]) for r in records] == [("Ann Lee", "ann2@example.org"),
                                                          ("Zoé Martin", "zoe@example.org")]
    withdrawn = site.run("withdraw", "ann2@example.org", "--site", str(site.root))
    assert withdrawn.exit_code == 0, withdrawn.output
    assert "Withdrawn: quote2" in withdrawn.stdout


def test_a_row_with_more_cells_than_the_header_is_left_out_with_its_line(make_site) -> None:
    site = make_site({"m.yaml": QUOTE_MAP})
    export = ("Title,Your memory,Full name,Email\n"
              "Un,Premier souvenir,Ann Lee,ann@example.org\n"
              'Deux,"Sur deux\nlignes",Bob, Martin,bob@example.org\n'
              "Trois,Troisième souvenir,Eve Roux,eve@example.org,\n")  # a trailing empty cell is harmless
    result = run_import(site, write_export(site, export), "--map", str(site.root / "m.yaml"))
    assert result.exit_code == 1, result.output  # rows were left out
    assert ("export.csv:3: row 3 has 5 cells, more than the 4 columns of the header (a cell with a delimiter or "
            "a quote that is not quoted?); row left out") in result.stderr
    assert "Imported 2 new memories" in result.stdout and "1 row(s) rejected" in result.stdout
    assert sorted(p.name for p in (site.root / "content/memories").iterdir()) == ["trois.md", "un.md"]
    assert "bob@example.org" not in (site.root / "private/submissions.jsonl").read_text()


def test_the_sites_import_mapping_is_used_when_no_map_is_given(tmp_path, monkeypatch) -> None:
    from click.testing import CliRunner

    from storysite.cli import main

    runner = CliRunner()
    site = tmp_path / "s"
    assert runner.invoke(main, ["new", str(site)]).exit_code == 0
    export = tmp_path / "export.csv"
    export.write_text(FORM_EXPORT, encoding="utf-8")
    env = {"SOURCE_DATE_EPOCH": "1795132800"}
    result = runner.invoke(main, ["import", str(export), "--site", str(site)], env=env)
    assert result.exit_code == 0, result.output
    assert "Used the site's import-mapping.yaml" in result.stdout and "Imported 1 new memories" in result.stdout
    text = (site / "content/memories/my-memory.md").read_text()
    assert "Some words" in text and "display: Romain L." in text and "granted: '2024-01-01'" in text
    # Run from the site folder, as an editor does: the same mapping, and the row is known already.
    monkeypatch.chdir(site)
    again = runner.invoke(main, ["import", str(export)], env=env)
    assert again.exit_code == 0, again.output
    assert "Used the site's import-mapping.yaml" in again.stdout and "1 duplicate(s)" in again.stdout
    # A mapping given with --map wins, and the site's is not mentioned.
    (tmp_path / "other.yaml").write_text("columns: {text: Your memory, title: Title}\n")
    other = runner.invoke(main, ["import", str(export), "--map", str(tmp_path / "other.yaml")], env=env)
    assert other.exit_code == 0, other.output
    assert "import-mapping.yaml" not in other.output
    # An export made for the default mapping (a 'text' column) is read by name, as before.
    plain = tmp_path / "plain.csv"
    plain.write_text("title,text,name,email,consent,consent_timestamp\n"
                     "Le goûter,Chez mamie Zoé.,Zoé Martin,zoe@example.net,yes,2026-01-02\n", encoding="utf-8")
    by_name = runner.invoke(main, ["import", str(plain)], env=env)
    assert by_name.exit_code == 0, by_name.output
    assert "import-mapping.yaml" not in by_name.output and "Imported 1 new memories" in by_name.stdout
    assert "Chez mamie Zoé." in (site / "content/memories/le-gouter.md").read_text()
    # A mapping that does not fit the export names its own lines.
    (site / "import-mapping.yaml").write_text("columns:\n  text: Votre souvenir\n")
    wrong = runner.invoke(main, ["import", str(export)], env=env)
    assert wrong.exit_code == 1
    assert "import-mapping.yaml:2: text: column 'Votre souvenir' is not in export.csv" in wrong.stderr


def test_an_over_long_title_is_imported_with_a_warning_at_its_row(make_site) -> None:
    site = make_site({})
    rows = [("Court", "Texte", "a@x.org"), ("W" * 20_000, "Un texte.", "b@x.org"),
            ("", "W" * 20_000 + " et la suite", "c@x.org")]
    result = run_import(site, write_export(site, _csv(rows)))
    assert result.exit_code == 0, result.output
    assert ("export.csv:3: warning: title: over 10,000 characters long; a title should have at most 200 "
            "(search engines show about 60, the share card what fits): shorten it, and move the rest into the "
            "text") in result.stderr
    assert result.stderr.count("title:") == 1  # the title made from the text is short
    assert "Imported 3 new memories" in result.stdout
    texts = {p.name: p.read_text("utf-8") for p in (site.root / "content/memories").glob("*.md")}
    assert any(f"title: {'W' * 20_000}\n" in text for text in texts.values())  # imported as the fan wrote it
    derived = next(text for text in texts.values() if "et la suite" in text)
    title = re.search(r"^title: (.*)$", derived, re.M)
    assert title is not None and title[1] == "W" * 79 + "…"
    check = site.check()
    assert check.exit_code == 0 and check.stderr.count("warning: title: over 10,000 characters long") == 1


def _photo_taken_somewhere(orientation: int = 6) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (64, 48))
    image.putdata([(x * 4 % 256, y * 5 % 256, (x * y) % 256) for y in range(48) for x in range(64)])
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (45.0, 45.0, 36.0), 3: "E", 4: (4.0, 50.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif, comment=b"Chez Josette, 12 rue des Lilas")
    return out.getvalue()


def test_an_imported_photo_comes_without_where_it_was_taken_its_pixels_untouched(make_site) -> None:
    from PIL import Image

    original = _photo_taken_somewhere()
    site = make_site({"photos/p.jpg": original})
    result = run_import(site, write_export(site, "title,text,photo\nAvec photo,Texte un,photos/p.jpg\n"))
    assert result.exit_code == 0, result.output
    copied = (site.root / "content/memories/avec-photo/photo.jpg").read_bytes()
    assert b"Lilas" not in copied and b"PhoneMaker" not in copied
    with Image.open(io.BytesIO(copied)) as image, Image.open(io.BytesIO(original)) as before:
        assert dict(image.getexif().get_ifd(0x8825)) == {}
        assert image.getexif().get(0x0112) == 6  # still shown the right way up
        assert image.tobytes() == before.tobytes()  # not encoded again
    # The original export is left as it was; check finds nothing left to say of the photo.
    assert (site.root / "photos/p.jpg").read_bytes() == original
    assert "where it was taken" not in site.check().stderr


def test_check_names_a_photo_of_the_content_tree_that_says_where_it_was_taken(make_site) -> None:
    from PIL import Image

    from tests.conftest import memory

    plain = io.BytesIO()
    Image.new("RGB", (32, 32)).save(plain, "JPEG")
    site = make_site({
        "content/memories/a/index.md": memory("A", extra="media:\n  - src: gps.jpg\n    alt: Une tartine\n"),
        "content/memories/a/gps.jpg": _photo_taken_somewhere(),
        "content/galleries/g/index.yaml": "title: G\nimages:\n  - {src: plain.jpg, alt: Un pot}\n",
        "content/galleries/g/plain.jpg": plain.getvalue(),
    })
    result = site.check()
    assert ("content/memories/a/index.md:10: warning: photo 'gps.jpg' holds a GPS position (where it was taken)"
            in result.stderr), result.stderr
    assert "plain.jpg" not in result.stderr
    # The site never shows it.
    assert site.build().exit_code == 0
    assert not any(b"PhoneMaker" in p.read_bytes() or b"Lilas" in p.read_bytes()
                   for p in site.public.rglob("*") if p.is_file())


def test_import_warns_when_a_title_shows_the_part_of_a_name_the_policy_hides(make_site) -> None:
    rows = ("title,text,name\n"
            "Les tartines de Mamie Dupont,Texte un,Jean Dupont\n"
            "Jean et les tartines,Texte deux,Jean Martin\n")
    site = make_site()
    result = run_import(site, write_export(site, rows))
    assert result.exit_code == 0, result.output
    said = [line for line in result.stderr.splitlines() if "of the fan's name" in line]
    assert len(said) == 1 and "export.csv:2: warning: " in said[0] and "shows Dupont," in said[0], said
    assert "privacy.author_display (first_initial)" in said[0]


def test_reimporting_a_large_export_names_the_first_rows_already_imported_and_counts_the_rest(make_site) -> None:
    rows = "title,text,name\n" + "".join(f"Souvenir {i},Texte numéro {i}.,Fan {i}\n" for i in range(25))
    site = make_site()
    export = write_export(site, rows)
    assert run_import(site, export).exit_code == 0
    again = run_import(site, export)
    assert again.exit_code == 0, again.output
    said = [line for line in again.stderr.splitlines() if "already imported" in line]
    assert len(said) == 10 and said[0].endswith("export.csv:2: warning: already imported (same fan, same text); skipped")
    assert said[-1].endswith("export.csv:11: warning: already imported (same fan, same text); skipped (the next ones "
                             "are counted, not listed)")
    assert "25 duplicate(s) skipped" in again.stdout


# -- fan text as the export wrote it: line endings, columns, consent scopes ----------------------


def test_a_lone_carriage_return_in_fan_text_becomes_a_line_feed(make_site) -> None:
    site = make_site()
    export = write_export(site, 'title,text,location\nCR,"Old Mac\rline two\r\nline three",Lyon\r\n')
    result = run_import(site, export)
    assert result.exit_code == 0, result.output
    data = (site.root / "content/memories/cr.md").read_bytes()
    assert b"\r" not in data and data.endswith(b"---\nOld Mac\nline two\nline three\n"), data
    json_export = site.root / "export.json"
    json_export.write_text(json.dumps([{"title": "Json", "text": "Un\rdeux", "location": "Brest\r"}]))
    assert run_import(site, json_export).exit_code == 0
    data = (site.root / "content/memories/json.md").read_bytes()
    assert b"\r" not in data and data.endswith(b"---\nUn\ndeux\n") and b"location: Brest\n" in data
    # The same words again, with other line endings, are the same submission.
    again = write_export(site, 'title,text,location\nCR,"Old Mac\nline two\nline three",Lyon\n', "again.csv")
    assert "1 duplicate(s) skipped" in run_import(site, again).stdout


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_a_carriage_return_alone_in_an_unquoted_cell_is_a_line_break_in_that_cell(make_site, ending: str) -> None:
    # Text pasted from an old Mac into a form that does not quote it: the row was cut there, the
    # rest of it read as a row of its own, and the fan's email became the text of a memory.
    site = make_site()
    export = write_export(site, ending.join(["title;text;email;location", "Un;Chez mamie\rle mercredi;a@x.org;Lyon",
                                             "Le pot\rde 1986;Deux;b@x.org;Saint-\rMalo", "Trois;;c@x.org;Brest", ""]))
    result = run_import(site, export)
    assert result.exit_code == 1  # the third row has no text: named at its own line
    assert f"{export}:4: the memory text is empty; row left out" in result.stderr, result.stderr
    assert sorted(p.name for p in (site.root / "content/memories").iterdir()) == ["le-pot-de-1986.md", "un.md"]
    first = (site.root / "content/memories/un.md").read_text()
    assert first.endswith("---\nChez mamie\nle mercredi\n") and "location: Lyon" in first
    second = yaml.safe_load((site.root / "content/memories/le-pot-de-1986.md").read_text().split("---")[1])
    assert second["title"] == "Le pot de 1986" and second["author"]["location"] == "Saint- Malo"
    assert not any("@x.org" in p.read_text() for p in (site.root / "content/memories").iterdir())
    records = [json.loads(line) for line in (site.root / "private/submissions.jsonl").read_text().splitlines()]
    assert [(r["email"], r["original"], r["row"]) for r in records] == [("a@x.org", "Chez mamie\nle mercredi", 2),
                                                                         ("b@x.org", "Deux", 3)]


def test_an_old_macs_export_whose_rows_end_with_carriage_returns_is_read_row_by_row(make_site) -> None:
    site = make_site()
    export = write_export(site, 'title,text,location\rUn,"Texte\run",Lyon\rDeux,Texte deux,Brest\r')
    result = run_import(site, export)
    assert result.exit_code == 0, result.output
    assert (site.root / "content/memories/un.md").read_text().endswith("---\nTexte\nun\n")
    assert "location: Brest" in (site.root / "content/memories/deux.md").read_text()


def test_an_excel_for_mac_export_with_a_line_break_in_a_cell_is_read_row_by_row(make_site) -> None:
    # Excel for Mac ends rows with a carriage return alone and writes a line break in a cell as a
    # line feed: read at line feeds, the export was one row, its header, and nothing was imported.
    site = make_site()
    export = write_export(site, 'title,text,location\rUn,"Chez mamie\nle mercredi",Lyon\rDeux,Texte deux,Brest\r')
    result = run_import(site, export)
    assert result.exit_code == 0, result.output
    assert "Imported 2 new memories" in result.stdout, result.output
    assert (site.root / "content/memories/un.md").read_text().endswith("---\nChez mamie\nle mercredi\n")
    assert "location: Brest" in (site.root / "content/memories/deux.md").read_text()


def test_a_line_break_in_a_one_line_field_is_a_space_in_the_memory_file(make_site) -> None:
    # The fan pressed Enter in the title's box: the file said `title: "Le pot\n\nde 1986"`.
    site = make_site()
    export = write_export(site, 'title,text,location\n"Le pot\n\nde  1986","Un\n\ndeux","Saint-\nMalo"\n')
    result = run_import(site, export)
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((site.root / "content/memories/le-pot-de-1986.md").read_text().split("---")[1])
    assert data["title"] == "Le pot de 1986" and data["author"]["location"] == "Saint- Malo"
    assert (site.root / "content/memories/le-pot-de-1986.md").read_text().endswith("---\nUn\n\ndeux\n")


def test_a_missing_optional_column_is_a_warning_and_a_missing_required_one_names_the_exports_columns(
        make_site) -> None:
    site = make_site({"map.yaml": MAPPING})
    # The form has no date, place, label or title question: those fields are imported empty.
    header = "Souvenir;Nom;Courriel;Téléphone;Accord;Horodatage\n"
    export = write_export(site, header + "Chez mamie.;Zoé Martin;zoe@example.org;;oui;2026-01-02\n")
    result = run_import(site, export, "--map", str(site.root / "map.yaml"))
    assert result.exit_code == 0, result.output
    for line, name, column in ((2, "title", "Titre"), (4, "date", "Année"), (5, "location", "Ville"),
                               (11, "label", "Étiquette")):
        assert (f"map.yaml:{line}: warning: {name}: column '{column}' is not in export.csv; imported without it"
                in result.stderr), result.stderr
    assert "Imported 1 new memories" in result.stdout
    assert "display: Zoé M." in (site.root / "content/memories/chez-mamie.md").read_text()

    # The text's column misspelt, the consent's missing: nothing is imported, and the errors say
    # what the export has, once.
    typo = write_export(site, "Titre;Souvenirs;Nom;Courriel;Téléphone;Horodatage\nT;Texte.;A B;a@x.org;;\n", "t.csv")
    result = run_import(site, typo, "--map", str(site.root / "map.yaml"))
    assert result.exit_code == 1
    assert ("map.yaml:3: text: column 'Souvenir' is not in t.csv (did you mean 'Souvenirs'?): correct it; t.csv has "
            "the columns 'Titre', 'Souvenirs', 'Nom', 'Courriel', 'Téléphone', 'Horodatage'") in result.stderr
    assert ("map.yaml:9: consent: column 'Accord' is not in t.csv: correct it, or remove the line if the form does "
            "not ask for it\n") in result.stderr
    assert result.stderr.count("has the columns") == 1 and "Nothing was imported." in result.stderr
    assert [p.name for p in (site.root / "content/memories").iterdir()] == ["chez-mamie.md"]

    # Without a mapping, the same help for the 'text' column.
    plain = write_export(site, "titre,texte\nT,Un texte.\n", "plain.csv")
    result = run_import(site, plain)
    assert result.exit_code == 1
    assert ("plain.csv:1: no 'text' column (did you mean 'texte'?); plain.csv has the columns 'titre', 'texte'; "
            "give a mapping with --map") in result.stderr


SCOPE_MAP = """\
columns:
  title: Titre
  text: Souvenir
  email: Courriel
  consent: Accord
  consent_scope: Où publier
consent_accepted: [oui]
consent_scope: [site, share]
consent_scope_words:
  Sur le site: site
  Sur l'étiquette: share
"""


def _scopes(site: Site) -> dict[str, list[str] | None]:
    """Each imported memory's consent scope (None: no consent)."""
    from storysite.yamlio import load_yaml

    found: dict[str, list[str] | None] = {}
    for path in (site.root / "content/memories").glob("*.md"):
        front, _ = load_yaml(path.read_text("utf-8").split("---\n")[1])
        found[path.stem] = list(front["consent"]["scope"]) if "consent" in front else None
    return found


def test_each_row_may_say_its_own_consent_scope(make_site) -> None:
    site = make_site({"map.yaml": SCOPE_MAP})
    rows = ("Titre,Souvenir,Courriel,Accord,Où publier\n"
            "Un,Texte un,a@x.org,oui,site;share\n"
            'Deux,Texte deux,b@x.org,oui,"share, SITE"\n'
            "Trois,Texte trois,c@x.org,oui,Sur le site\n"
            'Quatre,Texte quatre,d@x.org,oui,"Sur le site, Sur l\'étiquette"\n'
            "Cinq,Texte cinq,e@x.org,oui,site share print\n"
            "Six,Texte six,f@x.org,non,site\n"
            "Sept,Texte sept,g@x.org,oui,\n"
            "Huit,Texte huit,h@x.org,oui,site partage\n"
            "Neuf,Texte neuf,i@x.org,oui,Partout\n")
    result = run_import(site, write_export(site, rows), "--map", str(site.root / "map.yaml"))
    assert result.exit_code == 1, result.output  # two rows left out
    assert _scopes(site) == {"un": ["site", "share"], "deux": ["site", "share"], "trois": ["site"],
                             "quatre": ["site", "share"], "cinq": ["site", "share", "print"], "six": None,
                             "sept": None}
    assert ("export.csv:8: warning: consent: 'oui', but no scope chosen (where the memory may appear); imported "
            "without consent") in result.stderr
    assert ("export.csv:9: consent_scope: unknown scope 'partage' in 'site partage'; use site, share, print, or give "
            "the form's answer its scope under consent_scope_words in the mapping; row left out") in result.stderr
    assert "export.csv:10: consent_scope: unknown scope 'Partout'; use site, share, print" in result.stderr
    assert "Imported 7 new memories" in result.stdout and "2 row(s) rejected" in result.stdout
    lines = (site.root / "private/submissions.jsonl").read_text("utf-8").splitlines()
    records = {r["memory"]: r for r in map(json.loads, lines)}
    assert records["content/memories/deux.md"]["consent"]["consent_scope"] == "share, SITE"  # the evidence
    assert site.check().exit_code == 0


def test_a_yes_no_column_per_scope_is_a_consent_answer(make_site) -> None:
    site = make_site({"map.yaml": "columns:\n  text: Souvenir\n  email: Courriel\n  consent_site: Site\n"
                                  "  consent_share: Étiquette\nconsent_accepted: [oui]\n"})
    rows = ("Souvenir,Courriel,Site,Étiquette\n"
            "Un,a@x.org,oui,oui\n"
            "Deux,b@x.org,oui,non\n"
            "Trois,c@x.org,non,\n")
    result = run_import(site, write_export(site, rows), "--map", str(site.root / "map.yaml"))
    assert result.exit_code == 0, result.output
    assert _scopes(site) == {"un": ["site", "share"], "deux": ["site"], "trois": None}


def test_an_unknown_scope_in_the_mapping_is_an_error_at_its_line(make_site) -> None:
    site = make_site({"map.yaml": "columns:\n  text: text\nconsent_scope: [site, shared]\n"
                                  "consent_scope_words:\n  Partout: all\n"})
    result = run_import(site, write_export(site, "text\nUn\n"), "--map", str(site.root / "map.yaml"))
    assert result.exit_code == 1
    assert "map.yaml:3: consent_scope: unknown scope 'shared'; use site, share, print" in result.stderr
    assert "map.yaml:5: consent_scope_words: 'Partout': unknown scope 'all'; use site, share, print" in result.stderr
    assert not (site.root / "content/memories").exists()


# -- hostile exports ------------------------------------------------------------------------------


def test_control_characters_in_an_export_never_reach_the_memory_file(make_site) -> None:
    site = make_site()
    export = write_export(site, 'title,text,location\n"Ti\x00tre","Un\x00 texte\x07 \x1b[31mrouge",Ly\x00on\n')
    result = run_import(site, export)
    assert result.exit_code == 0, result.output
    data = (site.root / "content/memories/titre.md").read_bytes()
    assert not any(byte < 0x20 and byte != 0x0A for byte in data), data  # git sees a text file
    assert b"title: Titre\n" in data and b"location: Lyon\n" in data and data.endswith(b"---\nUn texte [31mrouge\n")
    json_export = site.root / "export.json"
    json_export.write_text(json.dumps([{"title": "Json", "text": "Deux\u0000 \u009btextes"}]))
    assert run_import(site, json_export).exit_code == 0
    assert (site.root / "content/memories/json.md").read_bytes().endswith(b"---\nDeux textes\n")


def test_titles_that_make_one_slug_or_a_windows_device_name_get_slugs_of_their_own(make_site) -> None:
    site = make_site({"content/memories/ete.md": "---\ntitle: Été\nstatus: submitted\n---\nDéjà là.\n"})
    rows = "title,text\nÉté,un\nEte,deux\nÉTÉ !,trois\nNul,quatre\nCOM1,cinq\naux.,six\n🎉,sept\n!!!,huit\n"
    result = run_import(site, write_export(site, rows))
    assert result.exit_code == 0, result.output
    assert sorted(p.stem for p in (site.root / "content/memories").glob("*.md")) == [
        "aux-2", "com1-2", "ete", "ete-2", "ete-3", "ete-4", "nul-2", "souvenir", "souvenir-2"]
    check = site.check()
    assert check.exit_code == 0, check.output
    assert "device" not in check.stderr


def test_json_exports_of_other_shapes_say_what_they_hold(make_site) -> None:
    site = make_site()
    export = site.root / "export.json"
    export.write_text('{"total": 1, "submissions": [{"text": "Un."}]}')
    result = run_import(site, export)
    assert result.exit_code == 1
    assert ("export.json:1: expected a JSON list of objects, one per submission; found an object whose "
            "'submissions' holds such a list: export that list alone") in result.stderr
    export.write_text("[]")  # no submissions yet: as a CSV export with its header alone
    result = run_import(site, export)
    assert result.exit_code == 0, result.output
    assert "export.json:1: warning: the export holds no submissions (an empty list)" in result.stderr
    assert "Imported 0 new memories" in result.stdout and "'text'" not in result.stderr
    # A blank entry is left out as a CSV's blank line is; an entry that is no object is named.
    export.write_text('[{"text": "Un."}, {}, {"text": null, "title": " "}, null, 3]')
    result = run_import(site, export)
    assert result.exit_code == 1, result.output
    assert "export.json:1: entry 4: expected an object (one submission), found null; row left out" in result.stderr
    assert "export.json:1: entry 5: expected an object (one submission), found a number; row left out" in result.stderr
    assert "entry 2" not in result.stderr and "entry 3" not in result.stderr
    assert "Imported 1 new memories" in result.stdout and "2 row(s) rejected" in result.stdout


def test_a_mapped_column_that_the_header_names_twice_is_an_error(make_site) -> None:
    site = make_site()
    export = write_export(site, "title,text,Email,email,Comment,Comment\nT,Un texte.,,zoe@example.org,a,b\n")
    result = run_import(site, export)
    assert result.exit_code == 1
    assert ("export.csv:1: columns 3 and 4 of the header are both 'email', which feeds email: rename them in the "
            "export so that they differ, and map the right one") in result.stderr
    assert "Comment" not in result.stderr  # not mapped: never read
    assert not (site.root / "content/memories").exists()


def test_an_excel_export_with_a_byte_order_mark_and_a_sep_line_is_read_with_its_delimiter(make_site) -> None:
    site = make_site()
    export = write_export(site, "\ufeffsep=;\r\ntitle;text;location\r\nExcel;Un texte, avec virgule;Lyon\r\n"
                                "Vide;;Brest\r\n")
    result = run_import(site, export)
    assert result.exit_code == 1, result.output  # the row without text
    assert "export.csv:4: the memory text is empty; row left out" in result.stderr  # the file's own lines
    text = (site.root / "content/memories/excel.md").read_text("utf-8")
    assert "location: Lyon\n" in text and text.endswith("---\nUn texte, avec virgule\n")
    assert "Imported 1 new memories" in result.stdout


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_a_utf16_export_without_its_byte_order_mark_is_named_as_such(make_site, codec: str) -> None:
    site = make_site()
    export = write_export(site, "title\ttext\nSummer\tA text\n", encoding=codec)  # plain ASCII: valid UTF-8
    result = run_import(site, export)
    assert result.exit_code == 1
    assert ("export.csv:1: this looks like UTF-16 text without a byte-order mark (every other byte is 0); run "
            f"again with --encoding {codec}") in result.stderr
    fixed = run_import(site, export, "--encoding", codec)
    assert fixed.exit_code == 0, fixed.output
    assert (site.root / "content/memories/summer.md").read_text("utf-8").endswith("---\nA text\n")


def test_a_submission_sent_twice_in_one_export_names_its_first_copy(make_site) -> None:
    site = make_site()
    rows = "title,text,email\nUn,Texte un,a@x.org\nAutre,Texte autre,b@x.org\nUn (bis),Texte  un,A@x.org\n"
    result = run_import(site, write_export(site, rows))
    assert result.exit_code == 0, result.output
    assert "export.csv:4: warning: the same submission as line 2 (same fan, same text); skipped" in result.stderr
    export = site.root / "export.json"
    export.write_text(json.dumps([{"text": "Trois"}, {"text": "Trois"}]))
    result = run_import(site, export)
    assert "export.json:1: warning: entry 2: the same submission as entry 1 (same fan, same text); skipped" in result.stderr
    again = run_import(site, export)  # imported before: said as before
    assert "export.json:1: warning: entry 1: already imported (same fan, same text); skipped" in again.stderr
    assert "Imported 3 new memories" not in again.stdout and len(list((site.root / "content/memories").iterdir())) == 3


ID_MAPPING = "columns:\n  id: Réponse n°\n  title: Titre\n  text: Souvenir\n  email: Courriel\n  consent: Accord\n" \
             "consent_accepted: [oui]\n"
ID_HEADER = "Réponse n°;Titre;Souvenir;Courriel;Accord\n"


def test_a_submission_whose_id_was_imported_before_is_skipped_with_a_warning_naming_the_earlier_import(
        make_site) -> None:
    # A re-export after a fan edited their answer: the same submission, not a second memory.
    site = make_site({"map.yaml": ID_MAPPING})
    first = write_export(site, ID_HEADER + "r-41;Le goûter;Chez mamie.;zoe@example.net;oui\n", "export-mars.csv")
    result = run_import(site, first, "--map", str(site.root / "map.yaml"))
    assert result.exit_code == 0, result.output
    record = json.loads((site.root / "private/submissions.jsonl").read_text())
    assert record["submission_id"] == "r-41"
    assert "r-41" not in (site.root / "content/memories/le-gouter.md").read_text()  # private: not in git

    again = write_export(site, ID_HEADER + "r-41;Le goûter;Chez mamie Zoé, le mercredi.;zoe@example.net;oui\n"
                               "r-42;La plage;Au bord de la mer.;paul@example.net;oui\n"
                               "r-42;La plage;Au bord de la mer, à Brest.;paul@example.net;oui\n", "export-avril.csv")
    result = run_import(site, again, "--map", str(site.root / "map.yaml"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (site.root / "content/memories").iterdir()) == ["la-plage.md", "le-gouter.md"]
    assert (f"{again}:2: warning: id: submission 'r-41' was imported before, from export-mars.csv (row 2) as "
            "content/memories/le-gouter.md, with other answers (edited on the form since?); skipped: compare the two "
            "by hand and carry what changed into content/memories/le-gouter.md") in result.stderr
    assert (f"{again}:4: warning: id: submission 'r-42' is also at line 3 of this export (imported as "
            "content/memories/la-plage.md), with other answers; skipped: compare the two by hand") in result.stderr
    assert ("Imported 1 new memories (status: submitted); 0 duplicate(s) skipped; 2 submission(s) imported before "
            "with other answers skipped (compare them by hand: above); 0 row(s) rejected.") in result.stdout
    assert "Chez mamie Zoé" not in (site.root / "private/submissions.jsonl").read_text()


def test_an_edited_answer_of_a_withdrawn_submission_is_never_imported_again(make_site) -> None:
    site = make_site({"map.yaml": ID_MAPPING})
    first = write_export(site, ID_HEADER + "r-41;Le goûter;Chez mamie.;zoe@example.net;oui\n")
    assert run_import(site, first, "--map", str(site.root / "map.yaml")).exit_code == 0
    withdrawn = site.run("withdraw", "zoe@example.net", "--site", str(site.root))
    assert withdrawn.exit_code == 0, withdrawn.output
    tombstones = (site.root / "private/withdrawn.jsonl").read_text()
    assert "r-41" not in tombstones and '"submission": ' in tombstones  # a keyed hash, not the form's id
    edited = write_export(site, ID_HEADER + "r-41;Le goûter;Chez mamie, autrement.;zoe@example.net;oui\n")
    result = run_import(site, edited, "--map", str(site.root / "map.yaml"))
    assert result.exit_code == 0, result.output
    assert "Imported 0 new memories" in result.stdout
    assert (f"{edited}:2: warning: id: submission 'r-41' was withdrawn on 2026-11-20 (its fan asked to be "
            "forgotten); skipped: delete it from the form's answers too") in result.stderr
    assert "status: withdrawn" in (site.root / "content/memories/le-gouter.md").read_text()
    assert not (site.root / "content/memories/le-gouter-2.md").exists()


def test_a_mapped_id_column_the_export_lacks_is_an_error(make_site) -> None:
    site = make_site({"map.yaml": ID_MAPPING})
    export = write_export(site, "Titre;Souvenir;Courriel;Accord\nLe goûter;Chez mamie.;zoe@example.net;oui\n")
    result = run_import(site, export, "--map", str(site.root / "map.yaml"))
    assert result.exit_code == 1
    assert "map.yaml:2: id: column 'Réponse n°' is not in export.csv" in result.stderr
    assert not (site.root / "content/memories").exists() or not any((site.root / "content/memories").iterdir())


NUMBERED_HEADER = "N°;Titre;Souvenir;Courriel;Accord\n"
NUMBERED_MAPPING = "columns:\n  id: N°\n  title: Titre\n  text: Souvenir\n  email: Courriel\n  consent: Accord\n" \
                   "consent_accepted: [oui]\n"


def test_two_forms_numbering_their_answers_alike_never_lose_one_anothers_submissions(make_site) -> None:
    # Two forms (a contest, a workshop) both number their answers 1, 2, 3…: the workshop's answer
    # 1 was taken for an edit of the contest's answer 1 and skipped, its fan's memory lost.
    site = make_site({"contest.yaml": NUMBERED_MAPPING, "workshop.yaml": NUMBERED_MAPPING})
    contest = write_export(site, NUMBERED_HEADER + "1;Le goûter;Chez mamie.;zoe@example.net;oui\n"
                                                   "2;La plage;Au bord de la mer.;paul@example.net;oui\n",
                           "contest.csv")
    assert run_import(site, contest, "--map", str(site.root / "contest.yaml")).exit_code == 0
    workshop = write_export(site, NUMBERED_HEADER + "1;Le pot;Le premier pot de confiture.;marc@example.net;oui\n",
                            "workshop.csv")
    result = run_import(site, workshop, "--map", str(site.root / "workshop.yaml"))
    assert result.exit_code == 1
    assert (f"{workshop}:2: id: submission '1' was imported before, from contest.csv (row 2) as "
            "content/memories/le-gouter.md, for another fan: a form's ids are told apart within that form only. If "
            "this export comes from another form, give each form's mapping a name of its own (form: fan-days-2026) "
            "and import again; if the fan changed their contact details on the form, compare the two by hand; row "
            "left out") in result.stderr, result.stderr
    assert "1 row(s) rejected" in result.stdout
    assert not (site.root / "content/memories/le-pot.md").exists()

    # Named, each form's ids are its own: the workshop's answer 1 is imported, and an edit of it
    # later is told apart from the contest's answer 1 (imported before the contest's mapping
    # named its form: still the same submission for the same fan).
    site.write("workshop.yaml", NUMBERED_MAPPING + "form: atelier-2026\n")
    site.write("contest.yaml", NUMBERED_MAPPING + "form: concours-2026\n")
    result = run_import(site, workshop, "--map", str(site.root / "workshop.yaml"))
    assert result.exit_code == 0, result.output
    assert (site.root / "content/memories/le-pot.md").is_file()
    records = [json.loads(line) for line in (site.root / "private/submissions.jsonl").read_text().splitlines()]
    assert [(r.get("form"), r["submission_id"], r["source"]) for r in records] == [
        (None, "1", "contest.csv"), (None, "2", "contest.csv"), ("atelier-2026", "1", "workshop.csv")]
    edited = write_export(site, NUMBERED_HEADER + "1;Le pot;Le premier pot, en 1976.;marc@example.net;oui\n",
                          "workshop-2.csv")
    result = run_import(site, edited, "--map", str(site.root / "workshop.yaml"))
    assert result.exit_code == 0, result.output
    assert (f"{edited}:2: warning: id: submission '1' was imported before, from workshop.csv (row 2) as "
            "content/memories/le-pot.md, with other answers (edited on the form since?)") in result.stderr
    again = write_export(site, NUMBERED_HEADER + "1;Le goûter;Chez mamie, le mercredi.;zoe@example.net;oui\n",
                         "contest-2.csv")
    result = run_import(site, again, "--map", str(site.root / "contest.yaml"))
    assert result.exit_code == 0, result.output
    assert (f"{again}:2: warning: id: submission '1' was imported before, from contest.csv (row 2) as "
            "content/memories/le-gouter.md, with other answers") in result.stderr
    assert sorted(p.name for p in (site.root / "content/memories").iterdir()) == [
        "la-plage.md", "le-gouter.md", "le-pot.md"]


def test_another_forms_answer_with_the_id_of_a_withdrawn_submission_is_not_taken_for_it(make_site) -> None:
    site = make_site({"contest.yaml": NUMBERED_MAPPING, "workshop.yaml": NUMBERED_MAPPING + "form: atelier\n"})
    contest = write_export(site, NUMBERED_HEADER + "7;Le goûter;Chez mamie.;zoe@example.net;oui\n", "contest.csv")
    assert run_import(site, contest, "--map", str(site.root / "contest.yaml")).exit_code == 0
    assert site.run("withdraw", "zoe@example.net", "--site", str(site.root)).exit_code == 0
    other = write_export(site, NUMBERED_HEADER + "7;Le pot;Le premier pot.;marc@example.net;oui\n", "other.csv")
    result = run_import(site, other, "--map", str(site.root / "contest.yaml"))
    assert result.exit_code == 1
    assert (f"{other}:2: id: submission '7' is the id of a withdrawn submission of another fan: a form's ids are "
            "told apart within that form only.") in result.stderr
    result = run_import(site, other, "--map", str(site.root / "workshop.yaml"))
    assert result.exit_code == 0, result.output
    assert (site.root / "content/memories/le-pot.md").is_file()
    # The withdrawn fan's own edited answer stays out, whatever the mapping now calls the form.
    edited = write_export(site, NUMBERED_HEADER + "7;Le goûter;Chez mamie, autrement.;zoe@example.net;oui\n",
                          "contest-2.csv")
    site.write("contest.yaml", NUMBERED_MAPPING + "form: concours\n")
    result = run_import(site, edited, "--map", str(site.root / "contest.yaml"))
    assert result.exit_code == 0 and "Imported 0 new memories" in result.stdout, result.output
    assert f"{edited}:2: warning: id: submission '7' was withdrawn on 2026-11-20" in result.stderr


def test_a_form_name_must_be_a_name(make_site) -> None:
    site = make_site({"map.yaml": NUMBERED_MAPPING + "form:\n"})
    export = write_export(site, NUMBERED_HEADER + "1;Le goûter;Chez mamie.;zoe@example.net;oui\n")
    result = run_import(site, export, "--map", str(site.root / "map.yaml"))
    assert result.exit_code == 1
    assert "map.yaml:8: form: expected the form's name (such as fan-days-2026)" in result.stderr


def test_an_edited_answer_is_warned_about_once_and_noted_when_the_same_export_is_imported_again(make_site) -> None:
    # Exports are cumulative: the editor imports each new one whole, and the same edited answer
    # warned at every import buried the new warnings among those already dealt with.
    site = make_site({"map.yaml": ID_MAPPING})
    mapping = str(site.root / "map.yaml")
    first = write_export(site, ID_HEADER + "r-41;Le goûter;Chez mamie.;zoe@example.net;oui\n", "export-mars.csv")
    assert run_import(site, first, "--map", mapping).exit_code == 0
    april = ID_HEADER + ("r-41;Le goûter;Chez mamie Zoé, le mercredi.;zoe@example.net;oui\n"
                         "r-42;La plage;Au bord de la mer.;paul@example.net;oui\n"
                         "r-42;La plage;Au bord de la mer, à Brest.;paul@example.net;oui\n")
    again = write_export(site, april, "export-avril.csv")
    result = run_import(site, again, "--map", mapping)
    assert result.exit_code == 0, result.output
    assert f"{again}:2: warning: id: submission 'r-41' was imported before" in result.stderr
    assert f"{again}:4: warning: id: submission 'r-42' is also at line 3 of this export" in result.stderr

    for _ in range(2):  # the same export again, then again: each edit is a note, said as such
        result = run_import(site, again, "--map", mapping)
        assert result.exit_code == 0, result.output
        assert "warning: id:" not in result.stderr, result.stderr
        assert (f"{again}:2: note: id: submission 'r-41' has the edited answers reported on 2026-11-20 (from "
                "export-avril.csv, row 2); skipped: compare them with content/memories/le-gouter.md by hand, if not "
                "done yet") in result.stderr
        assert (f"{again}:4: note: id: submission 'r-42' has the edited answers reported on 2026-11-20 (from "
                "export-avril.csv, row 4); skipped: compare them with content/memories/la-plage.md") in result.stderr
        assert ("Imported 0 new memories (status: submitted); 1 duplicate(s) skipped; 2 edited submission(s) reported "
                "by an earlier import skipped; 0 row(s) rejected.") in result.stdout

    edits = (site.root / "private/edits.jsonl").read_text()
    assert "Zoé" not in edits and "zoe@" not in edits and "r-41" not in edits  # fingerprints, not answers

    # Edited once more on the form: new answers, warned about again.
    may = write_export(site, april.replace("Chez mamie Zoé, le mercredi.", "Chez mamie Zoé, le mercredi midi."),
                       "export-mai.csv")
    result = run_import(site, may, "--map", mapping)
    assert f"{may}:2: warning: id: submission 'r-41' was imported before" in result.stderr
    assert f"{may}:4: note: id: submission 'r-42' has the edited answers" in result.stderr

    # A fan who asks to be forgotten leaves no record of their edits either.
    assert site.run("withdraw", "zoe@example.net", "--site", str(site.root)).exit_code == 0
    records = [json.loads(line) for line in (site.root / "private/edits.jsonl").read_text().splitlines()]
    assert [r["memory"] for r in records] == ["content/memories/la-plage.md"]


def test_a_consent_timestamp_month_first_is_read_and_an_unreadable_one_is_a_warning(make_site) -> None:
    # An American form writes 2/13/2024: read as 13 February, not dropped for the day of the import
    # without a word; a timestamp with no date in it is said, at its row.
    site = make_site({})
    export = write_export(site, "title,text,email,consent,consent_timestamp\n"
                                "Us,Words.,us@x.org,yes,2/13/2024 10:00:00\n"
                                "Fr,Words.,fr@x.org,yes,13/02/2024 10:00\n"
                                "Epoch,Words.,ep@x.org,yes,1707814800\n")
    result = run_import(site, export)
    assert result.exit_code == 0, result.output
    for slug in ("us", "fr"):
        assert "granted: '2024-02-13'" in (site.root / f"content/memories/{slug}.md").read_text(), slug
    assert "granted: '2026-11-20'" in (site.root / "content/memories/epoch.md").read_text()
    assert ("export.csv:4: warning: consent_timestamp: '1707814800' has no date this import can read (2024-02-13, "
            "13/02/2024 or 2/13/2024); consent.granted is the day of the import, 2026-11-20") in result.stderr
    assert result.stderr.count(": warning: ") == 1


def test_each_wrong_key_of_a_mapping_is_said_at_its_own_line(make_site) -> None:
    # Every key of the mapping was reported at line 1 in one sentence about three of them, and a
    # misspelt top-level key (consent_scopes) was passed over without a word.
    site = make_site({"map.yaml": "columns:\n  text: Souvenir\n  email: Courriel\nconsent_accepted: oui\n"
                                  "consent_scopes: [site, share]\nlabel_design: [classique]\n"})
    export = write_export(site, "Souvenir,Courriel\nMots,a@x.org\n")
    result = run_import(site, export, "--map", str(site.root / "map.yaml"))
    assert result.exit_code == 1
    said = [line.split(str(site.root) + "/")[-1] for line in result.stderr.splitlines() if "map.yaml:" in line]
    assert said == [
        "map.yaml:4: consent_accepted: expected a list of the answers that mean yes, such as [\"yes\", oui, \"1\"]",
        "map.yaml:5: warning: unknown key 'consent_scopes'; a mapping has columns, consent_accepted, consent_scope, "
        "consent_scope_words, label_design, form",
        "map.yaml:6: label_design: expected the name of a label design (a file of content/labels/), such as classic",
    ], result.stderr
    assert not (site.root / "content/memories").exists()
    site.write("map.yaml", "columns:\n  text: Souvenir\n  email: Courriel\nconsent_scopes: [site, share]\n")
    result = run_import(site, export, "--map", str(site.root / "map.yaml"))
    assert result.exit_code == 0, result.output
    assert "map.yaml:4: warning: unknown key 'consent_scopes'" in result.stderr


def test_a_date_written_in_words_is_kept_as_written_and_a_date_without_a_year_does_not_lose_the_memory(
        make_site) -> None:
    site = make_site({})
    export = write_export(site, "title,text,email,date\n"
                                "Plage,Le sable,a@x.org,été 1986\n"
                                "Cuisine,La nappe,b@x.org,les années 80\n"
                                "Train,Le quai,c@x.org,07/1986\n"
                                "Pot,Le couvercle,d@x.org,quand j'étais petit\n")
    result = run_import(site, export)
    assert result.exit_code == 0, result.output
    assert "Imported 4 new memories" in result.stdout
    memories = site.root / "content/memories"
    plage = (memories / "plage.md").read_text("utf-8")
    assert "date: '1986'" in plage or "date: 1986\n" in plage
    assert "date_display: été 1986\n" in plage
    assert "export.csv:2: note: date: 'été 1986' imported as date: 1986, shown as written (date_display)" in result.stderr
    cuisine = (memories / "cuisine.md").read_text("utf-8")
    assert "date: 1980s\n" in cuisine and "date_display: les années 80\n" in cuisine
    train = (memories / "train.md").read_text("utf-8")
    assert "date: 1986-07\n" in train and "date_display" not in train
    pot = (memories / "pot.md").read_text("utf-8")
    assert "date:" not in pot and "Le couvercle" in pot
    assert ("export.csv:5: warning: date: 'quand j'étais petit' is not a date; write 1986, 1986-07, 1986-07-14 or "
            "1980s; imported without a date: add it by hand from 'quand j'étais petit'") in result.stderr
    # The memories build, once approved, dated as the fans wrote it.
    for name in ("plage", "cuisine"):
        path = memories / f"{name}.md"
        path.write_text(path.read_text("utf-8").replace("status: submitted", "status: approved"), "utf-8")
    assert site.build().exit_code == 0
