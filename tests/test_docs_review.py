"""What the README and docs/ promise, tried as a new user following them literally."""

from __future__ import annotations

import pytest

MAP = "columns: {title: Title, text: Your memory, name: Full name, email: Email}\n"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_one_over_long_row_in_a_small_export_is_left_out_not_the_whole_import(make_site, delimiter: str) -> None:
    # README: "only its delimiter (comma, semicolon or tab) being guessed; a row with more cells
    # than the header is left out and named by its line". In a short export the one bad row
    # used to make the delimiter guess fail, and a semicolon or tab export then read as a single
    # column: nothing imported.
    site = make_site({"m.yaml": MAP})
    rows = [["Title", "Your memory", "Full name", "Email"],
            ["Un", "Premier souvenir", "Ann Lee", "ann@example.org"],
            ["Deux", "Second souvenir", "Bob", "Martin", "bob@example.org"],
            ["Trois", "Troisième souvenir", "Eve Roux", "eve@example.org"]]
    export = site.root / "export.csv"
    export.write_text("".join(delimiter.join(row) + "\n" for row in rows), encoding="utf-8")
    result = site.run("import", str(export), "--site", str(site.root), "--map", str(site.root / "m.yaml"))
    assert result.exit_code == 1, result.output  # a row was left out
    assert "row 3 has 5 cells, more than the 4 columns of the header" in result.stderr
    assert "Imported 2 new memories" in result.stdout, result.output
    assert sorted(p.name for p in (site.root / "content/memories").iterdir()) == ["trois.md", "un.md"]
