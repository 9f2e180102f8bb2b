"""Tätigkeitszahlen (issue 12): a centre's figures by year, the form of one year, and the
state-wide sums per Regierungsbezirk. Thin views over ``activity``.

Who reads a centre's figures: whoever reads its reports (``VIEW_REPORTS``) — the KI, the
Träger, the district's Schulaufsicht (DESIGN.md §4: reports "read district"; the figures
feed the LaSI report, and Seiteneinstieg is its business), the LaSI, the Bewilligung, the
ministry. They are counts, not money, so ``VIEW_FUNDING`` is not asked. The KI-Leitung
enters them (``PREPARE_FUNDING``). The state sums are for the state roles
(``VIEW_STATE_OVERVIEW``: LaSI, Bewilligung, ministry); everyone else gets 403.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.generic import FormView, TemplateView

from centers.access import Capability, CenterPermissionMixin, StatePermissionMixin
from centers.service_views import ServiceFormMixin

from . import activity
from .forms_activity import ActivityFiguresForm
from .models import ActivityFigures


def _year(figures: ActivityFigures) -> dict:
    seiteneinstieg, *others = activity.figure_tables(figures)
    return {"figures": figures, "seiteneinstieg": seiteneinstieg, "others": others}


class ActivityCenterView(CenterPermissionMixin, TemplateView):
    """A centre's figures, one table group per year, newest first."""

    permission_required = Capability.VIEW_REPORTS
    template_name = "funding/activity_center.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        center = self.get_center()
        figures = activity.figures_of(center)
        context.update(
            years=[_year(f) for f in figures],
            open_years=(
                activity.open_years(center, [f.year for f in figures])
                if context["caps"].prepare_funding
                else []
            ),
        )
        return context


class ActivityEditView(CenterPermissionMixin, ServiceFormMixin, FormView):
    """Enter or correct a year's figures (the KI-Leitung); other centres and years outside
    2012 … next year are 404."""

    permission_required = Capability.PREPARE_FUNDING
    template_name = "funding/activity_form.html"
    form_class = ActivityFiguresForm
    submit_label = _lazy("Speichern")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.get_center()  # 404 outside the user's scope before anything else
            if self.kwargs["year"] not in activity.activity_years():
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_figures(self) -> ActivityFigures:
        if not hasattr(self, "_figures"):
            center, year = self.get_center(), self.kwargs["year"]
            self._figures = activity.figures_for(center, year) or ActivityFigures(
                center=center, year=year
            )
        return self._figures

    @property
    def title(self) -> str:
        figures = self.get_figures()
        text = (
            _("Tätigkeitszahlen %(year)s bearbeiten")
            if figures.pk
            else _("Tätigkeitszahlen %(year)s erfassen")
        )
        return text % {"year": figures.year}

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_figures()
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["year"] = self.kwargs["year"]
        return context

    def get_cancel_url(self):
        return reverse("funding:activity_center", args=[self.get_center().key])

    def get_success_message(self):
        return _("Die Tätigkeitszahlen %(year)s wurden gespeichert.") % {
            "year": self.kwargs["year"]
        }

    def perform(self, form):
        return activity.activity_figures_save(
            center=self.get_center(),
            year=self.kwargs["year"],
            user=self.request.user,
            expected_version=form.expected_version,
            **form.service_fields(),
        )

    def get_redirect(self, figures):
        return f"{self.get_cancel_url()}#jahr-{figures.year}"


class ActivityStateView(StatePermissionMixin, TemplateView):
    """The year's sums per Regierungsbezirk and for NRW, small cells hidden (``?jahr=``;
    by default last year, the one reported on)."""

    permission_required = Capability.VIEW_STATE_OVERVIEW
    template_name = "funding/activity_state.html"

    def get_year(self) -> int:
        try:
            year = int(self.request.GET.get("jahr", ""))
        except ValueError:
            year = None
        return year if year in activity.activity_years() else timezone.localdate().year - 1

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.get_year()
        years = activity.state_years()
        context.update(
            year=year,
            years=sorted({*years, year}, reverse=True),
            sums=activity.state_activity_sums(year),
            largest_hidden=activity.SMALL_CELL - 1,
        )
        return context
