"""The user form: memberships instead of raw groups (issue 14)."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from centers import access
from centers.models import Membership, Role
from tests import factories

pytestmark = pytest.mark.django_db


def _inline(user, rows):
    data = {
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(sum(1 for r in rows if r.get("id"))),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "01.01.2025",
        "date_joined_1": "10:00",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"memberships-{i}-{key}"] = value
        data[f"memberships-{i}-user"] = user.pk
    return data


def test_the_user_form_shows_memberships_not_groups(ministry_client, home_center):
    person = factories.user_with_role(Role.CENTER_LEAD, home_center)
    html = ministry_client.get(reverse("admin:auth_user_change", args=[person.pk])).content
    html = html.decode()
    assert "ki:05315:center_lead" not in html
    assert 'name="groups"' not in html and 'name="user_permissions"' not in html
    assert "Mitgliedschaften" in html
    assert Group not in admin.site._registry


def test_a_membership_added_on_the_user_form_grants_access(ministry_client, home_center):
    person = factories.UserFactory()
    url = reverse("admin:auth_user_change", args=[person.pk])
    rows = [{"role": Role.CENTER_LEAD, "center": home_center.pk, "function": ""}]
    response = ministry_client.post(url, _inline(person, rows))
    assert response.status_code == 302, response.content.decode()[:3000]
    keys = set(access.centers_for(person, "manage_staffing").values_list("key", flat=True))
    assert keys == {"05315"}


def test_a_membership_without_its_centre_is_refused_on_the_user_form(ministry_client):
    person = factories.UserFactory()
    url = reverse("admin:auth_user_change", args=[person.pk])
    rows = [{"role": Role.CENTER_LEAD, "function": ""}]
    response = ministry_client.post(url, _inline(person, rows))
    assert response.status_code == 200
    assert "Für diese Rolle muss ein Zentrum angegeben werden." in response.content.decode()
    assert not Membership.objects.filter(user=person).exists()


def test_a_membership_deleted_on_the_user_form_revokes_access(ministry_client, home_center):
    person = factories.user_with_role(Role.CENTER_LEAD, home_center)
    membership = Membership.objects.get(user=person)
    url = reverse("admin:auth_user_change", args=[person.pk])
    rows = [
        {
            "id": membership.pk,
            "role": membership.role,
            "center": home_center.pk,
            "function": "",
            "DELETE": "on",
        }
    ]
    response = ministry_client.post(url, _inline(person, rows))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not access.centers_for(person).exists()
    assert not person.groups.exists()


def test_deleting_a_user_lists_no_group_rows(ministry_client, home_center):
    person = factories.user_with_role(Role.CENTER_LEAD, home_center)
    html = ministry_client.get(reverse("admin:auth_user_delete", args=[person.pk])).content
    html = html.decode()
    assert "User_groups object" not in html
    assert "Mitgliedschaft" in html
