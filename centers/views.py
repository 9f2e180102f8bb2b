from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from . import selectors, todo
from .access import (
    Capability,
    CenterPermissionMixin,
    capabilities_for,
    has_center_perm,
    has_state_perm,
)
from .filters import CenterFilter
from .models import Center


class DashboardView(TemplateView):
    """The landing page: a state overview, the district, or one's own centre."""

    def get_template_names(self):
        return [f"centers/dashboard_{self.kind}.html"]

    def get(self, request, *args, **kwargs):
        user = request.user
        self.centers = selectors.centers_visible_to(user, with_operating_status=True)
        if has_state_perm(user, Capability.VIEW_STATE_OVERVIEW):
            self.kind = "state"
        else:
            self.center_list = list(self.centers)
            # "My centre" is for the people of a centre (KI roles, Träger: they hold
            # view_staffing there); a Schulaufsicht with one centre still sees its district.
            own = len(self.center_list) == 1 and has_center_perm(
                user, Capability.VIEW_STAFFING, self.center_list[0]
            )
            self.kind = "center" if own else "district"
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["memberships"] = selectors.memberships_of(self.request.user)
        # What waits for this person leads every dashboard (issue 11); the navigation's
        # count reads the same list.
        context["tasks"] = todo.tasks_for_request(self.request)
        if self.kind == "state":
            regions = selectors.center_counts_by_region(self.request.user)
            context["regions"] = regions
            context["total"] = sum(r["total"] for r in regions)
            # Nr. 1.4 at a glance: which centres lack an approved concept or funding.
            context["operating"] = selectors.operating_overview(self.centers)
        elif self.kind == "center":
            center = self.center_list[0]
            context["center"] = center
            context["caps"] = capabilities_for(self.request.user, center)
            context["team"], context["authority_contacts"] = selectors.center_people(center)
            context["operating_status"] = selectors.center_operating_status(center)
            context["concept_summary"] = selectors.concept_summary(center)
        else:
            context["centers"] = self.center_list
            context["rows"] = selectors.with_operating_status_rows(self.center_list)
        return context


class CenterListView(FilterView):
    filterset_class = CenterFilter
    template_name = "centers/center_list.html"
    context_object_name = "centers"

    def get_queryset(self):
        return selectors.centers_visible_to(self.request.user, with_operating_status=True)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = selectors.with_operating_status_rows(context["centers"])
        return context


class CenterDetailView(CenterPermissionMixin, DetailView):
    model = Center
    template_name = "centers/center_detail.html"
    context_object_name = "center"

    def get_object(self, queryset=None):
        return self.get_center()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["team"], context["authority_contacts"] = selectors.center_people(self.object)
        context["operating_status"] = selectors.center_operating_status(self.object)
        context["concept_summary"] = selectors.concept_summary(self.object)
        return context


@login_not_required
@never_cache
def health(request):
    """Liveness and database check for the container healthcheck."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
