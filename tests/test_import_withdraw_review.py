"""Review of import, withdraw and check --report: black-box tests of what was found wrong."""

from __future__ import annotations

import json

from tests.conftest import Site

HEADER = "title,text,name,email,phone,consent,consent_timestamp\n"
ANA = ("Premier souvenir,Le texte du premier,Ana Lopes,ana@example.org,0611223344,yes,2024-01-01\n"
       "Second souvenir,Le texte du second,Ana Lopes,ana@example.org,0611223344,yes,2024-01-02\n")


def _import(site: Site, text: str | bytes, name: str = "export.csv", *extra: str):
    path = site.root / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return site.run("import", str(path), "--site", str(site.root), *extra)


def _approve(site: Site, *slugs: str) -> None:
    for slug in slugs:
        path = site.root / "content/memories" / f"{slug}.md"
        path.write_text(path.read_text("utf-8").replace("status: submitted", "status: approved"), "utf-8")


def _store(site: Site, name: str = "submissions.jsonl") -> list[dict]:
    path = site.root / "private" / name
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()] \
        if path.exists() else []


def _withdraw(site: Site, *args: str):
    return site.run("withdraw", *args, "--site", str(site.root))


# -- withdrawing one memory by its slug keeps the fan's other memories' records ----------------


def test_withdrawing_one_memory_by_slug_keeps_the_records_of_the_fans_other_memories(make_site) -> None:
    site = make_site()
    assert _import(site, HEADER + ANA).exit_code == 0
    _approve(site, "premier-souvenir", "second-souvenir")
    assert site.build().exit_code == 0
    result = _withdraw(site, "premier-souvenir")
    assert result.exit_code == 0, result.output
    # The second memory is still published: its consent evidence and the fan's contact stay.
    records = _store(site)
    assert [r["memory"] for r in records] == ["content/memories/second-souvenir.md"]
    assert records[0]["consent"]["timestamp"] == "2024-01-02"
    assert [t["fingerprint"] for t in _store(site, "withdrawn.jsonl")] != []
    assert len(_store(site, "withdrawn.jsonl")) == 1
    # ... so that the fan can still be found by email when they ask to be forgotten entirely.
    again = _withdraw(site, "ana@example.org")
    assert again.exit_code == 0, again.output
    assert "Withdrawn: second-souvenir" in again.stdout
    assert _store(site) == [] and len(_store(site, "withdrawn.jsonl")) == 2
    assert _import(site, HEADER + ANA).stdout.count("Imported 0 new memories") == 1


def test_withdrawing_a_fans_last_memory_by_slug_erases_all_their_records(make_site) -> None:
    site = make_site()
    assert _import(site, HEADER + ANA).exit_code == 0
    (site.root / "content/memories/second-souvenir.md").unlink()  # an editor deleted it
    result = _withdraw(site, "premier-souvenir")
    assert result.exit_code == 0, result.output
    assert _store(site) == []
    assert len(_store(site, "withdrawn.jsonl")) == 2


# -- a fan whose memory files are gone is still forgotten ----------------------------------------


def test_withdraw_by_email_erases_the_records_of_a_fan_whose_memory_files_were_deleted(make_site) -> None:
    site = make_site()
    assert _import(site, HEADER + ANA).exit_code == 0
    for slug in ("premier-souvenir", "second-souvenir"):  # rejected submissions an editor removed
        (site.root / f"content/memories/{slug}.md").unlink()
    result = _withdraw(site, "ana@example.org")
    assert result.exit_code == 0, result.output
    assert "erased 2 record(s) of personal data" in result.stdout
    assert "ana@example.org" not in (site.root / "private/submissions.jsonl").read_text("utf-8")
    assert len(_store(site, "withdrawn.jsonl")) == 2
    assert "Imported 0 new memories" in _import(site, HEADER + ANA).stdout  # the tombstones keep them out


# -- a photo cell never brings another file into the content tree ---------------------------------


