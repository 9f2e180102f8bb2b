"""The legal pages (issue 14): public, no login — reachable from the login page's footer."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from . import services_legal
from .forms_legal import AccessibilityFeedbackForm
from .legal import LegalPage, LegalPageKind
from .service_views import submit_form


def _page(kind: str) -> LegalPage:
    """The ministry's saved page, or the shipped default text when there is none."""
    return LegalPage.objects.filter(kind=kind).first() or LegalPage.shipped(kind)


def _render(request, kind: str, **context):
    return render(request, "legal/page.html", {"page": _page(kind), **context})


@login_not_required
def accessibility(request):
    form = AccessibilityFeedbackForm(request.POST or None)

    def perform():
        services_legal.accessibility_feedback_submit(**form.cleaned_data)
        return reverse("legal_accessibility")

    response = submit_form(
        request,
        form,
        perform,
        success=_("Vielen Dank! Ihre Rückmeldung ist eingegangen und wurde weitergeleitet."),
    )
    return response or _render(request, LegalPageKind.ACCESSIBILITY, feedback_form=form)


@login_not_required
def privacy(request):
    return _render(request, LegalPageKind.PRIVACY)


@login_not_required
def imprint(request):
    return _render(request, LegalPageKind.IMPRINT)


@login_not_required
def easy_language(request):
    return _render(request, LegalPageKind.EASY_LANGUAGE)
