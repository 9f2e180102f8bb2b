"""Every page of the admin speaks German (issue 14): Django's, import-export's,
simple_history's and guardian's parts too — whether or not the browser asks for German."""

import contextlib
import datetime
import re
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from centers.models import Membership
from tests.concepts.helpers import make_concept

pytestmark = pytest.mark.django_db

# English words of the admin's own texts that German never uses. Data (names, keys) are
# German; "Import", "Export", "Filter", "Name", "Status" are German words as well.
ENGLISH = re.compile(
    r"\b(Select all|Reset password|Set password|Raw passwords|Search|Changes|Revert|"
    r"History|View history|Submit|Please|Enabled|Disabled|Password-based|"
    r"Object permissions|This exporter|This importer|None|Fte|"
    r"Access|Attempted?|Failed|for|Remaining|Locked|Expires|Clean|Not set|Session|"
    r"the|and|of|this|you|your|will|with|selected|password|user)\b"
)


class _Text(HTMLParser):
    """What a person reads or hears: text, and the texts of attributes."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")
        values = dict(attrs)
        self.parts += [
            values[k] for k in ("title", "aria-label", "alt", "placeholder") if values.get(k)
        ]
        if tag == "input" and values.get("type") in ("submit", "button"):
            self.parts.append(values.get("value") or "")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def english_on(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return sorted({part.strip()[:100] for part in parser.parts if ENGLISH.search(part)})


def admin_pages(minister) -> list[str]:
    """Index, every list, add, change, history, earlier version, import and export page."""
    urls = [reverse("admin:index"), reverse("admin:password_change")]
    urls.append(reverse("admin:auth_user_password_change", args=[minister.pk]))
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        urls += [reverse(prefix + "changelist"), reverse(prefix + "add")]
        obj = model.objects.order_by("pk").last()
        if obj is not None:
            urls += [reverse(prefix + name, args=[obj.pk]) for name in ("change", "history")]
            urls.append(reverse(prefix + "delete", args=[obj.pk]))
            if hasattr(obj, "history") and obj.history.exists():
                version = obj.history.latest()
                urls.append(reverse(prefix + "simple_history", args=[obj.pk, version.pk]))
        for name in ("import", "export"):
            with contextlib.suppress(NoReverseMatch):
                urls.append(reverse(prefix + name))
    return urls


def _login_log():
    """django-axes' records of a failed and a successful login, as its handler writes them."""
    request = {
        "username": "ki-koeln",
        "ip_address": "192.0.2.7",
        "user_agent": "Mozilla/5.0",
        "http_accept": "text/html",
        "path_info": "/anmelden/",
    }
    AccessAttempt.objects.create(**request, get_data="", post_data="", failures_since_start=2)
    AccessFailureLog.objects.create(**request, locked_out=False)
    AccessLog.objects.create(**request)


@pytest.mark.parametrize("accept_language", [None, "de", "de-DE,de;q=0.9"])
def test_every_admin_page_is_german(ministry_client, minister, home_center, accept_language):
    make_concept(home_center, complete=True)
    _login_log()
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
    found = {}
    for url in admin_pages(minister):
        response = ministry_client.get(url, **headers)
        if response.status_code == 403:
            continue  # e.g. adding a report: not offered
        assert response.status_code == 200, url
        english = english_on(response.content.decode())
        if english:
            found[url] = english
    assert not found, found


def test_the_user_change_form_is_german(ministry_client, minister):
    html = ministry_client.get(reverse("admin:auth_user_change", args=[minister.pk])).content
    html = html.decode()
    assert "Passwort zurücksetzen" in html
    assert "Passwörter werden nicht im Klartext gespeichert" in html
    assert "Änderungsverlauf" in html
    assert str(Membership._meta.verbose_name_plural) in html


def test_the_export_names_the_files_columns(ministry_client):
    html = ministry_client.get(reverse("admin:staffing_assignment_export")).content.decode()
    assert "Alle auswählen" in html
    assert ">Stellenanteil<" in html
    assert "Fte" not in html and "Last Name" not in html


def test_the_reference_data_import_names_german_columns(ministry_client):
    html = ministry_client.get(reverse("admin:centers_municipality_import")).content.decode()
    assert "Kreisschlüssel, Name, Art, Regierungsbezirk" in html
    assert "member_count" not in html


def test_the_login_log_names_its_entries_and_reports_in_german(ministry_client):
    _login_log()
    log = AccessLog.objects.get(username="ki-koeln")
    html = ministry_client.get(reverse("admin:axes_accesslog_change", args=[log.pk])).content
    assert "Anmeldung von ki-koeln am " in html.decode()
    response = ministry_client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {
            "action": "cleanup_expired_attempts",
            "_selected_action": [AccessAttempt.objects.get().pk],
        },
        follow=True,
    )
    assert "0 abgelaufene Anmeldeversuche gelöscht." in response.content.decode()
    # older than the cool-off (one hour): cleaned up
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(hours=2))
    response = ministry_client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {
            "action": "cleanup_expired_attempts",
            "_selected_action": [AccessAttempt.objects.get().pk],
        },
        follow=True,
    )
    assert "1 abgelaufener Anmeldeversuch gelöscht." in response.content.decode()
    assert not AccessAttempt.objects.exists()


def test_the_two_list_choice_speaks_german(ministry_client):
    """The centres on 'Neues Soll für mehrere Zentren': the texts SelectFilter2 writes come
    from the admin's script catalogue, where Django 5.2 has gaps."""
    # JSON in the script: "ä" is "\u00e4"
    catalogue = ministry_client.get(reverse("admin:jsi18n")).content.decode("unicode_escape")
    for german in ("Alle %s auswählen", "Alle %s entfernen", "indem Sie sie markieren"):
        assert german in catalogue
