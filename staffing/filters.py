import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from centers.filters import (
    SortableFilterSet,
    SortFilter,
    region_filter,
    search_filter,
    sponsor_kind_filter,
)
from centers.models import Center


class StateStaffingFilter(SortableFilterSet):
    """The state-wide staffing table for LaSI and the ministry."""

    q = search_filter(_("Zentrum oder Schlüssel"))
    region = region_filter()
    sponsor_kind = sponsor_kind_filter()
    with_warnings = django_filters.BooleanFilter(
        label=_("nur mit Hinweisen"),
        method="noop",
        widget=forms.Select(choices=[("", _("alle")), ("true", _("ja"))]),
    )
    # The other columns are computed in Python (staffing.selectors.staffing_of), which keeps
    # the order of the centres it is given.
    sort = SortFilter(columns={"name": (_("Zentrum"), "name")}, default="name")

    class Meta:
        model = Center
        fields = ["q", "region", "sponsor_kind"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(sponsor__name__icontains=value) | Q(key__startswith=value)
        )

    def noop(self, queryset, name, value):
        # Warnings are computed in Python (staffing.rules); the view filters the rows.
        return queryset
