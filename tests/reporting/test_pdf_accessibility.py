"""Accessible PDFs (issue 14, BITV): every PDF the portal makes is tagged – PDF/UA-1 and
PDF/A-3a – with its language, its title shown by the viewer, table header cells with a
scope, charts with alternative text and links with a description. Read back from the file
(pdfinfo and the structure tree), not from the HTML it was made of."""

from __future__ import annotations

import subprocess
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from centers.models import Role
from reporting import rendering, tasks
from reporting.funding import services as funding_services
from reporting.funding.models import ApplicationStatus, DocumentStatus, ProofOfUse
from reporting.models import ReportStatus
from tests.funding.factories import make_application

from . import factories

pytestmark = pytest.mark.django_db


# --- reading a PDF back ---------------------------------------------------------------


def _pdfinfo(data: bytes, tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return {
        key.strip(): value.strip()
        for key, _, value in (line.partition(":") for line in out.stdout.splitlines())
    }


def _elements(node, parent=None):
    """(structure type, element, parent element) of every element below ``node``."""
    node = node.get_object()
    kids = node.get("/K")
    if kids is None:
        return
    kids = kids.get_object()
    for kid in kids if isinstance(kids, ArrayObject) else [kids]:
        kid = kid.get_object()
        if isinstance(kid, DictionaryObject) and "/S" in kid:
            yield str(kid["/S"]), kid, node
            yield from _elements(kid, kid)


def _scope(cell) -> str | None:
    attributes = cell.get("/A")
    attributes = attributes.get_object() if attributes is not None else {}
    for entry in attributes if isinstance(attributes, ArrayObject) else [attributes]:
        scope = entry.get_object().get("/Scope")
        if scope is not None:
            return str(scope)
    return None


def _assert_accessible(data: bytes, tmp_path: Path, *, title: str) -> dict:
    """The checks every portal PDF passes; returns what the callers look at further."""
    info = _pdfinfo(data, tmp_path)
    assert info["Tagged"] == "yes"
    assert title in info["Title"]

    reader = PdfReader(BytesIO(data))
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)
    assert catalog["/Lang"] == "de"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712

    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="A"' in xmp
    assert 'pdfuaid:part="1"' in xmp
    # PDF/A accepts the PDF/UA schema only when the file describes it.
    assert "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in xmp

    tree = catalog["/StructTreeRoot"].get_object()
    (document_type, document, _), *elements = list(_elements(tree))
    assert document_type == "/Document"
    types = {kind for kind, _, _ in elements}
    assert {"/H1", "/H2", "/P", "/Table", "/TR", "/TH", "/TD"} <= types, types

    # Every header cell says whether it heads a column or a row: columns in <thead>.
    for kind, cell, row in elements:
        if kind != "/TH":
            continue
        group = row["/P"].get_object()
        expected = "/Column" if group["/S"] == "/THead" else "/Row"
        assert _scope(cell) == expected

    links = [
        annotation.get_object()
        for page in reader.pages
        for annotation in page.get("/Annots", [])
        if annotation.get_object()["/Subtype"] == "/Link"
    ]
    for link in links:
        assert link.get("/Contents"), link
    figures = [element for kind, element, _ in elements if kind == "/Figure"]
    for figure in figures:
        assert figure.get("/Alt"), figure
    return {
        "reader": reader,
        "types": types,
        "elements": elements,
        "links": [str(link["/Contents"]) for link in links],
        "alts": [str(figure["/Alt"]) for figure in figures],
    }


class _HeaderCells(HTMLParser):
    """(inside <thead>?, scope) of every <th> of an HTML document."""

    def __init__(self):
        super().__init__()
        self.cells: list[tuple[bool, str | None]] = []
        self._thead = 0

    def handle_starttag(self, tag, attrs):
        if tag == "thead":
            self._thead += 1
        elif tag == "th":
            self.cells.append((self._thead > 0, dict(attrs).get("scope")))

    def handle_endtag(self, tag):
        if tag == "thead":
            self._thead -= 1


def _assert_header_cells_follow_the_rule(html: str) -> None:
    """The PDF's scopes come from where a header cell stands (``pdf_accessibility``): the
    templates say the same with ``scope``."""
    parser = _HeaderCells()
    parser.feed(html)
    assert parser.cells
    for in_head, scope in parser.cells:
        assert scope == ("col" if in_head else "row")


