"""Issue 6 in the browser: the KI-Leitung requests Köln's report, watches the
progress page, downloads and submits it; LaSI acknowledges it. axe-core on
every page; page 1 of the PDF is turned into a PNG (pdftoppm) to look at."""

import hashlib
import shutil
import subprocess
import threading
import time
from io import BytesIO

import pytest
from django.db import connection
from playwright.sync_api import expect
from pypdf import PdfReader

from reporting import services, tasks

from .conftest import SCREENSHOTS

POLL_TIMEOUT_MS = 90_000  # rendering on a busy 2-core machine


@pytest.fixture
def worker_in_background(monkeypatch):
    """Render like a worker would: later, in another thread, so the page has to poll."""
    threads = []

    def enqueue(*, report_id):
        def run():
            try:
                time.sleep(1.5)
                tasks.render_report.apply(args=[report_id], throw=False)
            finally:
                connection.close()

        thread = threading.Thread(target=run, daemon=True)
        threads.append(thread)
        thread.start()
        return True

    monkeypatch.setattr(services, "enqueue", enqueue)
    yield
    for thread in threads:
        thread.join(timeout=120)


def test_report_requested_downloaded_submitted_and_acknowledged(
    page, login, shot, assert_accessible, worker_in_background, tmp_path
):
    login(page, "ki-koeln-leitung")
    page.goto("/berichte/zentrum/05315/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Berichte an die LaSI")
    # The seeded example: the previous period, acknowledged.
    expect(page.get_by_text("von der LaSI zur Kenntnis genommen").first).to_be_visible()
    assert_accessible(page)
    shot(page, "reporting-center")

    page.get_by_role("button", name="Bericht erstellen").click()
    expect(page.get_by_text("Der Bericht wird erstellt.")).to_be_visible()
    status = page.locator("#report-status [data-status]")
    expect(status).to_have_attribute("data-status", "queued")
    assert_accessible(page)
    shot(page, "reporting-progress")

    # htmx polls the status fragment until the worker is done.
    expect(status).to_have_attribute("data-status", "ready", timeout=POLL_TIMEOUT_MS)
    expect(page.get_by_role("link", name="PDF herunterladen")).to_be_visible()
    checksum = page.locator(".checksum").inner_text().strip()
    assert_accessible(page)
    shot(page, "reporting-ready")

    with page.expect_download() as info:
        page.get_by_role("link", name="PDF herunterladen").click()
    pdf_path = tmp_path / info.value.suggested_filename
    info.value.save_as(pdf_path)
    data = pdf_path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == checksum
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(data)).pages).split())
    assert "Kommunales Integrationszentrum Köln" in text and "Laiensprachmittlerpool" in text
    if shutil.which("pdftoppm"):
        SCREENSHOTS.mkdir(exist_ok=True)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "5", str(pdf_path),
             str(SCREENSHOTS / "reporting-pdf")],
            check=True,
        )  # fmt: skip

    page.get_by_role("link", name="An die LaSI übermitteln").click()
    shot(page, "reporting-submit")
    assert_accessible(page)
    page.get_by_role("button", name="An die LaSI übermitteln").click()
    expect(page.get_by_text("Der Bericht wurde an die LaSI übermittelt.")).to_be_visible()
    expect(status).to_have_attribute("data-status", "submitted")
    report_url = page.url

    page.get_by_role("button", name="Abmelden").click()
    login(page, "lasi")
    page.goto(report_url)
    page.get_by_role("link", name="Zur Kenntnis nehmen").click()
    page.get_by_role("button", name="Zur Kenntnis nehmen").click()
    expect(page.get_by_text("Der Bericht wurde zur Kenntnis genommen.")).to_be_visible()
    expect(status).to_have_attribute("data-status", "acknowledged")
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("an die LaSI übermittelt")
    expect(timeline).to_contain_text("Lena Albers")
    assert_accessible(page)
    shot(page, "reporting-acknowledged")

    page.goto("/berichte/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kennzahlen Nordrhein-Westfalen")
    assert_accessible(page)
    shot(page, "reporting-dashboard")
