"""Reports: request, progress (htmx polling), download, retry, submit, acknowledge;
and the dashboards with server-side SVG charts.

Views are thin: objects come through ``selectors`` (404 outside the user's
scope), changes through ``services``. Files are streamed by an access-checked
view; there is no public URL for MEDIA_ROOT.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from centers import dataversion
from centers.access import (
    Capability,
    CenterPermissionMixin,
    StatePermissionMixin,
    center_perms,
    has_center_perm,
    has_state_perm,
    scoped,
)
from centers.service_views import run_action
from centers.workflow.transitions import timeline
from centers.workflow.views import TransitionView
from deployment.periods import current_period
from staffing.models import PostKind

from . import charts, content, selectors, services, sources
from .filters import ReportFilter
from .forms import ReportRequestForm
from .models import Report, ReportKind
from .workflows import REPORT


class ReportListView(FilterView):
    template_name = "reporting/report_list.html"
    filterset_class = ReportFilter
    context_object_name = "reports"
    paginate_by = 50
    max_center_links = 12

    def get_queryset(self):
        return selectors.reports_visible_to(self.request.user).order_by("-requested_at", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["may_request_state"] = services.may_request_state_overview(user)
        context["may_see_state_dashboard"] = has_state_perm(user, Capability.VIEW_STATE_OVERVIEW)
        context["form"] = ReportRequestForm()
        # A centre user's own centres (a Schulamt has a few): one link each.
        centers = list(selectors.report_centers_for(user)[: self.max_center_links + 1])
        context["centers"] = centers if len(centers) <= self.max_center_links else []
        return context


class CenterReportsView(CenterPermissionMixin, TemplateView):
    """A centre's reports, all versions, and the request form for the KI-Leitung."""

    permission_required = Capability.VIEW_REPORTS
    template_name = "reporting/center_reports.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        center = self.get_center()
        context["reports"] = selectors.reports_of_center(self.request.user, center)
        context["form"] = kwargs.get("form") or ReportRequestForm()
        return context


class ReportRequestView(CenterPermissionMixin, View):
    permission_required = Capability.VIEW_REPORTS

    def post(self, request, key):
        center = self.get_center()
        form = ReportRequestForm(request.POST)
        if not has_center_perm(request.user, Capability.REQUEST_REPORT, center):
            raise PermissionDenied
        if not form.is_valid():
            view = CenterReportsView(request=request, kwargs={"key": key})
            view.setup(request, key=key)
            return view.render_to_response(view.get_context_data(form=form), status=400)
        period = form.cleaned_data["period"]
        report = services.report_request(
            center=center, period_start=period.start, period_end=period.end, user=request.user
        )
        messages.success(request, _("Der Bericht wird erstellt."))
        return redirect(report)


class StateOverviewRequestView(View):
    def post(self, request):
        if not services.may_request_state_overview(request.user):
            raise PermissionDenied
        form = ReportRequestForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Bitte wählen Sie einen gültigen Zeitraum."))
            return redirect("reporting:list")
        period = form.cleaned_data["period"]
        report = services.state_overview_request(
            period_start=period.start, period_end=period.end, user=request.user
        )
        messages.success(request, _("Die landesweite Übersicht wird erstellt."))
        return redirect(report)


class ReportMixin:
    def get_object(self, queryset=None) -> Report:
        if not hasattr(self, "_report"):
            self._report = get_object_or_404(
                selectors.reports_visible_to(self.request.user), pk=self.kwargs["pk"]
            )
        return self._report

    def actions(self, report: Report) -> dict:
        """Retry (job control) and the workflow's steps from its declaration."""
        user = self.request.user
        if report.kind == ReportKind.STATE:
            may_request = services.may_request_state_overview(user)
            perms = frozenset()
        else:
            perms = center_perms(user, report.center)
            may_request = Capability.REQUEST_REPORT in perms
        return {
            "retry": may_request and (report.status == "failed" or report.failed_to_queue),
            "transitions": REPORT.links(user, report, perms) if report.center_id else [],
        }


