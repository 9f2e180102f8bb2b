"""Downloads of the staffing list (CSV, XLSX), of the import template and of the Art. 15
DSGVO information about one person (``staffing.information``)."""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from centers.access import Capability, capabilities_for, centers_for, has_state_perm, require_center

from . import exporting, information
from .models import StaffMember

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


# --- Art. 15 DSGVO -------------------------------------------------------------------------


def _information(request, key, pk) -> dict:
    """The export for the centre's KI-Leitung and the ministry; 404 for everyone else."""
    center = require_center(request.user, Capability.VIEW_STAFFING, key)
    if not information.may_export(request.user, center):
        raise Http404
    member = get_object_or_404(
        StaffMember.objects.filter(center=center).select_related("center"), pk=pk
    )
    return {
        "center": center,
        "member": member,
        "export": information.member_export(member=member, user=request.user),
    }


@never_cache  # personal data: neither the browser nor the page cache keeps it
def member_information(request, key, pk):
    context = _information(request, key, pk)
    context["caps"] = capabilities_for(request.user, context["center"])
    return render(request, "staffing/member_information.html", context)


@never_cache
def member_information_json(request, key, pk):
    context = _information(request, key, pk)
    response = HttpResponse(
        json.dumps(context["export"], ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.localdate().strftime("%Y-%m-%d")
    name = f"auskunft-{context['center'].key}-{context['member'].pk}-{stamp}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
