"""Curation and privacy: what is not published leaves no trace in any output file."""

from __future__ import annotations

import json
import re
import time

import pytest

from storysite.personaldata import personal_data_in, private_data_in, without_personal_data
from tests.conftest import Site, memory

PRIVATE = """\
author:
  id: fan-4512
  name: Romain Lefèvre
  email: romain.secret@example.net
  phone: "06 12 34 56 78"
  location: Lyon
consent:
  granted: 2014-04-02
  scope: [site, share]
  ref: c-SECRET-4512
original: |
  les mots ORIGINAUX du fan
notes: "note EDITORIALE confidentielle"
tags: [famille]
"""


def private_memory(title: str = "Souvenir public") -> str:
    return f"---\ntitle: {title}\ndate: 1986\nstatus: approved\n{PRIVATE}---\nTexte publié.\n"


def test_private_fields_never_reach_the_output(make_site) -> None:
    site = make_site({"content/memories/a.md": private_memory()})
    assert site.build().exit_code == 0
    everything = site.all_output_text()
    assert "Texte publié." in everything
    for secret in ("Lefèvre", "romain.secret", "06 12 34 56 78", "c-SECRET-4512", "ORIGINAUX",
                   "EDITORIALE", "fan-4512"):
        assert secret not in everything, secret
    assert "Romain L." in everything


@pytest.mark.parametrize(
    ("policy", "shown", "hidden"),
    [
        ("first_initial", "Romain L.", "Lefèvre"),
        ("first", "Romain", "Lefèvre"),
        ("full", "Romain Lefèvre", None),
        ("anonymous", None, "Romain"),
    ],
)
def test_author_display_policy(make_site, policy: str, shown: str | None, hidden: str | None) -> None:
    site = make_site({"content/memories/a.md": private_memory()},
                     config=f"title: T\nprivacy: {{author_display: {policy}}}\n")
    assert site.build().exit_code == 0
    everything = site.all_output_text()
    if shown:
        assert shown in site.read("memories/a/index.html")
    if hidden:
        assert hidden not in everything


# A name as fans write it on forms → what first_initial and first show (never the surname).
NAMES = [
    ("Romain Lefèvre", "Romain L.", "Romain"),
    ("DUPONTEL Marie", "Marie D.", "Marie"),              # French administrative order
    ("Dupontel, Marie", "Marie D.", "Marie"),
    ("Mme Marie Dupontel", "Marie D.", "Marie"),
    ("M. Jean Dupontel", "Jean D.", "Jean"),
    ("Mr John Dupontel", "John D.", "John"),
    ("Dr Marie Dupontel", "Marie D.", "Marie"),
    ("Mlle Anne Dupontel", "Anne D.", "Anne"),
    ("Madame Dupontel", "", ""),                         # a title, then a surname
    ("M. Dupontel", "", ""),
    ("Mrs Dupontel", "", ""),
    ("M. et Mme Dupontel", "", ""),
    ("Marie de La Dupontel", "Marie D.", "Marie"),
    ("de Dupontel Marie", "Marie D.", "Marie"),          # a leading particle: the surname first
    ("van der Dupontel Anna", "Anna D.", "Anna"),
    ("Marie LE DUPONTEL", "Marie D.", "Marie"),
    ("Jean-Pierre Dupontel", "Jean-Pierre D.", "Jean-Pierre"),
    ("DUPONTEL Jean-Pierre", "Jean-Pierre D.", "Jean-Pierre"),
    ("DUPONTEL M.", "M. D.", "M."),
    ("J.-P. Dupontel", "J.-P. D.", "J.-P."),
    ("JP Dupontel", "J. D.", "J."),                      # initials or a surname? initials only
    ("MARIE DUPONTEL", "M. D.", "M."),                   # which is the surname? initials only
    ("DUPONTEL", "D.", "D."),
    ("Marie", "Marie", "Marie"),
    ("Dupontel,", "", ""),
    ("Dupontel, Jean-Pierre, Jr.", "Jean-Pierre D.", "Jean-Pierre"),
    # Written as user names are (which part is the surname?), or no name at all: initials only.
    ("J.Dupontel", "J. D.", "J."),
    ("jean.dupontel", "J. D.", "J."),
    ("dupontel.jean", "D. J.", "D."),
    ("Jean_Dupontel", "J. D.", "J."),
    ("jean..dupontel", "J. D.", "J."),
    ("Jean/Dupontel", "J. D.", "J."),
    ("jean+dupontel", "J. D.", "J."),
    ("Jean|Dupontel", "J. D.", "J."),
    ("jean·dupontel", "J. D.", "J."),
    ("jean-dupontel-75", "J. D.", "J."),
    ("JeanDupontel", "J. D.", "J."),
    ("राम", "राम", "राम"),          # marks belong to their letters: one word, not a user name
    ("jean.dupontel Lyon", "J. L.", "J."),   # a user name among other words: initials still
    ("Prof JeanDupontel Marie", "J. M.", "J."),
    ("Gal·la Dupontel", "Gal·la D.", "Gal·la"),          # Catalan l·l is a letter pair
    ("DeShawn Dupontel", "DeShawn D.", "DeShawn"),       # a capital after two letters: a name
    ("Douglas MacArthur", "Douglas M.", "Douglas"),      # surname prefixes written run together
    ("Marie FitzGerald", "Marie F.", "Marie"),
    ("Jean VanDyke", "Jean V.", "Jean"),
    ("JeanMacArthur", "J. A.", "J."),                    # but a whole name run together is not
    ("Anne\u2010Marie Dupontel", "Anne\u2010Marie D.", "Anne\u2010Marie"),   # another hyphen
    ("امیر\u200cحسین", "امیر\u200cحسین", "امیر\u200cحسین"),   # a joiner belongs to its word
    ("Mme Dupontel_Marie", "", ""),   # a title before one word: a surname, however joined
    ("Dr Dupontel.Paul", "", ""),
    ("jean.dupontel@example.org", "", ""),
    ("@jean_dupontel", "", ""),
    ("Jean jean.dupontel@example.org", "", ""),
]


@pytest.mark.parametrize(("name", "first_initial", "first"), NAMES)
def test_a_display_name_never_shows_a_surname_whatever_the_order(name: str, first_initial: str, first: str) -> None:
    from storysite.names import display_name

    assert display_name(name, "first_initial") == first_initial
    assert display_name(name, "first") == first
    assert "Dupontel".casefold() not in (first_initial + first).casefold()


