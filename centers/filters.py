from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import Case, F, Q, Value, When
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .collation import collate
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


# --- sorting by column (issue 11) -------------------------------------------------------------

SORT_PARAM = "sort"


@dataclass(frozen=True)
class Sorting:
    """The column a table is sorted by: what ``includes/sort_header.html`` shows."""

    key: str
    descending: bool = False


def choice_order(field: str, choices) -> Case:
    """Order a choice field as its choices are declared (a workflow's sequence), not by code."""
    return Case(
        *(When(**{field: value}, then=Value(i)) for i, (value, __) in enumerate(choices)),
        default=Value(len(choices)),
    )


class SortFilter(django_filters.OrderingFilter):
    """Sorting by a column header: ``?sort=name`` ascending, ``?sort=-name`` descending.

    ``columns`` maps each parameter to ``(label, *ordering)``; the ordering is field paths or
    expressions. Name columns carry the German collation (``db_collation``), so ordering by
    them is German; other columns holding names go through ``collate``. Empty values come
    last in both directions. ``then`` follows every column (ascending) so that ties keep a
    stable order across pages. ``default`` is the order without a parameter.
    """

    def __init__(self, *, columns: dict, default: str, then=("pk",), **kwargs):
        self.columns = {param: spec[1:] for param, spec in columns.items()}
        self.default = default
        self.then = then
        choices = []
        for param, (label, *__) in columns.items():
            choices.append((param, format_lazy(_("{column} (aufsteigend)"), column=label)))
            choices.append((f"-{param}", format_lazy(_("{column} (absteigend)"), column=label)))
        kwargs.setdefault("label", _("Sortierung"))
        super().__init__(choices=choices, empty_label=None, initial=default, **kwargs)

    def is_valid_param(self, param) -> bool:
        return isinstance(param, str) and param.removeprefix("-") in self.columns

    def sorting(self, value) -> Sorting:
        """``value``: the cleaned list of parameters (the first counts), or nothing."""
        param = next((p for p in value or () if self.is_valid_param(p)), self.default)
        return Sorting(key=param.removeprefix("-"), descending=param.startswith("-"))

    def filter(self, qs, value):
        sorting = self.sorting(value)
        ordering = []
        for expr in self.columns[sorting.key]:
            expr = F(expr) if isinstance(expr, str) else expr
            ordering.append(
                expr.desc(nulls_last=True) if sorting.descending else expr.asc(nulls_last=True)
            )
        return qs.order_by(*ordering, *self.then)


class SortableFilterSet(django_filters.FilterSet):
    """A FilterSet whose ``sort`` filter (a ``SortFilter``) orders the table by a column.

    A missing or unknown ``sort`` (an old bookmark) means the default order, never an
    empty table; the order is applied on the first visit too.
    """

    def __init__(self, data=None, *args, **kwargs):
        sort = self.base_filters[SORT_PARAM]
        if data is not None and not sort.is_valid_param(data.get(SORT_PARAM)):
            data = data.copy()
            data[SORT_PARAM] = sort.default
        super().__init__(data, *args, **kwargs)

    @property
    def qs(self):
        if not self.is_bound and not hasattr(self, "_qs"):
            self._qs = self.filters[SORT_PARAM].filter(self.queryset.all(), None)
        return super().qs

    @property
    def sorting(self) -> Sorting:
        value = [self.data.get(SORT_PARAM)] if self.is_bound else None
        return self.filters[SORT_PARAM].sorting(value)


class CenterFilter(SortableFilterSet):
    q = search_filter(_("Name, Träger oder Schlüssel"))
    region = region_filter()
    sponsor_kind = sponsor_kind_filter()
    status = django_filters.ChoiceFilter(
        label=_("Phase"), choices=CenterStatus.choices, empty_label=_("alle")
    )

    operating = django_filters.ChoiceFilter(
        label=_("Betrieb nach Nr. 1.4"),
        choices=[("active", _("aktiv")), ("inactive", _("nicht aktiv"))],
        empty_label=_("alle"),
        method="filter_operating",
    )
    sort = SortFilter(
        columns={
            "name": (_("Zentrum"), "name"),
            "sponsor": (_("Träger"), "sponsor__name"),
            "region": (_("Regierungsbezirk"), collate("sponsor__region")),
            "team": (_("Team"), "team_size"),
        },
        default="name",
        then=("name", "pk"),
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


class ConceptReviewFilter(SortableFilterSet):
    """The Bewilligung's queue: what waits, by region and kind of Träger."""

    q = search_filter(_("Zentrum oder Schlüssel"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ConceptStatus.choices, empty_label=_("alle")
    )
    region = region_filter("center__")
    sponsor_kind = sponsor_kind_filter("center__")
    sort = SortFilter(
        columns={
            "center": (_("Zentrum"), "center__name"),
            "region": (_("Regierungsbezirk"), collate("center__sponsor__region")),
            "status": (_("Status"), choice_order("status", ConceptStatus.choices)),
            "resolution": (_("Beschluss"), "resolution_date"),
            "submitted": (_("eingereicht am"), "submitted_at"),
        },
        # A queue: what waits longest comes first.
        default="submitted",
        then=("center__name", "number", "pk"),
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
