"""The timeline: milestones and dated published memories, by decade; blocks; TimelineJS import."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest

from storysite.dates import parse_partial_date
from storysite.importers.timelinejs import convert_timelinejs, html_to_markdown
from storysite.timeline import MEMORY, MILESTONE, Entry, order_key, parse_range
from tests.browser.harness import serve_directory
from tests.conftest import MINIMAL_CONFIG, REPO, Site, build_demo_copy, memory

SAMPLE = REPO / "tests" / "fixtures" / "timelinejs" / "sample.json"


def milestone(title: str = "Le premier pot", date: str = "1976-04", extra: str = "",
              text: str = "Le premier pot, rue Mercière.") -> str:
    return f"date: {date}\ntitle: {title}\n{extra}text: |\n  {text}\n"


def dated(title: str, date: str, **kwargs: str) -> str:
    return memory(title, **kwargs).replace("date: 1986-07", f"date: {date}")


def entry_ids(html: str) -> list[str]:
    return re.findall(r'<li class="tl-entry[^"]*" id="([^"]+)"', html)


# -- order and grouping (pure) ------------------------------------------------------


def _entry(kind: str, slug: str, raw: str) -> Entry:
    date, reason = parse_partial_date(raw)
    assert date is not None, reason
    return Entry(kind, slug, date)


def test_approximate_dates_open_their_span() -> None:
    entries = [
        _entry(MEMORY, "b-juillet", "1986-07"),
        _entry(MEMORY, "a-jour", "1986-07-14"),
        _entry(MEMORY, "c-annee", "1986"),
        _entry(MEMORY, "d-decennie", "1980s"),
        _entry(MEMORY, "e-1980", "1980"),
        _entry(MEMORY, "f-janvier", "1986-01-05"),
        _entry(MILESTONE, "z-jalon", "1986-07"),
        _entry(MEMORY, "g-1979", "1979-12-31"),
    ]
    ordered = [e.slug for e in sorted(entries, key=order_key)]
    assert ordered == ["g-1979", "d-decennie", "e-1980", "c-annee", "f-janvier", "z-jalon", "b-juillet", "a-jour"]


def test_range_forms() -> None:
    assert parse_range("1976-1989") == ((1976, 1989), None)
    assert parse_range("1980s") == ((1980, 1989), None)
    assert parse_range("1986") == ((1986, 1986), None)
    assert parse_range("1989-1976")[1] == "the range 1989-1976 is reversed; write 1976-1989"
    assert parse_range("1986-07")[0] is None


# -- pages --------------------------------------------------------------------------


@pytest.fixture
def timeline_site(make_site):
    config = (
        "title: Test Site\nbase_url: https://example.org/\nlanguage: fr\n"
        "timeline:\n  eras:\n    - {name: Les années télé, from: 1980, to: 1994}\n"
    )
    return make_site({
        "content/timeline/1976-premier-pot.yaml": milestone(),
        "content/timeline/1983-pub.yaml": milestone("La pub télé", "1983"),
        "content/timeline/quatre-saisons.yaml": milestone("Les verres Quatre saisons", "1994", "circa: true\n"),
        "content/timeline/couvercle.yaml": milestone("Le couvercle à visser", "1980s"),
        "content/timeline/annees-2000.yaml": (
            "- {date: 2008-03, title: La recette bio, tags: [recette], text: Des noisettes bio.}\n"
            "- {date: 2004-09, title: Les mini-pots, date_display: rentrée 2004}\n"
        ),
        "content/memories/ete-1986.md": dated("Été à Biarritz", "1986-07", extra="tags: [vacances]\n"),
        "content/memories/annee-1986.md": dated("Une année tartine", "1986"),
        "content/memories/les-80s.md": dated("La boîte à goûter", "1980s"),
        "content/memories/pub-1983.md": dated("La pub du petit chef", "1983"),
        "content/memories/sans-date.md": memory("Sans date").replace("date: 1986-07\n", ""),
        "content/memories/secret.md": dated("Souvenir en attente", "1985", status="submitted"),
        "content/memories/retire.md": dated("Souvenir retiré", "1987", status="withdrawn"),
        "content/memories/expire.md": dated("Consentement expiré", "1988",
                                            extra="consent:\n  granted: 2010-01-01\n  expires: 2020-01-01\n")
                                     .replace("consent:\n  granted: 2020-01-01\n  scope: [site, share]\n", ""),
    }, config=config)


@pytest.mark.parametrize(("dates", "span"), [
    (["1976", "1986", "1970s"], "1976–1986"),   # a decade around the years known adds nothing
    (["1976", "1986", "1900s", "2000s"], "1900–2009"),   # decades beyond them stretch the span
    (["1980s"], "1980–1989"),
    (["1976", "1976"], "1976"),
])
def test_the_timelines_span_takes_decades_beyond_its_years(make_site, dates: list[str], span: str) -> None:
    site = make_site({f"content/memories/m{i}.md": dated(f"Souvenir {i}", date) for i, date in enumerate(dates)},
                     config="title: T\nbase_url: https://example.org/\nlanguage: en\n")
    assert site.build().exit_code == 0
    assert f"decade by decade ({span})." in site.read("timeline/index.html")


def test_timeline_merges_milestones_and_dated_memories_by_decade(timeline_site: Site) -> None:
    result = timeline_site.build()
    assert result.exit_code == 0, result.output
    html = timeline_site.read("timeline/index.html")
    assert re.findall(r'<section class="tl-decade" id="(\d+s)"', html) == ["1970s", "1980s", "1990s", "2000s"]
    assert entry_ids(html) == [
        "milestone-1976-premier-pot",
        "milestone-couvercle", "memory-les-80s",          # a decade opens its decade
        "milestone-1983-pub", "memory-pub-1983",          # on one date: the brand, then the fans
        "memory-annee-1986", "memory-ete-1986",           # a year opens its year
        "milestone-quatre-saisons",
        "milestone-les-mini-pots", "milestone-la-recette-bio",
    ]
    # One anchor per year, and per decade.
    for year in ("1976", "1983", "1986", "1994", "2004", "2008"):
        assert html.count(f'id="{year}"') == 1
    # Dates shown honestly.
    assert "années 1980" in html and "vers 1994" in html and "rentrée 2004" in html
    assert '<time datetime="1986-07">juillet 1986</time>' in html
    # The era is named before its first entry, once in each decade it spans.
    assert html.count("Les années télé") == 2
    eighties = html.split('id="1980s"')[1].split('id="1990s"')[0]
    assert eighties.index("Les années télé") < eighties.index("Le couvercle à visser")
    # Memories are compact cards that link to their pages; milestones are in full.
    assert 'href="/memories/ete-1986/"' in html
    assert "Le premier pot, rue Mercière." in html
    # Undated memories are not on the timeline.
    assert "Sans date" not in html
    # Navigation and per-decade pages.
    assert '<a href="/timeline/"' in timeline_site.read("index.html")
    decade = timeline_site.read("timeline/1980s/index.html")
    assert entry_ids(decade)[0] == "milestone-couvercle"
    assert "milestone-1976-premier-pot" not in decade
    assert 'rel="prev" href="/timeline/1970s/"' in decade and 'rel="next" href="/timeline/1990s/"' in decade
    assert "https://example.org/timeline/1980s/" in timeline_site.read("sitemap.xml")


def test_unpublished_memories_leave_no_trace_on_the_timeline(timeline_site: Site) -> None:
    assert timeline_site.build().exit_code == 0
    everything = timeline_site.all_output_text()
    for title in ("Souvenir en attente", "Souvenir retiré", "Consentement expiré", "secret", "retire", "expire"):
        assert title not in everything, title
    # No decade exists only because of an unpublished memory.
    assert "1987" not in timeline_site.read("timeline/index.html")


def test_withdrawing_a_memory_removes_it_from_the_timeline(timeline_site: Site) -> None:
    assert timeline_site.build().exit_code == 0
    assert "Été à Biarritz" in timeline_site.read("timeline/1980s/index.html")
    timeline_site.write("content/memories/ete-1986.md", dated("Été à Biarritz", "1986-07", status="withdrawn"))
    assert timeline_site.build().exit_code == 0
    assert "Été à Biarritz" not in timeline_site.all_output_text()


def test_no_timeline_without_dated_content(make_site) -> None:
    site = make_site({"content/memories/a.md": memory("A").replace("date: 1986-07\n", "")})
    assert site.build().exit_code == 0
    assert not (site.public / "timeline").exists()
    assert "/timeline/" not in site.read("index.html")


def test_two_builds_are_identical(timeline_site: Site) -> None:
    assert timeline_site.build().exit_code == 0
    first = timeline_site.output_files()
    assert timeline_site.build().exit_code == 0
    assert timeline_site.output_files() == first


def _jpeg() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (640, 400), (123, 63, 0)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def test_milestone_text_is_markdown_and_media_are_carried(make_site) -> None:
    site = make_site({
        "content/timeline/pot.yaml": (
            "date: 1976-04\ntitle: Le pot\nmedia:\n  - src: photos/pot.jpg\n    alt: Un pot en verre\n"
            "    caption: Le pot de 1976\n    credit: Archives\n"
            "  - video: https://www.youtube.com/watch?v=AbCdEfGhIjK\n    title: Le spot\n"
            "text: |\n  Des **noisettes** et [un lien](https://example.org/).\n"
        ),
        "content/timeline/photos/pot.jpg": _jpeg(),
    })
    result = site.build()
    assert result.exit_code == 0, result.output
    html = site.read("timeline/index.html")
    assert "<strong>noisettes</strong>" in html and 'href="https://example.org/"' in html
    assert 'alt="Un pot en verre"' in html and "Le pot de 1976" in html and "© <span dir=\"auto\">Archives" in html
    assert re.search(r'<img src="/media/[^"]+" srcset="[^"]+" sizes="[^"]+" width="\d+" height="\d+"', html)
    assert 'href="https://www.youtube.com/watch?v=AbCdEfGhIjK"' in html
    assert not (site.public / "timeline" / "photos").exists()


def _outline(html: str) -> list[tuple[int, str]]:
    """The headings of a page's main content: (level, words), in order."""
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return [(int(level), re.sub(r"<[^>]+>", "", words).strip())
            for level, words in re.findall(r"<h([1-6])\b[^>]*>(.*?)</h\1>", main, re.S)]


