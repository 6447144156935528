"""Fixes from the privacy review (/tmp/review-privacy.md): each test failed before its fix."""

from __future__ import annotations

import os
import re

import pytest

from tests.conftest import memory

EXPORT = "title,text,name,email,consent\nHello,My memory,Jean Dupont,jean@example.org,oui\n"


# -- H1: a private store that would be published or read as content -------------------------


@pytest.mark.parametrize("store", ["static/fans", "content/private", "themes/default/static/x", "public/fans",
                                   "Static/fans"])
def test_private_store_where_it_would_be_published_is_a_config_error(make_site, store: str) -> None:
    site = make_site({"content/memories/a.md": memory("A")},
                     config=f"title: T\nbase_url: https://example.org/\nprivacy:\n  private_store: {store}\n")
    (site.root / "export.csv").write_text(EXPORT)
    imported = site.run("import", str(site.root / "export.csv"), "--site", str(site.root))
    assert imported.exit_code == 1
    assert f"storysite.yaml:4: privacy.private_store '{store}'" in imported.stderr
    assert not (site.root / store).exists()
    result = site.build()
    assert result.exit_code == 1
    assert f"storysite.yaml:4: privacy.private_store '{store}'" in result.stderr
    assert not site.public.exists()


def test_no_build_copies_a_private_store_file_linked_from_static(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A"),
                      "private/submissions.jsonl": '{"email": "jean@example.org"}\n'})
    (site.root / "static").mkdir()
    os.symlink("../private/submissions.jsonl", site.root / "static/data.json")
    os.symlink("../private", site.root / "static/raw")
    result = site.build()
    assert result.exit_code == 1
    assert "static/data.json:1: leads into the private store" in result.stderr
    # A linked folder is refused at the link (not file by file), and nothing below it is read.
    assert "static/raw:1: leads into the private store" in result.stderr
    assert "submissions.jsonl" not in result.stderr
    assert not site.public.exists()


def test_no_build_copies_a_private_store_file_linked_from_a_theme(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A"),
                      "private/key": "00\n", "themes/mine/theme.yaml": "extends: default\n"},
                     config="title: T\ntheme: mine\n")
    (site.root / "themes/mine/static").mkdir(parents=True)
    os.symlink("../../../private/key", site.root / "themes/mine/static/key.txt")
    result = site.build()
    assert result.exit_code == 1
    assert "themes/mine/static/key.txt:1: leads into the private store" in result.stderr


@pytest.mark.parametrize(("link", "target", "what"), [
    ("mem", "../content/memories", "leads into content/, the site's sources"),
    ("raw.md", "../content/memories/gone.md", "leads into content/, the site's sources"),
    ("cache", "../.storysite", "leads into .storysite/, storysite's caches"),
    ("out", "../public", "leads into the output folder 'public'"),
    ("site.yaml", "../storysite.yaml", "leads to storysite.yaml, the site's configuration"),
    ("history", "../.git", "leads into version control"),
    ("deep", "../data", "leads into content/"),  # data/inner is a link to content/, met on the way
])
def test_no_static_link_publishes_what_is_not_for_publication(make_site, link: str, target: str,
                                                             what: str) -> None:
    """static/ is copied as it is: a link in it into content/ published the raw files of withdrawn
    memories (their names, notes and emails with them)."""
    site = make_site({"content/memories/a.md": memory("A"),
                      "content/memories/gone.md": memory("Zanzibar", status="withdrawn",
                                                         extra="notes: Zanzibar SECRET\n"),
                      ".storysite/cache/x.pickle": "Zanzibar SECRET\n", "static/ok.txt": "ok\n",
                      ".git/HEAD": "Zanzibar SECRET\n"})
    (site.root / "data").mkdir()
    os.symlink("../content", site.root / "data/inner")
    assert site.build().exit_code == 0  # the output exists: a link into it is refused too
    os.symlink(target, site.root / "static" / link)
    result = site.build()
    assert result.exit_code == 1
    where = "static/deep/inner" if link == "deep" else f"static/{link}"
    assert f"{where}:1: {what}" in result.stderr and "it is never published: remove it" in result.stderr
    assert result.stderr.count("\n") == 2, result.stderr  # one error at the link, not one per file
    checked = site.check()
    assert checked.exit_code == 1 and f"{where}:1: {what}" in checked.stderr
    assert "SECRET" not in site.all_output_text()


def test_a_static_folder_that_is_a_link_into_content_is_refused(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A"), "content/files/notes.txt": "SECRET\n"})
    os.symlink("content/files", site.root / "static")
    result = site.build()
    assert result.exit_code == 1
    assert "static:1: leads into content/" in result.stderr
    assert not site.public.exists()


def test_no_static_file_is_a_hard_link_to_a_private_or_content_file(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A"),
                      "content/memories/gone.md": memory("Zanzibar", status="withdrawn"),
                      "private/submissions.jsonl": '{"email": "jean@example.org"}\n',
                      "static/ok.txt": "ok\n", "static/twin.txt": "twin\n"})
    os.link(site.root / "private/submissions.jsonl", site.root / "static/data.json")
    (site.root / "static/old").mkdir()
    os.link(site.root / "content/memories/gone.md", site.root / "static/old/gone.txt")
    os.link(site.root / "storysite.yaml", site.root / "static/conf.txt")
    os.link(site.root / "static/twin.txt", site.root / "static/twin-again.txt")  # two static files: fine
    result = site.build()
    assert result.exit_code == 1
    assert ("static/data.json:1: is the same file as private/submissions.jsonl (a hard link, not a copy), "
            "in the private store (fans' personal data); it is never published: remove it") in result.stderr
    assert "static/old/gone.txt:1: is the same file as content/memories/gone.md (a hard link" in result.stderr
    assert ("static/conf.txt:1: is the same file as storysite.yaml (a hard link, not a copy), the site's "
            "configuration; it is never published: remove it") in result.stderr
    assert "twin" not in result.stderr
    assert not site.public.exists()
    (site.root / "static/data.json").unlink()
    (site.root / "static/old/gone.txt").unlink()
    (site.root / "static/conf.txt").unlink()
    assert site.build().exit_code == 0
    assert (site.public / "twin-again.txt").read_text() == "twin\n"


