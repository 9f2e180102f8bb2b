"""Checks for uploaded documents: only real PDFs within the size bound (DESIGN.md §7).

One place for the rule; forms, services and the admin all call ``validate_pdf``.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

PDF_MAGIC = b"%PDF-"


def validate_pdf(upload) -> None:
    """Raise a German ``ValidationError`` unless ``upload`` is a readable PDF
    no larger than ``settings.MAX_UPLOAD_SIZE``. The name is never trusted."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    size = upload.size
    limit = settings.MAX_UPLOAD_SIZE
    if size is None or size == 0:
        raise ValidationError(_("Die Datei ist leer."), code="empty")
    if size > limit:
        raise ValidationError(
            _("Die Datei ist zu groß (%(size)s). Erlaubt sind höchstens %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(1024)
    # PDF readers accept the header within the first kilobyte.
    if PDF_MAGIC not in head:
        upload.seek(0)
        raise ValidationError(
            _("Die Datei ist kein PDF-Dokument. Bitte laden Sie eine PDF-Datei hoch."),
            code="not_pdf",
        )
    upload.seek(0)
    try:
        reader = PdfReader(io.BytesIO(upload.read()), strict=False)
        if reader.is_encrypted:
            raise ValidationError(
                _("Das PDF ist verschlüsselt. Bitte laden Sie eine unverschlüsselte Fassung hoch."),
                code="encrypted",
            )
        pages = len(reader.pages)
    except ValidationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ValidationError(
            _("Das PDF-Dokument ist beschädigt und kann nicht gelesen werden."), code="broken"
        ) from exc
    finally:
        upload.seek(0)
    if pages < 1:
        raise ValidationError(_("Das PDF-Dokument enthält keine Seiten."), code="no_pages")


def display_name(filename: str) -> str:
    """The uploaded file's own name, as a label only (never a path)."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:200] or "dokument.pdf"


def _pdf_text(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def sample_pdf(lines: list[str]) -> bytes:
    """A small, valid one-page PDF with the given lines (demo data and tests)."""
    content = b"BT /F1 12 Tf 72 770 Td 16 TL\n"
    for line in lines:
        content += b"(" + _pdf_text(line) + b") Tj T*\n"
    content += b"ET\n"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"endstream",
    ]
    out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += str(number).encode() + b" 0 obj\n" + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 " + str(len(objects) + 1).encode() + b"\n0000000000 65535 f \n"
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        b"trailer\n<< /Size "
        + str(len(objects) + 1).encode()
        + b" /Root 1 0 R >>\nstartxref\n"
        + str(xref).encode()
        + b"\n%%EOF\n"
    )
    return out
