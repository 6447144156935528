"""The curation dashboard (``storysite check --report``): where curation stands.

An editor's tool, written outside the published output: counts per status,
decade and tag, consents about to expire, photos without alt text and
personal data, in memories and in the pages, galleries, milestones and campaigns. HTML with inline SVG charts (no script, no request to
anyone), JSON for tools, or CSV for spreadsheets with formula injection
neutralised.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import html
import io
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from storysite.bodyimages import images_without_alt
from storysite.curate import Curation, publication_problem
from storysite.diagnostics import Diagnostic
from storysite.model import Content, MediaRef, Origin
from storysite.personaldata import without_personal_data

EXPIRY_WINDOW_DAYS = 90
REPORT_LANGUAGE = "en"
"""The language of the report's own words (headings, captions, reasons, findings)."""
GENERATOR = "storysite curation report"
"""What every report says it is (a meta tag, a first key, its header row), so that ``check --report``
replaces an earlier report but never another file of the same name."""
_HTML_MARKER = f'<meta name="generator" content="{GENERATOR}">'
_JSON_START = '{\n "generator": ' + json.dumps(GENERATOR)
REPORT_HEAD_BYTES = 4096
"""How much of a file :func:`is_report` needs to see."""


@dataclass(frozen=True, slots=True)
class MemoryRow:
    path: str
    line: int
    slug: str
    title: str
    status: str
    date: str
    published: bool
    reason: str
    consent_expires: str
    missing_alt: int
    personal_data: tuple[str, ...]
    photos_without_alt: tuple[str, ...] = ()
    """Each photo without alt text, as ``line N: path`` (see :func:`_without_alt`)."""
    language: str = ""
    """The memory's own language (its ``language:``), when it says one; else the site's."""


@dataclass(frozen=True, slots=True)
class EditorialRow:
    """A page, gallery, milestone, campaign or label design with photos without alt text or personal data in it."""

    path: str
    line: int
    kind: str
    slug: str
    title: str
    missing_alt: int
    personal_data: tuple[str, ...]
    photos_without_alt: tuple[str, ...] = ()
    """Each photo without alt text, as ``line N: path`` (see :func:`_without_alt`)."""


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Everything the report shows, computed from the validated content (pure)."""

    site_title: str
    build_date: str
    by_status: dict[str, int]
    published: int
    without_consent: int
    by_decade: dict[str, dict[str, int]]
    by_tag: dict[str, dict[str, int]]
    expiring: tuple[MemoryRow, ...]
    missing_alt: tuple[MemoryRow, ...]
    personal_data: tuple[MemoryRow, ...]
    rows: tuple[MemoryRow, ...] = field(default_factory=tuple)
    editorial_missing_alt: tuple[EditorialRow, ...] = ()
    """Pages, galleries, milestones and campaigns whose photos (a campaign's hero, the images of
    their Markdown) lack alt text: the memories' table alone left out most of the site's photos."""
    editorial_personal_data: tuple[EditorialRow, ...] = ()
    """Pages, galleries, milestones, campaigns and label designs with personal-data findings (their text, a photo
    that says where it was taken)."""
    language: str = REPORT_LANGUAGE
    """The site's language (``language`` in storysite.yaml): that of its title, its items' titles
    and its tags, which the report quotes among its own words (in :data:`REPORT_LANGUAGE`)."""


def _per_item(entries: Iterable[tuple[str, int, str]], items: list[Origin]) -> dict[tuple[str, int], tuple[str, ...]]:
    """Each entry (path, line, text) under the item it was found in, keyed by the item's (path, line),
    as ``line N: text`` in line order.

    A file may hold many items (a YAML list of memories): an entry belongs to the last item that
    starts at or before its line, not to every item of its file.
    """
    starts: dict[str, list[int]] = {}
    for origin in items:
        starts.setdefault(origin.path, []).append(origin.line)
    for lines in starts.values():
        lines.sort()
    found: dict[tuple[str, int], list[tuple[int, str]]] = {}
    for path, line, text in entries:
        if path in starts:
            in_file = starts[path]
            start = in_file[max(bisect.bisect_right(in_file, line) - 1, 0)]
            found.setdefault((path, start), []).append((line, text))
    return {key: tuple(f"line {line}: {text}" for line, text in sorted(texts, key=lambda t: t[0]))
            for key, texts in found.items()}


def _findings_per_item(findings: list[Diagnostic], items: list[Origin]) -> dict[tuple[str, int], tuple[str, ...]]:
    """Each finding under the item it was found in (see :func:`_per_item`)."""
    return _per_item(((d.path, d.line, d.message) for d in findings), items)


def _missing_alt(media: Iterable[MediaRef]) -> int:
    """How many of ``media``'s photos have no alt text."""
    return sum(1 for m in media if m.src and not m.alt)