def test_no_content_file_is_a_link_into_the_private_store(make_site) -> None:
    page = "---\ntitle: Secret\n---\nPRIVSECRET, 12 rue des Lilas\n"
    site = make_site({"content/memories/a.md": memory("A"), "private/secret.md": page,
                      "private/notes/b.md": page, "private/c.md": page,
                      "content/pages/twin.md": "---\ntitle: Twin\n---\nTwin.\n"})
    os.symlink("../../private/secret.md", site.root / "content/pages/leak.md")
    os.symlink("../../private/notes", site.root / "content/pages/priv")
    os.link(site.root / "private/c.md", site.root / "content/pages/hard.md")
    os.link(site.root / "content/pages/twin.md", site.root / "content/pages/twin-again.md")  # both content: fine
    result = site.build()
    assert result.exit_code == 1
    assert ("content/pages/leak.md:1: leads, by a symbolic link, into the private store (fans' personal data); it is never "
            "published: remove it from content/") in result.stderr
    assert "content/pages/priv:1: leads, by a symbolic link, into the private store" in result.stderr
    assert ("content/pages/hard.md:1: is the same file as private/c.md (a hard link, not a copy), in the private "
            "store (fans' personal data); it is never published: remove it from content/") in result.stderr
    assert "twin" not in result.stderr
    assert not site.public.exists()
    for name in ("leak.md", "priv", "hard.md"):
        (site.root / "content/pages" / name).unlink()
    assert site.build().exit_code == 0
    assert "PRIVSECRET" not in site.all_output_text() and (site.public / "twin-again/index.html").exists()


@pytest.mark.parametrize("case", ["kind-folder", "folder-holding-the-store"])
def test_no_link_leads_content_into_the_private_store_whatever_it_points_at(make_site, case: str) -> None:
    secret = memory("Secret", body="PRIVSECRET")
    if case == "kind-folder":  # content/memories itself is a link into the store
        site = make_site({"private/memories/secret.md": secret, "content/pages/p.md": "---\ntitle: P\n---\nx\n"})
        os.symlink("../private/memories", site.root / "content/memories")
        named = "content/memories:1: leads, by a symbolic link, into the private store"
    else:  # a link to a folder that holds the store, deeper down
        site = make_site({"data/private/fans/secret.md": secret, "content/memories/a.md": memory("A")},
                         config="title: T\nbase_url: https://example.org/\nprivacy: {private_store: data/private}\n")
        os.symlink("../../data", site.root / "content/memories/imported")
        named = "content/memories/imported/private:1: leads, by a symbolic link, into the private store"
    result = site.build()
    assert result.exit_code == 1
    assert named in result.stderr, result.stderr
    assert not site.public.exists() or "PRIVSECRET" not in site.all_output_text()


def test_no_theme_static_file_leads_into_content(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A", status="withdrawn"),
                      "themes/mine/theme.yaml": "extends: default\n"}, config="title: T\ntheme: mine\n")
    (site.root / "themes/mine/static").mkdir(parents=True)
    os.symlink("../../../content/memories/a.md", site.root / "themes/mine/static/a.txt")
    result = site.build()
    assert result.exit_code == 1
    assert "themes/mine/static/a.txt:1: leads into content/" in result.stderr


# -- H2, M1, M2, M3: withdraw ------------------------------------------------------------------


def _withdraw(site, ident: str):
    return site.run("withdraw", ident, "--site", str(site.root))


def test_withdraw_by_an_email_written_in_the_memory_file(make_site) -> None:
    site = make_site({"content/memories/two.md": memory("Two").replace(
        "author: {id: fan-1, display: Romain L., location: Lyon}",
        "author: {id: fan-2, name: Person Two, email: P2@Example.org, location: Lyon}")})
    assert site.build().exit_code == 0
    assert (site.public / "memories/two/index.html").exists()
    result = _withdraw(site, "p2@example.org")
    assert result.exit_code == 0, result.output
    assert "Withdrawn: two" in result.stdout
    assert not (site.public / "memories/two/index.html").exists()
    text = (site.root / "content/memories/two.md").read_text()
    assert "status: withdrawn" in text
    # The fan's private fields leave the content file too.
    assert "P2@Example.org" not in text and "Person Two" not in text
    assert "\nauthor: {id: fan-2, location: Lyon}\n" in text  # the rest as the editor wrote it


