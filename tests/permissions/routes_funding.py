"""Förderanträge and Bescheide (issue 12): the centre's KI-Leitung and Träger, the
Bewilligung and the ministry see them; the Schulaufsicht, the LaSI and the centre's staff
see none of the money."""

from centers.models import Role
from reporting.funding.models import ApplicationDocument, ApplicationStatus
from tests.funding.factories import basic_year, make_application, make_drawdown, make_proof

from .registry import Route, ok

MONEY = ok(Role.CENTER_LEAD, Role.SPONSOR, Role.FUNDING, Role.MINISTRY)
PREPARERS = ok(Role.CENTER_LEAD, Role.MINISTRY)
APPLICANTS = ok(Role.SPONSOR, Role.MINISTRY)
FUNDERS = ok(Role.FUNDING, Role.MINISTRY)


def _center(center, **_):
    return {"key": center.key}


def _application(status):
    def build(center, **_):
        return {"pk": make_application(center, status=status).pk}

    return build


def _document(center, **_):
    from django.core.files.base import ContentFile

    application = make_application(center)
    document = ApplicationDocument(application=application, title="Anlage", file_name="a.pdf")
    document.file.save("anlage.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    return {"pk": document.pk}


def _decision(center, **_):
    return {"pk": make_application(center, status=ApplicationStatus.DECIDED).decision_id}


def _decision_with_pdf(center, **_):
    from django.core.files.base import ContentFile

    decision = make_application(center, status=ApplicationStatus.DECIDED).decision
    decision.document.save("bescheid.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    return {"pk": decision.pk}


def _drawdown(status):
    def build(center, **_):
        return {"pk": make_drawdown(center, status=status).pk}

    return build


def _proof(status, with_pdf=False):
    def build(center, **_):
        proof = make_proof(center, status=status)
        if with_pdf:
            from django.core.files.base import ContentFile

            proof.document.save("n.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
            proof.document_status = "ready"
            proof.save()
        return {"pk": proof.pk}

    return build


def _failed_proof(center, **_):
    proof = make_proof(center, status="submitted")
    proof.document_status = "failed"
    proof.save()
    return {"pk": proof.pk}


ROUTES = [
    Route("funding:list", allowed=MONEY, denied=403, scoped=False),
    Route("funding:center", kwargs=_center, allowed=MONEY),
    Route(
        "funding:create",
        kwargs=_center,
        method="post",
        data=lambda kw: {"programme_year": basic_year(2026).pk},
        allowed=ok(Role.CENTER_LEAD, Role.MINISTRY, status=302),
    ),
    Route("funding:application", kwargs=_application(ApplicationStatus.DRAFT), allowed=MONEY),
    Route(
        "funding:application_plan",
        kwargs=_application(ApplicationStatus.DRAFT),
        allowed=PREPARERS,
    ),
    Route(
        "funding:application_document_add",
        kwargs=_application(ApplicationStatus.DRAFT),
        allowed=PREPARERS,
    ),
    Route(
        "funding:application_submit",
        kwargs=_application(ApplicationStatus.DRAFT),
        allowed=APPLICANTS,
    ),
    Route(
        "funding:application_return",
        kwargs=_application(ApplicationStatus.SUBMITTED),
        allowed=FUNDERS,
    ),
    Route(
        "funding:application_decide",
        kwargs=_application(ApplicationStatus.SUBMITTED),
        allowed=FUNDERS,
    ),
    Route("funding:document", kwargs=_document, allowed=MONEY),
    Route(
        "funding:document_delete",
        kwargs=_document,
        method="post",
        allowed=ok(Role.CENTER_LEAD, Role.MINISTRY, status=302),
    ),
    Route("funding:decision_change", kwargs=_decision, allowed=FUNDERS),
    Route("funding:decision_document", kwargs=_decision_with_pdf, allowed=MONEY),
    Route("funding:drawdown_create", kwargs=_decision, allowed=PREPARERS),
    Route("funding:drawdown", kwargs=_drawdown("requested"), allowed=MONEY),
    Route("funding:drawdown_pay", kwargs=_drawdown("requested"), allowed=FUNDERS),
    Route("funding:drawdown_reject", kwargs=_drawdown("requested"), allowed=FUNDERS),
    Route(
        "funding:proof_create",
        kwargs=_decision,
        method="post",
        allowed=ok(Role.CENTER_LEAD, Role.MINISTRY, status=302),
    ),
    Route("funding:proof", kwargs=_proof("draft"), allowed=MONEY),
    Route("funding:proof_edit", kwargs=_proof("draft"), allowed=PREPARERS),
    Route("funding:proof_document", kwargs=_proof("submitted", with_pdf=True), allowed=MONEY),
    Route(
        "funding:proof_retry",
        kwargs=_failed_proof,
        method="post",
        allowed=ok(Role.CENTER_LEAD, Role.SPONSOR, Role.FUNDING, Role.MINISTRY, status=302),
    ),
    Route("funding:proof_submit", kwargs=_proof("draft"), allowed=PREPARERS),
    Route("funding:proof_return", kwargs=_proof("submitted"), allowed=FUNDERS),
    Route("funding:proof_accept", kwargs=_proof("submitted"), allowed=FUNDERS),
    Route("funding:proof_reclaim", kwargs=_proof("submitted"), allowed=FUNDERS),
]
