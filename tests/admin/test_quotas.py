"""Quotas (Nr. 3.7): a new Soll ends the previous one; the ministry sets a new Soll for many
centres from a date at once (issue 14)."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from staffing import demo, services
from staffing.models import PostKind, StaffingQuota
from tests import factories

pytestmark = pytest.mark.django_db

AUG_2024 = datetime.date(2024, 8, 1)
AUG_2026 = datetime.date(2026, 8, 1)


def _quota(center, fte, valid_from, **fields):
    return services.quota_save(
        quota=StaffingQuota(
            center=center, kind=PostKind.TEACHER, fte=Decimal(fte), valid_from=valid_from, **fields
        )
    )


def _periods(center):
    return list(
        StaffingQuota.objects.filter(center=center, kind=PostKind.TEACHER)
        .order_by("valid_from")
        .values_list("fte", "valid_from", "valid_to")
    )


def test_a_new_quota_ends_the_previous_open_ended_one(db):
    mettmann = factories.center("05158")
    _quota(mettmann, "2", AUG_2024)
    _quota(mettmann, "3", AUG_2026)
    assert _periods(mettmann) == [
        (Decimal("2.00"), AUG_2024, datetime.date(2026, 7, 31)),
        (Decimal("3.00"), AUG_2026, None),
    ]


def test_a_quota_put_before_a_later_one_ends_the_day_before_it(db):
    mettmann = factories.center("05158")
    _quota(mettmann, "3", AUG_2026)
    _quota(mettmann, "2", AUG_2024)
    assert _periods(mettmann)[0] == (Decimal("2.00"), AUG_2024, datetime.date(2026, 7, 31))


def test_an_explicit_end_reaching_into_a_later_quota_is_refused_in_german(db):
    mettmann = factories.center("05158")
    _quota(mettmann, "3", AUG_2026)
    with pytest.raises(ValidationError) as exc:
        _quota(mettmann, "2", AUG_2024, valid_to=datetime.date(2027, 1, 1))
    assert "dürfen sich nicht überschneiden" in " ".join(exc.value.messages)


def test_a_new_quota_on_the_same_day_changes_it(db):
    mettmann = factories.center("05158")
    _quota(mettmann, "2", AUG_2024)
    _quota(mettmann, "2.5", AUG_2024)
    assert _periods(mettmann) == [(Decimal("2.50"), AUG_2024, None)]


def test_many_centres_get_a_new_quota_from_one_date(ministry_client, home_center):
    bonn, mettmann = factories.center("05314"), factories.center("05158")
    _quota(mettmann, "2", AUG_2024)
    response = ministry_client.post(
        reverse("admin:staffing_staffingquota_set_many"),
        {
            "centers": [home_center.pk, bonn.pk, mettmann.pk],
            "kind": PostKind.TEACHER,
            "fte": "3,5",
            "valid_from": "01.08.2026",
            "note": "Erlass 2026",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    for center in (home_center, bonn, mettmann):
        assert _periods(center)[-1] == (Decimal("3.50"), AUG_2026, None)
    assert _periods(mettmann)[0] == (Decimal("2.00"), AUG_2024, datetime.date(2026, 7, 31))
    assert StaffingQuota.history.filter(history_user__username="ministerin").count() >= 4


def test_the_quota_list_leaves_room_for_the_soll(ministry_client, home_center):
    _quota(home_center, "12.5", AUG_2024)
    html = ministry_client.get(reverse("admin:staffing_staffingquota_changelist")).content
    html = html.decode()
    assert 'value="12,50"' in html
    assert 'class="quota-fte"' in html
    assert "Neues Soll für mehrere Zentren ab Datum" in html


def test_the_admin_form_refuses_an_overlap_in_german(ministry_client, home_center):
    _quota(home_center, "3", AUG_2026)
    response = ministry_client.post(
        reverse("admin:staffing_staffingquota_add"),
        {
            "center": home_center.pk,
            "kind": PostKind.TEACHER,
            "fte": "2",
            "valid_from": "01.08.2024",
            "valid_to": "01.01.2027",
            "note": "",
        },
    )
    assert response.status_code == 200
    assert "dürfen sich nicht überschneiden" in response.content.decode()
    assert StaffingQuota.objects.filter(center=home_center).count() == 1


def _end_overlaps():
    migration = importlib.import_module("staffing.migrations.0011_end_overlapping_quotas")
    migration.end_overlaps(django_apps, None)


def test_the_migration_ends_quotas_that_a_later_one_follows(db):
    """Rows stored before quota_save kept the sequence: Mettmann had two open-ended
    Lehrkraft quotas. Each now ends the day before the next one starts."""
    mettmann, bonn = factories.center("05158"), factories.center("05314")
    rows = [
        (mettmann, PostKind.TEACHER, "2", AUG_2024, None),
        (mettmann, PostKind.TEACHER, "3", AUG_2026, None),
        (mettmann, PostKind.SPECIALIST, "5", AUG_2024, datetime.date(2027, 7, 31)),
        (mettmann, PostKind.SPECIALIST, "6", AUG_2026, None),
        (bonn, PostKind.TEACHER, "2", AUG_2024, datetime.date(2025, 7, 31)),
        (bonn, PostKind.TEACHER, "2", AUG_2026, None),
    ]
    StaffingQuota.objects.bulk_create(
        StaffingQuota(center=c, kind=k, fte=Decimal(f), valid_from=s, valid_to=e)
        for c, k, f, s, e in rows
    )
    _end_overlaps()
    july_2026 = datetime.date(2026, 7, 31)
    assert _periods(mettmann) == [
        (Decimal("2.00"), AUG_2024, july_2026),
        (Decimal("3.00"), AUG_2026, None),
    ]
    specialist = StaffingQuota.objects.filter(center=mettmann, kind=PostKind.SPECIALIST)
    assert list(specialist.order_by("valid_from").values_list("valid_to", flat=True)) == [
        july_2026,
        None,
    ]
    # a gap stays a gap; the ends are in the history, by the system
    assert [end for _fte, _start, end in _periods(bonn)] == [datetime.date(2025, 7, 31), None]
    changed = StaffingQuota.history.filter(history_type="~", history_user=None)
    assert changed.count() == 2
    assert {h.valid_to for h in changed} == {july_2026}


def test_the_demo_has_no_overlapping_quotas(db):
    demo.seed(scale=1)
    demo.seed(scale=1)  # again: still one Soll in force per centre, kind and day
    before = list(StaffingQuota.objects.values_list("pk", "valid_to"))
    assert before
    _end_overlaps()
    assert list(StaffingQuota.objects.values_list("pk", "valid_to")) == before


def test_a_quota_is_named_with_a_german_decimal(db):
    quota = _quota(factories.center("05158"), "0.5", AUG_2024)
    assert str(quota).endswith("Lehrkraft: 0,50")
