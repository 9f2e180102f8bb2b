"""Integrationskonzept, Bewilligung and Landesförderung pages (decree Nr. 1.4, Nr. 6).

Thin views: the centre comes through the user's scope (404 outside it), the
state changes are the services in ``centers.services``, the reads the
selectors in ``centers.selectors``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView

from . import selectors, services
from .access import (
    Capability,
    CenterPermissionMixin,
    StatePermissionMixin,
    has_state_perm,
    holds_anywhere,
    require_center,
)
from .documents import agreement_download_name, concept_download_name, document_response
from .filters import SORT_PARAM, ConceptReviewFilter
from .forms import (
    ConceptDocumentForm,
    ConceptForm,
    FundingDecisionForm,
    ParticipationForm,
    TargetAgreementForm,
)
from .locking import VersionForm
from .models import ConceptParticipation, ConceptStatus, FundingDecision, TargetAgreement
from .service_views import ServiceFormMixin
from .workflow.transitions import timeline
from .workflow.views import TransitionView
from .workflows import CONCEPT


class ConceptMixin(CenterPermissionMixin):
    """Resolves ``pk`` as a concept of the (scoped) centre."""

    def get_concept(self):
        if not hasattr(self, "_concept"):
            self._concept = selectors.concept_of_center(self.get_center(), self.kwargs["pk"])
        return self._concept

    def get_initial(self):
        # Forms acting on the concept carry the version they were shown with
        # (optimistic locking); views acting on a participation override this.
        return {"version": self.get_concept().version}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["concept"] = self.get_concept()
        return context

    def get_cancel_url(self):
        return self.get_concept().get_absolute_url()

    def get_redirect(self, result):
        return self.get_concept().get_absolute_url()


def center_url(center, name, **kwargs):
    return reverse(f"centers:{name}", kwargs={"key": center.key, **kwargs})


# --- concepts of a centre --------------------------------------------------------------------


class ConceptListView(CenterPermissionMixin, TemplateView):
    permission_required = Capability.VIEW_CONCEPT
    template_name = "centers/concept_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        center = self.get_center()
        context["concepts"] = selectors.concepts_of_center(center)
        context["operating_status"] = selectors.center_operating_status(center)
        context["validity_years"] = settings.CONCEPT_VALIDITY_YEARS
        return context


class ConceptDetailView(ConceptMixin, TemplateView):
    permission_required = Capability.VIEW_CONCEPT
    template_name = "centers/concept_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        concept = self.get_concept()
        participations = selectors.concept_participations(concept)
        context["participations"] = participations
        if concept.is_editable:
            context["missing"] = services.concept_missing_for_submission(concept, participations)
        context["timeline"] = timeline(concept)
        context["history"] = selectors.concept_history(concept)
        context["requires_municipalities"] = services.requires_municipalities_agreement(
            concept.center
        )
        return context


class ConceptCreateView(CenterPermissionMixin, ServiceFormMixin, FormView):
    permission_required = Capability.EDIT_CONCEPT
    form_class = ConceptForm
    template_name = "centers/concept_form.html"
    submit_label = _lazy("Entwurf anlegen")
    success_message = _lazy("Der Entwurf wurde angelegt.")

    def get(self, request, *args, **kwargs):
        open_concept = self.get_center().concepts.filter(status__in=ConceptStatus.open()).first()
        if open_concept is not None:
            messages.info(
                request,
                _("Es ist bereits eine Fassung in Bearbeitung; Sie finden sie hier."),
            )
            return redirect(open_concept)
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["needs_municipalities"] = services.requires_municipalities_agreement(
            self.get_center()
        )
        return kwargs

    def get_initial(self):
        center = self.get_center()
        approved = center.concepts.filter(status=ConceptStatus.APPROVED).first()
        year = timezone.localdate().year
        if approved:
            return {
                "title": _("%(title)s – Fortschreibung %(year)s")
                % {"title": approved.title.split(" – ")[0], "year": year},
                "summary": approved.summary,
                "resolution_body": approved.resolution_body,
            }
        return {
            "title": _("Integrationskonzept %(sponsor)s") % {"sponsor": center.sponsor.name},
            "resolution_body": services.default_resolution_body(center),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        approved = self.get_center().concepts.filter(status=ConceptStatus.APPROVED).first()
        context["title"] = (
            _("Fortschreibung anlegen") if approved else _("Integrationskonzept anlegen")
        )
        context["predecessor"] = approved
        return context

    def get_cancel_url(self):
        return center_url(self.get_center(), "concept_list")

    def perform(self, form):
        return services.concept_create(
            center=self.get_center(), user=self.request.user, **form.service_fields()
        )

    def get_redirect(self, concept):
        return concept.get_absolute_url()


class EditableConceptMixin(ConceptMixin):
    """Pages that change a concept: only drafts; otherwise back to the concept with a note."""

    permission_required = Capability.EDIT_CONCEPT

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            concept = self.get_concept()
            if not concept.is_editable:
                messages.error(
                    request,
                    _("Das Konzept ist %(status)s und kann nicht mehr geändert werden.")
                    % {"status": concept.get_status_display()},
                )
                return redirect(concept)
        return super().dispatch(request, *args, **kwargs)


class ConceptUpdateView(EditableConceptMixin, ServiceFormMixin, FormView):
    form_class = ConceptForm
    template_name = "centers/concept_form.html"
    title = _lazy("Konzept bearbeiten")
    submit_label = _lazy("Speichern")
    success_message = _lazy("Die Änderungen wurden gespeichert.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_concept()
        kwargs["needs_municipalities"] = services.requires_municipalities_agreement(
            self.get_center()
        )
        return kwargs

    def perform(self, form):
        return services.concept_update(
            concept=self.get_concept(),
            user=self.request.user,
            expected_version=form.expected_version,
            **form.service_fields(),
        )


class ConceptUploadView(EditableConceptMixin, ServiceFormMixin, FormView):
    form_class = ConceptDocumentForm
    template_name = "centers/concept_form.html"
    title = _lazy("Dokument hochladen")
    submit_label = _lazy("Hochladen")
    success_message = _lazy("Das Dokument wurde hochgeladen.")
    multipart = True

    def perform(self, form):
        return services.concept_upload_document(
            concept=self.get_concept(),
            user=self.request.user,
            upload=form.cleaned_data["document"],
            expected_version=form.expected_version,
        )


class ConceptDocumentView(ConceptMixin, TemplateView):
    permission_required = Capability.VIEW_CONCEPT

    def get(self, request, *args, **kwargs):
        concept = self.get_concept()
        return document_response(concept.document, concept_download_name(concept))


# --- participations ---------------------------------------------------------------------------


class ParticipationMixin(EditableConceptMixin):
    def get_participation(self):
        return get_object_or_404(
            ConceptParticipation, concept=self.get_concept(), pk=self.kwargs["participation"]
        )


class ParticipationCreateView(ParticipationMixin, ServiceFormMixin, FormView):
    form_class = ParticipationForm
    template_name = "centers/concept_form.html"
    title = _lazy("Beteiligung erfassen")
    submit_label = _lazy("Beteiligung speichern")
    success_message = _lazy("Die Beteiligung wurde gespeichert.")

    def get_initial(self):
        kind = self.request.GET.get("partner")
        return {"partner_kind": kind} if kind else {}

    def perform(self, form):
        return services.participation_add(
            concept=self.get_concept(), user=self.request.user, **form.service_fields()
        )


class ParticipationUpdateView(ParticipationMixin, ServiceFormMixin, FormView):
    form_class = ParticipationForm
    template_name = "centers/concept_form.html"
    title = _lazy("Beteiligung bearbeiten")
    submit_label = _lazy("Speichern")
    success_message = _lazy("Die Beteiligung wurde gespeichert.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_participation()
        return kwargs

    def perform(self, form):
        # A fresh copy: the form has already written its values onto its instance.
        participation = self.get_participation()
        return services.participation_update(
            participation=participation,
            user=self.request.user,
            expected_version=form.expected_version,
            **form.service_fields(),
        )


class ParticipationDeleteView(ParticipationMixin, ServiceFormMixin, FormView):
    form_class = VersionForm
    template_name = "centers/concept_confirm.html"
    title = _lazy("Beteiligung löschen")
    submit_label = _lazy("Löschen")
    success_message = _lazy("Die Beteiligung wurde gelöscht.")
    danger = True

    def get_initial(self):
        return {"version": self.get_participation().version}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["question"] = _("Soll die Beteiligung „%(p)s“ gelöscht werden?") % {
            "p": self.get_participation()
        }
        return context

    def perform(self, form):
        return services.participation_delete(
            participation=self.get_participation(),
            user=self.request.user,
            expected_version=form.expected_version,
        )


# --- transitions -----------------------------------------------------------------------------


def _concept_in_scope(request, perm, key, pk):
    """The concept of a centre on which the user holds ``perm``; 404 for every other id."""
    return selectors.concept_of_center(require_center(request.user, perm, key), pk)


def _concept_breadcrumbs(concept) -> dict:
    center = concept.center
    return {
        "center": center,
        "breadcrumbs": [
            (_("Zentren"), reverse("centers:list")),
            (center.name, center.get_absolute_url()),
            (_("Integrationskonzepte"), center_url(center, "concept_list")),
        ],
        "object_label": _("Integrationskonzept, Fassung %(number)s") % {"number": concept.number},
    }


def concept_transition(name: str):
    """The confirmation page of one of the concept's declared transitions."""
    return TransitionView.as_view(
        workflow=CONCEPT,
        transition=name,
        lookup=_concept_in_scope,
        extra_context_for=_concept_breadcrumbs,
    )


