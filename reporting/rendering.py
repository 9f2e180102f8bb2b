"""HTML → PDF (WeasyPrint) and XLSX, stored atomically under MEDIA_ROOT.

WeasyPrint is imported inside the functions that use it: imported before
the Celery worker forks, it has crashed workers (STACK-NOTES.md).
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import logging
import os
import socket
import tempfile
import time
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import content, pdf_accessibility
from .models import Report, ReportKind

# WeasyPrint logs every layout step at INFO.
logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"
PDF_CSS = Path(__file__).resolve().parent / "pdf" / "report.css"


@dataclass(frozen=True)
class StoredFile:
    name: str  # relative to MEDIA_ROOT
    size: int
    sha256: str


@dataclass(frozen=True)
class RenderResult:
    pdf: StoredFile
    page_count: int
    xlsx: StoredFile | None = None


def worker_label() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def build_html(report: Report) -> str:
    """The report as one HTML document (German, whatever the worker's locale)."""
    with translation.override("de"):
        if report.kind == ReportKind.CENTER:
            context = content.center_report(report)
            template = "reporting/pdf/center_report.html"
        else:
            context = content.state_overview(report)
            template = "reporting/pdf/state_overview.html"
        context["report"] = report
        context["now"] = timezone.localtime()
        return render_to_string(template, context)


@functools.cache
def _stylesheet():
    """The reports' stylesheet with its fonts, parsed once per worker process.

    Imported and built on first use, i.e. after the worker has forked.
    """
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    # Drop them before the interpreter tears down the modules their cleanup needs.
    atexit.register(_stylesheet.cache_clear)
    return CSS(filename=str(PDF_CSS), font_config=fonts), fonts


def html_to_pdf(html: str) -> tuple[bytes, int]:
    """WeasyPrint alone: the already-built HTML to PDF bytes and page count.

    The one PDF writer of the portal (LaSI reports, state overviews, proofs of use):
    PDF/A-3a and PDF/UA-1, i.e. tagged for assistive technology (``pdf_accessibility``).
    """
    from weasyprint import HTML

    stylesheet, fonts = _stylesheet()
    document = HTML(string=html, base_url=str(FONT_DIR)).render(
        stylesheets=[stylesheet], font_config=fonts
    )
    pdf = document.write_pdf(
        pdf_variant=pdf_accessibility.PDF_VARIANT,
        finisher=pdf_accessibility.finisher(html),
    )
    return pdf, len(document.pages)


def build_xlsx(report: Report) -> bytes:
    with translation.override("de"):
        sheets = content.state_overview_sheets(report)
    return workbook_bytes(sheets, title=str(report))


def workbook_bytes(sheets, *, title: str) -> bytes:
    """Sheets as an XLSX file: ``(title, header, rows)`` or ``(title, header, rows,
    {column index: number format})``; a bold, frozen header row, numbers as numbers, no
    formulas from data. The one XLSX writer of the reports and state overviews."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet_title, header, rows, *rest in sheets:
        formats = rest[0] if rest else {}
        sheet = workbook.create_sheet(title=sheet_title[:31])
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_safe_cell(v) for v in row])
        for index, number_format in formats.items():
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index + 1, max_col=index + 1):
                cell.number_format = number_format
        sheet.freeze_panes = "A2"
        for index, column in enumerate(sheet.columns):
            width = max(len(str(c.value or "")) for c in column)
            if index in formats:
                width += 5  # thousands separators and a unit
            sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 60)
    workbook.properties.title = title
    workbook.properties.creator = "KI-Portal"
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _safe_cell(value):
    # No formulas from data (CSV/XLSX injection, DESIGN.md §6).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def store_atomically(relative: str, data: bytes, *, pause: float = 0.0) -> StoredFile:
    """Write ``data`` to ``MEDIA_ROOT/relative`` so that the name is either absent
    or complete: a temporary file beside it, fsync, ``os.replace``.

    Leftover temporary files of this name (a worker killed mid-write) are
    removed first, so a redelivered task leaves exactly one file.
    """
    final = Path(settings.MEDIA_ROOT) / relative
    final.parent.mkdir(parents=True, exist_ok=True)
    for stale in final.parent.glob(f".{final.name}.*.part"):
        stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if pause:
            time.sleep(pause)
        os.chmod(tmp, 0o640)
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return StoredFile(name=relative, size=len(data), sha256=hashlib.sha256(data).hexdigest())


def render_files(report: Report, *, pause: float = 0.0) -> RenderResult:
    pdf, pages = html_to_pdf(build_html(report))
    stored_pdf = store_atomically(report.relative_path("pdf"), pdf, pause=pause)
    stored_xlsx = None
    if report.kind == ReportKind.STATE:
        stored_xlsx = store_atomically(report.relative_path("xlsx"), build_xlsx(report))
    return RenderResult(pdf=stored_pdf, page_count=pages, xlsx=stored_xlsx)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()
