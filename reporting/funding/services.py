"""State changes of Förderanträge (issue 12). Each function is one transaction, takes
keyword arguments only, checks who acts, validates with ``full_clean`` and leaves a
history row; the workflow's steps go through ``centers.workflow`` (``APPLICATION``)."""

from __future__ import annotations

import datetime
import logging
import secrets
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from centers import outbox
from centers.access import Capability, require_center_perm
from centers.documents import display_name, validate_pdf
from centers.locking import claim_version
from centers.models import Center, FundingDecision, Role, private_storage
from centers.notifications import notify_center
from centers.programmes import DrawdownDate, ProgrammeYear, fmt_eur, line_errors
from centers.services import DecisionLine
from centers.workflow.transitions import record_event, transition_apply
from staffing.selectors import funded_post_years

from .content import proof_content
from .models import (
    ApplicationDocument,
    ApplicationEventKind,
    ApplicationLine,
    DocumentStatus,
    Drawdown,
    DrawdownEventKind,
    DrawdownLine,
    FundingApplication,
    ProofEventKind,
    ProofLine,
    ProofOfUse,
)
from .workflows import APPLICATION, PROOF

CENTS = Decimal("0.01")
logger = logging.getLogger(__name__)


def _lock(application: FundingApplication) -> FundingApplication:
    return (
        FundingApplication.objects.select_for_update(of=("self",))
        .select_related("center", "programme_year__programme")
        .get(pk=application.pk)
    )


def _require_editable(application: FundingApplication) -> None:
    if not application.editable:
        raise ValidationError(
            _("Ein Antrag im Status „%(status)s“ kann nicht geändert werden.")
            % {"status": application.get_status_display()}
        )


@transaction.atomic
def application_create(
    *, center: Center, programme_year: ProgrammeYear, user
) -> FundingApplication:
    """A new application with one line per budget line that applies to the centre. The
    personnel lines start from the staffing list: the state-funded posts of the budget
    year (at most the line's maximum) × the cap per post; Sachausgaben start at zero."""
    require_center_perm(
        user,
        Capability.PREPARE_FUNDING,
        center,
        _("Nur die KI-Leitung bereitet Förderanträge vor."),
    )
    application = FundingApplication(center=center, programme_year=programme_year)
    application.full_clean()
    application._history_user = user
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as exc:  # two clicks at once: the constraint decides
        raise ValidationError(
            _("Für dieses Programm und Haushaltsjahr hat das Zentrum schon einen Antrag.")
        ) from exc
    funded = funded_post_years(center, programme_year.year)
    lines = []
    for budget_line in programme_year.lines_for(center):
        if budget_line.per_post:
            posts = min(funded.get(budget_line.post_kind, Decimal("0")), budget_line.max_posts)
            amount = (posts * budget_line.cap_per_post).quantize(CENTS)
        else:
            posts, amount = None, Decimal("0.00")
        lines.append(
            ApplicationLine(
                application=application, budget_line=budget_line, posts=posts, amount=amount
            )
        )
    ApplicationLine.objects.bulk_create(lines)
    record_event(application, center=center, kind=ApplicationEventKind.CREATED, actor=user)
    return application


@dataclass(frozen=True)
class PlanLine:
    """What the form says for one line of the financing plan."""

    line_id: int
    amount: Decimal
    posts: Decimal | None = None


@transaction.atomic
def application_plan_save(
    *,
    application: FundingApplication,
    user,
    expected_version: int,
    explanation: str,
    lines: list[PlanLine],
) -> FundingApplication:
    """Save the financing plan: every line within its caps, or nothing changes."""
    require_center_perm(
        user,
        Capability.PREPARE_FUNDING,
        application.center,
        _("Nur die KI-Leitung bereitet Förderanträge vor."),
    )
    application = _lock(application)
    claim_version(application, expected_version)
    _require_editable(application)
    stored = {line.pk: line for line in application.lines.select_related("budget_line")}
    errors = []
    changed = []
    for entry in lines:
        line = stored.get(entry.line_id)
        if line is None:
            raise ValidationError(_("Eine Position gehört nicht zu diesem Antrag."))
        posts = entry.posts if line.budget_line.per_post else None
        errors.extend(line_errors(line.budget_line, posts=posts, amount=entry.amount))
        if (line.posts, line.amount) != (posts, entry.amount):
            line.posts, line.amount = posts, entry.amount
            line.full_clean()
            changed.append(line)
    if errors:
        raise ValidationError(errors)
    for line in changed:
        line._history_user = user
        line.save(update_fields=["posts", "amount"])
    application.explanation = explanation
    application.full_clean()
    application._history_user = user
    application.save()
    return application


