"""The beat schedule with a frozen clock: end-of-period reports and reminders (issue 6)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from centers.models import Role
from deployment.models import PlanStatus
from deployment.periods import current_period
from kiportal.celery import app as celery_app
from reporting import periodic
from reporting.models import Reminder, Report, ReportStatus

from .conftest import make_concept, make_plan

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def _on(day: datetime.date):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(7, 0), BERLIN), tick=False
    )


def _mails_to(user):
    return [m for m in mail.outbox if user.email in m.to]


def test_the_schedule_is_in_the_settings_and_names_registered_tasks():
    celery_app.autodiscover_tasks(force=True)  # what the worker and beat do at start
    schedule = settings.CELERY_BEAT_SCHEDULE
    for entry in schedule.values():
        assert entry["task"] in celery_app.tasks, entry["task"]
    assert {e["task"] for e in schedule.values()} == {
        "centers.sweep_jobs",
        "reporting.delete_expired_documents",
        "reporting.generate_period_reports",
        "reporting.send_reminders",
        "staffing.anonymise_departed_staff",
        "staffing.delete_old_import_jobs",
    }


def test_the_plan_reminder_goes_out_two_months_before_the_period_once(
    home_center, other_center, user_as, django_capture_on_commit_callbacks
):
    koeln_lead = user_as(Role.CENTER_LEAD, home_center)
    bonn_lead = user_as(Role.CENTER_LEAD, other_center)
    coming = current_period(datetime.date(2027, 8, 1))
    make_plan(other_center, coming, status=PlanStatus.DRAFT)  # Bonn has started its plan

    with _on(datetime.date(2027, 5, 31)), django_capture_on_commit_callbacks(execute=True):
        periodic.send_reminders()
    assert _mails_to(koeln_lead) == []

    with _on(datetime.date(2027, 6, 1)), django_capture_on_commit_callbacks(execute=True):
        periodic.send_reminders()
    (reminder,) = _mails_to(koeln_lead)
    assert reminder.subject == "Erinnerung: Einsatzmanagement 2027–2029 fehlt"
    assert "beginnt am 01.08.2027" in reminder.body
    assert "Nr. 3.6" in reminder.body
    assert _mails_to(bonn_lead) == []

    # The job runs every day (and maybe twice): the reminder is not repeated.
    for day in (datetime.date(2027, 6, 1), datetime.date(2027, 6, 2)):
        with _on(day), django_capture_on_commit_callbacks(execute=True):
            periodic.send_reminders()
    assert len(_mails_to(koeln_lead)) == 1
    assert Reminder.objects.filter(center=home_center, kind="plan_missing").count() == 1


def test_the_plan_reminder_follows_the_due_date_the_to_do_list_uses(
    settings, home_center, user_as, django_capture_on_commit_callbacks
):
    """One definition of "the plan is due": PLAN_DUE_MONTHS_BEFORE_PERIOD, not a literal."""
    settings.PLAN_DUE_MONTHS_BEFORE_PERIOD = 3
    koeln_lead = user_as(Role.CENTER_LEAD, home_center)
    with _on(datetime.date(2027, 5, 1)), django_capture_on_commit_callbacks(execute=True):
        periodic.send_reminders()
    assert len(_mails_to(koeln_lead)) == 1


def test_an_expiring_integrationskonzept_is_announced_once(
    home_center, user_as, django_capture_on_commit_callbacks, settings
):
    settings.CONCEPT_VALIDITY_YEARS = 5
    lead = user_as(Role.CENTER_LEAD, home_center)
    make_concept(home_center, resolution_date=datetime.date(2022, 3, 15))  # valid to 15.03.2027

    with _on(datetime.date(2026, 12, 14)), django_capture_on_commit_callbacks(execute=True):
        periodic.send_reminders()
    assert _mails_to(lead) == []

    with _on(datetime.date(2026, 12, 15)), django_capture_on_commit_callbacks(execute=True):
        periodic.send_reminders()
    (reminder,) = _mails_to(lead)
    assert reminder.subject == "Erinnerung: Integrationskonzept läuft am 15.03.2027 ab"
    assert "Fortschreibung" in reminder.body

    with _on(datetime.date(2027, 3, 16)), django_capture_on_commit_callbacks(execute=True):
        periodic.send_reminders()
    assert len(_mails_to(lead)) == 1


def test_at_the_end_of_the_period_reports_are_generated_for_reported_plans(
    home_center, other_center, user_as, django_capture_on_commit_callbacks
):
    lead = user_as(Role.CENTER_LEAD, home_center)
    period = current_period(datetime.date(2026, 1, 1))  # 01.08.2025 – 31.07.2027
    make_plan(home_center, period, status=PlanStatus.REPORTED)
    make_plan(other_center, period, status=PlanStatus.DRAFT)  # never reported: no report

    with _on(period.end), django_capture_on_commit_callbacks(execute=True):
        assert periodic.generate_period_reports() == 0

    with (
        _on(period.end + datetime.timedelta(days=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert periodic.generate_period_reports() == 1
    report = Report.objects.get()
    assert (report.center, report.period_start, report.period_end) == (
        home_center,
        period.start,
        period.end,
    )
    assert report.requested_by is None  # the schedule, shown as "Zeitplan"
    assert report.status == ReportStatus.READY
    (notice,) = _mails_to(lead)
    assert notice.subject == "Bericht an die LaSI für 2025–2027 erstellt"

    # A later run (or the next day) generates nothing more.
    with (
        _on(period.end + datetime.timedelta(days=2)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert periodic.generate_period_reports() == 0
    assert Report.objects.count() == 1
