"""Stored violations of the two capacity invariants (a post never beyond its share, a person
never above 1,00 VZÄ): ``staffing.checks``, ``manage.py check_staffing``, the notice on the
state page; the warnings for an overfilled post; demo data that obey the invariants."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from centers import demo as centers_demo
from centers.models import Center, Role
from reporting import sources
from staffing import checks, demo, selectors
from staffing.models import Post, PostKind
from tests.querycount import assert_constant_queries as _assert_constant_queries

from .factories import AssignmentFactory, PostFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 1)


def _warnings(center):
    return selectors.center_staffing(center, today=TODAY).warnings


def _labelled(label):
    return {"label": label} if label else {}


def _overfilled_post(center, label="Fachkraft 7"):
    """A 1,00 post held 1,00 + 0,50 since 01.02.2025 (stored before the rule was an error)."""
    post = PostFactory(center=center, **_labelled(label))
    AssignmentFactory(
        post=post, fte=Decimal("1.00"), start=date(2024, 8, 1), member__last_name="Arslan"
    )
    AssignmentFactory(
        post=post, fte=Decimal("0.50"), start=date(2025, 2, 1), member__last_name="Becker"
    )
    return post


# --- warnings ------------------------------------------------------------------------------------


def test_an_overfilled_post_is_not_called_a_split_but_overfilled(home_center):
    _overfilled_post(home_center)
    warnings = _warnings(home_center)
    assert "split" not in {w.code for w in warnings}
    overfill = [w for w in warnings if w.code == "overfill"]
    assert [w.message for w in overfill] == [
        "Stelle „Fachkraft 7“ ist zu 1,50 von 1,00 VZÄ besetzt — mehr als ihr Stellenanteil."
    ]


def test_a_real_split_into_unequal_shares_is_still_a_split_warning(home_center):
    post = PostFactory(center=home_center, label="Lehrkraft 2")
    AssignmentFactory(post=post, fte=Decimal("0.60"))
    AssignmentFactory(post=post, fte=Decimal("0.40"))
    messages = [w.message for w in _warnings(home_center) if w.code == "split"]
    assert messages == [
        "Stelle „Lehrkraft 2“ ist auf 2 Anteile (0,40 + 0,60) verteilt; empfohlen ist eine "
        "Besetzung zu zwei gleichen Anteilen (Nr. 3.2, Nr. 3.3)."
    ]
    assert "overfill" not in {w.code for w in _warnings(home_center)}


def test_soll_table_and_report_count_an_overfilled_post_alike(home_center):
    _overfilled_post(home_center)
    PostFactory(center=home_center, label="Fachkraft 8", valid_from=date(2025, 8, 1))  # vacant
    table = selectors.center_staffing(home_center, today=TODAY).specialist
    report = sources.staffing_by_center([home_center], TODAY)[home_center.pk].kinds[
        PostKind.SPECIALIST
    ]
    # The surplus 0,50 on one post does not fill the vacant one: 1,00 of 2,00 is filled.
    assert (table.posts, table.filled) == (Decimal("2.00"), Decimal("1.00"))
    assert (report.fte, report.filled, report.open) == (table.posts, table.filled, Decimal("1"))


# --- stored violations ---------------------------------------------------------------------------


def _overloaded_person(center, labels=("Lehrkraft 4", "Fachkraft 9")):
    """Yilmaz holds 0,80 and, from 01.03.2025, 0,50 more on another post."""
    member = StaffMemberFactory(center=center, last_name="Yilmaz", first_name="Deniz")
    AssignmentFactory(
        post=PostFactory(center=center, kind=PostKind.TEACHER, **_labelled(labels[0])),
        member=member,
        fte=Decimal("0.80"),
        start=date(2024, 8, 1),
    )
    AssignmentFactory(
        post=PostFactory(center=center, **_labelled(labels[1])),
        member=member,
        fte=Decimal("0.50"),
        start=date(2025, 3, 1),
    )
    return member


def test_an_overfilled_post_and_an_overloaded_person_are_found(home_center, other_center):
    post = _overfilled_post(home_center)
    member = _overloaded_person(home_center)
    AssignmentFactory(post=PostFactory(center=other_center))  # clean, elsewhere
    found = checks.stored_violations()
    assert [(v.kind, v.center, v.obj) for v in found] == [
        ("post", home_center, post),
        ("person", home_center, member),
    ]
    on_post, on_person = found
    assert (on_post.day, on_post.total) == (date(2025, 2, 1), Decimal("1.50"))
    assert on_post.url == post.get_absolute_url()
    assert "„Fachkraft 7“" in on_post.message
    assert "01.02.2025" in on_post.message and "1,50 VZÄ" in on_post.message
    assert "Arslan" in on_post.holders and "Becker" in on_post.holders
    assert on_post.holders in on_post.message
    assert on_person.message.startswith("Yilmaz, Deniz ")
    assert "01.03.2025" in on_person.message and "1,30 VZÄ" in on_person.message
    assert on_person.holders == "Lehrkraft 4 (0,80), Fachkraft 9 (0,50)"
    assert on_person.url == member.get_absolute_url()


def test_only_the_given_centres_are_checked_but_with_all_of_a_persons_posts(
    home_center, other_center
):
    _overfilled_post(home_center)
    member = StaffMemberFactory(center=other_center, last_name="Wagner")
    for center in (home_center, other_center):
        AssignmentFactory(post=PostFactory(center=center), member=member, fte=Decimal("0.60"))
    assert {v.center for v in checks.stored_violations(center_ids=[home_center.pk])} == {
        home_center
    }
    bonn = checks.stored_violations(center_ids=[other_center.pk])
    assert [(v.kind, v.obj) for v in bonn] == [("person", member)]
    assert f"– {home_center.name}" in bonn[0].holders  # the post in Köln is named with its centre


def test_shares_one_after_another_and_a_real_split_are_no_violation(home_center):
    post = PostFactory(center=home_center)
    AssignmentFactory(post=post, start=date(2021, 1, 1), end=date(2024, 7, 31))
    AssignmentFactory(post=post, start=date(2024, 8, 1))
    split = PostFactory(center=home_center)
    AssignmentFactory(post=split, fte=Decimal("0.60"))
    AssignmentFactory(post=split, fte=Decimal("0.40"))
    member = StaffMemberFactory(center=home_center)
    for share in ("0.50", "0.50"):
        AssignmentFactory(post=PostFactory(center=home_center), member=member, fte=Decimal(share))
    assert checks.stored_violations() == []


def test_an_assignment_outside_its_posts_period_is_found(home_center):
    post = PostFactory(center=home_center, label="Fachkraft 3", valid_to=date(2025, 12, 31))
    AssignmentFactory(post=post, start=date(2025, 1, 1), member__last_name="Schulz")
    (found,) = checks.stored_violations()
    assert (found.kind, found.center, found.day) == ("period", home_center, date(2025, 1, 1))
    assert "Schulz" in found.message and "„Fachkraft 3“" in found.message
    assert "außerhalb des Zeitraums der Stelle" in found.message


def test_the_check_takes_one_query_whatever_the_data(
    django_assert_num_queries, home_center, other_center
):
    for center in (home_center, other_center):
        _overfilled_post(center)
        _overloaded_person(center)
    with django_assert_num_queries(1):
        found = checks.stored_violations()
        [v.url for v in found]
    assert len(found) == 4


# --- manage.py check_staffing --------------------------------------------------------------------


def _check_staffing(capsys, *args):
    code = 0
    try:
        call_command("check_staffing", *args)
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr().out.strip().splitlines()


def test_the_command_lists_each_violation_and_exits_non_zero(capsys, home_center):
    _overfilled_post(home_center)
    _overloaded_person(home_center)
    code, out = _check_staffing(capsys)
    assert code == 1
    assert len(out) == 3
    assert out[0].startswith("05315 Kommunales Integrationszentrum Köln: Die Stelle „Fachkraft 7“")
    assert out[1].startswith("05315 Kommunales Integrationszentrum Köln: Yilmaz, Deniz ")
    assert out[2] == "2 Verstöße in 1 Zentrum"


def test_the_command_can_be_restricted_to_a_centre(capsys, home_center, other_center):
    _overfilled_post(home_center)
    assert _check_staffing(capsys, "--center", "05314") == (0, ["Keine Verstöße gefunden."])
    code, out = _check_staffing(capsys, "--center", "05315")
    assert (code, out[-1]) == (1, "1 Verstoß in 1 Zentrum")
    _overloaded_person(other_center)
    assert _check_staffing(capsys)[1][-1] == "2 Verstöße in 2 Zentren"
    with pytest.raises(CommandError, match="Unbekanntes Zentrum: 99999"):
        call_command("check_staffing", "--center", "99999")


def test_the_command_is_quiet_and_zero_on_clean_data(capsys, home_center):
    AssignmentFactory(post=PostFactory(center=home_center))
    assert _check_staffing(capsys) == (0, ["Keine Verstöße gefunden."])


# --- the ministry's state page -------------------------------------------------------------------


def test_the_state_page_shows_stored_violations_with_links(client, user_as, home_center):
    client.force_login(user_as(Role.MINISTRY))
    page = client.get(reverse("staffing:state")).content.decode()
    assert "Verstöße gegen die Stellenregeln" not in page
    assert "Verstoß gegen die Stellenregeln" not in page
    post = _overfilled_post(home_center)
    member = _overloaded_person(home_center)
    page = client.get(reverse("staffing:state") + "?q=Bonn").content.decode()
    assert "2 gespeicherte Verstöße gegen die Stellenregeln" in page
    assert f'href="{post.get_absolute_url()}"' in page
    assert f'href="{member.get_absolute_url()}"' in page
    assert "zu 1,50 VZÄ besetzt" in page and "Yilmaz, Deniz" in page
    assert "manage.py check_staffing" in page
    # The links lead the ministry to pages it may open.
    assert client.get(post.get_absolute_url()).status_code == 200
    assert client.get(member.get_absolute_url()).status_code == 200


def test_the_state_page_check_adds_queries_but_does_not_grow(client, user_as, home_center):
    client.force_login(user_as(Role.LASI))
    url = reverse("staffing:state")
    client.get(url)

    def grow(k):
        for _ in range(k):
            _overfilled_post(home_center, label=None)
            _overloaded_person(home_center, labels=(None, None))

    _assert_constant_queries(client, url, grow)


# --- demo data -----------------------------------------------------------------------------------


@pytest.mark.parametrize("scale", [1, 3])
def test_demo_data_obey_the_invariants_and_label_posts_uniquely(scale):
    centers_demo.seed(scale=1)  # the centres' Leitungen are people on the staffing lists too
    with translation.override("en"):  # labels are data: German whoever runs seed_demo
        demo.seed(scale=scale)
    assert checks.stored_violations() == []
    labels = list(Post.objects.values_list("center_id", "label"))
    assert len(labels) == len(set(labels))
    assert {label.rsplit(" ", 1)[0] for _c, label in labels} == {
        "Lehrkraft",
        "Fachkraft",
        "Verwaltungsassistenz",
    }
    assert Post.objects.values("center").distinct().count() == 54
    # Köln still shows the decree's warnings on purpose, but no overfill.
    codes = {w.code for w in selectors.center_staffing(Center.objects.get(key="05315")).warnings}
    assert {"vacancy", "split", "qualification"} <= codes and "overfill" not in codes