@transaction.atomic
def application_document_add(
    *, application: FundingApplication, user, title: str, upload
) -> ApplicationDocument:
    """Attach a PDF (e.g. the cooperation agreement IfKuF asks for), checked like a
    concept document; the KI-Leitung, while the application can change."""
    require_center_perm(
        user,
        Capability.PREPARE_FUNDING,
        application.center,
        _("Anlagen fügt die KI-Leitung hinzu."),
    )
    application = _lock(application)
    _require_editable(application)
    validate_pdf(upload)
    document = ApplicationDocument(
        application=application,
        title=title.strip() or display_name(upload.name),
        file_name=display_name(upload.name),
        uploaded_by=user,
    )
    document.file.save("anlage.pdf", upload, save=False)
    try:
        document.full_clean()
        document.save()
    except Exception:
        private_storage().delete(document.file.name)
        raise
    record_event(
        application,
        center=application.center,
        kind=ApplicationEventKind.DOCUMENT_UPLOADED,
        actor=user,
        note=document.title,
    )
    return document


@transaction.atomic
def application_document_delete(*, document: ApplicationDocument, user) -> None:
    application = document.application
    require_center_perm(
        user, Capability.PREPARE_FUNDING, application.center, _("Anlagen entfernt die KI-Leitung.")
    )
    _require_editable(_lock(application))
    name = document.file.name
    document.delete()
    transaction.on_commit(lambda: private_storage().delete(name))


def application_decide(
    *,
    application: FundingApplication,
    user,
    expected_version: int,
    lines: list[PlanLine],
    file_number: str,
    decided_on,
    conditions: str = "",
    upload=None,
) -> FundingApplication:
    """The Bewilligung's Bescheid: an amount per line of the application (within the caps),
    file number, date, conditions and the letter as PDF."""
    by_id = {line.pk: line.budget_line for line in application.lines.select_related("budget_line")}
    if any(entry.line_id not in by_id for entry in lines):
        raise ValidationError(_("Eine Position gehört nicht zu diesem Antrag."))
    decision_lines = [
        DecisionLine(
            budget_line=by_id[entry.line_id],
            amount=entry.amount,
            posts=entry.posts if by_id[entry.line_id].per_post else None,
        )
        for entry in lines
    ]
    return transition_apply(
        APPLICATION,
        "decide",
        obj=application,
        user=user,
        expected_version=expected_version,
        data={
            "lines": decision_lines,
            "file_number": file_number,
            "decided_on": decided_on,
            "conditions": conditions,
            "upload": upload,
        },
    )


# --- Mittelabruf ---------------------------------------------------------------------------


@transaction.atomic
def drawdown_request(
    *,
    decision: FundingDecision,
    user,
    requested_for,
    lines: list[PlanLine],
    drawdown_date: DrawdownDate | None = None,
) -> Drawdown:
    """Request funds against the Bescheid in force: per line at most what is approved and
    not yet requested (open or paid requests count), on one of the programme year's
    drawdown dates where it has any. Tells the Bewilligung."""
    from .selectors import ledger_of

    center = decision.center
    require_center_perm(
        user, Capability.PREPARE_FUNDING, center, _("Mittel ruft die KI-Leitung ab.")
    )
    # One request at a time per centre: the second waits and sees the first in the ledger.
    FundingDecision.objects.select_for_update().filter(pk=decision.pk).first()
    decision = FundingDecision.objects.select_related("center", "programme").get(pk=decision.pk)
    if not decision.in_force:
        raise ValidationError(_("Mittel werden nur auf den geltenden Bescheid abgerufen."))
    dates = list(
        DrawdownDate.objects.filter(
            programme_year__programme=decision.programme, programme_year__year=decision.year
        )
    )
    if dates and (drawdown_date is None or drawdown_date not in dates):
        raise ValidationError(_("Bitte wählen Sie einen der Abruftermine des Programmjahres."))
    if drawdown_date is not None:
        requested_for = drawdown_date.on
    if requested_for is None or requested_for.year != decision.year:
        raise ValidationError(
            _("Der Abruf muss im Förderjahr %(year)s liegen.") % {"year": decision.year}
        )
    ledger = ledger_of(decision)
    rows = {row.budget_line.pk: row for row in (ledger.rows if ledger else [])}
    errors = []
    for entry in lines:
        row = rows.get(entry.line_id)
        if row is None:
            raise ValidationError(_("Eine Position gehört nicht zu diesem Bescheid."))
        if entry.amount < 0:
            errors.append(_("Beträge dürfen nicht negativ sein."))
        elif entry.amount > row.remaining:
            errors.append(
                _("„%(line)s“: höchstens %(rest)s können noch abgerufen werden.")
                % {"line": row.budget_line.name, "rest": fmt_eur(row.remaining)}
            )
    if errors:
        raise ValidationError(errors)
    wanted = [entry for entry in lines if entry.amount > 0]
    if not wanted:
        raise ValidationError(_("Bitte tragen Sie mindestens einen Betrag ein."))
    drawdown = Drawdown(
        center=center,
        decision=decision,
        drawdown_date=drawdown_date,
        requested_for=requested_for,
        requested_by=user,
    )
    drawdown.full_clean()
    drawdown._history_user = user
    drawdown.save()
    DrawdownLine.objects.bulk_create(
        DrawdownLine(drawdown=drawdown, budget_line=rows[e.line_id].budget_line, amount=e.amount)
        for e in wanted
    )
    record_event(drawdown, center=center, kind=DrawdownEventKind.REQUESTED, actor=user)
    notify_center(
        center=center,
        capability=Capability.MANAGE_FUNDING,
        state_roles=(Role.FUNDING,),
        actor=user,
        subject=_("Mittelabruf: %(center)s") % {"center": center.name},
        template="funding/email/drawdown_requested.txt",
        context={"drawdown": drawdown},
    )
    return drawdown


