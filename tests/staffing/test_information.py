"""Art. 15 DSGVO (issue 14): everything stored about one person, as a page and a JSON file,
for the KI-Leitung of the person's centre and the ministry; every export is logged like
the Nr. 3.4 reads. Who else asks gets 404 (tests/permissions covers every role)."""

import json
from datetime import date

import pytest
from django.urls import reverse

from centers.models import Role
from staffing.models import ImmigrationHistory, SensitiveDataAccess
from staffing.services import exception_propose

from .factories import AssignmentFactory, PostFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(home_center, user_as):
    member = StaffMemberFactory(
        center=home_center,
        last_name="Yılmaz",
        first_name="Ayşe",
        email="ayse.yilmaz@ki.example",
        employer="Stadt Köln",
        immigration_history=ImmigrationHistory.YES,
    )
    AssignmentFactory(
        post=PostFactory(center=home_center, label="Fachkraft 7"),
        member=member,
        start=date(2024, 8, 1),
        seconding_school="Gesamtschule Holweide",
    )
    exception_propose(
        member=member,
        kind="specialist",
        reason="Zehn Jahre Berufserfahrung",
        user=user_as(Role.CENTER_LEAD, home_center),
    )
    return member


def _urls(member):
    args = [member.center.key, member.pk]
    return (
        reverse("staffing:member_information", args=args),
        reverse("staffing:member_information_json", args=args),
    )


def _section(export, title):
    return next(s["rows"] for s in export["sections"] if s["title"] == title)


def test_the_lead_gets_everything_as_a_file_and_each_export_is_logged(
    client, home_center, user_as, person
):
    lead = user_as(Role.CENTER_LEAD, home_center, username="leitung")
    client.force_login(lead)
    SensitiveDataAccess.objects.create(
        user=lead, member=person, action=SensitiveDataAccess.Action.VIEW
    )
    page_url, json_url = _urls(person)

    detail = client.get(reverse("staffing:member", args=[home_center.key, person.pk]))
    assert page_url in detail.content.decode()

    response = client.get(json_url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    export = json.loads(response.content)
    assert export["person"] == "Yılmaz, Ayşe"
    (facts,) = _section(export, "Angaben zur Person")
    assert facts["E-Mail"] == "ayse.yilmaz@ki.example"
    assert facts["Anstellungsträger"] == "Stadt Köln"
    assert facts["Einwanderungsgeschichte (freiwillige Selbstauskunft)"] == "ja"
    (assignment,) = _section(export, "Besetzungen")
    assert assignment["Stelle"] == "Fachkraft 7"
    assert assignment["Abordnende Schule"] == "Gesamtschule Holweide"
    assert assignment["Beginn"] == "2024-08-01"
    (exception,) = _section(export, "Qualifikationsausnahmen (Nr. 4.1, Nr. 4.2)")
    assert exception["Begründung"] == "Zehn Jahre Berufserfahrung"
    assert _section(export, "Änderungsverlauf der Angaben zur Person")[0]["Nachname"] == "Yılmaz"
    assert _section(export, "Änderungsverlauf der Besetzungen")
    log = _section(export, "Protokoll der Zugriffe auf die Selbstauskunft und der Auskünfte")
    assert [entry["Vorgang"] for entry in log] == ["angesehen", "Auskunft exportiert"]
    assert _section(export, "Benutzerkonto im Portal") == []

    page = client.get(page_url)
    assert page.status_code == 200
    assert "Zehn Jahre Berufserfahrung" in page.content.decode()
    assert list(
        SensitiveDataAccess.objects.filter(member=person, user=lead)
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["view", "export", "export"]


def test_a_linked_user_account_is_part_of_it(client, home_center, user_as, person):
    account = user_as(Role.CENTER_STAFF, home_center, username="ayilmaz")
    account.email = "Ayse.Yilmaz@ki.example"
    account.save()
    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    export = json.loads(client.get(_urls(person)[1]).content)
    (row,) = _section(export, "Benutzerkonto im Portal")
    assert row["Benutzername"] == "ayilmaz"
    assert "KI-Mitarbeitende" in row["Rollen"]


def test_the_ministry_exports_without_the_nr_3_4_value(client, home_center, user_as, person):
    ministry = user_as(Role.MINISTRY)
    client.force_login(ministry)
    export = json.loads(client.get(_urls(person)[1]).content)
    (facts,) = _section(export, "Angaben zur Person")
    value = facts["Einwanderungsgeschichte (freiwillige Selbstauskunft)"]
    assert value == "Nur in der Auskunft durch die KI-Leitung des Zentrums enthalten."
    assert SensitiveDataAccess.objects.filter(
        member=person, user=ministry, action="export"
    ).exists()


@pytest.mark.parametrize("role", [Role.CENTER_STAFF, Role.SPONSOR, Role.LASI])
def test_others_get_404_and_nothing_is_logged(client, home_center, user_as, person, role):
    client.force_login(user_as(role, home_center))
    for url in _urls(person):
        assert client.get(url).status_code == 404
    detail = client.get(reverse("staffing:member", args=[home_center.key, person.pk]))
    assert _urls(person)[0] not in detail.content.decode()
    assert not SensitiveDataAccess.objects.filter(action="export").exists()


def test_the_lead_of_another_centre_gets_404(client, other_center, user_as, person):
    client.force_login(user_as(Role.CENTER_LEAD, other_center))
    for url in _urls(person):
        assert client.get(url).status_code == 404
    assert not SensitiveDataAccess.objects.exists()
