"""Permission entries for the Einsatzmanagement (issue 5)."""

from centers.models import Role
from deployment.models import DeploymentPlan, PlanStatus
from tests import factories
from tests.deployment import factories as f

from .registry import Route, ok

R = Role
PLAN_READERS = (R.CENTER_LEAD, R.CENTER_STAFF, R.SPONSOR, R.SCHOOL_AUTHORITY, R.LASI, R.MINISTRY)
EDITORS = (R.CENTER_LEAD, R.CENTER_STAFF, R.MINISTRY)
LEADS = (R.CENTER_LEAD, R.MINISTRY)
REVIEWERS = (R.SCHOOL_AUTHORITY, R.MINISTRY)
VERBUND = (R.CENTER_LEAD, R.CENTER_STAFF, R.LASI, R.MINISTRY)


def _plan(status=PlanStatus.DRAFT):
    def build(center, **_):
        return {"pk": f.make_plan(center, status=status).pk}

    return build


def _focus(center, **_):
    plan = f.make_plan(center)
    return {"pk": plan.foci.filter(basic_component="").get().pk}


def _comment(escalated):
    def build(center, **_):
        plan = f.make_plan(center, status=PlanStatus.SUBMITTED)
        author = factories.UserFactory()
        return {"pk": f.make_comment(plan, author, escalated=escalated).pk}

    return build


def _allocation(center, **_):
    plan = f.make_plan(center)
    assignment = f.make_assignment(center)
    focus = plan.foci.filter(basic_component="").get()
    return {"pk": f.make_allocation(focus, assignment).pk}


def _shared_focus_of_bonn(center, **_):
    f.make_plan(center)  # Köln's draft: the copy's target
    bonn = f.make_plan(factories.center("05314"), shared=True)
    return {"pk": bonn.foci.get(shared=True).pk}


def _koeln_draft(kw):
    plan = DeploymentPlan.objects.get(center__key="05315", is_current=True)
    return {"target_plan": plan.pk}


ROUTES = [
    Route("deployment:plan_list", allowed=ok(*PLAN_READERS), denied=403, scoped=False),
    Route("deployment:state_overview", allowed=ok(R.LASI, R.MINISTRY), denied=403, scoped=False),
    Route(
        "deployment:plan_create",
        kwargs=lambda center, **_: {"key": center.key},
        method="post",
        allowed=ok(*EDITORS, status=302),
    ),
    Route("deployment:plan_detail", kwargs=_plan(), allowed=ok(*PLAN_READERS)),
    Route("deployment:plan_edit", kwargs=_plan(), allowed=ok(*EDITORS)),
    # The transitions' confirmation pages (centers.workflow.views.TransitionView).
    Route("deployment:plan_submit", kwargs=_plan(), allowed=ok(*LEADS)),
    Route("deployment:plan_return", kwargs=_plan(PlanStatus.SUBMITTED), allowed=ok(*REVIEWERS)),
    Route("deployment:plan_agree", kwargs=_plan(PlanStatus.SUBMITTED), allowed=ok(*REVIEWERS)),
    Route("deployment:plan_report", kwargs=_plan(PlanStatus.AGREED), allowed=ok(*LEADS)),
    Route(
        "deployment:plan_acknowledge",
        kwargs=_plan(PlanStatus.REPORTED),
        allowed=ok(R.LASI, R.MINISTRY),
    ),
    Route(
        "deployment:plan_new_version",
        kwargs=_plan(PlanStatus.AGREED),
        method="post",
        allowed=ok(*LEADS, status=302),
    ),
    Route("deployment:focus_create", kwargs=_plan(), allowed=ok(*EDITORS)),
    Route(
        "deployment:comment_add",
        kwargs=_plan(PlanStatus.SUBMITTED),
        method="post",
        data=lambda kw: {"text": "Bitte prüfen."},
        allowed=ok(
            R.CENTER_LEAD, R.CENTER_STAFF, R.SCHOOL_AUTHORITY, R.LASI, R.MINISTRY, status=302
        ),
    ),
    # Without htmx the single Schwerpunkt redirects to its place in the plan.
    Route("deployment:focus_detail", kwargs=_focus, allowed=ok(*PLAN_READERS, status=302)),
    Route("deployment:focus_edit", kwargs=_focus, allowed=ok(*EDITORS)),
    # The confirmation page (issue 15); the POST from it carries the lock.
    Route("deployment:focus_delete", kwargs=_focus, allowed=ok(*EDITORS)),
    Route(
        "deployment:comment_escalate",
        kwargs=_comment(escalated=False),
        method="post",
        allowed=ok(*LEADS, status=302),
    ),
    Route(
        "deployment:comment_resolve",
        kwargs=_comment(escalated=True),
        method="post",
        data=lambda kw: {"resolution": "Im Gespräch geklärt."},
        allowed=ok(*REVIEWERS, status=302),
    ),
    Route(
        "deployment:allocations",
        kwargs=_plan(),
        allowed=ok(R.CENTER_LEAD, R.CENTER_STAFF, R.SPONSOR, R.LASI, R.MINISTRY),
    ),
    Route(
        "deployment:allocation_delete",
        kwargs=_allocation,
        method="post",
        allowed=ok(*EDITORS, status=302),
    ),
    Route("deployment:verbund", allowed=ok(*VERBUND), denied=403, scoped=False),
    Route(
        "deployment:verbund_focus",
        kwargs=_shared_focus_of_bonn,
        allowed=ok(*VERBUND),
        denied=403,
        scoped=False,
    ),
    Route(
        "deployment:verbund_copy",
        kwargs=_shared_focus_of_bonn,
        method="post",
        data=_koeln_draft,
        allowed=ok(*EDITORS, status=302),
        denied=403,
        scoped=False,
    ),
]
