"""Request-wide guards of the portal (issue 15, findings 5, 9, 11), the session's renewal and
compressed pages (issue 13).

``RejectImpossibleInputMiddleware``: a URL whose path or query holds a control
character (a NUL byte above all: PostgreSQL text cannot hold one) names no page of the
portal. It is a 404 here, for every URL at once, instead of a database error (500) in
whichever view first passes the value to a query.

``ResponseHeadersMiddleware``: the portal's pages and downloads carry personal data and
live behind the login, so nothing it renders may be kept by a shared or a browser cache
(``Cache-Control: private, no-store`` unless a view decided otherwise); and no page
needs camera, microphone, location, payment or USB (``Permissions-Policy``). Static
files are answered by WhiteNoise before this middleware and keep their long caching.
"""

from __future__ import annotations

import re
import time

from django.conf import settings
from django.http import Http404
from django.middleware.gzip import GZipMiddleware

# C0 and C1 control characters (NUL, line breaks, DEL …) and the two non-characters.
_IMPOSSIBLE = re.compile("[\x00-\x1f\x7f-\x9f\ufffe\uffff]")

NO_STORE = "private, no-store"


def has_impossible_characters(text: str) -> bool:
    return bool(_IMPOSSIBLE.search(text))


class RejectImpossibleInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_impossible_characters(request.path) or any(
            has_impossible_characters(key) or any(has_impossible_characters(v) for v in values)
            for key, values in request.GET.lists()
        ):
            raise Http404("impossible characters in the URL")
        return self.get_response(request)


class ResponseHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response:
            response["Cache-Control"] = NO_STORE
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = settings.PERMISSIONS_POLICY
        return response


class SessionRenewalMiddleware:
    """The idle logout without a write on every request.

    A session ends ``SESSION_COOKIE_AGE`` (30 minutes) after it was last saved. Saving it on
    every request (``SESSION_SAVE_EVERY_REQUEST``) cost a database write per page; instead a
    request renews it only when the last renewal is ``SESSION_RENEW_AFTER`` seconds old, so a
    session ends between 30 and 31 minutes after the last request — and a page costs no write.
    Below ``SessionMiddleware``: its response part saves what this one marked.
    """

    KEY = "_renewed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.accessed and not session.is_empty():
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= settings.SESSION_RENEW_AFTER:
                session[self.KEY] = now
        return response


class HtmlGZipMiddleware(GZipMiddleware):
    """Pages (``text/html``) go out gzip-compressed to a browser that accepts it: the
    ministry's dashboard shrinks from 96 kB to under 8 kB.

    Only rendered pages: downloads (PDF, XLSX, documents) are compressed already or are
    files whose length and byte ranges must stay, and static files are answered by
    WhiteNoise above this middleware with their own precompressed variants.

    BREACH: Django's middleware adds up to 100 random bytes to every compressed response
    ("Heal the Breach"), and the CSRF token in a page is masked afresh for every response
    (also when the page comes from ``kiportal.page_cache``), so the secret never repeats
    in a form an attacker could narrow down by reflecting guesses.
    """

    def process_response(self, request, response):
        if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)
