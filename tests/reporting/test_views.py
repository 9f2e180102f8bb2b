"""The pages: list, request, progress (htmx), download, actions, dashboards."""

import pytest
from django.urls import reverse

from centers.models import Role
from deployment.periods import current_period
from reporting.models import Report, ReportStatus
from tests import factories as base_factories
from tests.querycount import assert_constant_queries

from . import factories
from .conftest import make_plan, make_staff

pytestmark = pytest.mark.django_db


def test_leitung_requests_a_report_and_lands_on_the_progress_page(
    client, home_center, role_users, koeln_data, django_capture_on_commit_callbacks
):
    client.force_login(role_users[Role.CENTER_LEAD])
    page = client.get(reverse("reporting:center", kwargs={"key": home_center.key}))
    assert "Bericht anfordern" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reporting:request", kwargs={"key": home_center.key}),
            {"period": current_period().start.isoformat()},
        )
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    page = client.get(report.get_absolute_url()).content.decode()
    assert "PDF herunterladen" in page
    assert report.sha256 in page  # the checksum is shown
    assert "An die LaSI übermitteln" in page


def test_a_bad_period_is_refused_with_a_german_message(client, home_center, role_users):
    client.force_login(role_users[Role.CENTER_LEAD])
    response = client.post(
        reverse("reporting:request", kwargs={"key": home_center.key}), {"period": "2026-02-30"}
    )
    assert response.status_code == 400
    assert "Auswahl" in response.content.decode() or "gültig" in response.content.decode()
    assert not Report.objects.exists()


def test_staff_sees_reports_but_no_request_form(client, home_center, role_users):
    client.force_login(role_users[Role.CENTER_STAFF])
    page = client.get(reverse("reporting:center", kwargs={"key": home_center.key}))
    assert page.status_code == 200
    assert "Bericht anfordern" not in page.content.decode()


def test_progress_page_polls_while_queued_and_stops_when_ready(client, home_center, role_users):
    client.force_login(role_users[Role.CENTER_LEAD])
    report = factories.report(home_center, status=ReportStatus.QUEUED)
    page = client.get(report.get_absolute_url()).content.decode()
    status_url = reverse("reporting:status", kwargs={"pk": report.pk})
    assert f'hx-get="{status_url}"' in page and 'hx-trigger="every 2s"' in page

    fragment = client.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and "in Warteschlange" in fragment

    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RENDERING)
    assert "wird erstellt" in client.get(status_url).content.decode()

    ready = factories.report(home_center, status=ReportStatus.READY, number=2)
    fragment = client.get(reverse("reporting:status", kwargs={"pk": ready.pk})).content.decode()
    assert "hx-get" not in fragment and "PDF herunterladen" in fragment


def test_download_streams_the_stored_file_as_attachment(client, home_center, role_users):
    client.force_login(role_users[Role.SCHOOL_AUTHORITY])
    report = factories.report(home_center, status=ReportStatus.READY)
    response = client.get(reverse("reporting:download", kwargs={"pk": report.pk}))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == factories.PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-SHA256"] == report.sha256


def test_a_queued_report_has_nothing_to_download(client, home_center, role_users):
    client.force_login(role_users[Role.CENTER_LEAD])
    report = factories.report(home_center, status=ReportStatus.QUEUED)
    assert client.get(reverse("reporting:download", kwargs={"pk": report.pk})).status_code == 404


def test_another_centres_report_is_a_404(client, home_center, other_center, role_users):
    client.force_login(role_users[Role.CENTER_LEAD])
    bonn = factories.report(other_center, status=ReportStatus.READY)
    for name in ("reporting:detail", "reporting:download", "reporting:status"):
        assert client.get(reverse(name, kwargs={"pk": bonn.pk})).status_code == 404


def test_old_versions_stay_listed_and_downloadable(client, home_center, role_users):
    client.force_login(role_users[Role.LASI])
    old = factories.report(home_center, status=ReportStatus.ACKNOWLEDGED, number=1)
    new = factories.report(home_center, status=ReportStatus.READY, number=2)
    page = client.get(new.get_absolute_url()).content.decode()
    assert old.get_absolute_url() in page
    assert client.get(reverse("reporting:download", kwargs={"pk": old.pk})).status_code == 200


def test_submit_and_acknowledge_through_the_pages(client, home_center, role_users):
    report = factories.report(home_center, status=ReportStatus.READY)
    client.force_login(role_users[Role.CENTER_LEAD])
    submit = reverse("reporting:submit", kwargs={"pk": report.pk})
    assert submit in client.get(report.get_absolute_url()).text
    client.post(submit, {"version": report.version})
    client.force_login(role_users[Role.LASI])
    page = client.get(report.get_absolute_url()).content.decode()
    acknowledge = reverse("reporting:acknowledge", kwargs={"pk": report.pk})
    assert acknowledge in page
    report.refresh_from_db()
    response = client.post(acknowledge, {"version": report.version}, follow=True)
    assert "Der Bericht wurde zur Kenntnis genommen." in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.ACKNOWLEDGED