class ReportDetailView(ReportMixin, DetailView):
    template_name = "reporting/report_detail.html"
    context_object_name = "report"

    def get_template_names(self):
        if self.request.htmx:
            return ["reporting/_status.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.object
        context["actions"] = self.actions(report)
        if not self.request.htmx:
            context["versions"] = selectors.versions_of(report).filter(
                pk__in=selectors.reports_visible_to(self.request.user).values("pk")
            )
            context["events"] = timeline(report)
        return context


class ReportStatusView(ReportDetailView):
    """The htmx fragment the progress page polls until the report is ready."""

    def get_template_names(self):
        return ["reporting/_status.html"]


class ReportDownloadView(ReportMixin, View):
    extension = "pdf"
    content_type = "application/pdf"

    def get(self, request, pk):
        report = self.get_object()
        field = report.file if self.extension == "pdf" else report.xlsx_file
        if not report.has_file or not field:
            raise Http404
        path = Path(settings.MEDIA_ROOT) / field.name
        if not path.is_file():
            raise Http404
        response = FileResponse(
            open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
            as_attachment=True,
            filename=report.download_name(self.extension),
            content_type=self.content_type,
        )
        response["Cache-Control"] = "private, no-store"
        if self.extension == "pdf":
            response["X-Content-SHA256"] = report.sha256
        return response


class ReportXlsxDownloadView(ReportDownloadView):
    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportRetryView(ReportMixin, View):
    """Job control, not a workflow step: render a failed report again."""

    def post(self, request, pk):
        report = self.get_object()
        return run_action(
            request,
            lambda: services.report_retry(report=report, user=request.user),
            success=_("Die Erstellung wurde erneut gestartet."),
            back=report,
        )


def _report_in_scope(request, perm, pk):
    """A centre report of a centre on which the user holds ``perm``; 404 otherwise."""
    return get_object_or_404(scoped(Report.objects.with_related(), request.user, perm), pk=pk)


def _report_breadcrumbs(report: Report) -> dict:
    return {
        "center": report.center,
        "breadcrumbs": [
            (_("Berichte"), reverse("reporting:list")),
            (report.center.name, reverse("reporting:center", kwargs={"key": report.center.key})),
        ],
        "object_label": _("Bericht %(period)s, Fassung %(number)s")
        % {"period": report.period_label, "number": report.number},
    }


def report_transition(name: str):
    """The confirmation page of one of the report's declared transitions."""
    return TransitionView.as_view(
        workflow=REPORT,
        transition=name,
        lookup=_report_in_scope,
        extra_context_for=_report_breadcrumbs,
    )


# --- dashboards -----------------------------------------------------------------------------


def _quarter_ends(today: datetime.date, count: int = 8) -> list[datetime.date]:
    days = []
    year, quarter = today.year, (today.month - 1) // 3
    for _i in range(count):
        if quarter == 0:
            year, quarter = year - 1, 4
        end_month = quarter * 3
        next_first = datetime.date(year + (end_month == 12), end_month % 12 + 1, 1)
        days.append(next_first - datetime.timedelta(days=1))
        quarter -= 1
    return [*reversed(days), today]


def vacancy_chart(center_ids, today: datetime.date, *, posts=None) -> tuple[charts.LineChart, list]:
    days = _quarter_ends(today)
    series = sources.open_fte_over_time(center_ids, days, posts=posts)
    labels = [d.strftime("%d.%m.%y") for d in days]
    chart = charts.LineChart(
        title=_("Unbesetzte Stellenanteile im Zeitverlauf"),
        description=_("Offene VZÄ je Stellenart zum Quartalsende und heute."),
        labels=labels,
        series=[charts.Series(str(k.label), [s[k.value] for s in series]) for k in PostKind],
        decimals=2,
    )
    rows = [(d, [s[k.value] for k in PostKind]) for d, s in zip(days, series, strict=True)]
    return chart, rows


class StateDashboardView(StatePermissionMixin, TemplateView):
    """LaSI, Bewilligung, Ministerium: the Verbund at a glance."""

    permission_required = Capability.VIEW_STATE_OVERVIEW
    template_name = "reporting/dashboard_state.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        # The same for every state user: figures and charts are drawn once per change of
        # the data (and day and language), not per request.
        context.update(
            dataversion.cached(
                f"state-dashboard:{today}:{get_language()}", lambda: self._figures(today)
            )
        )
        context["may_request_state"] = services.may_request_state_overview(self.request.user)
        return context

    @staticmethod
    def _figures(today: datetime.date) -> dict:
        centers = content.all_centers(today)
        ids = [c.pk for c in centers]
        # The posts once for both: today's figures and the open FTE over two years.
        posts = sources.posts_of(ids)
        figures = content.state_figures(centers, current_period(today), today, posts=posts)
        vchart, vrows = vacancy_chart(ids, today, posts=posts)
        return {
            **figures,
            "kind_labels": [str(k.label) for k in PostKind],
            "region_chart": content.region_fte_chart(figures["regions"]).svg(),
            "status_chart": content.plan_status_chart(figures["plan_status"]).svg(),
            "field_chart": content.field_chart(figures["fields"]).svg(),
            "vacancy_chart": vchart.svg(),
            "vacancy_rows": vrows,
        }


class CenterDashboardView(CenterPermissionMixin, TemplateView):
    """The KI's own figures: staffing against quota, vacancies, its plan."""

    permission_required = Capability.VIEW_REPORTS
    template_name = "reporting/dashboard_center.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        center = self.get_center()
        today = timezone.localdate()
        period = current_period(today)
        # The posts once for both, as on the state dashboard.
        posts = sources.posts_of([center.pk])
        staffing = sources.staffing_by_center([center], today, posts=posts)[center.pk]
        plan = sources.plans_by_center([center.pk], period).get(center.pk)
        fields = [f for f in sources.field_distribution([center.pk], period) if f["foci"]]
        vchart, vrows = vacancy_chart([center.pk], today, posts=posts)
        context.update(
            {
                "period": period,
                "staffing": staffing,
                "kinds": list(staffing.kinds.values()),
                "plan": plan,
                "fields": fields,
                "fte_chart": content.center_fte_chart(staffing).svg(),
                "field_chart": content.field_chart(fields).svg() if fields else "",
                "vacancy_chart": vchart.svg(),
                "vacancy_rows": vrows,
                "kind_labels": [str(k.label) for k in PostKind],
                "latest_reports": selectors.reports_of_center(self.request.user, center)[:5],
            }
        )
        return context