def test_names_written_surname_first_or_with_a_title_publish_no_surname(make_site) -> None:
    files = {}
    for number, (name, _, _) in enumerate(NAMES):
        files[f"content/memories/m{number}.md"] = memory(f"Souvenir {number}").replace(
            "author: {id: fan-1, display: Romain L., location: Lyon}", f"author: {{id: fan-{number}, name: '{name}'}}")
    site = make_site(files)
    result = site.build()
    assert result.exit_code == 0, result.output
    for number, (_, shown, _) in enumerate(NAMES):
        page = site.read(f"memories/m{number}/index.html")
        assert not shown or shown in page, (number, shown)
    everything = site.all_output_text()
    for secret in ("Dupontel", "DUPONTEL", "Mme", "Madame", "Mlle", "Dr ", "Mr "):
        assert secret not in everything, secret


# Names that may be written family name first (Chinese, Japanese, Korean, Vietnamese): name,
# first_initial, first, and the family name, which neither may show.
FAMILY_NAME_FIRST = [
    ("王 小明", "小明", "小明", "王"),
    ("王小明", "", "", "王"),            # no space: it cannot be cut, so nothing is shown
    ("山田 太郎", "太郎", "太郎", "山田"),
    ("山田太郎", "", "", "山田"),
    ("ﾔﾏﾀﾞ ﾀﾛｳ", "ﾀﾛｳ", "ﾀﾛｳ", "ﾔﾏﾀﾞ"),   # halfwidth katakana
    ("김 민수", "민수", "민수", "김"),
    ("Marie 王", "Marie", "Marie", "王"),  # the initial of 王 would be 王 itself
    ("JP 王", "J.", "J.", "王"),
    # Family name first, as in Vietnam, or given name first? Initials only.
    ("Nguyễn Văn An", "N. A.", "N.", "Nguyễn"),
    ("Nguyen Van An", "N. A.", "N.", "Nguyen"),
    ("NGUYEN Van An", "N. A.", "N.", "NGUYEN"),
    ("Trần Thị Mai", "T. M.", "T.", "Trần"),
    ("Lê Văn Tám", "L. T.", "L.", "Lê"),
    ("Hoang Dupont", "H. D.", "H.", "Dupont"),
    ("Nguyễn", "N.", "N.", "Nguyễn"),
    # Given name first, with a Vietnamese family name or letters of other languages.
    ("An Nguyễn", "An N.", "An", "Nguyễn"),
    ("Marie Nguyễn", "Marie N.", "Marie", "Nguyễn"),
    ("Marie-Hélène Trần", "Marie-Hélène T.", "Marie-Hélène", "Trần"),
    ("Marie ĐẶNG", "Marie Đ.", "Marie", "ĐẶNG"),
    ("Mihaela Dăncilă", "Mihaela D.", "Mihaela", "Dăncilă"),   # Romanian ă
    ("Chinụa Achebe", "Chinụa A.", "Chinụa", "Achebe"),         # Igbo ụ
    ("Mai Dupont", "Mai D.", "Mai", "Dupont"),   # Mai is a given name too
    # Chinese, Korean and Japanese names in Latin letters: family name first, or not? Initials only.
    ("Wang Xiaoming", "W. X.", "W.", "Wang"),
    ("Kim Min-su", "K. M.", "K.", "Kim"),
    ("LEE Min-ho", "L. M.", "L.", "LEE"),
    ("Tanaka Hiroshi", "T. H.", "T.", "Tanaka"),
    ("Zhāng Wěi", "Z. W.", "Z.", "Zhāng"),       # pinyin with its tones
    ("Kim Dupont", "K. D.", "K.", "Dupont"),     # or given name first: initials only still
    ("Xiaoming Wang", "Xiaoming W.", "Xiaoming", "Wang"),
    ("Min-su Kim", "Min-su K.", "Min-su", "Kim"),
    ("Marie Lee", "Marie L.", "Marie", "Lee"),
]


@pytest.mark.parametrize(("name", "first_initial", "first", "family"), FAMILY_NAME_FIRST)
def test_a_name_written_family_name_first_shows_no_family_name(name: str, first_initial: str, first: str,
                                                               family: str) -> None:
    from storysite.names import display_name

    assert display_name(name, "first_initial") == first_initial
    assert display_name(name, "first") == first
    assert family not in first_initial + first
    assert display_name(name, "full") == name  # in the order it was written


