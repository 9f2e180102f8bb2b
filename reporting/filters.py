from django.utils.translation import gettext_lazy as _

from centers.filters import SortableFilterSet, SortFilter, choice_order

from .models import Report, ReportStatus


class ReportFilter(SortableFilterSet):
    """The report list's order by column. State overviews (no centre) follow the centres'
    reports in both directions of "Bericht"."""

    sort = SortFilter(
        columns={
            "center": (_("Bericht"), "center__name"),
            "period": (_("Zeitraum"), "period_start"),
            "version": (_("Fassung"), "version"),
            "status": (_("Status"), choice_order("status", ReportStatus.choices)),
            "requested": (_("angefordert am"), "requested_at"),
        },
        default="-requested",
        then=("-pk",),
    )

    class Meta:
        model = Report
        fields = []