def test_withdraw_without_a_match_says_what_was_searched(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A")})
    result = _withdraw(site, "nobody@example.org")
    assert result.exit_code == 1
    assert "author.email fields" in result.stderr


@pytest.mark.parametrize("ident", ["", "  "])
def test_withdraw_an_empty_id_is_a_usage_error(make_site, ident: str) -> None:
    site = make_site({"content/memories/a.md": memory("A"),
                      "content/memories/b.md": memory("B").replace("  scope: [site, share]\n", "")})
    assert site.build().exit_code == 0
    result = _withdraw(site, ident)
    assert result.exit_code == 2
    assert "status: approved" in (site.root / "content/memories/a.md").read_text()
    assert (site.public / "memories/b/index.html").exists()


def test_withdraw_a_multi_line_status_and_a_block_scalar_title(make_site) -> None:
    listing = """\
- slug: un
  title: >-
    My first jar,
    a long title
  status:
      approved
  author: {id: fan-9}
  consent: {granted: 2020-01-01}
  text: Un.
- slug: deux
  title: Second
  status: approved
  author:
    id: fan-9
    name: Zoé Martin
    phone: "06 12 34 56 78"
  consent: {granted: 2020-01-01, ref: c-9}
  original: |
    Les mots d'origine
    de Zoé.
  notes: "à relire"
  text: Deux.
- slug: trois
  title: Third
  status: approved
  consent: {granted: 2020-01-01}
  text: Trois.
"""
    site = make_site({"content/memories/liste.yaml": listing})
    assert site.build().exit_code == 0
    result = _withdraw(site, "fan-9")
    assert result.exit_code == 0, result.output
    text = (site.root / "content/memories/liste.yaml").read_text()
    assert text.count("status: withdrawn") == 2 and text.count("withdrawn: 2026-11-20") == 2
    for private in ("Zoé Martin", "06 12", "c-9", "mots d'origine", "de Zoé", "à relire"):
        assert private not in text, private
    assert "  title: >-\n    My first jar,\n    a long title\n" in text
    assert not (site.public / "memories/un/index.html").exists()
    assert not (site.public / "memories/deux/index.html").exists()
    assert (site.public / "memories/trois/index.html").exists()
    assert site.build().exit_code == 0


def test_withdraw_a_memory_that_cannot_be_edited_still_erases_and_reports(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A").replace("fan-1", "fan-7"),
                      # (An explicit key: a form the edit does not read.)
                      "content/memories/b.yaml": '? title\n: B two\nstatus: approved\nauthor: {id: fan-7}\n'
                                                 'consent: {granted: 2020-01-01}\ntext: Deux\n',
                      "private/submissions.jsonl": '{"author_id": "fan-7", "email": "x@example.org", '
                                                  '"fingerprint": "f"}\n'})
    assert site.build().exit_code == 0
    result = _withdraw(site, "fan-7")
    assert result.exit_code == 1
    assert "content/memories/b.yaml:1: " in result.stderr and "STILL PUBLISHED" in result.stderr
    assert "x@example.org" not in (site.root / "private/submissions.jsonl").read_text()
    assert (site.root / "private/withdrawn.jsonl").exists()
    assert not (site.public / "memories/a/index.html").exists()  # the other one was rebuilt away


def test_withdraw_on_a_fresh_clone_still_lists_the_urls_to_purge(make_site) -> None:
    import shutil

    site = make_site({"content/memories/a.md": memory("A", extra="tags: [plage]\n"),
                      "content/memories/b.md": memory("B")})
    assert site.build().exit_code == 0
    shutil.rmtree(site.root / ".storysite")
    result = _withdraw(site, "a")
    assert result.exit_code == 0, result.output
    assert "https://example.org/memories/a/" in result.stdout
    assert "https://example.org/tags/plage/" in result.stdout
    assert "0 URL(s)" not in result.stdout


# -- H3: personal data in fields the import derives, and in every published field -------------


def test_import_never_publishes_contact_details_through_derived_fields(make_site) -> None:
    site = make_site()
    export = ('text,name,consent\n'
              '"Écrivez-moi à jean.dupont@gmail.com ou au 06 12 34 56 78 pour la suite",jean.dupont@gmail.com,oui\n'
              '"Un goûter chez mamie",+33 6 12 34 56 78,oui\n')
    (site.root / "e.csv").write_text(export)
    result = site.run("import", str(site.root / "e.csv"), "--site", str(site.root))
    assert result.exit_code == 0, result.output
    assert "e.csv:2: warning: name looks like an email address or phone number" in result.stderr
    files = sorted((site.root / "content/memories").glob("*.md"))
    assert len(files) == 2
    for file in files:
        text = file.read_text()
        front = text.split("---")[1]
        assert "gmail" not in front and "06 12" not in front and "6 12 34" not in front, front
        assert "gmail" not in file.name and "06-12" not in file.name
        file.write_text(text.replace("status: submitted", "status: approved")
                        .replace("jean.dupont@gmail.com ou au 06 12 34 56 78", "moi"))
    assert site.build().exit_code == 0
    everything = site.all_output_text()
    assert "gmail" not in everything and "06 12 34" not in everything


def test_import_rejects_a_title_column_with_a_phone_number(make_site) -> None:
    site = make_site()
    (site.root / "e.csv").write_text("title,text,consent\nAppelez le 06 12 34 56 78,Un souvenir,oui\n")
    result = site.run("import", str(site.root / "e.csv"), "--site", str(site.root))
    assert "e.csv:2: title would publish a phone number; row left out" in result.stderr
    assert not list((site.root / "content/memories").glob("*.md"))


def test_check_warns_about_contact_details_in_every_published_field(make_site) -> None:
    site = make_site({
        "content/memories/a.md": memory("Écrivez à jean@example.org", extra="""\
            description: appelez le 06 12 34 56 78
            tags: [jean@example.org]
            """).replace("location: Lyon", "location: Paris 06 12 34 56 78")
        .replace("display: Romain L.", "display: romain@example.org"),
        "content/galleries/g.yaml": "title: G\nimages:\n  - {src: p.png, alt: x, credit: cam@example.net}\n",
        "content/galleries/p.png": b"\x89PNG\r\n\x1a\n",
        "content/timeline/t.yaml": "date: 1976\ntitle: Appelez le +33 6 12 34 56 78\ntext: x\n",
    })
    result = site.check()
    for expected in ("content/memories/a.md:2: warning: title seems to contain an email address",
                     "warning: description seems to contain a phone number",
                     "warning: tags seems to contain an email address",
                     "warning: author.location seems to contain a phone number",
                     "warning: author.display seems to contain an email address",
                     "content/galleries/g.yaml:3: warning: image 1 credit seems to contain an email address",
                     "content/timeline/t.yaml:2: warning: title seems to contain a phone number"):
        assert expected in result.stderr, expected


