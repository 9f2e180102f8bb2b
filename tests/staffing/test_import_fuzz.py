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