def test_a_milestones_headings_sit_below_its_title_on_every_page(make_site) -> None:
    # One text, shown under an h3 title on the overview (below the decade's h2) and under an
    # h2 on its decade's page: its own "## Contexte" is one level below the title on both, and
    # a text that starts at "#" is moved down as far. No page's outline skips a level.
    site = make_site({
        "content/timeline/pot.yaml": milestone(text="Intro.\n\n  ## Contexte\n\n  Texte.\n\n  ### Détail\n\n  Fin."),
        "content/timeline/usine.yaml": milestone("L’usine", "1979", text="# Les murs\n\n  Texte.\n\n  ## Le toit\n\n  Fin."),
        "content/pages/histoire.md": "---\ntitle: Histoire\n---\n## Notre histoire\n\n::: timeline\n:::\n",
    })
    result = site.build()
    assert result.exit_code == 0, result.output
    overview, decade = _outline(site.read("timeline/index.html")), _outline(site.read("timeline/1970s/index.html"))
    for outline, title in ((overview, 3), (decade, 2)):
        assert outline[0][0] == 1
        assert all(b - a <= 1 for (a, _), (b, _) in itertools.pairwise(outline)), outline
        assert {"Le premier pot": title, "Contexte": title + 1, "Détail": title + 2, "L’usine": title,
                "Les murs": title + 1, "Le toit": title + 2}.items() <= dict((w, lv) for lv, w in outline).items(), outline
    # Both pages give a heading the same id, to link to (the text's first two levels get one).
    for path in ("timeline/index.html", "timeline/1970s/index.html"):
        html = site.read(path)
        assert 'id="milestone-pot--contexte">Contexte<' in html and 'id="milestone-pot--détail">Détail<' in html
        assert 'id="milestone-usine--le-toit">Le toit<' in html
    # A ::: timeline block shows the milestones' summaries, never their headings.
    page = _outline(site.read("histoire/index.html"))
    assert page == [(1, "Histoire"), (2, "Notre histoire")]


