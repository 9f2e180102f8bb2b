"""The state funding overview (issue 12): the Bewilligung and the ministry see per budget
year and programme what was applied for, approved, requested, paid, proven and repaid, by
Regierungsbezirk and centre, as a page with a chart and as an XLSX file. Whoever does not
hold ``MANAGE_FUNDING`` for all of NRW (the LaSI, the Schulaufsicht, the centres) gets 403:
the money is not theirs to see."""

from __future__ import annotations

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View
from django.views.generic import TemplateView

from centers.access import Capability, StatePermissionMixin
from centers.programmes import Programme
from reporting.rendering import workbook_bytes

from . import overview

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class OverviewFilterForm(forms.Form):
    """The budget year (among those a programme has) and, optionally, one programme."""

    jahr = forms.TypedChoiceField(
        label=_lazy("Haushaltsjahr"),
        coerce=int,
        error_messages={
            "invalid_choice": _lazy(
                "Für dieses Jahr gibt es kein Förderprogramm. Bitte wählen Sie ein Jahr aus "
                "der Liste."
            )
        },
    )
    programm = forms.ModelChoiceField(
        label=_lazy("Programm"),
        queryset=Programme.objects.order_by("position", "name"),
        to_field_name="code",
        required=False,
        empty_label=_lazy("alle Programme"),
        error_messages={
            "invalid_choice": _lazy(
                "Dieses Programm gibt es nicht. Bitte wählen Sie aus der Liste."
            )
        },
    )

    def __init__(self, data, *, years: list[int], default: int):
        data = data.copy()
        if not data.get("jahr"):
            data["jahr"] = str(default)
        super().__init__(data)
        self.default = default
        self.fields["jahr"].choices = [(y, str(y)) for y in years or [default]]

    def selection(self) -> tuple[int, Programme | None]:
        """The chosen year and programme; what is invalid stays at its default (the form
        shows why)."""
        self.is_valid()
        # The form shows what the page shows: an invalid choice is replaced by the default
        # (its error message stays).
        if "jahr" in self.errors:
            self.data["jahr"] = str(self.default)
        if "programm" in self.errors:
            self.data["programm"] = ""
        data = self.cleaned_data
        return data.get("jahr", self.default), data.get("programm")


class OverviewMixin(StatePermissionMixin):
    permission_required = Capability.MANAGE_FUNDING

    def get_filter(self) -> OverviewFilterForm:
        if not hasattr(self, "_filter"):
            years = overview.overview_years()
            self._filter = OverviewFilterForm(
                self.request.GET,
                years=years,
                default=overview.default_year(years, timezone.localdate()),
            )
        return self._filter


class FundingOverviewView(OverviewMixin, TemplateView):
    template_name = "funding/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.get_filter()
        year, programme = form.selection()
        data = overview.funding_overview(year, programme)
        query = {"jahr": year, **({"programm": programme.code} if programme else {})}
        xlsx_url = f"{reverse('funding:overview_xlsx')}?{urlencode(query)}"
        context.update(
            form=form,
            overview=data,
            columns=[label for _name, label in overview.COLUMNS],
            chart=overview.overview_chart(data).svg(),
            xlsx_url=xlsx_url,
            breadcrumbs=[(_("Förderanträge"), reverse("funding:list"))],
        )
        return context


class FundingOverviewXlsxView(OverviewMixin, View):
    """The same figures as an XLSX file (the middleware marks it ``private, no-store``)."""

    def get(self, request):
        form = self.get_filter()
        if not form.is_valid():
            # The page says what is wrong with the choice.
            return redirect(f"{reverse('funding:overview')}?{request.GET.urlencode()}")
        year, programme = form.selection()
        data = overview.funding_overview(year, programme)
        with translation.override("de"):
            title = _("Förderübersicht Nordrhein-Westfalen %(year)s") % {"year": year}
            if programme:
                title = f"{title} – {programme.name}"
            content = workbook_bytes(overview.overview_sheets(data), title=title)
        name = f"foerderuebersicht-{year}{f'-{programme.code}' if programme else ''}.xlsx"
        response = HttpResponse(content, content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
