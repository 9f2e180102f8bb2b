"""The legal pages (issue 14): public, linked from every page's footer, edited in the admin."""

import re

import pytest
from django.urls import reverse

from centers.legal import AccessibilityFeedback, LegalPage, LegalPageKind, text_blocks
from centers.models import Role
from tests import factories

PAGES = {
    "/barrierefreiheit/": "Erklärung zur Barrierefreiheit",
    "/datenschutz/": "Datenschutzerklärung",
    "/impressum/": "Impressum",
    "/leichte-sprache/": "Leichte Sprache",
}

pytestmark = pytest.mark.django_db


def _footer_links(html: str) -> list[str]:
    nav = re.search(r'<nav class="legal-nav"[^>]*>(.*?)</nav>', html, re.S)
    assert nav, "Der Seitenfuß hat keine Navigation zu den rechtlichen Seiten."
    return re.findall(r'href="([^"]+)"', nav.group(1))


def test_anonymous_reaches_each_page_from_the_login_pages_footer(client):
    login = client.get(reverse("login"))
    links = _footer_links(login.content.decode())
    assert links == list(PAGES)
    for url in links:
        response = client.get(url)
        assert response.status_code == 200, url
        assert f"<h1>{PAGES[url]}</h1>" in response.content.decode()
        assert "Stand: 04.12.2026" in response.content.decode()


def test_the_footer_is_on_the_pages_of_a_signed_in_user(client, home_center):
    client.force_login(factories.user_with_role(Role.CENTER_LEAD, home_center))
    response = client.get(reverse("dashboard"))
    assert _footer_links(response.content.decode()) == list(PAGES)


def test_the_shipped_texts_describe_the_portals_processing(client):
    privacy = client.get("/datenschutz/").content.decode()
    for fact in ("Art. 9 Abs. 2 Buchst. a DSGVO", "Einwanderungsgeschichte", "LDI NRW"):
        assert fact in privacy
    accessibility = client.get("/barrierefreiheit/").content.decode()
    assert "teilweise barrierefrei" in accessibility
    assert "Ombudsstelle für barrierefreie Informationstechnik" in accessibility
    assert "§ 5 Digitale-Dienste-Gesetz" in client.get("/impressum/").content.decode()


def test_the_text_is_escaped_and_structured(client):
    LegalPage.objects.filter(kind=LegalPageKind.IMPRINT).update(
        body="## Kontakt\n\n<script>alert(1)</script>\nZeile 2\n\n- eins\n- zwei"
    )
    html = client.get("/impressum/").content.decode()
    assert "<h2>Kontakt</h2>" in html
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt;<br>Zeile 2</p>" in html
    assert "<ul><li>eins</li><li>zwei</li></ul>" in html
    assert "<script>alert(1)" not in html


def test_addresses_in_the_text_are_links(client):
    html = client.get("/barrierefreiheit/").content.decode()
    assert '<a href="https://www.lbbp.nrw.de/ombudsstelle" rel="nofollow">' in html
    assert '<a href="mailto:ombudsstelle-barrierefreie-it@mags.nrw.de">' in html


def test_blocks_of_a_text():
    blocks = text_blocks("## A\nText\n\n- x\n- y\r\n\r\nEnde")
    assert [(b.kind, b.text or b.lines) for b in blocks] == [
        ("heading", "A"),
        ("paragraph", ("Text",)),
        ("list", ("x", "y")),
        ("paragraph", ("Ende",)),
    ]


def test_a_missing_page_shows_the_shipped_text(client):
    LegalPage.objects.filter(kind=LegalPageKind.PRIVACY).delete()
    response = client.get("/datenschutz/")
    assert response.status_code == 200
    assert "<h1>Datenschutzerklärung</h1>" in response.content.decode()


