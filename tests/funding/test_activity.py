"""Tätigkeitszahlen (issue 12): the KI-Leitung enters a year's figures with the lock, the
model's rules answer in German on the form, whoever reads the centre's reports reads them
(the district's Schulaufsicht and the LaSI included), and the state sums per
Regierungsbezirk hide small cells so that no total gives them away."""

from __future__ import annotations

import datetime
import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from centers.locking import ConflictError
from centers.models import Center, Region, Role
from reporting.funding import activity
from reporting.funding.activity import (
    COUNT_FIELDS,
    activity_figures_save,
    figure_tables,
    protect,
    state_activity_sums,
    table_sums,
)
from reporting.funding.demo_activity import seed_activity
from reporting.funding.models import ActivityFigures
from staffing.selectors import SMALL_CELL
from tests.querycount import assert_constant_queries

pytestmark = pytest.mark.django_db

YEAR = 2025
REGIONS = [r.value for r in Region]
NRW = len(REGIONS)  # the last column


def _form_data(**values) -> dict:
    data = dict.fromkeys(COUNT_FIELDS, "0")
    data.update({name: str(value) for name, value in values.items()})
    return data


def _save(center, user, expected_version=None, year=YEAR, **fields):
    return activity_figures_save(
        center=center, year=year, user=user, expected_version=expected_version, **fields
    )


# --- the service ------------------------------------------------------------------------------


def test_the_leitung_enters_and_corrects_figures_under_the_lock(role_users, home_center):
    lead = role_users[Role.CENTER_LEAD]
    figures = _save(home_center, lead, counselled_primary=40, placed_primary=30)
    assert (figures.version, figures.counselled_primary) == (0, 40)

    figures = _save(home_center, lead, expected_version=0, counselled_primary=44)
    assert (figures.version, figures.counselled_primary, figures.placed_primary) == (1, 44, 30)
    assert figures.history.first().history_user == lead

    # Someone who opened the form before that correction: a conflict, nothing changes.
    with pytest.raises(ConflictError):
        _save(home_center, lead, expected_version=0, counselled_primary=99)
    figures.refresh_from_db()
    assert (figures.version, figures.counselled_primary) == (1, 44)


def test_a_first_entry_made_meanwhile_is_a_conflict_not_an_overwrite(role_users, home_center):
    lead = role_users[Role.CENTER_LEAD]
    _save(home_center, lead, events=3)
    with pytest.raises(ConflictError):
        _save(home_center, lead, events=7)  # a second "new" form for the same year
    assert ActivityFigures.objects.get(center=home_center, year=YEAR).events == 3


@pytest.mark.parametrize(
    "role",
    [Role.CENTER_STAFF, Role.SPONSOR, Role.SCHOOL_AUTHORITY, Role.LASI, Role.FUNDING],
)
def test_only_the_leitung_enters_figures(role_users, home_center, role):
    with pytest.raises(PermissionDenied) as refused:
        _save(home_center, role_users[role], events=3)
    assert "KI-Leitung" in str(refused.value)
    assert not ActivityFigures.objects.exists()


def test_the_leitung_of_another_centre_enters_nothing_here(user_as, home_center, other_center):
    with pytest.raises(PermissionDenied):
        _save(home_center, user_as(Role.CENTER_LEAD, other_center), events=3)


def test_the_model_rules_hold_in_the_service(role_users, home_center):
    lead = role_users[Role.CENTER_LEAD]
    with pytest.raises(ValidationError) as refused:
        _save(home_center, lead, counselled_secondary_1=3, placed_secondary_1=4)
    assert "nicht mehr Kinder und Jugendliche zugewiesen als beraten" in str(refused.value)
    with pytest.raises(ValidationError):
        _save(home_center, lead, year=2011, events=1)
    assert not ActivityFigures.objects.exists()


def test_languages_are_kept_once_each_and_tidy(role_users, home_center):
    figures = _save(
        home_center,
        role_users[Role.CENTER_LEAD],
        mediation_languages="Arabisch,  Türkisch; arabisch\nFarsi ,",
    )
    assert figures.mediation_languages == "Arabisch, Türkisch, Farsi"


def test_every_count_of_the_model_is_entered_and_summed():
    counts = {
        f.name
        for f in ActivityFigures._meta.concrete_fields
        if isinstance(f, models.PositiveIntegerField) and f.name != "version"
    }
    assert set(COUNT_FIELDS) == counts


