"""The one calendar arithmetic of the portal: months and years forward or back, a day
that does not exist in the target month becoming its last (31.01. + 1 month → 28./29.02.,
29.02. + 1 year → 28.02.). Due dates, validity periods and programme years use it."""

from __future__ import annotations

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by ``months`` (negative: back); a missing day becomes the month's last."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: datetime.date, years: int) -> datetime.date:
    return add_months(day, 12 * years)
