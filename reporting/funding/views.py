"""Förderanträge and Bescheide (issue 12). Thin views: objects through ``selectors`` (404
outside the user's scope), changes through ``services`` in the project's one view idiom."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView

from centers import selectors as center_selectors
from centers import services as center_services
from centers.access import (
    Capability,
    CenterPermissionMixin,
    capabilities_for,
    centers_for,
    has_state_perm,
    scoped,
)
from centers.documents import document_response
from centers.models import DecisionKind
from centers.programmes import DrawdownDate, ProgrammeYear
from centers.service_views import ServiceFormMixin, run_action
from centers.services import DecisionLine
from centers.workflow.transitions import timeline, transition_check
from centers.workflow.views import TransitionView

from . import selectors, services
from .checks import proof_errors
from .content import proof_content as content_of_proof
from .filters import ApplicationFilter
from .forms import BescheidForm, DocumentForm, DrawdownForm, PlanForm, ProofForm, ReclaimForm
from .models import ApplicationDocument, DocumentStatus
from .workflows import APPLICATION, DRAWDOWN, PROOF


def _breadcrumbs(obj) -> dict:
    """The way back from an application, drawdown or proof: the list, then its centre."""
    return {
        "breadcrumbs": [
            (_("Förderanträge"), reverse("funding:list")),
            (obj.center.name, reverse("funding:center", args=[obj.center.key])),
        ],
        "object_label": obj,
    }


def _transition(workflow, name: str, in_scope):
    """A declared transition's confirmation page, the object found by ``in_scope(user,
    perm, pk)`` (404 without the step's capability)."""
    return TransitionView.as_view(
        workflow=workflow,
        transition=name,
        lookup=lambda request, perm, pk: in_scope(request.user, perm, pk),
        extra_context_for=_breadcrumbs,
    )


class ApplicationListView(FilterView):
    """The applications the user may see: a centre's own, or all of NRW for the Bewilligung
    and the ministry; the newest budget year first."""

    template_name = "funding/application_list.html"
    filterset_class = ApplicationFilter
    context_object_name = "applications"
    paginate_by = 50
    max_center_links = 12

    def dispatch(self, request, *args, **kwargs):
        # Who sees no money anywhere (the Schulaufsicht, the LaSI) has no such list.
        if request.user.is_authenticated and not (
            centers_for(request.user, Capability.VIEW_FUNDING).exists()
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.applications_visible_to(self.request.user).order_by(
            "-programme_year__year", "programme_year__programme__position", "center__name"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        centers = list(
            centers_for(self.request.user, Capability.VIEW_FUNDING).order_by("name")[
                : self.max_center_links + 1
            ]
        )
        context["centers"] = centers if len(centers) <= self.max_center_links else []
        context["may_see_overview"] = has_state_perm(self.request.user, Capability.MANAGE_FUNDING)
        return context


class CenterFundingView(CenterPermissionMixin, TemplateView):
    """A centre's applications and decisions, and the budget years it can apply for."""

    permission_required = Capability.VIEW_FUNDING
    template_name = "funding/center.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        center = self.get_center()
        proofs = list(selectors.proofs_of(center))
        context.update(
            applications=center.funding_applications.select_related(
                "programme_year__programme", "decision"
            ).order_by("-programme_year__year", "programme_year__programme__position"),
            decisions=center_selectors.funding_decisions_of(center),
            ledgers=selectors.ledgers_of(center),
            drawdowns=selectors.drawdowns_of(center),
            proofs=proofs,
            proof_decisions={p.decision_id for p in proofs},
            this_year=timezone.localdate().year,
            open_years=(
                selectors.open_programme_years(center) if context["caps"].prepare_funding else []
            ),
        )
        return context


class ApplicationCreateView(CenterPermissionMixin, View):
    permission_required = Capability.PREPARE_FUNDING

    def post(self, request, key):
        center = self.get_center()
        chosen = request.POST.get("programme_year", "")
        programme_year = get_object_or_404(
            ProgrammeYear.objects.select_related("programme"),
            pk=int(chosen) if chosen.isascii() and chosen.isdigit() else 0,
        )
        return run_action(
            request,
            lambda: services.application_create(
                center=center, programme_year=programme_year, user=request.user
            ),
            success=_("Der Antrag wurde angelegt. Bitte prüfen Sie den Finanzierungsplan."),
            back=reverse("funding:center", args=[center.key]),
        )


class ApplicationMixin:
    """The application of the URL, scoped by ``permission_required`` (404 without it)."""

    permission_required = Capability.VIEW_FUNDING

    def get_application(self):
        if not hasattr(self, "_application"):
            self._application = selectors.application_in_scope(
                self.request.user, self.permission_required, self.kwargs["pk"]
            )
        return self._application

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = self.get_application()
        context.update(
            application=application,
            center=application.center,
            caps=capabilities_for(self.request.user, application.center),
        )
        return context

    def get_cancel_url(self):
        return self.get_application().get_absolute_url()


class ApplicationDetailView(ApplicationMixin, TemplateView):
    template_name = "funding/application_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = self.get_application()
        context.update(selectors.application_detail(application))
        context["actions"] = APPLICATION.links(
            self.request.user, application, frozenset(context["caps"].held)
        )
        return context


class ApplicationPlanView(ApplicationMixin, ServiceFormMixin, FormView):
    permission_required = Capability.PREPARE_FUNDING
    template_name = "funding/plan_form.html"
    form_class = PlanForm
    title = _lazy("Finanzierungsplan bearbeiten")
    submit_label = _lazy("Speichern")
    success_message = _lazy("Der Finanzierungsplan wurde gespeichert.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["application"] = self.get_application()
        return kwargs

    def perform(self, form):
        return services.application_plan_save(
            application=self.get_application(),
            user=self.request.user,
            expected_version=form.expected_version,
            explanation=form.cleaned_data["explanation"],
            lines=form.plan_lines(),
        )

    def get_redirect(self, application):
        return application.get_absolute_url()


class ApplicationDocumentAddView(ApplicationMixin, ServiceFormMixin, FormView):
    permission_required = Capability.PREPARE_FUNDING
    template_name = "funding/form.html"
    form_class = DocumentForm
    multipart = True
    title = _lazy("Anlage hinzufügen")
    submit_label = _lazy("Hochladen")
    success_message = _lazy("Die Anlage wurde hinzugefügt.")

    def perform(self, form):
        return services.application_document_add(
            application=self.get_application(),
            user=self.request.user,
            title=form.cleaned_data["title"],
            upload=form.cleaned_data["file"],
        )

    def get_redirect(self, document):
        return self.get_application().get_absolute_url()


def _document_in_scope(request, pk, perm=Capability.VIEW_FUNDING) -> ApplicationDocument:
    return get_object_or_404(
        scoped(
            ApplicationDocument.objects.all(), request.user, perm, "application__center"
        ).select_related("application__center", "application__programme_year__programme"),
        pk=pk,
    )


class ApplicationDocumentView(View):
    def get(self, request, pk):
        document = _document_in_scope(request, pk)
        application = document.application
        name = f"Foerderantrag-{application.center.key}-{application.programme_year.year}-Anlage-{document.pk}.pdf"
        return document_response(document.file, name)


class ApplicationDocumentDeleteView(View):
    def post(self, request, pk):
        document = _document_in_scope(request, pk, Capability.PREPARE_FUNDING)
        back = document.application.get_absolute_url()
        return run_action(
            request,
            lambda: (
                services.application_document_delete(document=document, user=request.user) or back
            ),
            success=_("Die Anlage wurde entfernt."),
            back=back,
        )


def application_transition(name: str):
    return _transition(APPLICATION, name, selectors.application_in_scope)


class BescheidMixin(ServiceFormMixin):
    template_name = "funding/bescheid_form.html"
    form_class = BescheidForm
    multipart = True
    change = False

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(instance=self.get_subject(), lines=self.get_lines(), change=self.change)
        return kwargs

    def decision_lines(self, form) -> list[DecisionLine]:
        by_id = {line_id: budget_line for line_id, budget_line, _p, _a in self.get_lines()}
        return [
            DecisionLine(budget_line=by_id[entry.line_id], amount=entry.amount, posts=entry.posts)
            for entry in form.plan_lines()
        ]


class ApplicationDecideView(ApplicationMixin, BescheidMixin, FormView):
    """The Bewilligung's Bescheid on a submitted application, starting from what was
    applied for."""

    permission_required = Capability.MANAGE_FUNDING
    title = _lazy("Bescheiden")
    submit_label = _lazy("Bescheid erlassen")
    success_message = _lazy("Der Antrag wurde beschieden.")

    def get_subject(self):
        return self.get_application()

    def get_lines(self):
        return [
            (line.pk, line.budget_line, line.posts, line.amount)
            for line in self.get_application().lines.select_related("budget_line")
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = self.get_application()
        check = transition_check(APPLICATION, "decide", application)
        context.update(
            _breadcrumbs(application),
            question=APPLICATION.get("decide").ask(application),
            blockers=check.blockers,
            warnings=check.warnings,
        )
        return context

    def perform(self, form):
        data = form.cleaned_data
        return services.application_decide(
            application=self.get_application(),
            user=self.request.user,
            expected_version=form.expected_version,
            lines=form.plan_lines(),
            file_number=data["file_number"],
            decided_on=data["decided_on"],
            conditions=data["conditions"],
            upload=data.get("document"),
        )

    def get_redirect(self, application):
        return application.get_absolute_url()


class DecisionChangeView(BescheidMixin, FormView):
    """An Änderungsbescheid or a Widerruf on the decision in force."""

    title = _lazy("Änderungsbescheid oder Widerruf erfassen")
    submit_label = _lazy("Erfassen")
    success_message = _lazy("Die Entscheidung wurde erfasst; die bisherige bleibt lesbar.")
    change = True

    def get_subject(self):
        if not hasattr(self, "_decision"):
            self._decision = selectors.decision_in_scope(
                self.request.user, Capability.MANAGE_FUNDING, self.kwargs["pk"]
            )
        return self._decision

    def get_lines(self):
        return [
            (line.budget_line_id, line.budget_line, line.posts, line.amount)
            for line in self.get_subject().lines.select_related("budget_line")
        ]

    def get_initial(self):
        return {"kind": DecisionKind.AMENDMENT}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        decision = self.get_subject()
        context.update(_breadcrumbs(decision), decision=decision, center=decision.center)
        return context

    def get_cancel_url(self):
        return reverse("funding:center", args=[self.get_subject().center.key])

    def perform(self, form):
        data = form.cleaned_data
        kind = data["kind"]
        lines = self.decision_lines(form) if kind == DecisionKind.AMENDMENT else None
        fields = {
            "file_number": data["file_number"],
            "decided_on": data["decided_on"],
            "conditions": data["conditions"],
            "note": data["note"],
        }
        if kind == DecisionKind.AMENDMENT and not lines:
            fields["amount"] = self.get_subject().amount
        return center_services.funding_decision_change(
            decision=self.get_subject(),
            user=self.request.user,
            kind=kind,
            expected_version=form.expected_version,
            lines=lines,
            upload=data.get("document"),
            **fields,
        )

    def get_redirect(self, decision):
        return reverse("funding:center", args=[decision.center.key])


class DecisionDocumentView(View):
    def get(self, request, pk):
        decision = selectors.decision_in_scope(request.user, Capability.VIEW_FUNDING, pk)
        name = f"Bescheid-{decision.center.key}-{decision.year}-{decision.pk}.pdf"
        return document_response(decision.document, name)


# --- Mittelabruf ---------------------------------------------------------------------------


class DrawdownCreateView(ServiceFormMixin, FormView):
    """The KI-Leitung requests funds against the decision in force."""

    template_name = "funding/drawdown_form.html"
    form_class = DrawdownForm
    title = _lazy("Mittel abrufen")
    submit_label = _lazy("Mittel abrufen")
    success_message = _lazy("Der Mittelabruf wurde an die Bewilligungsbehörde übermittelt.")

    def get_decision(self):
        if not hasattr(self, "_decision"):
            self._decision = selectors.decision_in_scope(
                self.request.user, Capability.PREPARE_FUNDING, self.kwargs["pk"]
            )
            self._ledger = selectors.ledger_of(self._decision)
            if self._ledger is None:
                raise Http404  # replaced, revoked or without lines: nothing to draw on
        return self._decision

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        decision = self.get_decision()
        kwargs.update(
            ledger=self._ledger,
            dates=DrawdownDate.objects.filter(
                programme_year__programme=decision.programme, programme_year__year=decision.year
            ),
        )
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        decision = self.get_decision()
        context.update(
            decision=decision,
            center=decision.center,
            pairs=list(zip(context["form"].rows, self._ledger.rows, strict=True)),
            ledger=self._ledger,
        )
        return context

    def get_cancel_url(self):
        return reverse("funding:center", args=[self.get_decision().center.key])

    def perform(self, form):
        data = form.cleaned_data
        return services.drawdown_request(
            decision=self.get_decision(),
            user=self.request.user,
            requested_for=data.get("requested_for"),
            drawdown_date=data.get("drawdown_date"),
            lines=form.plan_lines(),
        )

    def get_redirect(self, drawdown):
        return drawdown.get_absolute_url()


class DrawdownDetailView(TemplateView):
    template_name = "funding/drawdown_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        drawdown = selectors.drawdown_in_scope(
            self.request.user, Capability.VIEW_FUNDING, self.kwargs["pk"]
        )
        caps = capabilities_for(self.request.user, drawdown.center)
        context.update(
            drawdown=drawdown,
            center=drawdown.center,
            caps=caps,
            lines=list(drawdown.lines.select_related("budget_line")),
            actions=DRAWDOWN.links(self.request.user, drawdown, frozenset(caps.held)),
            timeline=timeline(drawdown),
        )
        return context


def drawdown_transition(name: str):
    return _transition(DRAWDOWN, name, selectors.drawdown_in_scope)


# --- Verwendungsnachweis --------------------------------------------------------------------


class ProofCreateView(View):
    def post(self, request, pk):
        decision = selectors.decision_in_scope(request.user, Capability.PREPARE_FUNDING, pk)
        return run_action(
            request,
            lambda: services.proof_create(decision=decision, user=request.user),
            success=_("Der Verwendungsnachweis wurde angelegt."),
            back=reverse("funding:center", args=[decision.center.key]),
        )


class ProofMixin:
    permission_required = Capability.VIEW_FUNDING

    def get_proof(self):
        if not hasattr(self, "_proof"):
            self._proof = selectors.proof_in_scope(
                self.request.user, self.permission_required, self.kwargs["pk"]
            )
        return self._proof

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        proof = self.get_proof()
        context.update(
            proof=proof,
            center=proof.center,
            caps=capabilities_for(self.request.user, proof.center),
        )
        return context

    def get_cancel_url(self):
        return self.get_proof().get_absolute_url()


class ProofDetailView(ProofMixin, TemplateView):
    template_name = "funding/proof_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        proof = self.get_proof()
        context.update(content_of_proof(proof))
        context.update(
            actions=PROOF.links(self.request.user, proof, frozenset(context["caps"].held)),
            errors=proof_errors(proof) if proof.editable else [],
            timeline=timeline(proof),
        )
        return context


class ProofEditView(ProofMixin, ServiceFormMixin, FormView):
    permission_required = Capability.PREPARE_FUNDING
    template_name = "funding/proof_form.html"
    form_class = ProofForm
    title = _lazy("Verwendungsnachweis bearbeiten")
    submit_label = _lazy("Speichern")
    success_message = _lazy("Der Verwendungsnachweis wurde gespeichert.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["proof"] = self.get_proof()
        return kwargs

    def perform(self, form):
        return services.proof_save(
            proof=self.get_proof(),
            user=self.request.user,
            expected_version=form.expected_version,
            narrative=form.cleaned_data["narrative"],
            lines=form.actual_lines(),
        )

    def get_redirect(self, proof):
        return proof.get_absolute_url()


class ProofReclaimView(ProofMixin, ServiceFormMixin, FormView):
    """The Bewilligung ends its check with an amount to be repaid."""

    permission_required = Capability.MANAGE_FUNDING
    template_name = "funding/form_proof.html"
    form_class = ReclaimForm
    title = _lazy("Rückforderung festsetzen")
    submit_label = _lazy("Rückforderung festsetzen")
    success_message = _lazy("Die Rückforderung wurde festgesetzt.")
    danger = True

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["proof"] = self.get_proof()
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        check = transition_check(PROOF, "reclaim", self.get_proof())
        context.update(
            question=PROOF.get("reclaim").ask(self.get_proof()),
            blockers=check.blockers,
            warnings=check.warnings,
        )
        return context

    def perform(self, form):
        return services.proof_reclaim(
            proof=self.get_proof(),
            user=self.request.user,
            expected_version=form.expected_version,
            repayment=form.cleaned_data["repayment"],
            note=form.cleaned_data["note"],
        )

    def get_redirect(self, proof):
        return proof.get_absolute_url()


class ProofDocumentView(View):
    def get(self, request, pk):
        proof = selectors.proof_in_scope(request.user, Capability.VIEW_FUNDING, pk)
        if proof.document_status != DocumentStatus.READY:
            raise Http404
        name = f"Verwendungsnachweis-{proof.center.key}-{proof.decision.year}-{proof.pk}.pdf"
        return document_response(proof.document, name)


class ProofRetryView(View):
    def post(self, request, pk):
        proof = selectors.proof_in_scope(request.user, Capability.VIEW_FUNDING, pk)
        return run_action(
            request,
            lambda: services.proof_document_retry(proof=proof, user=request.user),
            success=_("Das PDF wird erneut erstellt."),
            back=proof.get_absolute_url(),
        )


def proof_transition(name: str):
    return _transition(PROOF, name, selectors.proof_in_scope)
