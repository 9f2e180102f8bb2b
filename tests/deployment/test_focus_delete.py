"""Issue 15, finding 11: one click deleted a Schwerpunkt without confirmation. Now the
button opens a confirmation page; only its POST (with the Schwerpunkt's version) removes
it, and the history and the centre's activity feed keep who removed what and when."""

import pytest
from django.urls import reverse

from centers.models import Role
from deployment import services
from deployment.models import Focus, FocusAllocation, PlanStatus
from tests.deployment import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(client, user_as, home_center):
    user = user_as(Role.CENTER_LEAD, home_center)
    client.force_login(user)
    return user


def _url(focus):
    return reverse("deployment:focus_delete", kwargs={"pk": focus.pk})


def test_the_plan_page_links_to_a_confirmation_instead_of_deleting(client, lead, home_center):
    plan = f.make_plan(home_center)
    focus = plan.foci.get(basic_component="")
    page = client.get(plan.get_absolute_url()).content.decode()
    assert f'href="{_url(focus)}"' in page
    assert f'action="{_url(focus)}"' not in page  # no one-click form any more


def test_a_post_without_the_confirmation_page_removes_nothing(client, lead, home_center):
    """The old one-click button posted no version: that is refused, the Schwerpunkt stays."""
    plan = f.make_plan(home_center)
    focus = plan.foci.get(basic_component="")
    response = client.post(_url(focus))
    assert response.status_code == 200
    assert "Bearbeitungsstand fehlt" in response.content.decode()
    assert Focus.objects.filter(pk=focus.pk).exists()


def test_the_confirmation_page_shows_what_goes_and_asks_once(client, lead, home_center):
    plan = f.make_plan(home_center)
    focus = plan.foci.get(basic_component="")
    page = client.get(_url(focus))
    html = page.content.decode()
    assert page.status_code == 200
    assert f"Schwerpunkt entfernen: {focus.title}" in html
    assert focus.goal in html
    assert "Schwerpunkt endgültig entfernen" in html
    assert "im Verlauf mit Ihrem Namen" in html
    assert Focus.objects.filter(pk=focus.pk).exists()


def test_confirming_removes_it_and_the_history_keeps_who_and_what(client, lead, home_center):
    plan = f.make_plan(home_center)
    focus = plan.foci.get(basic_component="")
    allocation = f.make_allocation(focus, f.make_assignment(home_center))
    response = client.post(_url(focus), {"expected_version": focus.version})

    assert response.status_code == 302
    assert response["Location"] == plan.get_absolute_url() + "#foci"
    assert not Focus.objects.filter(pk=focus.pk).exists()
    assert not FocusAllocation.objects.filter(pk=allocation.pk).exists()
    removed = Focus.history.get(id=focus.pk, history_type="-")
    assert (removed.history_user, removed.title, removed.goal) == (lead, focus.title, focus.goal)
    # The centre's activity feed says so.
    feed = client.get(reverse("centers:activity", kwargs={"key": home_center.key}))
    assert focus.title in feed.content.decode()


def test_a_stale_confirmation_is_a_conflict(client, lead, home_center):
    plan = f.make_plan(home_center)
    focus = plan.foci.get(basic_component="")
    stale = focus.version
    Focus.objects.filter(pk=focus.pk).update(version=stale + 1)  # someone saved meanwhile
    response = client.post(_url(focus), {"expected_version": stale})
    assert response.status_code == 200
    assert "inzwischen von jemand anderem geändert" in response.content.decode()
    assert Focus.objects.filter(pk=focus.pk).exists()


def test_a_basic_component_cannot_be_removed_and_the_page_says_why(client, lead, home_center):
    plan = f.make_plan(home_center)
    basic = plan.foci.exclude(basic_component="").first()
    page = client.get(_url(basic)).content.decode()
    assert "Bestandteil der Grundförderung" in page
    assert "Schwerpunkt endgültig entfernen" not in page
    response = client.post(_url(basic), {"expected_version": basic.version})
    assert response.status_code == 200
    assert Focus.objects.filter(pk=basic.pk).exists()


def test_a_submitted_plan_offers_no_removal(client, lead, home_center):
    plan = f.make_plan(home_center, status=PlanStatus.SUBMITTED)
    focus = plan.foci.get(basic_component="")
    page = client.get(_url(focus)).content.decode()
    assert "kann nicht mehr bearbeitet werden" in page
    assert "Schwerpunkt endgültig entfernen" not in page
    client.post(_url(focus), {"expected_version": focus.version})
    assert Focus.objects.filter(pk=focus.pk).exists()


def test_the_service_needs_the_version(home_center, user_as):
    plan = f.make_plan(home_center)
    focus = plan.foci.get(basic_component="")
    with pytest.raises(TypeError):
        services.focus_delete(focus=focus, user=user_as(Role.CENTER_LEAD, home_center))
