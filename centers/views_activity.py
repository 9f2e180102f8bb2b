"""A centre's "Was hat sich geändert": the timeline and the history of its objects in one
list (``centers.activity``), filtered by period and area, 50 entries a page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.generic import TemplateView

from . import activity
from .access import Capability, center_perms, require_center
from .fields import GermanDateField


class ActivityFilterForm(forms.Form):
    """The period (local days, both included; an emptied field leaves that end open) and the
    areas (none ticked: all the user may read). Only the user's readable areas are offered."""

    since = GermanDateField(label=pgettext_lazy("Zeitraum", "von"), required=False)
    until = GermanDateField(label=pgettext_lazy("Zeitraum", "bis"), required=False)
    area = forms.MultipleChoiceField(
        label=_("Bereiche"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, data, *, areas, **kwargs):
        # The last 90 days until the reader picks another period.
        since, until = activity.default_period()
        data = data.copy()
        for name, default in (("since", since), ("until", until)):
            if name not in data:
                data[name] = default.isoformat()
        super().__init__(data, **kwargs)
        self.fields["area"].choices = [(area.value, area.label) for area in areas]

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("Das Ende des Zeitraums darf nicht vor dem Beginn liegen."))
        return cleaned


class ActivityView(TemplateView):
    """Everyone who may see the centre; each area only for those who may read it. Another
    centre's key is a 404 (``require_center``)."""

    template_name = "centers/activity.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        center = require_center(user, Capability.VIEW_CENTER, self.kwargs["key"])
        perms = center_perms(user, center)
        form = ActivityFilterForm(self.request.GET, areas=activity.areas_for(perms))
        context.update(center=center, form=form)
        if form.is_valid():
            context["page_obj"] = activity.center_activity(
                center,
                perms=perms,
                since=form.cleaned_data["since"],
                until=form.cleaned_data["until"],
                areas=form.cleaned_data["area"],
                page=self.request.GET.get("page"),
            )
        return context
