"""The one view idiom for "form → service → message → redirect" (issue 11).

Every view that changes something calls a service through one of two functions:

- ``submit_form(request, form, perform, success=…)`` for a form page: a valid POST runs
  ``perform()`` (one service call); its German ``ValidationError`` lands on the form
  (``None``: render the form again), on success the message is shown and the page
  redirects to what ``perform`` returned (an object with ``get_absolute_url`` or a URL);
- ``run_action(request, perform, success=…, back=…)`` for a button without a form page:
  the service's refusal becomes an error message on the page ``back`` points to.

``ServiceFormMixin`` is the class-based face of ``submit_form``; the transitions'
``TransitionView`` uses it too. A conflict (``ConflictError``) is a refusal like any
other: the message asks to reload, the input stays on the form.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect

from .forms import add_service_error


def submit_form(request, form, perform: Callable, *, success) -> HttpResponse | None:
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        target = perform()
    except ValidationError as exc:
        add_service_error(form, exc)
        return None
    if success:
        messages.success(request, success)
    return target if isinstance(target, HttpResponse) else redirect(target)


def run_action(request, perform: Callable, *, success, back) -> HttpResponse:
    try:
        target = perform()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return back if isinstance(back, HttpResponse) else redirect(back)
    if success:
        messages.success(request, success)
    return target if isinstance(target, HttpResponse) else redirect(target)


class ServiceFormMixin:
    """A form page whose submission is one service call: ``perform(form)``.

    ``title``, ``submit_label``, ``multipart``, ``danger`` and ``get_cancel_url()`` fill
    the shared form templates; on success ``success_message`` is shown and the page
    redirects to ``get_redirect(result)``.
    """

    title = ""
    submit_label = ""
    success_message = ""
    multipart = False
    danger = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.title,
            submit_label=self.submit_label,
            multipart=self.multipart,
            danger=self.danger,
            cancel_url=self.get_cancel_url(),
        )
        return context

    def get_success_message(self) -> str:
        return self.success_message

    def form_valid(self, form):
        response = submit_form(
            self.request,
            form,
            lambda: self.get_redirect(self.perform(form)),
            success=self.get_success_message(),
        )
        return response or self.form_invalid(form)
