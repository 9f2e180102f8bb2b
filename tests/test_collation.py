"""German alphabetical order (Ä with A, Ö with O, ß as ss) wherever names are listed.

Runs on the active database: SQLite by default, PostgreSQL with DATABASE_URL. The expected
order is written out by hand, so a wrong collation on either side fails here.
"""

import csv
import io
import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from centers import selectors as center_selectors
from centers import services as center_services
from centers.collation import sort_key
from centers.models import Center, Municipality, Role
from deployment.selectors import allocation_overview
from reporting.content import state_overview_sheets
from reporting.models import ReportStatus
from staffing.models import Post, StaffMember
from tests.deployment.factories import make_plan
from tests.factories import UserFactory, user_with_role
from tests.reporting.factories import report
from tests.staffing.factories import AssignmentFactory, PostFactory, StaffMemberFactory

GERMAN_ORDER = [
    "Äbi",
    "Ahmed",
    "Özdemir",
    "Schäfer",
    "Schwarz",
    "Strauss",
    "Strauß",
    "Weber",
    "Weiß",
]
# Created in an order that is neither the German one nor code-point order.
SHUFFLED = ["Weiß", "Schwarz", "Strauß", "Ahmed", "Özdemir", "Weber", "Äbi", "Strauss", "Schäfer"]
FIRST_NAME = "Kim"

pytestmark = pytest.mark.django_db


def _in_page_order(text: str, names: list[str], pattern: str) -> list[str]:
    """The names as they appear in ``text``, each found through ``pattern % name``."""
    found = []
    for name in names:
        hits = [m.start() for m in re.finditer(pattern % re.escape(name), text)]
        assert len(hits) == 1, f"{name!r} appears {len(hits)} times"
        found.append((hits[0], name))
    return [name for _, name in sorted(found)]


@pytest.fixture
def people(home_center):
    return [
        StaffMemberFactory(center=home_center, last_name=name, first_name=FIRST_NAME)
        for name in SHUFFLED
    ]


@pytest.fixture
def lead_client(client, home_center):
    client.force_login(user_with_role(Role.CENTER_LEAD, home_center))
    return client


def test_sort_key_puts_umlauts_with_their_vowel_and_eszett_with_ss():
    assert sorted(SHUFFLED, key=sort_key) == GERMAN_ORDER
    assert sort_key("Schäfer") < sort_key("Schwarz")
    assert sort_key("Özdemir") < sort_key("Weiß")
    # Alike in the alphabet, still two different names.
    assert sort_key("Strauss") != sort_key("Strauß")


def test_database_orders_people_in_german(people):
    names = StaffMember.objects.order_by("last_name").values_list("last_name", flat=True)
    assert list(names) == GERMAN_ORDER
    # The model's default ordering too.
    assert [m.last_name for m in StaffMember.objects.all()] == GERMAN_ORDER


def test_equality_and_uniqueness_stay_exact(people, home_center):
    """The collation only orders: "Strauss" and "Strauß" are still two people and two labels."""
    assert list(
        StaffMember.objects.filter(last_name="Strauss").values_list("last_name", flat=True)
    ) == ["Strauss"]
    PostFactory(center=home_center, label="Stelle Strauss")
    PostFactory(center=home_center, label="Stelle Strauß")
    assert Post.objects.filter(center=home_center, label="Stelle Strauß").count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        PostFactory(center=home_center, label="Stelle Strauß")


def test_staffing_centre_page_lists_people_in_german_order(lead_client, home_center, people):
    html = lead_client.get(reverse("staffing:center", kwargs={"key": home_center.key})).content
    text = html.decode()
    assert _in_page_order(text, GERMAN_ORDER, rf">%s, {FIRST_NAME}</a>") == GERMAN_ORDER


def test_person_dropdown_of_the_assignment_form_is_in_german_order(
    lead_client, home_center, people
):
    url = reverse("staffing:assignment_create", kwargs={"key": home_center.key})
    text = lead_client.get(url).content.decode()
    select = re.search(r'<select name="member".*?</select>', text, re.S)
    assert select is not None
    options = re.findall(rf"<option value=\"\d+\">([^<]*), {FIRST_NAME}</option>", select[0])
    assert options == GERMAN_ORDER


def test_csv_export_of_a_centre_is_in_german_order(lead_client, home_center, people):
    for person in people:
        AssignmentFactory(member=person, post=PostFactory(center=home_center))
    response = lead_client.get(
        reverse("staffing:export", kwargs={"key": home_center.key}), {"format": "csv"}
    )
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    column = rows[0].index("Nachname")
    assert [row[column] for row in rows[1:]] == GERMAN_ORDER


def _rename_centres() -> list[str]:
    """Nine centres named after the test names; returns the names in German order."""
    centers = list(Center.objects.order_by("key")[: len(SHUFFLED)])
    for center, name in zip(centers, SHUFFLED, strict=True):
        Center.objects.filter(pk=center.pk).update(name=f"Zentrum {name}")
    return [f"Zentrum {name}" for name in GERMAN_ORDER]


def test_centre_list_is_in_german_order(client, user_as):
    names = _rename_centres()
    client.force_login(user_as(Role.LASI))
    text = client.get(reverse("centers:list")).content.decode()
    assert _in_page_order(text, names, r">%s<") == names


def test_state_report_lists_centres_in_german_order():
    names = _rename_centres()
    sheets = state_overview_sheets(report(status=ReportStatus.QUEUED))
    header, rows = next((h, r) for _, h, r in sheets if "Zentrum" in h)
    listed = [row[header.index("Zentrum")] for row in rows]
    assert [n for n in listed if n in names] == names


def test_reference_data_puts_koeln_before_krefeld():
    """Code-point order would put every "Kö…" after "Kr…"."""
    centres = list(Center.objects.values_list("name", flat=True))
    assert centres.index("Kommunales Integrationszentrum Köln") < centres.index(
        "Kommunales Integrationszentrum Krefeld"
    )
    sponsors = list(Municipality.objects.order_by("name").values_list("name", flat=True))
    assert sponsors.index("Köln") < sponsors.index("Krefeld")


def test_centre_team_is_in_german_order_of_user_names(home_center):
    for name in SHUFFLED:
        user = UserFactory(last_name=name, first_name=FIRST_NAME)
        center_services.membership_grant(user=user, role=Role.CENTER_STAFF, center=home_center)
    team, _contacts = center_selectors.center_people(home_center)
    assert [m.user.last_name for m in team] == GERMAN_ORDER
    # Default ordering of memberships (admin, prefetches) as well.
    assert [m.user.last_name for m in home_center.memberships.all()] == GERMAN_ORDER


def test_people_of_the_plan_overview_are_in_german_order(home_center, people):
    for person in people:
        AssignmentFactory(member=person, post=PostFactory(center=home_center))
    overview = allocation_overview(make_plan(home_center))
    assert [p.member.last_name for p in overview.people] == GERMAN_ORDER
