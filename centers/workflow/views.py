"""The one view of every transition: a confirmation page that shows what blocks and
what to consider before the user decides, then ``transition_apply`` — through the
project's one view idiom (``centers.service_views``), so conflicts, refusals and
success look the same here as on every other form."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.utils.translation import gettext_lazy as _lazy
from django.views.generic import FormView

from ..locking import VersionForm
from ..service_views import ServiceFormMixin
from .transitions import (
    NO_NOTE,
    REQUIRED_NOTE,
    Workflow,
    transition_apply,
    transition_check,
)


class TransitionForm(VersionForm):
    """The lock, and the transition's note where it takes one."""

    def __init__(self, *args, transition, **kwargs):
        super().__init__(*args, **kwargs)
        if transition.note != NO_NOTE:
            self.fields["note"] = forms.CharField(
                label=transition.note_label or _lazy("Bemerkung"),
                required=transition.note == REQUIRED_NOTE,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 4}),
                error_messages={
                    "required": transition.note_required_message
                    or _lazy("Bitte geben Sie eine Begründung an.")
                },
            )


class TransitionView(ServiceFormMixin, FormView):
    """``TransitionView.as_view(workflow=…, transition="submit", lookup=…)``.

    ``lookup(request, perm, **url_kwargs)`` returns the object if the user holds
    ``perm`` (the transition's capability) on its centre and raises 404 otherwise, so
    that ids leak nothing.
    ``extra_context_for(obj)`` adds what the app's breadcrumbs need.
    """

    template_name = "workflow/confirm.html"
    form_class = TransitionForm
    workflow: Workflow = None
    transition: str = ""
    lookup: Callable = None
    extra_context_for: Callable | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.step = self.workflow.get(self.transition)
        # Scoped by the step's capability: 404 without it (transition_apply checks again).
        self.object = self.lookup(request, self.step.capability, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["transition"] = self.step
        return kwargs

    def get_initial(self):
        return {"version": self.object.version}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        check = transition_check(self.workflow, self.transition, self.object)
        context.update(
            object=self.object,
            transition=self.step,
            title=self.step.label,
            question=self.step.ask(self.object),
            blockers=check.blockers,
            warnings=check.warnings,
            state_label=self.workflow.state_label(self.object),
        )
        if self.extra_context_for is not None:
            context.update(self.extra_context_for(self.object))
        return context

    def get_cancel_url(self):
        return self.object.get_absolute_url()

    def get_success_message(self) -> str:
        return self.step.success

    def perform(self, form):
        return transition_apply(
            self.workflow,
            self.transition,
            obj=self.object,
            user=self.request.user,
            expected_version=form.expected_version,
            note=form.cleaned_data.get("note", ""),
        )

    def get_redirect(self, obj):
        return obj.get_absolute_url()
