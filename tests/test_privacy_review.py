"""Fixes from the privacy review (/tmp/review-privacy.md): each test failed before its fix."""

from __future__ import annotations

import os

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
    assert "static/data.json: leads into the private store" in result.stderr
    assert "static/raw/submissions.jsonl: leads into the private store" in result.stderr
    assert not site.public.exists()


def test_no_build_copies_a_private_store_file_linked_from_a_theme(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A"),
                      "private/key": "00\n", "themes/mine/theme.yaml": "extends: default\n"},
                     config="title: T\ntheme: mine\n")
    (site.root / "themes/mine/static").mkdir(parents=True)
    os.symlink("../../../private/key", site.root / "themes/mine/static/key.txt")
    result = site.build()
    assert result.exit_code == 1
    assert "themes/mine/static/key.txt: leads into the private store" in result.stderr


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
    assert "P2@Example.org" not in text and "Person Two" not in text and '"location": "Lyon"' in text


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
                      "content/memories/b.yaml": "{title: B two, status: approved, author: {id: fan-7},"
                                                 " consent: {granted: 2020-01-01}, text: Deux}\n",
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
