import datetime
from decimal import Decimal

import pytest

from centers.models import ConceptStatus, FundingDecision, IntegrationConcept, ResolutionBody
from deployment.models import DeploymentPlan, Focus, PlanStatus
from deployment.periods import current_period
from staffing.models import Assignment, AssignmentRole, Post, StaffMember
from tests.factories import basic_programme

FOCI = [
    ("Seiteneinstieg begleiten – Übergänge gestalten", "education", "school"),
    ("Laiensprachmittlerpool Köln", "refugees", "across"),
    ("Sprachbildung für Kinder ohne Kita-Platz", "early_language", "elementary"),
]


def make_plan(center, period=None, *, status=PlanStatus.REPORTED, foci=FOCI):
    period = period or current_period()
    plan = DeploymentPlan.objects.create(
        center=center,
        period_start=period.start,
        period_end=period.end,
        status=status,
        summary="Strategische Planung für Köln: Bildungskette stärken.",
    )
    for position, (title, field, stage) in enumerate(foci):
        Focus.objects.create(
            plan=plan,
            position=position,
            title=title,
            field=field,
            stage=stage,
            goal=f"Ziel für {title}",
            indicators="Beratene Familien: 120\nFortbildungen: 6",
            partners=["school_authority"],
            target_groups=["schools"],
        )
    return plan


_counter = iter(range(1, 10**6))


def make_staff(center, *, posts=2, start=datetime.date(2024, 1, 1)):
    """``posts`` pairs of posts (teacher + specialist), the first pair with the leadership."""
    for i in range(posts):
        teacher = Post.objects.create(
            center=center,
            label=f"Lehrkraft {next(_counter)}",
            kind="teacher",
            fte=Decimal("1.00"),
            funding_source="state_school",
            valid_from=start,
        )
        specialist = Post.objects.create(
            center=center,
            label=f"Fachkraft {next(_counter)}",
            kind="specialist",
            fte=Decimal("1.00"),
            funding_source="state_grant",
            valid_from=start,
        )
        n = next(_counter)
        lead = StaffMember.objects.create(
            center=center, last_name=f"Öztürk{n}", first_name="Ayşe", email=f"lead{n}@example.org"
        )
        Assignment.objects.create(
            member=lead,
            post=teacher,
            fte=Decimal("1.00"),
            start=start,
            role=AssignmentRole.LEAD if i == 0 else AssignmentRole.NONE,
        )
        # The specialist post stays vacant on odd rounds.
        if i % 2 == 0:
            deputy = StaffMember.objects.create(
                center=center,
                last_name=f"Müller{n}",
                first_name="Jan",
                email=f"deputy{n}@example.org",
            )
            Assignment.objects.create(
                member=deputy,
                post=specialist,
                fte=Decimal("1.00"),
                start=start,
                role=AssignmentRole.DEPUTY if i == 0 else AssignmentRole.NONE,
            )


def make_concept(center, resolution_date=datetime.date(2022, 3, 15)):
    return IntegrationConcept.objects.create(
        center=center,
        number=1,
        title="Integrationskonzept Köln 2022",
        status=ConceptStatus.APPROVED,
        resolution_body=ResolutionBody.CITY_COUNCIL,
        resolution_date=resolution_date,
    )


def make_funding(center, year):
    return FundingDecision.objects.create(
        center=center,
        programme=basic_programme(),
        year=year,
        amount=Decimal("307500.00"),
        file_number=f"36.{year}-KI",
        decided_on=datetime.date(year, 2, 1),
        funded_posts=Decimal("5.50"),
    )


@pytest.fixture
def koeln_data(home_center):
    plan = make_plan(home_center)
    make_staff(home_center)
    make_concept(home_center)
    make_funding(home_center, current_period().start.year)
    return plan
