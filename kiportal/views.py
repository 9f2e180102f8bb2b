"""Project-wide views that belong to no app."""

from django.shortcuts import render


def csrf_failure(request, reason=""):
    """The CSRF refusal in German, on the portal's own layout (``CSRF_FAILURE_VIEW``).

    Django's default page is English and styles itself inline, which the CSP forbids.
    The technical reason stays in the log (django.security.csrf), not on the page."""
    return render(request, "403_csrf.html", status=403)
