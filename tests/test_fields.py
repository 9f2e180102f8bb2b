"""One field module and one lock for every form (issue 11; issue 15 item 7).

Shares and dates read the same in every form and in the import; a form that changes an
existing object without the version it was rendered with is refused, never saved."""

from datetime import date
from decimal import Decimal

import pytest
from django import forms
from django.urls import reverse

from centers.fields import (
    GermanDateField,
    ShareField,
    parse_german_date,
    parse_share,
)
from centers.forms import ConceptForm, FundingDecisionForm, ParticipationForm
from centers.locking import MISSING_VERSION_MESSAGE, VersionForm
from centers.models import Role
from deployment.forms import AllocationForm, FocusForm, PlanForm
from deployment.models import FocusAllocation
from staffing import spreadsheet
from staffing.forms import AssignmentForm, MemberForm, PostEditForm, PostForm
from staffing.models import PostKind, Qualification, StaffMember
from tests.deployment import factories as deployment_factories
from tests.staffing.factories import PostFactory, StaffMemberFactory

MISSING = str(MISSING_VERSION_MESSAGE)


# --- shares -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0,5", Decimal("0.50")),
        ("0.5", Decimal("0.50")),
        ("50 %", Decimal("0.50")),
        ("50%", Decimal("0.50")),
        ("50\u00a0%", Decimal("0.50")),
        ("100 %", Decimal("1.00")),
        ("1", Decimal("1.00")),
        (" 0,75 ", Decimal("0.75")),
        ("0", Decimal("0.00")),
        ("-0,25", Decimal("-0.25")),
    ],
)
def test_shares_are_read_with_comma_point_or_percent(text, expected):
    assert parse_share(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "„abc“ ist kein Stellenanteil; erwartet z. B. 0,5, 0.5, 50 % oder 1."),
        ("", "„“ ist kein Stellenanteil"),
        ("0,5,5", "„0,5,5“ ist kein Stellenanteil"),
        ("--0,5", "„--0,5“ ist kein Stellenanteil"),
        ("1e2", "„1e2“ ist kein Stellenanteil"),
        ("9" * 40, "ist kein Stellenanteil"),
        ("0,333", "Der Stellenanteil „0,333“ hat mehr als zwei Nachkommastellen."),
        ("12,5 %", "Der Stellenanteil „12,5 %“ hat mehr als zwei Nachkommastellen."),
    ],
)
def test_a_bad_share_is_refused_in_german(text, message):
    with pytest.raises(ValueError) as exc:
        parse_share(text)
    assert message in str(exc.value)


class _ShareForm(forms.Form):
    post_share = ShareField()  # a Stellenanteil: (0, 1]
    time_share = ShareField(min_inclusive=True, required=False)  # staff time: [0, 1]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"post_share": "50 %", "time_share": "0"}, {}),
        ({"post_share": "0", "time_share": ""}, {"post_share": "größer als 0,00"}),
        ({"post_share": "1,5"}, {"post_share": "höchstens 1,00"}),
        ({"post_share": "1", "time_share": "-0,25"}, {"time_share": "nicht kleiner als 0,00"}),
        ({"post_share": "ein halb"}, {"post_share": "„ein halb“ ist kein Stellenanteil"}),
    ],
)
def test_the_share_field_checks_the_bounds_of_its_use(data, errors):
    form = _ShareForm(data)
    assert form.is_valid() == (not errors)
    for name, text in errors.items():
        assert text in form.errors[name][0]


def test_a_share_is_shown_the_german_way():
    form = _ShareForm(initial={"post_share": Decimal("0.5")})
    assert 'value="0,50"' in str(form["post_share"])
    assert 'inputmode="decimal"' in str(form["post_share"])


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31.07.2027", date(2027, 7, 31)),
        ("1.8.2025", date(2025, 8, 1)),
        ("31.07.27", date(2027, 7, 31)),
        ("01.01.70", date(1970, 1, 1)),
        ("2027-07-31", date(2027, 7, 31)),
        (" 2027-7-1 ", date(2027, 7, 1)),
    ],
)
def test_dates_are_read_german_or_iso(text, expected):
    assert parse_german_date(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31.02.2027", "„31.02.2027“ ist kein gültiges Datum (diesen Tag gibt es nicht)."),
        ("2027-13-01", "„2027-13-01“ ist kein gültiges Datum"),
        ("morgen", "„morgen“ ist kein Datum; erwartet TT.MM.JJJJ, TT.MM.JJ oder JJJJ-MM-TT."),
        ("07/31/2027", "„07/31/2027“ ist kein Datum"),
    ],
)
def test_a_bad_date_is_refused_in_german(text, message):
    with pytest.raises(ValueError) as exc:
        parse_german_date(text)
    assert message in str(exc.value)


class _DateForm(forms.Form):
    day = GermanDateField(label="Tag")


@pytest.mark.parametrize("typed", ["31.07.2027", "2027-07-31"])
def test_the_date_field_takes_what_the_browser_or_a_person_sends(typed):
    form = _DateForm({"day": typed})
    assert form.is_valid() and form.cleaned_data["day"] == date(2027, 7, 31)


