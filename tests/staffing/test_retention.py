"""Retention of staff data (issue 14, DSGVO): people who left more than
STAFF_RETENTION_YEARS ago are anonymised by the daily beat job, with their history rows;
posts and shares stay; every run is logged."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from centers.models import Role
from centers.workflow.models import TimelineEvent
from reporting.schedule import CELERY_BEAT_SCHEDULE
from staffing import tasks
from staffing.models import (
    Assignment,
    ImmigrationHistory,
    QualificationException,
    RetentionKind,
    RetentionRun,
    SensitiveDataAccess,
    StaffMember,
)
from staffing.retention import staff_anonymise_departed
from staffing.services import exception_propose, member_save

from .factories import AssignmentFactory, PostFactory, StaffMemberFactory

TODAY = date(2030, 6, 15)
CUTOFF = date(2027, 6, 15)  # three years (the default) before TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _three_years(settings):
    settings.STAFF_RETENTION_YEARS = 3


def _person(center, *ends, **fields):
    """A person with one Besetzung per end date (None: open-ended)."""
    member = StaffMemberFactory(center=center, **fields)
    for end in ends:
        AssignmentFactory(
            post=PostFactory(center=center),
            member=member,
            start=date(2020, 1, 1),
            end=end,
            fte=Decimal("0.50"),
            seconding_school="Gesamtschule Köln-Holweide",
        )
    return member


def test_who_left_before_the_cutoff_is_anonymised_and_who_did_not_is_kept(home_center):
    left = _person(
        home_center,
        date(2025, 7, 31),
        CUTOFF - timedelta(days=1),
        last_name="Yılmaz",
        first_name="Ayşe",
        email="ayse.yilmaz@ki.example",
        employer="Stadt Köln",
        qualification_subject="Soziale Arbeit",
        immigration_history=ImmigrationHistory.YES,
    )
    on_the_cutoff = _person(home_center, CUTOFF, last_name="Kern")
    still_there = _person(home_center, date(2024, 1, 31), None, last_name="Becker")
    # Never on a post: counts as left when the record was last changed before the cut-off.
    new_without_assignment = StaffMemberFactory(center=home_center, last_name="Neu")
    StaffMember.history.filter(id=new_without_assignment.pk).update(
        history_date=timezone.make_aware(datetime(2029, 5, 1, 9, 0))
    )
    old_without_assignment = StaffMemberFactory(center=home_center, last_name="Alt")
    StaffMember.history.filter(id=old_without_assignment.pk).update(
        history_date=timezone.make_aware(datetime(2026, 5, 1, 9, 0))
    )

    run = staff_anonymise_departed(today=TODAY)

    left.refresh_from_db()
    assert (left.last_name, left.first_name) == ("Anonymisiert", f"Person {left.pk}")
    assert left.email == f"anonymisiert-{left.pk}@anonymisiert.invalid"
    assert left.employer == left.qualification_subject == left.immigration_history == ""
    assert left.anonymised_on == TODAY
    # Posts, shares and periods stay for the statistics; the school that seconded is gone.
    assignments = list(left.assignments.order_by("end"))
    assert [a.fte for a in assignments] == [Decimal("0.50")] * 2
    assert [a.end for a in assignments] == [date(2025, 7, 31), CUTOFF - timedelta(days=1)]
    assert {a.seconding_school for a in assignments} == {""}
    assert StaffMember.objects.get(pk=on_the_cutoff.pk).last_name == "Kern"
    assert StaffMember.objects.get(pk=still_there.pk).last_name == "Becker"
    assert StaffMember.objects.get(pk=new_without_assignment.pk).last_name == "Neu"
    assert StaffMember.objects.get(pk=old_without_assignment.pk).last_name == "Anonymisiert"

    assert run.kind == RetentionKind.STAFF_ANONYMISED
    assert (run.run_on, run.cutoff, run.count) == (TODAY, CUTOFF, 2)
    assert run.details == [
        {"member": m.pk, "center": home_center.pk} for m in (left, old_without_assignment)
    ]
    assert RetentionRun.objects.get() == run


def test_history_rows_are_scrubbed_too(home_center, user_as):
    lead = user_as(Role.CENTER_LEAD, home_center)
    member = _person(home_center, date(2026, 1, 31), last_name="Yılmaz", first_name="Ayşe")
    member.qualification_subject = "Sozialpädagogik, Köln"
    member_save(member=member, user=lead, expected_version=member.version)
    exception = exception_propose(
        member=member, kind="specialist", reason="Frau Yılmaz hat zehn Jahre Erfahrung", user=lead
    )
    SensitiveDataAccess.objects.create(
        user=lead, member=member, action=SensitiveDataAccess.Action.VIEW
    )

    staff_anonymise_departed(today=TODAY)

    rows = list(StaffMember.history.filter(id=member.pk))
    assert len(rows) >= 3  # created, changed, anonymised
    for row in rows:
        assert row.last_name == "Anonymisiert"
        assert row.email == f"anonymisiert-{member.pk}@anonymisiert.invalid"
        assert row.qualification_subject == row.employer == ""
    texts = " ".join(
        str(value)
        for model in (StaffMember, Assignment, QualificationException)
        for row in model.history.values_list()
        for value in row
    )
    assert "Yılmaz" not in texts and "Ayşe" not in texts and "Holweide" not in texts
    exception.refresh_from_db()
    assert exception.reason == "Anonymisiert"
    assert not TimelineEvent.objects.of(exception).filter(note__contains="Yılmaz").exists()
    # The access log stays (who read what), now about an anonymous record.
    assert SensitiveDataAccess.objects.filter(member=member).count() == 1


def test_a_second_run_anonymises_nobody_again_and_is_logged(home_center):
    _person(home_center, date(2025, 1, 31))
    assert staff_anonymise_departed(today=TODAY).count == 1
    second = staff_anonymise_departed(today=TODAY + timedelta(days=1))
    assert second.count == 0
    assert RetentionRun.objects.count() == 2


def test_the_retention_period_is_a_setting(home_center, settings):
    member = _person(home_center, date(2029, 1, 31))
    assert staff_anonymise_departed(today=TODAY).count == 0
    settings.STAFF_RETENTION_YEARS = 1
    assert staff_anonymise_departed(today=TODAY).count == 1
    member.refresh_from_db()
    assert member.last_name == "Anonymisiert"


def test_the_daily_beat_job_runs_the_service(home_center, monkeypatch):
    _person(home_center, date(2020, 12, 31))
    monkeypatch.setattr("django.utils.timezone.localdate", lambda: TODAY)
    assert tasks.anonymise_departed_staff() == 1
    entry = CELERY_BEAT_SCHEDULE["staffing-anonymise-departed-staff"]
    assert entry["task"] == "staffing.anonymise_departed_staff"


def test_the_person_page_says_anonymised(client, home_center, user_as):
    member = _person(home_center, date(2025, 1, 31), last_name="Yılmaz")
    staff_anonymise_departed(today=TODAY)
    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    page = client.get(reverse("staffing:member", args=[home_center.key, member.pk]))
    text = page.content.decode()
    assert "Anonymisiert am 15.06.2030" in text
    assert "Yılmaz" not in text


def test_someone_else_can_take_a_freed_address(home_center, user_as):
    """The placeholder frees the real address: the person may be entered again later."""
    member = _person(home_center, date(2025, 1, 31), email="wieder@ki.example")
    staff_anonymise_departed(today=TODAY)
    again = StaffMember(
        center=home_center, last_name="Wieder", first_name="Da", email="wieder@ki.example"
    )
    member_save(member=again, user=user_as(Role.CENTER_LEAD, home_center))
    assert StaffMember.objects.filter(email="wieder@ki.example").get().pk != member.pk
