"""Centre list, centre page and dashboards as their users see them."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from centers.models import Center, Membership, Role
from tests import factories
from tests.querycount import assert_constant_queries

pytestmark = pytest.mark.django_db

User = get_user_model()


def add_team_members(per_center: int, centers=None) -> None:
    """``per_center`` more KI-Mitarbeitende in each centre (bulk, for growth)."""
    centers = list(centers or Center.objects.all())
    start = User.objects.count()
    users = User.objects.bulk_create(
        [
            User(username=f"grow{start + i}", first_name="Vorname", last_name=f"Name{start + i}")
            for i in range(per_center * len(centers))
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=user, role=Role.CENTER_STAFF, center=centers[i % len(centers)])
            for i, user in enumerate(users)
        ]
    )


def test_state_user_sees_all_54_centres_with_traeger_region_and_status(
    client, user_as, home_center
):
    client.force_login(user_as(Role.LASI, home_center))
    response = client.get(reverse("centers:list"))
    assert response.status_code == 200
    assert len(response.context["centers"]) == 54
    html = response.content.decode()
    assert "Kommunales Integrationszentrum Kreis Mettmann" in html
    assert "Rhein-Kreis Neuss" in html and "Detmold" in html


def test_centre_list_filters_by_regierungsbezirk_and_search(client, user_as, home_center):
    client.force_login(user_as(Role.MINISTRY, home_center))
    response = client.get(reverse("centers:list"), {"region": "Detmold"})
    names = {c.name for c in response.context["centers"]}
    assert len(names) == 7 and "Kommunales Integrationszentrum Bielefeld" in names
    response = client.get(reverse("centers:list"), {"q": "aachen"})
    assert {c.key for c in response.context["centers"]} == {"05334", "05334002"}
    response = client.get(reverse("centers:list"), {"sponsor_kind": "kreisfreie Stadt"})
    assert len(response.context["centers"]) == 22


def test_ki_user_sees_only_her_centre_in_the_list(client, user_as, home_center):
    client.force_login(user_as(Role.CENTER_STAFF, home_center))
    response = client.get(reverse("centers:list"))
    assert [c.key for c in response.context["centers"]] == ["05315"]


def test_ki_leitung_lands_on_the_dashboard_of_her_centre(client, user_as, home_center):
    lead = user_as(Role.CENTER_LEAD, home_center)
    colleague = user_as(Role.CENTER_STAFF, home_center)
    client.force_login(lead)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert response.context["center"] == home_center
    html = response.content.decode()
    assert "Kommunales Integrationszentrum Köln" in html
    assert colleague.last_name in html
    assert "Schulamt für die Stadt Köln" in html


def test_schulamt_reviewer_sees_the_centres_of_his_district(client, user_as):
    client.force_login(user_as(Role.SCHOOL_AUTHORITY, factories.center("05334")))
    response = client.get(reverse("dashboard"))
    assert {c.key for c in response.context["centers"]} == {"05334", "05334002"}


def test_schulamt_with_one_centre_gets_the_district_view_not_my_centre(
    client, user_as, home_center
):
    client.force_login(user_as(Role.SCHOOL_AUTHORITY, home_center))
    response = client.get(reverse("dashboard"))
    assert [c.key for c in response.context["centers"]] == ["05315"]
    assert "Zentren in Ihrem Zuständigkeitsbereich" in response.content.decode()


def test_state_dashboard_counts_centres_per_regierungsbezirk(client, user_as, home_center):
    client.force_login(user_as(Role.FUNDING, home_center))
    add_team_members(3)  # a join over the team must not count a centre twice
    response = client.get(reverse("dashboard"))
    regions = {r["sponsor__region"]: r["total"] for r in response.context["regions"]}
    assert regions == {"Arnsberg": 12, "Detmold": 7, "Düsseldorf": 15, "Köln": 12, "Münster": 8}
    assert response.context["total"] == 54


def test_foreign_centre_page_is_404(client, user_as, home_center, other_center):
    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    assert client.get(other_center.get_absolute_url()).status_code == 404
    assert client.get("/zentren/99999/").status_code == 404
    assert client.get(home_center.get_absolute_url()).status_code == 200


def test_dates_are_shown_as_dd_mm_yyyy(client, user_as, home_center):
    home_center.founded_on = "2014-03-01"
    home_center.save()
    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    assert "01.03.2014" in client.get(home_center.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "role,url_name",
    [
        (Role.LASI, "centers:list"),
        (Role.CENTER_LEAD, "centers:list"),
        (Role.LASI, "dashboard"),
        (Role.CENTER_LEAD, "dashboard"),
        (Role.SCHOOL_AUTHORITY, "dashboard"),
    ],
)
def test_pages_keep_their_query_count_as_data_grows(client, user_as, home_center, role, url_name):
    client.force_login(user_as(role, home_center))
    small, large = assert_constant_queries(client, reverse(url_name), add_team_members)
    assert small == large


def test_centre_page_keeps_its_query_count_as_the_team_grows(client, user_as, home_center):
    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    assert_constant_queries(
        client,
        home_center.get_absolute_url(),
        lambda k: add_team_members(k, centers=[home_center]),
        base=3,
    )


def test_centre_list_shows_and_filters_the_operating_status(client, user_as, home_center):
    from centers.selectors import center_operating_status

    client.force_login(user_as(Role.LASI, home_center))
    response = client.get(reverse("centers:list"))
    rows = response.context["rows"]
    assert len(rows) == 54
    # The test database has no concepts or funding: nothing meets §1.4 yet.
    assert all(not status.active for _center, status in rows)
    assert "ein bewilligtes Integrationskonzept" in response.content.decode()
    response = client.get(reverse("centers:list"), {"operating": "active"})
    assert list(response.context["centers"]) == []
    response = client.get(reverse("centers:list"), {"operating": "inactive"})
    assert len(response.context["centers"]) == 54
    assert not center_operating_status(home_center).active


def test_a_centre_meeting_section_1_4_is_listed_as_active(client, user_as, home_center):
    from django.utils import timezone

    from centers.models import ConceptStatus
    from tests.concepts.helpers import make_concept, make_funding

    make_concept(
        home_center,
        status=ConceptStatus.APPROVED,
        complete=True,
        resolution_date=timezone.localdate().replace(month=1, day=1),
    )
    make_funding(home_center, timezone.localdate().year)
    client.force_login(user_as(Role.LASI, home_center))
    response = client.get(reverse("centers:list"), {"operating": "active"})
    assert [c.key for c in response.context["centers"]] == ["05315"]
    response = client.get(reverse("centers:list"), {"operating": "inactive"})
    assert len(response.context["centers"]) == 53


@pytest.mark.parametrize(
    "role,shown,hidden",
    [
        (
            Role.CENTER_LEAD,
            ["Einsatzmanagement", "Personal", "Berichte"],
            ["Konzeptprüfung", "Verwaltung"],
        ),
        (Role.SCHOOL_AUTHORITY, ["Einsatzmanagement", "Personal", "Berichte"], ["Konzeptprüfung"]),
        (Role.FUNDING, ["Konzeptprüfung", "Berichte"], ["Einsatzmanagement", "Personal"]),
        (Role.MINISTRY, ["Einsatzmanagement", "Personal", "Konzeptprüfung", "Verwaltung"], []),
    ],
)
def test_navigation_offers_only_what_the_role_may_use(
    client, user_as, home_center, role, shown, hidden
):
    client.force_login(user_as(role, home_center))
    html = client.get(reverse("dashboard")).content.decode()
    nav = html[html.index('class="main-nav"') : html.index("</nav>")]
    for label in shown:
        assert f">{label}</a>" in nav, label
    for label in hidden:
        assert f">{label}</a>" not in nav, label


def test_ki_dashboard_leads_to_the_centres_work_areas(client, user_as, home_center):
    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    html = client.get(reverse("dashboard")).content.decode()
    for name in ("staffing:center", "reporting:center_dashboard", "reporting:center"):
        assert reverse(name, kwargs={"key": home_center.key}) in html
    assert reverse("deployment:plan_list") in html


def test_state_dashboard_links_the_nrw_figures(client, user_as, home_center):
    client.force_login(user_as(Role.LASI, home_center))
    assert reverse("reporting:dashboard") in client.get(reverse("dashboard")).content.decode()


def test_the_state_dashboard_offers_the_review_queue_only_to_who_reviews(
    client, user_as, home_center
):
    """The button reads the user's grants (no Django permission lookup of its own)."""
    label = "Eingereichte Konzepte prüfen"
    client.force_login(user_as(Role.FUNDING))
    assert label in client.get(reverse("dashboard")).content.decode()
    client.force_login(user_as(Role.LASI))
    assert label not in client.get(reverse("dashboard")).content.decode()
