"""A signed-in user's page, rendered once per change of the data (issue 13).

A page of the portal is a function of the data, the user (their grants and name), the URL,
the language and the day. ``centers.dataversion`` moves with every write to the data, so a
page rendered for one user at one data version can be answered again, to the same user, until
anything changes — a reload, the way back from a detail page, a second look at the state charts
— without running the view.

What must differ between two answers of the same page is put back in:

- the CSRF token: the page is rendered with one token of its request (``csrf_token`` below
  replaces Django's per-render lazy one), which is swapped for a placeholder when stored and
  for a fresh token of the new request when answered;
- messages ("Gespeichert."): a page that shows or carries one is not stored, and a request
  with a message waiting is not answered from the cache;
- anything else per request (a CSP nonce, a view that set its own ``Cache-Control``, a
  redirect, an error, a download, an htmx fragment, a POST): not stored.

Keys carry the user, the language, the day and the full path; entries live for
``PAGE_CACHE_SECONDS`` at most. ``PAGE_CACHE = False`` switches it off.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

from centers import dataversion

PLACEHOLDER = "__kiportal-csrf-token__"

# Headers of the view's own response worth keeping; everything else (cookies, CSP, frame
# options, cache control) is added again by the middleware around this one.
_KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary")


def csrf_token(request) -> dict:
    """Context processor: the page's one CSRF token, known to the middleware."""
    token = getattr(request, "page_csrf_token", None)
    return {"csrf_token": token} if token is not None else {}


def _key(request) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"page:{request.user.pk}:{get_language()}:{timezone.localdate()}:{path}"


def _cacheable_request(request) -> bool:
    user = getattr(request, "user", None)
    messages = getattr(request, "_messages", None)
    return (
        settings.PAGE_CACHE
        and request.method == "GET"
        and user is not None
        and user.is_authenticated
        and "HX-Request" not in request.headers
        and not (messages is not None and len(messages))
    )


def _cacheable_response(request, response) -> bool:
    messages = getattr(request, "_messages", None)
    return (
        response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and "Cache-Control" not in response
        and not response.cookies
        and getattr(request, "_csp_nonce", None) is None
        and not (messages is not None and (messages.used or len(messages)))
    )


class PageCacheMiddleware:
    """Last in ``MIDDLEWARE``: what is answered from the cache still passes every other
    middleware (session renewal, CSRF cookie, security headers)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            return self.get_response(request)
        version = dataversion.current()
        key = _key(request)
        entry = dataversion.cached_get(key, version=version)
        if entry is not None:
            return self._answer(request, entry)
        request.page_csrf_token = token = get_token(request)
        response = self.get_response(request)
        if _cacheable_response(request, response):
            content = response.content.decode(response.charset).replace(token, PLACEHOLDER)
            headers = {h: response[h] for h in _KEPT_HEADERS if h in response}
            dataversion.cached_set(
                key, (content, headers), version=version, timeout=settings.PAGE_CACHE_SECONDS
            )
        return response

    @staticmethod
    def _answer(request, entry):
        from django.http import HttpResponse

        content, headers = entry
        response = HttpResponse(content.replace(PLACEHOLDER, get_token(request)))
        for name, value in headers.items():
            response[name] = value
        return response