def test_a_centres_year_shows_who_is_not_yet_placed():
    figures = ActivityFigures(
        counselled_primary=10,
        placed_primary=7,
        counselled_other=2,
        mediation_assignments=10,
        mediation_schools=6,
        mediation_languages="Arabisch, Farsi",
    )
    seiteneinstieg, mediation, *_rest = figure_tables(figures)
    assert seiteneinstieg["rows"][0][1:] == (10, 7, 3)
    assert seiteneinstieg["rows"][-1][1:] == (12, 7, 5)
    assert "Arabisch, Farsi" in mediation["caption"]
    assert ("ohne Angabe des Ortes", 4) in mediation["rows"]


# --- the pages --------------------------------------------------------------------------------


def test_the_leitung_enters_a_year_on_the_form(client, role_users, home_center):
    client.force_login(role_users[Role.CENTER_LEAD])
    url = reverse("funding:activity_edit", args=[home_center.key, YEAR])
    page = client.get(url).content.decode()
    assert "<legend>Seiteneinstieg: Kinder und Jugendliche</legend>" in page
    assert "<legend>Laiensprachmittlerpool</legend>" in page
    assert "Elternbildung (IfKuF)" in page
    assert "<legend>Veranstaltungen und Fortbildungen</legend>" in page
    assert 'name="version"' not in page  # nothing to lock yet

    response = client.post(
        url,
        _form_data(
            counselled_primary=20,
            placed_primary=15,
            mediation_assignments=12,
            mediation_schools=10,
        )
        | {"mediation_languages": "Arabisch, Türkisch"},
    )
    center_url = reverse("funding:activity_center", args=[home_center.key])
    assert response.status_code == 302
    assert response["Location"] == f"{center_url}#jahr-{YEAR}"
    figures = ActivityFigures.objects.get(center=home_center, year=YEAR)
    assert (figures.counselled_primary, figures.placed_primary) == (20, 15)

    page = client.get(center_url).content.decode()
    assert f"Jahr {YEAR}" in page
    assert "noch nicht zugewiesen" in page
    assert "Arabisch, Türkisch" in page


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"counselled_primary": 3, "placed_primary": 5},
            "Es können nicht mehr Kinder und Jugendliche zugewiesen als beraten sein.",
        ),
        (
            {"mediation_assignments": 4, "mediation_schools": 3, "mediation_health": 2},
            "Die Einsätze nach Ort ergeben mehr als die Einsätze insgesamt.",
        ),
        ({"events": -1}, "Dieser Wert muss größer oder gleich 0 sein."),
        ({"events": "viele"}, "Bitte eine ganze Zahl eingeben."),
        ({"events": 100000}, "Dieser Wert muss kleiner oder gleich 99999 sein."),
    ],
)
def test_the_form_answers_bad_figures_in_german(client, role_users, home_center, values, message):
    client.force_login(role_users[Role.CENTER_LEAD])
    url = reverse("funding:activity_edit", args=[home_center.key, YEAR])
    response = client.post(url, _form_data(**values))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ActivityFigures.objects.exists()


def test_a_stale_form_is_refused_and_keeps_the_input(client, role_users, home_center):
    lead = role_users[Role.CENTER_LEAD]
    figures = _save(home_center, lead, events=3)
    _save(home_center, lead, expected_version=0, events=4)  # someone else, meanwhile
    client.force_login(lead)
    url = reverse("funding:activity_edit", args=[home_center.key, YEAR])
    response = client.post(url, _form_data(events=9) | {"version": figures.version})
    body = response.content.decode()
    assert response.status_code == 200
    assert "inzwischen von jemand anderem geändert" in body
    assert 'value="9"' in body
    assert ActivityFigures.objects.get(pk=figures.pk).events == 4


@pytest.mark.parametrize("year", [2011, "next+2"])
def test_years_outside_2012_to_next_year_do_not_exist(client, role_users, home_center, year):
    if year == "next+2":
        year = timezone.localdate().year + 2
    client.force_login(role_users[Role.CENTER_LEAD])
    assert (
        client.get(reverse("funding:activity_edit", args=[home_center.key, year])).status_code
        == 404
    )


def test_the_first_and_the_next_year_can_be_entered(client, role_users, home_center):
    client.force_login(role_users[Role.CENTER_LEAD])
    for year in (2012, timezone.localdate().year + 1):
        url = reverse("funding:activity_edit", args=[home_center.key, year])
        assert client.get(url).status_code == 200


