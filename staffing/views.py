"""Thin views: resolve the centre and objects through the user's scope (404 outside),
validate with a form, call a service, render. Capabilities, never roles."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from centers import dataversion
from centers.access import (
    Capability,
    capabilities_for,
    centers_for,
    has_state_perm,
    holds_anywhere,
    require_center,
)
from centers.locking import VersionForm
from centers.service_views import submit_form
from centers.workflow.transitions import timeline
from centers.workflow.views import TransitionView

from . import checks, information, selectors, services
from .filters import StateStaffingFilter
from .forms import (
    AssignmentEndForm,
    AssignmentForm,
    ExceptionProposeForm,
    MemberForm,
    PostEditForm,
    PostEndForm,
    PostForm,
    SensitiveForm,
)
from .models import (
    Assignment,
    Post,
    QualificationException,
    StaffMember,
)
from .workflows import EXCEPTION


def _context(request, center, **extra):
    return {"center": center, "caps": capabilities_for(request.user, center), **extra}


def _form_page(request, center, form, title, **extra) -> HttpResponse:
    """The shared form page; ``extra``: ``submit_label``, ``cancel_url``."""
    return render(
        request, "staffing/form.html", _context(request, center, form=form, title=title, **extra)
    )


def _post(request, center, pk, perm=Capability.VIEW_STAFFING) -> Post:
    return get_object_or_404(Post.objects.filter(center=center).select_related("center"), pk=pk)


def _member(request, center, pk) -> StaffMember:
    return get_object_or_404(
        StaffMember.objects.filter(center=center).select_related("center"), pk=pk
    )


def _assignment(request, center, pk) -> Assignment:
    return get_object_or_404(
        Assignment.objects.filter(post__center=center).select_related(
            "post", "post__center", "member"
        ),
        pk=pk,
    )


def home(request):
    """The navigation's "Personal": the page that fits the user's capabilities."""
    user = request.user
    if has_state_perm(user, Capability.VIEW_STAFFING):
        return redirect("staffing:state")
    centers = list(centers_for(user, Capability.VIEW_STAFFING).order_by("name")[:2])
    if len(centers) == 1:
        return redirect("staffing:center", key=centers[0].key)
    if holds_anywhere(user, Capability.VIEW_TEACHER_POSTS):
        return redirect("staffing:teacher_posts")
    raise PermissionDenied


# --- per centre ------------------------------------------------------------------------------


def center_overview(request, key):
    center = require_center(request.user, Capability.VIEW_STAFFING, key)
    approved, open_exceptions = selectors.center_exceptions(center)
    staffing = selectors.center_staffing(center, approved=approved)
    return render(
        request,
        "staffing/center.html",
        _context(
            request,
            center,
            staffing=staffing,
            members=selectors.center_members(center),
            open_exceptions=open_exceptions,
            deletions=selectors.center_deletions(center),
        ),
    )


def vacancies(request, key):
    center = require_center(request.user, Capability.VIEW_STAFFING, key)
    staffing = selectors.center_staffing(center)
    return render(request, "staffing/vacancies.html", _context(request, center, staffing=staffing))


def post_detail(request, key, pk):
    center = require_center(request.user, Capability.VIEW_STAFFING, key)
    post = _post(request, center, pk)
    return render(
        request,
        "staffing/post_detail.html",
        _context(request, center, **selectors.post_detail(post)),
    )


@require_http_methods(["GET", "POST"])
def post_create(request, key):
    center = require_center(request.user, Capability.MANAGE_STAFFING, key)
    form = PostForm(request.POST or None)

    def perform():
        post = form.save(commit=False)
        post.center = center
        return services.post_save(post=post, user=request.user)

    return submit_form(
        request, form, perform, success=_("Die Stelle wurde angelegt.")
    ) or _form_page(request, center, form, _("Stelle anlegen"))


def member_detail(request, key, pk):
    center = require_center(request.user, Capability.VIEW_STAFFING, key)
    member = _member(request, center, pk)
    return render(
        request,
        "staffing/member_detail.html",
        _context(
            request,
            center,
            may_see_sensitive=selectors.may_see_sensitive(request.user, center),
            may_export=information.may_export(request.user, center),
            **selectors.member_detail(member),
        ),
    )


@require_http_methods(["GET", "POST"])
def member_edit(request, key, pk=None):
    center = require_center(request.user, Capability.MANAGE_STAFFING, key)
    member = _member(request, center, pk) if pk else StaffMember(center=center)
    form = MemberForm(request.POST or None, instance=member)
    return submit_form(
        request,
        form,
        lambda: services.member_save(
            member=form.instance, user=request.user, expected_version=form.expected_version
        ),
        success=_("Die Angaben zur Person wurden gespeichert."),
    ) or _form_page(request, center, form, _("Person bearbeiten") if pk else _("Person anlegen"))


@require_http_methods(["GET", "POST"])
def member_sensitive(request, key, pk):
    """Nr. 3.4: shown and changed only by the centre's own KI-Leitung; every read is logged."""
    center = require_center(request.user, Capability.VIEW_STAFFING, key)
    if not selectors.may_see_sensitive(request.user, center):
        raise Http404
    member = _member(request, center, pk)
    form = SensitiveForm(request.POST or None)
    done = submit_form(
        request,
        form,
        lambda: services.member_save(
            member=member,
            user=request.user,
            expected_version=form.expected_version,
            immigration_history=form.cleaned_data["immigration_history"],
        ),
        success=_("Die Selbstauskunft wurde gespeichert."),
    )
    if done:
        return done
    if request.method == "GET":
        value = services.sensitive_value_read(member=member, user=request.user)
        form = SensitiveForm(initial={"immigration_history": value, "version": member.version})
    return render(
        request,
        "staffing/member_sensitive.html",
        _context(request, center, member=member, form=form),
    )


