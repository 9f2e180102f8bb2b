"""Finding 2 of issue 15: a concept PDF whose OpenAction ran ``app.response`` showed a
fake password prompt under the portal's address; a /Launch action was accepted; the
download kept the uploader's file name. Now active content is refused with a German
message, documents are downloads with a name the portal makes, nosniff and a sandboxing
CSP, and uploads are stored 0640 (finding 11)."""

import io
import os
import stat

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from centers.documents import sample_pdf, validate_pdf
from centers.models import Role
from tests import factories
from tests.concepts.helpers import make_agreement, make_concept

pytestmark = pytest.mark.django_db

PROMPT = "app.response({cQuestion: 'Sitzung abgelaufen – Passwort:'})"


def upload(data: bytes, name="konzept.pdf"):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def writer_of_sample() -> PdfWriter:
    return PdfWriter(clone_from=io.BytesIO(sample_pdf(["Integrationskonzept"])))


def written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def with_open_action(action: dict) -> bytes:
    writer = writer_of_sample()
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject(k): v for k, v in action.items()}
    )
    return written(writer)


def raw_pdf(catalog: bytes, *extra: bytes) -> bytes:
    """A hand-written PDF: names exactly as given (pypdf would escape them)."""
    content = b"BT /F1 12 Tf 72 770 Td (Konzept) Tj ET\n"
    objects = [
        catalog,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"endstream",
        *extra,
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += str(number).encode() + b" 0 obj\n" + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 " + str(len(objects) + 1).encode() + b"\n0000000000 65535 f \n"
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += b"trailer\n<< /Size " + str(len(objects) + 1).encode() + b" /Root 1 0 R >>\n"
    return out + b"startxref\n" + str(xref).encode() + b"\n%%EOF\n"


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"


def refusal(data: bytes) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_pdf(upload(data))
    assert caught.value.code == "active_content"
    return caught.value.messages[0]


# --- what is refused ------------------------------------------------------------------------


def test_an_open_action_with_javascript_is_refused():
    data = with_open_action({"/S": NameObject("/JavaScript"), "/JS": TextStringObject(PROMPT)})
    message = refusal(data)
    assert "aktive Inhalte" in message and "JavaScript" in message
    assert "automatische Aktionen" in message


def test_document_level_javascript_is_refused():
    catalog = (
        b"<< /Type /Catalog /Pages 2 0 R /Names << /JavaScript << /Names "
        b"[(start) << /S /JavaScript /JS (app.response\\(1\\)) >>] >> >> >>"
    )
    assert "JavaScript" in refusal(raw_pdf(catalog))


def test_a_launch_action_is_refused():
    data = with_open_action(
        {"/S": NameObject("/Launch"), "/F": TextStringObject("C:\\Windows\\System32\\calc.exe")}
    )
    assert "Start von Programmen" in refusal(data)


def test_an_embedded_file_is_refused():
    writer = writer_of_sample()
    writer.add_attachment("rechnung.html", b"<script>alert(1)</script>")
    assert "eingebettete Dateien" in refusal(written(writer))


def test_an_xfa_form_is_refused():
    writer = writer_of_sample()
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): TextStringObject("<xdp/>")}
    )
    assert "XFA-Formulare" in refusal(written(writer))


def test_page_actions_are_refused():
    writer = writer_of_sample()
    writer.pages[0][NameObject("/AA")] = DictionaryObject(
        {
            NameObject("/O"): DictionaryObject(
                {
                    NameObject("/S"): NameObject("/SubmitForm"),
                    NameObject("/F"): TextStringObject("https://evil.example/"),
                }
            )
        }
    )
    message = refusal(written(writer))
    assert "automatische Aktionen" in message and "Formulare, die Daten versenden" in message


def test_a_richmedia_annotation_is_refused():
    writer = writer_of_sample()
    writer.pages[0][NameObject("/Annots")] = ArrayObject(
        [
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Annot"),
                    NameObject("/Subtype"): NameObject("/RichMedia"),
                }
            )
        ]
    )
    assert "Multimedia-Inhalte" in refusal(written(writer))


def test_an_escaped_name_does_not_hide_javascript():
    catalog = (
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >> >>"
    )
    assert "JavaScript" in refusal(raw_pdf(catalog))


def test_javascript_in_an_object_nothing_points_to_is_refused_too():
    assert "JavaScript" in refusal(raw_pdf(CATALOG, b"<< /S /JavaScript /JS (app.alert(1)) >>"))


# --- what is accepted -------------------------------------------------------------------------


def test_a_plain_pdf_is_accepted():
    validate_pdf(upload(sample_pdf(["Integrationskonzept"])))


def test_opening_at_a_page_and_web_links_are_accepted():
    catalog = b"<< /Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /Fit] >>"
    link = (
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] "
        b"/A << /S /URI /URI (https://www.lasi.nrw.de/) >> >>"
    )
    validate_pdf(upload(raw_pdf(catalog, link)))
    goto = with_open_action(
        {"/S": NameObject("/GoTo"), "/D": ArrayObject([NumberObject(0), NameObject("/Fit")])}
    )
    validate_pdf(upload(goto))


# --- through the page ---------------------------------------------------------------------------


@pytest.fixture
def lead_client(client, home_center):
    client.force_login(factories.user_with_role(Role.CENTER_LEAD, home_center))
    return client


def test_the_upload_page_refuses_a_pdf_with_a_script_and_keeps_nothing(lead_client, home_center):
    concept = make_concept(home_center)
    data = with_open_action({"/S": NameObject("/JavaScript"), "/JS": TextStringObject(PROMPT)})
    response = lead_client.post(
        reverse("centers:concept_upload", kwargs={"key": home_center.key, "pk": concept.pk}),
        {"document": upload(data, "Konzept.pdf"), "version": concept.version},
    )
    assert response.status_code == 200
    assert "Das PDF enthält aktive Inhalte" in response.content.decode()
    concept.refresh_from_db()
    assert not concept.document and concept.version == 0


def test_an_accepted_upload_is_stored_for_owner_and_group_only(lead_client, home_center, settings):
    concept = make_concept(home_center)
    response = lead_client.post(
        reverse("centers:concept_upload", kwargs={"key": home_center.key, "pk": concept.pk}),
        {"document": upload(sample_pdf(["Konzept"]), "x.html"), "version": concept.version},
    )
    assert response.status_code == 302
    concept.refresh_from_db()
    mode = stat.S_IMODE(os.stat(concept.document.path).st_mode)
    assert mode == 0o640
    assert not mode & stat.S_IROTH


def test_the_document_is_a_download_with_the_portals_name(lead_client, home_center):
    concept = make_concept(home_center, complete=True, document_name="x.html")
    response = lead_client.get(
        reverse("centers:concept_document", kwargs={"key": home_center.key, "pk": concept.pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="Integrationskonzept-05315-Fassung-{concept.number}.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_the_target_agreement_document_too(client, home_center):
    agreement = make_agreement(home_center)
    client.force_login(factories.user_with_role(Role.FUNDING))
    response = client.get(
        reverse(
            "centers:target_agreement_document",
            kwargs={"key": home_center.key, "pk": agreement.pk},
        )
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="Zielvereinbarung-05315-{agreement.valid_from:%Y-%m-%d}.pdf"'
    )
    assert response["Content-Security-Policy"] == "sandbox"
