"""Finding 6 of issue 15: three parallel POSTs to /berichte/zentrum/<key>/anfordern/ gave
500s (IntegrityError on the number constraint) and sometimes two versions rendered 21 ms
apart. Now they yield one report and never an error."""

import threading
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse

from centers.models import Center, Role
from deployment.periods import current_period
from reporting import services
from reporting.models import Report, ReportKind, ReportStatus
from tests import factories


def _request_url(center):
    return reverse("reporting:request", kwargs={"key": center.key})


@pytest.mark.django_db
def test_a_competing_request_between_check_and_insert_gives_its_report(client, home_center):
    """The other request inserts the same number after this one looked for a running
    report: the constraint refuses this insert, and the other one's report is the answer."""
    lead = factories.user_with_role(Role.CENTER_LEAD, home_center)
    period = current_period()
    original = services._next_number
    competing = {}

    def next_number_while_another_request_commits(**series):
        number = original(**series)
        competing["report"] = Report.objects.create(
            kind=ReportKind.CENTER,
            center=home_center,
            period_start=period.start,
            period_end=period.end,
            number=number,
            requested_by=lead,
        )
        return number

    client.force_login(lead)
    with mock.patch.object(services, "_next_number", next_number_while_another_request_commits):
        response = client.post(_request_url(home_center), {"period": period.start.isoformat()})

    assert response.status_code == 302
    assert response["Location"] == competing["report"].get_absolute_url()
    assert Report.objects.count() == 1
    # The refused insert left no history row and no timeline entry behind.
    assert Report.history.count() == 1


@pytest.mark.django_db
def test_a_request_after_a_finished_report_makes_the_next_version(home_center):
    lead = factories.user_with_role(Role.CENTER_LEAD, home_center)
    period = current_period()
    first = services.report_request(
        center=home_center, period_start=period.start, period_end=period.end, user=lead
    )
    Report.objects.filter(pk=first.pk).update(status=ReportStatus.READY)
    second = services.report_request(
        center=home_center, period_start=period.start, period_end=period.end, user=lead
    )
    assert (first.number, second.number) == (1, 2)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("existing", [0, 1], ids=["first-report", "after-a-ready-one"])
def test_three_parallel_requests_yield_one_report(existing):
    # The transactional database is flushed after each such test: reload the reference data.
    if Center.objects.count() < 54:
        call_command("load_reference_data", verbosity=0)
    center = factories.center("05315")
    lead = factories.user_with_role(Role.CENTER_LEAD, center)
    period = current_period()
    for number in range(1, existing + 1):
        Report.objects.create(
            kind=ReportKind.CENTER,
            center=center,
            period_start=period.start,
            period_end=period.end,
            number=number,
            status=ReportStatus.READY,
        )
    start = threading.Barrier(3)
    results = []

    def post():
        try:
            client = Client()
            client.force_login(lead)
            start.wait(10)
            response = client.post(_request_url(center), {"period": period.start.isoformat()})
            results.append((response.status_code, response["Location"]))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results.append((repr(exc), ""))
        finally:
            close_old_connections()
            connection.close()

    # The render is not what this is about: the task is not enqueued.
    with mock.patch.object(services, "enqueue"):
        threads = [threading.Thread(target=post) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)

    new = Report.objects.filter(number__gt=existing)
    assert new.count() == 1
    report = new.get()
    assert results == [(302, report.get_absolute_url())] * 3
