"""The change forms the ministry uses in the admin are axe-clean (issue 14: pa11y found
image links without text, a fieldset without legend, unlabelled inputs in the inline
tables, nameless autocomplete boxes, breadcrumb links told apart by colour only and a
forbidden aria-label in the multi-centre picker), and the quota list's Soll fits."""

import re

import pytest
from playwright.sync_api import expect

from centers.models import IntegrationConcept
from staffing.models import StaffingQuota


def _pages():
    concept = IntegrationConcept.objects.filter(center__key="05315").order_by("number").first()
    quota = StaffingQuota.objects.filter(center__key="05158").order_by("pk").first()
    from django.contrib.auth import get_user_model

    lead = get_user_model().objects.get(username="ki-koeln-leitung")
    return {
        "concept": f"/admin/centers/integrationconcept/{concept.pk}/change/",
        "quota": f"/admin/staffing/staffingquota/{quota.pk}/change/",
        "user": f"/admin/auth/user/{lead.pk}/change/",
        "membership": "/admin/centers/membership/add/",
        "quotas-many": "/admin/staffing/staffingquota/mehrere-zentren/",
    }


@pytest.mark.parametrize("name", ["concept", "quota", "user", "membership", "quotas-many"])
def test_admin_change_forms_are_accessible(page, login, shot, assert_accessible, name):
    login(page, "ministerium")
    page.goto(_pages()[name])
    expect(page.locator("#content h1")).to_be_visible()
    shot(page, f"admin-{name}")
    assert_accessible(page)


def test_admin_inputs_are_named_by_their_labels(page, login):
    login(page, "ministerium")
    page.goto(_pages()["user"])
    # the inline row's inputs and its autocomplete box are named after the column
    row = page.locator("#memberships-0")
    expect(row.get_by_role("combobox", name=re.compile(r"^Zentrum"))).to_contain_text("Köln")
    expect(row.get_by_label(re.compile(r"^Rolle"))).to_have_value("center_lead")
    # date and time are a group named by the field, each input by its label
    joined = page.get_by_role("group", name="Mitglied seit:")
    expect(joined.get_by_label("Datum:")).to_have_value(re.compile(r"^\d\d\.\d\d\.\d{4}$"))
    expect(joined.get_by_label("Zeit:")).to_be_visible()
    # the multi-centre picker stands right of its label
    page.goto(_pages()["quotas-many"])
    label = page.locator('label[for="id_centers"]')
    lists = page.locator(".selector")
    expect(lists).to_be_visible()
    assert label.bounding_box()["x"] < lists.bounding_box()["x"]
    # its filter fields are named by the icon's hidden text (an aria-label on a span was)
    expect(page.locator("#id_centers_input")).to_have_accessible_name(
        "Durch Eingabe in diesem Feld lässt sich die Liste der verfügbaren Zentren eingrenzen."
    )


def test_the_quota_lists_soll_is_not_clipped(page, login, shot):
    login(page, "ministerium")
    page.goto("/admin/staffing/staffingquota/?q=Mettmann")
    field = page.locator("input.quota-fte").first
    expect(field).to_have_value("0,50")  # Verwaltungsassistenz, the list's first row
    # the whole value is visible: the field is wider than what it holds, and the field and
    # the row's last column (the period) lie inside the list's visible area
    assert field.evaluate("el => el.scrollWidth <= el.clientWidth")
    inside = """el => {
        const box = el.closest('.results').getBoundingClientRect();
        const r = el.getBoundingClientRect();
        return r.left >= box.left && r.right <= box.right;
    }"""
    assert field.evaluate(inside)
    assert page.locator("td.field-period").first.evaluate(inside)
    assert field.bounding_box()["width"] >= 60
    shot(page, "admin-quota-list")
