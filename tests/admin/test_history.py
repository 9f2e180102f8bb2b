"""The admin's history: readable, and never a way back past the services (issue 14)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from staffing import services as staffing_services
from staffing.models import PostKind, StaffingQuota

pytestmark = pytest.mark.django_db


@pytest.fixture
def quota(home_center, minister):
    quota = staffing_services.quota_save(
        quota=StaffingQuota(
            center=home_center,
            kind=PostKind.TEACHER,
            fte=Decimal("2.00"),
            valid_from=datetime.date(2024, 8, 1),
        ),
        user=minister,
    )
    quota.fte = Decimal("2.50")
    quota.valid_to = datetime.date(2026, 7, 31)
    return staffing_services.quota_save(quota=quota, user=minister)


def test_history_shows_labels_displayed_values_dates_and_names(ministry_client, quota):
    url = reverse("admin:staffing_staffingquota_history", args=[quota.pk])
    html = ministry_client.get(url).content.decode()
    assert "Soll (VZÄ):</strong> 2,00 → 2,50" in html
    assert "Gültig bis:</strong> – → 31.07.2026" in html
    assert "Miriam Albers" in html
    latest = quota.history.latest().history_date
    assert timezone.localtime(latest).strftime("%d.%m.%Y %H:%M") in html
    for raw in ["None", "2026-07-31", "Decimal", "Changes", "Revert", "Wiederherstellen"]:
        assert raw not in html


def test_an_empty_foreign_key_in_the_history_is_a_dash(ministry_client, home_center, minister):
    from tests.concepts.helpers import make_concept

    concept = make_concept(home_center)
    concept.decided_by = minister
    concept.save()
    url = reverse("admin:centers_integrationconcept_history", args=[concept.pk])
    html = ministry_client.get(url).content.decode()
    assert "Entschieden von:</strong> – → Miriam Albers" in html
    assert "Deleted" not in html and "pk=None" not in html


def test_an_earlier_version_can_be_read_but_not_restored(ministry_client, quota):
    first = quota.history.earliest()
    url = reverse("admin:staffing_staffingquota_simple_history", args=[quota.pk, first.pk])
    html = ministry_client.get(url).content.decode()
    assert "Frühere Fassung" in html
    assert "Wiederherstellen" not in html and "Revert" not in html

    response = ministry_client.post(url, {"fte": "2,00", "_save": "1"})
    assert response.status_code == 403
    quota.refresh_from_db()
    assert quota.fte == Decimal("2.50")
