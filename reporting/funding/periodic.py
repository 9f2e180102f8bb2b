"""The funding deadlines in the daily reminders (``reporting.periodic.send_reminders``): an
application window that closes while the centre has not applied, a Verwendungsnachweis that
is due. The rows are the to-do list's (``reporting.funding.todo``), so the list and the
mail never disagree; ``Reminder`` makes each mail go out once per centre and deadline."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from centers.access import Capability
from centers.models import Center
from centers.notifications import notify_center, recipients_for
from centers.todo import Scope

from . import todo


def send_funding_reminders(today: datetime.date, once) -> int:
    """``once(kind, center, due_on, recipients)`` records a reminder and says whether it
    is new (``reporting.periodic._once``). Returns the number of mails."""
    from ..models import ReminderKind

    # The to-do list's rows for nobody in particular: only the day counts.
    day = Scope(None, today)
    centers = Center.objects.all()
    soon = today + datetime.timedelta(days=settings.FUNDING_REMINDER_DAYS_BEFORE)
    sent = 0
    for center, programme_year in todo.open_windows(centers, day):
        due = programme_year.application_until
        if due > soon:
            continue
        sent += _remind(
            once,
            ReminderKind.FUNDING_APPLICATION_DUE,
            center,
            due,
            subject=_("Erinnerung: Förderantrag %(programme)s %(year)s bis zum %(date)s")
            % {
                "programme": programme_year.programme.name,
                "year": programme_year.year,
                "date": due.strftime("%d.%m.%Y"),
            },
            template="funding/email/application_due.txt",
            context={"programme_year": programme_year},
        )
    for decision in todo.proofs_due(centers, day):
        due = decision.proof_due_on
        if due > soon:
            continue
        sent += _remind(
            once,
            ReminderKind.FUNDING_PROOF_DUE,
            decision.center,
            due,
            subject=_("Erinnerung: Verwendungsnachweis %(programme)s %(year)s bis zum %(date)s")
            % {
                "programme": decision.programme.name,
                "year": decision.year,
                "date": due.strftime("%d.%m.%Y"),
            },
            template="funding/email/proof_due.txt",
            context={"decision": decision},
        )
    return sent


def _remind(once, kind, center, due, *, subject, template, context) -> int:
    with override("de"), transaction.atomic():
        recipients = recipients_for(center=center, capability=Capability.PREPARE_FUNDING)
        if not once(kind, center, due, recipients):
            return 0
        notify_center(
            center=center,
            capability=(Capability.PREPARE_FUNDING, Capability.SUBMIT_FUNDING),
            actor=None,
            subject=subject,
            template=template,
            context={"due": due, **context},
        )
    return 1
