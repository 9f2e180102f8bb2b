"""Downloads of the staffing list (CSV, XLSX) and of the import template."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils import timezone

from centers.access import centers_for, has_state_perm, require_center

from . import exporting

# --- export ------------------------------------------------------------------------------


def _export_response(queryset, fmt: str, name: str) -> HttpResponse:
    if fmt not in exporting.CONTENT_TYPES:
        raise Http404
    response = HttpResponse(
        exporting.export_bytes(queryset, fmt), content_type=exporting.CONTENT_TYPES[fmt]
    )
    stamp = timezone.localdate().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="personalliste-{name}-{stamp}.{fmt}"'
    return response


def center_export(request, key):
    center = require_center(request.user, "export_staffing", key)
    fmt = request.GET.get("format", "csv")
    return _export_response(exporting.rows_for_centers([center]), fmt, center.key)


def state_export(request):
    if not has_state_perm(request.user, "export_staffing"):
        raise PermissionDenied
    fmt = request.GET.get("format", "csv")
    return _export_response(
        exporting.rows_for_centers(centers_for(request.user, "export_staffing")), fmt, "nrw"
    )


def import_template(request, *args, **kwargs):  # being built in this change
    raise Http404
