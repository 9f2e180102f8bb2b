"""Thin views: resolve through the scoped selectors (404 outside the user's
scope), validate with a form, call a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import TemplateView
from django_filters.views import FilterView
from django_htmx.http import HttpResponseClientRedirect

from centers.access import (
    Capability,
    center_perms,
    centers_for,
    has_state_perm,
    holds_anywhere,
    require_center,
    scoped,
)
from centers.service_views import run_action, submit_form
from centers.workflow.transitions import timeline
from centers.workflow.views import TransitionView

from . import selectors, services
from .filters import OverviewFilter, PlanFilter, VerbundFilter
from .forms import (
    AllocationForm,
    CommentForm,
    FocusDeleteForm,
    FocusForm,
    PlanForm,
    ResolveForm,
    VerbundCopyForm,
)
from .models import (
    DeploymentPlan,
    Focus,
    FocusAllocation,
    PlanEventKind,
    PlanStatus,
    ReviewComment,
)
from .periods import current_period
from .workflows import PLAN

# --- helpers ------------------------------------------------------------------------


def _plan(request, pk, perm=Capability.VIEW_PLAN) -> DeploymentPlan:
    return get_object_or_404(selectors.plans_visible_to(request.user, perm), pk=pk)


def _focus(request, pk, perm=Capability.VIEW_PLAN) -> Focus:
    return get_object_or_404(
        scoped(
            Focus.objects.select_related("plan__center", "copied_from__plan__center"),
            request.user,
            perm,
            center_field="plan__center",
        ),
        pk=pk,
    )


def plan_capabilities(user, plan: DeploymentPlan) -> dict:
    """What the plan page offers this user (templates stay free of permission logic).
    The workflow's steps come from its declaration (``deployment.workflows.PLAN``)."""
    perms = center_perms(user, plan.center)
    transitions = PLAN.links(user, plan, perms)
    names = {t["name"] for t in transitions}
    return {
        "transitions": transitions,
        "edit": Capability.EDIT_PLAN_DRAFT in perms and plan.is_editable,
        "submit": "submit" in names,
        "report": "report" in names,
        "new_version": Capability.SUBMIT_PLAN in perms
        and plan.is_current
        and plan.status in PlanStatus.agreed_or_later(),
        "comment": services.comment_author_kind(user, plan.center) is not None,
        "escalate": Capability.SUBMIT_PLAN in perms,
        "resolve": Capability.REVIEW_PLAN in perms,
        "allocations": Capability.VIEW_STAFFING in perms,
    }


def _form_errors_as_messages(request, form) -> None:
    """A form posted from the plan page: its German errors above the plan."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _redirect_plan(plan, anchor=""):
    return HttpResponseRedirect(plan.get_absolute_url() + (f"#{anchor}" if anchor else ""))


# --- plans ----------------------------------------------------------------------------


class PlanListView(FilterView):
    template_name = "deployment/plan_list.html"
    filterset_class = PlanFilter
    context_object_name = "plans"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not holds_anywhere(request.user, Capability.VIEW_PLAN):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.plan_list_for(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period = current_period()
        context["period"] = period
        context["startable"] = list(
            centers_for(self.request.user, Capability.EDIT_PLAN_DRAFT)
            .exclude(deployment_plans__period_start=period.start)
            .order_by("name")[:60]
        )
        context["state_overview"] = has_state_perm(self.request.user, Capability.VIEW_PLAN)
        return context


@require_POST
def plan_create(request, key):
    center = require_center(request.user, Capability.EDIT_PLAN_DRAFT, key)
    return run_action(
        request,
        lambda: services.plan_create(
            center=center, user=request.user, copy_previous=request.POST.get("copy") != "0"
        ),
        success=_("Das Einsatzmanagement wurde angelegt."),
        back="deployment:plan_list",
    )


class PlanDetailView(TemplateView):
    template_name = "deployment/plan_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = _plan(self.request, kwargs["pk"])
        can = plan_capabilities(self.request.user, plan)
        foci = list(selectors.plan_foci(plan))
        staff_time = selectors.allocation_overview(plan, foci=foci)
        time = staff_time.focus_time
        comments = selectors.plan_comments(plan)
        events = list(timeline(plan))
        return_reason = ""
        if plan.status == PlanStatus.RETURNED:
            returned = [e for e in events if e.kind == PlanEventKind.RETURNED]
            return_reason = returned[-1].note if returned else ""
        context.update(
            plan=plan,
            center=plan.center,
            can=can,
            foci=[(f, time.get(f.pk)) for f in foci],
            staff_time=staff_time,
            comments=comments,
            open_conflicts=[c for c in comments if c.is_open_conflict],
            events=events,
            return_reason=return_reason,
            revisions=selectors.plan_revisions(plan),
            comment_form=CommentForm(plan=plan, foci=foci) if can["comment"] else None,
            resolve_form=ResolveForm(),
        )
        return context


def plan_edit(request, pk):
    plan = _plan(request, pk, Capability.EDIT_PLAN_DRAFT)
    form = PlanForm(request.POST or None, instance=plan)
    done = submit_form(
        request,
        form,
        lambda: services.plan_update(
            plan=plan,
            user=request.user,
            data=form.cleaned_data,
            expected_version=form.expected_version,
        ),
        success=_("Die Angaben wurden gespeichert."),
    )
    if done:
        return done
    if request.method == "GET" and not plan.is_editable:
        messages.error(request, _("Dieses Einsatzmanagement kann nicht mehr bearbeitet werden."))
        return _redirect_plan(plan)
    return render(request, "deployment/plan_form.html", {"plan": plan, "form": form})


def plan_transition(name: str):
    """The confirmation page of one of the plan's declared transitions."""
    return TransitionView.as_view(
        workflow=PLAN,
        transition=name,
        lookup=lambda request, perm, pk: _plan(request, pk, perm),
        extra_context_for=_plan_breadcrumbs,
    )


