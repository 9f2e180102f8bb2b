"""Staffing-list export as CSV (German Excel: ``;``, UTF-8 with BOM) or XLSX."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Assignment
from .resources import StaffingListResource

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def rows_for_centers(centers) -> QuerySet[Assignment]:
    return StaffingListResource().get_queryset().filter(post__center__in=centers)


def export_bytes(queryset: QuerySet[Assignment], fmt: str) -> bytes:
    dataset = StaffingListResource().export(queryset)
    if fmt == "xlsx":
        return dataset.export("xlsx")
    # Excel in a German locale opens ;-separated UTF-8 with BOM directly.
    return ("\ufeff" + dataset.export("csv", delimiter=";", lineterminator="\r\n")).encode("utf-8")