def test_contact_details_in_a_milestones_date_display_and_tags_are_named_at_their_own_lines(make_site) -> None:
    # As a memory's are, and a milestone's title: at the line to change, not the milestone's first,
    # in a file of one milestone and in a list of them.
    site = make_site({
        "content/timeline/t.yaml": "date: 1976\ntitle: Le pot\ncirca: true\ndate_display: appelez le 06 12 34 56 78\n"
                                   "text: x\ntags:\n  - usine\n  - jean@exemple.fr\n",
        "content/timeline/list.yaml": "- date: 1980\n  title: Un\n- date: 1990\n  title: Deux\n  circa: true\n"
                                      "  date_display: vers 1990, au 04 72 00 00 00\n  tags: [marie@example.net]\n",
    })
    result = site.check()
    found = sorted(line for line in result.stderr.splitlines() if "seems to contain" in line)
    assert found == [
        "content/timeline/list.yaml:6: warning: date_display seems to contain a phone number, which would be "
        "published; if it is the brand's own, list it in privacy.public_contacts",
        "content/timeline/list.yaml:7: warning: tags seems to contain an email address, which would be published; "
        "if it is the brand's own, list it in privacy.public_contacts",
        "content/timeline/t.yaml:4: warning: date_display seems to contain a phone number, which would be published; "
        "if it is the brand's own, list it in privacy.public_contacts",
        "content/timeline/t.yaml:6: warning: tags seems to contain an email address, which would be published; "
        "if it is the brand's own, list it in privacy.public_contacts",
    ], result.stderr


def test_contact_details_in_a_gallerys_description_are_named_at_their_own_line(make_site, tmp_path) -> None:
    import json

    site = make_site({
        "content/galleries/a.yaml": "title: A\ndescription: |\n  Une galerie.\n\n  Écrivez à marie@example.net.\n"
                                    "images:\n  - {src: p.png, alt: x}\n",
        "content/galleries/b.yaml": "title: B\nimages:\n  - {src: p.png, alt: x}\n"
                                    "description: Appelez le 06 12 34 56 78.\n",
        "content/galleries/p.png": b"\x89PNG\r\n\x1a\n",
    })
    result = site.check("--report", str(tmp_path / "r.json"))
    assert "content/galleries/a.yaml:5: warning: description seems to contain an email address" in result.stderr
    assert "content/galleries/b.yaml:4: warning: description seems to contain a phone number" in result.stderr
    assert "a.yaml:1:" not in result.stderr and "b.yaml:1:" not in result.stderr
    rows = json.loads((tmp_path / "r.json").read_text())["editorial_personal_data"]
    assert [r["personal_data"][0].split(":")[0] for r in rows] == ["line 5", "line 4"]


def test_check_warns_about_contact_details_in_pages_and_campaigns_but_not_the_brands_own(make_site,
                                                                                       tmp_path) -> None:
    # SPEC: check warns about personal data in the content tree. A page's or campaign's text was
    # never looked at; the brand's own addresses (on base_url's domain) and those an editor lists
    # in privacy.public_contacts are theirs to publish, and are not warned about.
    import json

    config = ("title: T\nbase_url: https://souvenirs.maison-tartine.fr/\nprivacy:\n"
              "  public_contacts: [presse@agence.fr, \"+33 4 72 00 00 00\"]\n")
    site = make_site({
        "content/pages/contact.md": (
            "---\ntitle: Appelez Jean au 06 12 34 56 78\ndescription: |\n  Le contact.\n  Ou jean@example.net.\n---\n"
            "Écrivez-nous à [contact@maison-tartine.fr](mailto:contact@maison-tartine.fr) "
            "ou à souvenirs@souvenirs.maison-tartine.fr.\n\n"
            "La presse : Presse@agence.fr, le 04.72.00.00.00.\n\n"
            "Notre gagnant, joignable au 06 98 76 54 32.\n"),
        "content/campaigns/c.md": "---\ntitle: Campagne\n---\nIntro.\n\nÉcrivez à marie@maison-tartine.fr.evil.com.\n",
        "content/memories/a.md": memory("A", body="J'ai écrit à contact@maison-tartine.fr en 1990."),
    }, config=config)
    result = site.check("--report", str(tmp_path / "r.json"))
    assert result.exit_code == 0, result.output
    found = [line for line in result.stderr.splitlines() if "seems to contain" in line]
    assert found == [
        "content/campaigns/c.md:6: warning: the text seems to contain an email address, which would be published; "
        "if it is the brand's own, list it in privacy.public_contacts",
        "content/memories/a.md:10: warning: the text seems to contain an email address, which would be published",
        "content/pages/contact.md:2: warning: title seems to contain a phone number, which would be published; "
        "if it is the brand's own, list it in privacy.public_contacts",
        "content/pages/contact.md:5: warning: description seems to contain an email address, which would be "
        "published; if it is the brand's own, list it in privacy.public_contacts",
        "content/pages/contact.md:11: warning: the text seems to contain a phone number, which would be "
        "published; if it is the brand's own, list it in privacy.public_contacts",
    ], result.stderr
    rows = json.loads((tmp_path / "r.json").read_text())["editorial_personal_data"]
    assert [(r["kind"], r["slug"], len(r["personal_data"])) for r in rows] == [("campaign", "c", 1),
                                                                              ("page", "contact", 3)]
    # What is listed must be an address or a number, each checked at its line.
    site.write("storysite.yaml", config.replace("presse@agence.fr,", "presse@agence.fr,\n    la presse,"))
    result = site.check()
    assert result.exit_code == 1
    assert ("storysite.yaml:5: privacy.public_contacts: item 2: expected an email address or a phone number "
            "(such as contact@example.org or +33 4 72 00 00 00), got 'la presse'") in result.stderr