def _plan_breadcrumbs(plan: DeploymentPlan) -> dict:
    return {
        "center": plan.center,
        "breadcrumbs": [(_("Einsatzmanagement"), reverse("deployment:plan_list"))],
        "object_label": _("Einsatzmanagement %(period)s des Zentrums %(center)s, Fassung %(rev)s")
        % {"period": plan.period.label, "center": plan.center.name, "rev": plan.revision},
    }


@require_POST
def plan_new_version(request, pk):
    """Not a transition of this plan but a new revision of it (the agreed one stays)."""
    plan = _plan(request, pk, Capability.SUBMIT_PLAN)
    return run_action(
        request,
        lambda: services.plan_new_version(plan=plan, user=request.user),
        success=_(
            "Eine neue Fassung wurde als Entwurf angelegt. Sie muss erneut ins Benehmen gesetzt "
            "werden."
        ),
        back=_redirect_plan(plan, "workflow"),
    )


# --- Schwerpunkte ---------------------------------------------------------------------


def focus_create(request, pk):
    plan = _plan(request, pk, Capability.EDIT_PLAN_DRAFT)
    form = FocusForm(request.POST or None)
    done = submit_form(
        request,
        form,
        lambda: _redirect_plan(
            plan,
            f"focus-{services.focus_create(plan=plan, user=request.user, data=form.cleaned_data).pk}",
        ),
        success=_("Der Schwerpunkt wurde angelegt."),
    )
    return done or render(request, "deployment/focus_form.html", {"plan": plan, "form": form})


def _focus_fragment(request, focus, can):
    time = selectors.focus_time_totals(focus.plan).get(focus.pk)
    # After an htmx swap the keyboard focus goes to the Schwerpunkt's heading.
    return render(
        request,
        "deployment/_focus.html",
        {"focus": focus, "time": time, "can": can, "swapped": True},
    )


def focus_detail(request, pk):
    focus = _focus(request, pk)
    can = plan_capabilities(request.user, focus.plan)
    if request.htmx:
        return _focus_fragment(request, focus, can)
    return _redirect_plan(focus.plan, f"focus-{focus.pk}")


def focus_edit(request, pk):
    """Inline (htmx) or full-page editing of one Schwerpunkt; saves only that one."""
    focus = _focus(request, pk, Capability.EDIT_PLAN_DRAFT)
    plan = focus.plan
    if not plan.is_editable:
        messages.error(request, _("Dieses Einsatzmanagement kann nicht mehr bearbeitet werden."))
        if request.htmx:
            # Reload the whole page: the plan changed state meanwhile.
            return HttpResponseClientRedirect(plan.get_absolute_url())
        return _redirect_plan(plan)
    form = FocusForm(request.POST or None, instance=focus)

    def perform():
        saved = services.focus_update(
            focus=focus,
            user=request.user,
            data=form.cleaned_data,
            expected_version=form.expected_version,
        )
        if request.htmx:
            return _focus_fragment(request, saved, plan_capabilities(request.user, plan))
        return _redirect_plan(plan, f"focus-{saved.pk}")

    done = submit_form(
        request,
        form,
        perform,
        success=None if request.htmx else _("Der Schwerpunkt wurde gespeichert."),
    )
    if done:
        return done
    template = "deployment/_focus_form.html" if request.htmx else "deployment/focus_form.html"
    return render(request, template, {"plan": plan, "focus": focus, "form": form})


