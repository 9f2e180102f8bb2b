"""Funding deadlines in the daily reminders (issue 12): a closing application window and a
due Verwendungsnachweis are mailed once to the KI-Leitung and the Träger."""

import datetime

import pytest

from centers import services as center_services
from centers.models import Role
from reporting.funding.models import ApplicationStatus
from reporting.periodic import send_reminders
from tests.funding.factories import basic_year, make_application, make_proof

pytestmark = pytest.mark.django_db


def _funding_mails(mailoutbox):
    return [
        m for m in mailoutbox if "Förderantrag" in m.subject or "Verwendungsnachweis" in m.subject
    ]


def test_a_closing_window_is_mailed_once(
    role_users, home_center, mailoutbox, django_capture_on_commit_callbacks
):
    center_services.programme_year_write_copy(programme_year=basic_year(2026), year=2027, user=None)
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(datetime.date(2026, 9, 1))  # window closes 31.10.2026: not yet
    assert _funding_mails(mailoutbox) == []
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(datetime.date(2026, 10, 20))
        send_reminders(datetime.date(2026, 10, 21))
    mails = [m for m in _funding_mails(mailoutbox) if home_center.name in m.body]
    assert len(mails) == 1
    assert mails[0].subject == (
        "Erinnerung: Förderantrag Grundförderung Kommunale Integrationszentren 2027 bis zum "
        "31.10.2026"
    )
    assert set(mails[0].to) == {role_users[Role.CENTER_LEAD].email, role_users[Role.SPONSOR].email}
    # Applied in time: no reminder.
    mailoutbox.clear()
    make_application(home_center, year=2027, status=ApplicationStatus.DRAFT)
    center_services.programme_year_write_copy(programme_year=basic_year(2026), year=2028, user=None)
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(datetime.date(2027, 10, 20))
    assert [m for m in _funding_mails(mailoutbox) if "2027 bis" in m.subject] == []


def test_a_due_proof_is_mailed_until_it_is_submitted(
    role_users, home_center, mailoutbox, django_capture_on_commit_callbacks
):
    year = basic_year(2026)
    year.proof_due = datetime.date(2027, 6, 30)
    year.save()
    proof = make_proof(home_center, status="draft")
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(datetime.date(2027, 6, 20))
    assert [m.subject for m in _funding_mails(mailoutbox)] == [
        "Erinnerung: Verwendungsnachweis Grundförderung Kommunale Integrationszentren 2026 bis "
        "zum 30.06.2027"
    ]
    mailoutbox.clear()
    proof.status = "submitted"
    proof.save()
    from reporting.models import Reminder

    Reminder.objects.all().delete()  # even without the record: nothing due any more
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(datetime.date(2027, 6, 21))
    assert _funding_mails(mailoutbox) == []
