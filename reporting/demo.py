"""Demo data for reporting (``manage.py seed_demo``, after deployment).

Köln's report for the previous plan period, rendered, submitted by the
KI-Leitung and acknowledged by LaSI, so the pages show a finished example
next to the ones a demo user requests. Idempotent: nothing is added when
the report exists.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from centers.models import Center
from deployment.periods import current_period

from . import services
from .funding import demo as funding_demo
from .models import Report, ReportKind

DEMO_CENTER = "05315"  # Köln


def seed(*, scale: int = 1, stdout=None) -> dict[str, int]:
    users = get_user_model().objects.in_bulk(["ki-koeln-leitung", "lasi"], field_name="username")
    center = Center.objects.filter(key=DEMO_CENTER).first()
    if center is None or len(users) < 2:
        return {"reports": Report.objects.count()}
    period = current_period().previous()
    if not Report.objects.filter(
        kind=ReportKind.CENTER, center=center, period_start=period.start
    ).exists():
        report = services.report_request(
            center=center,
            period_start=period.start,
            period_end=period.end,
            user=users["ki-koeln-leitung"],
        )
        # Rendered here, not through the queue: seeding must not depend on a worker.
        services.report_render(report_id=report.pk)
        report.refresh_from_db()
        report = services.report_submit(report=report, user=users["ki-koeln-leitung"])
        services.report_acknowledge(report=report, user=users["lasi"])
    return {"reports": Report.objects.count(), **funding_demo.seed()}
