"""seed_demo on any day of the year: every demo account opens a to-do list with something
in it, Köln is active (Nr. 1.4) while other centres are not, and nothing the demo data say
happened lies in the future. The dates are the year's edges, a day inside a period, and
days right after a plan period began (2027-08-01) — when dates counted from the period's
start, not from today, used to land in the future."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from centers.dates import add_years
from centers.models import Center, ConceptStatus, IntegrationConcept, Membership, Role
from centers.selectors import center_operating_status, centers_with_operating_status
from centers.todo import count_for, tasks_for
from deployment.models import DeploymentPlan, PlanStatus
from deployment.periods import current_period
from staffing import checks

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
KOELN = "05315"
DAYS = [
    datetime.date(2026, 1, 2),
    datetime.date(2026, 7, 15),
    datetime.date(2026, 12, 31),
    datetime.date(2027, 3, 1),
    datetime.date(2027, 8, 2),
]


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_demo_data_work_on_any_day(day):
    """Seeding is the slow part (seconds): one run per day, then every check."""
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(9), BERLIN), tick=False):
        call_command("seed_demo", stdout=StringIO())
        accounts = demo_accounts()
        assert_every_demo_account_has_something_to_do(accounts)
        assert_every_list_costs_what_its_count_costs(accounts)
        assert_nothing_waits_since_a_day_to_come(accounts, day)
        assert_koeln_is_active_and_other_centres_show_what_is_missing(day)
        assert_concepts_and_plans_appear_in_every_state(day)
    # No post above its share, no person above 1,00 VZÄ, on any day (DESIGN.md §6).
    assert checks.stored_violations() == []


def demo_accounts():
    """The accounts one logs in with (settings.DEMO_PASSWORD); fictitious people have none."""
    users = get_user_model().objects.order_by("username")
    return [
        u for u in users if u.has_usable_password() and u.check_password(settings.DEMO_PASSWORD)
    ]


def assert_every_demo_account_has_something_to_do(accounts):
    roles = set(Membership.objects.filter(user__in=accounts).values_list("role", flat=True))
    assert roles == set(Role.values), "a demo account for each of the seven roles"
    idle = [user.username for user in accounts if not tasks_for(user)]
    assert idle == [], "demo accounts with an empty to-do list"


def assert_every_list_costs_what_its_count_costs(accounts):
    """The rows of every kind come with the count's one query, each with the fields its
    task reads (``Kind.only``): a field left out would cost a query per row."""
    for user in accounts:
        tasks_for(user)  # what a process looks up once (grants, content types, JSON support)
        with CaptureQueriesContext(connection) as counted:
            count_for(user)
        with CaptureQueriesContext(connection) as listed:
            tasks_for(user)
        assert len(listed) == len(counted), (
            user.username,
            [query["sql"][:120] for query in listed],
        )


def assert_nothing_waits_since_a_day_to_come(accounts, today):
    future = [
        f"{user.username}: {task.title} (seit {task.since})"
        for user in accounts
        for task in tasks_for(user)
        if task.since > today
    ]
    assert future == []


def assert_koeln_is_active_and_other_centres_show_what_is_missing(today):
    koeln = center_operating_status(Center.objects.get(key=KOELN))
    assert koeln.active, koeln.missing
    assert koeln.year == today.year

    centres = list(centers_with_operating_status(Center.objects.all(), today))
    cutoff = add_years(today, -settings.CONCEPT_VALIDITY_YEARS)
    assert any(not c.has_approved_concept for c in centres), "a centre without a concept"
    assert any(c.has_approved_concept and c.approved_resolution_date < cutoff for c in centres), (
        "a centre whose concept is outdated"
    )
    assert any(not c.funded_this_year for c in centres), "a centre without a Förderbescheid"
    active = [c for c in centres if center_operating_status(c, today).active]
    assert 1 < len(active) < len(centres)


def assert_concepts_and_plans_appear_in_every_state(today):
    concept_states = set(IntegrationConcept.objects.values_list("status", flat=True))
    assert concept_states >= {
        ConceptStatus.DRAFT,
        ConceptStatus.SUBMITTED,
        ConceptStatus.RETURNED,
        ConceptStatus.APPROVED,
    }
    plans = DeploymentPlan.objects.filter(period_start=current_period(today).start, is_current=True)
    assert set(plans.values_list("status", flat=True)) == set(PlanStatus.values)