# --- assignments -------------------------------------------------------------------------


def _assignment_form(request, center, **kwargs):
    return AssignmentForm(
        request.POST or None,
        center=center,
        members=selectors.center_members(center),
        posts=Post.objects.filter(center=center).order_by("kind", "valid_from", "pk"),
        **kwargs,
    )


@require_http_methods(["GET", "POST"])
def assignment_create(request, key):
    center = require_center(request.user, Capability.MANAGE_STAFFING, key)
    initial = {k: request.GET[k] for k in ("member", "post") if k in request.GET}
    form = _assignment_form(request, center, initial=initial)

    def perform():
        data = form.cleaned_data
        return services.assignment_create(
            user=request.user,
            member=data["member"],
            post=data["post"],
            fte=data["fte"],
            start=data["start"],
            end=data["end"],
            role=data["role"],
            seconding_school=data["seconding_school"],
        ).member

    return submit_form(
        request, form, perform, success=_("Die Besetzung wurde angelegt.")
    ) or _form_page(request, center, form, _("Besetzung anlegen"))


@require_http_methods(["GET", "POST"])
def assignment_edit(request, key, pk):
    center = require_center(request.user, Capability.MANAGE_STAFFING, key)
    assignment = _assignment(request, center, pk)
    initial = {
        "post": assignment.post_id,
        "fte": assignment.fte,
        "start": assignment.start,
        "end": assignment.end,
        "role": assignment.role,
        "seconding_school": assignment.seconding_school,
        "version": assignment.version,
    }
    form = _assignment_form(request, center, initial=initial, editing=True)

    def perform():
        services.assignment_change(
            assignment=assignment,
            user=request.user,
            expected_version=form.expected_version,
            **form.service_fields(),
        )
        return assignment.member

    return submit_form(
        request, form, perform, success=_("Die Besetzung wurde geändert.")
    ) or _form_page(
        request, center, form, _("Besetzung ändern: {member}").format(member=assignment.member)
    )


