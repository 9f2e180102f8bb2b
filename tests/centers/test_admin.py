"""The ministry's admin: German, every model reachable, memberships keep permissions in step."""

import pytest
from django.urls import NoReverseMatch, reverse

from centers import access
from centers.models import Center, Membership, Municipality, Role, SchoolAuthority
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def ministry_client(client, home_center):
    client.force_login(factories.user_with_role(Role.MINISTRY, home_center))
    return client


@pytest.mark.parametrize("model", [Center, Municipality, SchoolAuthority, Membership])
def test_admin_lists_and_change_pages_open(ministry_client, model):
    opts = model._meta
    response = ministry_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert response.status_code == 200
    obj = model.objects.first()
    if obj is not None:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert ministry_client.get(url).status_code == 200


def test_user_page_shows_memberships_inline(ministry_client, home_center):
    person = factories.user_with_role(Role.CENTER_LEAD, home_center)
    response = ministry_client.get(reverse("admin:auth_user_change", args=[person.pk]))
    assert response.status_code == 200
    assert "Mitgliedschaften" in response.content.decode()


def test_admin_speaks_german(ministry_client):
    html = ministry_client.get(reverse("admin:index")).content.decode()
    assert "Kommunale Integrationszentren" in html
    assert "Abmelden" in html or "abmelden" in html.lower()


def test_a_centre_shows_its_memberships_not_raw_permission_groups(ministry_client, home_center):
    """guardian's object-permission page showed the groups ("ki:05315:center_lead") and
    changed them past the memberships; the centre's page lists the memberships read-only."""
    lead = factories.user_with_role(Role.CENTER_LEAD, home_center)
    lead.first_name, lead.last_name = "Lea", "Leitner"
    lead.save(update_fields=["first_name", "last_name"])
    with pytest.raises(NoReverseMatch):
        reverse("admin:centers_center_permissions", args=[home_center.pk])
    change = reverse("admin:centers_center_change", args=[home_center.pk])
    assert ministry_client.get(f"{change}permissions/").status_code != 200
    html = ministry_client.get(change).content.decode()
    assert "Objektberechtigungen" not in html and "ki:05315" not in html
    assert "Lea Leitner" in html and "KI-Leitung" in html
    membership = Membership.objects.get(user=lead)
    assert reverse("admin:centers_membership_change", args=[membership.pk]) in html
    assert 'name="memberships-0-role"' not in html  # read only: changed on its own page


def test_adding_a_membership_in_the_admin_grants_access(ministry_client, home_center):
    person = factories.UserFactory()
    response = ministry_client.post(
        reverse("admin:centers_membership_add"),
        {"user": person.pk, "role": Role.CENTER_LEAD, "center": home_center.pk, "function": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(access.centers_for(person, "manage_staffing").values_list("key", flat=True)) == {
        "05315"
    }


def test_a_centre_role_without_centre_is_refused_in_german(ministry_client):
    person = factories.UserFactory()
    response = ministry_client.post(
        reverse("admin:centers_membership_add"),
        {"user": person.pk, "role": Role.CENTER_LEAD, "function": ""},
    )
    assert response.status_code == 200
    assert "Für diese Rolle muss ein Zentrum angegeben werden." in response.content.decode()
    assert not Membership.objects.filter(user=person).exists()


def test_deleting_a_membership_in_the_admin_revokes_access(ministry_client, home_center):
    person = factories.user_with_role(Role.CENTER_LEAD, home_center)
    membership = Membership.objects.get(user=person)
    response = ministry_client.post(
        reverse("admin:centers_membership_delete", args=[membership.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not access.centers_for(person).exists()