def test_check_warns_about_contact_details_in_a_label_designs_words_but_not_the_brands_own(make_site,
                                                                                         tmp_path) -> None:
    # A design's title, description, alt text and zones' prompts are published on its label-maker
    # page, and its example is drawn on a picture: editors' words, checked as a page's are.
    import json

    from tests.test_labels import artwork

    design = ('title: "Classique, zoe@example.net"\ndescription: "Appelez Zoé au 06 12 34 56 78"\n'
              'artwork: plain.png\nalt: "Étiquette de paul@example.net"\nexample: "06 11 22 33 44"\nzones:\n'
              '  - name: prenom\n    prompt: "Prénom (ou écrivez à anne@example.net)"\n    box: [40, 60, 520, 180]\n'
              '    font: fonts/labels/fraunces-black.ttf\n    size: [20, 90]\n    max_chars: 20\n'
              '  - name: dedicace\n    prompt: "Dédicace ? presse@agence.fr"\n    box: [40, 240, 520, 50]\n'
              '    font: fonts/labels/fraunces-black.ttf\n    size: [10, 40]\n    optional: true\n')
    config = "title: T\nbase_url: https://example.org/\nprivacy:\n  public_contacts: [presse@agence.fr]\n"
    site = make_site({"content/labels/plain.yaml": design, "content/labels/plain.png": artwork()}, config=config)
    result = site.check("--report", str(tmp_path / "r.json"))
    assert result.exit_code == 0, result.output
    found = [line for line in result.stderr.splitlines() if "seems to contain" in line]
    brand = "; if it is the brand's own, list it in privacy.public_contacts"
    assert found == [
        f"content/labels/plain.yaml:1: warning: title seems to contain an email address, which would be published{brand}",
        f"content/labels/plain.yaml:2: warning: description seems to contain a phone number, which would be "
        f"published{brand}",
        f"content/labels/plain.yaml:4: warning: alt seems to contain an email address, which would be published{brand}",
        f"content/labels/plain.yaml:5: warning: example seems to contain a phone number, which would be "
        f"published{brand}",
        f"content/labels/plain.yaml:8: warning: zones[1].prompt seems to contain an email address, which would be "
        f"published{brand}",
    ], result.stderr
    rows = json.loads((tmp_path / "r.json").read_text())["editorial_personal_data"]
    assert [(r["kind"], r["slug"], [f.split(":")[0] for f in r["personal_data"]]) for r in rows] == [
        ("label", "plain", ["line 1", "line 2", "line 4", "line 5", "line 8"])]


# -- M5: deeply nested YAML ---------------------------------------------------------------------


@pytest.mark.parametrize(("nested", "line"), [("[" * 30000 + "]" * 30000, 0), ("{a: " * 30000 + "x" + "}" * 30000, 0),
                                            ("\n" + "- " * 30000 + "x", 1)])