@require_http_methods(["GET", "POST"])
def assignment_end(request, key, pk):
    center = require_center(request.user, Capability.MANAGE_STAFFING, key)
    assignment = _assignment(request, center, pk)
    form = AssignmentEndForm(
        request.POST or None,
        initial={"end": timezone.localdate(), "version": assignment.version},
    )

    def perform():
        services.assignment_end(
            assignment=assignment,
            user=request.user,
            end=form.cleaned_data["end"],
            expected_version=form.expected_version,
        )
        return assignment.member

    return submit_form(
        request, form, perform, success=_("Die Besetzung wurde beendet.")
    ) or _form_page(
        request, center, form, _("Besetzung beenden: {member}").format(member=assignment.member)
    )


# --- qualification exceptions --------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def exception_propose(request, key, pk):
    center = require_center(request.user, Capability.PROPOSE_EXCEPTION, key)
    member = _member(request, center, pk)
    form = ExceptionProposeForm(request.POST or None)

    def perform():
        services.exception_propose(
            member=member,
            kind=form.cleaned_data["kind"],
            reason=form.cleaned_data["reason"],
            user=request.user,
        )
        return member

    return submit_form(
        request,
        form,
        perform,
        success=_("Der Antrag auf eine Ausnahme wurde an den Träger gegeben."),
    ) or _form_page(
        request,
        center,
        form,
        _("Qualifikationsausnahme beantragen: {member}").format(member=member),
    )


def _exception(request, center, pk) -> QualificationException:
    return get_object_or_404(
        QualificationException.objects.filter(member__center=center).select_related(
            "member", "member__center", "proposed_by", "decided_by"
        ),
        pk=pk,
    )


@require_GET
def exception_decide(request, key, pk):
    """The Träger's page of one exception: the request, its timeline and the two
    decisions (each a confirmation page of the declared transition)."""
    center = require_center(request.user, Capability.DECIDE_EXCEPTION, key)
    exception = _exception(request, center, pk)
    context = _context(request, center, exception=exception, events=timeline(exception))
    context["transitions"] = EXCEPTION.links(request.user, exception, context["caps"].held)
    return render(request, "staffing/exception_decide.html", context)


def exception_transition(name: str):
    def lookup(request, perm, key, pk):
        return _exception(request, require_center(request.user, perm, key), pk)

    def context(exception):
        center = exception.member.center
        return {
            "center": center,
            "breadcrumbs": [
                (center.name, center.get_absolute_url()),
                (_("Personal"), reverse("staffing:center", kwargs={"key": center.key})),
                (str(exception.member), exception.member.get_absolute_url()),
            ],
            "object_label": _("Qualifikationsausnahme für %(person)s als %(kind)s")
            % {"person": exception.member, "kind": exception.get_kind_display()},
        }

    return TransitionView.as_view(
        workflow=EXCEPTION, transition=name, lookup=lookup, extra_context_for=context
    )


# --- Schulaufsicht and state ---------------------------------------------------------------


def teacher_posts(request):
    rows = selectors.teacher_posts_for(request.user)
    if not rows:
        raise PermissionDenied
    return render(request, "staffing/teacher_posts.html", {"rows": rows})


def state_overview(request):
    if not has_state_perm(request.user, Capability.VIEW_STAFFING):
        raise PermissionDenied
    qs = (
        centers_for(request.user, Capability.VIEW_STAFFING)
        .select_related("sponsor")
        .order_by("name")
    )
    filterset = StateStaffingFilter(request.GET or None, queryset=qs)
    centers = list(filterset.qs)
    rows = selectors.staffing_of(centers)
    if filterset.form.is_valid() and filterset.form.cleaned_data.get("with_warnings"):
        rows = [r for r in rows if r.warnings]
    return render(
        request,
        "staffing/state.html",
        {
            "filter": filterset,
            "rows": rows,
            # Both state-wide, the same for every state user: once per change of the data.
            "aggregate": dataversion.cached(
                "immigration-aggregate", selectors.immigration_aggregate
            ),
            "may_export": has_state_perm(request.user, Capability.EXPORT_STAFFING),
            # A state capability covers every centre; unfiltered, so no filter hides a repair.
            "violations": dataversion.cached(
                f"stored-violations:{get_language()}", checks.stored_violations
            ),
        },
    )


