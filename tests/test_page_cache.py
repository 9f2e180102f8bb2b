"""Issue 13: a page is rendered once per change of the data (kiportal/page_cache.py) and what
is computed from the data is cached under the data version (centers/dataversion.py) — never
at the price of a stale page, another user's page, a broken form or a missing access log."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from centers import dataversion
from centers.models import Center, Role
from staffing.models import ImmigrationHistory, SensitiveDataAccess, StaffMember
from tests.staffing.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache(settings):
    settings.PAGE_CACHE = True


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ANY_TOKEN = re.compile(r"[A-Za-z0-9]{64}")


def get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_a_reload_is_answered_without_the_view_until_the_data_changes(client, user_as, home_center):
    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    url = home_center.get_absolute_url()
    first, first_queries = get(client, url)
    again, again_queries = get(client, url)
    # Only the user is read (AuthenticationMiddleware); the page itself costs nothing.
    assert again_queries <= 2 < first_queries
    assert ANY_TOKEN.sub("", again) == ANY_TOKEN.sub("", first)

    # A write of any kind — here a bare UPDATE past every service — shows at once.
    Center.objects.filter(pk=home_center.pk).update(name="KI Köln am Rhein")
    changed, changed_queries = get(client, url)
    assert "KI Köln am Rhein" in changed and changed_queries > 2


def test_the_page_of_one_user_is_never_answered_to_another(client, user_as, home_center):
    lead = user_as(Role.CENTER_LEAD, home_center)
    lead.first_name, lead.last_name = "Lea", "Leitung"
    lead.save()
    staff = user_as(Role.CENTER_STAFF, home_center)
    url = home_center.get_absolute_url()
    client.force_login(lead)
    assert "Lea Leitung" in get(client, url)[0]
    client.force_login(staff)
    text = get(client, url)[0]
    assert "Lea Leitung" not in text.split("<main")[0]  # the header names the signed-in user
    assert staff.username in text


def test_a_page_from_the_cache_carries_a_fresh_token_that_a_form_accepts(user_as, home_center):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    url = home_center.get_absolute_url()
    first = TOKEN.findall(get(client, url)[0])
    second = TOKEN.findall(get(client, url)[0])
    assert first and second and first[0] != second[0]
    assert "__kiportal-csrf-token__" not in "".join(second)
    # The logout form of the cached page works with its token.
    response = client.post(reverse("logout"), {"csrfmiddlewaretoken": second[0]})
    assert response.status_code == 302


def test_a_message_is_shown_once_and_never_replayed(client, user_as, home_center):
    member = StaffMemberFactory(center=home_center, first_name="Mira", last_name="Meyer")
    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    url = reverse("staffing:member", kwargs={"key": home_center.key, "pk": member.pk})
    get(client, url)  # cached before the change
    edit = reverse("staffing:member_edit", kwargs={"key": home_center.key, "pk": member.pk})
    data = {
        "last_name": "Meyer",
        "first_name": "Mara",
        "email": member.email,
        "employer": member.employer,
        "qualification": member.qualification,
        "qualification_subject": member.qualification_subject,
        "version": member.version,
    }
    response = client.post(edit, data, follow=True)
    landing = response.content.decode()
    assert 'class="messages"' in landing and "Mara" in landing
    again = get(client, response.redirect_chain[-1][0])[0]
    assert "Mara" in again and 'class="messages"' not in again


def test_every_view_of_a_nr_3_4_value_is_logged(client, user_as, home_center):
    member = StaffMemberFactory(center=home_center, immigration_history=ImmigrationHistory.YES)
    url = reverse("staffing:member_sensitive", kwargs={"key": home_center.key, "pk": member.pk})
    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    for _ in range(3):
        assert client.get(url).status_code == 200
    assert SensitiveDataAccess.objects.filter(member=member, action="view").count() == 3


def test_every_kind_of_write_moves_the_data_version(home_center):
    def moved(write) -> bool:
        before = dataversion.current()
        write()
        return dataversion.current() != before

    assert moved(lambda: StaffMemberFactory(center=home_center))
    assert moved(lambda: StaffMember.objects.filter(center=home_center).update(first_name="X"))
    assert moved(lambda: StaffMember.objects.filter(center=home_center).delete())
    assert moved(
        lambda: StaffMember.objects.bulk_create(
            [StaffMember(center=home_center, first_name="A", last_name="B", email="a@b.de")]
        )
    )

    def raw():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE centers_center SET phone = 'x' WHERE id = %s", [home_center.pk])

    assert moved(raw)
    # A session is no data of the portal; a statement that changes no row changes nothing.
    assert not moved(lambda: Session.objects.all().delete())
    assert not moved(lambda: StaffMember.objects.filter(pk=-1).update(first_name="Y"))
    assert not moved(lambda: StaffMember.objects.filter(pk=-1).delete())
    assert not moved(lambda: Center.objects.filter(pk=home_center.pk).exists())


def test_the_version_moves_again_when_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    """A reader between the write and the commit computed the old state under the new
    number; the second move after the commit supersedes it."""
    from django.contrib.auth.models import Group

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Group.objects.create(name="Versionsprobe")
        inside = dataversion.current()
    assert dataversion.current() != inside


class _Unreachable:
    """A cache whose server is away: every call fails as redis-py's would."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("Redis ist nicht erreichbar")

        return fail


def test_without_the_cache_every_page_opens_and_shows_the_current_data(
    client, user_as, home_center, monkeypatch
):
    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    url = home_center.get_absolute_url()
    get(client, url)
    monkeypatch.setattr(dataversion, "cache", _Unreachable())
    assert dataversion.current() is None
    get(client, url)
    Center.objects.filter(pk=home_center.pk).update(name="KI Köln ohne Cache")
    assert "KI Köln ohne Cache" in get(client, url)[0]
    assert "KI Köln ohne Cache" in get(client, reverse("dashboard"))[0]


def test_a_page_makes_no_csp_nonce_it_does_not_use(client, user_as, home_center):
    """A nonce is per response: a page that made one could never be answered again. The
    error summary's look through the context must not wake the lazy nonce."""
    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    response = client.get(home_center.get_absolute_url())
    policy = response.get("Content-Security-Policy", "") + response.get(
        "Content-Security-Policy-Report-Only", ""
    )
    assert policy and "nonce-" not in policy
    assert get(client, home_center.get_absolute_url())[1] <= 2
