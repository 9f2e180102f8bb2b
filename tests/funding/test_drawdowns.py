"""Mittelabruf and the ledger per line (issue 12): approved / requested / paid / remaining,
requests within what remains, rejected requests give the money back, the Bewilligung marks
payments, the programme year's drawdown dates."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from centers import services as center_services
from centers.models import DecisionKind, Role
from centers.programmes import DrawdownDate
from centers.services import DecisionLine
from centers.workflow.transitions import transition_apply
from reporting.funding import selectors, services
from reporting.funding.models import ApplicationStatus, Drawdown, DrawdownStatus
from reporting.funding.services import PlanLine
from reporting.funding.workflows import DRAWDOWN
from tests.funding.factories import make_application
from tests.querycount import assert_constant_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def decision(home_center):
    # Köln 2026: 285.000 € Fachkraftstellen, 22.500 € Verwaltungsassistenz, 20.000 € pool.
    return make_application(home_center, status=ApplicationStatus.DECIDED).decision


def _lines(decision, **amounts):
    """PlanLines by budget-line name prefix: pool=…, fach=…, verw=…"""
    names = {"fach": "Fachkraft", "verw": "Verwaltung", "pool": "Laien"}
    result = []
    for line in decision.lines.select_related("budget_line"):
        for key, prefix in names.items():
            if line.budget_line.name.startswith(prefix) and key in amounts:
                result.append(PlanLine(line_id=line.budget_line_id, amount=Decimal(amounts[key])))
    return result


def _request(decision, user, on=datetime.date(2026, 3, 1), **amounts):
    return services.drawdown_request(
        decision=decision, user=user, requested_for=on, lines=_lines(decision, **amounts)
    )


def _row(ledger, prefix):
    return next(r for r in ledger.rows if r.budget_line.name.startswith(prefix))


def test_the_ledger_adds_up_requests_payments_and_what_remains(role_users, decision):
    lead, funder = role_users[Role.CENTER_LEAD], role_users[Role.FUNDING]
    first = _request(decision, lead, fach="142500", pool="10000")
    _request(decision, lead, on=datetime.date(2026, 9, 1), fach="100000")
    transition_apply(DRAWDOWN, "pay", obj=first, user=funder)

    ledger = selectors.ledger_of(decision)
    fach = _row(ledger, "Fachkraft")
    assert (fach.approved, fach.requested, fach.paid, fach.remaining) == (
        Decimal("285000.00"),
        Decimal("242500.00"),
        Decimal("142500.00"),
        Decimal("42500.00"),
    )
    pool = _row(ledger, "Laien")
    assert (pool.requested, pool.paid, pool.remaining) == (
        Decimal("10000.00"),
        Decimal("10000.00"),
        Decimal("10000.00"),
    )
    assert (ledger.approved, ledger.requested, ledger.paid) == (
        Decimal("327500.00"),
        Decimal("252500.00"),
        Decimal("152500.00"),
    )
    first.refresh_from_db()
    assert first.paid_on is not None


def test_no_more_than_remains_and_a_rejection_gives_it_back(role_users, decision):
    lead, funder = role_users[Role.CENTER_LEAD], role_users[Role.FUNDING]
    request = _request(decision, lead, pool="15000")
    with pytest.raises(ValidationError) as refused:
        _request(decision, lead, pool="5000.01")
    assert refused.value.messages == [
        "„Laiensprachmittlerpool (Sachausgaben)“: höchstens 5.000,00 € können noch abgerufen "
        "werden."
    ]
    assert Drawdown.objects.count() == 1
    transition_apply(DRAWDOWN, "reject", obj=request, user=funder, note="Belege fehlen")
    assert _row(selectors.ledger_of(decision), "Laien").remaining == Decimal("20000.00")
    _request(decision, lead, pool="20000")


def test_only_the_leitung_requests_and_only_the_bewilligung_pays(role_users, decision):
    for role in (Role.SPONSOR, Role.FUNDING, Role.SCHOOL_AUTHORITY):
        with pytest.raises(PermissionDenied):
            _request(decision, role_users[role], pool="1")
    request = _request(decision, role_users[Role.CENTER_LEAD], pool="1")
    with pytest.raises(PermissionDenied):
        transition_apply(DRAWDOWN, "pay", obj=request, user=role_users[Role.CENTER_LEAD])
    assert Drawdown.objects.get().status == DrawdownStatus.REQUESTED


def test_drawdown_dates_and_the_year(role_users, decision):
    lead = role_users[Role.CENTER_LEAD]
    with pytest.raises(ValidationError, match="im Förderjahr 2026"):
        _request(decision, lead, on=datetime.date(2027, 1, 5), pool="1")
    personnel = DrawdownDate.objects.create(
        programme_year=decision.lines.first().budget_line.programme_year,
        on=datetime.date(2026, 2, 15),
        covers="Nr. 2.1/2.2",
    )
    with pytest.raises(ValidationError, match="Abruftermine"):
        _request(decision, lead, pool="1")
    drawdown = services.drawdown_request(
        decision=decision,
        user=lead,
        requested_for=None,
        drawdown_date=personnel,
        lines=_lines(decision, fach="1000"),
    )
    assert drawdown.requested_for == datetime.date(2026, 2, 15)


def test_requests_count_for_the_amended_decision(role_users, decision):
    lead, funder = role_users[Role.CENTER_LEAD], role_users[Role.FUNDING]
    _request(decision, lead, pool="15000")
    amendment = center_services.funding_decision_change(
        decision=decision,
        user=funder,
        kind=DecisionKind.AMENDMENT,
        expected_version=decision.version,
        lines=[
            DecisionLine(
                budget_line=line.budget_line,
                posts=line.posts,
                amount=Decimal("16000") if line.budget_line.flat_cap else line.amount,
            )
            for line in decision.lines.select_related("budget_line")
        ],
        file_number="Ä1",
        decided_on=datetime.date(2026, 4, 1),
    )
    with pytest.raises(ValidationError, match="geltenden Bescheid"):
        _request(decision, lead, pool="1")
    assert _row(selectors.ledger_of(amendment), "Laien").remaining == Decimal("1000.00")
    with pytest.raises(ValidationError, match="höchstens 1.000,00 €"):
        _request(amendment, lead, pool="1000.01")


def test_the_leitung_requests_on_the_page_and_the_bewilligung_marks_it_paid(
    client, role_users, decision
):
    client.force_login(role_users[Role.CENTER_LEAD])
    page = client.get(reverse("funding:center", args=[decision.center.key])).content.decode()
    assert reverse("funding:drawdown_create", args=[decision.pk]) in page
    form = client.get(reverse("funding:drawdown_create", args=[decision.pk]))
    fields = {f"amount_{row.budget_line.pk}": "0" for row in selectors.ledger_of(decision).rows}
    pool = _row(selectors.ledger_of(decision), "Laien").budget_line
    response = client.post(
        reverse("funding:drawdown_create", args=[decision.pk]),
        {**fields, f"amount_{pool.pk}": "12.345,67", "requested_for": "01.03.2026"},
    )
    assert form.status_code == 200 and response.status_code == 302
    drawdown = Drawdown.objects.get()
    assert drawdown.amount == Decimal("12345.67")

    client.force_login(role_users[Role.FUNDING])
    url = reverse("funding:drawdown_pay", args=[drawdown.pk])
    assert client.post(url, {"version": drawdown.version}).status_code == 302
    drawdown.refresh_from_db()
    assert drawdown.status == DrawdownStatus.PAID


def test_the_centre_funding_page_answers_in_constant_queries(client, role_users, decision):
    lead = role_users[Role.CENTER_LEAD]
    client.force_login(lead)
    url = reverse("funding:center", args=[decision.center.key])
    client.get(url)

    def grow(n):
        for _i in range(n):
            _request(decision, lead, pool="10")

    assert_constant_queries(client, url, grow)