# --- Verwendungsnachweis ------------------------------------------------------------------


@transaction.atomic
def proof_create(*, decision: FundingDecision, user) -> ProofOfUse:
    """The Verwendungsnachweis on the Bescheid in force: one line per line of the Bescheid
    with the approved amount; the actual amounts and the Sachbericht follow."""
    center = decision.center
    require_center_perm(
        user,
        Capability.PREPARE_FUNDING,
        center,
        _("Den Verwendungsnachweis erstellt die KI-Leitung."),
    )
    decision = FundingDecision.objects.select_related("programme").get(pk=decision.pk)
    if not decision.in_force or not decision.lines.exists():
        raise ValidationError(
            _("Ein Verwendungsnachweis gehört zum geltenden Bescheid mit seinen Positionen.")
        )
    if ProofOfUse.objects.filter(
        center=center, decision__programme=decision.programme, decision__year=decision.year
    ).exists():
        raise ValidationError(
            _("Für dieses Programm und Jahr gibt es schon einen Verwendungsnachweis.")
        )
    proof = ProofOfUse(center=center, decision=decision)
    proof.full_clean()
    proof._history_user = user
    proof.save()
    ProofLine.objects.bulk_create(
        ProofLine(proof=proof, budget_line=line.budget_line, approved=line.amount)
        for line in decision.lines.select_related("budget_line")
    )
    record_event(proof, center=center, kind=ProofEventKind.CREATED, actor=user)
    return proof


@dataclass(frozen=True)
class ActualLine:
    line_id: int
    actual: Decimal | None
    reason: str = ""


@transaction.atomic
def proof_save(
    *,
    proof: ProofOfUse,
    user,
    expected_version: int,
    narrative: str,
    lines: list[ActualLine],
) -> ProofOfUse:
    """The Sachbericht's own text and the actual spending per line. A draft may be
    incomplete; submitting checks the 20 % rule."""
    require_center_perm(
        user,
        Capability.PREPARE_FUNDING,
        proof.center,
        _("Den Verwendungsnachweis bearbeitet die KI-Leitung."),
    )
    proof = ProofOfUse.objects.select_for_update(of=("self",)).get(pk=proof.pk)
    claim_version(proof, expected_version)
    if not proof.editable:
        raise ValidationError(
            _("Ein Verwendungsnachweis im Status „%(status)s“ kann nicht geändert werden.")
            % {"status": proof.get_status_display()}
        )
    stored = {line.pk: line for line in proof.lines.all()}
    for entry in lines:
        line = stored.get(entry.line_id)
        if line is None:
            raise ValidationError(_("Eine Position gehört nicht zu diesem Nachweis."))
        line.actual, line.reason = entry.actual, entry.reason.strip()
        line.full_clean()
        line._history_user = user
        line.save(update_fields=["actual", "reason"])
    proof.narrative = narrative
    proof.full_clean()
    proof._history_user = user
    proof.save()
    return proof


def proof_document_queue(proof: ProofOfUse) -> None:
    """Mark the PDF as queued; the task goes through the outbox in the caller's
    transaction and is handed to the worker once that commits (in the embedded default
    it runs in-process). With the broker away it waits there; the sweep sends it."""
    proof.document_status = DocumentStatus.QUEUED
    proof.document_error = ""
    proof.document_requested_at = timezone.now()
    outbox.enqueue(PROOF_TASK, proof_id=proof.pk)


