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


def parse_full_date(raw: Any) -> tuple[dt.date | None, str | None]:
    """Read a full ``YYYY-MM-DD`` date (consent dates must be exact)."""
    date, reason = parse_partial_date(raw, forms="YYYY-MM-DD (2014-04-02)")
    if date is None:
        return None, reason or "expected a date"
    if date.precision != "day":
        return None, f"'{shortened(str(raw))}' is not a full date; write YYYY-MM-DD"
    return date.start(), None