def test_the_district_schulaufsicht_and_the_lasi_read_the_figures_but_enter_none(
    client, role_users, user_as, home_center, other_center
):
    """Decision: the figures are counts, not money; they feed the LaSI report, which the
    district's Schulaufsicht reads (DESIGN.md §4), and Seiteneinstieg is its business."""
    _save(home_center, role_users[Role.CENTER_LEAD], counselled_primary=17)
    page_url = reverse("funding:activity_center", args=[home_center.key])
    form_url = reverse("funding:activity_edit", args=[home_center.key, YEAR])
    for role in (Role.SCHOOL_AUTHORITY, Role.LASI, Role.CENTER_STAFF, Role.SPONSOR):
        client.force_login(role_users[role])
        page = client.get(page_url)
        assert page.status_code == 200, role
        assert "17" in page.content.decode()
        assert form_url not in page.content.decode(), role
        assert client.get(form_url).status_code == 404, role
    # Another district's Schulaufsicht sees nothing of Köln.
    client.force_login(user_as(Role.SCHOOL_AUTHORITY, other_center))
    assert client.get(page_url).status_code == 404


def test_the_leitung_is_offered_the_years_still_missing(client, role_users, home_center):
    this_year = timezone.localdate().year
    _save(home_center, role_users[Role.CENTER_LEAD], year=this_year - 1, events=1)
    client.force_login(role_users[Role.CENTER_LEAD])
    page = client.get(reverse("funding:activity_center", args=[home_center.key])).content.decode()
    assert reverse("funding:activity_edit", args=[home_center.key, this_year]) in page
    assert f"Tätigkeitszahlen {this_year - 2} erfassen" in page
    assert f"Tätigkeitszahlen {this_year - 1} erfassen" not in page


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.LASI, 200),
        (Role.FUNDING, 200),
        (Role.MINISTRY, 200),
        (Role.SCHOOL_AUTHORITY, 403),
        (Role.CENTER_LEAD, 403),
        (Role.SPONSOR, 403),
    ],
)
def test_the_state_sums_are_the_state_roles(client, role_users, role, status):
    client.force_login(role_users[role])
    assert client.get(reverse("funding:activity_state")).status_code == status


# --- the state sums ---------------------------------------------------------------------------


def _centers_by_region() -> dict[str, list[Center]]:
    result: dict[str, list[Center]] = {}
    for center in Center.objects.select_related("sponsor").order_by("key"):
        result.setdefault(center.sponsor.region, []).append(center)
    return result


def _figures(center, year=YEAR, **values) -> ActivityFigures:
    base = {"counselled_primary": 40, "placed_primary": 30, "counselled_secondary_1": 60}
    base.update(placed_secondary_1=50, mediation_assignments=90, mediation_schools=40)
    base.update(groups_rucksack=6, group_sessions=120, group_participants=70, events=8)
    base.update(trainings=6, event_participants=200)
    base.update(values)
    return ActivityFigures.objects.create(center=center, year=year, **base)


def _row(sums, label, section=None):
    for table in sums.tables:
        for sec in table.sections:
            if section is not None and sec.title != section:
                continue
            for row in sec.rows:
                if row.label == label:
                    return row.values
    raise AssertionError(label)


def test_a_cell_of_three_is_hidden_and_no_total_gives_it_away(client, role_users):
    regions = _centers_by_region()
    for center in [c for cs in regions.values() for c in cs]:
        _figures(center)
    detmold = REGIONS.index(Region.DETMOLD)
    # One centre in Detmold counselled three children at "sonstige", nobody else any.
    ActivityFigures.objects.filter(center=regions[Region.DETMOLD][0]).update(counselled_other=3)

    sums = state_activity_sums(YEAR)
    other = _row(sums, "sonstige", "beraten")
    assert other[detmold] is None
    assert other[NRW] is None  # NRW's 3 is the same three children
    # Detmold's column: "beraten insgesamt" minus the levels shown must not leave the 3.
    total = _row(sums, "insgesamt", "beraten")
    levels = [_row(sums, label, "beraten") for label in ("Primarstufe", "Sekundarstufe I")]
    levels.append(_row(sums, "Sekundarstufe II", "beraten"))
    column = [total[detmold], *(row[detmold] for row in levels)]
    assert None in column, "the level total would reveal the hidden cell"
    # "beraten" = "zugewiesen" + "noch nicht zugewiesen" must not reveal it either.
    not_yet = _row(sums, "sonstige", "noch nicht zugewiesen")
    placed = _row(sums, "sonstige", "zugewiesen")
    assert not_yet[detmold] is None or placed[detmold] is None
    # And none of the hidden cells follows from all sums together.
    assert _recoverable(sums) == []

    client.force_login(role_users[Role.LASI])
    page = client.get(reverse("funding:activity_state") + f"?jahr={YEAR}").content.decode()
    assert "nicht ausgewiesen" in page
    assert "Werte von 1 bis 4" in page


