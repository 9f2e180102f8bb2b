import re

from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from centers.filters import SortableFilterSet, SortFilter, choice_order, search_filter

from .models import Report, ReportKind, ReportStatus

# Terms are separated by spaces; a period as the table shows it ("2025–2027") is two years.
_TERMS = re.compile(r"\s+|(?<=\d)[–/-](?=\d)")


class ReportFilter(SortableFilterSet):
    """The report list's search and order by column. State overviews (no centre) follow the
    centres' reports in both directions of "Bericht"."""

    q = search_filter(_("Zentrum, Schlüssel oder Jahr"))
    sort = SortFilter(
        columns={
            "center": (_("Bericht"), "center__name"),
            "period": (_("Zeitraum"), "period_start"),
            "version": (_("Fassung"), "number"),
            "status": (_("Status"), choice_order("status", ReportStatus.choices)),
            "requested": (_("angefordert am"), "requested_at"),
        },
        default="-requested",
        then=("-pk",),
    )

    class Meta:
        model = Report
        fields = ["q"]

    def search(self, queryset, name, value):
        """Every term must match: the centre's name (case-insensitive), the start of its
        Kreisschlüssel, or a year the report's period includes. A state overview is found
        by the name the table shows for it."""
        for term in filter(None, _TERMS.split(value.strip())):
            queryset = queryset.filter(self._term_q(term))
        return queryset

    @staticmethod
    def _term_q(term: str) -> Q:
        match = Q(center__name__icontains=term)
        if term.casefold() in gettext("Nordrhein-Westfalen").casefold():
            match |= Q(kind=ReportKind.STATE)
        if term.isascii() and term.isdigit():
            match |= Q(center__key__startswith=term)
            if len(term) == 4 and not term.startswith("0"):
                year = int(term)
                match |= Q(period_start__year__lte=year, period_end__year__gte=year)
        return match
