"""§1.4: a centre is active only with an approved, current concept and this year's funding."""

import datetime

import pytest

from centers import selectors
from centers.models import Center, ConceptStatus

from .helpers import make_concept, make_funding

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)


def status(center):
    return selectors.center_operating_status(center, TODAY)


def test_a_centre_without_anything_lacks_concept_and_funding(home_center):
    result = status(home_center)
    assert not result.active
    assert result.missing == (
        "ein bewilligtes Integrationskonzept",
        "ein Förderbescheid für 2026",
    )


def test_approved_current_concept_and_funding_make_it_active(home_center):
    make_concept(home_center, status=ConceptStatus.APPROVED, complete=True)  # Beschluss 20.03.2025
    make_funding(home_center, 2026)
    result = status(home_center)
    assert result.active
    assert result.missing == ()
    assert result.concept_valid_until == datetime.date(2030, 3, 20)


def test_a_draft_or_submitted_concept_does_not_count(home_center):
    make_concept(home_center, status=ConceptStatus.SUBMITTED, complete=True)
    make_funding(home_center, 2026)
    assert status(home_center).missing == ("ein bewilligtes Integrationskonzept",)


def test_last_years_funding_is_not_enough(home_center):
    make_concept(home_center, status=ConceptStatus.APPROVED, complete=True)
    make_funding(home_center, 2025)
    assert status(home_center).missing == ("ein Förderbescheid für 2026",)


def test_a_concept_older_than_the_validity_needs_a_fortschreibung(home_center, settings):
    make_concept(
        home_center,
        status=ConceptStatus.APPROVED,
        complete=True,
        resolution_date=datetime.date(2021, 11, 23),
    )
    make_funding(home_center, 2026)
    [missing] = status(home_center).missing
    assert missing == (
        "eine Fortschreibung des Integrationskonzepts (der Beschluss vom 23.11.2021 ist älter "
        "als 5 Jahre)"
    )
    # The validity is a setting, not a constant.
    settings.CONCEPT_VALIDITY_YEARS = 6
    assert status(home_center).active


def test_annotated_centres_give_the_same_answer_without_a_query_each(
    home_center, other_center, django_assert_num_queries
):
    make_concept(home_center, status=ConceptStatus.APPROVED, complete=True)
    make_funding(home_center, 2026)
    centers = selectors.centers_with_operating_status(
        Center.objects.filter(pk__in=[home_center.pk, other_center.pk]).order_by("key"), TODAY
    )
    with django_assert_num_queries(1):
        answers = {c.key: selectors.center_operating_status(c, TODAY) for c in centers}
    assert answers[home_center.key] == status(home_center)
    assert answers[other_center.key] == status(other_center)
    assert answers[home_center.key].active and not answers[other_center.key].active


def test_state_overview_counts_per_region(home_center):
    make_concept(home_center, status=ConceptStatus.APPROVED, complete=True)
    make_funding(home_center, 2026)
    overview = selectors.operating_overview(Center.objects.all(), TODAY)
    assert overview["total"] == 54
    assert overview["active"] == 1
    assert len(overview["inactive"]) == 53
    koeln_region = next(r for r in overview["regions"] if r["region"] == "Köln")
    assert koeln_region["active"] == 1