class ConceptReviewQueueView(StatePermissionMixin, FilterView):
    """The Bewilligung's queue across NRW."""

    permission_required = Capability.REVIEW_CONCEPT
    filterset_class = ConceptReviewFilter
    template_name = "centers/concept_review_queue.html"
    context_object_name = "concepts"

    def get_queryset(self):
        return selectors.concepts_for_review(self.request.user)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        data = kwargs["data"] or {}
        if set(data) <= {SORT_PARAM}:
            # First visit (perhaps sorted by a column header): what waits for a decision.
            kwargs["data"] = {"status": ConceptStatus.SUBMITTED, **{k: data.get(k) for k in data}}
        return kwargs


# --- Landesförderung -------------------------------------------------------------------------


class ProgrammeListView(TemplateView):
    """The funding programmes of a budget year with their caps and dates (issue 12): for
    whoever sees money — the KI-Leitung and the Träger of a centre, the Bewilligung, the
    ministry; not the Schulaufsicht."""

    template_name = "centers/programme_list.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not holds_anywhere(
            request.user, Capability.VIEW_FUNDING
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        years = selectors.programme_budget_years()
        today = timezone.localdate().year
        try:
            year = int(self.request.GET.get("jahr", ""))
        except ValueError:
            year = None
        if year not in years:
            year = next((y for y in years if y <= today), years[-1] if years else today)
        context.update(
            year=year,
            years=years,
            programme_years=list(selectors.programme_years(year)),
            may_manage=has_state_perm(self.request.user, Capability.MANAGE_FUNDING),
        )
        return context