def _without_alt(media: Iterable[MediaRef]) -> tuple[str, ...]:
    """Each of ``media``'s photos without alt text, as ``line N: path`` (the path as written at
    that line), so that an editor can go to it: a count left them to search the file for."""
    return tuple(f"line {m.origin.line}: {_shareable(m.written or m.src)}" for m in media if m.src and not m.alt)


def _shareable(title: str) -> str:
    """A title as the report shows it: an email address or a phone number in it (a warning of
    its own) is left out, since the report is shared by email beyond the team (…in its place)."""
    kept = without_personal_data(title)
    return title if kept == " ".join(title.split()) else f"{kept} …"


def _editorial_rows(content: Content, personal: list[Diagnostic]) -> list[EditorialRow]:
    """A row for every page, gallery, milestone, campaign and label design (drafts included: they are to be
    fixed before they are published)."""
    items: list[tuple[str, Origin, str, str, tuple[MediaRef, ...]]] = []
    items += [("page", p.origin, p.slug, p.title, ()) for p in content.pages]
    items += [("gallery", g.origin, g.slug, g.title, g.images) for g in content.galleries]
    items += [("milestone", m.origin, m.slug, m.title, m.media) for m in content.milestones]
    items += [("campaign", c.origin, c.slug, c.title, (c.hero,) if c.hero else ()) for c in content.campaigns]
    items += [("label", d.origin, d.slug, d.title, ()) for d in content.labels]
    origins = [origin for _, origin, _, _, _ in items]
    found = _findings_per_item(personal, origins)
    # The images of their Markdown texts (``![](photo.jpg)``) too, at their lines.
    in_text = _per_item(((path, line, _shareable(src)) for path, line, src in images_without_alt(content)), origins)
    rows: list[EditorialRow] = []
    for kind, origin, slug, title, media in sorted(items, key=lambda i: (i[1].path, i[1].line)):
        written = in_text.get((origin.path, origin.line), ())
        without = tuple(sorted((*_without_alt(media), *written), key=lambda entry: int(entry.split(":")[0][5:])))
        rows.append(EditorialRow(path=origin.path, line=origin.line, kind=kind, slug=slug, title=_shareable(title),
                                 missing_alt=_missing_alt(media) + len(written),
                                 personal_data=found.get((origin.path, origin.line), ()), photos_without_alt=without))
    return rows


def make_dashboard(content: Content, curation: Curation, today: dt.date, site_title: str,
                   personal: list[Diagnostic], language: str = REPORT_LANGUAGE) -> Dashboard:
    """Gather the dashboard's figures from every memory, published or not, and the photos
    without alt text and personal data of the pages, galleries, milestones and campaigns."""
    personal_by_item = _findings_per_item(personal, [memory.origin for memory in content.memories])
    rows: list[MemoryRow] = []
    decades: dict[str, Counter[str]] = {}
    tags: dict[str, Counter[str]] = {}
    for memory in content.memories:
        reason = publication_problem(memory, today) or ""
        expires = memory.consent.expires.isoformat() if memory.consent and memory.consent.expires else ""
        row = MemoryRow(
            path=memory.origin.path, line=memory.origin.line, slug=memory.slug, title=_shareable(memory.title),
            status=memory.status, published=not reason,
            date=(f"{memory.date.decade_start}s" if memory.date.decade else memory.date.iso()) if memory.date else "",
            reason=reason, consent_expires=expires,
            missing_alt=_missing_alt(memory.media), photos_without_alt=_without_alt(memory.media),
            personal_data=personal_by_item.get((memory.origin.path, memory.origin.line), ()),
            language=memory.language,
        )
        rows.append(row)
        state = "published" if row.published else memory.status
        decade = f"{memory.date.decade_start}s" if memory.date else "undated"
        decades.setdefault(decade, Counter())[state] += 1
        for tag in memory.tags:
            tags.setdefault(tag, Counter())[state] += 1
    horizon = today + dt.timedelta(days=EXPIRY_WINDOW_DAYS)
    editorial = _editorial_rows(content, personal)
    return Dashboard(
        site_title=site_title,
        build_date=today.isoformat(),
        by_status=dict(curation.by_status),
        published=curation.published,
        without_consent=curation.without_consent,
        by_decade={k: dict(sorted(v.items())) for k, v in sorted(decades.items())},
        by_tag={k: dict(sorted(v.items())) for k, v in sorted(tags.items(), key=lambda kv: (-sum(kv[1].values()),
                                                                                            kv[0]))},
        # (A withdrawn or rejected memory's consent is no one's concern any more.)
        expiring=tuple(r for r in rows if r.consent_expires and today.isoformat() < r.consent_expires
                       <= horizon.isoformat() and r.status not in ("withdrawn", "rejected")),
        missing_alt=tuple(r for r in rows if r.missing_alt),
        personal_data=tuple(r for r in rows if r.personal_data),
        rows=tuple(rows),
        editorial_missing_alt=tuple(r for r in editorial if r.missing_alt),
        editorial_personal_data=tuple(r for r in editorial if r.personal_data),
        language=language,
    )


