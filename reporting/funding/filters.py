import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from centers.filters import search_filter

from .models import ApplicationStatus, FundingApplication


class ApplicationFilter(django_filters.FilterSet):
    """The application list's search: a centre (name or the start of its key) or a budget
    year, and the status."""

    q = search_filter(_("Zentrum, Schlüssel oder Haushaltsjahr"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ApplicationStatus.choices, empty_label=_("alle")
    )

    class Meta:
        model = FundingApplication
        fields = ["q", "status"]

    def search(self, queryset, name, value):
        for term in value.split():
            match = Q(center__name__icontains=term) | Q(
                programme_year__programme__name__icontains=term
            )
            if term.isascii() and term.isdigit():
                match |= Q(center__key__startswith=term)
                if len(term) == 4:
                    match |= Q(programme_year__year=int(term))
            queryset = queryset.filter(match)
        return queryset
