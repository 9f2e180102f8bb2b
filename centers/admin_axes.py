"""django-axes' login log in the ministry's admin, in German (issue 14).

axes names its records in English with f-strings ("Access Log for ki-koeln @ 2026-…",
"Failed access: user … on … from …"), which no catalogue can translate; the admin shows
these names in titles, breadcrumbs, the delete confirmation and the checkbox labels. The
models are axes', so their ``__str__`` is replaced here (imported by ``centers.admin``,
which Django's admin loads at start-up) — a proxy would need migrations and new admin
addresses and permissions for the same tables.
"""

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext


def _when(moment) -> str:
    if moment is None:
        return "–"
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "d.m.Y H:i")


def _who(record) -> str:
    return record.username or _("unbekannt")


def access_log_str(log: AccessLog) -> str:
    return _("Anmeldung von %(user)s am %(when)s") % {
        "user": _who(log),
        "when": _when(log.attempt_time),
    }


def access_attempt_str(attempt: AccessAttempt) -> str:
    return _("Anmeldeversuche von %(user)s, zuletzt am %(when)s") % {
        "user": _who(attempt),
        "when": _when(attempt.attempt_time),
    }


def access_failure_str(failure: AccessFailureLog) -> str:
    text = _("Fehlgeschlagene Anmeldung von %(user)s am %(when)s von %(ip)s") % {
        "user": _who(failure),
        "when": _when(failure.attempt_time),
        "ip": failure.ip_address or "–",
    }
    return _("%(text)s (gesperrt)") % {"text": text} if failure.locked_out else text


AccessLog.__str__ = access_log_str
AccessAttempt.__str__ = access_attempt_str
AccessFailureLog.__str__ = access_failure_str


class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    """axes' admin of the attempts; its clean-up works and reports in German (axes'
    message is an f-string, untranslatable; without attempt expiries its handler reads the
    cool-off from ``request.axes_attempt_time``, which only a login request has: a 500)."""

    @admin.action(description=_lazy("Abgelaufene Anmeldeversuche löschen"))
    def cleanup_expired_attempts(self, request, queryset):
        if not hasattr(request, "axes_attempt_time"):
            request.axes_attempt_time = timezone.now()
        count = self.handler.clean_expired_user_attempts(request=request)
        self.message_user(
            request,
            ngettext(
                "%(count)d abgelaufener Anmeldeversuch gelöscht.",
                "%(count)d abgelaufene Anmeldeversuche gelöscht.",
                count,
            )
            % {"count": count},
        )


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)
    admin.site.register(AccessAttempt, AccessAttemptAdmin)
