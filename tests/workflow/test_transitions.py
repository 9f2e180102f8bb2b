"""Generated from the declared transitions (``centers.workflow``): for every transition of
every workflow, a user with its capability moves the object and leaves a timeline entry;
a stale version is a conflict; a user without the capability is refused (service: 403,
page: 404); a state outside the sources, a missing reason and each declared
precondition block and change nothing.

A new transition needs no new test here; a new workflow needs its builders in
``BUILDERS``."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from centers.access import ROLE_PERMISSIONS
from centers.locking import ConflictError
from centers.models import Role
from centers.services import DecisionLine
from centers.workflow.transitions import REQUIRED_NOTE, transition_apply, workflows
from reporting.funding.services import PlanLine
from staffing.models import QualificationException
from tests.concepts.helpers import make_concept
from tests.deployment.factories import make_comment, make_plan
from tests.factories import UserFactory
from tests.funding.factories import make_application, make_drawdown, make_proof
from tests.reporting.factories import report
from tests.staffing.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db


def _exception(center, state):
    return QualificationException.objects.create(
        member=StaffMemberFactory(center=center),
        kind="specialist",
        reason="Berufserfahrung in der Migrationsberatung",
        proposed_by=UserFactory(),
        proposed_on=datetime.date(2025, 1, 1),
        status=state,
    )


def _plan_with_open_conflict(center, state):
    plan = make_plan(center, status=state)
    make_comment(plan, UserFactory(), escalated=True)
    return plan


def _empty_application(center, state):
    application = make_application(center, status=state, decided=False)
    application.lines.update(amount=0, posts=0)
    return application


def _bescheid_data(application) -> dict:
    lines = [
        PlanLine(line_id=line.pk, posts=line.posts, amount=line.amount)
        for line in application.lines.all()
    ]
    by_id = {line.pk: line.budget_line for line in application.lines.select_related("budget_line")}
    return {
        "lines": [
            DecisionLine(budget_line=by_id[e.line_id], posts=e.posts, amount=e.amount)
            for e in lines
        ],
        "file_number": "36.03.04-05315/2026",
        "decided_on": datetime.date(2026, 1, 20),
    }


def _bescheid_form(application) -> dict:
    fields = {"file_number": "36.03.04-05315/2026", "decided_on": "20.01.2026"}
    for line in application.lines.all():
        fields[f"amount_{line.pk}"] = str(line.amount).replace(".", ",")
        if line.posts is not None:
            fields[f"posts_{line.pk}"] = str(line.posts).replace(".", ",")
    return fields


# Per workflow: an object in a state that every precondition accepts, and per
# transition with preconditions one that a precondition refuses.
BUILDERS = {
    "concept": {
        "ready": lambda center, state: make_concept(center, status=state, complete=True),
        "blocked": {
            "submit": lambda center, state: make_concept(center, status=state, complete=False),
        },
    },
    "plan": {
        "ready": lambda center, state: make_plan(center, status=state),
        "blocked": {
            "submit": lambda center, state: make_plan(center, status=state, foci=0),
            "agree": _plan_with_open_conflict,
        },
    },
    "exception": {"ready": _exception, "blocked": {}},
    "report": {"ready": lambda center, state: report(center, status=state), "blocked": {}},
    "application": {
        "ready": lambda center, state: make_application(center, status=state, decided=False),
        "blocked": {"submit": _empty_application},
        # The Bescheid's form: what the service takes besides the note, and the page's fields.
        "data": {"decide": (_bescheid_data, _bescheid_form)},
    },
    "drawdown": {"ready": lambda center, state: make_drawdown(center, status=state), "blocked": {}},
    "proof": {
        "ready": lambda center, state: make_proof(center, status=state),
        "blocked": {"submit": lambda center, state: make_proof(center, status=state, actual=False)},
        "data": {
            "reclaim": (
                lambda proof: {"repayment": Decimal("100")},
                lambda proof: {"repayment": "100,00"},
            )
        },
    },
}

CASES = [
    pytest.param(workflow, transition, id=f"{workflow.name}-{transition.name}")
    for workflow in workflows()
    if workflow.name in BUILDERS
    for transition in workflow.transitions
]
PRECONDITION_CASES = [
    pytest.param(workflow, transition, id=f"{workflow.name}-{transition.name}")
    for workflow in workflows()
    if workflow.name in BUILDERS
    for transition in workflow.transitions
    if transition.name in BUILDERS[workflow.name]["blocked"]
]


def test_every_workflow_has_builders_and_every_precondition_a_blocked_case():
    assert {w.name for w in workflows()} == set(BUILDERS)
    for workflow in workflows():
        if workflow.name not in BUILDERS:
            continue
        for transition in workflow.transitions:
            if transition.preconditions:
                assert transition.name in BUILDERS[workflow.name]["blocked"], transition.name


def _role_with(capability: str) -> str:
    return next(r for r in Role.values if r != Role.MINISTRY and capability in ROLE_PERMISSIONS[r])


def _role_without(capability: str) -> str:
    return next(r for r in Role.values if capability not in ROLE_PERMISSIONS[r])


def _ready(workflow, transition, center):
    return BUILDERS[workflow.name]["ready"](center, transition.sources[0])


def _note(transition) -> str:
    return "Begründung für den Test" if transition.note else ""


def _extra(workflow, transition):
    return BUILDERS[workflow.name].get("data", {}).get(transition.name)


def _apply(workflow, transition, obj, user, **overrides):
    kwargs = {"expected_version": obj.version, "note": _note(transition), **overrides}
    if extra := _extra(workflow, transition):
        kwargs["data"] = extra[0](obj)
    return transition_apply(workflow, transition.name, obj=obj, user=user, **kwargs)


def _state(workflow, obj) -> str:
    obj.refresh_from_db()
    return getattr(obj, workflow.state_field)


@pytest.mark.parametrize(("workflow", "transition"), CASES)
def test_the_capability_holder_moves_it_and_the_timeline_records_it(
    workflow, transition, home_center, user_as
):
    obj = _ready(workflow, transition, home_center)
    user = user_as(_role_with(transition.capability), home_center)
    _apply(workflow, transition, obj, user)
    assert _state(workflow, obj) == transition.target
    event = obj.events.order_by("-at", "-pk").first()
    assert (event.kind, event.actor) == (transition.event, user)
    assert event.get_kind_display() == str(workflow.events(transition.event).label)


@pytest.mark.parametrize(("workflow", "transition"), CASES)
def test_a_stale_version_is_a_conflict(workflow, transition, home_center, user_as):
    obj = _ready(workflow, transition, home_center)
    user = user_as(_role_with(transition.capability), home_center)
    with pytest.raises(ConflictError):
        _apply(workflow, transition, obj, user, expected_version=obj.version + 1)
    assert _state(workflow, obj) == transition.sources[0]


@pytest.mark.parametrize(("workflow", "transition"), CASES)
def test_without_the_capability_the_service_refuses_and_the_page_is_404(
    workflow, transition, home_center, user_as, client
):
    obj = _ready(workflow, transition, home_center)
    user = user_as(_role_without(transition.capability), home_center)
    with pytest.raises(PermissionDenied):
        _apply(workflow, transition, obj, user)
    assert _state(workflow, obj) == transition.sources[0]
    url = reverse(workflow.url_name.format(name=transition.name), args=workflow.url_args(obj))
    client.force_login(user)
    assert client.get(url).status_code == 404
    assert client.post(url, {"version": obj.version, "note": "x"}).status_code == 404
    assert _state(workflow, obj) == transition.sources[0]


@pytest.mark.parametrize(("workflow", "transition"), CASES)
def test_a_state_outside_the_sources_blocks(workflow, transition, home_center, user_as):
    states = [value for value, _label in workflow.model._meta.get_field("status").choices]
    other = next(s for s in states if s not in transition.sources)
    obj = BUILDERS[workflow.name]["ready"](home_center, other)
    user = user_as(_role_with(transition.capability), home_center)
    with pytest.raises(ValidationError, match="nicht möglich"):
        _apply(workflow, transition, obj, user)
    assert _state(workflow, obj) == other


@pytest.mark.parametrize(
    ("workflow", "transition"),
    [c for c in CASES if c.values[1].note == REQUIRED_NOTE],
)
def test_a_required_reason_cannot_be_left_empty(workflow, transition, home_center, user_as):
    obj = _ready(workflow, transition, home_center)
    user = user_as(_role_with(transition.capability), home_center)
    with pytest.raises(ValidationError) as exc:
        _apply(workflow, transition, obj, user, note=" ")
    assert list(exc.value.message_dict) == ["note"]
    assert _state(workflow, obj) == transition.sources[0]


@pytest.mark.parametrize(("workflow", "transition"), PRECONDITION_CASES)
def test_a_precondition_blocks_and_the_page_says_why(
    workflow, transition, home_center, user_as, client
):
    obj = BUILDERS[workflow.name]["blocked"][transition.name](home_center, transition.sources[0])
    user = user_as(_role_with(transition.capability), home_center)
    with pytest.raises(ValidationError) as exc:
        _apply(workflow, transition, obj, user)
    assert _state(workflow, obj) == transition.sources[0]
    client.force_login(user)
    url = reverse(workflow.url_name.format(name=transition.name), args=workflow.url_args(obj))
    page = client.get(url).text
    assert "noch nicht möglich" in page
    assert exc.value.messages[0] in page
    # The page offers no button for a step that cannot happen.
    assert f'<button type="submit" class="button">{transition.label}</button>' not in page


@pytest.mark.parametrize(("workflow", "transition"), CASES)
def test_through_the_page_a_stale_form_says_so_and_keeps_the_input(
    workflow, transition, home_center, user_as, client
):
    obj = _ready(workflow, transition, home_center)
    user = user_as(_role_with(transition.capability), home_center)
    client.force_login(user)
    url = reverse(workflow.url_name.format(name=transition.name), args=workflow.url_args(obj))
    page = client.get(url)
    assert page.status_code == 200
    assert str(transition.ask(obj)) in page.text
    note = _note(transition) or "Meine Bemerkung"
    extra = _extra(workflow, transition)
    fields = extra[1](obj) if extra else {}
    response = client.post(url, {"version": obj.version + 1, "note": note, **fields})
    assert response.status_code == 200
    assert "inzwischen von jemand anderem geändert" in response.text
    if transition.note:
        assert note in response.text  # what was typed is still there to copy
    assert _state(workflow, obj) == transition.sources[0]
    response = client.post(
        url, {"version": obj.version, "note": _note(transition) or "x", **fields}
    )
    assert response.status_code == 302
    assert _state(workflow, obj) == transition.target