def test_the_sign_language_video_is_linked_only_when_set(client):
    label = "Diese Seite in Deutscher Gebärdensprache (Video)"
    assert label not in client.get("/leichte-sprache/").content.decode()
    LegalPage.objects.filter(kind=LegalPageKind.EASY_LANGUAGE).update(
        sign_language_video_url="https://video.example.org/ki-portal-dgs"
    )
    html = client.get("/leichte-sprache/").content.decode()
    assert f'<a href="https://video.example.org/ki-portal-dgs">{label}</a>' in html


def test_feedback_is_stored_and_mailed_to_the_contact(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.ACCESSIBILITY_CONTACT_EMAIL = "barrierefreiheit@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/barrierefreiheit/",
            {
                "message": "Die Personalliste scrollt bei 320 px seitlich.",
                "name": "Erika Muster",
                "email": "erika@example.org",
                "page": "/personal/05315/",
            },
            follow=True,
        )
    assert "Vielen Dank! Ihre Rückmeldung ist eingegangen" in response.content.decode()
    feedback = AccessibilityFeedback.objects.get()
    assert feedback.message == "Die Personalliste scrollt bei 320 px seitlich."
    assert (feedback.name, feedback.email) == ("Erika Muster", "erika@example.org")
    [mail] = mailoutbox
    assert mail.to == ["barrierefreiheit@example.org"]
    assert "Barrierefreiheit" in mail.subject
    assert "Die Personalliste scrollt bei 320 px seitlich." in mail.body
    assert "erika@example.org" in mail.body
    assert f"/admin/centers/accessibilityfeedback/{feedback.pk}/" in mail.body


def test_the_ministry_reads_the_feedback_in_the_admin(client, home_center):
    AccessibilityFeedback.objects.create(message="Kontrast im Seitenfuß zu gering.")
    client.force_login(factories.user_with_role(Role.MINISTRY, home_center))
    feedback = AccessibilityFeedback.objects.get()
    url = reverse("admin:centers_accessibilityfeedback_change", args=[feedback.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "Kontrast im Seitenfuß zu gering." in response.content.decode()
    assert client.get(reverse("admin:centers_accessibilityfeedback_add")).status_code == 403


def test_feedback_without_a_message_is_refused_and_nothing_is_sent(client, mailoutbox):
    response = client.post("/barrierefreiheit/", {"message": "  ", "email": "kein-at"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dieses Feld ist zwingend erforderlich." in html
    assert "Bitte gültige E-Mail-Adresse eingeben." in html
    assert not AccessibilityFeedback.objects.exists()
    assert mailoutbox == []


def test_feedback_longer_than_the_limit_is_refused(client):
    response = client.post("/barrierefreiheit/", {"message": "x" * 5001})
    assert response.status_code == 200
    assert not AccessibilityFeedback.objects.exists()


def test_the_feedback_form_needs_a_csrf_token():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/barrierefreiheit/", {"message": "Hallo"})
    assert response.status_code == 403
    assert not AccessibilityFeedback.objects.exists()


def test_the_ministry_edits_a_page_in_the_admin_with_history(client, home_center):
    client.force_login(factories.user_with_role(Role.MINISTRY, home_center))
    page = LegalPage.objects.get(kind=LegalPageKind.IMPRINT)
    url = reverse("admin:centers_legalpage_change", args=[page.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "title": "Impressum",
            "as_of": "05.12.2026",
            "body": "## Angaben nach § 5 DDG\n\nMinisterium, Völklinger Straße 4, Düsseldorf",
            "sign_language_video_url": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page.refresh_from_db()
    assert str(page.as_of) == "2026-12-05"
    assert page.history.count() == 1
    assert "Völklinger Straße 4" in client.get("/impressum/").content.decode()
    history = client.get(reverse("admin:centers_legalpage_history", args=[page.pk]))
    assert history.status_code == 200
    # One page per kind: no second imprint, no deleting.
    assert client.get(reverse("admin:centers_legalpage_add")).status_code == 403
    assert client.get(reverse("admin:centers_legalpage_delete", args=[page.pk])).status_code == 403
