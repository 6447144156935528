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
