"""What WeasyPrint's tagged PDF leaves out, added before the file is written (issue 14).

The portal's PDFs use WeasyPrint's ``pdf/a-3a`` variant: PDF/A-3, conformance level A,
i.e. tagged (structure tree, ``/MarkInfo``, ``/Lang``, ``DisplayDocTitle``). WeasyPrint
offers one variant at a time (PDF/A *or* PDF/UA), so :func:`finisher` completes the
document to PDF/UA-1 as well, through WeasyPrint's documented ``finisher`` hook:

- the PDF/UA-1 identification (``pdfuaid:part 1``) in the XMP metadata, with the extension
  schema PDF/A requires for a schema it does not predefine;
- ``/Scope`` on every table header cell: ``Column`` in ``<thead>``, ``Row`` elsewhere. The
  PDF templates follow that rule (``scope="col"`` in ``<thead>``, ``scope="row"`` in body
  and foot rows; ``tests/reporting/test_pdf_accessibility.py`` checks it);
- link annotations described by the text of their destination instead of the bare anchor
  name (``/Contents`` "1 Integrationskonzept und Förderung", not "konzept");
- charts (inline SVG) with the chart's ``<desc>`` after its ``<title>`` as alternative text.
"""

from __future__ import annotations

from html.parser import HTMLParser
from xml.etree import ElementTree as ET

import pydyf  # pure Python, WeasyPrint's PDF writer (WeasyPrint itself is imported late)

# The variant every portal PDF is written with (see the module docstring).
PDF_VARIANT = "pdf/a-3a"

_NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}
for _prefix, _uri in _NS.items():
    ET.register_namespace(_prefix, _uri)

# PDF/A allows only the XMP schemas it predefines, others must be described (ISO 19005-3,
# 6.6.2.3); this is the usual description of the PDF/UA identification schema.
_PDFUA_EXTENSION_SCHEMA = f"""
<rdf:Description rdf:about="" xmlns:rdf="{_NS["rdf"]}"
    xmlns:pdfaExtension="{_NS["pdfaExtension"]}" xmlns:pdfaSchema="{_NS["pdfaSchema"]}"
    xmlns:pdfaProperty="{_NS["pdfaProperty"]}">
  <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
    <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
    <pdfaSchema:namespaceURI>{_NS["pdfuaid"]}</pdfaSchema:namespaceURI>
    <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
    <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
      <pdfaProperty:name>part</pdfaProperty:name>
      <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
      <pdfaProperty:category>internal</pdfaProperty:category>
      <pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
    </rdf:li></rdf:Seq></pdfaSchema:property>
  </rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
"""


class _HtmlTexts(HTMLParser):
    """From the document's HTML: the text of every element with an ``id`` (link
    destinations) and, per chart title, the chart's description."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.by_id: dict[str, str] = {}
        self.chart_desc: dict[str, str] = {}
        self._open: list[tuple[str, str | None, list[str]]] = []  # tag, id, text
        self._svg_depth = 0
        self._svg_title: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            return
        if tag == "svg":
            self._svg_depth += 1
            if self._svg_depth == 1:
                self._svg_title = None
        self._open.append((tag, dict(attrs).get("id"), []))

    def handle_startendtag(self, tag, attrs):
        pass  # <rect/>, <line/>: no text

    def handle_endtag(self, tag):
        if tag in _VOID or not any(t == tag for t, _, _ in self._open):
            return
        while self._open:
            open_tag, element_id, parts = self._open.pop()
            text = " ".join("".join(parts).split())
            if self._open:
                self._open[-1][2].extend(parts)
            if element_id and open_tag != "svg":
                self.by_id[element_id] = text
            if self._svg_depth == 1 and len(self._open) and self._open[-1][0] == "svg":
                if open_tag == "title":
                    self._svg_title = text
                elif open_tag == "desc" and self._svg_title:
                    self.chart_desc.setdefault(self._svg_title, text)
            if open_tag == "svg":
                self._svg_depth -= 1
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self._open and not (self._svg_depth and self._open[-1][0] not in ("title", "desc")):
            self._open[-1][2].append(data)


_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


def finisher(html: str):
    """A WeasyPrint ``finisher`` for the document rendered from ``html``."""
    texts = _HtmlTexts()
    texts.feed(html)
    texts.close()

    def finish(document, pdf) -> None:
        _declare_pdfua(pdf)
        for obj in pdf.objects:
            if not isinstance(obj, dict):
                continue
            if obj.get("Type") == "/StructElem":
                if obj.get("S") == "/TH":
                    _scope_header_cell(pdf, obj)
                elif obj.get("S") == "/Figure":
                    _describe_figure(obj, texts.chart_desc)
            elif obj.get("Type") == "/Annot" and obj.get("Subtype") == "/Link":
                _describe_link(obj, texts.by_id)

    return finish


def _resolve(pdf, reference):
    return pdf.objects[int(reference.split()[0])]


def _declare_pdfua(pdf) -> None:
    if "Metadata" not in pdf.catalog:
        return
    stream = _resolve(pdf, pdf.catalog["Metadata"])
    packet = b"".join(
        part if isinstance(part, bytes) else str(part).encode() for part in stream.stream
    )
    start, end = packet.index(b"<x:xmpmeta"), packet.index(b"</x:xmpmeta>") + 12
    meta = ET.fromstring(packet[start:end])
    rdf = meta.find("rdf:RDF", _NS)
    identification = next(
        d for d in rdf.findall("rdf:Description", _NS) if f"{{{_NS['pdfaid']}}}part" in d.attrib
    )
    identification.set(f"{{{_NS['pdfuaid']}}}part", "1")
    rdf.append(ET.fromstring(_PDFUA_EXTENSION_SCHEMA))
    stream.stream = [packet[:start] + ET.tostring(meta, encoding="unicode").encode() + packet[end:]]


def _scope_header_cell(pdf, cell) -> None:
    row = _resolve(pdf, cell["P"])
    group = _resolve(pdf, row["P"]) if "P" in row else None
    scope = "/Column" if group is not None and group.get("S") == "/THead" else "/Row"
    attributes = cell.get("A")
    if attributes is None:
        attributes = cell["A"] = pydyf.Dictionary({"O": "/Table"})
    attributes["Scope"] = scope


def _describe_figure(figure, chart_desc: dict[str, str]) -> None:
    alt = figure.get("Alt")
    title = getattr(alt, "string", None)
    desc = chart_desc.get(title or "")
    if title and desc and desc != title:
        figure["Alt"] = pydyf.String(f"{title.rstrip('.')}. {desc}")


def _describe_link(annotation, by_id: dict[str, str]) -> None:
    dest = getattr(annotation.get("Dest"), "string", None)
    if dest and by_id.get(dest):
        annotation["Contents"] = pydyf.String(by_id[dest])
    elif "Contents" not in annotation:
        action = annotation.get("A") or {}
        uri = getattr(action.get("URI"), "string", None)
        if uri:
            annotation["Contents"] = pydyf.String(uri)
