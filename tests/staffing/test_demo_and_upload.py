"""Demo data and the browser import's upload → preview → confirm round trip."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from centers.models import Role
from staffing import demo, selectors
from staffing.models import Assignment, ImportJob, Post
from tests import factories

from .test_import import ROWS, csv_bytes


def test_demo_covers_all_centres_is_idempotent_and_shows_warnings(db):
    first = demo.seed(scale=1)
    assert first["centers"] == 54
    counts = (Post.objects.count(), Assignment.objects.count())
    assert demo.seed(scale=1)["centers"] == 0
    assert (Post.objects.count(), Assignment.objects.count()) == counts
    codes = {w.code for w in selectors.center_staffing(factories.center("05315")).warnings}
    assert {"vacancy", "split", "qualification"} <= codes


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """POST, then run what the view queued for after the commit (the Celery task,
    eager in tests) — as it happens outside the test's transaction."""

    def _post(client, url, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {})

    return _post


def _upload(post, client, data):
    return post(client, reverse("staffing:import"), {"file": SimpleUploadedFile("liste.csv", data)})


@pytest.fixture
def lead_client(client, home_center, user_as):
    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    return client


def test_upload_preview_confirm_and_only_the_uploader_sees_the_job(
    lead_client, home_center, user_as, post
):
    response = _upload(post, lead_client, csv_bytes())
    job = ImportJob.objects.get()
    assert response.url == job.get_absolute_url()
    page = lead_client.get(job.get_absolute_url())
    assert page.context["can_confirm"]
    assert "neu: 3, geändert: 0, unverändert: 0, Fehler: 0" in page.content.decode()
    assert not Assignment.objects.exists()

    other = Client()
    other.force_login(user_as(Role.MINISTRY))
    assert other.get(job.get_absolute_url()).status_code == 404
    assert other.post(reverse("staffing:import_confirm", args=[job.pk])).status_code == 404

    post(lead_client, reverse("staffing:import_confirm", args=[job.pk]))
    assert Assignment.objects.count() == 3
    job.refresh_from_db()
    assert job.status == "done"
    # Confirming twice does not import twice.
    post(lead_client, reverse("staffing:import_confirm", args=[job.pk]))
    assert Assignment.objects.count() == 3


def test_a_file_with_errors_cannot_be_confirmed(lead_client, post):
    bad = ROWS[0].replace("05315", "99999")
    _upload(post, lead_client, csv_bytes([bad]))
    job = ImportJob.objects.get()
    page = lead_client.get(job.get_absolute_url() + "?zeigen=fehler")
    assert not page.context["can_confirm"]
    assert "Unbekannter KI-Schlüssel" in page.content.decode()
    post(lead_client, reverse("staffing:import_confirm", args=[job.pk]))
    assert not Assignment.objects.exists()