@require_http_methods(["GET", "POST"])
def focus_delete(request, pk):
    """Asks once: GET shows what will be removed (or why it cannot be), the POST of that
    page (with the Schwerpunkt's version) removes it."""
    focus = _focus(request, pk, Capability.EDIT_PLAN_DRAFT)
    plan = focus.plan
    form = FocusDeleteForm(
        request.POST if request.method == "POST" else None,
        initial={"expected_version": focus.version},
    )

    def perform():
        services.focus_delete(
            focus=focus, user=request.user, expected_version=form.expected_version
        )
        return _redirect_plan(plan, "foci")

    done = submit_form(
        request,
        form,
        perform,
        success=_("Der Schwerpunkt „%(title)s“ wurde entfernt.") % {"title": focus.title},
    )
    if done:
        return done
    refusal = services.focus_delete_refusal(focus)
    if not plan.is_editable:
        refusal = _("Dieses Einsatzmanagement kann nicht mehr bearbeitet werden.")
    return render(
        request,
        "deployment/focus_delete.html",
        {"plan": plan, "focus": focus, "form": form, "refusal": refusal},
    )


# --- comments and conflicts --------------------------------------------------------------


@require_POST
def comment_add(request, pk):
    plan = _plan(request, pk)
    if services.comment_author_kind(request.user, plan.center) is None:
        raise Http404
    form = CommentForm(request.POST, plan=plan)
    if not form.is_valid():
        _form_errors_as_messages(request, form)
        return _redirect_plan(plan, "comments")
    parent = None
    if form.cleaned_data["parent"]:
        parent = get_object_or_404(ReviewComment, pk=form.cleaned_data["parent"], plan=plan)

    def perform():
        comment = services.comment_add(
            plan=plan,
            user=request.user,
            text=form.cleaned_data["text"],
            focus=form.cleaned_data["focus"],
            parent=parent,
        )
        return _redirect_plan(plan, f"comment-{comment.parent_id or comment.pk}")

    return run_action(
        request,
        perform,
        success=_("Ihr Kommentar wurde gespeichert."),
        back=_redirect_plan(plan, "comments"),
    )


def _comment(request, pk, perm) -> ReviewComment:
    return get_object_or_404(
        scoped(
            ReviewComment.objects.select_related("plan__center"),
            request.user,
            perm,
            center_field="plan__center",
        ),
        pk=pk,
    )


@require_POST
def comment_escalate(request, pk):
    comment = _comment(request, pk, Capability.SUBMIT_PLAN)
    here = _redirect_plan(comment.plan, f"comment-{comment.pk}")

    def perform():
        services.comment_escalate(comment=comment, user=request.user)
        return here

    return run_action(
        request,
        perform,
        success=_("Der Konflikt wurde an die Schulaufsicht gegeben."),
        back=here,
    )


@require_POST
def comment_resolve(request, pk):
    comment = _comment(request, pk, Capability.REVIEW_PLAN)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        _form_errors_as_messages(request, form)
        return _redirect_plan(comment.plan, f"comment-{comment.pk}")
    here = _redirect_plan(comment.plan, f"comment-{comment.pk}")

    def perform():
        services.comment_resolve(
            comment=comment, user=request.user, resolution=form.cleaned_data["resolution"]
        )
        return here

    return run_action(
        request, perform, success=_("Der Konflikt ist als geklärt vermerkt."), back=here
    )


# --- LaSI overview ---------------------------------------------------------------------


class StateOverviewView(TemplateView):
    """Every centre's plan for the current period at a glance; missing plans stand out."""

    template_name = "deployment/state_overview.html"

    def dispatch(self, request, *args, **kwargs):
        if not has_state_perm(request.user, Capability.VIEW_PLAN):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period = current_period()
        form = OverviewFilter(self.request.GET or None)
        centers = centers_for(self.request.user, Capability.VIEW_PLAN)
        region = status = ""
        if form.is_valid():
            region = form.cleaned_data["region"]
            status = form.cleaned_data["status"]
        if region:
            centers = centers.filter(sponsor__region=region)
        rows = selectors.state_overview(period, centers)
        counts = {s: 0 for s, _label in PlanStatus.choices}
        missing = 0
        for row in rows:
            if row.plan is None:
                missing += 1
            else:
                counts[row.plan.status] += 1
        if status == "missing":
            rows = [r for r in rows if r.plan is None]
        elif status:
            rows = [r for r in rows if r.plan is not None and r.plan.status == status]
        context.update(
            period=period,
            form=form,
            rows=rows,
            missing=missing,
            counts=[(label, counts[s]) for s, label in PlanStatus.choices],
        )
        return context