def test_family_names_written_first_reach_no_output_file(make_site) -> None:
    files = {}
    for number, (name, _, _, _) in enumerate(FAMILY_NAME_FIRST):
        files[f"content/memories/m{number}.md"] = memory(f"Souvenir {number}").replace(
            "author: {id: fan-1, display: Romain L., location: Lyon}", f"author: {{id: fan-{number}, name: '{name}'}}")
    site = make_site(files, config="title: T\nprivacy: {author_display: first_initial}\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    everything = site.all_output_text()
    for number, (_, shown, _, family) in enumerate(FAMILY_NAME_FIRST):
        if shown:
            assert shown in site.read(f"memories/m{number}/index.html"), (number, shown)
        assert family not in everything, family


def test_the_importer_derives_display_names_the_same_way(make_site) -> None:
    site = make_site()
    export = site.write("export.csv", "title,text,name,email,consent\n"
                                      "Un,Mon souvenir,DUPONTEL Marie,marie@example.org,oui\n"
                                      "Deux,Un autre,\"Dupontel, Jean\",jean@example.org,oui\n")
    result = site.run("import", str(export), "--site", str(site.root))
    assert result.exit_code == 0, result.output
    written = "".join(path.read_text() for path in sorted((site.root / "content/memories").iterdir()))
    assert "display: Marie D." in written and "display: Jean D." in written
    assert "dupontel" not in written.casefold()


def test_explicit_display_wins_except_when_anonymous(make_site) -> None:
    text = memory("A", extra="")  # display: Romain L. in the helper
    named = make_site({"content/memories/a.md": text.replace("Romain L.", "Rom du 69")}, name="named")
    anon = make_site({"content/memories/a.md": text.replace("Romain L.", "Rom du 69")},
                     config="title: T\nprivacy: {author_display: anonymous}\n", name="anon")
    assert named.build().exit_code == 0 and anon.build().exit_code == 0
    assert "Rom du 69" in named.read("memories/a/index.html")
    assert "Rom du 69" not in anon.all_output_text()


@pytest.mark.parametrize("policy, display, warned", [
    ("first_initial", "Romain Lefèvre", "Lefèvre"),
    ("first_initial", "LEFEVRE Romain", "Lefèvre"),
    ("first", "Romain Lefèvre", "Lefèvre"),
    ("first_initial", "Romain L.", None),
    ("first", "Rom du 69", None),
    ("full", "Romain Lefèvre", None),
])
def test_a_display_showing_the_surname_the_policy_hides_is_a_warning_at_its_line(
        make_site, policy: str, display: str, warned: str | None) -> None:
    # An editor typed the fan's full name as author.display: shown as written, on every page,
    # card and feed, it published the surname privacy.author_display keeps private.
    text = memory("A").replace("author: {id: fan-1, display: Romain L., location: Lyon}",
                               f"author:\n  id: fan-1\n  name: Romain Lefèvre\n  display: {display}")
    draft = memory("B", status="submitted").replace("display: Romain L.", f"display: {display}, name: Romain Lefèvre")
    site = make_site({"content/memories/a.md": text, "content/memories/b.md": draft},
                     config=f"title: T\nprivacy: {{author_display: {policy}}}\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    message = (f"content/memories/a.md:8: warning: author.display shows a part ({warned}) of the fan's name "
               f"(author.name) that privacy.author_display ({policy}) does not publish, on every page, card and feed "
               "that names the memory (a display is shown as written): write it as the policy shows the name "
               f"({'Romain L.' if policy == 'first_initial' else 'Romain'}), unless the fan asked to be named so")
    if warned:
        assert message in result.stderr, result.stderr
        assert display in site.read("memories/a/index.html")  # the display wins (SPEC), with the warning
        assert site.build("--strict").exit_code == 1
    else:
        assert "author.display shows" not in result.stderr, result.stderr
    assert "b.md" not in result.stderr  # an unpublished memory shows nothing


def test_a_display_showing_the_surname_kept_in_the_private_store_is_a_warning(make_site) -> None:
    # SPEC keeps fans' names out of git, in the private store: the import wrote "Romain L.",
    # an editor later wrote the full name over it.
    site = make_site()
    export = site.write("export.csv", "title,text,name,email,consent\n"
                                      "Un,Mon souvenir,Romain Lefèvre,romain@example.org,oui\n")
    assert site.run("import", str(export), "--site", str(site.root)).exit_code == 0
    path = site.root / "content/memories/un.md"
    written = path.read_text()
    assert "display: Romain L." in written and "Lefèvre" not in written
    path.write_text(written.replace("display: Romain L.", "display: Romain Lefèvre")
                    .replace("status: submitted", "status: approved"))
    result = site.build()
    assert result.exit_code == 0, result.output
    assert ("content/memories/un.md:5: warning: author.display shows a part (Lefèvre) of the fan's name (in the "
            "private store) that privacy.author_display (first_initial) does not publish") in result.stderr
    # A private store that cannot be read holds no build back (import and withdraw report it).
    (site.root / "private/submissions.jsonl").write_text("{not json\n")
    result = site.build()
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output


def test_the_private_store_is_read_for_displays_only_when_it_or_a_display_changed(make_site, monkeypatch) -> None:
    # At 10,000 fans the store is tens of megabytes: an edit to another memory reads it no more,
    # its warnings said all the same; and what is kept of them names no fan.
    from storysite.privatestore import PrivateStore

    site = make_site({"content/memories/autre.md": memory("Autre", extra="tags: [plage]\n")})
    export = site.write("export.csv", "title,text,name,email,consent\n"
                                      "Un,Mon souvenir,Romain Lefèvre,romain@example.org,oui\n")
    assert site.run("import", str(export), "--site", str(site.root)).exit_code == 0
    path = site.root / "content/memories/un.md"
    path.write_text(path.read_text().replace("display: Romain L.", "display: Lefèvre R.")
                    .replace("status: submitted", "status: approved"))
    reads: list[int] = []
    real = PrivateStore.names_of
    monkeypatch.setattr(PrivateStore, "names_of", lambda store, ids: reads.append(1) or real(store, ids))
    first = site.build()
    warning_line = ("content/memories/un.md:5: warning: author.display shows a part (Lefèvre) of the fan's name (in "
                    "the private store) that privacy.author_display (first_initial) does not publish")
    assert first.exit_code == 0 and warning_line in first.stderr and len(reads) == 1, first.output
    assert "Romain" not in first.stderr  # (the stored first name is not quoted in build logs)
    site.write("content/memories/autre.md", memory("Autre", extra="tags: [mer]\n"))
    second = site.build()
    assert second.exit_code == 0 and warning_line in second.stderr and len(reads) == 1, second.output
    for kept in (site.root / ".storysite").rglob("*.json"):
        assert "Romain" not in kept.read_text("utf-8"), kept
    path.write_text(path.read_text().replace("display: Lefèvre R.", "display: R. Lefèvre"))
    third = site.build()
    assert len(reads) == 2 and "shows a part (Lefèvre)" in third.stderr
    path.write_text(path.read_text().replace("display: R. Lefèvre", "display: Romain L."))
    assert "author.display shows" not in site.build().stderr and len(reads) == 3


def test_a_display_of_the_surname_alone_kept_in_the_private_store_is_a_warning(make_site) -> None:
    # Warned with author.name in the file, but the store was read only for a display of two
    # words or more: "Lefèvre" alone published the surname without a word.
    site = make_site()
    export = site.write("export.csv", "title,text,name,email,consent\n"
                                      "Un,Mon souvenir,Romain Lefèvre,romain@example.org,oui\n")
    assert site.run("import", str(export), "--site", str(site.root)).exit_code == 0
    path = site.root / "content/memories/un.md"
    path.write_text(path.read_text().replace("display: Romain L.", "display: Lefèvre")
                    .replace("status: submitted", "status: approved"))
    result = site.build()
    assert result.exit_code == 0, result.output
    assert ("content/memories/un.md:5: warning: author.display shows a part (Lefèvre) of the fan's name (in the "
            "private store) that privacy.author_display (first_initial) does not publish") in result.stderr, \
        result.stderr


def test_a_build_after_an_edit_to_the_private_store_warns_as_a_clean_build_does(make_site) -> None:
    # The store's folder is outside what a build watches for edits: a build that read it for a
    # display's warning said "Up to date" once the store changed, and replayed its old warnings.
    site = make_site()
    export = site.write("export.csv", "title,text,name,email,consent\n"
                                      "Un,Mon souvenir,Romain Lefèvre,romain@example.org,oui\n")
    assert site.run("import", str(export), "--site", str(site.root)).exit_code == 0
    path = site.root / "content/memories/un.md"
    path.write_text(path.read_text().replace("display: Romain L.", "display: Romain Lefèvre")
                    .replace("status: submitted", "status: approved"))
    store = site.root / "private/submissions.jsonl"
    records = store.read_text()
    store.unlink()  # a checkout without it (CI), restored later
    result = site.build()
    assert result.exit_code == 0 and "author.display shows" not in result.stderr, result.output
    store.write_text(records)
    result = site.build()
    assert "Up to date" not in result.output
    assert "un.md:5: warning: author.display shows a part (Lefèvre)" in result.stderr, result.output
    store.write_text("")  # and the other way round: a warning is not kept once its record is gone
    result = site.build()
    assert "Up to date" not in result.output and "author.display shows" not in result.stderr, result.output


def test_photo_credits_alt_and_captions_naming_the_author_beyond_the_policy_are_warnings(make_site) -> None:
    from tests.test_images import photo

    media = ("media:\n  - src: a.jpg\n    alt: Romain au goûter\n    credit: Romain L.\n"
             "  - src: b.jpg\n    alt: Une tartine\n    caption: Chez les LEFÈVRE\n    credit: Studio Dupuis\n")
    files = {"content/memories/a/index.md": memory("A", extra=media).replace(
        "author: {id: fan-1, display: Romain L., location: Lyon}",
        "author: {id: fan-1, name: Romain Lefèvre, display: Romain L.}"),
        "content/memories/a/a.jpg": photo((64, 48)), "content/memories/a/b.jpg": photo((64, 48))}
    anonymous = make_site(files, config="title: T\nprivacy: {author_display: anonymous}\n", name="anon")
    result = anonymous.build()
    assert result.exit_code == 0, result.output
    said = sorted(line for line in result.output.splitlines() if " shows " in line)
    assert said == [
        "content/memories/a/index.md:10: warning: media.alt shows a part (Romain) of author.name that "
        "privacy.author_display (anonymous) does not publish: write it as the policy shows the name",
        "content/memories/a/index.md:10: warning: media.credit shows a part (Romain) of author.name that "
        "privacy.author_display (anonymous) does not publish: write it as the policy shows the name",
        "content/memories/a/index.md:13: warning: media.caption shows a part (Lefèvre) of author.name that "
        "privacy.author_display (anonymous) does not publish: write it as the policy shows the name",
    ], result.output
    initial = make_site(files, config="title: T\nprivacy: {author_display: first_initial}\n", name="initial")
    result = initial.build()
    said = [line for line in result.output.splitlines() if " shows " in line]
    assert len(said) == 1 and said[0].startswith("content/memories/a/index.md:13: warning: media.caption shows a part "
                                                 "(Lefèvre)"), result.output
    assert initial.build("--strict").exit_code == 1


def _name_shown(make_site, file: str, title: str, policy: str) -> tuple[Site, list[str]]:
    """A site of one memory by Romain Lefèvre, built: the site and its warnings that a field
    shows a part of the name."""
    text = memory(title).replace("author: {id: fan-1, display: Romain L., location: Lyon}",
                                 "author: {id: fan-1, name: Romain Lefèvre}")
    site = make_site({f"content/memories/{file}": text}, config=f"title: T\nprivacy: {{author_display: {policy}}}\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    return site, [line for line in result.stderr.splitlines() if " shows " in line]


@pytest.mark.parametrize(("policy", "title", "shown"), [
    ("first_initial", "Les Lefèvre à la plage", "Lefèvre"),
    ("first_initial", "Chez mamie LEFÈVRE", "Lefèvre"),
    ("first_initial", "Le goûter de Romain", None),  # the first name is published
    ("first_initial", "Lefèvre, le pot de 1986", None),  # a title's first word is capitalised anyway
    ("first_initial", "Un pot lefèvre", None),  # not written as a name
    ("first_initial", "Romain-Lefèvre's jar", "Lefèvre"),  # a compound first word: its later parts count
    ("anonymous", "Le goûter de Romain", "Romain"),
    ("full", "Les Lefèvre à la plage", None),
])
def test_a_title_naming_the_author_beyond_the_policy_is_a_warning(make_site, policy: str, title: str,
                                                                   shown: str | None) -> None:
    site, said = _name_shown(make_site, "a.md", title, policy)
    if shown is None:
        assert said == [], said
    else:
        assert said == [f"content/memories/a.md:2: warning: title shows a part ({shown}) of author.name that "
                        f"privacy.author_display ({policy}) does not publish (on every page, card and share card "
                        "that names the memory): write it as the policy shows the name"], said
        assert site.build("--strict").exit_code == 1


def test_a_description_place_or_tag_naming_the_author_beyond_the_policy_is_a_warning(make_site) -> None:
    # Shown with the title on every card, share card and feed entry, in search results (the
    # description), and in a URL (a tag's page).
    text = memory("Un pot", extra="description: Le goûter chez les Lefèvre\ntags: [famille, lefevre]\n").replace(
        "author: {id: fan-1, display: Romain L., location: Lyon}",
        "author: {id: fan-1, name: Romain Lefèvre, location: 'Chez les Lefèvre, Lyon'}")
    site = make_site({"content/memories/a.md": text})
    result = site.build()
    assert result.exit_code == 0, result.output
    said = [line.split(" of author.name")[0] for line in result.stderr.splitlines() if " shows " in line]
    assert said == ["content/memories/a.md:5: warning: author.location shows a part (Lefèvre)",
                    "content/memories/a.md:9: warning: description shows a part (Lefèvre)",
                    "content/memories/a.md:10: warning: tags shows a part (Lefèvre)"], result.stderr
    # Not a name: the same words in lower case in prose, and what the policy publishes.
    site.write("content/memories/a.md", text.replace("chez les Lefèvre", "au lefèvre").replace("lefevre]", "romain]")
               .replace("'Chez les Lefèvre, Lyon'", "Lyon"))
    assert " shows " not in site.build().stderr


@pytest.mark.parametrize(("policy", "file", "shown"), [
    ("first_initial", "lefevre-romain.md", "Lefèvre"),
    ("first_initial", "le-pot-de-romain.md", None),  # the first name is published
    ("anonymous", "le-pot-de-romain.md", "Romain"),
    ("full", "lefevre-romain.md", None),
    ("first_initial", "souvenir-12.md", None),
])
def test_a_slug_naming_the_author_beyond_the_policy_is_a_warning(make_site, policy: str, file: str,
                                                                  shown: str | None) -> None:
    _, said = _name_shown(make_site, file, "Un pot", policy)
    if shown is None:
        assert said == [], said
    else:
        slug = file.removesuffix(".md")
        assert said == [f"content/memories/{file}:1: warning: the slug '{slug}' shows a part ({shown}) of author.name "
                        f"that privacy.author_display ({policy}) does not publish, in the memory's URL "
                        f"(/memories/{slug}/): rename the file, or give it a slug: that does not name the fan"], said


UNPUBLISHED = {
    "submitted": memory("Zanzibar soumis", status="submitted"),
    "rejected": memory("Zanzibar rejeté", status="rejected"),
    "withdrawn": memory("Zanzibar retiré", status="withdrawn"),
    "no-consent": memory("Zanzibar sans consentement", granted=None),
    "expired": memory("Zanzibar expiré", extra="consent:\n  granted: 2010-01-01\n  expires: 2020-01-01\n",
                      granted=None),
    "print-only": memory("Zanzibar imprimé", granted=None,
                         extra="consent: {granted: 2010-01-01, scope: [print]}\n"),
}


@pytest.mark.parametrize("case", sorted(UNPUBLISHED))
def test_unpublished_memories_leave_no_trace(make_site, case: str) -> None:
    site = make_site({
        "content/memories/visible.md": memory("Visible", extra="tags: [plage]\n"),
        f"content/memories/zanzibar-{case}.md": UNPUBLISHED[case].replace(
            "date: 1986-07", "date: 1955\ntags: [zanzibartag]"),
        "content/campaigns/c.md": f"---\ntitle: C\n---\n::: memory zanzibar-{case}\n:::\n",
    })
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "is not published" in result.stderr
    for path, data in site.output_files().items():
        text = data.decode("utf-8", "replace").lower()
        assert "zanzibar" not in text, path
        assert "1955" not in text, path


def test_consent_expiry_is_judged_at_source_date_epoch(make_site) -> None:
    site = make_site({
        "content/memories/a.md": memory("Expire bientôt", extra="").replace(
            "  scope: [site, share]\n", "  scope: [site, share]\n  expires: 2026-06-01\n"),
    })
    before = site.build(env={"SOURCE_DATE_EPOCH": "1767225600"})  # 2026-01-01
    assert before.exit_code == 0
    assert (site.public / "memories/a/index.html").exists()
    after = site.build(env={"SOURCE_DATE_EPOCH": "1780272000"})  # 2026-06-01: expired that day
    assert after.exit_code == 0
    assert not (site.public / "memories/a/index.html").exists()
    assert "Expire bientôt" not in site.all_output_text()


@pytest.mark.parametrize("written", ["scope:", "scope: null", "scope: ~", "scope: []"])
def test_a_consent_scope_written_and_left_empty_publishes_nothing(make_site, written: str) -> None:
    empty = memory("Sans portée").replace("  scope: [site, share]\n", f"  {written}\n")
    site = make_site({"content/memories/a.md": empty, "content/memories/b.md": memory("Avec portée")})
    result = site.build()
    assert result.exit_code == 0, result.output
    assert not (site.public / "memories/a/index.html").exists()
    assert "Sans portée" not in site.all_output_text() and "Avec portée" in site.all_output_text()
    if written != "scope: []":
        assert "content/memories/a.md:8: warning: consent.scope: empty, so the memory is not published" \
            in result.stderr


def test_a_consent_expiry_written_and_left_empty_is_a_warning(make_site) -> None:
    empty = memory("Sans fin").replace("  scope: [site, share]\n", "  scope: [site, share]\n  expires:\n")
    site = make_site({"content/memories/a.md": empty})
    result = site.build()
    assert result.exit_code == 0, result.output
    assert ("content/memories/a.md:9: warning: consent.expires: empty, so the consent is read as never ending"
            in result.stderr)
    assert site.build("--strict").exit_code == 1


def test_a_consent_granted_after_the_build_date_does_not_count_until_that_day_and_is_a_note(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("Pas encore", granted="2026-06-01"),
                      "content/memories/b.md": memory("Déjà là")})
    before = site.build("--strict", env={"SOURCE_DATE_EPOCH": "1767225600"})  # 2026-01-01
    assert before.exit_code == 0, before.output  # a note: never fails --strict (nor holds a withdrawal back)
    assert ("content/memories/a.md:7: note: consent.granted: 2026-06-01 is after the build date (2026-01-01), so "
            "it does not count as consent before that day: a consent is given on a day that has come; check the year "
            "(to publish a memory on a later day, give it published:)") in before.stderr
    assert not (site.public / "memories/a/index.html").exists() and "Pas encore" not in site.all_output_text()
    on_the_day = site.build("--strict", env={"SOURCE_DATE_EPOCH": "1780272000"})  # 2026-06-01
    assert on_the_day.exit_code == 0, on_the_day.output
    assert "consent.granted" not in on_the_day.stderr
    assert "Pas encore" in site.read("memories/a/index.html")


@pytest.mark.parametrize("granted", ["1900-01-01", "1970-01-01", "1989-12-31"])
def test_a_consent_granted_before_1990_is_a_warning_at_its_line(make_site, granted: str) -> None:
    site = make_site({"content/memories/a.md": memory("Ancien", granted=granted),
                      "content/memories/b.md": memory("Relu", granted="1990-01-01"),
                      "content/memories/c.md": memory("À relire", granted=granted, status="submitted")})
    result = site.build()
    assert result.exit_code == 0, result.output
    assert (f"content/memories/a.md:7: warning: consent.granted: {granted} is before 1990, when no consent to "
            "publish on the web was collected: check it against the consent record (an empty date read as "
            "1900-01-01 or 1970-01-01? a slip in the year?)") in result.stderr
    assert f"content/memories/c.md:7: note: consent.granted: {granted} is before 1990" in result.stderr
    assert "content/memories/b.md" not in result.stderr
    assert site.build("--strict").exit_code == 1


def test_a_publication_date_still_to_come_is_a_schedule(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("Programmé", extra="published: 2026-06-01\n"),
                      "content/memories/b.md": memory("Déjà là")})
    before = site.build(env={"SOURCE_DATE_EPOCH": "1767225600"})  # 2026-01-01
    assert before.exit_code == 0, before.output
    assert not (site.public / "memories/a/index.html").exists()
    assert "Programmé" not in site.all_output_text() and "Déjà là" in site.all_output_text()
    on_the_day = site.build(env={"SOURCE_DATE_EPOCH": "1780272000"})  # 2026-06-01
    assert on_the_day.exit_code == 0
    assert "Programmé" in site.read("memories/a/index.html")
    assert "<updated>2026-06-01T00:00:00Z</updated>" in site.read("feed.xml")


