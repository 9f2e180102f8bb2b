"""What the KI-Leitung is told before a report goes to the LaSI (Nr. 3.6): the report
informs about an Einsatzmanagement that should be agreed with the Schulaufsicht first."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from centers.models import Center
from deployment.models import DeploymentPlan, PlanStatus
from deployment.periods import current_period
from reporting.checks import report_submission_warnings
from reporting.models import ReportKind
from tests.reporting.conftest import make_plan
from tests.reporting.factories import report

pytestmark = pytest.mark.django_db

PERIOD = current_period()


@pytest.mark.parametrize("status", PlanStatus.agreed_or_later())
def test_a_report_on_an_agreed_plan_has_no_warning(home_center, status):
    make_plan(home_center, status=status)

    assert report_submission_warnings(report(home_center)) == []


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (PlanStatus.DRAFT, "Entwurf"),
        (PlanStatus.SUBMITTED, "bei der Schulaufsicht"),
        (PlanStatus.RETURNED, "zur Überarbeitung zurückgegeben"),
    ],
)
def test_a_report_on_a_plan_not_yet_agreed_says_so_with_the_status(home_center, status, label):
    make_plan(home_center, status=status)

    assert report_submission_warnings(report(home_center)) == [
        f"Das Einsatzmanagement {PERIOD.label} ist noch nicht im Benehmen mit der "
        f"Schulaufsicht (Status: {label})."
    ]


def test_a_report_without_any_plan_says_so(home_center):
    assert report_submission_warnings(report(home_center)) == [
        f"Für den Zeitraum {PERIOD.label} liegt kein Einsatzmanagement vor."
    ]


def test_only_the_plan_of_the_reports_period_counts(home_center):
    make_plan(home_center, PERIOD.previous(), status=PlanStatus.ACKNOWLEDGED)
    make_plan(home_center, PERIOD.next(), status=PlanStatus.AGREED)

    assert report_submission_warnings(report(home_center)) == [
        f"Für den Zeitraum {PERIOD.label} liegt kein Einsatzmanagement vor."
    ]


def test_only_the_plan_of_the_reports_centre_counts(home_center, other_center):
    make_plan(other_center, status=PlanStatus.AGREED)
    make_plan(home_center, status=PlanStatus.DRAFT)

    assert report_submission_warnings(report(home_center)) == [
        f"Das Einsatzmanagement {PERIOD.label} ist noch nicht im Benehmen mit der "
        "Schulaufsicht (Status: Entwurf)."
    ]


def test_an_agreed_earlier_revision_does_not_cover_a_new_draft(home_center):
    """After a change the new revision goes through agreement again; until then the
    report's plan is the draft."""
    agreed = make_plan(home_center, status=PlanStatus.AGREED)
    agreed.is_current = False
    agreed.save()
    DeploymentPlan.objects.create(
        center=home_center,
        period_start=PERIOD.start,
        period_end=PERIOD.end,
        revision=2,
        predecessor=agreed,
        status=PlanStatus.DRAFT,
    )

    assert report_submission_warnings(report(home_center)) == [
        f"Das Einsatzmanagement {PERIOD.label} ist noch nicht im Benehmen mit der "
        "Schulaufsicht (Status: Entwurf)."
    ]


def test_the_state_overview_is_not_checked():
    assert report_submission_warnings(report(None, kind=ReportKind.STATE)) == []


def test_report_submission_warnings_read_with_one_query_at_1x_and_10x(home_center):
    plan = make_plan(home_center, status=PlanStatus.DRAFT)
    subject = report(home_center)
    others = iter(Center.objects.exclude(pk=home_center.pk).order_by("key"))

    def grow(k):
        """k more Schwerpunkte in the report's plan, k more centres with an agreed plan."""
        for n in range(k):
            plan.foci.create(title=f"Schwerpunkt {n}", field="education", stage="school")
            make_plan(next(others), status=PlanStatus.AGREED)

    counts = []
    for k in (1, 9):
        grow(k)
        with CaptureQueriesContext(connection) as ctx:
            warnings = report_submission_warnings(subject)
        counts.append(len(ctx.captured_queries))
        assert len(warnings) == 1
    assert counts == [1, 1]