def _sorted_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted_keys(value[key]) for key in sorted(value)}
    if isinstance(value, list | tuple):
        return [_sorted_keys(item) for item in value]
    return value


def to_json(dashboard: Dashboard) -> str:
    """The dashboard as JSON, keys sorted after a first ``generator`` key (the report's marker)."""
    data = {"generator": GENERATOR, **_sorted_keys(asdict(dashboard))}
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


CSV_COLUMNS = (*(name for name in MemoryRow.__dataclass_fields__ if name != "language"), "kind")
"""The CSV report's columns: a memory's, then the kind of item (``memory``, ``page``, ``gallery``,
``milestone``, ``campaign``, ``label``), last so that the columns of earlier reports keep their places in
an editor's spreadsheet. (A memory's language is the HTML's concern: how to read its title.)"""


def _csv_header() -> str:
    return ",".join(CSV_COLUMNS) + "\n"


_EARLIER_CSV_HEADERS = ("path,line,slug,title,status,date,published,reason,consent_expires,missing_alt,personal_data\n",)
"""The header rows of the CSV reports earlier versions wrote, which a report may still replace."""


# What a spreadsheet may take for the start of a cell inside ours: a French-locale Excel opening the
# file reads ";" as the separator (and a line break in a quoted cell as the end of its row, the
# quote not being at its cell's start there), as LibreOffice does with the separators ticked in
# its import dialog; a tab is one of them.
_CELL_STARTS = re.compile(r"(?:^|(?<=[;\t\r\n]))(?=[ \"]*[=+\-@\t\r])")


def _cell(value: Any) -> str:
    text = "; ".join(value) if isinstance(value, tuple) else str(value)
    # A spreadsheet runs a cell that starts like a formula ("=cmd|' /C calc'!A0"), past any
    # spaces or quotes: make it plain text, also where a title's ";" starts a cell of its own.
    return _CELL_STARTS.sub("'", text)


BOM = "\ufeff"
"""What a CSV report starts with: Excel, opened on a CSV without it, reads it in the Windows code
page ("Ã©" for "é", in every French title); LibreOffice, Google Sheets and Python's ``utf-8-sig``
take it as UTF-8's mark."""


def to_csv(dashboard: Dashboard) -> str:
    """One row per memory, then one per page, gallery, milestone, campaign or label design with something to
    fix (photos without alt text, personal data: the editor's list is the spreadsheet, and those
    were only in the HTML and JSON), their memory-only cells empty. UTF-8 with a byte-order mark
    (see :data:`BOM`), cells that a spreadsheet would run as formulas made plain text."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\n")
    out.write(_csv_header())  # the same row as csv would write (plain names), kept to recognise a report
    for row in dashboard.rows:
        writer.writerow([_cell("memory" if name == "kind" else getattr(row, name)) for name in CSV_COLUMNS])
    # An item with both kinds of finding is one row.
    editorial = {(r.path, r.line): r for r in (*dashboard.editorial_missing_alt, *dashboard.editorial_personal_data)}
    for _, item in sorted(editorial.items()):
        writer.writerow([_cell(getattr(item, name, "")) for name in CSV_COLUMNS])
    return out.getvalue()


def _figures(title: str, heading: str, data: dict[str, dict[str, int]], colors: dict[str, str],
             labels_lang: str = "") -> str:
    """The chart's figures as a table: an SVG of role img is one picture to a screen reader, its
    bars' counts out of reach (and a colour is no answer to "how many were withdrawn?")."""
    e = html.escape
    states = [s for s in colors if any(s in counts for counts in data.values())]
    states += sorted({s for counts in data.values() for s in counts} - set(states))
    head = "".join(f'<th scope="col">{e(s)}</th>' for s in states)
    body = "".join(f'<tr><th scope="row"{labels_lang}>{e(label)}</th>' + "".join(f"<td>{counts.get(s, 0)}</td>" for s in states)
                   + f"<td>{sum(counts.values())}</td></tr>" for label, counts in data.items())
    return (f'<table class="figures"><caption>{e(title)}</caption><thead><tr><th scope="col">{e(heading)}</th>'
            f'{head}<th scope="col">total</th></tr></thead><tbody>{body}</tbody></table>')