# -- blocks -------------------------------------------------------------------------


def test_timeline_blocks_whole_and_range(timeline_site: Site) -> None:
    timeline_site.write("content/pages/histoire.md",
                        "---\ntitle: Histoire\n---\nIntro\n\n::: timeline 1976-1985\n:::\n\n::: timeline\n:::\n")
    result = timeline_site.build()
    assert result.exit_code == 0, result.output
    html = timeline_site.read("histoire/index.html")
    blocks = html.split('<figure class="block block--timeline')[1:]
    assert len(blocks) == 2
    ranged, whole = blocks
    assert "Frise 1976–1985" in ranged
    assert "Le premier pot" in ranged and "La boîte à goûter" in ranged  # "1980s" overlaps the range
    assert "Une année tartine" not in ranged and "La recette bio" not in ranged
    assert "La recette bio" in whole and "Une année tartine" in whole
    assert 'href="/timeline/#milestone-1976-premier-pot"' in ranged
    assert 'href="/memories/pub-1983/"' in ranged
    assert re.search(r'<link rel="stylesheet" href="/assets/css/timeline\.[0-9a-f]+\.css">', html)


def test_an_empty_range_is_a_warning(timeline_site: Site) -> None:
    timeline_site.write("content/pages/p.md", "---\ntitle: P\n---\n\n::: timeline 1950-1960\n:::\n")
    result = timeline_site.build()
    assert result.exit_code == 0
    assert "content/pages/p.md:5: warning: the timeline has no entry between 1950 and 1960" in result.stderr


