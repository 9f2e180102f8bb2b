"""On no day is a post filled beyond its share, and on no day does a person work more
than 1,00 VZÄ (DESIGN.md §6) — errors for the services, the forms and the admin, with a
German message that names the post or person, the day and the other holders."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import close_old_connections, connection, transaction
from django.urls import reverse

from centers.models import Center, Role
from staffing import services
from staffing.models import Assignment, Post

from .factories import AssignmentFactory, PostFactory, StaffMemberFactory


@pytest.fixture
def lead(home_center, user_as):
    return user_as(Role.CENTER_LEAD, home_center)


@pytest.fixture
def post(home_center):
    return PostFactory(center=home_center, label="Fachkraft 1", fte=Decimal("1.00"))


@pytest.fixture
def anna(home_center, post):
    """Müller, Anna holds 0,60 of "Fachkraft 1" from 01.01.2025, open-ended."""
    member = StaffMemberFactory(center=home_center, last_name="Müller", first_name="Anna")
    return AssignmentFactory(post=post, member=member, fte=Decimal("0.60"), start=date(2025, 1, 1))


def _create(lead, member, post, fte, start, end=None):
    return services.assignment_create(
        user=lead, member=member, post=post, fte=Decimal(fte), start=start, end=end
    )


def _message(excinfo, field):
    return " ".join(excinfo.value.message_dict[field])


def test_a_post_is_not_filled_beyond_its_share_on_create(home_center, lead, post, anna):
    ben = StaffMemberFactory(center=home_center, last_name="Schmidt", first_name="Ben")
    with pytest.raises(ValidationError) as excinfo:
        _create(lead, ben, post, "0.50", date(2025, 8, 1))
    message = _message(excinfo, "fte")
    assert "„Fachkraft 1“ (1,00 VZÄ)" in message
    assert "am 01.08.2025 zu 1,10 VZÄ" in message
    assert "Müller, Anna (0,60)" in message and "Schmidt, Ben (0,50)" in message
    assert not Assignment.objects.filter(member=ben).exists()


def test_the_remaining_share_and_a_successor_fit(home_center, lead, post, anna):
    _create(lead, StaffMemberFactory(center=home_center), post, "0.40", date(2025, 8, 1))
    anna.end = date(2026, 7, 31)
    anna.save()
    # From the day after Anna leaves, her 0,60 is free again.
    _create(lead, StaffMemberFactory(center=home_center), post, "0.60", date(2026, 8, 1))
    with pytest.raises(ValidationError, match="am 31.07.2026"):
        _create(lead, StaffMemberFactory(center=home_center), post, "0.10", date(2026, 7, 31))


def test_moving_an_assignment_onto_a_full_post_is_refused(home_center, lead, post, anna):
    other = PostFactory(center=home_center, label="Fachkraft 2")
    moving = AssignmentFactory(post=other, fte=Decimal("0.50"), start=date(2025, 3, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.assignment_change(
            assignment=moving, user=lead, expected_version=moving.version, post=post
        )
    message = _message(excinfo, "post")
    assert "„Fachkraft 1“" in message and "am 01.03.2025" in message
    assert "Müller, Anna (0,60)" in message
    moving.refresh_from_db()
    assert moving.post_id == other.pk


def test_raising_a_share_beyond_the_post_is_refused(home_center, lead, post, anna):
    second = AssignmentFactory(post=post, fte=Decimal("0.40"), start=date(2025, 1, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.assignment_change(
            assignment=second, user=lead, expected_version=second.version, fte=Decimal("0.50")
        )
    assert "am 01.01.2025 zu 1,10 VZÄ" in _message(excinfo, "fte")
    second.refresh_from_db()
    assert second.fte == Decimal("0.40")


def test_lowering_a_posts_share_below_its_holders_is_refused(lead, post, anna):
    post.fte = Decimal("0.50")
    with pytest.raises(ValidationError) as excinfo:
        services.post_save(post=post, user=lead, expected_version=post.version)
    message = _message(excinfo, "fte")
    assert "„Fachkraft 1“ (0,50 VZÄ)" in message and "Müller, Anna (0,60)" in message
    assert Post.objects.get(pk=post.pk).fte == Decimal("1.00")


def test_shortening_a_post_below_its_holders_is_refused(lead, post, anna):
    post.valid_to = date(2026, 7, 31)
    with pytest.raises(ValidationError) as excinfo:
        services.post_save(post=post, user=lead, expected_version=post.version)
    message = _message(excinfo, "valid_to")
    assert "Müller, Anna" in message and "31.07.2026" in message
    assert Post.objects.get(pk=post.pk).valid_to is None


def test_a_person_works_at_most_one_fte_across_two_posts(home_center, lead, post, anna):
    other = PostFactory(center=home_center, label="Lehrkraft 1", kind="teacher")
    with pytest.raises(ValidationError) as excinfo:
        _create(lead, anna.member, other, "0.50", date(2025, 9, 1))
    message = " ".join(excinfo.value.messages)
    assert "Müller, Anna wäre am 01.09.2025 zu 1,10 VZÄ eingesetzt" in message
    assert "Fachkraft 1 (0,60)" in message and "Lehrkraft 1 (0,50)" in message
    # 0,40 fits.
    _create(lead, anna.member, other, "0.40", date(2025, 9, 1))


def test_ending_or_lowering_frees_capacity_even_where_stored_data_is_overfilled(lead, post, anna):
    """Lists imported before the rule may hold too much; correcting them must stay possible."""
    extra = AssignmentFactory(post=post, fte=Decimal("0.60"), start=date(2025, 1, 1))
    services.assignment_end(
        assignment=extra, user=lead, end=date(2025, 12, 31), expected_version=extra.version
    )
    services.assignment_change(
        assignment=anna, user=lead, expected_version=anna.version, fte=Decimal("0.50")
    )
    post.label = "Fachkraft 1 (Integration)"
    services.post_save(post=post, user=lead, expected_version=post.version)
    # A raise on the overfilled days is still refused.
    with pytest.raises(ValidationError, match="zu 1,20 VZÄ"):
        services.assignment_change(
            assignment=anna, user=lead, expected_version=anna.version, fte=Decimal("0.60")
        )


def test_the_assignment_form_shows_the_overfill_message(client, home_center, lead, post, anna):
    client.force_login(lead)
    response = client.post(
        reverse("staffing:assignment_create", kwargs={"key": home_center.key}),
        {
            "member": StaffMemberFactory(center=home_center).pk,
            "post": post.pk,
            "fte": "0,5",
            "start": "01.08.2025",
        },
    )
    assert response.status_code == 200
    assert "„Fachkraft 1“ (1,00 VZÄ) wäre am 01.08.2025 zu 1,10 VZÄ besetzt" in (
        response.content.decode()
    )


# --- the ministry's admin ----------------------------------------------------------------------


@pytest.fixture
def admin_client_(client, user_as, db):
    client.force_login(user_as(Role.MINISTRY))
    return client


def _assignment_data(a, **overrides):
    data = {
        "member": a.member_id,
        "post": a.post_id,
        "fte": str(a.fte),
        "start": a.start.isoformat(),
        "end": a.end.isoformat() if a.end else "",
        "role": a.role,
        "seconding_school": a.seconding_school,
    }
    return {**data, **overrides}


def test_overfilling_through_the_admin_change_form_is_refused(admin_client_, post, anna):
    second = AssignmentFactory(post=post, fte=Decimal("0.40"), start=date(2025, 1, 1))
    url = reverse("admin:staffing_assignment_change", args=[second.pk])
    response = admin_client_.post(url, _assignment_data(second, fte="0.50"))
    assert response.status_code == 200
    assert "„Fachkraft 1“ (1,00 VZÄ) wäre am 01.01.2025 zu 1,10 VZÄ besetzt" in (
        response.content.decode()
    )
    second.refresh_from_db()
    assert second.fte == Decimal("0.40")
    ok = admin_client_.post(url, _assignment_data(second, fte="0.30"))
    assert ok.status_code == 302


def test_lowering_a_post_through_the_admin_is_refused(admin_client_, post, anna):
    url = reverse("admin:staffing_post_change", args=[post.pk])
    data = {
        "center": post.center_id,
        "kind": post.kind,
        "label": post.label,
        "fte": "0.50",
        "funding_source": post.funding_source,
        "valid_from": post.valid_from.isoformat(),
        "valid_to": "",
    }
    response = admin_client_.post(url, data)
    assert response.status_code == 200
    assert "Müller, Anna (0,60)" in response.content.decode()
    assert Post.objects.get(pk=post.pk).fte == Decimal("1.00")


# --- two saves at the same time -----------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_cannot_both_fill_the_last_half():
    # The transactional database is flushed after each such test: reload the reference data.
    if Center.objects.count() < 54:
        call_command("load_reference_data", verbosity=0)
    from tests.factories import center, user_with_role

    home = center("05315")
    lead = user_with_role(Role.CENTER_LEAD, home)
    post = PostFactory(center=home, label="Fachkraft 9")
    AssignmentFactory(post=post, fte=Decimal("0.50"), start=date(2025, 1, 1))
    people = [StaffMemberFactory(center=home) for _ in range(2)]
    first_checked = threading.Event()
    release_first = threading.Event()
    results = {}

    def save(n):
        try:
            with transaction.atomic():
                _create(lead, people[n], Post.objects.get(pk=post.pk), "0.50", date(2025, 8, 1))
                if n == 0:
                    first_checked.set()
                    # Hold the transaction open while the second save runs its check.
                    release_first.wait(5)
            results[n] = "ok"
        except ValidationError as exc:
            results[n] = exc.messages[0]
        finally:
            close_old_connections()
            connection.close()

    first = threading.Thread(target=save, args=(0,))
    first.start()
    assert first_checked.wait(5)
    second = threading.Thread(target=save, args=(1,))
    second.start()
    second.join(1)  # the second waits for the first one's lock
    release_first.set()
    first.join(5)
    second.join(5)
    assert results[0] == "ok"
    assert "wäre am 01.08.2025 zu 1,50 VZÄ besetzt" in results[1]
    assert Assignment.objects.filter(post=post).count() == 2
