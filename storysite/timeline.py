"""The timeline: the brand's milestones and its fans' dated memories, in order, by decade.

A pure function of a :class:`~storysite.curate.PublicSite`, so only published
memories can ever be placed on it.

How approximate dates are placed: every date stands at the start of the span
it may mean, and among dates starting on the same day the vaguer one comes
first. A decade ("1980s") opens its decade, before anything dated 1980; a year
("1986") opens its year, before "1986-01-05" and "1986-07"; a month opens its
month. This reads naturally ("in the eighties…", then the precise moments)
and never places a vague memory after a precise one it may precede. On the
same date a milestone comes before the fans' memories (the brand's event,
then how people lived it); then entries go by slug, so the order is stable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storysite.config.options import Era
from storysite.curate import PublicMemory, PublicSite
from storysite.dates import PartialDate
from storysite.model import Milestone

MILESTONE = "milestone"
MEMORY = "memory"
_PRECISION_RANK = {"decade": 0, "year": 1, "month": 2, "day": 3}
_KIND_RANK = {MILESTONE: 0, MEMORY: 1}


@dataclass(frozen=True)
class Entry:
    """One place on the timeline: a milestone, or a published memory."""

    kind: str
    slug: str
    date: PartialDate
    era: Era | None = None
    milestone: Milestone | None = None
    memory: PublicMemory | None = None

    @property
    def anchor(self) -> str:
        """The entry's ``id`` on timeline pages (``milestone-le-premier-pot``)."""
        return f"{self.kind}-{self.slug}"

    @property
    def year(self) -> int | None:
        """The year the entry belongs to, or ``None`` for a date known only to its decade."""
        return None if self.date.decade else self.date.year

    @property
    def span(self) -> tuple[int, int]:
        """The first and last years the date may mean."""
        if self.date.decade:
            return self.date.year, self.date.year + 9
        return self.date.year, self.date.year


def order_key(entry: Entry) -> tuple[object, ...]:
    """Where an entry stands: start of its span, vaguer first, milestones first, then slug."""
    return (entry.date.start(), _PRECISION_RANK[entry.date.precision], _KIND_RANK[entry.kind], entry.slug)


@dataclass(frozen=True)
class Decade:
    """The entries of one decade, in order, and the eras that touch it."""

    start: int
    entries: tuple[Entry, ...]
    eras: tuple[Era, ...] = ()

    @property
    def slug(self) -> str:
        """``1980s``: the decade's anchor and the last part of its page's URL."""
        return f"{self.start}s"

    @property
    def end(self) -> int:
        return self.start + 9


@dataclass(frozen=True)
class Timeline:
    """Decades in order, oldest first; only decades with entries."""

    decades: tuple[Decade, ...]
    eras: tuple[Era, ...] = ()

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(entry for decade in self.decades for entry in decade.entries)

    def __len__(self) -> int:
        return sum(len(decade.entries) for decade in self.decades)

    def between(self, first: int, last: int) -> Timeline:
        """The entries whose span overlaps the years ``first`` to ``last`` (both included).

        A memory dated "1970s" belongs to a range "1976-1989": it may well
        have happened then.
        """
        kept = [entry for entry in self.entries if entry.span[0] <= last and entry.span[1] >= first]
        return _group(kept, self.eras)

    def decade(self, start: int) -> Decade | None:
        for decade in self.decades:
            if decade.start == start:
                return decade
        return None


def era_of(year: int, eras: tuple[Era, ...]) -> Era | None:
    """The era a year belongs to (eras do not overlap: the config refuses that)."""
    for era in eras:
        if era.contains(year):
            return era
    return None


def build_timeline(site: PublicSite) -> Timeline:
    """Merge the site's milestones and its dated published memories into one timeline."""
    eras = site.config.timeline.eras
    entries = [Entry(MILESTONE, m.slug, m.date, era_of(m.date.year, eras), milestone=m) for m in site.milestones]
    entries += [
        Entry(MEMORY, m.slug, m.date, era_of(m.date.year, eras), memory=m)
        for m in site.memories
        if m.date is not None
    ]
    return _group(entries, eras)


def has_timeline(site: PublicSite) -> bool:
    """Whether the site has anything to put on a timeline (and so a /timeline/ page)."""
    return bool(site.milestones) or any(m.date is not None for m in site.memories)


def _group(entries: list[Entry], eras: tuple[Era, ...]) -> Timeline:
    by_decade: dict[int, list[Entry]] = {}
    for entry in sorted(entries, key=order_key):
        by_decade.setdefault(entry.date.decade_start, []).append(entry)
    decades = tuple(
        Decade(start, tuple(group), tuple(e for e in eras if e.start <= start + 9 and e.end >= start))
        for start, group in sorted(by_decade.items())
    )
    return Timeline(decades, eras)


_RANGE = re.compile(r"(?P<first>\d{4})\s*[-–]\s*(?P<last>\d{4})\Z|(?P<decade>\d{3}0)s\Z|(?P<year>\d{4})\Z")
RANGE_FORMS = "1976-1989, 1980s or 1986"


def parse_range(text: str) -> tuple[tuple[int, int] | None, str | None]:
    """Read a block's range (``1976-1989``, ``1980s``, ``1986``) → ``((first, last), None)`` or ``(None, reason)``."""
    match = _RANGE.match(text.strip())
    if match is None:
        return None, f"'{text}' is not a range of years; write {RANGE_FORMS}"
    if match["decade"]:
        start = int(match["decade"])
        return (start, start + 9), None
    if match["year"]:
        year = int(match["year"])
        return (year, year), None
    first, last = int(match["first"]), int(match["last"])
    if first > last:
        return None, f"the range {text} is reversed; write {last}-{first}"
    return (first, last), None