# -- bad input: a clear message, exit 1, the previous output untouched ------------------

BAD: dict[str, tuple[dict[str, str], list[str]]] = {
    "milestone without date": (
        {"content/timeline/sans-date.yaml": "title: Le premier pot\ntext: x\n"},
        ["content/timeline/sans-date.yaml:1: 'date' is required (1976, 1976-04, 1976-04-17 or 1970s)"],
    ),
    "milestone without title": (
        {"content/timeline/sans-titre.yaml": "date: 1976\ntext: x\n"},
        ["content/timeline/sans-titre.yaml:1: 'title' is required"],
    ),
    "list entry without date or title": (
        {"content/timeline/liste.yaml": "- {date: 1976, title: Bon}\n- slug: sans-titre\n  date: 1977\n"
                                        "- title: Sans date\n"},
        ["content/timeline/liste.yaml:2: 'title' is required",
         "content/timeline/liste.yaml:4: 'date' is required"],
    ),
    "date in no allowed form": (
        {"content/timeline/pot.yaml": "title: Le pot\ndate: avril 76\n"},
        ["content/timeline/pot.yaml:2: date: 'avril 76' is not a date; write 1986, 1986-07, 1986-07-14 or 1980s"],
    ),
    "impossible date": (
        {"content/timeline/pot.yaml": "title: Le pot\ndate: 1976-13\n"},
        ["content/timeline/pot.yaml:2: date: '1976-13' is not a date: there is no month 13"],
    ),
    "reversed range block": (
        {"content/pages/p.md": "---\ntitle: P\n---\nIntro\n\n::: timeline 1989-1976\n:::\n"},
        ["content/pages/p.md:6: '::: timeline 1989-1976': the range 1989-1976 is reversed; write 1976-1989"],
    ),
    "range block in no allowed form": (
        {"content/pages/p.md": "---\ntitle: P\n---\n::: timeline 1986-07\n:::\n"},
        ["content/pages/p.md:4: '::: timeline 1986-07': '1986-07' is not a range of years; "
         "write 1976-1989, 1980s or 1986"],
    ),
    "range block with two ranges": (
        {"content/pages/p.md": "---\ntitle: P\n---\n::: timeline 1976 1989\n:::\n"},
        ["content/pages/p.md:4: '::: timeline' takes at most one range, such as 1976-1989"],
    ),
    "block inside a milestone": (
        {"content/timeline/pot.yaml": "title: Le pot\ndate: 1976\ntext: |\n  Intro\n\n  ::: memory a\n  :::\n"},
        ["content/timeline/pot.yaml:6: '::: memory' blocks cannot be used in a milestone's text"],
    ),
    "two milestones with one slug": (
        {"content/timeline/a.yaml": "title: A\ndate: 1976\nslug: pot\n",
         "content/timeline/b.yaml": "title: B\ndate: 1977\nslug: pot\n"},
        ["content/timeline/a.yaml:3: this milestone has the URL /timeline/#milestone-pot, as does "
         "content/timeline/b.yaml:3"],
    ),
    "reversed era": (
        {"storysite.yaml": "title: T\nlanguage: fr\ntimeline:\n  eras:\n    - {name: Télé, from: 1980, to: 1994}\n"
                           "    - name: Foot\n      from: 2010\n      to: 1995\n"},
        ["storysite.yaml:7: timeline.eras: item 2: 'Foot' runs backwards (from 2010 to 1995); "
         "write from: 1995, to: 2010"],
    ),
    "era without a year and overlapping eras": (
        {"storysite.yaml": "title: T\ntimeline:\n  eras:\n    - {name: A, from: 1980, to: 1994}\n"
                           "    - {name: B, from: 1990, to: 2000}\n    - {name: C, from: mille}\n"},
        ["storysite.yaml:6: timeline.eras: item 3: 'from' must be a year such as 1980, got 'mille'",
         "storysite.yaml:6: timeline.eras: item 3: 'to' must be a year such as 1980, got nothing",
         "storysite.yaml:5: timeline.eras: 'B' (1990–2000) overlaps 'A' (1980–1994)"],
    ),
    # An era with no name was told its name "must be text", which an empty one is.
    "era without a name": (
        {"storysite.yaml": "title: T\ntimeline:\n  eras:\n    - {name: '', from: 1980, to: 1989}\n"
                           "    - from: 1990\n      to: 1999\n      name:\n    - {name: [A], from: 2000, to: 2009}\n"},
        ["storysite.yaml:4: timeline.eras: item 1: 'name' is required: the era's heading on the timeline",
         "storysite.yaml:7: timeline.eras: item 2: 'name' is required: the era's heading on the timeline",
         "storysite.yaml:8: timeline.eras: item 3: 'name' must be text, got a list"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_timeline_input_is_reported_and_output_kept(make_site, case: str) -> None:
    site = make_site({
        "content/memories/a.md": memory("A"),
        "content/timeline/bon.yaml": milestone(),
        "content/pages/p.md": "---\ntitle: P\n---\nx\n",
    })
    assert site.build().exit_code == 0
    before = site.output_files()
    files, expected = BAD[case]
    for path, text in files.items():
        site.write(path, text)
    result = site.build()
    assert result.exit_code == 1, result.output
    for line in expected:
        assert line in result.stderr, f"{line!r} not in:\n{result.stderr}"
    assert "Traceback" not in result.output
    assert site.output_files() == before
    assert not list(site.root.glob(".public.*"))


# -- TimelineJS import ----------------------------------------------------------------


def test_timelinejs_import_round_trip_builds(make_site) -> None:
    # The brand's archives (example.org) are another site than this one: links there are not its pages.
    site = make_site({}, config=MINIMAL_CONFIG.replace("https://example.org/", "https://souvenirs.example/"))
    result = site.run("import", "timelinejs", str(SAMPLE), "--site", str(site.root))
    assert result.exit_code == 0, result.output
    assert "Imported 4 milestone(s)" in result.stdout
    assert '- {name: "Les années télé", from: 1980, to: 1994}' in result.stdout
    files = sorted(p.name for p in (site.root / "content" / "timeline").iterdir())
    assert files == ["1976-04-17-ouverture-boutique.yaml", "1983-la-publicite-du-petit-chef.yaml",
                     "1998-07-le-pot-allez-les-bleus.yaml", "2024-10-le-pot-a-votre-nom.yaml"]
    written = (site.root / "content/timeline/1976-04-17-ouverture-boutique.yaml").read_text("utf-8")
    assert "<" not in written.replace("(<https://example.org/archives/boutique-1976.jpg>)", "")
    assert "alert" not in written  # the script's content is dropped, not escaped
    assert "# Remote media not fetched: https://example.org/archives/boutique-1976.jpg" in written
    # Warnings point at lines of the JSON file.
    assert f"{SAMPLE.as_posix()}:32: warning: events[2]: end_date is not kept" in result.stderr

    build = site.build()
    assert build.exit_code == 0, build.output
    assert "warning" not in build.stderr
    html = site.read("timeline/index.html")
    assert "La boutique de la rue Mercière ouvre" in html and "Samedi 17 avril 1976" in html
    assert "<strong>noisette grillée</strong>" in html and "<em>plus un pot</em>" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img src=x" not in html
    assert "javascript:" not in html and 'href="https://example.org/pub-1983"' in html
    assert 'href="https://www.youtube.com/watch?v=AbCdEfGhIjK"' in html
    assert "<iframe" not in html and "<script>alert" not in html

    # Importing again never replaces a file an editor may have changed.
    again = site.run("import", "timelinejs", str(SAMPLE), "--site", str(site.root))
    assert again.exit_code == 0
    assert "Imported 0 milestone(s)" in again.stdout
    assert "already exists; left as it was" in again.stderr


def test_timelinejs_out_folder(make_site, tmp_path: Path) -> None:
    site = make_site({})
    out = tmp_path / "elsewhere"
    result = site.run("import", "timelinejs", str(SAMPLE), "--site", str(site.root), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*.yaml"))) == 4
    assert not (site.root / "content" / "timeline").exists()


@pytest.mark.parametrize("data,expected", [
    (b'{"events": [\n  {"start_date": {"year": 1976},\n}\n]}',
     "bad.json:3: not valid JSON: Expecting property name enclosed in double quotes"),
    (b"", "bad.json:1: not valid JSON: Expecting value"),
    (b'{"title": {"text": {"headline": "x"}},\n "scale": "human"}', "bad.json:1: no 'events' list"),
    (b'{\n"events": {"year": 1976}}', "bad.json:2: 'events' must be a list of events"),
    (b"[1, 2]", "bad.json:1: expected a TimelineJS object with an 'events' list"),
    (b'{"events": []}\xff', "bad.json:1: not valid UTF-8"),
])
def test_bad_timelinejs_files_import_nothing(make_site, tmp_path: Path, data: bytes, expected: str) -> None:
    site = make_site({})
    bad = tmp_path / "bad.json"
    bad.write_bytes(data)
    result = site.run("import", "timelinejs", str(bad), "--site", str(site.root))
    assert result.exit_code == 1
    assert expected in result.stderr.replace(str(tmp_path) + "/", ""), result.stderr
    assert "Nothing was imported." in result.stderr
    assert "Traceback" not in result.output
    assert not (site.root / "content" / "timeline").exists()


def test_timelinejs_events_without_date_or_headline_are_left_out_with_lines() -> None:
    data = json.dumps({"events": [
        {"start_date": {"year": "1976"}, "text": {"headline": "Bon"}},
        {"text": {"headline": "Sans date"}},
        {"start_date": {"year": "vers 1980"}, "text": {"headline": "Année en mots"}},
        {"start_date": {"year": "1990", "month": "13"}, "text": {"headline": "Mois 13"}},
        {"start_date": {"year": "1991"}, "text": {"text": "<p>Pas de titre</p>"}},
    ]}, indent=1).encode()
    conversion = convert_timelinejs(data, "t.json")
    assert [d.title for d in conversion.documents] == ["Bon"]
    messages = [d.format() for d in conversion.diagnostics]
    assert any(m.startswith("t.json:11: events[1]: no start_date") for m in messages), messages
    assert any("events[2]: start_date.year 'vers 1980' is not a number" in m for m in messages), messages
    assert any("events[3]: start_date: '1990-13' is not a date: there is no month 13" in m for m in messages)
    assert any("events[4]: no text.headline" in m for m in messages), messages
    assert not conversion.fatal


def test_a_timelinejs_era_whose_year_is_written_in_other_digits_is_left_out_not_a_crash() -> None:
    # "²" is a digit to str.isdigit and not a number to int(): the import ended in an internal error.
    data = json.dumps({"events": [{"start_date": {"year": "1976"}, "text": {"headline": "Bon"}}],
                       "eras": [{"start_date": {"year": "\u00b2"}, "end_date": {"year": "1990"},
                                 "text": {"headline": "Les débuts"}}]}).encode()
    conversion = convert_timelinejs(data, "t.json")
    assert conversion.eras == ()
    assert [d.format() for d in conversion.diagnostics] == [
        "t.json:1: warning: eras[0]: needs text.headline and start and end years; left out"]


@pytest.mark.parametrize("html,markdown", [
    ("<p>Un <b>pot</b> et <i>une cuillère</i>.</p><p>Deux</p>", "Un **pot** et *une cuillère*.\n\nDeux"),
    ("ligne<br>suivante", "ligne\\\nsuivante"),
    ("<ul><li>un</li><li>deux</li></ul>", "- un\n\n- deux"),
    ("<p>1. pas une liste</p><p># pas un titre</p>", "1\\. pas une liste\n\n\\# pas un titre"),
    ("<p>&lt;script&gt;x&lt;/script&gt; *a* _b_ [c](d)</p>", "\\<script\\>x\\</script\\> \\*a\\* \\_b\\_ \\[c\\](d)"),
    ("<script>alert(1)</script><style>p{}</style><iframe src=x></iframe>ok", "ok"),
    ('<a href="javascript:alert(1)">clic</a> <a href="https://e.org/">lien</a>', "clic [lien](<https://e.org/>)"),
    ("<b> espaces </b>", "**espaces**"),
])
def test_html_becomes_safe_markdown(html: str, markdown: str) -> None:
    assert html_to_markdown(html) == markdown


# -- the demo -------------------------------------------------------------------------


def test_demo_timeline_covers_fifty_years(demo_site: Site) -> None:
    result = demo_site.build()
    assert result.exit_code == 0, result.output
    html = demo_site.read("timeline/index.html")
    milestones = [i for i in entry_ids(html) if i.startswith("milestone-")]
    assert len(milestones) >= 15
    years = sorted(int(y) for y in re.findall(r'<p class="tl-year" id="(\d{4})"', html))
    assert years[0] == 1976 and years[-1] == 2026
    assert len([i for i in entry_ids(html) if i.startswith("memory-")]) >= 30
    assert "Les années télé" in html
    for decade in ("1970s", "1980s", "1990s", "2000s", "2010s", "2020s"):
        assert (demo_site.public / "timeline" / decade / "index.html").is_file()


# -- in the browser ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_copy(tmp_path_factory, "timeline-demo")


@pytest.mark.browser
def test_timeline_reads_in_order_without_javascript(demo_output: Path, browser) -> None:
    # Reduced motion: the theme scrolls to anchors smoothly otherwise, and this test reads positions.
    context = browser.new_context(java_script_enabled=False, reduced_motion="reduce")
    page = context.new_page()
    with serve_directory(demo_output) as base:
        page.goto(base + "/timeline/")
        headings = page.evaluate("[...document.querySelectorAll('main h1, main h2, main h3')].map(h => +h.tagName[1])")
        assert headings[0] == 1 and headings.count(1) == 1
        assert all(b - a <= 1 for a, b in itertools.pairwise(headings))
        decades = page.evaluate("[...document.querySelectorAll('.tl-decade h2')].map(h => h.textContent.trim())")
        assert decades == ["Années 1970", "Années 1980", "Années 1990", "Années 2000", "Années 2010", "Années 2020"]
        # Entries are in an ordered list each, in date order (years never go back).
        years = page.evaluate("[...document.querySelectorAll('ol.tl-list > li time')]"
                              ".map(t => +t.getAttribute('datetime').slice(0, 4))")
        assert years == sorted(years) and len(years) > 40
        # The filters need JavaScript, so they are not offered without it.
        assert not page.locator("[data-tl-filters]").is_visible()
        # The decade bar links to anchors that exist.
        for href in page.evaluate("[...document.querySelectorAll('.tl-bar a')].map(a => a.getAttribute('href'))"):
            assert page.locator(f'[id="{href[1:]}"]').count() == 1
        page.goto(base + "/timeline/#1998")
        assert 0 <= page.evaluate("document.getElementById('1998').getBoundingClientRect().top") < 300
    context.close()


@pytest.mark.browser
def test_timeline_filters_and_decade_bar_work_with_the_keyboard(demo_output: Path, browser) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    with serve_directory(demo_output) as base:
        page.goto(base + "/timeline/")
        total = page.locator(".tl-entry").count()
        memories = page.locator(".tl-entry--memory").count()
        assert page.locator("[data-tl-filters]").is_visible()

        # Tab through the page until the "memories" toggle has the focus.
        for _ in range(40):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.dataset.tlKind") == "memory":
                break
        else:
            pytest.fail("the memories filter cannot be reached with Tab")
        page.keyboard.press("Enter")
        toggle = page.locator("[data-tl-kind=memory]")
        assert toggle.get_attribute("aria-pressed") == "false"
        assert page.locator(".tl-entry:visible").count() == total - memories
        status = page.locator("[data-tl-status]")
        assert status.get_attribute("aria-live") == "polite"
        assert status.inner_text() == f"{total - memories} entrées affichées"
        page.keyboard.press("Space")
        assert toggle.get_attribute("aria-pressed") == "true"
        assert page.locator(".tl-entry:visible").count() == total

        # The theme filter, by keyboard: only entries with that tag stay.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "tl-tag"
        page.locator("#tl-tag").select_option("sport")
        visible_tags = page.evaluate("[...document.querySelectorAll('.tl-entry:not([hidden])')]"
                                     ".map(e => e.dataset.tags.split(' '))")
        assert visible_tags and all("sport" in tags for tags in visible_tags)
        assert page.locator(".tl-decade:visible").count() < 6
        page.locator("[data-tl-reset]").click()
        assert page.locator(".tl-entry:visible").count() == total

        # The decade bar: a link moves the focus to its decade and scrolls there.
        link = page.locator('.tl-bar a[href="#2000s"]')
        link.focus()
        page.keyboard.press("Enter")
        page.wait_for_function("document.activeElement.id === '2000s-title'")
        top = page.evaluate("document.getElementById('2000s').getBoundingClientRect().top")
        assert 0 <= top < 200
        assert page.evaluate("location.hash") == "#2000s"
        page.wait_for_function("document.querySelector('.tl-bar a[href=\"#2000s\"]')"
                               ".getAttribute('aria-current') === 'location'")
        # The bar stays at the top while the page scrolls.
        assert page.evaluate("document.querySelector('.tl-bar').getBoundingClientRect().top") == 0
    context.close()


def test_a_crowded_decade_is_sampled_on_the_overview_and_paginated_on_its_own_page(make_site) -> None:
    files = {"content/timeline/pot.yaml": milestone(date="1984-03")}
    for index in range(30):
        files[f"content/memories/m{index:02d}.md"] = dated(f"Souvenir {index:02d}", f"1985-{index % 12 + 1:02d}")
    site = make_site(files, config="title: T\nlanguage: fr\ntimeline: {overview_memories: 5, per_page: 12}\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    overview = site.read("timeline/index.html")
    ids = entry_ids(overview)
    assert ids[0] == "milestone-pot"  # every milestone is there
    assert sum(1 for i in ids if i.startswith("memory-")) == 5
    assert "5 souvenirs choisis parmi 30" in overview and 'href="/timeline/1980s/"' in overview
    # The decade's pages hold every entry once, in order, with a pager and their own year anchors.
    pages = [site.read("timeline/1980s/index.html"), site.read("timeline/1980s/page/2/index.html"),
             site.read("timeline/1980s/page/3/index.html")]
    assert not (site.public / "timeline/1980s/page/4").exists()
    all_ids = [i for page in pages for i in entry_ids(page)]
    assert len(all_ids) == 31 and len(set(all_ids)) == 31
    assert all_ids == sorted(all_ids, key=all_ids.index)
    assert 'href="/timeline/1980s/page/2/"' in pages[0] and 'rel="prev" href="/timeline/1980s/"' in pages[1]
    for page in pages:
        assert page.count('id="1985"') == 1
    assert "/timeline/1980s/page/3/</loc>" in site.read("sitemap.xml")


def test_tag_pages_are_paginated(make_site) -> None:
    files = {f"content/memories/m{index:02d}.md": memory(f"Souvenir {index:02d}", extra="tags: [plage]\n")
             for index in range(30)}
    site = make_site(files, config="title: T\nmemories: {per_page: 12}\n")
    assert site.build().exit_code == 0
    pages = [site.read("tags/plage/index.html"), site.read("tags/plage/page/2/index.html"),
             site.read("tags/plage/page/3/index.html")]
    links = [re.findall(r'href="/memories/(m\d\d)/"', page) for page in pages]
    assert [len(set(found)) for found in links] == [12, 12, 6]
    assert len({slug for found in links for slug in found}) == 30
    assert 'href="/tags/plage/page/2/"' in pages[0] and 'rel="next"' in pages[1]