def test_a_photo_cell_naming_the_private_store_or_another_export_copies_nothing(make_site) -> None:
    site = make_site()
    assert _import(site, HEADER + ANA, "first.csv").exit_code == 0
    rows = ("title,text,name,email,photo\n"
            "Trois,Le texte trois,Eve Hack,eve@example.org,private/submissions.jsonl\n"
            "Quatre,Le texte quatre,Max Moe,max@example.org,first.csv\n"
            "Cinq,Le texte cinq,Lou Lee,lou@example.org,private/key\n")
    result = _import(site, rows, "second.csv")
    assert "second.csv:2: warning: photo 'private/submissions.jsonl'" in result.stderr
    content = "\n".join(p.read_bytes().decode("utf-8", "replace")
                        for p in (site.root / "content").rglob("*") if p.is_file())
    assert "ana@example.org" not in content and "0611223344" not in content
    assert not [p for p in (site.root / "content/memories").rglob("*") if p.name.startswith("photo")]


def test_a_photo_cell_naming_another_memorys_photo_or_a_photo_in_the_private_store_copies_nothing(
        make_site) -> None:
    from tests.test_images import photo

    # The export at the site's root reaches its folders: a withdrawn fan's photo, or a scan kept in
    # the private store (by a hard link too), would come back in a new memory, versioned, published
    # once approved.
    site = make_site({"content/memories/parti/index.md": "---\ntitle: P\nstatus: withdrawn\n---\nx\n",
                      "content/memories/parti/photo.jpg": photo((64, 48)), "private/scan.png": photo((64, 48), fmt="PNG"),
                      "envoi.jpg": photo((64, 48), (9, 9, 9))})
    (site.root / "lien.png").hardlink_to(site.root / "private/scan.png")
    rows = ("title,text,name,email,photo\n"
            "Un,Le texte un,Eve Hack,eve@example.org,content/memories/parti/photo.jpg\n"
            "Deux,Le texte deux,Eve Hack,eve@example.org,private/scan.png\n"
            "Trois,Le texte trois,Eve Hack,eve@example.org,lien.png\n"
            "Quatre,Le texte quatre,Eve Hack,eve@example.org,envoi.jpg\n")
    result = _import(site, rows)
    assert result.exit_code == 0, result.output
    for line, cell in ((2, "content/memories/parti/photo.jpg"), (3, "private/scan.png"), (4, "lien.png")):
        assert (f"export.csv:{line}: warning: photo '{cell}' is one of the site's content or private store files, "
                "not a photo sent with the export; not copied") in result.stderr, result.stderr
    copied = sorted(p.relative_to(site.root / "content/memories").as_posix()
                    for p in (site.root / "content/memories").rglob("photo.*"))
    assert copied == ["parti/photo.jpg", "quatre/photo.jpg"]  # the photo sent with the export only


# -- encodings as spreadsheets write them --------------------------------------------------------

FRENCH = ("title,text,name,email\n"
          "Mon cœur,\"L’été 1986, ma sœur a dit : « encore ! » (5 €)\",Zoé Marchand,zoe@example.org\n")


def _memory_text(site: Site, slug: str) -> str:
    return (site.root / "content/memories" / f"{slug}.md").read_text("utf-8")


def test_an_excel_cp1252_export_is_pointed_to_cp1252_not_latin1_which_garbles_it(make_site) -> None:
    site = make_site()
    refused = _import(site, FRENCH.encode("cp1252"))
    assert refused.exit_code == 1
    assert "--encoding cp1252" in refused.stderr
    hinted = _import(site, FRENCH.encode("cp1252"), "export.csv", "--encoding", "cp1252")
    assert hinted.exit_code == 0, hinted.output
    text = _memory_text(site, "mon-coeur")
    assert "title: Mon cœur" in text and "L’été 1986, ma sœur" in text and "(5 €)" in text


