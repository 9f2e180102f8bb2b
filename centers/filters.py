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


class CenterFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Suche"),
        method="search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, Träger oder Schlüssel")}
        ),
    )
    region = django_filters.ChoiceFilter(
        field_name="sponsor__region",
        label=_("Regierungsbezirk"),
        choices=Region.choices,
        empty_label=_("alle"),
    )
    sponsor_kind = django_filters.ChoiceFilter(
        field_name="sponsor__kind",
        label=_("Art des Trägers"),
        choices=MunicipalityKind.choices,
        empty_label=_("alle"),
    )
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

    q = django_filters.CharFilter(
        label=_("Suche"),
        method="search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Zentrum oder Schlüssel")}
        ),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ConceptStatus.choices, empty_label=_("alle")
    )
    region = django_filters.ChoiceFilter(
        field_name="center__sponsor__region",
        label=_("Regierungsbezirk"),
        choices=Region.choices,
        empty_label=_("alle"),
    )
    sponsor_kind = django_filters.ChoiceFilter(
        field_name="center__sponsor__kind",
        label=_("Art des Trägers"),
        choices=MunicipalityKind.choices,
        empty_label=_("alle"),
    )

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