def test_deeply_nested_yaml_is_an_error_not_a_crash(make_site, nested: str, line: int) -> None:
    import subprocess
    import sys

    site = make_site({"content/memories/deep.md": f"---\ntitle: x\nx: {nested}\n---\n",
                      "content/memories/a.md": memory("A")})
    # In a child process: libyaml's crash would take the test runner down with it.
    result = subprocess.run([sys.executable, "-m", "storysite", "build", str(site.root)], capture_output=True,
                            text=True, env={**os.environ, "SOURCE_DATE_EPOCH": "1795132800"}, check=False)
    assert result.returncode == 1, result.stderr[-500:]
    assert f"content/memories/deep.md:{3 + line}: invalid YAML: nested more than 100 levels deep" in result.stderr
    config = make_site(config="title: T\nx: " + nested + "\n", name="config")
    result = subprocess.run([sys.executable, "-m", "storysite", "build", str(config.root)], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 1
    assert f"storysite.yaml:{2 + line}: invalid YAML: nested more than 100 levels deep" in result.stderr


def test_yaml_nested_within_the_limit_still_reads() -> None:
    from storysite.yamlio import load_yaml

    value, problem = load_yaml("x: " + "[" * 99 + "]" * 99 + "\n" + "".join(f"k{i}: 1\n" for i in range(200)))
    assert problem is None and value["k199"] == 1


# -- M11: a withdrawal date withholds, whatever the status says -------------------------------


def test_an_approved_memory_with_a_withdrawn_date_is_not_published(make_site) -> None:
    site = make_site({"content/memories/wdate.md": memory("Retiré", extra="withdrawn: 2024-01-01\n"),
                      "content/memories/a.md": memory("A")})
    result = site.build()
    assert result.exit_code == 0, result.output
    assert not (site.public / "memories/wdate/index.html").exists()
    assert "Retiré" not in site.all_output_text() and "wdate" not in site.all_output_text()
    assert "approved, but withdrawn on 2024-01-01" in site.check().stdout


# -- M9, M12: control characters and bidi overrides in fan text --------------------------------


def test_control_characters_in_fan_text_never_break_the_feed_or_reach_html(make_site) -> None:
    import xml.dom.minidom

    site = make_site({"content/memories/a.md": memory('"Bell\\x07 a\\0b"', body="Texte \x0b\x1b\x01\x08 fin.",
                                                      extra='tags: ["x\\x1b"]\n')})
    result = site.build()
    assert result.exit_code == 0, result.output
    xml.dom.minidom.parse(str(site.public / "feed.xml"))
    everything = "".join(data.decode() for path, data in site.output_files().items()
                         if path.endswith((".html", ".xml", ".json", ".txt")))
    for control in ("\x00", "\x07", "\x0b", "\x1b", "\x01", "\x08"):
        assert control not in everything, repr(control)
    assert "Bell ab" in site.read("memories/a/index.html")


def test_a_fan_bidi_override_is_closed_within_its_text_and_dropped_from_its_fields(make_site) -> None:
    # Fields of one line (a name, a title) and excerpts are shown among other text (a page's
    # <title>, a feed, a social preview): their bidi controls are dropped; a text's are closed.
    long_text = "Normal \u202e reversed, https://example.org/safe " + "et encore " * 30
    site = make_site({"content/memories/a.md": memory("Titre \u202e 1986", body=long_text)
                      .replace("display: Romain L.", 'display: "Alice \u202e"'),
                      "content/memories/b.md": memory("B", body="I loved *&#8238;the jam* &#x202E;, said my aunt &#&#8238;8238;x.")})
    assert site.build().exit_code == 0
    page = site.read("memories/a/index.html")
    assert "Alice \u202e" not in page and "Titre \u202e" not in page
    assert "Titre  1986" in page or "Titre 1986" in page
    assert "\u202e reversed, https://example.org/safe\u202c" in page or \
        "\u202e reversed, <a" not in page
    for line in page.split("\n"):
        assert line.count("\u202e") <= line.count("\u202c"), line
    # Character references to bidi controls in a fan's Markdown are dropped too.
    assert "\u202e" not in site.read("memories/b/index.html") and "&#8238;" not in site.read("memories/b/index.html")
    # The excerpt cut from the text, in lists, the feed and social previews, has none.
    for path in ("memories/index.html", "index.html"):
        assert "\u202e" not in site.read(path), path
    assert not [summary for summary in re.findall(r"<summary[^>]*>(.*?)</summary>", site.read("feed.xml"), re.S)
                if "\u202e" in summary]
    assert "\u202e" not in re.search(r'<meta property="og:description" content="([^"]*)"', page).group(1)


# -- M7: the curation report is never written where it would be published ----------------------


@pytest.mark.parametrize("where", ["static/report.html", "content/pages/r.html", "themes/default/static/r.html",
                                   "private/r.html"])
def test_report_is_refused_where_it_would_be_published(make_site, where: str) -> None:
    site = make_site({"content/memories/a.md": memory("A")})
    result = site.check("--report", str(site.root / where))
    assert result.exit_code == 2
    assert not (site.root / where).exists()


# -- M8: requests to other origins the scan used to miss -------------------------------------


@pytest.mark.parametrize(("snippet", "host"), [
    ('<img src="https:\\\\bs1.example/x.png">', "bs1.example"),
    ('<img src="/\\bs2.example/x.png">', "bs2.example"),
    ('<img src="\\\\bs3.example/x.png">', "bs3.example"),
    ('<svg><image xlink:href="https://xlink.example/x.png"/></svg>', "xlink.example"),
    ('<div style="background-image: image-set(\'https://imgset.example/a.png\' 1x)">a</div>', "imgset.example"),
    ('<table background="https://table.example/bg.png"><tr><td>x</td></tr></table>', "table.example"),
    ('<img alt="<!--" src="https://comment.example/x.png"> -->', "comment.example"),
    ('<iframe srcdoc="&lt;img src=https://srcdoc.example/x.png&gt;"></iframe>', "srcdoc.example"),
    ('<iframe srcdoc="&lt;img src=https:&amp;#47;&amp;#47;srcdoc2.example/x.png&gt;"></iframe>', "srcdoc2.example"),
    ('<link rel="preload" as="image" imagesrcset="https://imagesrcset.example/a.png 1x" href="/l.svg">',
     "imagesrcset.example"),
    ('<meta http-equiv="refresh" content="30; URL=https://refresh.example/">', "refresh.example"),
    ('<base href="https://base.example/">', "base.example"),
    ('<a href="/" ping="https://ping.example/t">p</a>', "ping.example"),
    # CSS escapes, as a browser reads them.
    ('<div style="background:\\75 rl(https://esc.example/x)">x</div>', "esc.example"),
    ('<div style="background:u\\rl(https://esc.example/x)">x</div>', "esc.example"),
    ('<div style="background:\\000075rl(https://esc.example/x)">x</div>', "esc.example"),
    # What a script names on another host, it may load.
    ("<script type=module>import 'https://mod.example/m.js'</script>", "mod.example"),
    ('<script>fetch("//api.example/x")</script>', "api.example"),
])
def test_third_party_scan_finds_every_request(snippet: str, host: str) -> None:
    from storysite import thirdparty

    page = f"<!doctype html><html><head><title>t</title></head><body>\n{snippet}\n</body></html>"
    found = thirdparty.check_files([("p/index.html", page.encode())], "https://example.org", (), "public")
    assert [d.line for d in found] == [2], found
    assert f"//{host}" in found[0].message


def test_data_scripts_and_script_comments_are_not_requests() -> None:
    from storysite import thirdparty

    page = ('<!doctype html><html><head><title>t</title><script type="application/ld+json">'
            '{"@context": "https://schema.org", "url": "https://other.example/"}</script></head><body>\n'
            '<script>// see https://docs.example/ for why\nlet a = 1;</script></body></html>')
    assert thirdparty.check_files([("p/index.html", page.encode())], "https://example.org", (), "public") == []


def test_third_party_bypasses_fail_the_build(make_site) -> None:
    site = make_site({"content/pages/p.md": "---\ntitle: P\n---\n<table background=\"https://t.example/b.png\">"
                                           "<tr><td>x</td></tr></table>\n"},
                     config="title: T\nbase_url: https://example.org/\nmarkdown: {editorial_html: true}\n")
    result = site.build()
    assert result.exit_code == 1
    assert "<table background> loads https://t.example/b.png from another origin" in result.stderr


# -- M6: a withdrawn memory's photo through a gallery ---------------------------------------


def test_a_withdrawn_memorys_photo_is_left_out_of_a_gallery_that_names_it(make_site) -> None:
    from tests.test_images import photo

    site = make_site({
        "content/memories/photo-memory/index.md": memory(
            "Photo", status="withdrawn", extra="media:\n  - {src: jean-dupont.jpg, alt: x}\n"),
        "content/memories/photo-memory/jean-dupont.jpg": photo((64, 48)),
        "content/memories/photo-memory/other.jpg": photo((64, 48), (10, 200, 10)),
        "content/galleries/fans.yaml": "title: Fans\nimages:\n"
                                       "  - {src: ../memories/photo-memory/jean-dupont.jpg, alt: p, credit: Jean}\n"
                                       "  - {src: ../memories/photo-memory/other.jpg, alt: q}\n"
                                       "  - {src: ok.jpg, alt: r}\n",
        "content/galleries/ok.jpg": photo((64, 48), (0, 0, 250)),
    })
    result = site.build()
    assert result.exit_code == 0, result.output
    assert ("content/galleries/fans.yaml:3: note: 'content/memories/photo-memory/jean-dupont.jpg' belongs to "
            "content/memories/photo-memory/index.md, which is not published; left out") in result.stderr
    assert "content/galleries/fans.yaml:4: note: 'content/memories/photo-memory/other.jpg' belongs to" \
        in result.stderr
    gallery = site.read("galleries/fans/index.html")
    assert "Jean" not in gallery
    assert gallery.count("<img") == 1


def test_a_withdrawn_memorys_photo_is_left_out_of_editorial_markdown_that_shows_it(make_site) -> None:
    from tests.test_images import photo

    site = make_site({
        "content/memories/jean-dupont/index.md": memory(
            "Jean", extra="media:\n  - {src: jean-dupont-face.jpg, alt: x}\n"),
        "content/memories/jean-dupont/jean-dupont-face.jpg": photo((64, 48)),
        "content/memories/jean-dupont/unlisted.jpg": photo((64, 48), (10, 200, 10)),
        "content/campaigns/fans.md": "---\ntitle: Fans\n---\nOur fans.\n\n"
                                     "![Jean](../memories/jean-dupont/jean-dupont-face.jpg)\n\n"
                                     "![Also](/content/memories/jean-dupont/unlisted.jpg)\n",
    })
    assert site.build().exit_code == 0
    assert site.read("campaigns/fans/index.html").count("<picture") == 2
    shown = {path for path in site.output_files() if path.startswith("media/")}
    assert shown

    site.write("content/memories/jean-dupont/index.md", memory(
        "Jean", status="withdrawn", extra="media:\n  - {src: jean-dupont-face.jpg, alt: x}\n"))
    result = site.build()
    assert result.exit_code == 0, result.output
    assert ("content/campaigns/fans.md:6: note: 'content/memories/jean-dupont/jean-dupont-face.jpg' belongs to "
            "content/memories/jean-dupont/index.md, which is not published; left out") in result.stderr
    assert "content/campaigns/fans.md:8: note: 'content/memories/jean-dupont/unlisted.jpg' belongs to" \
        in result.stderr
    page = site.read("campaigns/fans/index.html")
    assert "<picture" not in page and "<img" not in page and "Our fans." in page
    left = {path for path in site.output_files() if path.startswith("media/")}
    # Only the site's own share card is left: no derivative of either photo, nor Jean's card.
    assert len(left) == 1 and left < shown and left.pop().startswith("media/share/")
    assert site.build("--strict").exit_code == 0  # a note never holds a withdrawal back


# -- crashes that became path:line: message errors -----------------------------------------


def test_file_names_that_are_not_utf8_or_hold_a_line_break_are_errors(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A")})
    (site.root / "content/memories").joinpath(os.fsdecode(b"caf\xe9.md")).write_text(memory("B"))
    (site.root / "content/memories/a\nstoryfake.md").write_text(memory("C"))
    result = site.build()
    assert result.exit_code == 1
    assert "content/memories/caf\\xe9.md:1: the file name is not valid UTF-8; rename the file" in result.stderr
    assert "content/memories/a\\nstoryfake.md:1: the file name contains a control character" in result.stderr
    assert "internal error" not in result.output
    assert not any(line.startswith("storyfake.md") for line in result.stderr.splitlines())


def test_every_diagnostic_is_one_line_whatever_the_names_and_values_hold(make_site) -> None:
    # A line break, an escape sequence or a bidi override in a file name or in a value quoted by a
    # message must not print a line that editors and CI parsers read as another diagnostic.
    forged = "content/memories/z.md:9: forged"
    media = f'media:\n  - src: "nope\\n{forged}\\u2028{forged}\\u202ex"\n    alt: Une photo\n'
    site = make_site({"content/memories/a.md": memory("A", extra=media)})
    names = ["b\u2028z.md:9: forged.md", "c\x1b[31m\u202e.md", "d\x85z.md:9: forged.md", "e\rx.md"]
    for name in names:
        try:
            # Broken, so that each file has a diagnostic of its own, whether its name is refused or not.
            (site.root / "content/memories" / name).write_text("---\ntitle: [cassé\n---\n")
        except OSError:
            pytest.skip("this file system refuses control characters in file names")
    result = site.build()
    assert result.exit_code == 1
    assert "internal error" not in result.output
    lines = result.stderr.splitlines()
    # splitlines() also breaks at \x85, \u2028, \r...: exactly what an editor might do.
    assert all(line.startswith(("content/memories/", "Build failed")) for line in lines), lines
    assert not any(line.startswith(("z.md", forged)) for line in lines)
    assert len(lines) == 1 + 1 + len(names)  # a.md's photo, each bad name, the summary
    assert ("content/memories/a.md:10: media.src: 'nope\\ncontent/memories/z.md:9: forged\\u2028"
            "content/memories/z.md:9: forged\\u202ex\\u202c' was not found") in result.stderr
    assert "content/memories/b\\u2028z.md:9: forged.md:" in result.stderr
    assert "content/memories/c\\x1b[31m\\u202e.md:1: the file name contains a control" in result.stderr
    assert "content/memories/d\\x85z.md:9: forged.md:" in result.stderr
    for char in ("\x1b", "\u202e", "\u2028", "\x85", "\r"):
        assert char not in result.stderr


def test_theme_strings_of_the_wrong_shape_are_errors(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A"),
                      "themes/default/strings/en.yaml": 'months: 12\ndate_formats:\n  day: "{dya} {month}"\n'
                                                        'memory.by: "Told by {nam}"\n'},
                     config="title: T\nlanguage: en\n")
    result = site.build()
    assert result.exit_code == 1
    assert "themes/default/strings/en.yaml:1: months: expected a list of the 12 month names" in result.stderr
    assert "themes/default/strings/en.yaml:3: date_formats.day: may use {day}, {month}, {year} only" \
        in result.stderr
    assert "themes/default/strings/en.yaml:4: memory.by: {nam} is not known here; it may use {name}" \
        in result.stderr
    assert "internal error" not in result.output


# -- M4: --strict must not hold back the build that takes a withdrawn memory offline ----------


def test_strict_build_still_takes_a_withdrawn_featured_memory_offline(make_site) -> None:
    from tests.test_images import photo

    site = make_site({"content/memories/first-jar.md": memory("Le premier pot",
                                                             extra="media:\n  - {src: p.jpg, alt: x}\n"),
                      "content/memories/p.jpg": photo((64, 48)),
                      "content/memories/other.md": memory("Autre"),
                      "content/campaigns/c.md": "---\ntitle: C\n---\n::: memory first-jar\n:::\n",
                      "content/galleries/g.yaml": "title: G\nimages:\n  - {src: ../memories/p.jpg, alt: p}\n"})
    assert site.build("--strict").exit_code == 0
    assert (site.public / "memories/first-jar/index.html").exists()
    withdrawn = site.root / "content/memories/first-jar.md"
    withdrawn.write_text(withdrawn.read_text().replace("status: approved", "status: withdrawn"))
    result = site.build("--strict")
    assert result.exit_code == 0, result.output
    assert "content/campaigns/c.md:4: note: memory 'first-jar' is not published; the block is left out" \
        in result.stderr
    assert "content/galleries/g.yaml:3: note: 'content/memories/p.jpg' belongs to" in result.stderr
    assert not (site.public / "memories/first-jar").exists()
    assert "Le premier pot" not in site.all_output_text()
    checked = site.check("--strict")
    assert checked.exit_code == 0, checked.output
    # The notice is repeated by an up-to-date build, and a real warning still fails --strict.
    again = site.build("--strict")
    assert "Up to date" in again.stdout and "note: memory 'first-jar'" in again.stderr
    site.write("content/memories/typo.md", memory("Faute", extra="feautred: true\n"))
    assert site.build("--strict").exit_code == 1


# -- A damaged private store (a write cut short) stops import and withdraw cleanly ----------


def test_a_damaged_line_in_the_private_store_is_named_not_a_traceback(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A")},
                     config="title: T\nbase_url: https://example.org/\n")
    (site.root / "export.csv").write_text(EXPORT)
    imported = site.run("import", str(site.root / "export.csv"), "--site", str(site.root))
    assert imported.exit_code == 0, imported.output
    store = site.root / "private/submissions.jsonl"
    store.write_text(store.read_text() + '{"author_id": "fan-1", "email": "zo')  # cut short by a full disk
    before = store.read_bytes()
    for command in (["withdraw", "jean@example.org"], ["import", str(site.root / "export.csv")]):
        result = site.run(*command, "--site", str(site.root))
        assert result.exit_code == 1, result.output
        assert "submissions.jsonl:2: is not a submission record" in result.stderr
        assert "Traceback" not in result.output and "internal error" not in result.output
        assert store.read_bytes() == before


def test_a_photo_in_static_is_never_published_with_where_it_was_taken(make_site) -> None:
    # static/ is copied as it is, but a fan's photo dropped there (to link it from a page)
    # would take their home's GPS position to every visitor: a JPEG is published without its
    # EXIF, XMP and IPTC blocks, its pixels and orientation as they were (a warning says so:
    # git still keeps it); another kind of photo that says where it was taken is an error.
    import io

    from PIL import Image

    from tests.test_import import _photo_taken_somewhere

    original = _photo_taken_somewhere()
    site = make_site({"content/memories/a.md": memory("A"), "static/photos/cuisine.jpg": original})
    result = site.build()
    assert result.exit_code == 0, result.output
    assert ("static/photos/cuisine.jpg:1: warning: holds a GPS position (where it was taken): published without "
            "its EXIF, XMP and IPTC blocks") in result.stderr
    published = (site.public / "photos/cuisine.jpg").read_bytes()
    assert b"Lilas" not in published and b"PhoneMaker" not in published
    with Image.open(io.BytesIO(published)) as image, Image.open(io.BytesIO(original)) as before:
        assert dict(image.getexif().get_ifd(0x8825)) == {}
        assert image.getexif().get(0x0112) == 6
        assert image.tobytes() == before.tobytes()
    assert (site.root / "static/photos/cuisine.jpg").read_bytes() == original  # the site's file is left alone

    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (45.0, 45.0, 36.0), 3: "E", 4: (4.0, 50.0, 0.0)}
    png = io.BytesIO()
    Image.new("RGB", (8, 8)).save(png, "PNG", exif=exif.tobytes())
    site.write("static/photos/jardin.png", png.getvalue())
    before = site.output_files()
    result = site.build()
    assert result.exit_code == 1
    assert "static/photos/jardin.png:1: holds a GPS position (where it was taken), which would be published" \
        in result.stderr
    assert site.output_files() == before


def test_an_image_from_another_host_in_an_editors_text_is_named_at_its_line(make_site) -> None:
    # An editor pastes an image's web address: every visitor's browser would call that host.
    # The error names the line of the text to change (not the built page's line), in check as in
    # build; an origin the site allows is loaded as any other.
    page = "---\ntitle: À propos\n---\nNotre histoire.\n\n![Le pot](https://cdn.example/pot.jpg)\n"
    site = make_site({"content/memories/a.md": memory("A"), "content/pages/a-propos.md": page})
    for result in (site.build(), site.check()):
        assert result.exit_code == 1
        assert ("content/pages/a-propos.md:6: image 'https://cdn.example/pot.jpg' would be loaded from another "
                "origin (https://cdn.example)") in result.stderr, result.stderr
        assert "public/a-propos" not in result.stderr
    site.write("storysite.yaml", "title: T\nbase_url: https://example.org/\n"
                                 "privacy: {allowed_origins: ['https://cdn.example']}\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    assert 'src="https://cdn.example/pot.jpg"' in site.read("a-propos/index.html")