class FundingView(CenterPermissionMixin, TemplateView):
    permission_required = Capability.VIEW_CONCEPT
    template_name = "centers/funding.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        center = self.get_center()
        context["decisions"] = selectors.funding_decisions_of(center)
        context["agreements"] = selectors.target_agreements_of(center)
        context["operating_status"] = selectors.center_operating_status(center)
        context["history"] = selectors.record_history(
            FundingDecision.history.filter(center_id=center.pk),
            lambda r: _("Förderbescheid %(year)s") % {"year": r.year},
        ) + selectors.record_history(
            TargetAgreement.history.filter(center_id=center.pk),
            lambda r: (
                _("Zielvereinbarung ab %(date)s") % {"date": r.valid_from.strftime("%d.%m.%Y")}
            ),
        )
        context["history"].sort(key=lambda e: e.at, reverse=True)
        return context


class FundingFormMixin(CenterPermissionMixin, ServiceFormMixin):
    permission_required = Capability.MANAGE_FUNDING
    template_name = "centers/concept_form.html"
    submit_label = _lazy("Speichern")

    def get_redirect(self, result):
        return center_url(self.get_center(), "funding")

    def get_cancel_url(self):
        return center_url(self.get_center(), "funding")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["back_to_funding"] = True
        return context


class FundingDecisionCreateView(FundingFormMixin, FormView):
    form_class = FundingDecisionForm
    title = _lazy("Förderbescheid erfassen")
    success_message = _lazy("Der Förderbescheid wurde gespeichert.")

    def get_initial(self):
        return {"year": timezone.localdate().year, "decided_on": timezone.localdate()}

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = FundingDecision(center=self.get_center())
        return kwargs

    def perform(self, form):
        return services.funding_decision_save(
            center=self.get_center(), user=self.request.user, **form.service_fields()
        )


class FundingDecisionUpdateView(FundingFormMixin, FormView):
    form_class = FundingDecisionForm
    title = _lazy("Förderbescheid bearbeiten")
    success_message = _lazy("Der Förderbescheid wurde gespeichert.")

    def get_decision(self):
        return get_object_or_404(FundingDecision, center=self.get_center(), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_decision()
        return kwargs

    def perform(self, form):
        return services.funding_decision_save(
            center=self.get_center(),
            user=self.request.user,
            decision=self.get_decision(),
            expected_version=form.expected_version,
            **form.service_fields(),
        )


class TargetAgreementCreateView(FundingFormMixin, FormView):
    form_class = TargetAgreementForm
    title = _lazy("Zielvereinbarung erfassen")
    success_message = _lazy("Die Zielvereinbarung wurde gespeichert.")
    multipart = True

    def perform(self, form):
        return services.target_agreement_save(
            center=self.get_center(),
            user=self.request.user,
            upload=form.cleaned_data["document"],
            **form.service_fields(),
        )


class TargetAgreementUpdateView(FundingFormMixin, FormView):
    form_class = TargetAgreementForm
    title = _lazy("Zielvereinbarung bearbeiten")
    success_message = _lazy("Die Zielvereinbarung wurde gespeichert.")
    multipart = True

    def get_agreement(self):
        return get_object_or_404(TargetAgreement, center=self.get_center(), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_agreement()
        return kwargs

    def perform(self, form):
        return services.target_agreement_save(
            center=self.get_center(),
            user=self.request.user,
            agreement=self.get_agreement(),
            expected_version=form.expected_version,
            upload=form.cleaned_data["document"],
            **form.service_fields(),
        )


class TargetAgreementDocumentView(CenterPermissionMixin, TemplateView):
    permission_required = Capability.VIEW_CONCEPT

    def get(self, request, *args, **kwargs):
        agreement = get_object_or_404(
            TargetAgreement, center=self.get_center(), pk=self.kwargs["pk"]
        )
        return document_response(agreement.document, agreement_download_name(agreement))
