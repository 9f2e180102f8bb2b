"""Property: random bytes and random cells never raise, and never write a partial import."""

import io

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from centers.models import Role
from staffing import imports, spreadsheet
from staffing.models import Assignment, StaffMember
from tests import factories

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
cell = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "05315",
            "Lehrkraft",
            "Fachkraft",
            "0,5",
            "50 %",
            "1",
            "31.02.2027",
            "2027-07-31",
            "Leitung",
            "stellv. Leitung",
            "=1+1",
            "'@x",
            "a@b.example",
        ]
    ),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.none(),
)


@pytest.fixture
def lead(home_center):
    return factories.user_with_role(Role.CENTER_LEAD, home_center)


def _assert_clean_outcome(result):
    if result.has_errors:
        assert not result.written
        assert StaffMember.objects.count() == 0 and Assignment.objects.count() == 0
    result.summary()


@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes_never_raise(lead, data):
    result = imports.staffing_list_import(
        source=spreadsheet.iter_file(data), user=lead, dry_run=False
    )
    _assert_clean_outcome(result)


@FUZZ
@given(rows=st.lists(st.lists(cell, min_size=0, max_size=13), max_size=6))
def test_random_cells_in_csv_never_raise(lead, rows):
    lines = [";".join(spreadsheet.HEADERS)] + [
        ";".join("" if c is None else str(c).replace("\n", " ") for c in row) for row in rows
    ]
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    result = imports.staffing_list_import(
        source=spreadsheet.iter_file(data), user=lead, dry_run=True
    )
    _assert_clean_outcome(result)


@FUZZ
@given(rows=st.lists(st.lists(cell, min_size=0, max_size=13), max_size=4))
def test_random_cells_in_xlsx_never_raise(lead, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(spreadsheet.HEADERS)
    for row in rows:
        try:
            ws.append(row)
        except Exception:  # noqa: BLE001 - openpyxl refuses control characters itself
            continue
    buf = io.BytesIO()
    try:
        wb.save(buf)
    except (ValueError, TypeError):
        return
    result = imports.staffing_list_import(
        source=spreadsheet.iter_file(buf.getvalue()), user=lead, dry_run=True
    )
    _assert_clean_outcome(result)


# Cells as lists hold them, column by column: mostly good, now and then not.
def _column(good, bad=()):
    odd = st.one_of(
        st.sampled_from(["", " ", "'=1+1", "'abc", "x" * 101, "x" * 201, *bad]),
        st.text(max_size=12),
        st.none(),
        st.integers(min_value=-3, max_value=70000),
        st.dates(),
    )
    usual = st.sampled_from(good) | st.sampled_from(good).map(lambda v: f"  {v} ")
    return st.integers(0, 99).flatmap(lambda n: usual if n < 95 else odd)


columns = st.tuples(
    _column(["05315", "5315", "05315x"], ["123456789"]),
    _column(["Müller", "O'Brien", "Öztürk"]),
    _column(["Anna", "Jörg"]),
    _column(["a@b.example", "A.B@Stadt-Koeln.example", "a@[127.0.0.1]"], ["a@b", "a@@b.ex"]),
    _column(["Lehrkraft", "Fachkraft", "Verwaltungsassistenz", "Lehrkräfte"], ["Koch"]),
    _column(["1", "0,5", "50 %", "0.25"], ["0,333", "0", "1,5"]),
    _column(["01.08.2024", "2024-08-01", "1.8.24"], ["31.02.2024"]),
    _column(["31.07.2026", "01.01.2020", ""]),
    _column(["Leitung", "stellv. Leitung", ""], ["Chef"]),
    _column(["", "Gymnasium Mitte"]),
    _column(["Master Soziale Arbeit", "Lehramt Sek I", "irgendwas", ""]),
    _column(["Lehrkraft 1", "", "Sonderstelle"]),
)


@settings(max_examples=400, deadline=None)
@given(cells=columns, without=st.sets(st.sampled_from(spreadsheet.OPTIONAL)))
def test_a_row_read_the_short_way_is_read_as_the_general_way_reads_it(cells, without):
    """Most rows take a short way (``_quick_row``); whatever it reads, it must read
    exactly as the general reader (``_parse_row``) does — values, errors, warnings."""
    positions = {name: pos for pos, name in enumerate(spreadsheet._FIELDS) if name not in without}
    cells = list(cells)
    quick = spreadsheet._quick_row(7, cells, spreadsheet._picker(positions))
    general = spreadsheet._parse_row(7, cells, positions)
    if quick is not None:
        assert general.status != spreadsheet.ERROR, general.errors
        assert (quick.number, quick.status, quick.values, quick.errors, quick.warnings) == (
            general.number,
            general.status,
            general.values,
            general.errors,
            general.warnings,
        )