def test_a_withdrawal_is_carried_out_when_the_fans_photo_was_deleted_with_it(make_site) -> None:
    from tests.test_images import photo

    site = make_site({"content/memories/m.md": memory("Photo de Jean", extra="media:\n  - {src: p.jpg, alt: x}\n"
                                                      "  - {video: https://video.example/v/1, title: Film}\n"),
                      "content/memories/p.jpg": photo((64, 48)),
                      "content/memories/other.md": memory("Autre")})
    first = site.build()
    assert first.exit_code == 1 and "media.video" in first.stderr  # an unknown video host: an error, published
    site.write("content/memories/m.md", memory("Photo de Jean", extra="media:\n  - {src: p.jpg, alt: x}\n"))
    assert site.build().exit_code == 0
    assert (site.public / "memories/m/index.html").exists()

    site.write("content/memories/m.md", memory("Photo de Jean", status="withdrawn", extra=(
        "media:\n  - {src: p.jpg, alt: x}\n  - {video: https://video.example/v/1, title: Film}\n")))
    (site.root / "content/memories/p.jpg").unlink()
    result = site.build("--strict")
    assert result.exit_code == 0, result.output
    assert "content/memories/m.md:10: note: media.src: 'p.jpg' was not found" in result.stderr
    assert "(this memory is not published)" in result.stderr
    assert not (site.public / "memories/m/index.html").exists()
    assert "Photo de Jean" not in site.all_output_text()


