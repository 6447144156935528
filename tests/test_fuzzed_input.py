"""Hostile and malformed input found by fuzzing the build: each once a crash, a hang, a wrong line or a leak."""

from __future__ import annotations

import os

import pytest

from tests.conftest import MINIMAL_CONFIG, memory


@pytest.mark.parametrize(("key", "line"), [("output", 4), ("privacy:\n  private_store", 5)])
def test_a_control_character_in_a_configured_folder_is_an_error_not_a_crash(make_site, key: str, line: int) -> None:
    site = make_site({"content/memories/a.md": memory("A")})
    assert site.build().exit_code == 0
    before = site.output_files()
    site.write("storysite.yaml", MINIMAL_CONFIG + f'{key}: "pub\\0lic"\n')
    result = site.build()
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output
    assert f"storysite.yaml:{line}: " in result.stderr, result.stderr
    assert "control character U+0000" in result.stderr, result.stderr
    assert site.output_files() == before


def test_an_output_folder_whose_name_is_too_long_is_a_usage_error_not_a_crash(make_site, tmp_path) -> None:
    site = make_site({"content/memories/a.md": memory("A")})
    result = site.build("--output", str(tmp_path / ("a" * 5000)))
    assert result.exit_code == 2, result.output
    assert "internal error" not in result.output
    assert "cannot be used (File name too long)" in result.output


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_a_line_separator_in_a_text_does_not_shift_the_lines_of_errors_below_it(make_site, separator: str) -> None:
    # libyaml (YAML 1.1) ends a line at U+2028, U+2029 and NEL as well; editors do not.
    site = make_site({"content/memories/a.md": memory(f'"Un{separator}souvenir"', extra="tags: {a: 1}\n")})
    result = site.build()
    assert result.exit_code == 1, result.output
    assert "content/memories/a.md:9: tags: expected a list of text, got a mapping" in result.stderr, result.stderr


def test_a_line_separator_before_a_yaml_syntax_error_does_not_shift_its_line(make_site) -> None:
    site = make_site({"content/memories/a.md": "---\ntitle: \"Un\u2028souvenir\"\nstatus: approved\ntags: [a\n---\nx\n"})
    result = site.build()
    assert result.exit_code == 1, result.output
    assert "content/memories/a.md:4: invalid YAML: the list opened by '['" in result.stderr, result.stderr


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_configuration_that_is_a_named_pipe_is_an_error_not_a_hang(make_site, command: str) -> None:
    site = make_site({"content/memories/a.md": memory("A")})
    assert site.build().exit_code == 0
    before = site.output_files()
    (site.root / "storysite.yaml").unlink()
    os.mkfifo(site.root / "storysite.yaml")  # reading it would wait for a writer forever
    result = site.run(command, str(site.root))
    assert result.exit_code == 1, result.output
    assert "storysite.yaml:1: cannot be read: it is not a file" in result.stderr, result.stderr
    assert site.output_files() == before


@pytest.mark.parametrize("char", ["\u200b", "\u2060", "\u00ad", "\ufeff", "\u0332", "\u20dd", "\u0600"])
def test_a_character_inside_a_name_never_hides_two_words_run_together(make_site, char: str) -> None:
    # "Marie\u200bDupontel" (a character that draws nothing) reads "MarieDupontel", and
    # "Marie\u0332Dupontel" (a mark) shows it underlined: two words run together, initials only.
    author = f'author: {{id: fan-1, name: "Marie{char}Dupontel", location: Lyon}}'
    text = memory("Un souvenir").replace("author: {id: fan-1, display: Romain L., location: Lyon}", author)
    site = make_site({"content/memories/a.md": text})
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "dupontel" not in site.all_output_text().replace(char, "").casefold()
    assert "M. D." in site.read("memories/a/index.html")
