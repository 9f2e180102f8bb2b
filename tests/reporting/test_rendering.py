"""The documents: what the PDF and XLSX contain, and how the task behaves."""

import datetime
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError
from openpyxl import load_workbook
from pypdf import PdfReader

from deployment.periods import current_period
from reporting import rendering, services, tasks
from reporting.models import Report, ReportStatus
from reporting.rendering import sha256_of

from . import factories
from .conftest import FOCI

pytestmark = pytest.mark.django_db


def _render(report):
    # As a worker runs it: a retry is run again instead of raised.
    tasks.render_report.apply(args=[report.pk], throw=False)
    report.refresh_from_db()
    return report


def _pdf(report) -> PdfReader:
    return PdfReader(BytesIO((Path(settings.MEDIA_ROOT) / report.file.name).read_bytes()))


def _text(reader: PdfReader) -> str:
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_centre_report_has_every_section_page_numbers_and_metadata(home_center, koeln_data):
    report = _render(factories.report(home_center, status=ReportStatus.QUEUED))
    reader = _pdf(report)
    text = _text(reader)

    for heading in (
        "Integrationskonzept und Förderung",
        "Personal",
        "Einsatzmanagement",
        "Prüfung durch die Schulaufsicht",
        "Grafiken",
        "Inhalt",
    ):
        assert heading in text
    for title, _field, _stage in FOCI:
        assert title in text
    assert "Durchgängige Sprachbildung" in text  # a Handlungsfeld label, umlauts intact
    assert f"Seite 1 von {len(reader.pages)}" in text
    assert "Integrationskonzept Köln 2022" in text
    assert "Betrieb nach Nr. 1.4" in text  # the centres app's §1.4 rule, with what is missing
    assert "Leitung und stellvertretende Leitung" in text
    meta = reader.metadata
    assert "Köln" in meta.title and "Bericht an die LaSI" in meta.title
    assert meta.author == home_center.name
    assert "Einsatzmanagement" in meta.subject
    assert report.page_count == len(reader.pages)


def test_the_bundled_fonts_are_embedded(home_center, koeln_data):
    reader = _pdf(_render(factories.report(home_center, status=ReportStatus.QUEUED)))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (
                font.get("/FontDescriptor")
                or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            )
            descriptor = descriptor.get_object()
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, font["/BaseFont"]
            fonts.add(str(font["/BaseFont"]).split("+")[-1])
    # The bundled DejaVu Sans under the report's own family name, also in the charts.
    assert fonts == {"Report-Sans", "Report-Sans-Bold"}, fonts


def test_a_ready_report_is_not_rendered_again(home_center, koeln_data):
    report = _render(factories.report(home_center, status=ReportStatus.QUEUED))
    before = (report.sha256, report.generated_at, report.attempts)
    assert services.report_render(report_id=report.pk) is None
    report.refresh_from_db()
    assert (report.sha256, report.generated_at, report.attempts) == before


def test_a_redelivered_task_removes_the_killed_workers_temp_file(home_center, koeln_data):
    report = factories.report(home_center, status=ReportStatus.RENDERING, attempts=1)
    final = Path(settings.MEDIA_ROOT) / report.relative_path("pdf")
    final.parent.mkdir(parents=True)
    stale = final.parent / f".{final.name}.abc123.part"
    stale.write_bytes(b"%PDF-1.7 half")

    report = _render(report)
    assert report.status == ReportStatus.READY
    assert report.attempts == 2
    assert sorted(p.name for p in final.parent.iterdir()) == [final.name]
    assert sha256_of(final) == report.sha256


def test_a_rendering_error_marks_the_report_failed_with_the_reason(
    home_center, koeln_data, monkeypatch, role_users, django_capture_on_commit_callbacks
):
    def broken(html):
        raise ValueError("Vorlage defekt")

    monkeypatch.setattr(rendering, "html_to_pdf", broken)
    report = factories.report(
        home_center, status=ReportStatus.QUEUED, requested_by=role_users["center_lead"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = _render(report)
    assert report.status == ReportStatus.FAILED
    assert "Vorlage defekt" in report.failure_reason
    assert not report.file
    assert not list((Path(settings.MEDIA_ROOT)).rglob("*.part"))


def test_a_transient_database_error_is_retried(home_center, koeln_data, monkeypatch):
    real = rendering.render_files
    calls = []

    def flaky(report, pause=0.0):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(report, pause=pause)

    monkeypatch.setattr(rendering, "render_files", flaky)
    report = _render(factories.report(home_center, status=ReportStatus.QUEUED))
    assert report.status == ReportStatus.READY
    assert len(calls) == 2


def test_state_overview_pdf_and_xlsx_cover_all_centres_and_suppress_small_cells(
    home_center, koeln_data
):
    report = _render(factories.report(None, status=ReportStatus.QUEUED))
    assert report.status == ReportStatus.READY, report.failure_reason
    text = _text(_pdf(report))
    assert "Kommunales Integrationszentrum Köln" in text and "Kreis Mettmann" in text
    assert "Vertretung von Personen mit Einwanderungsgeschichte" in text

    path = Path(settings.MEDIA_ROOT) / report.xlsx_file.name
    assert sha256_of(path) == report.xlsx_sha256
    book = load_workbook(path)
    assert book.sheetnames == [
        "Zentren",
        "Regierungsbezirke",
        "Handlungsfelder",
        "Vertretung Nr. 3.4",
    ]
    centres = book["Zentren"]
    assert centres.max_row == 1 + 54
    koeln = next(row for row in centres.iter_rows(values_only=True) if row[0] == "05315")
    assert koeln[3] == "an die LaSI gemeldet"
    # Two people in Köln: every §3.4 cell is below five and therefore suppressed or zero.
    for row in book["Vertretung Nr. 3.4"].iter_rows(min_row=2, values_only=True):
        assert all(value in (0, "< 5") for value in row[1:]), row


def test_period_end_report_figures_are_taken_on_the_last_day(home_center):
    period = current_period(datetime.date(2024, 1, 1))
    report = _render(factories.report(home_center, status=ReportStatus.QUEUED, period=period))
    assert f"Stand der Angaben {period.end:%d.%m.%Y}" in _text(_pdf(report))
    assert Report.objects.get(pk=report.pk).status == ReportStatus.READY
