"""The pages: what each person sees and can do, and that query counts stay flat."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from centers.models import Center, Role
from deployment.models import DeploymentPlan, Focus, FocusAllocation, PlanStatus, ReviewComment
from deployment.periods import current_period, period_containing
from staffing.models import PostKind
from tests.deployment import factories as f
from tests.querycount import assert_constant_queries

pytestmark = pytest.mark.django_db


def _login(client, user_as, role, center):
    user = user_as(role, center)
    client.force_login(user)
    return user


def _focus_post(focus, **extra):
    data = {
        "title": focus.title,
        "field": focus.field,
        "stage": focus.stage,
        "target_groups": focus.target_groups,
        "goal": focus.goal,
        "measures": focus.measures,
        "indicators": focus.indicators,
        "partners": focus.partners,
        "other_partners": "",
        "programmes": focus.programmes,
        "expected_version": focus.version,
    }
    data.update(extra)
    return data


def test_leitung_starts_the_plan_of_the_current_period(client, user_as, home_center):
    _login(client, user_as, Role.CENTER_LEAD, home_center)
    page = client.get(reverse("deployment:plan_list"))
    assert "Einsatzmanagement Kommunales Integrationszentrum Köln beginnen" in page.text
    response = client.post(reverse("deployment:plan_create", kwargs={"key": home_center.key}))
    plan = DeploymentPlan.objects.get(center=home_center)
    assert response.url == plan.get_absolute_url()
    assert plan.period_start == current_period().start
    assert "Laiensprachmittlerpool" in client.get(response.url).text


def test_inline_edit_with_htmx_returns_only_that_focus(client, user_as, home_center):
    _login(client, user_as, Role.CENTER_STAFF, home_center)
    plan = f.make_plan(home_center, foci=2)
    focus, other = plan.foci.filter(basic_component="")
    url = reverse("deployment:focus_edit", kwargs={"pk": focus.pk})
    form = client.get(url, headers={"HX-Request": "true"})
    assert form.status_code == 200
    assert "<html" not in form.text and f'id="focus-{focus.pk}"' in form.text
    response = client.post(
        url, _focus_post(focus, goal="Neues Ziel für die Schulen"), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Neues Ziel für die Schulen" in response.text
    assert "Bearbeiten" in response.text
    other_before = Focus.objects.get(pk=other.pk)
    assert (other_before.version, other_before.goal) == (0, other.goal)


def test_edit_without_javascript_redirects_to_the_plan(client, user_as, home_center):
    _login(client, user_as, Role.CENTER_STAFF, home_center)
    focus = f.make_plan(home_center).foci.filter(basic_component="").get()
    url = reverse("deployment:focus_edit", kwargs={"pk": focus.pk})
    assert "<html" in client.get(url).text
    response = client.post(url, _focus_post(focus, title="Neu"))
    assert response.status_code == 302
    assert response.url.endswith(f"#focus-{focus.pk}")


def test_second_save_gets_a_conflict_message_and_keeps_the_first(client, user_as, home_center):
    _login(client, user_as, Role.CENTER_STAFF, home_center)
    focus = f.make_plan(home_center).foci.filter(basic_component="").get()
    url = reverse("deployment:focus_edit", kwargs={"pk": focus.pk})
    client.post(url, _focus_post(focus, goal="Erste Fassung"), headers={"HX-Request": "true"})
    response = client.post(
        url, _focus_post(focus, goal="Zweite Fassung"), headers={"HX-Request": "true"}
    )
    assert "inzwischen von jemand anderem geändert" in response.text
    assert "Zweite Fassung" in response.text  # the user's input is not lost
    focus.refresh_from_db()
    assert focus.goal == "Erste Fassung"


def test_bad_input_shows_german_errors_and_changes_nothing(client, user_as, home_center):
    _login(client, user_as, Role.CENTER_STAFF, home_center)
    plan = f.make_plan(home_center)
    response = client.post(
        reverse("deployment:focus_create", kwargs={"pk": plan.pk}),
        {"title": "", "field": "erfunden", "stage": "school", "goal": ""},
    )
    assert response.status_code == 200
    assert "Dieses Feld ist zwingend erforderlich." in response.text
    assert plan.foci.count() == 3


def test_agreed_plan_shows_no_edit_buttons(client, user_as, home_center):
    _login(client, user_as, Role.CENTER_LEAD, home_center)
    plan = f.make_plan(home_center, status=PlanStatus.AGREED)
    page = client.get(plan.get_absolute_url()).text
    assert "schreibgeschützt" in page
    assert "Schwerpunkt hinzufügen" not in page
    assert "An die LaSI melden" in page and "Neue Fassung beginnen" in page


def test_workflow_buttons_follow_the_role(client, user_as, home_center):
    plan = f.make_plan(home_center, status=PlanStatus.SUBMITTED)
    _login(client, user_as, Role.SCHOOL_AUTHORITY, home_center)
    page = client.get(plan.get_absolute_url()).text
    assert "Benehmen herstellen" in page and "Zur Überarbeitung zurückgeben" in page
    _login(client, user_as, Role.SPONSOR, home_center)
    page = client.get(plan.get_absolute_url()).text
    assert "Benehmen herstellen" not in page and "Neuer Kommentar" not in page


def test_illegal_transition_by_url_gives_a_german_message(client, user_as, home_center):
    _login(client, user_as, Role.CENTER_LEAD, home_center)
    plan = f.make_plan(home_center, status=PlanStatus.ACKNOWLEDGED)
    response = client.post(reverse("deployment:plan_submit", kwargs={"pk": plan.pk}), follow=True)
    assert "ist im Status „von der LaSI zur Kenntnis genommen“ nicht möglich" in response.text
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACKNOWLEDGED


def test_schulaufsicht_sees_only_its_district(client, user_as, home_center, other_center):
    f.make_plan(home_center)
    bonn = f.make_plan(other_center)
    _login(client, user_as, Role.SCHOOL_AUTHORITY, home_center)
    page = client.get(reverse("deployment:plan_list")).text
    assert "Köln" in page and "Integrationszentrum Bonn" not in page
    assert client.get(bonn.get_absolute_url()).status_code == 404


def test_verbund_never_shows_staff(client, user_as, home_center, other_center):
    plan = f.make_plan(home_center, shared=True)
    focus = plan.foci.get(shared=True)
    assignment = f.make_assignment(home_center)
    f.make_allocation(focus, assignment)
    _login(client, user_as, Role.CENTER_STAFF, other_center)
    listing = client.get(reverse("deployment:verbund")).text
    detail = client.get(reverse("deployment:verbund_focus", kwargs={"pk": focus.pk})).text
    for page in (listing, detail):
        assert focus.title in page
        assert assignment.member.last_name not in page
        assert "VZÄ" not in page


def test_verbund_search_and_filters(client, user_as, home_center, other_center):
    a = f.make_focus(f.make_plan(home_center, foci=0), title="Elterncafé", shared=True)
    b = f.make_focus(
        f.make_plan(other_center, foci=0),
        title="Courage-Schulen",
        field="anti_racism",
        programmes=["school_without_racism"],
        goal="Antirassismusarbeit verankern",
        shared=True,
    )
    f.make_focus(a.plan, title="Nicht geteilt", shared=False)
    _login(client, user_as, Role.CENTER_LEAD, home_center)
    url = reverse("deployment:verbund")
    assert "Nicht geteilt" not in client.get(url).text
    found = client.get(url, {"q": "antirassismus"}).text
    assert b.title in found and a.title not in found
    found = client.get(url, {"programme": "school_without_racism"}).text
    assert b.title in found and a.title not in found
    found = client.get(url, {"field": "anti_racism", "region": "Köln"}).text
    assert b.title in found  # Bonn lies in the Regierungsbezirk Köln
    found = client.get(url, {"region": "Münster"}).text
    assert b.title not in found and a.title not in found


def test_copy_from_verbund_into_own_draft(client, user_as, home_center, other_center):
    source = f.make_plan(home_center, shared=True).foci.get(shared=True)
    target = f.make_plan(other_center)
    _login(client, user_as, Role.CENTER_STAFF, other_center)
    response = client.post(
        reverse("deployment:verbund_copy", kwargs={"pk": source.pk}),
        {"target_plan": target.pk},
    )
    copy = target.foci.get(copied_from=source)
    assert response.url.endswith(f"#focus-{copy.pk}")
    # Another centre's plan is no target.
    other_target = f.make_plan(home_center, period=current_period().next())
    response = client.post(
        reverse("deployment:verbund_copy", kwargs={"pk": source.pk}),
        {"target_plan": other_target.pk},
        follow=True,
    )
    assert "eigenes Einsatzmanagement im Entwurf" in response.text
    assert not other_target.foci.filter(copied_from=source).exists()


def test_allocation_form_accepts_german_decimal_comma(client, user_as, home_center):
    _login(client, user_as, Role.CENTER_LEAD, home_center)
    plan = f.make_plan(home_center)
    focus = plan.foci.filter(basic_component="").get()
    assignment = f.make_assignment(home_center, kind=PostKind.SPECIALIST)
    url = reverse("deployment:allocations", kwargs={"pk": plan.pk})
    client.post(url, {"assignment": assignment.pk, "focus": focus.pk, "fte": "0,75"})
    assert FocusAllocation.objects.get().fte == Decimal("0.75")
    response = client.post(url, {"assignment": assignment.pk, "focus": focus.pk, "fte": "1,5"})
    assert "Höchstens 1,00 VZÄ." in response.text
    page = client.get(url).text
    assert "nicht vollständig verteilt" in page


def test_lasi_overview_highlights_missing_plans(client, user_as, home_center):
    f.make_plan(home_center, status=PlanStatus.REPORTED)
    _login(client, user_as, Role.LASI, None)
    page = client.get(reverse("deployment:state_overview")).text
    assert "53</span> fehlt" in page
    page = client.get(reverse("deployment:state_overview"), {"status": "reported"}).text
    assert "1 Zentrum, Zeitraum" in page


# --- query counts (1× and 10× data) ------------------------------------------------


def _measure(client, url, grow):
    # One request first: per-process caches (content types) are not data-dependent.
    client.get(url)
    return assert_constant_queries(client, url, grow)


def _centers():
    return list(Center.objects.order_by("key"))


def test_plan_list_query_count(client, user_as):
    _login(client, user_as, Role.LASI, None)
    centers = iter(_centers())

    def grow(k):
        for _ in range(k):
            plan = f.make_plan(next(centers), foci=2)
            f.make_comment(plan, None, escalated=True)

    counts = _measure(client, reverse("deployment:plan_list"), grow)
    print("plan_list", counts)


def test_plan_detail_query_count(client, user_as, home_center):
    lead = _login(client, user_as, Role.CENTER_LEAD, home_center)
    plan = f.make_plan(home_center, foci=0)
    copied_source = f.make_focus(f.make_plan(Center.objects.get(key="05314")), shared=True)

    def grow(k):
        for _ in range(k):
            focus = f.make_focus(plan, copied_from=copied_source)
            f.make_allocation(focus, f.make_assignment(home_center))
            comment = f.make_comment(plan, lead, focus=focus, escalated=True)
            ReviewComment.objects.create(
                plan=plan, parent=comment, author=lead, author_kind="center", text="Antwort"
            )

    counts = _measure(client, plan.get_absolute_url(), grow)
    print("plan_detail", counts)


def test_allocations_query_count(client, user_as, home_center):
    _login(client, user_as, Role.CENTER_LEAD, home_center)
    plan = f.make_plan(home_center, foci=0)

    def grow(k):
        for n in range(k):
            focus = f.make_focus(plan)
            kind = PostKind.TEACHER if n % 2 else PostKind.SPECIALIST
            f.make_allocation(focus, f.make_assignment(home_center, kind=kind))

    url = reverse("deployment:allocations", kwargs={"pk": plan.pk})
    counts = _measure(client, url, grow)
    print("allocations", counts)


def test_state_overview_query_count(client, user_as):
    _login(client, user_as, Role.LASI, None)
    centers = iter(_centers())

    def grow(k):
        for _ in range(k):
            plan = f.make_plan(next(centers), foci=3, status=PlanStatus.REPORTED)
            f.make_comment(plan, None, escalated=True)

    counts = _measure(client, reverse("deployment:state_overview"), grow)
    print("state_overview", counts)


def test_verbund_query_count(client, user_as, home_center):
    _login(client, user_as, Role.CENTER_STAFF, home_center)
    centers = iter(_centers())

    def grow(k):
        for _ in range(k):
            f.make_plan(next(centers), foci=2, shared=True)

    counts = _measure(client, reverse("deployment:verbund"), grow)
    print("verbund", counts)


def test_previous_period_is_listed_separately(client, user_as, home_center):
    f.make_plan(
        home_center,
        status=PlanStatus.ACKNOWLEDGED,
        period=period_containing(datetime.date(2024, 1, 1)),
    )
    _login(client, user_as, Role.CENTER_LEAD, home_center)
    page = client.get(reverse("deployment:plan_list")).text
    assert "01.08.2023 – 31.07.2025" in page


def test_returned_plan_shows_the_reason_to_the_centre(client, user_as, home_center):
    plan = f.make_plan(home_center, status=PlanStatus.SUBMITTED)
    schulamt = user_as(Role.SCHOOL_AUTHORITY, home_center)
    client.force_login(schulamt)
    client.post(
        reverse("deployment:plan_return", kwargs={"pk": plan.pk}),
        {"note": "Bitte Zielwerte für den Seiteneinstieg ergänzen.", "version": plan.version},
    )
    _login(client, user_as, Role.CENTER_LEAD, home_center)
    page = client.get(plan.get_absolute_url()).text
    assert "Begründung der Schulaufsicht" in page
    assert "Bitte Zielwerte für den Seiteneinstieg ergänzen." in page
    assert "Bei der Schulaufsicht einreichen" in page


def test_inline_edit_of_a_plan_that_was_submitted_meanwhile_reloads_the_page(
    client, user_as, home_center
):
    _login(client, user_as, Role.CENTER_STAFF, home_center)
    plan = f.make_plan(home_center, status=PlanStatus.SUBMITTED)
    focus = plan.foci.filter(basic_component="").get()
    response = client.post(
        reverse("deployment:focus_edit", kwargs={"pk": focus.pk}),
        _focus_post(focus, goal="zu spät"),
        headers={"HX-Request": "true"},
    )
    assert response["HX-Redirect"] == plan.get_absolute_url()
    focus.refresh_from_db()
    assert focus.goal != "zu spät"


def test_lasi_overview_shows_teacher_time(client, user_as, home_center):
    plan = f.make_plan(home_center, status=PlanStatus.REPORTED)
    focus = plan.foci.filter(basic_component="").get()
    f.make_allocation(focus, f.make_assignment(home_center, kind=PostKind.TEACHER), Decimal("0.75"))
    f.make_allocation(
        focus, f.make_assignment(home_center, kind=PostKind.SPECIALIST), Decimal("0.50")
    )
    f.make_comment(plan, None, escalated=True)
    f.make_comment(plan, None, escalated=True)
    _login(client, user_as, Role.LASI, None)
    response = client.get(reverse("deployment:state_overview"), {"status": "reported"})
    row = response.context["rows"][0]
    assert row.plan.teacher_fte == Decimal("0.75")
    assert row.plan.open_conflicts == 2
    assert row.plan.focus_count == 3