def test_a_single_small_region_takes_a_second_cell_with_it_not_the_total():
    regions = _centers_by_region()
    for center in [c for cs in regions.values() for c in cs]:
        _figures(center)
    ActivityFigures.objects.filter(center__in=regions[Region.MUENSTER]).update(trainings=0)
    ActivityFigures.objects.filter(center=regions[Region.MUENSTER][0]).update(trainings=2)
    row = _row(state_activity_sums(YEAR), "Fortbildungen")
    assert row[REGIONS.index(Region.MUENSTER)] is None
    assert sum(value is None for value in row[:NRW]) == 2
    assert row[NRW] == sum(
        ActivityFigures.objects.filter(year=YEAR).values_list("trainings", flat=True)
    )


def _recoverable(sums) -> list:
    """Hidden cells a reader could compute exactly from the page: the table's sums as
    equations over the hidden cells (the same check ``protect`` makes, built from the
    page's output)."""
    keys = []
    hidden = set()
    values = {}
    specs = activity._table_specs()
    for (_key, _caption, sections), table in zip(specs, sums.tables, strict=True):
        for (_title, rows), section in zip(sections, table.sections, strict=True):
            for spec, row in zip(rows, section.rows, strict=True):
                keys.append(spec.key)
                for c, value in enumerate(row.values):
                    values[(spec.key, c)] = value
                    if value is None:
                        hidden.add((spec.key, c))
    return activity._determined(hidden, table_sums(keys, NRW + 1), {})


def test_hiding_holds_for_any_table():
    """Random tables of the real shape: every small cell hidden, no sum with exactly one
    hidden cell, no hidden cell computable from all sums together."""
    specs = activity._table_specs()
    keys = [spec.key for _k, _c, sections in specs for _t, rows in sections for spec in rows]
    sums = table_sums(keys, NRW + 1)
    for seed in range(40):
        rng = random.Random(seed)
        base = {}
        for c in range(NRW):
            raw = {name: rng.choice([0, 0, 1, 2, 3, 4, 6, 12, 40]) for name in COUNT_FIELDS}
            for code, _label in activity.LEVELS:
                raw[f"placed_{code}"] = min(raw[f"placed_{code}"], raw[f"counselled_{code}"])
            places = sum(raw[name] for name in activity.MEDIATION_PLACES)
            raw["mediation_assignments"] = max(raw["mediation_assignments"], places)
            base[c] = raw
        base[NRW] = {name: sum(base[c][name] for c in range(NRW)) for name in COUNT_FIELDS}
        values = {}
        for _k, _c, sections in specs:
            for _t, rows in sections:
                for spec in rows:
                    for c in range(NRW + 1):
                        values[(spec.key, c)] = sum(
                            coef * base[c][name] for name, coef in spec.formula.items()
                        )
        hidden = protect(values, sums)
        assert {cell for cell, n in values.items() if 0 < n < SMALL_CELL} <= hidden
        for total, parts in sums:
            assert sum(cell in hidden for cell in (total, *parts)) != 1, (seed, total)
        assert activity._determined(hidden, sums, {}) == [], seed


def test_the_state_page_answers_in_constant_queries(client, role_users):
    client.force_login(role_users[Role.LASI])
    url = reverse("funding:activity_state") + f"?jahr={YEAR}"
    centers = list(Center.objects.order_by("key"))
    made = []

    def grow(n):
        for center in centers[len(made) : len(made) + n]:
            made.append(_figures(center, mediation_languages=f"Arabisch, Sprache {center.key}"))
            _figures(center, year=YEAR - 1)

    client.get(url)  # caches (content types, sessions) filled once
    small, large = assert_constant_queries(client, url, grow)
    assert small == large


def test_the_centre_page_answers_in_constant_queries(client, role_users, home_center):
    client.force_login(role_users[Role.CENTER_LEAD])
    url = reverse("funding:activity_center", args=[home_center.key])
    years = iter(range(2013, 2040))

    def grow(n):
        for _ in range(n):
            _figures(home_center, year=next(years))

    client.get(url)
    assert_constant_queries(client, url, grow)


# --- demo data --------------------------------------------------------------------------------


def test_the_demo_gives_every_centre_last_year_and_koeln_this_year():
    today = datetime.date(2026, 6, 30)
    made = seed_activity(today=today)
    assert made == Center.objects.count() + 1
    assert seed_activity(today=today) == 0  # idempotent
    assert ActivityFigures.objects.filter(year=2025).count() == Center.objects.count()
    assert list(
        ActivityFigures.objects.filter(year=2026).values_list("center__key", flat=True)
    ) == ["05315"]
    for figures in ActivityFigures.objects.all():
        figures.full_clean()
    sums = state_activity_sums(2025)
    assert sums.hidden > 0, "the demo shows hidden small cells"
    assert sums.centers[-1] == Center.objects.count()
    assert sums.languages
