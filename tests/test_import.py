"""storysite import: form exports → submitted memories; personal data → the private store."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import Site

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
    assert result.exit_code == 0, result.output
    assert "export.csv:2: the memory text is empty" in result.stderr
    assert "export.csv:3: date: '1986-02-30' is not a date" in result.stderr
    assert "export.csv:4: location looks like an email address" in result.stderr
    assert "1 new memories" in result.stdout and "3 row(s) rejected" in result.stdout


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
    assert "--encoding latin-1" in result.stderr
    memories = site.root / "content/memories"
    assert not memories.exists() or not list(memories.iterdir())
    fixed = run_import(site, export, "--map", str(site.root / "map.yaml"), "--encoding", "latin-1")
    assert fixed.exit_code == 0, fixed.output


def test_wrong_delimiter_and_missing_column_name_the_mapping_line(make_site) -> None:
    site = make_site({"map.yaml": MAPPING})
    export = write_export(site, HEADER.replace(";", "|") + ROWS.replace(";", "|"))
    result = run_import(site, export, "--map", str(site.root / "map.yaml"))
    assert result.exit_code == 1
    assert "map.yaml:2: title: column 'Titre' is not in export.csv; the header is a single column" in result.stderr


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