def _report_pdf(report) -> bytes:
    tasks.render_report.apply(args=[report.pk], throw=False)
    report.refresh_from_db()
    assert report.status == ReportStatus.READY, report.failure_reason
    return (Path(settings.MEDIA_ROOT) / report.file.name).read_bytes()


# --- the documents ----------------------------------------------------------------------


def test_the_lasi_report_is_tagged_with_language_headers_chart_texts_and_link_texts(
    home_center, koeln_data, tmp_path
):
    report = factories.report(home_center, status=ReportStatus.QUEUED)
    _assert_header_cells_follow_the_rule(rendering.build_html(report))
    found = _assert_accessible(_report_pdf(report), tmp_path, title="Bericht an die LaSI")

    assert {"/Figure", "/Caption", "/Link", "/Sect", "/L", "/LI"} <= found["types"]
    # The table of contents: one link per entry, described by its destination.
    assert found["links"] == [
        "1 Integrationskonzept und Förderung",
        "2 Personal",
        "3 Einsatzmanagement",
        "4 Prüfung durch die Schulaufsicht",
        "5 Grafiken",
    ]
    # The charts: their title and what they show.
    assert found["alts"] == [
        "Stellenanteile je Stellenart. Stellenanteile (VZÄ) je Stellenart; roter Strich: Soll.",
        "Eingesetzte Stellenanteile je Handlungsfeld. Summe der den Schwerpunkten "
        "zugeordneten VZÄ je Handlungsfeld.",
    ]
    # The signature table on the cover has column headers too (the two signatories).
    cover = found["reader"].pages[0].indirect_reference.idnum
    signature_heads = [
        element
        for kind, element, row in found["elements"]
        if kind == "/TH"
        and element.raw_get("/Pg").idnum == cover
        and row["/P"].get_object()["/S"] == "/THead"
    ]
    assert [_scope(cell) for cell in signature_heads] == ["/Column", "/Column"]


def test_the_state_overview_is_tagged_with_chart_texts_and_link_texts(
    home_center, koeln_data, tmp_path
):
    report = factories.report(None, status=ReportStatus.QUEUED)
    _assert_header_cells_follow_the_rule(rendering.build_html(report))
    found = _assert_accessible(_report_pdf(report), tmp_path, title="Landesweite Übersicht")

    assert len(found["links"]) == 4
    assert found["links"][0] == "1 Einsatzmanagement je Zentrum"
    assert len(found["alts"]) == 3
    assert found["alts"][0].startswith("Einsatzmanagement: Status der Zentren. Anzahl der Zentren")
    # A table's caption stays with its first rows: no table is left with a caption alone.
    for kind, table, _ in found["elements"]:
        if kind == "/Table":
            kids = [str(k.get_object()["/S"]) for k in table["/K"]]
            assert kids != ["/Caption"], kids


def test_the_proof_of_use_is_tagged(home_center, role_users, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    decision = make_application(home_center, status=ApplicationStatus.DECIDED).decision
    proof = funding_services.proof_create(decision=decision, user=role_users[Role.CENTER_LEAD])
    ProofOfUse.objects.filter(pk=proof.pk).update(document_status=DocumentStatus.QUEUED)
    proof = funding_services.proof_render(proof_id=proof.pk)
    found = _assert_accessible(proof.document.read(), tmp_path, title="Verwendungsnachweis")
    assert found["links"] == [] and found["alts"] == []


def test_the_check_fails_on_an_untagged_pdf(tmp_path):
    """What the portal wrote before issue 14 (PDF/A-3b, untagged) does not pass."""
    from weasyprint import HTML

    html = "<!DOCTYPE html><html lang='de'><title>Verwendungsnachweis</title><h1>Test</h1></html>"
    untagged = HTML(string=html).write_pdf(pdf_variant="pdf/a-3b")
    with pytest.raises(AssertionError):
        _assert_accessible(untagged, tmp_path, title="Verwendungsnachweis")
    tagged, _pages = rendering.html_to_pdf(html)
    assert _pdfinfo(tagged, tmp_path)["Tagged"] == "yes"