@pytest.mark.parametrize("consent", ["consent: {granted: 2010-01-01, expires: 2020-01-01, scope: [site]}",
                                     "consent: {granted: 2010-01-01, scope: [print]}",
                                     "consent: {granted: 2099-01-01, scope: [site]}"])
def test_an_unpublished_memorys_missing_photo_is_a_note_whatever_keeps_it_unpublished(make_site, consent: str) -> None:
    # An expired consent unpublishes: a photo deleted with it must not hold the page online.
    from tests.test_images import photo

    site = make_site({"content/memories/m.md": memory("Photo de Jean", extra="media:\n  - {src: p.jpg, alt: x}\n"),
                      "content/memories/p.jpg": photo((64, 48)),
                      "content/memories/other.md": memory("Autre")})
    assert site.build().exit_code == 0
    assert "Photo de Jean" in site.all_output_text()
    text = (site.root / "content/memories/m.md").read_text()
    site.write("content/memories/m.md", re.sub(r"consent:\n  granted: \S+\n  scope: \[site, share\]\n",
                                               consent + "\n", text))
    (site.root / "content/memories/p.jpg").unlink()
    result = site.build("--strict")
    assert result.exit_code == 0, result.output
    assert "content/memories/m.md:8: note: media.src: 'p.jpg' was not found" in result.stderr
    assert "(this memory is not published)" in result.stderr
    assert "Photo de Jean" not in site.all_output_text()
    # Published again, its missing photo is an error.
    site.write("content/memories/m.md", text)
    result = site.build()
    assert result.exit_code == 1 and "content/memories/m.md:10: media.src: 'p.jpg' was not found" in result.stderr


