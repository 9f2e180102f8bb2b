"""No e-mail oracle (issue 15, finding 8): an address that another centre's person already
has cannot be used, and a centre's user learns nothing more — not whose it is, not which
centre. Whoever may see that centre's staffing list (the ministry) is told the real reason."""

import pytest
from django.urls import reverse

from centers.models import Role
from staffing import imports, spreadsheet
from staffing.models import StaffMember

from .factories import StaffMemberFactory

NOT_HERE = "Diese E-Mail-Adresse kann hier nicht verwendet werden. Bitte prüfen Sie die Adresse."
HEADER = (
    "KI-Schlüssel;Nachname;Vorname;E-Mail;Stellenart;Stellenanteil;Beginn;Ende;Funktion;"
    "Abordnende Schule;Qualifikation"
)


@pytest.fixture
def theirs(other_center):
    """A person of Bonn, whose address Köln's list must not reveal."""
    return StaffMemberFactory(
        center=other_center, email="m.geheim@bonn.example", last_name="Geheim", first_name="Mara"
    )


def _preview(user, email: str, key: str = "05315"):
    data = f"{HEADER}\n{key};Neu;Nina;{email};Fachkraft;1;01.08.2025;;;;Master\n".encode()
    result = imports.staffing_list_import(
        source=spreadsheet.iter_file(data), user=user, dry_run=True
    )
    return [(column, message) for row in result.error_rows for column, message in row.errors]


def _save_person(client, email: str, key: str = "05315"):
    return client.post(
        reverse("staffing:member_create", kwargs={"key": key}),
        {"last_name": "Neu", "first_name": "Nina", "email": email, "qualification": "master"},
    )


def test_a_centre_lead_importing_another_centres_address_learns_only_that_it_cannot_be_used(
    user_as, home_center, theirs
):
    errors = _preview(user_as(Role.CENTER_LEAD, home_center), "M.Geheim@Bonn.example")
    assert errors == [("E-Mail", NOT_HERE)]


def test_a_centre_lead_saving_a_person_with_another_centres_address_learns_nothing_more(
    client, user_as, home_center, theirs
):
    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    response = _save_person(client, "m.geheim@bonn.example")
    assert response.status_code == 200
    assert response.context["form"].errors == {"email": [NOT_HERE]}
    page = response.content.decode()
    assert NOT_HERE in page
    for secret in ("Geheim", "Bonn", "bereits", "vergeben"):
        assert secret not in page.replace("m.geheim@bonn.example", "")
    assert not StaffMember.objects.filter(center=home_center).exists()


def test_a_centre_lead_is_told_which_of_her_own_people_has_the_address(
    client, user_as, home_center
):
    StaffMemberFactory(center=home_center, email="k.koch@koeln.example", last_name="Koch")
    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    response = _save_person(client, "k.koch@koeln.example")
    [message] = response.context["form"].errors["email"]
    assert "Koch" in message and "Köln" in message
    assert StaffMember.objects.count() == 1


def test_the_ministry_is_told_whose_address_it_is_in_the_import_and_in_the_form(
    client, user_as, home_center, theirs
):
    ministry = user_as(Role.MINISTRY)
    [(column, message)] = _preview(ministry, "m.geheim@bonn.example")
    assert column == "E-Mail" and "Geheim, Mara" in message and "Bonn" in message

    client.force_login(ministry)
    response = _save_person(client, "m.geheim@bonn.example")
    [message] = response.context["form"].errors["email"]
    assert "Geheim, Mara" in message and "Bonn" in message
    assert StaffMember.objects.get(email="m.geheim@bonn.example") == theirs
