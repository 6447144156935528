"""Partial dates as fans remember them: a decade, a year, a month or a day."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from storysite.diagnostics import shortened

_FORMS = "1986, 1986-07, 1986-07-14 or 1980s"
# A day may come with a time of day, as Hugo's front matter and form exports write it
# (2023-05-01T10:00:00Z, 2023-05-01 10:00): the day is the one written, whatever the offset.
_PATTERN = re.compile(r"(?:(?P<decade>\d{3}0)s|(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
                      r"(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2})(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?)\Z")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to a decade, a year, a month or a day.

    Ordering places a decade at its start, a year before its months and a
    month before its days, so approximate dates sort before precise ones
    within their span.
    """

    year: int
    month: int = 0
    day: int = 0
    decade: bool = False

    @property
    def precision(self) -> str:
        if self.decade:
            return "decade"
        if self.day:
            return "day"
        if self.month:
            return "month"
        return "year"

    def start(self) -> dt.date:
        """The first day the date may mean."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def iso(self) -> str:
        """ISO 8601 at the date's own precision (a decade gives its first year)."""
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    @property
    def decade_start(self) -> int:
        return self.year - self.year % 10

    @property
    def last_year(self) -> int:
        """The latest year the date may mean (a decade's ninth)."""
        return self.year + 9 if self.decade else self.year

    def written(self) -> str:
        """The date as an editor writes it (``1980s`` for a decade), for messages."""
        return f"{self.year:04d}s" if self.decade else self.iso()


def parse_partial_date(raw: Any, forms: str = _FORMS) -> tuple[PartialDate | None, str | None]:
    """Read ``1986``, ``1986-07``, ``1986-07-14`` or ``1980s``.

    Returns ``(date, None)`` or ``(None, reason)``; ``forms`` is what a reason suggests writing.
    """
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        return None, f"expected a date such as {forms}"
    text = str(raw).strip()
    match = _PATTERN.match(text)
    if not match:
        return None, f"'{shortened(text)}' is not a date; write {forms}"
    if match["decade"]:
        return PartialDate(int(match["decade"]), decade=True), None
    year = int(match["year"])
    month = int(match["month"] or 0)
    day = int(match["day"] or 0)
    if year < 1:
        return None, f"'{text}' is not a date; the year must be at least 0001"
    if match["month"] and not 1 <= month <= 12:
        return None, f"'{text}' is not a date: there is no month {month}"
    if match["day"] and not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None, f"'{text}' is not a date: {calendar.month_name[month]} {year} has no day {day}"
    if match["hour"] and (int(match["hour"]) > 23 or int(match["minute"]) > 59):
        return None, f"'{shortened(text)}' is not a date: there is no time {match['hour']}:{match['minute']}"
    return PartialDate(year, month, day), None


LIVED_YEARS = 120
"""How long before the build date a fan's memory may be dated without a warning: a memory is
what a fan lived, and no one's reaches further back (a family story handed down is dated by
when it was told, or given a ``date_display``)."""
EARLIEST_YEAR = 1000
"""The earliest year a milestone, campaign or gallery may be dated without a warning. A brand's
history may well start in 1886; a year before 1000 (``0850``, the only way to write one) is far
likelier a slip for 1850 or 1985 than a brand's founding."""
LATER_YEARS = 30
"""How many years after the build date a milestone, campaign or gallery may be dated without a
warning: a timeline may announce a plan (a 2030 or 2050 target), not a date a century ahead."""


def doubtful_date(date: PartialDate, today: dt.date, *, lived: bool) -> str | None:
    """Why ``date`` is hard to believe on ``today`` (the build date), starting with the date as
    written; ``None`` when it is plausible.

    ``lived``: the date of a fan's memory, which tells what has happened, within a life
    (:data:`LIVED_YEARS`); else an editor's (a milestone, campaign or gallery), which may be
    old or planned (:data:`EARLIEST_YEAR`, :data:`LATER_YEARS`). Each is a warning, not an
    error: a site that built before keeps building (``--strict`` makes them fail CI)."""
    shown, built = date.written(), today.isoformat()
    if lived:
        if date.start() > today:
            return f"{shown} is after the build date ({built}); a memory tells what has happened: check the year"
        if today.year - date.last_year > LIVED_YEARS:
            return (f"{shown} is more than {LIVED_YEARS} years before the build date ({built}), beyond "
                    "what a fan can have lived: check the year")
        return None
    if date.last_year < EARLIEST_YEAR:
        return f"{shown} is before the year {EARLIEST_YEAR}: check the year (a digit left out or mistyped?)"
    if date.year > today.year + LATER_YEARS:
        return f"{shown} is more than {LATER_YEARS} years after the build date ({built}): check the year"
    return None


def parse_full_date(raw: Any) -> tuple[dt.date | None, str | None]:
    """Read a full ``YYYY-MM-DD`` date (consent dates must be exact)."""
    date, reason = parse_partial_date(raw, forms="YYYY-MM-DD (2014-04-02)")
    if date is None:
        return None, reason or "expected a date"
    if date.precision != "day":
        return None, f"'{shortened(str(raw))}' is not a full date; write YYYY-MM-DD"
    return date.start(), None