def test_withdrawal_removes_everything_on_the_next_build(demo_site: Site) -> None:
    assert demo_site.build().exit_code == 0
    slug = "gouters-chez-mamie-josette"
    path = demo_site.root / "content/memories" / f"{slug}.md"
    text = path.read_text(encoding="utf-8")
    title = re.search(r"^title: (.+)$", text, re.M).group(1).strip().strip('"')
    assert title in demo_site.all_output_text()
    path.write_text(text.replace("status: approved", "status: withdrawn"), encoding="utf-8")
    result = demo_site.build()
    assert result.exit_code == 0, result.output
    everything = demo_site.all_output_text()
    assert slug not in everything
    assert title not in everything


def test_demo_unpublished_and_private_text_is_absent(demo_site: Site) -> None:
    assert demo_site.build().exit_code == 0
    everything = demo_site.all_output_text()
    for secret in ("Aiguebelette", "club des Castors", "camionnette bordeaux", "Le Panier Doré",
                   "demi de mêlée", "Fourvière", "Trois-Rivières", "vélo rouge", "apiculteur",
                   "dsl pour les fautes", "on aurait craqué", "attesté par les archives", "c-0101"):
        assert secret not in everything, secret


def test_json_ld_is_valid_json_and_public_only(make_site) -> None:
    site = make_site({"content/memories/a.md": private_memory()})
    assert site.build().exit_code == 0
    html = site.read("memories/a/index.html")
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(block)
    assert data["name"] == "Souvenir public"
    assert "email" not in json.dumps(data)


def test_check_warns_about_personal_data_in_the_content_tree(make_site) -> None:
    site = make_site({
        "content/memories/a.md": private_memory(),
        "content/memories/b.md": memory("B", body="Écrivez-moi à fan@example.net ou au 06 11 22 33 44."),
    })
    result = site.check()
    assert result.exit_code == 0, result.output
    assert "content/memories/a.md:8: warning: author.email is personal data" in result.stderr
    assert "content/memories/a.md:7: warning: author.name is personal data" in result.stderr
    assert "content/memories/a.md:9: warning: author.phone is personal data" in result.stderr
    assert "content/memories/b.md:10: warning: the text seems to contain an email address" in result.stderr


@pytest.mark.parametrize("written", ["marie [at] example [dot] net", "marie(at)example.net",
                                     "marie (arobase) example (point) net", "marie＠example.net", "MARIE [AT] EXAMPLE.NET"])
def test_an_email_address_spelt_out_against_robots_is_still_an_email_address(make_site, written: str) -> None:
    # Fans write their address so that robots miss it; a reader (and a spammer's parser) reads it all the same.
    site = make_site({"content/memories/a.md": memory("A", body=f"Écrivez-moi : {written}"),
                      "content/memories/b.md": memory("B", body="Rendez-vous (at) midi [at] la gare, (point) final.")})
    for result in (site.check(), site.build()):
        assert "content/memories/a.md:10: warning: the text seems to contain an email address" in result.stderr
        assert "b.md" not in result.stderr


