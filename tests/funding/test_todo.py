"""The funding deadlines and steps in the to-do lists (issue 12): the KI-Leitung while an
application window is open, the Träger when an application waits to be submitted, the
Bewilligung when one waits for a Bescheid, the KI-Leitung when one came back."""

import datetime

import pytest

from centers import services as center_services
from centers.models import Role
from centers.todo import tasks_for
from reporting.funding.models import ApplicationStatus
from tests.funding.factories import basic_year, make_application

pytestmark = pytest.mark.django_db

IN_THE_WINDOW = datetime.date(2026, 6, 1)  # 2027's window: 17.04.–31.10.2026


def _titles(user, today=IN_THE_WINDOW):
    def flat(tasks):
        for task in tasks:
            yield task.title
            yield from flat(task.items)

    return list(flat(tasks_for(user, today=today)))


@pytest.fixture
def year_2027(db):
    return center_services.programme_year_write_copy(
        programme_year=basic_year(2026), year=2027, user=None
    )


def test_the_leitung_is_reminded_while_the_window_is_open(role_users, home_center, year_2027):
    lead = role_users[Role.CENTER_LEAD]
    due = (
        "Förderantrag Grundförderung Kommunale Integrationszentren 2027 für das Zentrum "
        "„Kommunales Integrationszentrum Köln“ vorbereiten (Antragsfrist bis zum 31.10.2026)"
    )
    assert due in _titles(lead)
    assert due not in _titles(lead, today=datetime.date(2026, 11, 2))  # window closed
    assert due not in _titles(lead, today=datetime.date(2026, 1, 2))  # not yet near
    make_application(home_center, year=2027)
    assert due not in _titles(lead)


def test_each_side_sees_the_step_that_waits_for_it(role_users, home_center, year_2027):
    make_application(home_center, year=2027)
    sponsor, funder, lead = (role_users[r] for r in (Role.SPONSOR, Role.FUNDING, Role.CENTER_LEAD))
    waiting = "2027 des Zentrums „Kommunales Integrationszentrum Köln“ ist vorbereitet"
    assert any(waiting in t for t in _titles(sponsor))
    assert not any("wartet auf Ihren Bescheid" in t for t in _titles(funder))

    make_application(home_center, year=2026, status=ApplicationStatus.SUBMITTED)
    assert any(
        "2026 des Zentrums „Kommunales Integrationszentrum Köln“ wartet auf Ihren Bescheid" in t
        for t in _titles(funder)
    )
    make_application(
        role_users[Role.CENTER_LEAD].memberships.first().center,
        year=2025,
        status=ApplicationStatus.RETURNED,
    )
    assert any(
        "2025 des Zentrums „Kommunales Integrationszentrum Köln“ wurde zur "
        "Überarbeitung zurückgegeben" in t
        for t in _titles(lead)
    )
    # The Schulaufsicht sees none of it.
    assert not any("Förderantrag" in t for t in _titles(role_users[Role.SCHOOL_AUTHORITY]))


def test_a_returned_proof_is_on_the_leitung_list(role_users, home_center):
    from tests.funding.factories import make_proof

    make_proof(home_center, status="returned")
    titles = _titles(role_users[Role.CENTER_LEAD])
    assert any("Verwendungsnachweis" in t and "kam mit Anmerkungen zurück" in t for t in titles)


def test_the_bewilligung_sees_overdue_proofs(role_users, home_center):
    from tests.funding.factories import make_proof

    year = basic_year(2026)
    year.proof_due = datetime.date(2027, 6, 30)
    year.save()
    make_proof(home_center, status="draft")
    funder = role_users[Role.FUNDING]
    overdue = "Verwendungsnachweis Grundförderung Kommunale Integrationszentren 2026 des Zentrums"
    assert not any(overdue in t for t in _titles(funder, today=datetime.date(2027, 6, 30)))
    assert any(
        overdue in t and "seit dem 30.06.2027 überfällig" in t
        for t in _titles(funder, today=datetime.date(2027, 7, 1))
    )


def test_each_open_programme_year_is_its_own_task_for_the_centres_it_has_lines_for(
    role_users, home_center, year_2027
):
    """Two windows open at once: one task per programme year and centre, and none for a
    programme whose lines are for another kind of Träger (Köln is a kreisfreie Stadt)."""
    from centers.models import MunicipalityKind
    from centers.programmes import BudgetLine, Programme, ProgrammeYear
    from centers.todo import count_for

    def programme(code, center_kind):
        year = ProgrammeYear.objects.create(
            programme=Programme.objects.create(code=code, name=code.upper(), guideline="RL"),
            year=2027,
            application_until=datetime.date(2026, 9, 30),
        )
        BudgetLine.objects.create(
            programme_year=year, name="Sachausgaben", center_kind=center_kind, flat_cap=1000
        )

    programme("alle", "")
    programme("kreise", MunicipalityKind.DISTRICT)
    lead = role_users[Role.CENTER_LEAD]
    due = [t for t in _titles(lead) if t.startswith("Förderantrag ") and "vorbereiten" in t]
    assert len(due) == 2, due
    assert any("ALLE 2027" in t and "bis zum 30.09.2026" in t for t in due)
    assert not any("KREISE" in t for t in due)
    assert count_for(lead, today=IN_THE_WINDOW) == len(tasks_for(lead, today=IN_THE_WINDOW))
