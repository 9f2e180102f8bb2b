"""Finding 1 of issue 15: behind the reverse proxy every request came from the proxy's
address, so five wrong passwords from anywhere locked the real user out for an hour.

Now the client's address comes from ``X-Forwarded-For`` as far as ``TRUSTED_PROXIES``
trusts it, axes locks a username *at one address*, and a slower limit per account
(across addresses) stops distributed guessing without shutting out the address the
user signs in from. Real login POSTs through the test client, as in
tests/centers/test_auth.py."""

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth import SESSION_KEY

from centers.models import Role
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "test-passwort-123"
LOGIN = "/accounts/login/"
PROXY = "10.0.0.2"  # the TLS proxy in front of gunicorn
USER = "ki-mettmann"


@pytest.fixture(autouse=True)
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 30


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = 1


@pytest.fixture
def member(db):
    return factories.user_with_role(Role.CENTER_STAFF, factories.center("05158"), username=USER)


def login(client, password, *, remote, forwarded=None, username=USER):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def fail(client, times, **where):
    return [login(client, "falsch", **where).status_code for _ in range(times)]


# --- behind the proxy ------------------------------------------------------------------


def test_a_stranger_behind_the_proxy_cannot_lock_the_user_out(client, member, behind_proxy):
    assert fail(client, 5, remote=PROXY, forwarded="203.0.113.66") == [200, 200, 200, 200, 429]

    real = login(client.__class__(), PASSWORD, remote=PROXY, forwarded="198.51.100.7")
    assert real.status_code == 302
    assert real.wsgi_request.session[SESSION_KEY] == str(member.pk)


def test_behind_the_proxy_the_stranger_himself_is_locked(client, member, behind_proxy):
    fail(client, 5, remote=PROXY, forwarded="203.0.113.66")
    # The right password from the locked address does not help the stranger either.
    assert login(client, PASSWORD, remote=PROXY, forwarded="203.0.113.66").status_code == 429
    attempt = AccessAttempt.objects.get(username=USER)
    assert attempt.ip_address == "203.0.113.66"


def test_a_forged_entry_left_of_the_proxys_does_not_move_the_lock(client, member, behind_proxy):
    # The client writes its own X-Forwarded-For; the proxy appends the real address.
    for n in range(5):
        login(client, "falsch", remote=PROXY, forwarded=f"192.0.2.{n}, 203.0.113.66")
    assert login(client, PASSWORD, remote=PROXY, forwarded="203.0.113.66").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.66"}


def test_trusted_proxy_networks_instead_of_a_count(client, member, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    fail(client, 5, remote=PROXY, forwarded="203.0.113.66, 10.0.0.9")
    assert login(client, PASSWORD, remote=PROXY, forwarded="198.51.100.7").status_code == 302
    assert AccessAttempt.objects.get().ip_address == "203.0.113.66"


def test_the_access_log_records_the_client_not_the_proxy(client, member, behind_proxy):
    login(client, PASSWORD, remote=PROXY, forwarded="198.51.100.7")
    assert AccessLog.objects.get(username=USER).ip_address == "198.51.100.7"


# --- without a proxy (the default) ----------------------------------------------------------


def test_directly_the_address_is_remote_addr_and_the_header_is_ignored(client, member):
    # Without TRUSTED_PROXIES a client cannot dodge the lock by writing the header.
    for n in range(5):
        login(client, "falsch", remote="203.0.113.66", forwarded=f"192.0.2.{n}")
    assert login(client, PASSWORD, remote="203.0.113.66").status_code == 429
    assert AccessAttempt.objects.get().ip_address == "203.0.113.66"


def test_directly_another_address_still_gets_in(client, member):
    fail(client, 5, remote="203.0.113.66")
    assert login(client.__class__(), PASSWORD, remote="198.51.100.7").status_code == 302


# --- the slower per-account limit -------------------------------------------------------------


def test_many_addresses_together_hit_the_per_account_limit(client, member, settings):
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 12
    for n in range(3):  # three addresses, four guesses each: no single one is locked
        assert fail(client, 4, remote=f"203.0.113.{n}") == [200] * 4

    refused = login(client, PASSWORD, remote="203.0.113.99")
    assert refused.status_code == 429
    assert "Anmeldung vorübergehend gesperrt" in refused.content.decode()
    assert SESSION_KEY not in refused.wsgi_request.session
    # Refused attempts are not password checks: they are not counted.
    assert sum(AccessAttempt.objects.values_list("failures_since_start", flat=True)) == 12


def test_the_address_the_user_signs_in_from_stays_open(client, member, settings):
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 12
    office = "198.51.100.7"
    assert login(client, PASSWORD, remote=office).status_code == 302
    client.post("/accounts/logout/", REMOTE_ADDR=office)
    for n in range(3):
        fail(client, 4, remote=f"203.0.113.{n}")

    assert login(client, PASSWORD, remote="203.0.113.99").status_code == 429
    assert login(client, PASSWORD, remote=office).status_code == 302


def test_one_address_alone_never_reaches_the_per_account_limit(client, member, settings):
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 12
    # A stranger who keeps trying after the lock adds nothing to the account's count.
    assert fail(client, 20, remote="203.0.113.66")[-1] == 429
    assert login(client, PASSWORD, remote="198.51.100.7").status_code == 302


def test_other_accounts_are_not_affected_by_the_per_account_limit(client, member, settings):
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 8
    other = factories.user_with_role(Role.CENTER_STAFF, factories.center("05158"))
    for n in range(2):
        fail(client, 4, remote=f"203.0.113.{n}")
    assert login(client, PASSWORD, remote="203.0.113.99").status_code == 429
    assert (
        login(client, PASSWORD, remote="203.0.113.99", username=other.username).status_code == 302
    )
