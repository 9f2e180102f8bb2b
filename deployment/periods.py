"""Plan periods: two years from a configurable start day (Nr. 3.6 "in der Regel
jeweils für einen Zeitraum von zwei Jahren").

``settings.DEPLOYMENT_PERIOD_START`` is ``(month, day)`` (default 1 August,
school-year based); ``settings.DEPLOYMENT_PERIOD_ANCHOR_YEAR`` fixes which
years a period starts in (default 2025: 2025–2027, 2027–2029, …).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    def __str__(self):
        return f"{self.start:%d.%m.%Y} – {self.end:%d.%m.%Y}"

    @property
    def label(self) -> str:
        return f"{self.start.year}–{self.end.year}"

    def previous(self) -> Period:
        return period_containing(self.start - datetime.timedelta(days=1))

    def next(self) -> Period:
        return period_containing(self.end + datetime.timedelta(days=1))


def _start_month_day() -> tuple[int, int]:
    month, day = getattr(settings, "DEPLOYMENT_PERIOD_START", (8, 1))
    return int(month), int(day)


def _anchor_year() -> int:
    return int(getattr(settings, "DEPLOYMENT_PERIOD_ANCHOR_YEAR", 2025))


def period_containing(day: datetime.date) -> Period:
    """The two-year period that contains ``day``."""
    month, start_day = _start_month_day()
    year = day.year if (day.month, day.day) >= (month, start_day) else day.year - 1
    # Periods start every second year, counted from the anchor.
    year -= (year - _anchor_year()) % 2
    start = datetime.date(year, month, start_day)
    end = datetime.date(year + 2, month, start_day) - datetime.timedelta(days=1)
    return Period(start, end)


def current_period(today: datetime.date | None = None) -> Period:
    """The one place that says which period is running now."""
    return period_containing(today or timezone.localdate())


def period_starting(start: datetime.date) -> Period:
    period = period_containing(start)
    if period.start != start:
        raise ValueError(f"{start} ist kein Periodenbeginn")
    return period