PROOF_TASK = "reporting.render_proof_of_use"
# A proof's PDF renders in one transaction (no "rendering" step to watch): one still
# queued this long after its request, with no worker rendering it (its row is not
# locked), lost its message or its worker and is sent again by the sweep.
PROOF_STALE_QUEUED_AFTER = datetime.timedelta(minutes=30)


def proof_documents_sweep(*, now=None, stale_before=None) -> int:
    """Part of ``centers.jobs.sweep``: send the PDFs again that stayed queued."""
    now = now or timezone.now()
    ids = list(
        ProofOfUse.objects.filter(
            document_status__in=(DocumentStatus.QUEUED, DocumentStatus.RENDERING),
            document_requested_at__lt=now - PROOF_STALE_QUEUED_AFTER,
        ).values_list("pk", flat=True)
    )
    sent = 0
    for pk in ids:
        with transaction.atomic():
            proof = (
                ProofOfUse.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    pk=pk, document_status__in=(DocumentStatus.QUEUED, DocumentStatus.RENDERING)
                )
                .first()
            )
            if proof is None:
                continue
            proof.document_requested_at = now
            proof.save(update_fields=["document_requested_at"])
            outbox.enqueue(PROOF_TASK, proof_id=pk)
            sent += 1
    return sent


@transaction.atomic
def proof_document_retry(*, proof: ProofOfUse, user) -> ProofOfUse:
    """Queue the PDF again after a failure (whoever may see the proof)."""
    proof = ProofOfUse.objects.select_for_update(of=("self",)).get(pk=proof.pk)
    if proof.document_status != DocumentStatus.FAILED:
        raise ValidationError(_("Das PDF wird schon erstellt oder ist fertig."))
    proof_document_queue(proof)
    proof.save(update_fields=["document_status", "document_error", "document_requested_at"])
    return proof


def proof_render(*, proof_id: int) -> ProofOfUse | None:
    """Render the PDF of a queued proof and store it (idempotent: a redelivered task finds
    it ready and does nothing). The rendering holds the row lock."""
    from reporting import rendering

    with transaction.atomic():
        proof = (
            ProofOfUse.objects.select_for_update(of=("self",))
            .select_related("center__sponsor", "decision__programme")
            .filter(pk=proof_id)
            .first()
        )
        if proof is None or proof.document_status not in (
            DocumentStatus.QUEUED,
            DocumentStatus.RENDERING,
        ):
            return None
        started = time.monotonic()
        with translation.override("de"):
            html = render_to_string(
                "funding/pdf/proof_of_use.html",
                {**proof_content(proof), "now": timezone.localtime()},
            )
        pdf, _pages = rendering.html_to_pdf(html)
        token = secrets.token_hex(8)
        stored = rendering.store_atomically(
            f"verwendungsnachweise/{proof.decision.year}/{proof.center.key}-{proof.pk}-{token}.pdf",
            pdf,
        )
        old = proof.document.name
        proof.document.name = stored.name
        proof.document_status = DocumentStatus.READY
        proof.render_ms = int((time.monotonic() - started) * 1000)
        proof.save(update_fields=["document", "document_status", "render_ms"])
        record_event(proof, center=proof.center, kind=ProofEventKind.RENDERED, actor=None)
        if old and old != stored.name:
            transaction.on_commit(lambda: (Path(settings.MEDIA_ROOT) / old).unlink(missing_ok=True))
    return proof


def proof_document_fail(*, proof_id: int, reason: str) -> None:
    ProofOfUse.objects.filter(
        pk=proof_id, document_status__in=(DocumentStatus.QUEUED, DocumentStatus.RENDERING)
    ).update(document_status=DocumentStatus.FAILED, document_error=reason[:2000])


def proof_reclaim(*, proof: ProofOfUse, user, expected_version: int, repayment, note) -> ProofOfUse:
    """The Bewilligung's check ends with an amount to be repaid (and the reason)."""
    if repayment is None or repayment <= 0:
        raise ValidationError({"repayment": [_("Bitte geben Sie den Betrag an.")]})
    approved = sum((line.approved for line in proof.lines.all()), Decimal("0.00"))
    if repayment > approved:
        raise ValidationError(
            {"repayment": [_("Es kann nicht mehr zurückgefordert werden als bewilligt war.")]}
        )
    return transition_apply(
        PROOF,
        "reclaim",
        obj=proof,
        user=user,
        expected_version=expected_version,
        note=note,
        data={"repayment": repayment},
    )
