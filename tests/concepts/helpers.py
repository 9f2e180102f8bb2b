"""Builders for concept tests and the permission harness: rows straight into the
database (the services are what the tests are about, not how data gets there)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from centers.documents import sample_pdf
from centers.models import (
    ConceptParticipation,
    ConceptStatus,
    FundingDecision,
    IntegrationConcept,
    PartnerKind,
    ResolutionBody,
    TargetAgreement,
)
from tests.factories import basic_programme

RESOLVED = datetime.date(2025, 3, 20)


def pdf_upload(name="konzept.pdf", lines=("Integrationskonzept",)) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, sample_pdf(list(lines)), content_type="application/pdf")


def make_concept(center, *, status=ConceptStatus.DRAFT, number=None, complete=False, **fields):
    """A concept of ``center``; ``complete`` adds resolution, PDF and every participation."""
    if number is None:
        number = (
            center.concepts.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
    concept = IntegrationConcept(
        center=center, number=number, title=f"Integrationskonzept {center.name}", status=status
    )
    if complete:
        concept.resolution_body = ResolutionBody.CITY_COUNCIL
        concept.resolution_date = RESOLVED
        concept.municipalities_agreed_on = RESOLVED
        concept.document_name = "konzept.pdf"
        concept.document.save("konzept.pdf", ContentFile(sample_pdf(["Konzept"])), save=False)
    for name, value in fields.items():
        setattr(concept, name, value)
    concept.save()
    if complete:
        for kind in PartnerKind.required():
            ConceptParticipation.objects.create(
                concept=concept, partner_kind=kind, involved_on=datetime.date(2025, 1, 15)
            )
    return concept


def make_funding(center, year, **fields):
    values = {
        "amount": Decimal("310000.00"),
        "file_number": f"36.03.04-{center.key}/{year}",
        "decided_on": datetime.date(year, 1, 20),
        "funded_posts": Decimal("5.50"),
    }
    values.update(fields)
    return FundingDecision.objects.create(
        center=center, year=year, programme=basic_programme(), **values
    )


def make_agreement(center, *, with_document=True):
    agreement = TargetAgreement(
        center=center,
        valid_from=datetime.date(2026, 1, 1),
        valid_until=datetime.date(2027, 12, 31),
        text="Schwerpunkt Seiteneinstieg",
    )
    if with_document:
        agreement.document_name = "zielvereinbarung.pdf"
        agreement.document.save("z.pdf", ContentFile(sample_pdf(["Zielvereinbarung"])), save=False)
    agreement.save()
    return agreement
