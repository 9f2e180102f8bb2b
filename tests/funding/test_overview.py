"""The state funding overview (issue 12): per budget year and programme, applied /
approved / requested / paid / proven / repaid by centre, Regierungsbezirk and NRW; for the
Bewilligung and the ministry only; one query for the figures whatever the data; the same
figures as an XLSX file with numbers as numbers."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from centers.models import Center, DecisionKind, Region, Role
from reporting.funding import overview
from reporting.funding.models import ApplicationStatus, DrawdownStatus, ProofStatus
from tests import factories
from tests.funding.factories_overview import (
    apply,
    decide,
    draw,
    other_programme,
    programme_year,
    prove,
)
from tests.querycount import count_queries

pytestmark = pytest.mark.django_db

URL = reverse("funding:overview")
XLSX_URL = reverse("funding:overview_xlsx")
COLUMNS = ("applied", "approved", "requested", "paid", "proven", "repaid")


def _d(*values) -> tuple[Decimal, ...]:
    return tuple(Decimal(v) for v in values)


def _figures(figures) -> tuple[Decimal, ...]:
    return tuple(getattr(figures, name) for name in COLUMNS)


@pytest.fixture
def money(home_center, other_center):
    """Köln and Bonn (Regierungsbezirk Köln) and the Kreis Mettmann (Düsseldorf) in 2026.

    Köln: applied 230.000; a Bescheid of 230.000 replaced by an Änderungsbescheid of
    180.000; 50.000 drawn and paid on the first, 30.000 requested and 10.000 rejected on
    the second; an accepted proof of 150.000 + 20.000. Also KOMM-AN (applied 50.000,
    approved 40.000) and a Bescheid of 2025.
    Bonn: applied and approved 120.000, all paid; a reclaimed proof of 100.000 + 8.000
    with 12.000 to repay.
    Mettmann: a draft application; a Bescheid of 60.000 revoked after 20.000 were paid; a
    proof submitted but not yet checked.
    """
    mettmann = factories.center("05158")

    apply(home_center, ["200000", "10000", "20000"], status=ApplicationStatus.DECIDED)
    first = decide(home_center, "230000")
    amended = decide(home_center, "180000", replaces=first)
    draw(first, "50000", status=DrawdownStatus.PAID)
    draw(amended, "30000")
    draw(amended, "10000", status=DrawdownStatus.REJECTED)
    prove(amended, ["150000", "20000"], status=ProofStatus.ACCEPTED)

    komm_an = programme_year(2026, other_programme().code)
    apply(home_center, ["50000"], py=komm_an)
    decide(home_center, "40000", py=komm_an)

    last_year = decide(home_center, "999999", py=programme_year(2025))
    draw(last_year, "5000", status=DrawdownStatus.PAID)
    prove(last_year, ["5000"], status=ProofStatus.RECLAIMED, repayment="5000")

    apply(other_center, ["100000", "0", "20000"], status=ApplicationStatus.DECIDED)
    bonn = decide(other_center, "120000")
    draw(bonn, "120000", status=DrawdownStatus.PAID)
    prove(bonn, ["100000", "8000"], status=ProofStatus.RECLAIMED, repayment="12000")

    apply(mettmann, ["50000"], status=ApplicationStatus.DRAFT)
    granted = decide(mettmann, "60000")
    draw(granted, "20000", status=DrawdownStatus.PAID)
    decide(mettmann, "0", replaces=granted, kind=DecisionKind.REVOCATION)
    prove(granted, ["20000"], status=ProofStatus.SUBMITTED)
    return {"koeln": home_center, "bonn": other_center, "mettmann": mettmann}


def _row(result, center):
    return next(r for r in result.centers if r.center.pk == center.pk)


def _region(result, region):
    return next(r for r in result.regions if r.region == region)


def test_every_column_adds_up_per_centre(money):
    result = overview.funding_overview(2026, programme_year(2026).programme)

    assert _figures(_row(result, money["koeln"]).figures) == _d(
        # applied, approved (the Änderungsbescheid only), requested (open and paid, not the
        # rejected one), paid, proven (the accepted proof), repaid
        "230000", "180000", "80000", "50000", "170000", "0"
    )  # fmt: skip
    assert _figures(_row(result, money["bonn"]).figures) == _d(
        "120000", "120000", "120000", "120000", "108000", "12000"
    )
    # The draft counts as nothing applied; after the Widerruf nothing is approved; the paid
    # money stays paid; the proof not yet checked proves nothing.
    assert _figures(_row(result, money["mettmann"]).figures) == _d(
        "0", "0", "20000", "20000", "0", "0"
    )


def test_regions_and_nrw_add_up_the_centres(money):
    result = overview.funding_overview(2026, programme_year(2026).programme)

    koeln = _region(result, Region.KOELN)
    assert _figures(koeln.figures) == _d("350000", "300000", "200000", "170000", "278000", "12000")
    assert koeln.centers == Center.objects.filter(sponsor__region=Region.KOELN).count()
    assert _figures(_region(result, Region.DUESSELDORF).figures) == _d(
        "0", "0", "20000", "20000", "0", "0"
    )
    assert _figures(_region(result, Region.MUENSTER).figures) == _d(*["0"] * 6)
    assert _figures(result.total) == _d("350000", "300000", "220000", "190000", "278000", "12000")
    assert [r.region for r in result.regions] == list(Region.values)
    assert len(result.centers) == Center.objects.count()


def test_without_a_programme_every_programme_counts_and_other_years_never(money):
    everything = overview.funding_overview(2026)
    assert _figures(_row(everything, money["koeln"]).figures) == _d(
        "280000", "220000", "80000", "50000", "170000", "0"
    )
    komm_an = overview.funding_overview(2026, other_programme())
    assert _figures(_row(komm_an, money["koeln"]).figures) == _d(
        "50000", "40000", "0", "0", "0", "0"
    )
    last_year = overview.funding_overview(2025)
    assert _figures(_row(last_year, money["koeln"]).figures) == _d(
        "0", "999999", "5000", "5000", "5000", "5000"
    )


def test_the_default_year_is_this_year_or_the_latest_one_before_it():
    assert overview.default_year([2027, 2026, 2025], datetime.date(2026, 5, 1)) == 2026
    assert overview.default_year([2026, 2025], datetime.date(2028, 1, 1)) == 2026
    assert overview.default_year([2030, 2029], datetime.date(2026, 1, 1)) == 2029
    assert overview.default_year([], datetime.date(2026, 1, 1)) == 2026


# --- the page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.FUNDING, Role.MINISTRY])
def test_the_bewilligung_and_the_ministry_see_the_overview(client, money, role):
    client.force_login(factories.user_with_role(role, money["koeln"]))

    response = client.get(URL, {"jahr": 2026, "programm": programme_year(2026).programme.code})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Förderübersicht Nordrhein-Westfalen 2026" in page
    assert "<svg" in page and "Düsseldorf" in page
    assert reverse("funding:center", args=[money["koeln"].key]) in page
    # Köln's approved sum and NRW's proven sum, German-formatted.
    assert "180.000,00&nbsp;€" in page
    assert "278.000,00&nbsp;€" in page
    assert f"{XLSX_URL}?jahr=2026&amp;programm={programme_year(2026).programme.code}" in page


@pytest.mark.parametrize(
    "role", [Role.LASI, Role.SCHOOL_AUTHORITY, Role.CENTER_LEAD, Role.CENTER_STAFF, Role.SPONSOR]
)
def test_nobody_else_sees_the_money(client, home_center, role):
    client.force_login(factories.user_with_role(role, home_center))

    assert client.get(URL).status_code == 403
    assert client.get(XLSX_URL).status_code == 403


def test_a_year_without_programmes_is_refused_with_a_message(client, money, role_users):
    client.force_login(role_users[Role.FUNDING])

    response = client.get(URL, {"jahr": "1999"})

    assert response.status_code == 200
    assert "Für dieses Jahr gibt es kein Förderprogramm." in response.content.decode()
    form = response.context["form"]
    assert response.context["overview"].year == form.default
    # The year list shows the year the page shows, not the first one of the list.
    assert f'<option value="{form.default}" selected>' in response.content.decode()
    for bad in ({"jahr": "1999"}, {"jahr": "x"}, {"programm": "gibt-es-nicht"}):
        download = client.get(XLSX_URL, bad)
        assert download.status_code == 302
        assert download["Location"].startswith(URL)


def test_the_overview_answers_in_constant_queries(client, role_users, home_center, other_center):
    client.force_login(role_users[Role.FUNDING])
    centers = [home_center, other_center, factories.center("05158")]
    py = programme_year()
    current = {}

    def grow(n):
        # Each step: a new Änderungsbescheid per centre, requests and a checked proof on it.
        for _i in range(n):
            for center in centers:
                if center.pk not in current:
                    apply(center, ["1000", "1000"])
                decision = decide(center, "5000", py=py, replaces=current.get(center.pk))
                current[center.pk] = decision
                draw(decision, "100", status=DrawdownStatus.PAID)
                draw(decision, "100")
                prove(decision, ["50", "50"], status=ProofStatus.RECLAIMED, repayment="10")

    urls = [f"{URL}?jahr={py.year}", f"{XLSX_URL}?jahr={py.year}"]
    for url in urls:  # caches of the first request (content types, session) warm
        client.get(url)
    grow(1)
    small = [count_queries(client, url)[0] for url in urls]
    grow(9)
    large = [count_queries(client, url)[0] for url in urls]
    assert small == large


def test_the_figures_are_one_query(money, django_assert_num_queries):
    programme = programme_year(2026).programme
    with django_assert_num_queries(1):
        overview.funding_overview(2026, programme)


# --- the XLSX file ----------------------------------------------------------------------------


def test_the_xlsx_has_typed_euro_cells_in_german_sheets(client, money, role_users):
    client.force_login(role_users[Role.FUNDING])
    code = programme_year(2026).programme.code

    response = client.get(XLSX_URL, {"jahr": 2026, "programm": code})

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        f'attachment; filename="foerderuebersicht-2026-{code}.xlsx"'
    )
    assert response["Cache-Control"] == "private, no-store"
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["Zentren", "Regierungsbezirke"]

    centres = book["Zentren"]
    header = [c.value for c in centres[1]]
    assert header[:3] == ["KI-Schlüssel", "Zentrum", "Regierungsbezirk"]
    assert header[3:] == [
        "beantragt (EUR)",
        "bewilligt (EUR)",
        "abgerufen (EUR)",
        "ausgezahlt (EUR)",
        "nachgewiesen (EUR)",
        "zurückgefordert (EUR)",
    ]
    assert all(c.font.bold for c in centres[1])
    assert centres.freeze_panes == "A2"
    koeln = next(row for row in centres.iter_rows(min_row=2) if row[0].value == "05315")
    assert koeln[0].data_type == "s"  # the key stays text: 05315
    assert koeln[2].value == "Köln"
    for cell, expected in zip(koeln[3:], (230000, 180000, 80000, 50000, 170000, 0), strict=True):
        assert cell.data_type == "n" and not isinstance(cell.value, str)
        assert cell.value == expected
        assert cell.number_format == overview.EURO_FORMAT
        assert "€" in cell.number_format
    assert centres.max_row == Center.objects.count() + 1

    regions = book["Regierungsbezirke"]
    rows = {row[0].value: row for row in regions.iter_rows(min_row=2)}
    assert list(rows) == [*Region.labels, "Nordrhein-Westfalen"]
    nrw = rows["Nordrhein-Westfalen"]
    assert nrw[1].value == Center.objects.count()
    assert [c.value for c in nrw[2:]] == [350000, 300000, 220000, 190000, 278000, 12000]
    assert all(c.number_format == overview.EURO_FORMAT for c in nrw[2:])
    assert regions.freeze_panes == "A2"
    # Nothing in the file is a formula.
    for sheet in book:
        for row in sheet.iter_rows():
            assert not any(c.data_type == "f" for c in row)


def test_the_xlsx_writes_no_formula_from_data(client, role_users, home_center):
    home_center.name = "=HYPERLINK(1)"
    home_center.save(update_fields=["name"])
    client.force_login(role_users[Role.MINISTRY])

    book = load_workbook(BytesIO(client.get(XLSX_URL, {"jahr": 2026}).content))

    names = [row[1].value for row in book["Zentren"].iter_rows(min_row=2)]
    assert "'=HYPERLINK(1)" in names