# --- Verbund (Nr. 5) ----------------------------------------------------------------------


def _require_verbund(user):
    if not holds_anywhere(user, Capability.USE_VERBUND):
        raise PermissionDenied


class VerbundListView(FilterView):
    template_name = "deployment/verbund_list.html"
    filterset_class = VerbundFilter
    context_object_name = "foci"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _require_verbund(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.foci_shared_in_verbund(self.request.user)


def verbund_focus(request, pk):
    _require_verbund(request.user)
    focus = get_object_or_404(selectors.foci_shared_in_verbund(request.user), pk=pk)
    plans = selectors.draft_plans_for(request.user)
    form = VerbundCopyForm(plans=plans)
    return render(
        request,
        "deployment/verbund_focus.html",
        {"focus": focus, "copy_form": form, "can_copy": plans.exists()},
    )


@require_POST
def verbund_copy(request, pk):
    _require_verbund(request.user)
    if not holds_anywhere(request.user, Capability.EDIT_PLAN_DRAFT):
        raise PermissionDenied
    focus = get_object_or_404(selectors.foci_shared_in_verbund(request.user), pk=pk)
    form = VerbundCopyForm(request.POST, plans=selectors.draft_plans_for(request.user))
    if not form.is_valid():
        messages.error(
            request,
            _("Bitte wählen Sie ein eigenes Einsatzmanagement im Entwurf als Ziel."),
        )
        return redirect("deployment:verbund_focus", pk=focus.pk)

    def perform():
        copy = services.verbund_copy(
            focus=focus, target_plan=form.cleaned_data["target_plan"], user=request.user
        )
        return HttpResponseRedirect(
            reverse("deployment:plan_detail", kwargs={"pk": copy.plan_id}) + f"#focus-{copy.pk}"
        )

    return run_action(
        request,
        perform,
        success=_(
            "„%(title)s“ wurde in Ihr Einsatzmanagement übernommen. Passen Sie ihn an Ihre "
            "Kommune an."
        )
        % {"title": focus.title},
        back=redirect("deployment:verbund_focus", pk=focus.pk),
    )


# --- staff time ------------------------------------------------------------------------


def allocations(request, pk):
    """Per person and post: the allocated share vs. the assignment's FTE. Names appear
    only here, for those who may see the staffing list of the centre."""
    plan = _plan(request, pk, Capability.VIEW_STAFFING)
    can = plan_capabilities(request.user, plan)
    assignments = selectors.plan_assignments(plan)
    form = None
    if can["edit"]:
        form = AllocationForm(request.POST or None, plan=plan, assignments=assignments)

        def perform():
            services.allocation_set(
                focus=form.cleaned_data["focus"],
                assignment=form.cleaned_data["assignment"],
                fte=form.cleaned_data["fte"],
                user=request.user,
            )
            return redirect("deployment:allocations", pk=plan.pk)

        done = submit_form(
            request, form, perform, success=_("Der Stellenanteil wurde gespeichert.")
        )
        if done:
            return done
    elif request.method == "POST":
        messages.error(
            request, _("Der Personaleinsatz dieses Einsatzmanagements ist schreibgeschützt.")
        )
        return redirect("deployment:allocations", pk=plan.pk)
    return render(
        request,
        "deployment/allocations.html",
        {
            "plan": plan,
            "center": plan.center,
            "can": can,
            "form": form,
            "overview": selectors.allocation_overview(plan),
        },
    )


@require_POST
def allocation_delete(request, pk):
    allocation = get_object_or_404(
        scoped(
            FocusAllocation.objects.select_related("focus__plan__center"),
            request.user,
            Capability.EDIT_PLAN_DRAFT,
            center_field="focus__plan__center",
        ),
        pk=pk,
    )
    plan = allocation.focus.plan

    def perform():
        services.allocation_delete(allocation=allocation, user=request.user)
        return redirect("deployment:allocations", pk=plan.pk)

    return run_action(
        request,
        perform,
        success=_("Der Stellenanteil wurde entfernt."),
        back=redirect("deployment:allocations", pk=plan.pk),
    )
