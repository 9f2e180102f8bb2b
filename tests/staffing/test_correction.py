"""Correcting the staffing list: the KI-Leitung edits, ends and deletes a post, and deletes
an assignment entered by mistake — with optimistic locking, and recorded in the history."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from centers.models import Role
from staffing.models import Assignment, FundingSource, Post
from staffing.selectors import center_deletions
from tests.deployment.factories import make_allocation, make_plan

from .factories import AssignmentFactory, PostFactory, StaffMemberFactory


@pytest.fixture
def lead(home_center, user_as):
    user = user_as(Role.CENTER_LEAD, home_center)
    user.first_name, user.last_name = "Lena", "Leitner"
    user.save()
    return user


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


@pytest.fixture
def post(home_center):
    return PostFactory(center=home_center, label="Fachkraft 1", fte=Decimal("1.00"))


@pytest.fixture
def anna(home_center, post):
    member = StaffMemberFactory(center=home_center, last_name="Müller", first_name="Anna")
    return AssignmentFactory(post=post, member=member, fte=Decimal("0.50"), start=date(2025, 1, 1))


def _url(name, center, pk):
    return reverse(f"staffing:{name}", kwargs={"key": center.key, "pk": pk})


def _post_data(post, **overrides):
    data = {
        "label": post.label,
        "fte": "1",
        "funding_source": post.funding_source,
        "valid_from": post.valid_from.strftime("%d.%m.%Y"),
        "valid_to": "",
        "version": post.version,
    }
    return {**data, **overrides}


# --- edit ------------------------------------------------------------------------------------


def test_the_lead_edits_a_post_and_a_stale_form_gets_a_conflict(lead_client, home_center, post):
    url = _url("post_edit", home_center, post.pk)
    page = lead_client.get(url)
    assert page.status_code == 200
    assert 'value="Fachkraft 1"' in page.content.decode()
    data = _post_data(
        post,
        label="Fachkraft Integration",
        fte="0,5",
        funding_source=FundingSource.MUNICIPAL,
        valid_to="31.07.2027",
    )
    response = lead_client.post(url, data)
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.label, post.fte, post.funding_source, post.valid_to) == (
        "Fachkraft Integration",
        Decimal("0.50"),
        FundingSource.MUNICIPAL,
        date(2027, 7, 31),
    )
    assert post.version == 1
    # A second tab still holds version 0: conflict, nothing overwritten.
    stale = lead_client.post(url, {**data, "label": "Fachkraft alt", "version": 0})
    assert stale.status_code == 200
    assert "inzwischen von jemand anderem geändert" in stale.content.decode()
    post.refresh_from_db()
    assert post.label == "Fachkraft Integration"


def test_editing_a_post_below_its_holders_shows_the_holders(lead_client, home_center, post, anna):
    response = lead_client.post(
        _url("post_edit", home_center, post.pk), _post_data(post, fte="0,4")
    )
    assert response.status_code == 200
    assert "Müller, Anna (0,50)" in response.content.decode()
    assert Post.objects.get(pk=post.pk).fte == Decimal("1.00")


# --- end -------------------------------------------------------------------------------------


def test_ending_a_post_is_refused_while_assignments_run_beyond(
    lead_client, home_center, post, anna
):
    url = _url("post_end", home_center, post.pk)
    assert lead_client.get(url).status_code == 200
    response = lead_client.post(url, {"valid_to": "31.07.2026", "version": post.version})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Müller, Anna" in text and "31.07.2026" in text
    post.refresh_from_db()
    assert post.valid_to is None


def test_ending_a_post_with_its_assignments_on_the_same_day(lead_client, home_center, post, anna):
    response = lead_client.post(
        _url("post_end", home_center, post.pk),
        {"valid_to": "31.07.2026", "end_assignments": "on", "version": post.version},
    )
    assert response.status_code == 302
    post.refresh_from_db()
    anna.refresh_from_db()
    assert post.valid_to == date(2026, 7, 31)
    assert anna.end == date(2026, 7, 31)
    assert anna.history.first().history_user.last_name == "Leitner"


def test_ending_a_post_with_a_stale_version_is_a_conflict(lead_client, home_center, post):
    response = lead_client.post(
        _url("post_end", home_center, post.pk), {"valid_to": "31.07.2026", "version": 3}
    )
    assert "inzwischen von jemand anderem geändert" in response.content.decode()
    post.refresh_from_db()
    assert post.valid_to is None


# --- delete ----------------------------------------------------------------------------------


def test_the_lead_deletes_a_post_after_confirming(lead_client, home_center, post, lead):
    url = _url("post_delete", home_center, post.pk)
    page = lead_client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Fachkraft 1" in text and '<button type="submit"' in text
    assert Post.objects.filter(pk=post.pk).exists()  # GET only asks
    response = lead_client.post(url, {"version": post.version})
    assert response.status_code == 302
    assert not Post.objects.filter(pk=post.pk).exists()
    deleted = Post.history.get(id=post.pk, history_type="-")
    assert deleted.history_user == lead
    overview = lead_client.get(reverse("staffing:center", kwargs={"key": home_center.key}))
    assert [(d.label, d.history_user) for d in overview.context["deletions"]] == [
        ("Fachkraft 1", lead)
    ]


def test_deleted_posts_and_assignments_are_one_list_newest_first_in_one_query(
    lead_client, home_center, post, anna, lead
):
    lead_client.post(_url("assignment_delete", home_center, anna.pk), {"version": anna.version})
    lead_client.post(_url("post_delete", home_center, post.pk), {"version": post.version})
    assert connection.features.supports_json_field  # SQLite asks once per connection
    with CaptureQueriesContext(connection) as ctx:
        deletions = center_deletions(home_center)
        # What the page shows of them is read with them.
        html = render_to_string("staffing/_deletions.html", {"deletions": deletions})
    assert len(ctx) == 1, [q["sql"] for q in ctx]
    assert [(d.history_user, getattr(d, "label", None), d.fte) for d in deletions] == [
        (lead, "Fachkraft 1", Decimal("1.00")),
        (lead, None, Decimal("0.50")),
    ]
    assert str(deletions[1].member) == "Müller, Anna"
    assert deletions[1].post is None  # deleted after its assignment, as select_related
    assert "Lena Leitner" in html
    page = lead_client.get(reverse("staffing:center", kwargs={"key": home_center.key}))
    text = page.content.decode()
    # Both kinds in one table: what was deleted is said in words.
    assert re.search(r"Stelle gelöscht</td><td>zuletzt: Fachkraft 1: 1,00 VZÄ", text)
    assert re.search(r"Besetzung gelöscht</td><td>zuletzt: Müller, Anna: 0,50 VZÄ", text)
    assert text.index("Stelle gelöscht") < text.index("Besetzung gelöscht")


def test_a_post_with_assignments_is_not_deleted(lead_client, home_center, post, anna):
    url = _url("post_delete", home_center, post.pk)
    assert "erst die Besetzungen löschen oder die Stelle beenden" in (
        lead_client.get(url).content.decode()
    )
    response = lead_client.post(url, {"version": post.version})
    assert response.status_code == 200
    assert "erst die Besetzungen löschen oder die Stelle beenden" in response.content.decode()
    assert Post.objects.filter(pk=post.pk).exists()


def test_the_lead_deletes_an_assignment_and_the_history_shows_who(
    lead_client, home_center, post, anna
):
    url = _url("assignment_delete", home_center, anna.pk)
    page = lead_client.get(url)
    assert page.status_code == 200
    assert "Müller, Anna" in page.content.decode()
    response = lead_client.post(url, {"version": anna.version})
    assert response.status_code == 302
    assert not Assignment.objects.filter(pk=anna.pk).exists()
    # The vacancy "unbesetzt seit …" of the mistaken entry is gone with it; the history keeps it.
    member_page = lead_client.get(_url("member", home_center, anna.member_id)).content.decode()
    assert "Gelöscht" in member_page and "Lena Leitner" in member_page
    post_page = lead_client.get(_url("post", home_center, post.pk)).content.decode()
    assert "Gelöscht" in post_page and "Lena Leitner" in post_page


def test_deleting_an_assignment_with_a_stale_version_is_a_conflict(lead_client, home_center, anna):
    response = lead_client.post(
        _url("assignment_delete", home_center, anna.pk), {"version": anna.version + 1}
    )
    assert response.status_code == 200
    assert "inzwischen von jemand anderem geändert" in response.content.decode()
    assert Assignment.objects.filter(pk=anna.pk).exists()


def test_an_assignment_a_plan_allocates_is_not_deleted_but_may_be_ended(
    lead_client, home_center, anna
):
    plan = make_plan(home_center)
    make_allocation(plan.foci.order_by("-position").first(), anna, Decimal("0.25"))
    url = _url("assignment_delete", home_center, anna.pk)
    response = lead_client.post(url, {"version": anna.version})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Einsatzmanagement" in text and "beenden Sie die Besetzung" in text
    assert Assignment.objects.filter(pk=anna.pk).exists()
    assert anna.focus_allocations.count() == 1


# --- buttons -----------------------------------------------------------------------------------


def test_correction_buttons_only_for_those_who_manage_staffing(
    client, lead_client, user_as, home_center, post, anna
):
    edit = _url("post_edit", home_center, post.pk)
    delete = _url("assignment_delete", home_center, anna.pk)
    text = lead_client.get(_url("post", home_center, post.pk)).content.decode()
    assert edit in text and _url("post_end", home_center, post.pk) in text
    assert _url("post_delete", home_center, post.pk) in text and delete in text
    client.force_login(user_as(Role.CENTER_STAFF, home_center))
    text = client.get(_url("post", home_center, post.pk)).content.decode()
    assert edit not in text and delete not in text