def test_check_names_the_label_line_of_contact_details_in_a_label(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A", extra="label: {design: plain, text: 06 11 22 33 44}\n")})
    result = site.check()
    assert "content/memories/a.md:9: warning: label.text seems to contain a phone number" in result.stderr


def test_build_warns_about_contact_details_it_would_draw_on_a_label_or_show_by_a_photo(make_site) -> None:
    from tests.test_images import photo
    from tests.test_labels import label_files

    media = "media:\n  - src: a.jpg\n    alt: Une tartine\n    credit: jean@example.org\n"
    site = make_site({**label_files(), "content/memories/a/index.md": memory("A", extra="label: {design: plain, text: 06 11 22 33 44}\n"
                                                             + media),
                      "content/memories/a/a.jpg": photo((64, 48))})
    result = site.build()
    assert "content/memories/a/index.md:9: warning: label.text seems to contain a phone number" in result.stderr
    assert "content/memories/a/index.md:11: warning: media.credit seems to contain an email address" in result.stderr
    assert site.build("--strict").exit_code == 1


def test_build_warns_about_contact_details_in_a_published_memorys_text_title_place_and_tags(make_site) -> None:
    site = make_site({
        "content/memories/a.md": memory("Appelez le 06 11 22 33 44", extra="tags: [famille, fan@example.net]\n",
                                        body="Premier paragraphe.\n\nÉcrivez-moi : fan@example.net").replace(
                                            "location: Lyon", "location: '12 rue des Lilas, Lyon'"),
        # Not published: nothing of it reaches the output, so the build says nothing of it.
        "content/memories/b.md": memory("B", status="submitted", body="Mon numéro : 06 11 22 33 44."),
        # Years and prices are not phone numbers.
        "content/memories/c.md": memory("C", body="De 1976 à 1986, le pot coûtait 3,50 francs (12 au total)."),
        # A YAML text's lines may not be the file's: reported at its first line.
        "content/memories/d.yaml": "title: D\ndate: 1986\nstatus: approved\nconsent: {granted: 2020-01-01}\n"
                                   "text: >\n  Un texte plié\n  et mon courriel d@example.net\n",
    })
    result = site.build()
    assert result.exit_code == 0, result.output
    for expected in (
        "content/memories/a.md:2: warning: title seems to contain a phone number, which would be published; take it out",
        "content/memories/a.md:5: warning: author.location seems to contain a postal address, which would be published",
        "content/memories/a.md:9: warning: tags seems to contain an email address, which would be published",
        "content/memories/a.md:13: warning: the text seems to contain an email address, which would be published",
        "content/memories/d.yaml:6: warning: the text seems to contain an email address, which would be published",
    ):
        assert expected in result.stderr, (expected, result.stderr)
    assert "b.md" not in result.stderr and "c.md" not in result.stderr
    assert result.stderr.count("seems to contain") == 5
    assert site.build("--strict").exit_code == 1
    # check says it of every memory, published or not, in the same words.
    checked = site.check()
    assert "content/memories/b.md:10: warning: the text seems to contain a phone number, which would be published" \
        in checked.stderr
    assert "content/memories/a.md:13: warning: the text seems to contain an email address" in checked.stderr
    assert "c.md" not in checked.stderr


def test_contact_details_spelled_in_markdown_are_found_as_the_page_shows_them(make_site) -> None:
    # Entities, escapes, emphasis and a link's percent-escapes hide them from a search of the text
    # as written; the page shows them whole ("marie@example.net", "06 12 34 56 78").
    spelled = ["marie&#64;example.net", "marie&commat;example.net", "marie\\@example.net",
               "[écrivez-moi](mailto:marie%40example.net)", "06&#32;12 34 56 78", "**06** 12 34 56 78",
               "06 12 34 5`6` 78", "06&nbsp;12&nbsp;34&nbsp;56&nbsp;78", "06\\.12\\.34\\.56\\.78"]
    site = make_site({"content/memories/a.md": memory("A", body="\n\n".join(spelled))})
    result = site.build()
    assert result.exit_code == 0, result.output
    said = [line for line in result.stderr.splitlines() if "seems to contain" in line]
    assert [line.split(": warning")[0] for line in said] == [f"content/memories/a.md:{10 + 2 * n}"
                                                            for n in range(len(spelled))], result.stderr
    page = site.read("memories/a/index.html")
    assert "marie@example.net" in page and "06 12 34 56 78" in page  # (what the warnings are about)


def test_contact_details_found_in_a_text_are_found_again_from_the_cache(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A", body="Mon numéro : +33 6 11 22 33 44.")})
    first = site.build()
    assert "a.md:10: warning: the text seems to contain a phone number" in first.stderr
    second = site.build()  # nothing changed: the warning is replayed
    assert "a.md:10: warning: the text seems to contain a phone number" in second.stderr
    site.write("content/memories/b.md", memory("B"))  # a rebuild that reads a.md from the parse cache
    third = site.build()
    assert "a.md:10: warning: the text seems to contain a phone number" in third.stderr
    site.write("content/memories/a.md", memory("A", body="Mon numéro, je le garde."))
    assert "seems to contain" not in site.build().stderr


def test_check_warns_about_a_street_address_given_as_the_authors_place(make_site) -> None:
    home = memory("Chez moi").replace("location: Lyon", "location: '12 rue des Lilas, Lyon'")
    site = make_site({"content/memories/a.md": home, "content/memories/b.md": memory("Ailleurs")})
    result = site.check()
    assert result.exit_code == 0, result.output
    assert "content/memories/a.md:5: warning: author.location seems to contain a postal address, which would be " \
           "published" in result.stderr
    assert "content/memories/b.md" not in result.stderr


def test_check_warns_about_personal_data_in_notes_original_and_consent_ref(make_site, tmp_path) -> None:
    extra = """\
        notes: "Paul called on 06 98 76 54 32"
        original: |
          Je m'appelle Paul Martin.
          J'habite au 12 rue des Lilas, 69003 Lyon.
        """
    site = make_site({
        "content/memories/a.md": memory("A", extra=extra).replace("  scope: [site, share]\n",
                                                                  "  scope: [site, share]\n  ref: paul@example.org\n"),
        "content/memories/b.md": memory("B", extra='notes: "écrire à fan@example.net"\n'),
        # Notes and original words without contact details are an editor's ordinary business.
        "content/memories/c.md": memory("C", extra='notes: "Relu le 12 mars 2026."\noriginal: |\n  En 1986, rue '
                                                   'de la Paix.\n'),
    })
    result = site.check("--report", str(tmp_path / "r.json"))
    assert result.exit_code == 0, result.output
    for expected in (
        "content/memories/a.md:9: warning: consent.ref seems to contain an email address, personal data in the "
        "content tree; keep it in the private store",
        "content/memories/a.md:10: warning: notes seems to contain a phone number, personal data",
        "content/memories/a.md:11: warning: original seems to contain a postal address, personal data",
        "content/memories/b.md:9: warning: notes seems to contain an email address, personal data",
    ):
        assert expected in result.stderr, (expected, result.stderr)
    assert "content/memories/c.md" not in result.stderr
    assert "06 98 76 54 32" not in result.stderr and "paul@example.org" not in result.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert [row["path"] for row in report["personal_data"]] == ["content/memories/a.md", "content/memories/b.md"]
    assert site.check("--strict").exit_code == 1


@pytest.mark.parametrize(("text", "found"), [
    ("De 1976-1986-1996, trois pots", None),  # years, written as a run: no phone number
    ("souvenir-1986-1987-1988", None),
    ("en 2012 2013 2014 2015", None),
    ("1976-1986-1996 et le 06 11 22 33 44", "a phone number"),
    ("555 1986 1987", "a phone number"),
    ("+1 (555) 123-4567", "a phone number"),
])
def test_a_run_of_years_is_not_a_phone_number(text: str, found: str | None) -> None:
    assert personal_data_in(text) == found


def test_spotting_contact_details_takes_time_in_proportion_to_the_text() -> None:
    # The email pattern was tried at every letter of a long word without "@" and read the rest of the
    # word each time: 17 s for a title of 100,000 'W', 72 s for an import of 200,000.
    texts = ["W" * 100_000, "x@" * 50_000, "a@" + "b." * 50_000, "1 " * 50_000 + "a", "1" * 100_000 + "a",
             "1 " + "W" * 100_000, "(1)" * 30_000, "é" * 100_000]
    started = time.process_time()
    for text in texts:
        private_data_in(text)
        without_personal_data(text)
    assert time.process_time() - started < 3
    long_word = "W" * 100_000
    assert personal_data_in(f"{long_word} jean.dupont@example.org") == "an email address"
    assert personal_data_in(f"{long_word}jean.dupont@example.org") == "an email address"
    assert personal_data_in(f"{long_word} 06 12 34 56 78") == "a phone number"
    assert private_data_in(f"{long_word} 12 rue des Lilas") == "a postal address"
    assert without_personal_data("Écrivez à jean.dupont@example.org ou au 06 12 34 56 78.") == "Écrivez à ou au ."
    # An address may start right where another ends: both go.
    assert without_personal_data(f"{long_word} a@b.fr+c@d.fr.e@f.org fin") == f"{long_word} fin"


def test_build_and_check_warn_about_contact_details_in_a_video_title(make_site) -> None:
    video = ("media:\n  - video: https://www.youtube.com/watch?v=dQw4w9WgXcQ\n"
             "    title: 'Appelez-moi au 06 11 22 33 44'\n")
    site = make_site({"content/memories/a.md": memory("A", extra=video)})
    expected = "content/memories/a.md:10: warning: media.title seems to contain a phone number, which would be published"
    result = site.build()
    assert result.exit_code == 0, result.output
    assert expected in result.stderr, result.stderr
    assert site.build("--strict").exit_code == 1
    checked = site.check()
    assert "content/memories/a.md:" in checked.stderr and "phone number" in checked.stderr, checked.stderr


def test_a_consent_that_expires_before_it_was_granted_is_a_note_at_its_line(make_site) -> None:
    # The two dates swapped: the memory was left out with no word but check's summary.
    site = make_site({"content/memories/a.md": memory("A").replace(
        "  granted: 2020-01-01\n", "  granted: 2020-01-01\n  expires: 2019-01-01\n")})
    result = site.build("--strict")
    assert result.exit_code == 0, result.output
    assert ("content/memories/a.md:8: note: consent.expires: 2019-01-01 is not after consent.granted "
            "(2020-01-01), so the consent never held: check both dates") in result.stderr, result.stderr
    assert not (site.public / "memories/a").exists()


def test_a_fans_link_to_a_memory_withdrawn_since_keeps_its_words_only_on_every_page(make_site, tmp_path) -> None:
    # A memory's URL (its slug, often a fan's name) leaves every output file with it, links
    # written whole in another fan's text included, as editors' links already do.
    import shutil

    body = ("Lisez [le souvenir de Zoé](https://example.org/memories/zoe-martin/) et "
            "<https://EXAMPLE.org/memories/zoe-martin/>, ou [le site](https://example.org/).")
    site = make_site({"content/memories/garde.md": memory("Garde", body=body),
                      "content/memories/zoe-martin.md": memory("Zoé Martin")})
    assert site.build().exit_code == 0
    page = (site.public / "memories/garde/index.html").read_text()
    assert 'href="https://example.org/memories/zoe-martin/"' in page
    site.write("content/memories/zoe-martin.md", memory("Zoé Martin", status="withdrawn"))
    result = site.build()
    assert result.exit_code == 0, result.output
    for path, data in site.output_files().items():
        assert b"memories/zoe-martin/\"" not in data.lower(), path  # (in no attribute: no link, no URL)
    page = (site.public / "memories/garde/index.html").read_text()
    # The words stay as the fan wrote them (an address written out is words too).
    assert "Lisez le souvenir de Zoé et https://EXAMPLE.org/memories/zoe-martin/, ou " in page
    assert 'href="https://example.org/"' in page
    # The same bytes as a clean build of the site as it now is.
    clean = tmp_path / "clean"
    shutil.copytree(site.root, clean, ignore=shutil.ignore_patterns(".storysite", "public"))
    assert site.run("build", str(clean)).exit_code == 0
    assert {p: d for p, d in site.output_files().items()} == {
        str(p.relative_to(clean / "public")): p.read_bytes() for p in (clean / "public").rglob("*") if p.is_file()}
    # Approved again, the link is back.
    site.write("content/memories/zoe-martin.md", memory("Zoé Martin"))
    assert site.build().exit_code == 0
    assert 'href="https://example.org/memories/zoe-martin/"' in (site.public / "memories/garde/index.html").read_text()
