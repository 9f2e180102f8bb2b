import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from centers.filters import (
    SortableFilterSet,
    SortFilter,
    choice_order,
    region_filter,
    search_filter,
)
from centers.models import Region

from .models import DeploymentPlan, Focus, PlanStatus
from .vocabularies import Field, Programme, Stage


class PlanFilter(SortableFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=PlanStatus.choices, empty_label=_("alle")
    )
    region = region_filter("center__")
    q = search_filter(label=_("Zentrum"))
    sort = SortFilter(
        columns={
            "center": (_("Zentrum"), "center__name"),
            "period": (_("Zeitraum"), "period_start"),
            "revision": (_("Fassung"), "revision"),
            "status": (_("Status"), choice_order("status", PlanStatus.choices)),
            "foci": (_("Schwerpunkte"), "focus_count"),
            "conflicts": (_("offene Konflikte"), "open_conflicts"),
        },
        default="-period",
        then=("center__name", "pk"),
    )

    class Meta:
        model = DeploymentPlan
        fields = ["q", "status", "region"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(center__name__icontains=value) if value else queryset


class VerbundFilter(django_filters.FilterSet):
    """Browse the shared Schwerpunkte. Full-text search is ``icontains`` over the
    text fields — the same on SQLite and PostgreSQL."""

    q = search_filter(_("Titel, Ziel, Maßnahmen, Zentrum …"))
    field = django_filters.ChoiceFilter(
        label=_("Handlungsfeld"), choices=Field.choices, empty_label=_("alle")
    )
    stage = django_filters.ChoiceFilter(
        label=_("Bildungskette"), choices=Stage.choices, empty_label=_("alle")
    )
    programme = django_filters.ChoiceFilter(
        label=_("Programm"), choices=Programme.choices, empty_label=_("alle"), method="by_programme"
    )
    region = region_filter("plan__center__")

    class Meta:
        model = Focus
        fields = ["q", "field", "stage", "programme", "region"]

    def search(self, queryset, name, value):
        words = value.split()
        for word in words[:8]:
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(goal__icontains=word)
                | Q(measures__icontains=word)
                | Q(indicators__icontains=word)
                | Q(other_partners__icontains=word)
                | Q(plan__center__name__icontains=word)
            )
        return queryset

    def by_programme(self, queryset, name, value):
        # Programmes are a JSON list of codes; the quoted code matches one element
        # on SQLite and PostgreSQL alike.
        return queryset.filter(programmes__icontains=f'"{value}"') if value else queryset


class OverviewFilter(forms.Form):
    """Filters of LaSI's state overview (a list of rows, not a queryset)."""

    region = forms.ChoiceField(
        label=_("Regierungsbezirk"), choices=[("", _("alle")), *Region.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("alle")), ("missing", _("fehlt")), *PlanStatus.choices],
        required=False,
    )
