"""Uploaded documents: only real PDFs within the size bound and without active content
(DESIGN.md §7, issue 15 finding 2), served only as a download with a name the portal makes.

One place for the rule; forms, services and the admin all call ``validate_pdf``; the
download views all answer with ``document_response``.

Active content is refused, not removed: a PDF that runs JavaScript when the Bewilligung
opens it (a fake password prompt under the portal's address), starts programs, carries
other files or XFA forms has no business in a council's Integrationskonzept, and a
cleaned copy would no longer be the document the council adopted. The check walks every
object the file lists (pypdf, already the portal's PDF reader; reachable or not) and
looks at names, which pypdf has already unescaped (``/J#61vaScript`` is ``/JavaScript``).
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PDF_MAGIC = b"%PDF-"

# What a reader shows the uploader, per kind of active content found.
ACTIVE_CONTENT_LABELS = {
    "javascript": gettext_lazy("JavaScript"),
    "actions": gettext_lazy("automatische Aktionen (beim Öffnen, Blättern oder Anklicken)"),
    "launch": gettext_lazy("Start von Programmen oder Dateien"),
    "embedded": gettext_lazy("eingebettete Dateien"),
    "xfa": gettext_lazy("XFA-Formulare"),
    "media": gettext_lazy("Multimedia-Inhalte"),
    "forms": gettext_lazy("Formulare, die Daten versenden oder laden"),
}
# Dictionary keys that are active content wherever they appear.
_ACTIVE_KEYS = {
    "/JS": "javascript",
    "/JavaScript": "javascript",
    "/AA": "actions",
    "/Launch": "launch",
    "/EmbeddedFile": "embedded",
    "/EmbeddedFiles": "embedded",
    "/EF": "embedded",
    "/XFA": "xfa",
    "/RichMedia": "media",
    "/RichMediaContent": "media",
    "/RichMediaSettings": "media",
}
# Values of /S (action type), /Type and /Subtype that are active content.
_ACTIVE_NAMES = {
    "/JavaScript": "javascript",
    "/Launch": "launch",
    "/ImportData": "forms",
    "/SubmitForm": "forms",
    "/GoToE": "embedded",
    "/EmbeddedFile": "embedded",
    "/FileAttachment": "embedded",
    "/Rendition": "media",
    "/RichMedia": "media",
    "/RichMediaExecute": "media",
    "/Screen": "media",
    "/Movie": "media",
    "/Sound": "media",
}
_NAMED_KEYS = ("/S", "/Type", "/Subtype")


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
    try:
        found = active_content(reader)
    except RecursionError as exc:  # pragma: no cover - pypdf resolves iteratively
        raise ValidationError(
            _("Das PDF-Dokument ist beschädigt und kann nicht gelesen werden."), code="broken"
        ) from exc
    if found:
        raise ValidationError(
            _(
                "Das PDF enthält aktive Inhalte, die das Portal aus Sicherheitsgründen nicht "
                "annimmt: %(found)s. Bitte erzeugen Sie eine PDF-Datei ohne diese Inhalte (z. B. "
                "über „Drucken“ → „Als PDF speichern“) und laden Sie sie erneut hoch."
            )
            % {"found": ", ".join(str(ACTIVE_CONTENT_LABELS[k]) for k in sorted(found))},
            code="active_content",
        )


def active_content(reader) -> set[str]:
    """The kinds of active content (keys of ``ACTIVE_CONTENT_LABELS``) in a PDF."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack: list = [reader.trailer]
    # Every object the file lists, not only those reachable from the catalogue.
    for generation, entries in reader.xref.items():
        stack.extend(IndirectObject(idnum, generation, reader) for idnum in entries)
    stack.extend(IndirectObject(idnum, 0, reader) for idnum in reader.xref_objStm)
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            try:
                obj = obj.get_object()
            except Exception:  # noqa: BLE001 - an unreadable object carries nothing a viewer runs
                continue
        if isinstance(obj, DictionaryObject):
            for key, value in obj.items():
                if key in _ACTIVE_KEYS:
                    found.add(_ACTIVE_KEYS[key])
                elif key in _NAMED_KEYS and isinstance(value, NameObject):
                    if value in _ACTIVE_NAMES:
                        found.add(_ACTIVE_NAMES[value])
                elif key == "/OpenAction" and _is_action(value):
                    found.add("actions")
                stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return found


def _is_action(value) -> bool:
    """An /OpenAction that does more than open a page (a destination array or GoTo)."""
    from pypdf.generic import DictionaryObject

    value = value.get_object() if hasattr(value, "get_object") else value
    return isinstance(value, DictionaryObject) and value.get("/S") != "/GoTo"


def concept_download_name(concept) -> str:
    """``Integrationskonzept-05315-Fassung-2.pdf``: never the uploader's own name."""
    return f"Integrationskonzept-{concept.center.key}-Fassung-{concept.number}.pdf"


def agreement_download_name(agreement) -> str:
    return f"Zielvereinbarung-{agreement.center.key}-{agreement.valid_from:%Y-%m-%d}.pdf"


def document_response(field, filename: str) -> FileResponse:
    """A private document as a download; only ever called after the access check.

    A download, not inline: the document never runs under the portal's address (not even
    one stored before the active-content check existed), and browsers that would show it
    inline refuse to render a PDF under a sandboxing CSP."""
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, content_type="application/pdf", as_attachment=True, filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox"
    return response


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
