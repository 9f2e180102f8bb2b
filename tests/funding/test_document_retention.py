"""Retention of uploaded documents (issue 14, DSGVO): files whose matter closed more than
DOCUMENT_RETENTION_YEARS full years ago are deleted by the daily beat job; the record
stays and its page says which file was deleted and when; every run is logged."""

from datetime import date, datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from centers.documents import sample_pdf
from centers.models import ConceptStatus, Role, private_storage
from centers.workflow.models import TimelineEvent
from reporting.funding import tasks
from reporting.funding.models import ApplicationDocument
from reporting.funding.retention import documents_delete_expired
from reporting.schedule import CELERY_BEAT_SCHEDULE
from staffing.models import RetentionKind, RetentionRun
from tests.concepts.helpers import make_agreement, make_concept, make_funding

from .factories import make_application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _ten_years(settings):
    settings.DOCUMENT_RETENTION_YEARS = 10


def _with_pdf(record, field="document", name_field="document_name", label="bescheid.pdf"):
    setattr(record, name_field, label)
    getattr(record, field).save(label, ContentFile(sample_pdf(["Dokument"])), save=False)
    record.save()
    return record


def test_a_decision_of_a_closed_year_loses_its_file_and_says_so(
    client, home_center, user_as, django_capture_on_commit_callbacks
):
    old = _with_pdf(make_funding(home_center, 2026), label="Bescheid 2026.pdf")
    recent = _with_pdf(make_funding(home_center, 2027), label="Bescheid 2027.pdf")
    old_name, recent_name = old.document.name, recent.document.name

    # 2026 closed at the end of 2026; ten full years later, on 1 January 2037, it is due.
    assert documents_delete_expired(today=date(2036, 12, 31)).count == 0
    with django_capture_on_commit_callbacks(execute=True):
        run = documents_delete_expired(today=date(2037, 1, 1))

    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.document and old.document_name == "Bescheid 2026.pdf"
    assert not private_storage().exists(old_name)
    assert recent.document and private_storage().exists(recent_name)
    assert (run.kind, run.count, run.cutoff) == (
        RetentionKind.DOCUMENTS_DELETED,
        1,
        date(2027, 1, 1),
    )
    assert run.details == [
        {"model": "centers.FundingDecision", "pk": old.pk, "center": home_center.pk}
    ]
    event = TimelineEvent.objects.of(old).get()
    assert (event.kind, event.note) == ("document_deleted", "Bescheid 2026.pdf")

    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    page = client.get(reverse("funding:center", args=[home_center.key])).content.decode()
    deleted_on = event.at.astimezone().strftime("%d.%m.%Y")
    assert f"„Bescheid 2026.pdf“ gelöscht am {deleted_on} (Aufbewahrungsfrist)" in page
    response = client.get(reverse("funding:decision_document", args=[old.pk]))
    assert response.status_code == 404


def test_concepts_agreements_and_attachments(
    client, home_center, user_as, django_capture_on_commit_callbacks
):
    superseded = make_concept(home_center, status=ConceptStatus.SUPERSEDED, complete=True)
    current = make_concept(
        home_center,
        status=ConceptStatus.APPROVED,
        complete=True,
        predecessor=superseded,
        decided_at=timezone.make_aware(datetime(2026, 3, 1, 10, 0)),
    )
    agreement = make_agreement(home_center)  # runs until 31.12.2027
    application = make_application(home_center)  # Haushaltsjahr 2026
    attachment = _with_pdf(
        ApplicationDocument(application=application, title="Kostenplan"),
        field="file",
        name_field="file_name",
        label="kostenplan.pdf",
    )

    with django_capture_on_commit_callbacks(execute=True):
        run = documents_delete_expired(today=date(2037, 6, 1))
    # The concept in force keeps its file; the agreement's matter closes only with 2027.
    assert run.count == 2
    for record in (superseded, current, agreement, attachment):
        record.refresh_from_db()
    assert not superseded.document and current.document and agreement.document
    assert not attachment.file and attachment.file_name == "kostenplan.pdf"

    with django_capture_on_commit_callbacks(execute=True):
        assert documents_delete_expired(today=date(2038, 1, 1)).count == 1
    agreement.refresh_from_db()
    assert not agreement.document
    assert RetentionRun.objects.count() == 2

    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    concept_page = client.get(
        reverse("centers:concept_detail", args=[home_center.key, superseded.pk])
    ).content.decode()
    assert "„konzept.pdf“ gelöscht am" in concept_page
    assert "Dokument gelöscht (Aufbewahrungsfrist)" in concept_page  # the timeline step
    application_page = client.get(
        reverse("funding:application", args=[application.pk])
    ).content.decode()
    assert "„kostenplan.pdf“ gelöscht am" in application_page


def test_the_daily_beat_job_runs_the_service(home_center, monkeypatch):
    _with_pdf(make_funding(home_center, 2026))
    monkeypatch.setattr("django.utils.timezone.localdate", lambda: date(2040, 1, 1))
    assert tasks.delete_expired_documents() == 1
    assert tasks.delete_expired_documents() == 0  # nothing found twice
    entry = CELERY_BEAT_SCHEDULE["funding-delete-expired-documents"]
    assert entry["task"] == "reporting.delete_expired_documents"