def test_a_utf16_export_with_its_byte_order_mark_is_read_as_such(make_site) -> None:
    # Excel's "Unicode text" export: UTF-16 with a byte-order mark, tab-separated.
    site = make_site()
    tsv = "title\ttext\tname\temail\nMon cœur\tL’été 1986, ma sœur\tZoé Marchand\tzoe@example.org\n"
    result = _import(site, tsv.encode("utf-16"))
    assert result.exit_code == 0, result.output
    text = _memory_text(site, "mon-coeur")
    assert "title: Mon cœur" in text and "L’été 1986" in text


def test_a_json_export_with_a_utf8_byte_order_mark_is_read(make_site) -> None:
    site = make_site()
    data = json.dumps([{"title": "Mon cœur", "text": "L’été 1986", "email": "zoe@example.org"}], ensure_ascii=False)
    result = _import(site, "\ufeff" + data, "export.json")
    assert result.exit_code == 0, result.output
    assert "L’été 1986" in _memory_text(site, "mon-coeur")


# -- imported memories never take a URL another memory has --------------------------------------


def test_an_import_never_takes_the_slug_of_a_list_entry_a_slug_field_or_a_file_named_with_accents(make_site) -> None:
    site = make_site({
        "content/memories/liste.yaml": "- title: Premier souvenir\n  status: approved\n"
                                       "  consent: {granted: 2020-01-01}\n  text: Un.\n",
        "content/memories/renamed.md": "---\ntitle: X\nslug: second-souvenir\nstatus: submitted\n---\nx\n",
        "content/memories/Été 1986.md": "---\ntitle: Y\nstatus: submitted\n---\ny\n",
    })
    rows = ANA + "Été 1986,Le texte de l'été,Bob Li,bob@example.org,,yes,2024-01-01\n"
    assert _import(site, HEADER + rows).exit_code == 0
    check = site.check()
    assert check.exit_code == 0, check.output
    assert "as does" not in check.output


# -- a damaged private store never keeps a withdrawn memory online --------------------------------


def test_a_damaged_private_store_line_does_not_hold_back_the_takedown(make_site) -> None:
    site = make_site()
    assert _import(site, HEADER + ANA).exit_code == 0
    _approve(site, "premier-souvenir", "second-souvenir")
    assert site.build().exit_code == 0
    with (site.root / "private/submissions.jsonl").open("a") as store:
        store.write('{"author_id": "fan-cut-short\n')  # a write cut short by a full disk
    result = _withdraw(site, "premier-souvenir")
    assert "status: withdrawn" in (site.root / "content/memories/premier-souvenir.md").read_text("utf-8")
    assert not (site.public / "memories/premier-souvenir/index.html").exists()
    assert "https://example.org/memories/premier-souvenir/" in result.stdout
    assert result.exit_code == 1
    assert "private/submissions.jsonl:3: is not a submission record" in result.stderr
    assert "personal data was NOT erased" in result.stderr


# -- the curation report never lands in a folder that gets deployed ------------------------------


def test_the_report_is_refused_inside_a_folder_the_site_was_built_into_with_output(make_site) -> None:
    site = make_site({"content/memories/a.md": "---\ntitle: Titre en attente\nstatus: submitted\n---\nA\n"})
    assert site.build("-o", str(site.root / "dist")).exit_code == 0
    result = site.check("--report", str(site.root / "dist/report.html"))
    assert result.exit_code == 2, result.output
    assert "outside the output folder" in result.stderr
    assert not (site.root / "dist/report.html").exists()


def test_a_withdrawal_that_changes_no_published_url_says_there_is_nothing_to_purge(make_site) -> None:
    # A memory still awaiting approval was never online: the withdrawal says nothing is to be
    # purged, rather than "0 URL(s) to purge from caches and CDNs:" over an empty list.
    site = make_site()
    assert _import(site, HEADER + ANA).exit_code == 0
    assert site.build().exit_code == 0
    result = _withdraw(site, "premier-souvenir")
    assert result.exit_code == 0, result.output
    assert "No published URL changed: nothing to purge" in result.stdout
    assert "0 URL(s)" not in result.stdout
