"""Art. 15 DSGVO: everything the portal stores about one person on a staffing list, as a
readable page and as a JSON file.

Who may export: the KI-Leitung of the person's centre (the membership-based check of the
Nr. 3.4 value, ``selectors.may_see_sensitive``) and the ministry (the capability held for
every centre). The Nr. 3.4 value itself is in the export only for the KI-Leitung: state
roles never see it per person (DESIGN.md §7); the ministry's export says so. Every export
is logged in the Nr. 3.4 access log (``SensitiveDataAccess``, action ``export``) and the
log itself is part of the export.

The content is a list of sections, each a title and rows (label → value), the same for
the page and the file: German labels, values as text or ISO dates.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centers.access import Capability, has_state_perm
from centers.models import Membership

from .models import (
    PERSON_FIELDS,
    Assignment,
    QualificationException,
    SensitiveDataAccess,
    StaffMember,
)
from .selectors import may_see_sensitive


def may_export(user, center) -> bool:
    return may_see_sensitive(user, center) or has_state_perm(
        user, Capability.VIEW_SENSITIVE_STAFF_DATA
    )


def _value(value):
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def _user_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _fields(obj, names) -> dict[str, str]:
    """label → value of ``names`` on ``obj``, choices as their display."""
    row = {}
    for name in names:
        field = obj._meta.get_field(name)
        display = getattr(obj, f"get_{name}_display", None)
        value = display() if display and getattr(obj, field.attname) else getattr(obj, name)
        if field.is_relation:
            value = str(value) if value is not None else ""
        row[str(field.verbose_name)] = _value(value)
    return row


MEMBER_FIELDS = ("center", *PERSON_FIELDS, "anonymised_on")
HISTORY_FIELDS = PERSON_FIELDS
ASSIGNMENT_FIELDS = ("post", "fte", "start", "end", "role", "seconding_school")
EXCEPTION_FIELDS = (
    "kind",
    "status",
    "reason",
    "proposed_on",
    "decided_on",
    "decision_note",
)


def _history_row(h, fields) -> dict[str, str]:
    return {
        _("Zeitpunkt"): _value(h.history_date),
        _("von"): _user_name(h.history_user),
        _("Vorgang"): h.get_history_type_display(),
        **_fields(h, fields),
    }


def sections(member: StaffMember, *, with_sensitive: bool) -> list[dict]:
    """Everything stored about ``member``, in sections (reads only; see ``member_export``)."""
    assignments = list(
        Assignment.objects.filter(member=member).select_related("post").order_by("start", "pk")
    )
    exceptions = list(
        QualificationException.objects.filter(member=member)
        .select_related("proposed_by", "decided_by")
        .order_by("proposed_on", "pk")
    )
    if with_sensitive:
        sensitive = member.get_immigration_history_display()
    else:
        sensitive = _("Nur in der Auskunft durch die KI-Leitung des Zentrums enthalten.")
    person = _fields(member, MEMBER_FIELDS)
    person[str(StaffMember._meta.get_field("immigration_history").verbose_name)] = sensitive
    result = [
        {"title": _("Angaben zur Person"), "rows": [person]},
        {
            "title": _("Besetzungen"),
            "rows": [
                {
                    **_fields(a, ASSIGNMENT_FIELDS),
                    _("Stellenart"): a.post.get_kind_display(),
                }
                for a in assignments
            ],
        },
        {
            "title": _("Qualifikationsausnahmen (Nr. 4.1, Nr. 4.2)"),
            "rows": [
                {
                    **_fields(e, EXCEPTION_FIELDS),
                    _("beantragt von"): _user_name(e.proposed_by),
                    _("entschieden von"): _user_name(e.decided_by),
                }
                for e in exceptions
            ],
        },
        {
            "title": _("Änderungsverlauf der Angaben zur Person"),
            "rows": [
                _history_row(h, HISTORY_FIELDS)
                for h in member.history.select_related("history_user").order_by(
                    "history_date", "history_id"
                )
            ],
        },
        {
            "title": _("Änderungsverlauf der Besetzungen"),
            "rows": [
                _history_row(h, ("fte", "start", "end", "role", "seconding_school"))
                for h in Assignment.history.filter(member_id=member.pk)
                .select_related("history_user")
                .order_by("history_date", "history_id")
            ],
        },
        {
            "title": _("Änderungsverlauf der Qualifikationsausnahmen"),
            "rows": [
                _history_row(h, EXCEPTION_FIELDS)
                for h in QualificationException.history.filter(id__in=[e.pk for e in exceptions])
                .select_related("history_user")
                .order_by("history_date", "history_id")
            ],
        },
        {
            "title": _("Protokoll der Zugriffe auf die Selbstauskunft und der Auskünfte"),
            "rows": [
                {
                    _("Zeitpunkt"): _value(log.at),
                    _("Benutzer/in"): _user_name(log.user),
                    _("Vorgang"): log.get_action_display(),
                }
                for log in SensitiveDataAccess.objects.filter(member=member)
                .select_related("user")
                .order_by("at", "pk")
            ],
        },
        {"title": _("Benutzerkonto im Portal"), "rows": _accounts(member)},
    ]
    return result


def _accounts(member: StaffMember) -> list[dict]:
    """Accounts with the person's e-mail address (a staff record has no other link)."""
    if member.anonymised_on:
        return []
    users = get_user_model().objects.filter(email__iexact=member.email)
    memberships = Membership.objects.filter(user__in=users).select_related(
        "center", "school_authority"
    )
    roles: dict[int, list[str]] = {}
    for m in memberships:
        where = m.center or m.school_authority
        roles.setdefault(m.user_id, []).append(
            f"{m.get_role_display()}{f' – {where}' if where else ''}"
        )
    return [
        {
            _("Benutzername"): u.username,
            _("Vorname"): u.first_name,
            _("Nachname"): u.last_name,
            _("E-Mail"): u.email,
            _("aktiv"): _("ja") if u.is_active else _("nein"),
            _("angelegt am"): _value(u.date_joined),
            _("letzte Anmeldung"): _value(u.last_login),
            _("Rollen"): "; ".join(roles.get(u.pk, [])),
        }
        for u in users.order_by("pk")
    ]


@transaction.atomic
def member_export(*, member: StaffMember, user) -> dict:
    """The Art. 15 information about ``member`` for ``user``; the export is logged first,
    so the log in the file includes it."""
    if not may_export(user, member.center):
        raise PermissionDenied
    SensitiveDataAccess.objects.create(
        user=user, member=member, action=SensitiveDataAccess.Action.EXPORT
    )
    return {
        "title": _("Auskunft nach Art. 15 DSGVO"),
        "person": str(member),
        "center": str(member.center),
        "created_at": _value(timezone.now()),
        "created_by": _user_name(user),
        "sections": sections(member, with_sensitive=may_see_sensitive(user, member.center)),
    }
