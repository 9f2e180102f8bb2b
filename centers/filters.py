import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import (
    Center,
    CenterStatus,
    ConceptStatus,
    IntegrationConcept,
    MunicipalityKind,
    Region,
)

# --- filters several pages share ------------------------------------------------------------


def search_filter(placeholder=None, *, label=None) -> django_filters.CharFilter:
    """A search box ("Suche" unless labelled) handled by the FilterSet's ``search``."""
    attrs = {"type": "search"}
    if placeholder:
        attrs["placeholder"] = placeholder
    return django_filters.CharFilter(
        label=label or _("Suche"), method="search", widget=forms.TextInput(attrs=attrs)
    )


def region_filter(path: str = "") -> django_filters.ChoiceFilter:
    """Regierungsbezirk of the centre's Träger; ``path`` leads to the centre."""
    return django_filters.ChoiceFilter(
        field_name=f"{path}sponsor__region",
        label=_("Regierungsbezirk"),
        choices=Region.choices,
        empty_label=_("alle"),
    )


def sponsor_kind_filter(path: str = "") -> django_filters.ChoiceFilter:
    """Kind of the centre's Träger (Kreis, kreisfreie Stadt, …)."""
    return django_filters.ChoiceFilter(
        field_name=f"{path}sponsor__kind",
        label=_("Art des Trägers"),
        choices=MunicipalityKind.choices,
        empty_label=_("alle"),
    )


class CenterFilter(django_filters.FilterSet):
    q = search_filter(_("Name, Träger oder Schlüssel"))
    region = region_filter()
    sponsor_kind = sponsor_kind_filter()
    status = django_filters.ChoiceFilter(
        label=_("Phase"), choices=CenterStatus.choices, empty_label=_("alle")
    )

    operating = django_filters.ChoiceFilter(
        label=_("Betrieb (§ 1.4)"),
        choices=[("active", _("aktiv")), ("inactive", _("nicht aktiv"))],
        empty_label=_("alle"),
        method="filter_operating",
    )

    class Meta:
        model = Center
        fields = ["q", "region", "sponsor_kind", "status", "operating"]

    def filter_operating(self, queryset, name, value):
        # The queryset carries the annotations of centers_with_operating_status.
        from django.utils import timezone

        from .selectors import operating_active_q

        active = operating_active_q(timezone.localdate())
        return queryset.filter(active) if value == "active" else queryset.exclude(active)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(sponsor__name__icontains=value)
            | Q(key__startswith=value)
            | Q(school_authority__name__icontains=value)
        )


class ConceptReviewFilter(django_filters.FilterSet):
    """The Bewilligung's queue: what waits, by region and kind of Träger."""

    q = search_filter(_("Zentrum oder Schlüssel"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ConceptStatus.choices, empty_label=_("alle")
    )
    region = region_filter("center__")
    sponsor_kind = sponsor_kind_filter("center__")

    class Meta:
        model = IntegrationConcept
        fields = ["q", "status", "region", "sponsor_kind"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(center__name__icontains=value)
            | Q(center__sponsor__name__icontains=value)
            | Q(center__key__startswith=value)
            | Q(title__icontains=value)
        )