def test_the_date_field_is_the_native_date_input_with_an_iso_value():
    html = str(_DateForm(initial={"day": date(2027, 7, 31)})["day"])
    assert 'type="date"' in html and 'value="2027-07-31"' in html
    form = _DateForm({"day": "31.02.2027"})
    assert not form.is_valid()
    assert "diesen Tag gibt es nicht" in form.errors["day"][0]


def test_the_import_reads_text_cells_with_the_same_parsers():
    assert spreadsheet.parse_fte("50 %") == parse_share("50 %")
    assert spreadsheet.parse_fte(0.5) == Decimal("0.50")  # a typed XLSX cell
    assert spreadsheet.parse_date("31.07.27") == parse_german_date("31.07.27")
    with pytest.raises(ValueError, match="größer als 0 und höchstens 1"):
        spreadsheet.parse_fte("150 %")


# --- every form uses the shared fields ---------------------------------------------------------


def test_every_share_and_date_field_of_the_forms_comes_from_centers_fields(home_center):
    plan = deployment_factories.make_plan(home_center)
    bound = [
        AssignmentForm(center=home_center, members=None, posts=None),
        PostForm(),
        AllocationForm(plan=plan, assignments=None),
        ConceptForm(needs_municipalities=True),
        ParticipationForm(),
        FundingDecisionForm(),
        PlanForm(instance=plan),
    ]
    for form in bound:
        for name, field in form.fields.items():
            if name in {"fte"}:
                assert isinstance(field, ShareField), (type(form).__name__, name)
            if isinstance(field, forms.DateField):
                assert isinstance(field, GermanDateField), (type(form).__name__, name)


# --- the lock ---------------------------------------------------------------------------------


@pytest.mark.parametrize("version", [None, "", "abc", "-1"])
def test_a_form_without_a_valid_version_is_invalid(version):
    form = VersionForm({} if version is None else {"version": version})
    assert not form.is_valid()
    assert form.non_field_errors() == [MISSING]


def test_an_edit_form_requires_the_version_a_create_form_has_none(home_center):
    member = StaffMemberFactory(center=home_center)
    data = {
        "last_name": "Yılmaz",
        "first_name": "Ayşe",
        "email": "ayse.yilmaz@ki.example",
        "qualification": Qualification.MASTER,
    }
    assert MemberForm(data, instance=StaffMember(center=home_center)).is_valid()
    editing = MemberForm(data, instance=member)
    assert not editing.is_valid() and editing.non_field_errors() == [MISSING]
    assert MemberForm({**data, "version": member.version}, instance=member).is_valid()
    post = PostFactory(center=home_center)
    assert "version" in PostEditForm(instance=post).fields
    assert "version" not in PostForm().fields
    focus = deployment_factories.make_plan(home_center).foci.first()
    assert "expected_version" in FocusForm(instance=focus).fields
    assert "expected_version" not in FocusForm().fields


def test_person_edit_without_version_changes_nothing_and_says_why(client, user_as, home_center):
    """Issue 15: a POST without the version used to overwrite silently."""
    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    member = StaffMemberFactory(center=home_center, last_name="Schmitz")
    member.version = 3
    member.save()
    url = reverse("staffing:member_edit", kwargs={"key": home_center.key, "pk": member.pk})
    response = client.post(
        url,
        {
            "last_name": "Überschrieben",
            "first_name": member.first_name,
            "email": member.email,
            "qualification": member.qualification,
        },
    )
    assert response.status_code == 200
    assert "es wurde nichts gespeichert" in response.content.decode()
    member.refresh_from_db()
    assert (member.last_name, member.version) == ("Schmitz", 3)


def test_person_edit_with_a_stale_version_is_a_conflict(client, user_as, home_center):
    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    member = StaffMemberFactory(center=home_center, last_name="Schmitz")
    url = reverse("staffing:member_edit", kwargs={"key": home_center.key, "pk": member.pk})
    data = {
        "first_name": member.first_name,
        "email": member.email,
        "qualification": member.qualification,
        "version": 0,
    }
    assert client.post(url, {**data, "last_name": "Erste"}).status_code == 302
    response = client.post(url, {**data, "last_name": "Zweite"})
    assert "inzwischen von jemand anderem geändert" in response.content.decode()
    member.refresh_from_db()
    assert (member.last_name, member.version) == ("Erste", 1)


# --- the plan's staff time -------------------------------------------------------------------


def test_fifty_percent_is_accepted_in_the_plan_s_staff_time(client, user_as, home_center):
    """Issue 11: '50 %' was accepted in staffing and refused in the allocation form."""
    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    plan = deployment_factories.make_plan(home_center)
    focus = plan.foci.filter(basic_component="").get()
    assignment = deployment_factories.make_assignment(home_center, kind=PostKind.SPECIALIST)
    url = reverse("deployment:allocations", kwargs={"pk": plan.pk})
    response = client.post(url, {"assignment": assignment.pk, "focus": focus.pk, "fte": "50 %"})
    assert response.status_code == 302
    assert FocusAllocation.objects.get().fte == Decimal("0.50")
    assert "0,50" in client.get(url).content.decode()