# --- correcting posts and assignments ------------------------------------------------------


@require_http_methods(["GET", "POST"])
def post_edit(request, key, pk):
    center = require_center(request.user, Capability.MANAGE_STAFFING, key)
    post = _post(request, center, pk)
    label = post.label  # the form writes the new values onto ``post`` while validating
    form = PostEditForm(request.POST or None, instance=post)
    return submit_form(
        request,
        form,
        lambda: services.post_save(
            post=form.instance, user=request.user, expected_version=form.expected_version
        ),
        success=_("Die Stelle wurde geändert."),
    ) or _form_page(
        request,
        center,
        form,
        _("Stelle bearbeiten: {post}").format(post=label),
        cancel_url=reverse("staffing:post", kwargs={"key": center.key, "pk": pk}),
    )


@require_http_methods(["GET", "POST"])
def post_end(request, key, pk):
    center = require_center(request.user, Capability.MANAGE_STAFFING, key)
    post = _post(request, center, pk)
    form = PostEndForm(
        request.POST or None,
        initial={"valid_to": post.valid_to or timezone.localdate(), "version": post.version},
    )
    return submit_form(
        request,
        form,
        lambda: services.post_end(
            post=post,
            user=request.user,
            end=form.cleaned_data["valid_to"],
            expected_version=form.expected_version,
            end_assignments=form.cleaned_data["end_assignments"],
        ),
        success=_("Die Stelle wurde beendet."),
    ) or _form_page(
        request,
        center,
        form,
        _("Stelle beenden: {post}").format(post=post.label),
        submit_label=_("Stelle beenden"),
        cancel_url=post.get_absolute_url(),
    )


def _confirm_delete(request, center, obj, *, delete, target, success, refusal, **page):
    """GET shows what will be deleted (or why it cannot be); POST calls ``delete(version)``
    and goes to ``target``."""
    form = VersionForm(request.POST or None, initial={"version": obj.version})
    done = submit_form(
        request,
        form,
        lambda: delete(form.expected_version) or target,
        success=success,
    )
    if done:
        return done
    return render(
        request,
        "staffing/confirm_delete.html",
        _context(request, center, form=form, refusal=refusal, **page),
    )


@require_http_methods(["GET", "POST"])
def post_delete(request, key, pk):
    center = require_center(request.user, Capability.MANAGE_STAFFING, key)
    post = _post(request, center, pk)
    return _confirm_delete(
        request,
        center,
        post,
        delete=lambda version: services.post_delete(
            post=post, user=request.user, expected_version=version
        ),
        target=reverse("staffing:center", kwargs={"key": center.key}),
        success=_("Die Stelle „{post}“ wurde gelöscht.").format(post=post.label),
        refusal=services.post_delete_refusal(post),
        title=_("Stelle löschen: {post}").format(post=post.label),
        post=post,
        submit_label=_("Stelle endgültig löschen"),
        cancel_url=post.get_absolute_url(),
    )


@require_http_methods(["GET", "POST"])
def assignment_delete(request, key, pk):
    center = require_center(request.user, Capability.MANAGE_STAFFING, key)
    assignment = _assignment(request, center, pk)
    return _confirm_delete(
        request,
        center,
        assignment,
        delete=lambda version: services.assignment_delete(
            assignment=assignment, user=request.user, expected_version=version
        ),
        target=assignment.member.get_absolute_url(),
        success=_("Die Besetzung von {member} auf „{post}“ wurde gelöscht.").format(
            member=assignment.member, post=assignment.post.label
        ),
        refusal=services.assignment_delete_refusal(assignment),
        title=_("Besetzung löschen: {member}").format(member=assignment.member),
        assignment=assignment,
        submit_label=_("Besetzung endgültig löschen"),
        cancel_url=assignment.member.get_absolute_url(),
    )
