"""The second, slower login limit: per account, across addresses (issue 15, finding 1).

django-axes locks a username *at one address* after ``AXES_FAILURE_LIMIT`` failures
(``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]``): a stranger elsewhere can
lock only themselves out, never the real user. Axes has no second, per-account limit
with its own threshold, so this backend adds one on axes' own records: once an account
has had ``LOGIN_ACCOUNT_FAILURE_LIMIT`` failed logins within the cool-off period
(``AXES_COOLOFF_TIME``) from whatever addresses, further attempts are refused without
looking at the password — distributed guessing gets that many tries an hour, not five
per address. Addresses from which the account has signed in before
(``LOGIN_KNOWN_ADDRESS_DAYS``, axes' access log) are exempt: the office the user works
from stays open while strangers elsewhere are refused.

The refusal is axes' own lockout (``request.axes_locked_out``): the same German page,
status 429, and axes does not count the refused attempt.
"""

from __future__ import annotations

import datetime
import logging

from axes.helpers import get_client_ip_address, get_cool_off
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.utils import timezone

logger = logging.getLogger(__name__)


def account_failures(username: str, *, now: datetime.datetime | None = None) -> int:
    """Failed logins for ``username`` from any address within the cool-off period."""
    now = now or timezone.now()
    window = get_cool_off() or datetime.timedelta(hours=1)
    total = AccessAttempt.objects.filter(
        username=username, attempt_time__gt=now - window
    ).aggregate(n=Sum("failures_since_start"))["n"]
    return total or 0


def is_known_address(username: str, address: str | None) -> bool:
    """Has ``username`` signed in successfully from ``address`` recently?"""
    if not address:
        return False
    since = timezone.now() - datetime.timedelta(days=settings.LOGIN_KNOWN_ADDRESS_DAYS)
    return AccessLog.objects.filter(
        username=username, ip_address=address, attempt_time__gte=since
    ).exists()


def account_locked(request, username: str | None) -> bool:
    if not username or not settings.AXES_ENABLED:
        return False
    if account_failures(username) < settings.LOGIN_ACCOUNT_FAILURE_LIMIT:
        return False
    return not is_known_address(username, get_client_ip_address(request))


class AccountFailureLimitBackend:
    """Authenticates nobody; refuses an account that is over its limit (placed after
    ``AxesStandaloneBackend`` and before the backends that check passwords)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or not account_locked(request, username):
            return None
        logger.warning("Anmeldung für %r abgewiesen: zu viele Fehlversuche je Konto.", username)
        # Shown as axes' lockout page; axes does not record a refused attempt as a failure.
        request.axes_locked_out = True
        raise PermissionDenied("account over its failure limit")
