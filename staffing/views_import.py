"""The staffing-list import in the browser: upload, preview (paged, htmx progress), confirm, undo."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from centers.access import Capability, centers_for
from centers.service_views import run_action

from . import imports, selectors
from .forms import ImportUploadForm
from .models import ImportJob, ImportStatus

PREVIEW_PAGE_SIZE = 200


# --- import ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def import_upload(request):
    centers = list(centers_for(request.user, Capability.IMPORT_STAFFING).order_by("name")[:2])
    if not centers:
        raise PermissionDenied
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = imports.import_job_create(
            user=request.user,
            filename=upload.name,
            content=upload.read(),
            end_missing_on=form.cleaned_data["end_missing_on"],
        )
        return redirect(job)
    return render(
        request,
        "staffing/import_upload.html",
        {
            "form": form,
            "single_center": centers[0] if len(centers) == 1 else None,
            "retention_days": settings.IMPORT_JOB_RETENTION_DAYS,
        },
    )


def _job(request, pk) -> ImportJob:
    # Only the uploader sees a job; anyone else gets a 404.
    return get_object_or_404(ImportJob.objects.defer("content"), pk=pk, user=request.user)


def import_job(request, pk):
    job = _job(request, pk)
    show = request.GET.get("zeigen", "alle")
    rows = selectors.import_preview_rows(job, errors_only=show == "fehler")
    page = Paginator(rows, PREVIEW_PAGE_SIZE).get_page(request.GET.get("seite"))
    context = {
        "job": job,
        "processed": imports.import_job_progress(job),
        "page": page,
        "show": show,
        "running": job.status
        in (ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.IMPORTING),
        "can_confirm": job.status == ImportStatus.CHECKED and not job.result.get("has_errors"),
        "can_undo": job.status == ImportStatus.DONE and job.written_at is not None,
        "export_center": next(
            iter(centers_for(request.user, Capability.EXPORT_STAFFING).order_by("name")[:1]), None
        )
        if job.status == ImportStatus.DONE
        else None,
    }
    if request.htmx:
        response = render(request, "staffing/_import_progress.html", context)
        if not context["running"]:
            # Finished: load the whole page with the preview rows.
            response["HX-Refresh"] = "true"
        return response
    return render(request, "staffing/import_job.html", context)


def _job_action(request, pk, service, *, success: str | None = None):
    """A POST on a job: the service, its refusal as a message, back to the job page."""
    job = _job(request, pk)

    def perform():
        service(job=job, user=request.user)
        return job

    return run_action(request, perform, success=success, back=job)


@require_POST
def import_confirm(request, pk):
    return _job_action(request, pk, imports.import_job_confirm)


@require_POST
def import_retry(request, pk):
    return _job_action(
        request, pk, imports.import_job_retry, success=_("Der Import wurde erneut gestartet.")
    )


@require_POST
def import_undo(request, pk):
    return _job_action(
        request, pk, imports.import_job_undo, success=_("Der Import wurde rückgängig gemacht.")
    )