def _bars(title: str, heading: str, data: dict[str, dict[str, int]], colors: dict[str, str],
          labels_lang: str = "") -> str:
    """A horizontal stacked bar chart as inline SVG (hidden from screen readers), with its
    figures in a table that every reader can use; ``labels_lang``: the ``lang`` attribute of its
    labels (tags, in the site's language), if any."""
    if not data:
        return ""
    width, bar_h, gap, label_w = 640, 22, 8, 120
    top = max(sum(v.values()) for v in data.values()) or 1
    parts = [f'<figure class="chart"><figcaption>{html.escape(title)}</figcaption>',
             f'<svg aria-hidden="true" viewBox="0 0 {width} '
             f'{len(data) * (bar_h + gap) + 10}" width="100%">']
    for index, (label, counts) in enumerate(data.items()):
        y = index * (bar_h + gap) + 5
        parts.append(f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">{html.escape(label)}</text>')
        x = float(label_w)
        for state, count in counts.items():
            w = (width - label_w - 50) * count / top
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                         f'fill="{colors.get(state, "#888")}"><title>{html.escape(state)}: {count}</title></rect>')
            x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 16}">{sum(counts.values())}</text>')
    parts.append("</svg>")
    parts.append(_figures(title, heading, data, colors, labels_lang))
    parts.append("</figure>")
    return "".join(parts)


COLORS = {"published": "#2e7d32", "approved": "#f9a825", "submitted": "#1565c0", "rejected": "#9e9e9e",
          "withdrawn": "#6d4c41"}


def _lang(language: str) -> str:
    """The ``lang`` attribute of text in ``language`` among the report's own words: none when
    they are one language."""
    return f' lang="{html.escape(language)}"' if language and language != REPORT_LANGUAGE else ""


