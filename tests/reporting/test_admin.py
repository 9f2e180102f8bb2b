import pytest
from django.urls import reverse

from centers.models import Role
from reporting.models import ReportStatus

from . import factories

pytestmark = pytest.mark.django_db


def test_the_ministry_reads_reports_in_the_admin_but_cannot_change_them(
    client, home_center, role_users
):
    report = factories.report(home_center, status=ReportStatus.READY)
    client.force_login(role_users[Role.MINISTRY])
    listing = client.get(reverse("admin:reporting_report_changelist"))
    assert listing.status_code == 200 and home_center.name in listing.content.decode()
    page = client.get(reverse("admin:reporting_report_change", args=[report.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.get(reverse("admin:reporting_report_add")).status_code == 403
    assert client.get(reverse("admin:reporting_reminder_changelist")).status_code == 200