def test_acknowledging_twice_says_why_and_changes_nothing(client, home_center, role_users):
    report = factories.report(home_center, status=ReportStatus.ACKNOWLEDGED)
    client.force_login(role_users[Role.LASI])
    response = client.post(
        reverse("reporting:acknowledge", kwargs={"pk": report.pk}), {"version": report.version}
    )
    assert (
        "„Zur Kenntnis nehmen“ ist im Status „von der LaSI zur Kenntnis genommen“ nicht möglich"
        in (response.content.decode())
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.ACKNOWLEDGED


def test_state_dashboard_shows_charts_with_tables(client, home_center, role_users, koeln_data):
    client.force_login(role_users[Role.FUNDING])
    page = client.get(reverse("reporting:dashboard")).content.decode()
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"') == 4
    assert page.count("<caption>") >= 4
    assert "Handlungsfelder in Nordrhein-Westfalen" in page
    assert "Kommunales Integrationszentrum Köln" in page
    assert "style=" not in page  # CSP: no inline styles, not even in the SVG


def test_ki_dashboard_shows_the_own_centre(client, home_center, role_users, koeln_data):
    client.force_login(role_users[Role.CENTER_STAFF])
    page = client.get(
        reverse("reporting:center_dashboard", kwargs={"key": home_center.key})
    ).content.decode()
    assert "Stellen je Stellenart gegenüber dem Soll" in page
    assert "Bildung, Erziehung und Betreuung" in page
    assert "style=" not in page


# --- query counts at 1× and 10× data -------------------------------------------------


def _constant(client, url, grow):
    client.get(url)  # warm the per-process caches (content types) first
    small, large = assert_constant_queries(client, url, grow)
    print(f"{url}: {small} Abfragen bei 1× und 10×")
    return small, large


def _grow_reports(center):
    def grow(k):
        for _ in range(k):
            factories.report(center, status=ReportStatus.READY, number=Report.objects.count() + 1)
            factories.report(None, status=ReportStatus.READY, number=Report.objects.count() + 1)

    return grow


@pytest.mark.parametrize("role", [Role.CENTER_LEAD, Role.LASI])
def test_report_list_queries_do_not_grow(client, home_center, user_as, role):
    client.force_login(user_as(role, home_center))
    _constant(client, reverse("reporting:list"), _grow_reports(home_center))


def test_centre_report_page_queries_do_not_grow(client, home_center, role_users):
    client.force_login(role_users[Role.CENTER_LEAD])
    url = reverse("reporting:center", kwargs={"key": home_center.key})
    _constant(client, url, _grow_reports(home_center))


def test_report_detail_queries_do_not_grow(client, home_center, role_users):
    client.force_login(role_users[Role.LASI])
    report = factories.report(home_center, status=ReportStatus.READY, number=999)
    _constant(client, report.get_absolute_url(), _grow_reports(home_center))


def _grow_everything(centers):
    """k more post pairs (half of them vacant) and k more Schwerpunkte per centre."""

    def grow(k):
        for center in centers:
            make_staff(center, posts=k)
            plan = center.deployment_plans.first() or make_plan(center, foci=[])
            for i in range(k):
                plan.foci.create(
                    title=f"Schwerpunkt {i}", field="culture", stage="school", goal="Ziel"
                )

    return grow


def test_state_dashboard_queries_do_not_grow(client, home_center, other_center, role_users):
    client.force_login(role_users[Role.LASI])
    grow = _grow_everything([home_center, other_center])
    _constant(client, reverse("reporting:dashboard"), grow)


def test_centre_dashboard_queries_do_not_grow(client, home_center, role_users):
    client.force_login(role_users[Role.CENTER_LEAD])
    url = reverse("reporting:center_dashboard", kwargs={"key": home_center.key})
    small, _large = _constant(client, url, _grow_everything([home_center]))
    assert small <= 25, small


def test_a_centre_user_cannot_open_the_state_dashboard(client, home_center):
    client.force_login(base_factories.user_with_role(Role.CENTER_LEAD, home_center))
    assert client.get(reverse("reporting:dashboard")).status_code == 403


def test_the_report_list_leads_to_the_own_centre_and_the_state_figures(
    client, home_center, role_users
):
    client.force_login(role_users[Role.CENTER_LEAD])
    page = client.get(reverse("reporting:list")).content.decode()
    assert reverse("reporting:center", kwargs={"key": home_center.key}) in page
    assert f'href="{reverse("reporting:dashboard")}"' not in page
    client.force_login(role_users[Role.LASI])
    page = client.get(reverse("reporting:list")).content.decode()
    assert f'href="{reverse("reporting:dashboard")}"' in page
    assert "Landesweite Übersicht anfordern" in page
