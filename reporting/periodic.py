"""What the scheduled jobs do (``reporting.schedule`` says when).

Daily and idempotent: each reminder and each end-of-period report is
recorded in ``Reminder`` (unique per centre, kind and due date), so a late,
missed or doubled run sends everything exactly once.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from centers.access import Capability
from centers.models import Center
from centers.notifications import notify_center, recipients_for
from centers.todo import add_months
from deployment.periods import Period, current_period

from . import services, sources
from .models import Reminder, ReminderKind

logger = logging.getLogger(__name__)


def _once(kind: str, center: Center, due_on: datetime.date, recipients: list[str]) -> bool:
    """Record the reminder; False if it was sent before."""
    try:
        with transaction.atomic():
            Reminder.objects.create(
                kind=kind, center=center, due_on=due_on, recipients=", ".join(recipients)
            )
    except IntegrityError:
        return False
    return True


def generate_period_reports(today: datetime.date | None = None) -> int:
    """At the end of each plan period: the centre report for every centre whose plan
    for that period was reported to LaSI (Nr. 3.6). Returns the number requested."""
    today = today or timezone.localdate()
    ended: Period = current_period(today).previous()
    count = 0
    for plan in sources.reported_plans(ended.end):
        center = plan.center
        with override("de"), transaction.atomic():
            recipients = recipients_for(center=center, capability=Capability.REQUEST_REPORT)
            if not _once(ReminderKind.REPORTS_GENERATED, center, ended.end, recipients):
                continue
            report = services.report_request(
                center=center, period_start=ended.start, period_end=ended.end, user=None
            )
            notify_center(
                center=center,
                capability=Capability.REQUEST_REPORT,
                actor=None,
                subject=_("Bericht an die LaSI für %(period)s erstellt") % {"period": ended.label},
                template="reporting/email/reports_generated.txt",
                context={"period": ended, "report": report},
            )
            count += 1
    logger.info("Berichte zum Periodenende %s: %s angefordert", ended, count)
    return count


def send_reminders(today: datetime.date | None = None) -> int:
    """German e-mails: the plan for the coming period is missing two months before it
    starts; an Integrationskonzept's validity runs out; a funding application window closes
    or a Verwendungsnachweis is due (``reporting.funding.periodic``). Returns the number
    sent."""
    today = today or timezone.localdate()
    sent = 0
    centers = list(Center.objects.select_related("sponsor").order_by("name"))
    ids = [c.pk for c in centers]

    coming = current_period(today).next()
    if add_months(coming.start, -settings.PLAN_DUE_MONTHS_BEFORE_PERIOD) <= today < coming.start:
        planned = sources.plans_by_center(ids, coming)
        for center in centers:
            if center.pk in planned:
                continue
            with override("de"), transaction.atomic():
                recipients = recipients_for(center=center, capability=Capability.SUBMIT_PLAN)
                if not _once(ReminderKind.PLAN_MISSING, center, coming.start, recipients):
                    continue
                notify_center(
                    center=center,
                    capability=Capability.SUBMIT_PLAN,
                    actor=None,
                    subject=_("Erinnerung: Einsatzmanagement %(period)s fehlt")
                    % {"period": coming.label},
                    template="reporting/email/plan_missing.txt",
                    context={"period": coming},
                )
                sent += 1

    concepts = sources.approved_concepts(ids)
    operating = sources.operating_status_by_center(ids, today)
    for center in centers:
        concept = concepts.get(center.pk)
        valid_until = operating[center.pk].concept_valid_until
        if (
            concept is None
            or valid_until is None
            or today < add_months(valid_until, -settings.CONCEPT_REMINDER_MONTHS_BEFORE_EXPIRY)
        ):
            continue
        with override("de"), transaction.atomic():
            recipients = recipients_for(center=center, capability=Capability.EDIT_CONCEPT)
            if not _once(ReminderKind.CONCEPT_EXPIRING, center, valid_until, recipients):
                continue
            notify_center(
                center=center,
                capability=Capability.EDIT_CONCEPT,
                actor=None,
                subject=_("Erinnerung: Integrationskonzept läuft am %(day)s ab")
                % {"day": valid_until.strftime("%d.%m.%Y")},
                template="reporting/email/concept_expiring.txt",
                context={"concept": concept, "valid_until": valid_until},
            )
            sent += 1
    from .funding.periodic import send_funding_reminders

    sent += send_funding_reminders(today, _once)
    logger.info("Erinnerungen versandt: %s", sent)
    return sent
