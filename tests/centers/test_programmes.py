"""Funding programmes as reference data per budget year (issue 12): the seeded public
facts, the caps, a new year that leaves the earlier ones unchanged, and who sees money."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from centers import services
from centers.models import Center, MunicipalityKind, Role
from centers.programmes import BudgetLine, Programme, ProgrammeYear
from tests.querycount import assert_constant_queries

pytestmark = pytest.mark.django_db

URL = reverse("centers:programmes")


def _grundfoerderung(year=2026) -> ProgrammeYear:
    return ProgrammeYear.objects.get(programme__code="grundfoerderung", year=year)


def test_the_public_facts_are_seeded():
    codes = set(Programme.objects.values_list("code", flat=True))
    assert codes == {"grundfoerderung", "komm-an", "ifkuf", "kim"}
    year = _grundfoerderung()
    assert (year.application_from, year.application_until) == (
        datetime.date(2025, 4, 17),
        datetime.date(2025, 10, 31),
    )
    assert ProgrammeYear.objects.get(programme__code="ifkuf", year=2026).application_until == (
        datetime.date(2026, 1, 31)
    )


def test_caps_per_post_and_flat_by_the_kind_of_traeger():
    year = _grundfoerderung()
    city = Center.objects.get(key="05315")  # Köln, kreisfreie Stadt
    district = Center.objects.get(key="05158")  # Kreis Mettmann
    caps = {(line.name, line.cap) for line in year.lines_for(city)}
    assert caps == {
        ("Fachkraftstellen", Decimal("285000.00")),  # 5 × 57.000
        # ½ Verwaltungsassistenz at up to 22.500 €: 0,5 posts × 45.000 € per full post.
        ("Verwaltungsassistenz", Decimal("22500.00")),
        ("Laiensprachmittlerpool (Sachausgaben)", Decimal("50000")),
    }
    assert ("Fachkraftstellen", Decimal("342000.00")) in {
        (line.name, line.cap) for line in year.lines_for(district)
    }  # 6 × 57.000


def test_the_staedteregion_counts_as_a_kreis():
    line = BudgetLine(name="x", center_kind=MunicipalityKind.DISTRICT, flat_cap=1)
    assert line.applies_to(MunicipalityKind.CITY_REGION)
    assert not line.applies_to(MunicipalityKind.CITY)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"max_posts": Decimal("5"), "cap_per_post": Decimal("57000"), "flat_cap": 1},
            "nicht beides",
        ),
        ({"max_posts": Decimal("5"), "post_kind": "specialist"}, "Höchstbetrag je Stelle"),
        ({}, "Höchstbetrag angeben"),
        ({"max_posts": Decimal("5"), "cap_per_post": Decimal("57000")}, "Stellenart"),
    ],
)
def test_a_line_is_per_post_or_flat_and_complete(fields, message):
    line = BudgetLine(programme_year=_grundfoerderung(), name="Neu", **fields)
    with pytest.raises(ValidationError, match=message):
        line.full_clean()


def test_a_new_year_starts_from_the_last_and_leaves_it_unchanged(user_as):
    ministry = user_as(Role.MINISTRY)
    before = _grundfoerderung()
    old_caps = sorted((line.name, line.cap) for line in before.lines.all())
    new = services.programme_year_copy(programme_year=before, year=2027, user=ministry)
    assert (new.application_from, new.application_until) == (
        datetime.date(2026, 4, 17),
        datetime.date(2026, 10, 31),
    )
    line = new.lines.get(name="Fachkraftstellen", center_kind=MunicipalityKind.CITY)
    line.cap_per_post = Decimal("60000")
    line.full_clean()
    line.save()

    before.refresh_from_db()
    assert sorted((line.name, line.cap) for line in before.lines.all()) == old_caps
    assert new.lines.get(pk=line.pk).cap == Decimal("300000.00")
    with pytest.raises(ValidationError, match="gibt es das Haushaltsjahr 2027 schon"):
        services.programme_year_copy(programme_year=before, year=2027, user=ministry)


def test_only_the_state_keeps_the_programmes(user_as, home_center):
    with pytest.raises(PermissionDenied):
        services.programme_year_copy(
            programme_year=_grundfoerderung(),
            year=2027,
            user=user_as(Role.CENTER_LEAD, home_center),
        )


def test_the_page_shows_the_years_caps_in_german(client, user_as, home_center):
    client.force_login(user_as(Role.SPONSOR, home_center))
    page = client.get(URL + "?jahr=2026").content.decode()
    assert "Förderprogramme 2026" in page
    assert "17.04.2025–31.10.2025" in page and "bis 31.01.2026" in page
    assert "285.000,00 €" in page and "342.000,00 €" in page and "57.000,00 €" in page
    assert "Kommunales Integrationsmanagement (KIM)" in page


def test_the_schulaufsicht_sees_no_money(client, user_as, home_center):
    client.force_login(user_as(Role.SCHOOL_AUTHORITY, home_center))
    assert client.get(URL).status_code == 403


def test_the_page_keeps_its_query_count(client, user_as, home_center):
    client.force_login(user_as(Role.FUNDING))
    programme = Programme.objects.get(code="kim")

    def grow(k):
        year = ProgrammeYear.objects.get(programme=programme, year=2026)
        for n in range(k):
            BudgetLine.objects.create(programme_year=year, name=f"Baustein {n}", flat_cap=1000)

    client.get(URL)  # warm the per-process caches (content types, session) first
    assert_constant_queries(client, URL + "?jahr=2026", grow)


def test_the_centres_funding_page_links_the_programmes_for_who_sees_money(
    client, user_as, home_center
):
    funding = reverse("centers:funding", kwargs={"key": home_center.key})
    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    assert URL in client.get(funding).content.decode()
    client.force_login(user_as(Role.SCHOOL_AUTHORITY, home_center))
    assert URL not in client.get(funding).content.decode()
