"""seed_demo gives every role something to do with concepts and funding."""

import datetime

import pytest
from django.utils import timezone

from centers import selectors
from centers.demo import seed_concepts
from centers.models import Center, ConceptStatus, FundingDecision, IntegrationConcept

pytestmark = pytest.mark.django_db


def test_demo_concepts_cover_every_state_and_are_idempotent():
    seed_concepts()
    counts = IntegrationConcept.objects.count(), FundingDecision.objects.count()
    seed_concepts()
    assert (IntegrationConcept.objects.count(), FundingDecision.objects.count()) == counts

    statuses = set(IntegrationConcept.objects.values_list("status", flat=True))
    assert statuses >= {
        ConceptStatus.APPROVED,
        ConceptStatus.SUBMITTED,
        ConceptStatus.RETURNED,
        ConceptStatus.DRAFT,
    }
    with_concept = set(IntegrationConcept.objects.values_list("center__key", flat=True))
    assert len(with_concept) < 54, "some centres have no concept at all"
    year = timezone.localdate().year
    funded = FundingDecision.objects.filter(year=year).count()
    assert 27 < funded < 54, "most, not all centres are funded this year"


def test_demo_centres_each_give_their_users_something_to_do():
    seed_concepts()
    koeln = Center.objects.get(key="05315")
    status = selectors.center_operating_status(koeln)
    # Köln is active (issue 11), and its concept runs out within a year: the KI-Leitung's
    # to-do list asks for the Fortschreibung.
    assert status.active, status.missing
    today = timezone.localdate()
    assert today <= status.concept_valid_until <= today + datetime.timedelta(days=365)
    assert not koeln.concepts.filter(status__in=ConceptStatus.open()).exists()
    assert Center.objects.get(key="05314").concepts.filter(status=ConceptStatus.RETURNED).exists()
    mettmann = Center.objects.get(key="05158").concepts.get(status=ConceptStatus.SUBMITTED)
    assert mettmann.municipalities_agreed_on is not None
    assert mettmann.document