def to_html(dashboard: Dashboard) -> str:
    """A self-contained page: no script, no stylesheet or font from anywhere else.

    Its words are English (:data:`REPORT_LANGUAGE`, the ``lang`` of the page); what it quotes
    from the site (titles, tags) is marked with the site's language, or a memory's own, so that a
    screen reader reads "Goûter chez mamie" with a French voice (WCAG 3.1.2)."""
    e = html.escape
    site_lang = _lang(dashboard.language)
    legend = "".join(f'<li><span class="swatch" style="background:{c}"></span>{e(s)}</li>' for s, c in COLORS.items())

    def title_lang(row: MemoryRow | EditorialRow) -> str:
        return _lang(row.language or dashboard.language) if isinstance(row, MemoryRow) else site_lang

    def table(rows: tuple[MemoryRow, ...], extra: str, value: Any,
              editorial: tuple[EditorialRow, ...] = ()) -> str:
        if not rows and not editorial:
            return "<p>None.</p>"
        return (rows_table("Memories", "Status", rows, lambda r: r.status, extra, value) if rows else "") + (
            rows_table("Pages, galleries, milestones, campaigns and label designs", "Kind", editorial, lambda r: r.kind, extra, value)
            if editorial else "")

    def rows_table(caption: str, third: str, rows: tuple[Any, ...], third_value: Any, extra: str, value: Any) -> str:
        """A table of ``rows`` (memories, or pages, galleries, milestones and campaigns): file, title,
        ``third`` (their status, or their kind) and ``extra``."""
        body = "".join(f"<tr><td>{e(r.path)}:{r.line}</td><td{title_lang(r)}>{e(r.title)}</td><td>{e(third_value(r))}</td>"
                       f"<td>{e(str(value(r)))}</td></tr>" for r in rows)
        return (f"<table><caption>{e(caption)}</caption><thead><tr><th>File</th><th>Title</th><th>{e(third)}</th>"
                f"<th>{e(extra)}</th></tr></thead><tbody>{body}</tbody></table>")

    statuses = "".join(f"<li><strong>{count}</strong> {e(name)}</li>" for name, count in dashboard.by_status.items())
    all_rows = "".join(
        f"<tr><td>{e(r.path)}:{r.line}</td><td{title_lang(r)}>{e(r.title)}</td><td>{e(r.status)}</td><td>{e(r.date)}</td>"
        f"<td>{'yes' if r.published else e(r.reason)}</td></tr>" for r in dashboard.rows)
    return f"""<!doctype html>
<html lang="{REPORT_LANGUAGE}">
<head>
<meta charset="utf-8">
{_HTML_MARKER}
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Curation report · {e(dashboard.site_title)}</title>
<style>
body{{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:70rem;padding:1.5rem;color:#1d1a16}}
h1{{margin-bottom:.2rem}} .muted{{color:#5a524a}} ul.stats{{display:flex;flex-wrap:wrap;gap:1rem;list-style:none;padding:0}}
ul.stats li{{background:#f4ede4;border-radius:10px;padding:.6rem 1rem}} ul.stats strong{{font-size:1.6rem;display:block}}
table{{border-collapse:collapse;width:100%;margin:1rem 0}} th,td{{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e6dccd;vertical-align:top}}
.chart svg text{{font-size:13px;fill:#1d1a16}} .legend{{display:flex;gap:1rem;list-style:none;padding:0}}
.swatch{{display:inline-block;width:.9rem;height:.9rem;border-radius:3px;margin-right:.3rem;vertical-align:middle}}
</style>
</head>
<body>
<header><h1>Curation report</h1><p class="muted"><span{site_lang}>{e(dashboard.site_title)}</span> · judged on {e(dashboard.build_date)}</p></header>
<main>
<section aria-labelledby="s1"><h2 id="s1">Where curation stands</h2>
<ul class="stats">{statuses}<li><strong>{dashboard.published}</strong> published</li>
<li><strong>{dashboard.without_consent}</strong> without consent</li></ul></section>
<section aria-labelledby="s2"><h2 id="s2">Memories by decade and by tag</h2>
<ul class="legend">{legend}</ul>
{_bars("Memories per decade", "Decade", dashboard.by_decade, COLORS)}
{_bars("Memories per tag", "Tag", dashboard.by_tag, COLORS, site_lang)}
</section>
<section aria-labelledby="s3"><h2 id="s3">Consents expiring in the next {EXPIRY_WINDOW_DAYS} days</h2>
{table(dashboard.expiring, "Expires", lambda r: r.consent_expires)}</section>
<section aria-labelledby="s4"><h2 id="s4">Photos without alt text</h2>
{table(dashboard.missing_alt, "Photos", lambda r: "; ".join(r.photos_without_alt), dashboard.editorial_missing_alt)}</section>
<section aria-labelledby="s5"><h2 id="s5">Personal data in the content tree</h2>
{table(dashboard.personal_data, "Found", lambda r: "; ".join(r.personal_data), dashboard.editorial_personal_data)}</section>
<section aria-labelledby="s6"><h2 id="s6">All memories</h2>
<table><thead><tr><th>File</th><th>Title</th><th>Status</th><th>Date</th><th>Published</th></tr></thead>
<tbody>{all_rows}</tbody></table></section>
</main>
</body>
</html>
"""


def render_report(dashboard: Dashboard, fmt: str) -> str:
    """The dashboard as ``html``, ``json`` or ``csv`` text (``check --report`` writes it)."""
    return {"html": to_html, "json": to_json, "csv": to_csv}[fmt](dashboard)


def is_report(head: bytes) -> bool:
    """Whether a file that starts with ``head`` (its first :data:`REPORT_HEAD_BYTES` bytes) is a
    report made by :func:`render_report`, in any of its formats."""
    if head.startswith(b"<!doctype html>"):
        # Reports made before the marker are known by their title.
        return _HTML_MARKER.encode() in head or "<title>Curation report · ".encode() in head
    headers = (_csv_header(), *_EARLIER_CSV_HEADERS)
    return (head.startswith(_JSON_START.encode())
            or any(head.startswith((BOM + header).encode()) for header in headers)
            or any(head.startswith(header.encode()) for header in headers)  # (before the BOM)
            or (head.startswith(b'{\n "build_date": "') and b'\n "by_decade": {' in head))
