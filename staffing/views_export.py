"""Downloads of the staffing list (CSV, XLSX) and of the import template."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils import timezone

from centers.access import Capability, centers_for, has_state_perm, require_center

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
    center = require_center(request.user, Capability.EXPORT_STAFFING, key)
    fmt = request.GET.get("format", "csv")
    return _export_response(exporting.rows_for_centers([center]), fmt, center.key)


def state_export(request):
    if not has_state_perm(request.user, Capability.EXPORT_STAFFING):
        raise PermissionDenied
    fmt = request.GET.get("format", "csv")
    return _export_response(
        exporting.rows_for_centers(centers_for(request.user, Capability.EXPORT_STAFFING)),
        fmt,
        "nrw",
    )


# --- import template -----------------------------------------------------------------------


def import_template(request):
    """An empty staffing list to fill in: for whoever may import (KI-Leitung, ministry)."""
    centers = centers_for(request.user, Capability.IMPORT_STAFFING)
    if not centers.exists():
        raise PermissionDenied
    fmt = request.GET.get("format", "xlsx")
    if fmt not in exporting.CONTENT_TYPES:
        raise Http404
    # The example row is for the user's own centre when there is exactly one.
    keys = list(centers.values_list("key", flat=True)[:2])
    key = keys[0] if len(keys) == 1 else exporting.TEMPLATE_CENTER
    response = HttpResponse(
        exporting.template_bytes(key, fmt), content_type=exporting.CONTENT_TYPES[fmt]
    )
    response["Content-Disposition"] = f'attachment; filename="personalliste-vorlage.{fmt}"'
    return response
