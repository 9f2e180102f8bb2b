"""The staffing pages: what each party sees, and that query counts do not grow with data."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from centers.models import Role
from staffing.models import (
    Assignment,
    AssignmentRole,
    ImmigrationHistory,
    PostKind,
    Qualification,
    SensitiveDataAccess,
    StaffMember,
)
from tests.querycount import assert_constant_queries as _assert_constant_queries

from .factories import AssignmentFactory, PostFactory, StaffMemberFactory


def assert_constant_queries(client, url, grow):
    # One request first: process-wide caches (content types) fill on the very first one.
    client.get(url)
    return _assert_constant_queries(client, url, grow)


def _grow(centers):
    """k more people per centre: a teacher post shared by two, a Fachkraft, an assistant."""

    def grow(k):
        for _ in range(k):
            for center in centers:
                teacher = PostFactory(center=center, kind=PostKind.TEACHER)
                for share in ("0.60", "0.40"):
                    AssignmentFactory(post=teacher, fte=Decimal(share))
                AssignmentFactory(
                    post=PostFactory(center=center),
                    member__qualification=Qualification.OTHER,
                    role=AssignmentRole.NONE,
                )
                PostFactory(center=center, kind=PostKind.ADMIN_ASSISTANT, fte=Decimal("0.5"))

    return grow


@pytest.fixture
def lead_client(client, home_center, user_as):
    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    return client


@pytest.mark.parametrize("name", ["staffing:center", "staffing:vacancies"])
def test_centre_pages_have_constant_queries(lead_client, home_center, name):
    url = reverse(name, kwargs={"key": home_center.key})
    assert_constant_queries(lead_client, url, _grow([home_center]))


def test_state_table_has_constant_queries(client, user_as, home_center, other_center):
    client.force_login(user_as(Role.LASI))
    small, _large = assert_constant_queries(
        client, reverse("staffing:state"), _grow([home_center, other_center])
    )
    assert small < 25


def test_teacher_posts_of_the_district_have_constant_queries(client, user_as, home_center):
    client.force_login(user_as(Role.SCHOOL_AUTHORITY, home_center))
    assert_constant_queries(client, reverse("staffing:teacher_posts"), _grow([home_center]))


def test_post_and_person_pages_have_constant_queries(lead_client, home_center):
    post = PostFactory(center=home_center)
    member = StaffMemberFactory(center=home_center)

    def grow(k):
        for _ in range(k):
            start = date(2021, 1, 1) + timedelta(days=30 * Assignment.objects.count())
            AssignmentFactory(
                post=post,
                member=member,
                fte=Decimal("0.1"),
                start=start,
                end=start + timedelta(days=20),
            )

    for url in (
        reverse("staffing:post", kwargs={"key": home_center.key, "pk": post.pk}),
        reverse("staffing:member", kwargs={"key": home_center.key, "pk": member.pk}),
    ):
        assert_constant_queries(lead_client, url, grow)


def test_centre_page_shows_sums_against_quota_and_the_warnings(lead_client, home_center):
    teacher = PostFactory(center=home_center, kind=PostKind.TEACHER)
    AssignmentFactory(post=teacher, fte=Decimal("0.6"))
    AssignmentFactory(post=teacher, fte=Decimal("0.4"))
    PostFactory(center=home_center, valid_from=date(2024, 8, 1))  # vacant
    AssignmentFactory(post=PostFactory(center=home_center), member__qualification="")
    html = lead_client.get(reverse("staffing:center", kwargs={"key": home_center.key})).content
    text = html.decode()
    assert "Lehrkräftestellen: 1,00 VZÄ, Soll 2,00 VZÄ" in text
    assert "zwei gleichen Anteilen" in text
    assert "unbesetzt seit 01.08.2024" in text
    assert "keine Qualifikation nach Nr. 4.1" in text


def test_schulaufsicht_sees_teacher_posts_of_its_district_only(
    client, user_as, home_center, other_center
):
    AssignmentFactory(
        post=PostFactory(center=home_center, kind=PostKind.TEACHER),
        member__last_name="Kölnerin",
        seconding_school="Gesamtschule Köln-Nord",
    )
    AssignmentFactory(
        post=PostFactory(center=other_center, kind=PostKind.TEACHER),
        member__last_name="Bonnerin",
    )
    AssignmentFactory(post=PostFactory(center=home_center), member__last_name="Fachkraftname")
    client.force_login(user_as(Role.SCHOOL_AUTHORITY, home_center))
    text = client.get(reverse("staffing:teacher_posts")).content.decode()
    assert "Kölnerin" in text and "Gesamtschule Köln-Nord" in text
    assert "Bonnerin" not in text and "Fachkraftname" not in text
    # The staffing list itself is not theirs.
    assert (
        client.get(reverse("staffing:center", kwargs={"key": home_center.key})).status_code == 404
    )


def test_sensitive_value_only_for_the_own_lead_and_every_read_is_logged(
    client, user_as, home_center
):
    member = StaffMemberFactory(center=home_center, immigration_history=ImmigrationHistory.YES)
    url = reverse("staffing:member_sensitive", kwargs={"key": home_center.key, "pk": member.pk})
    lead = user_as(Role.CENTER_LEAD, home_center)
    client.force_login(lead)
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"].initial["immigration_history"] == "yes"
    log = SensitiveDataAccess.objects.get()
    assert (log.user, log.member, log.action) == (lead, member, "view")

    response = client.post(url, {"immigration_history": "no", "version": member.version})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.immigration_history == "no"
    assert SensitiveDataAccess.objects.filter(action="edit").count() == 1
    # The value never enters the history table.
    assert not hasattr(member.history.first(), "immigration_history")

    for role in (Role.MINISTRY, Role.LASI, Role.CENTER_STAFF, Role.SPONSOR):
        client.force_login(user_as(role, home_center))
        assert client.get(url).status_code == 404
        page = client.get(
            reverse("staffing:member", kwargs={"key": home_center.key, "pk": member.pk})
        )
        assert "Selbstauskunft" not in page.content.decode()


def test_state_aggregate_suppresses_counts_below_five(client, user_as, home_center):
    post = PostFactory(center=home_center, fte=Decimal("1"))
    for i in range(6):
        AssignmentFactory(
            post=post, fte=Decimal("0.1"), member__immigration_history="yes" if i < 5 else "no"
        )
    client.force_login(user_as(Role.MINISTRY))
    aggregate = client.get(reverse("staffing:state")).context["aggregate"]
    specialist = next(line for line in aggregate if line["kind"] == "Fachkraft")
    assert [c["count"] for c in specialist["cells"]] == [0, 5, None]


def test_assignment_forms_create_change_and_end_with_conflict_detection(lead_client, home_center):
    post = PostFactory(center=home_center, kind=PostKind.TEACHER)
    member = StaffMemberFactory(center=home_center)
    key = home_center.key
    response = lead_client.post(
        reverse("staffing:assignment_create", kwargs={"key": key}),
        {
            "member": member.pk,
            "post": post.pk,
            "fte": "50 %",
            "start": "01.08.2025",
            "end": "",
            "role": "",
            "seconding_school": "Realschule Köln-Süd",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assignment = Assignment.objects.get()
    assert assignment.fte == Decimal("0.50")
    edit = reverse("staffing:assignment_edit", kwargs={"key": key, "pk": assignment.pk})
    data = {
        "post": post.pk,
        "fte": "1",
        "start": "01.08.2025",
        "end": "",
        "role": "",
        "seconding_school": "Realschule Köln-Süd",
        "version": 0,
    }
    assert lead_client.post(edit, data).status_code == 302
    # A second form rendered with the old version gets a conflict, nothing changes.
    stale = lead_client.post(edit, {**data, "fte": "0,5"})
    assert stale.status_code == 200
    assert "inzwischen von jemand anderem geändert" in stale.content.decode()
    assignment.refresh_from_db()
    assert assignment.fte == Decimal("1.00")

    end = reverse("staffing:assignment_end", kwargs={"key": key, "pk": assignment.pk})
    bad = lead_client.post(end, {"end": "31.07.2025", "version": assignment.version})
    assert "vor dem Beginn" in bad.content.decode()
    ok = lead_client.post(end, {"end": "31.07.2026", "version": assignment.version})
    assert ok.status_code == 302
    assignment.refresh_from_db()
    assert assignment.end == date(2026, 7, 31)
    assert assignment.history.count() == 3


def test_form_shows_german_error_for_fte_outside_range(lead_client, home_center):
    post = PostFactory(center=home_center)
    member = StaffMemberFactory(center=home_center)
    response = lead_client.post(
        reverse("staffing:assignment_create", kwargs={"key": home_center.key}),
        {"member": member.pk, "post": post.pk, "fte": "1,5", "start": "01.08.2025"},
    )
    assert response.status_code == 200
    assert "höchstens 1" in response.content.decode()
    assert not Assignment.objects.exists()


def test_centre_export_is_only_the_own_centre(client, user_as, home_center, other_center):
    AssignmentFactory(post=PostFactory(center=home_center), member__last_name="Kölsch")
    AssignmentFactory(post=PostFactory(center=other_center), member__last_name="Bönnsch")
    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    body = client.get(
        reverse("staffing:export", kwargs={"key": home_center.key}) + "?format=csv"
    ).content.decode("utf-8-sig")
    assert body.startswith("KI-Schlüssel;Nachname;Vorname;E-Mail;Stellenart")
    assert "Kölsch" in body and "Bönnsch" not in body
    assert (
        client.get(reverse("staffing:export", kwargs={"key": other_center.key})).status_code == 404
    )


def test_lasi_exports_all_centres(client, user_as, home_center, other_center):
    AssignmentFactory(post=PostFactory(center=home_center), member__last_name="Kölsch")
    AssignmentFactory(post=PostFactory(center=other_center), member__last_name="Bönnsch")
    client.force_login(user_as(Role.LASI))
    response = client.get(reverse("staffing:state_export") + "?format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    body = client.get(reverse("staffing:state_export")).content.decode("utf-8-sig")
    assert "Kölsch" in body and "Bönnsch" in body


def test_member_pages_of_another_centre_are_404(client, user_as, home_center, other_center):
    member = StaffMemberFactory(center=other_center)
    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    for url in (
        reverse("staffing:member", kwargs={"key": home_center.key, "pk": member.pk}),
        reverse("staffing:member_edit", kwargs={"key": home_center.key, "pk": member.pk}),
    ):
        assert client.get(url).status_code == 404
    assert StaffMember.objects.filter(pk=member.pk).exists()
