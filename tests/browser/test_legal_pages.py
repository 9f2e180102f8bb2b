"""The legal pages (issue 14) in the browser: an anonymous visitor reaches each from the
login page's footer; each is axe-clean; the accessibility feedback form works."""

import pytest
from playwright.sync_api import expect

from centers.legal import AccessibilityFeedback

FOOTER_LINKS = [
    ("Barrierefreiheit", "Erklärung zur Barrierefreiheit", "legal-accessibility"),
    ("Datenschutz", "Datenschutzerklärung", "legal-privacy"),
    ("Impressum", "Impressum", "legal-imprint"),
    ("Leichte Sprache", "Leichte Sprache", "legal-easy-language"),
]


@pytest.mark.parametrize(
    ("link", "heading", "name"), FOOTER_LINKS, ids=[n for *_, n in FOOTER_LINKS]
)
def test_anonymous_follows_the_footer_link_from_the_login_page(
    page, shot, assert_accessible, link, heading, name
):
    page.goto("/accounts/login/")
    footer = page.get_by_role("navigation", name="Rechtliches")
    footer.get_by_role("link", name=link).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page).to_have_title(f"{heading} – KI-Portal")
    expect(footer.get_by_role("link", name=link)).to_have_attribute("aria-current", "page")
    shot(page, name)
    assert_accessible(page)


def test_the_legal_pages_reflow_at_320_pixels(page, shot):
    page.set_viewport_size({"width": 320, "height": 800})
    for url in ("/accounts/login/", "/barrierefreiheit/", "/datenschutz/"):
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{url} scrollt seitlich: {width} px"
    shot(page, "legal-privacy-320")


def test_anonymous_reports_a_barrier(page, shot, assert_accessible):
    page.goto("/barrierefreiheit/")
    page.get_by_role("button", name="Rückmeldung senden").click()
    # The browser's own check stops an empty message (the field is required).
    assert AccessibilityFeedback.objects.count() == 0
    page.get_by_label("Ihre Nachricht").fill("Der Kalender-Knopf hat keinen Fokusrahmen.")
    page.get_by_label("Ihre E-Mail-Adresse").fill("erika@example.org")
    page.get_by_role("button", name="Rückmeldung senden").click()
    expect(page.get_by_role("status")).to_contain_text("Vielen Dank!")
    shot(page, "legal-feedback-sent")
    assert_accessible(page)
    feedback = AccessibilityFeedback.objects.get()
    assert feedback.email == "erika@example.org"
